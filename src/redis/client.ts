/**
 * The small client interface the Redis managers need, and the shared pieces built on it: the
 * script runner (EVALSHA, loading the script again after a restart) and the per-client
 * subscription hub (one subscriber connection per client, opened while someone waits).
 *
 * @module
 */

/**
 * A subscriber connection: pub/sub needs a connection of its own. Messages are delivered to the
 * `onMessage` given to {@link RedisClient.subscriber} when it was opened.
 *
 * @example
 * ```ts
 * const subscriber: RedisSubscriber = await client.subscriber((channel: string, message: string) => log(`${channel}: ${message}`));
 * await subscriber.subscribe("jobs:wake");
 * await subscriber.close();
 * ```
 */
export interface RedisSubscriber {
  /** SUBSCRIBE: resolves once Redis confirmed it. */
  subscribe(channel: string): Promise<unknown>;
  /** UNSUBSCRIBE. */
  unsubscribe(channel: string): Promise<unknown>;
  /** Closes the connection. */
  close(): Promise<unknown>;
}

/**
 * What `RedisLock` and `RedisSemaphore` need from a Redis client: run a cached script and open
 * a subscriber connection. {@link fromNodeRedis} and {@link fromIoredis} make one from the two
 * common clients; any other client can implement these three methods.
 *
 * Every method must reject (not hang forever) when a command fails; a command may wait while
 * the client reconnects, since the leases' own deadlines do not depend on it.
 *
 * @example
 * ```ts
 * const client: RedisClient = fromIoredis(ioredis);
 * ```
 */
export interface RedisClient {
  /** EVALSHA: rejects with an error whose message starts with `NOSCRIPT` when it is not loaded. */
  evalSha(sha: string, keys: readonly string[], args: readonly string[]): Promise<unknown>;
  /** SCRIPT LOAD: resolves to the script's SHA1. */
  scriptLoad(script: string): Promise<string>;
  /** Opens a new subscriber connection that passes every message to `onMessage`. */
  subscriber(onMessage: (channel: string, message: string) => void): Promise<RedisSubscriber>;
}

/** The SHA1 each client's SCRIPT LOAD gave for the script, once asked. */
const shas = new WeakMap<RedisClient, Map<string, Promise<string>>>();

function loadedSha(client: RedisClient, script: string, reload: boolean): Promise<string> {
  let bySource = shas.get(client);
  if (bySource === undefined) {
    bySource = new Map();
    shas.set(client, bySource);
  }
  let sha = bySource.get(script);
  if (sha === undefined || reload) {
    sha = client.scriptLoad(script);
    bySource.set(script, sha);
    // A failed load is not cached: the next call asks again.
    sha.catch(() => bySource.delete(script));
  }
  return sha;
}

/**
 * Runs `script` through EVALSHA, loading it first and again when the server has forgotten it
 * (a restart, SCRIPT FLUSH).
 *
 * @internal
 */
export async function runScript(
  client: RedisClient,
  script: string,
  keys: readonly string[],
  args: readonly string[],
): Promise<unknown> {
  const sha = await loadedSha(client, script, false);
  try {
    return await client.evalSha(sha, keys, args);
  } catch (error) {
    if (!String((error as Error | undefined)?.message).startsWith("NOSCRIPT")) throw error;
    return client.evalSha(await loadedSha(client, script, true), keys, args);
  }
}

type Listener = (message: string) => void;

/**
 * One subscriber connection per client, shared by every waiter of every key: opened on the first
 * subscription, closed when the last one ends, so an idle process keeps no connection open.
 *
 * @internal
 */
export class SubscriptionHub {
  readonly #listeners = new Map<string, Set<Listener>>();
  #connection: Promise<RedisSubscriber> | undefined;
  /** Subscriptions and closes run one after another, in the order asked. */
  #chain: Promise<unknown> = Promise.resolve();

  constructor(private readonly client: RedisClient) {}

  /** Subscribes `listener` to `channel`; resolves once Redis confirmed the subscription. */
  subscribe(channel: string, listener: Listener): Promise<void> {
    let set = this.#listeners.get(channel);
    const first = set === undefined;
    if (set === undefined) {
      set = new Set();
      this.#listeners.set(channel, set);
    }
    set.add(listener);
    const step = this.#queue(async () => {
      if (first) {
        const subscriber = await this.#open();
        await subscriber.subscribe(channel);
      }
    });
    // A subscription that failed leaves no listener behind.
    step.catch(() => this.unsubscribe(channel, listener));
    return step;
  }

  /** Removes `listener`; the channel is unsubscribed, and the connection closed, when unused. */
  unsubscribe(channel: string, listener: Listener): void {
    const set = this.#listeners.get(channel);
    if (set === undefined || !set.delete(listener) || set.size > 0) return;
    this.#listeners.delete(channel);
    const step = this.#queue(async () => {
      if (this.#listeners.has(channel) || this.#connection === undefined) return;
      const connection = this.#connection;
      if (this.#listeners.size === 0) {
        this.#connection = undefined;
        await (await connection).close();
      } else {
        await (await connection).unsubscribe(channel);
      }
    });
    // Unsubscribing is tidying up: a failure (the server is gone) changes nothing for anyone.
    step.catch(() => {});
  }

  /** Resolves once every subscription change asked so far is done (the connection closed, if unused). */
  settled(): Promise<void> {
    return this.#chain.then(() => {});
  }

  #queue(step: () => Promise<void>): Promise<void> {
    const next = this.#chain.then(step);
    this.#chain = next.catch(() => {});
    return next;
  }

  #open(): Promise<RedisSubscriber> {
    if (this.#connection === undefined) {
      const connection = this.client.subscriber((channel, message) => {
        const set = this.#listeners.get(channel);
        if (set !== undefined) for (const listener of [...set]) listener(message);
      });
      this.#connection = connection;
      connection.catch(() => {
        if (this.#connection === connection) this.#connection = undefined;
      });
    }
    return this.#connection;
  }
}

const hubs = new WeakMap<RedisClient, SubscriptionHub>();

/** @internal The client's subscription hub. */
export function hubOf(client: RedisClient): SubscriptionHub {
  let hub = hubs.get(client);
  if (hub === undefined) {
    hub = new SubscriptionHub(client);
    hubs.set(client, hub);
  }
  return hub;
}
