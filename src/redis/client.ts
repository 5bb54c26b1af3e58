/**
 * The small client interface the Redis managers need, and the shared pieces built on it: the
 * script runner (EVALSHA, loading the script again after a restart) and the per-client
 * subscription hub (one subscriber connection per client, opened while someone waits).
 *
 * @module
 */

import { startTimer, stopTimer, type Timer } from "../asyncio/timer.js";

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
  /**
   * Optional: lets the connection stop keeping the process alive (Node's `socket.unref()`),
   * while no waiter needs it. Without it, an unused connection delays the process's exit by
   * up to the grace period.
   */
  unref?(): void;
  /** Optional: the undoing of {@link RedisSubscriber.unref}, once a waiter needs it again. */
  ref?(): void;
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
 * How long an unused subscription stays in place, in ms. Under contention a client waits again
 * within a few ms of its last grant: keeping the channel subscribed (and the connection open)
 * for a while spares each wait the connection's opening and a SUBSCRIBE round trip.
 */
export const SUBSCRIPTION_GRACE_MS = 1000;

/**
 * One subscriber connection per client, shared by every waiter of every key: opened on the first
 * subscription; a channel nobody listens to any more stays subscribed for
 * {@link SUBSCRIPTION_GRACE_MS}, and the connection closes once no channel is left, so an idle
 * process keeps no connection open. The grace timer is unref'd and the connection, when the
 * client allows it, too: a process whose work is done still exits at once.
 *
 * @internal
 */
export class SubscriptionHub {
  readonly #listeners = new Map<string, Set<Listener>>();
  /** Channels whose SUBSCRIBE Redis confirmed on the current connection. */
  readonly #subscribed = new Set<string>();
  #connection: Promise<RedisSubscriber> | undefined;
  #graceTimer: Timer | undefined;
  /** Subscriptions and closes run one after another, in the order asked. */
  #chain: Promise<unknown> = Promise.resolve();

  constructor(private readonly client: RedisClient) {}

  /**
   * Whether a message published on `channel` from now on reaches its listeners: its SUBSCRIBE
   * was confirmed and nothing has undone it yet.
   */
  isSubscribed(channel: string): boolean {
    return this.#subscribed.has(channel);
  }

  /** Subscribes `listener` to `channel`; resolves once Redis confirmed the subscription. */
  subscribe(channel: string, listener: Listener): Promise<void> {
    let set = this.#listeners.get(channel);
    if (set === undefined) {
      set = new Set();
      this.#listeners.set(channel, set);
    }
    set.add(listener);
    this.#stopGrace();
    if (this.#subscribed.has(channel)) {
      void this.#connection?.then((connection) => connection.ref?.(), noop);
      return Promise.resolve();
    }
    const step = this.#queue(async () => {
      if (this.#subscribed.has(channel)) return;
      const subscriber = await this.#open();
      subscriber.ref?.();
      await subscriber.subscribe(channel);
      this.#subscribed.add(channel);
    });
    // A subscription that failed leaves no listener behind.
    step.catch(() => this.unsubscribe(channel, listener));
    return step;
  }

  /** Removes `listener`; an unused channel is unsubscribed, and the connection closed, after the grace period. */
  unsubscribe(channel: string, listener: Listener): void {
    const set = this.#listeners.get(channel);
    if (set === undefined || !set.delete(listener) || set.size > 0) return;
    this.#listeners.delete(channel);
    // While others wait on the connection, the channel lingers until they are done too.
    if (this.#listeners.size > 0 || this.#connection === undefined) return;
    void this.#connection.then((connection) => connection.unref?.(), noop);
    this.#stopGrace();
    this.#graceTimer = startTimer(() => this.#tidy(), SUBSCRIPTION_GRACE_MS, true);
  }

  /**
   * Ends the grace period now and resolves once every subscription change asked so far is done
   * (the connection closed, if unused).
   */
  settled(): Promise<void> {
    if (this.#graceTimer !== undefined) {
      this.#stopGrace();
      this.#tidy();
    }
    return this.#chain.then(() => {});
  }

  #stopGrace(): void {
    if (this.#graceTimer !== undefined) stopTimer(this.#graceTimer);
    this.#graceTimer = undefined;
  }

  /** Unsubscribes the channels nobody listens to, and closes the connection when none is left. */
  #tidy(): void {
    this.#graceTimer = undefined;
    const step = this.#queue(async () => {
      const connection = this.#connection;
      if (connection === undefined) return;
      if (this.#listeners.size === 0) {
        this.#connection = undefined;
        this.#subscribed.clear();
        await (await connection).close();
        return;
      }
      for (const channel of [...this.#subscribed]) {
        if (this.#listeners.has(channel)) continue;
        this.#subscribed.delete(channel);
        await (await connection).unsubscribe(channel);
      }
    });
    // Unsubscribing is tidying up: a failure (the server is gone) changes nothing for anyone.
    step.catch(noop);
  }

  #queue(step: () => Promise<void>): Promise<void> {
    const next = this.#chain.then(step);
    this.#chain = next.catch(noop);
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

const noop = (): void => {};

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
