// A separate Node process for processes.test.ts: it competes for a Redis lock or semaphore and
// reports to the parent on stdout, one JSON line per event. processes.test.ts bundles it and
// runs it as `node worker.mjs '<json options>'`.
import { Redis } from "ioredis";
import { createClient } from "redis";
import { asyncWith } from "../../src/index.js";
import { fromIoredis, fromNodeRedis, type RedisClient, RedisLock, RedisSemaphore } from "../../src/redis/index.js";

interface Options {
  url: string;
  key: string;
  permits: number;
  leaseMs: number;
  client: "node-redis" | "ioredis";
  mode: "compete" | "hold-forever" | "wait-once";
  rounds?: number;
  seed?: number;
  /** wait-once: the name it records when granted. */
  name?: string;
}

const options = JSON.parse(process.argv[2] as string) as Options;
const report = (event: Record<string, unknown>): void => void process.stdout.write(`${JSON.stringify(event)}\n`);

// A small deterministic generator, so that a failing run can be replayed from its seed.
let state = (options.seed ?? 1) >>> 0 || 1;
const random = (): number => {
  state ^= state << 13;
  state ^= state >>> 17;
  state ^= state << 5;
  return (state >>> 0) / 2 ** 32;
};
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

let client: RedisClient;
let raw: {
  incr(k: string): Promise<number>;
  decr(k: string): Promise<number>;
  rpush(k: string, v: string): Promise<unknown>;
};
let close: () => Promise<unknown>;
if (options.client === "ioredis") {
  const io = new Redis(options.url);
  client = fromIoredis(io);
  raw = { incr: (k) => io.incr(k), decr: (k) => io.decr(k), rpush: (k, v) => io.rpush(k, v) };
  close = () => io.quit();
} else {
  const nr = await createClient({ url: options.url }).connect();
  client = fromNodeRedis(nr);
  raw = { incr: (k) => nr.incr(k), decr: (k) => nr.decr(k), rpush: (k, v) => nr.rPush(k, v) };
  close = () => nr.close();
}
const manager =
  options.permits === 1
    ? new RedisLock(client, options.key, { leaseMs: options.leaseMs })
    : new RedisSemaphore(client, options.key, options.permits, { leaseMs: options.leaseMs });
// The checks live under their own prefix, so that the lock's keys can be checked for leftovers.
const check = `check:${options.key}`;

if (options.mode === "compete") {
  let held = 0;
  let aborted = 0;
  for (let round = 0; round < (options.rounds ?? 10); round++) {
    // One wait in four is aborted after a random time, often while queued.
    const signal = random() < 0.25 ? AbortSignal.timeout(Math.floor(random() * 30)) : undefined;
    try {
      await asyncWith(manager.hold({ signal }), async (hold) => {
        const inside = await raw.incr(`${check}:inside`);
        if (inside > options.permits) await raw.rpush(`${check}:violations`, `${inside} holders`);
        await raw.rpush(`${check}:tokens`, String(hold.token));
        await sleep(Math.floor(random() * 15));
        await raw.decr(`${check}:inside`);
      });
      held++;
    } catch (error) {
      if (signal?.aborted && error === signal.reason) aborted++;
      else throw error;
    }
  }
  report({ held, aborted });
} else if (options.mode === "hold-forever") {
  const hold = await manager.acquire();
  report({ held: hold.token });
  await new Promise(() => setInterval(() => {}, 1 << 30));
} else {
  report({ waiting: options.name });
  await asyncWith(manager.hold(), async (hold) => {
    await raw.rpush(`${check}:order`, String(options.name));
    report({ granted: options.name, token: hold.token });
  });
}
await close();
