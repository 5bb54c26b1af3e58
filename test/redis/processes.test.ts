// Several Node processes compete for one Redis lock and one Redis semaphore (worker.ts), with
// random hold times and random aborts; and the process faults: a holder or a waiter killed
// with SIGKILL. The checks are made in Redis by the holders themselves: a counter of the
// current holders, the fencing tokens in grant order, the order of grants.
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { build } from "esbuild";
import { RedisLock } from "../../src/redis/index.js";
import { type Fixture, freshKey, keysOf, skipReason, useRedis } from "./fixture.js";

let redis: Fixture;

// The worker is bundled once into one plain script, clients included: a Node process then
// starts in a fraction of the time the TypeScript loader takes on a loaded machine.
let bundleDir: string;
let workerScript: string;

interface Worker {
  child: ChildProcess;
  /** The JSON events the worker printed, as they arrive. */
  events: Record<string, unknown>[];
  /** Resolves to the exit code (null when killed); a worker that hangs is killed after 30 s. */
  exited: Promise<number | null>;
  /** Resolves with the first event that has `field`. */
  next(field: string): Promise<Record<string, unknown>>;
}

function startWorker(options: Record<string, unknown>): Worker {
  const child = spawn(process.execPath, [workerScript, JSON.stringify({ url: redis.server.url, ...options })], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  const events: Record<string, unknown>[] = [];
  const waiting: { field: string; resolve: (e: Record<string, unknown>) => void }[] = [];
  let errors = "";
  let buffer = "";
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => (errors += chunk));
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
    buffer += chunk;
    let newline = buffer.indexOf("\n");
    while (newline >= 0) {
      const event = JSON.parse(buffer.slice(0, newline)) as Record<string, unknown>;
      buffer = buffer.slice(newline + 1);
      events.push(event);
      for (const w of waiting.filter((w) => w.field in event)) {
        waiting.splice(waiting.indexOf(w), 1);
        w.resolve(event);
      }
      newline = buffer.indexOf("\n");
    }
  });
  const watchdog = setTimeout(() => child.kill("SIGKILL"), 30_000);
  const exited = new Promise<number | null>((resolve) =>
    child.on("close", (code) => {
      clearTimeout(watchdog);
      if (code !== 0 && code !== null) process.stderr.write(errors);
      resolve(code);
    }),
  );
  return {
    child,
    events,
    exited,
    next: (field) =>
      new Promise((resolve, reject) => {
        const found = events.find((e) => field in e);
        if (found !== undefined) return resolve(found);
        waiting.push({ field, resolve });
        exited.then(() => reject(new Error(`worker exited before reporting ${field}: ${errors}`)));
      }),
  };
}

async function queued(key: string, count: number): Promise<void> {
  for (let i = 0; i < 1000; i++) {
    if ((await redis.raw.zCard(`${key}:queue`)) >= count) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`never saw ${count} waiters on ${key}`);
}

describe("RedisLock and RedisSemaphore across processes", { skip: skipReason, concurrency: 1 }, () => {
  redis = useRedis();
  before(async () => {
    bundleDir = mkdtempSync(join(tmpdir(), "redis-worker-"));
    workerScript = join(bundleDir, "worker.mjs");
    await build({
      entryPoints: ["test/redis/worker.ts"],
      outfile: workerScript,
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node20",
      logLevel: "silent",
      // The clients are CommonJS inside an ES module bundle: give them a require.
      banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
    });
  });
  after(() => rmSync(bundleDir, { recursive: true, force: true }));

  for (const permits of [1, 2]) {
    const what = permits === 1 ? "a lock" : "a semaphore of 2";
    test(`four processes compete for ${what} with random holds and aborts: never too many holders`, async () => {
      const key = freshKey(`compete-${permits}`);
      const seed = Date.now();
      const workers = [0, 1, 2, 3].map((i) =>
        startWorker({
          key,
          permits,
          leaseMs: 2000,
          client: i % 2 ? "ioredis" : "node-redis",
          mode: "compete",
          rounds: 12,
          seed: seed + i,
        }),
      );
      const codes = await Promise.all(workers.map((w) => w.exited));
      assert.deepEqual(codes, [0, 0, 0, 0], `no worker failed or hung (seed ${seed})`);
      const held = workers.reduce((sum, w) => sum + Number(w.events.at(-1)?.held), 0);
      assert.ok(held > 0);
      assert.deepEqual(await redis.raw.lRange(`check:${key}:violations`, 0, -1), []);
      const tokens = (await redis.raw.lRange(`check:${key}:tokens`, 0, -1)).map(Number);
      assert.equal(tokens.length, held);
      assert.equal(new Set(tokens).size, tokens.length, "every hold has its own token");
      if (permits === 1) {
        // One holder at a time records its token, so the list is in grant order.
        assert.deepEqual(
          tokens,
          [...tokens].sort((a, b) => a - b),
          "tokens only increase",
        );
      }
      assert.equal(await redis.raw.get(`check:${key}:inside`), "0");
      assert.deepEqual(await keysOf(redis.raw, key), [], "nothing left in Redis");
    });
  }

  test("processes are served in the order they queued", async () => {
    const key = freshKey("fifo");
    const first = await new RedisLock(await redis.client(), key).acquire();
    const workers: Worker[] = [];
    for (let i = 0; i < 4; i++) {
      workers.push(
        startWorker({
          key,
          permits: 1,
          leaseMs: 5000,
          client: i % 2 ? "ioredis" : "node-redis",
          mode: "wait-once",
          name: `w${i}`,
        }),
      );
      await queued(key, i + 1);
    }
    await first.release();
    assert.deepEqual(await Promise.all(workers.map((w) => w.exited)), [0, 0, 0, 0]);
    assert.deepEqual(await redis.raw.lRange(`check:${key}:order`, 0, -1), ["w0", "w1", "w2", "w3"]);
    assert.deepEqual(await keysOf(redis.raw, key), []);
  });

  test("a holder killed with SIGKILL: its permit comes back after its lease", async (t) => {
    const key = freshKey("killed-holder");
    const leaseMs = 600;
    const holder = startWorker({ key, permits: 1, leaseMs, client: "node-redis", mode: "hold-forever" });
    const { held } = await holder.next("held");
    const lock = new RedisLock(await redis.client(), key, { leaseMs });
    const waiting = lock.acquire({ timeoutMs: 10_000 });
    await queued(key, 1);
    holder.child.kill("SIGKILL");
    const killedAt = performance.now();
    assert.equal(await holder.exited, null);
    const hold = await waiting;
    const after = performance.now() - killedAt;
    // Not before the lease ran out (its last renewal may have been just before the kill), and
    // soon after: the waiter's heartbeat, a third of the lease, notices the expiry.
    assert.ok(after < leaseMs + 1500, `granted ${Math.round(after)} ms after the kill`);
    t.diagnostic(`lease ${leaseMs} ms: granted ${Math.round(after)} ms after the holder was killed`);
    assert.ok(hold.token > Number(held));
    await hold.release();
    assert.deepEqual(await keysOf(redis.raw, key), []);
  });

  test("a waiter killed with SIGKILL: the queue goes on without it within one lease", async (t) => {
    const key = freshKey("killed-waiter");
    const leaseMs = 600;
    // The first holder waits for two processes to start, seconds on a loaded machine: its own
    // lease is long, so that only the killed waiter's lease is what the test measures.
    const lock = new RedisLock(await redis.client(), key, { leaseMs: 10_000 });
    const first = await lock.acquire();
    const doomed = startWorker({ key, permits: 1, leaseMs, client: "ioredis", mode: "wait-once", name: "doomed" });
    await queued(key, 1);
    doomed.child.kill("SIGKILL");
    await doomed.exited;
    const next = startWorker({ key, permits: 1, leaseMs, client: "node-redis", mode: "wait-once", name: "next" });
    // The second ticket is the one of "next" (the doomed entry may have expired already).
    for (let i = 0; i < 1000 && Number(await redis.raw.get(`${key}:ticket`)) < 2; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await first.release();
    const releasedAt = performance.now();
    await next.next("granted");
    const after = performance.now() - releasedAt;
    assert.ok(after < leaseMs + 1500, `served ${Math.round(after)} ms after the release`);
    t.diagnostic(`lease ${leaseMs} ms: the next waiter was served ${Math.round(after)} ms after the release`);
    assert.equal(await next.exited, 0);
    assert.deepEqual(await redis.raw.lRange(`check:${key}:order`, 0, -1), ["next"]);
    assert.deepEqual(await keysOf(redis.raw, key), []);
  });
});
