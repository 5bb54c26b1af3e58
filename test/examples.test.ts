// Every example under examples/ runs as a user would run it (`npx tsx examples/<name>.ts`): it
// must exit 0 by itself — so it left no socket, server, timer or child process open — and print
// the outcome it promises. The examples are also type-checked with the project's strict options.
import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { readdirSync } from "node:fs";
import { describe, test } from "node:test";
import { promisify } from "node:util";
import { missingRedis } from "./redis/server.js";

/** Examples that need something this machine may lack, and why they are skipped (never in CI). */
const unavailable: Record<string, string | undefined> = { "redis-semaphore.ts": missingRedis() };

/** What each example must print, in order. */
const expectations: Record<string, RegExp[]> = {
  "sqlite-transaction.ts": [
    /start: alice=100 bob=20/,
    /committed\nafter: alice=70 bob=50/,
    /rolled back\n {2}caller caught RangeError: bob cannot pay 500\nafter: alice=70 bob=50/,
    /in a transaction: false/,
    /database closed, its directory removed: true/,
  ],
  "temporary-files.ts": [
    /closed notes\.txt\nread back: "written inside the block\\n"/,
    /closed half\.txt\ncaller caught: the block failed half-way/,
    /directory exists inside the block: true\ndirectory exists after the block: false/,
  ],
  "child-process.ts": [
    /started pid \d+\n {2}terminated \(SIGTERM\)\n {2}the block read \["tick 1","tick 2","tick 3"\]/,
    /terminated \(SIGTERM\) after the block threw\n {2}caller caught: the parent gave up\n {2}child still running: false/,
  ],
  "connection.ts": [
    /aexit: the block completed; closing\n {2}returned "pong"/,
    /aexit: the block threw Error: unexpected reply HELLO; closing\n {2}caller caught Error: unexpected reply HELLO/,
    /server closed/,
  ],
  "pool.ts": [
    /replies: A B C D E F\nconnections opened: 2, in the pool: 2/,
    /caller caught BrokenConnection: the protocol went out of sync\nafter a fatal error, in the pool: 1/,
    /a later borrower still gets an answer: pong\npool closed: true, connections left: 0/,
  ],
  "redis-semaphore.ts": [
    /second: ready/,
    /(first|second): job 3 done[\s\S]*second process exited with 0/,
    /most jobs at once across both processes: 2 \(permits: 2\)\nkeys left in Redis: 0\nredis-server stopped/,
  ],
  "structured-server.ts": [
    /server listening on port \d+\nping -> pong\nslow -> gave up \(cancelledCaught: true\)/,
    /a second server on the same port: EADDRINUSE; the group goes on/,
    /server closed gracefully\nthe group exited quietly: undefined/,
  ],
  "task-group-fetch.ts": [
    /got \["item 1","item 2","item 3"\]/,
    /caller caught TimeoutError: timeout of 100 ms expired\nserver closed/,
  ],
};

function runExample(name: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", `examples/${name}`], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
    // An example that does not exit by itself has left something open: fail rather than hang.
    // Generous: on a loaded 2-core machine, compiling and running one took over 20 s (the redis
    // example starts tsx twice).
    const watchdog = setTimeout(() => child.kill("SIGKILL"), 90_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(watchdog);
      resolve({ code, output });
    });
  });
}

describe("examples", { concurrency: 4 }, () => {
  test("every example file has expectations here", () => {
    const files = readdirSync("examples")
      .filter((f) => f.endsWith(".ts"))
      .sort();
    assert.deepEqual(files, Object.keys(expectations).sort());
  });

  for (const [name, patterns] of Object.entries(expectations)) {
    test(`examples/${name} exits 0 by itself and prints what it promises`, { skip: unavailable[name] }, async () => {
      const { code, output } = await runExample(name);
      assert.equal(code, 0, output);
      for (const pattern of patterns) assert.match(output, pattern);
    });
  }

  test("the examples type-check with the project's strict options", async () => {
    await promisify(execFile)(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "examples/tsconfig.json"]);
  });
});
