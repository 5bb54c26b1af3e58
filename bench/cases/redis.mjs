// The Redis managers (contextlib-ts/redis) against redis-semaphore, in one run on one Redis:
//   - round trips: one client acquires and releases an uncontended lock in a loop;
//   - hand-off latency: from the holder's release() call to the grant reaching a waiter that
//     was already queued (another client, as another process would be);
//   - contended throughput: 8 clients take turns on one lock.
// redis-semaphore polls while waiting: measured with its default retry interval (10 ms) and
// with a tight one (1 ms). Self-contained: it starts its own redis-server (persistence off) on
// a free port, or uses REDIS_URL; without either it says so and measures nothing.
//
//   npm run bench -- redis          (bench/run.mjs runs this file after the suite)
//   node bench/cases/redis.mjs      (after `npm run bench` or `npm run build`)
import { execFileSync, spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { Redis } from "ioredis";
import { createClient } from "redis";
import { Mutex } from "redis-semaphore";

const root = fileURLToPath(new URL("../..", import.meta.url));
// The library as bench/build.mjs compiled it for the suite, or else dist/esm.
const built = `${root}.cache/bench/lib/redis/index.js`;
const lib = await import(existsSync(built) ? built : `${root}dist/esm/redis/index.js`);
const log = (message) => process.stderr.write(`[redis] ${message}\n`);

const ROUND_TRIPS = 2000;
const HANDOFFS = 200;
const CONTENDERS = 8;
const CONTENDED_ROUNDS = 40;

function hasRedisServer() {
  try {
    execFileSync("redis-server", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

async function startRedis() {
  if (process.env.REDIS_URL) return { url: process.env.REDIS_URL, stop: async () => {} };
  const port = await new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
  const child = spawn(
    "redis-server",
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
    {
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  // Ready once it says so; its log keeps flowing (and is dropped) afterwards.
  await new Promise((resolve) => {
    let out = "";
    child.stdout.on("data", (chunk) => {
      out += chunk.toString();
      if (out.includes("Ready to accept connections")) resolve();
    });
  });
  return {
    url: `redis://127.0.0.1:${port}`,
    stop: async () => {
      child.kill("SIGKILL");
      await once(child, "exit");
    },
  };
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];

/** `contender(i)` makes a contender with its own connection: `{ acquire, release, cycle }`. */
async function roundTrips(contender) {
  const c = await contender(0);
  for (let i = 0; i < 100; i++) await c.cycle(); // warm-up: scripts loaded, connections hot
  const started = performance.now();
  for (let i = 0; i < ROUND_TRIPS; i++) await c.cycle();
  const seconds = (performance.now() - started) / 1000;
  return ROUND_TRIPS / seconds;
}

async function handoff(contender, isQueued) {
  const a = await contender(0);
  const b = await contender(1);
  const latencies = [];
  for (let i = 0; i < HANDOFFS + 10; i++) {
    const held = await a.acquire();
    let grantedAt = 0;
    const waiting = b.acquire().then((hold) => {
      grantedAt = performance.now();
      return hold;
    });
    await isQueued();
    const releasedAt = performance.now();
    await a.release(held);
    const hold = await waiting;
    if (i >= 10) latencies.push(grantedAt - releasedAt);
    await b.release(hold);
  }
  latencies.sort((x, y) => x - y);
  return { median: percentile(latencies, 0.5), p95: percentile(latencies, 0.95) };
}

async function contended(contender) {
  const all = await Promise.all(Array.from({ length: CONTENDERS }, (_, i) => contender(i)));
  const started = performance.now();
  await Promise.all(
    all.map(async (c) => {
      for (let i = 0; i < CONTENDED_ROUNDS; i++) await c.cycle();
    }),
  );
  return (CONTENDERS * CONTENDED_ROUNDS) / ((performance.now() - started) / 1000);
}

async function main() {
  if (!process.env.REDIS_URL && !hasRedisServer()) {
    log("skipped: redis-server is not on PATH and REDIS_URL is not set");
    return [];
  }
  const server = await startRedis();
  const closers = [];
  const raw = await createClient({ url: server.url }).connect();
  closers.push(() => raw.close());
  const nodeRedis = async () => {
    const c = await createClient({ url: server.url }).connect();
    closers.push(() => c.close());
    return lib.fromNodeRedis(c);
  };
  const ioredis = async () => {
    const c = new Redis(server.url);
    closers.push(() => c.quit());
    return c;
  };
  let n = 0;

  // Ours: every contender has its own client, as separate processes would.
  const ours = (makeClient) => {
    const key = `bench:ours:${n++}`;
    const contender = async () => {
      const lock = new lib.RedisLock(await makeClient(), key, { leaseMs: 10_000 });
      return {
        acquire: () => lock.acquire(),
        release: (hold) => hold.release(),
        cycle: async () => (await lock.acquire()).release(),
      };
    };
    const isQueued = async () => {
      while ((await raw.zCard(`${key}:queue`)) < 1) await sleep(1);
    };
    return { contender, isQueued };
  };
  const theirs = (retryInterval) => {
    const key = `bench:theirs:${n++}`;
    const contender = async () => {
      const client = await ioredis();
      const mutex = () => new Mutex(client, key, { lockTimeout: 10_000, retryInterval, acquireTimeout: 60_000 });
      return {
        acquire: async () => {
          const m = mutex();
          await m.acquire();
          return m;
        },
        release: (m) => m.release(),
        cycle: async () => {
          const m = mutex();
          await m.acquire();
          await m.release();
        },
      };
    };
    // It polls: let the waiter make its first, failed attempt and sleep into its interval.
    const isQueued = () => sleep(Math.max(3, retryInterval / 2));
    return { contender, isQueued };
  };

  const cases = [
    ["contextlib-ts RedisLock (node-redis)", () => ours(nodeRedis)],
    ["contextlib-ts RedisLock (ioredis)", () => ours(async () => lib.fromIoredis(await ioredis()))],
    ["redis-semaphore Mutex, retryInterval 10 ms (default)", () => theirs(10)],
    ["redis-semaphore Mutex, retryInterval 1 ms", () => theirs(1)],
  ];
  const rows = [];
  for (const [name, make] of cases) {
    log(name);
    const perSecond = await roundTrips(make().contender);
    const { contender, isQueued } = make();
    const latency = await handoff(contender, isQueued);
    const contendedPerSecond = await contended(make().contender);
    rows.push({ name, perSecond, latency, contendedPerSecond });
  }
  for (const close of closers) await close();
  await server.stop();
  return rows;
}

export function render(rows) {
  if (rows.length === 0) return "Redis: not measured (no redis-server on PATH and no REDIS_URL).";
  const lines = [
    `| ${"case"} | acquire+release round trips/s | hand-off latency median | p95 | ${CONTENDERS} clients contending: grants/s |`,
    "|---|---:|---:|---:|---:|",
  ];
  for (const r of rows) {
    lines.push(
      `| ${r.name} | ${r.perSecond.toFixed(0)} | ${r.latency.median.toFixed(2)} ms | ${r.latency.p95.toFixed(2)} ms | ${r.contendedPerSecond.toFixed(0)} |`,
    );
  }
  return lines.join("\n");
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(`### Redis (one local redis-server, ${process.version})\n\n${render(await main())}`);
  process.exit(0);
}

export { main };
