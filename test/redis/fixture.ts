// Shared by the redis tests: one Redis server per test file, clients of both kinds, a client
// wrapper that injects faults, and a look at what a key left behind in Redis.
import { after, before } from "node:test";
import { Redis } from "ioredis";
import { createClient } from "redis";
import { hubOf } from "../../src/redis/client.js";
import { fromIoredis, fromNodeRedis, type RedisClient } from "../../src/redis/index.js";
import { sleep } from "../support/async.js";
import { missingRedis, type RedisServer, startRedis } from "./server.js";

/** Set when the redis tests cannot run on this machine (never in CI: there it throws). */
export const skipReason = missingRedis();

export type NodeRedis = ReturnType<typeof createClient>;

/** The file's server and a raw node-redis client to inspect it; closed after the file. */
export interface Fixture {
  server: RedisServer;
  raw: NodeRedis;
  /** A new wrapped client of the given kind, closed after the file. */
  client(kind?: "node-redis" | "ioredis"): Promise<RedisClient>;
}

export function useRedis(): Fixture {
  const closers: (() => Promise<unknown>)[] = [];
  const clients: RedisClient[] = [];
  const fixture = {} as Fixture;
  before(async () => {
    if (skipReason !== undefined) return;
    fixture.server = await startRedis();
    fixture.raw = await connectNodeRedis(fixture.server.url);
    closers.push(() => fixture.raw.close());
    fixture.client = async (kind = "node-redis") => {
      if (kind === "ioredis") {
        // ioredis keeps a timer (disconnectTimeout, 2 s by default) until a closed socket is
        // gone; short here, so that it is over before the file's handle check.
        const io = new Redis(fixture.server.url, { lazyConnect: true, disconnectTimeout: 50 });
        io.on("error", () => {});
        await io.connect();
        closers.push(() => io.quit());
        const client = fromIoredis(io);
        clients.push(client);
        return client;
      }
      const nr = await connectNodeRedis(fixture.server.url);
      closers.push(() => nr.close());
      const client = fromNodeRedis(nr);
      clients.push(client);
      return client;
    };
  });
  after(async () => {
    // The subscriber connections close in the background once unused: let them finish first.
    for (const client of [...clients, ...FaultyClient.made]) await hubOf(client).settled();
    for (const close of closers.reverse()) await close().catch(() => {});
    await fixture.server?.stop();
    // The clients' own timers for closing connections (and reconnecting, after the restart
    // test) end shortly after their close: let them, before the file's handle check.
    await sleep(300);
  });
  return fixture;
}

export async function connectNodeRedis(url: string): Promise<NodeRedis> {
  // Reconnect quickly after a restart, and never give up while a test runs.
  const client = createClient({ url, socket: { reconnectStrategy: () => 50 } });
  client.on("error", () => {});
  await client.connect();
  return client;
}

/** Every key of Redis whose name starts with `prefix`. */
export async function keysOf(raw: NodeRedis, prefix: string): Promise<string[]> {
  return (await raw.keys(`${prefix}*`)).sort();
}

/**
 * A client whose script calls can be made to fail or hang, by operation ("acquire", "renew",
 * "release"): the faults of a network that drops or pauses.
 */
export class FaultyClient implements RedisClient {
  /** Every one made, so that the fixture can wait for their subscriber connections to close. */
  static readonly made: FaultyClient[] = [];
  /** Operations whose calls never answer, as over a paused network. */
  readonly hang = new Set<string>();
  /** How many of the next calls of each operation reject. */
  readonly failures = new Map<string, number>();
  /** Every operation called, in order. */
  readonly calls: string[] = [];
  /** Replies that replace the server's, by operation (a broken server or client). */
  readonly replies = new Map<string, unknown>();
  /** Operations whose calls answer (or fail) only after this many ms, as over a slow network. */
  readonly delays = new Map<string, number>();
  /** When set, opening a subscriber connection fails with it. */
  subscriberFailure: Error | undefined;
  /** How many subscriber connections were opened. */
  subscribersOpened = 0;

  constructor(private readonly inner: RedisClient) {
    FaultyClient.made.push(this);
  }

  evalSha(sha: string, keys: readonly string[], args: readonly string[]): Promise<unknown> {
    const op = String(args[0]);
    this.calls.push(op);
    const delay = this.delays.get(op);
    if (delay !== undefined) return sleep(delay).then(() => this.#answer(op, sha, keys, args));
    return this.#answer(op, sha, keys, args);
  }

  #answer(op: string, sha: string, keys: readonly string[], args: readonly string[]): Promise<unknown> {
    const failing = this.failures.get(op) ?? 0;
    if (failing > 0) {
      this.failures.set(op, failing - 1);
      return Promise.reject(new Error(`injected failure of ${op}`));
    }
    if (this.hang.has(op)) return new Promise(() => {});
    if (this.replies.has(op)) return Promise.resolve(this.replies.get(op));
    return this.inner.evalSha(sha, keys, args);
  }

  scriptLoad(script: string): Promise<string> {
    return this.inner.scriptLoad(script);
  }

  subscriber(onMessage: (channel: string, message: string) => void) {
    if (this.subscriberFailure !== undefined) return Promise.reject(this.subscriberFailure);
    this.subscribersOpened++;
    return this.inner.subscriber(onMessage);
  }
}

let counter = 0;
/** A key of its own for each test. */
export function freshKey(name: string): string {
  counter++;
  return `test:${process.pid}:${counter}:${name}`;
}
