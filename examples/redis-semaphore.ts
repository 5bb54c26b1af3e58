// Two processes share one `RedisSemaphore` of 2 permits: "at most two calls to the payment API
// across all replicas". This process starts a private redis-server (persistence off) and a
// second process running this same file; each runs three jobs, and across both processes never
// more than two run at once. One process uses node-redis, the other ioredis.
//
// Run: npx tsx examples/redis-semaphore.ts   (needs redis-server on PATH, or REDIS_URL)
// In your project, import from "contextlib-ts" and "contextlib-ts/redis".
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { Redis } from "ioredis";
import { createClient } from "redis";
import { asyncWith } from "../src/index.js";
import { fromIoredis, fromNodeRedis, type RedisClient, RedisSemaphore } from "../src/redis/index.js";

const KEY = "example:payments";

/** The two counter commands the jobs use to check the limit, from either client. */
interface Counter {
  incr(key: string): Promise<number>;
  decr(key: string): Promise<number>;
}

/** One process's share of the work: three jobs at once, each holding a permit while it "calls the API". */
async function jobs(name: string, client: RedisClient, counter: Counter): Promise<void> {
  const payments = new RedisSemaphore(client, KEY, 2, { leaseMs: 5_000 });
  await Promise.all(
    [1, 2, 3].map((job) =>
      asyncWith(payments.hold({ timeoutMs: 10_000 }), async (hold) => {
        // How many jobs run now, across both processes; the highest count ever seen is kept.
        const inside = await counter.incr(`${KEY}:check:inside`);
        await counter.incr(`${KEY}:check:seen:${inside}`);
        // The real call would take hold.signal (it aborts if the lease is lost) and hold.token.
        await sleep(100, undefined, { signal: hold.signal });
        await counter.decr(`${KEY}:check:inside`);
        console.log(`  ${name}: job ${job} done`);
      }),
    ),
  );
}

if (process.argv[2] === "second") {
  // The second process, with ioredis.
  const redis = new Redis(process.argv[3] as string);
  await redis.ping();
  console.log("  second: ready");
  await jobs("second", fromIoredis(redis), redis);
  await redis.quit();
} else {
  const server = await startRedis();
  const redis = await createClient({ url: server.url }).connect();
  const second = spawn(process.execPath, ["--import", "tsx", process.argv[1] as string, "second", server.url], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  // Start together: wait for the second process to be connected.
  second.stdout.pipe(process.stdout);
  await new Promise<void>((resolve) => {
    const onData = (chunk: Buffer): void => {
      if (!chunk.toString().includes("ready")) return;
      second.stdout.off("data", onData);
      resolve();
    };
    second.stdout.on("data", onData);
  });
  await jobs("first", fromNodeRedis(redis), { incr: (k) => redis.incr(k), decr: (k) => redis.decr(k) });
  const [code] = (await once(second, "exit")) as [number];
  console.log(`second process exited with ${code}`);
  const seen = (await redis.keys(`${KEY}:check:seen:*`)).map((k) => Number(k.split(":").pop()));
  console.log(`most jobs at once across both processes: ${Math.max(...seen)} (permits: 2)`);
  await redis.del(await redis.keys(`${KEY}:check:*`));
  console.log(`keys left in Redis: ${(await redis.keys("*")).length}`);
  await redis.close();
  await server.stop();
  console.log("redis-server stopped");
}

/** A private redis-server on a free port, persistence off; or the server at REDIS_URL. */
async function startRedis(): Promise<{ url: string; stop(): Promise<void> }> {
  if (process.env.REDIS_URL) return { url: process.env.REDIS_URL, stop: async () => {} };
  const port = await new Promise<number>((resolve) => {
    const probe = createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
  const child: ChildProcess = spawn(
    "redis-server",
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  // Ready once it says so; its log keeps flowing (and is dropped) afterwards.
  await new Promise<void>((resolve) => {
    let out = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes("Ready to accept connections")) resolve();
    });
  });
  return {
    url: `redis://127.0.0.1:${port}`,
    async stop() {
      child.kill("SIGTERM");
      await once(child, "exit");
    },
  };
}
