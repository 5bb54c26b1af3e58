// The README's first quick-start command runs this demo: it must run anywhere with no set-up,
// show every part of the transcript, exit 0 and leave nothing open.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { test } from "node:test";

function runDemo(args: string[] = []): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "demo/connection.ts", ...args], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, output }));
  });
}

test("the demo shows all four blocks over a real connection and exits 0 with nothing open", async () => {
  const { code, output } = await runDemo();
  assert.equal(code, 0, output);
  assert.match(output, /server listening on 127\.0\.0\.1:\d+/);
  assert.match(
    output,
    /1\. a clean block[\s\S]*got "pong"[\s\S]*aexit: the block completed; closing[\s\S]*returned "pong"/,
  );
  assert.match(
    output,
    /2\. a block that throws[\s\S]*aexit: the block threw Error: the reply was not what we wanted; closing[\s\S]*caller caught Error: the reply was not what we wanted/,
  );
  assert.match(
    output,
    /3\. a manager that suppresses[\s\S]*aexit: the block threw QuotaExceeded[\s\S]*returned undefined/,
  );
  assert.match(
    output,
    /4\. the same connection written with asyncContextManager[\s\S]*generator: closed in finally[\s\S]*returned "GENERATORS TOO"/,
  );
  assert.match(output, /open handles left: none/);
});

test("the demo's server can be pointed at a chosen host and port", async () => {
  const port = 20000 + (process.pid % 20000);
  const { code, output } = await runDemo(["--host", "127.0.0.1", "--port", String(port)]);
  assert.equal(code, 0, output);
  assert.match(output, new RegExp(`server listening on 127\\.0\\.0\\.1:${port}`));
});
