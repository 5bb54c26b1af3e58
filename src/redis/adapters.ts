/**
 * Adapters from the two common Node clients to {@link RedisClient}. They are typed by the few
 * methods they call, so this package imports neither client (both are optional peers).
 *
 * @module
 */

import type { RedisClient, RedisSubscriber } from "./client.js";

/**
 * The part of a node-redis v5 client (`createClient()`) the adapter uses.
 *
 * @example
 * ```ts
 * import { createClient } from "redis";
 * const redis: NodeRedisLike = await createClient({ url }).connect();
 * ```
 */
export interface NodeRedisLike {
  /** EVALSHA with its keys and arguments. */
  evalSha(sha: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
  /** SCRIPT LOAD, resolving to the SHA1. */
  scriptLoad(script: string): Promise<string>;
  /** A new, not yet connected client with the same options. */
  duplicate(): NodeRedisSubscriberLike;
}

/**
 * The part of a duplicated node-redis v5 client used for pub/sub.
 *
 * @example
 * ```ts
 * const subscriber: NodeRedisSubscriberLike = nodeRedis.duplicate();
 * ```
 */
export interface NodeRedisSubscriberLike {
  /** Connects the duplicate. */
  connect(): Promise<unknown>;
  /** Listens for connection errors (the client retries by itself). */
  on(event: "error", listener: (error: unknown) => void): unknown;
  /** SUBSCRIBE, with the listener for the channel's messages. */
  subscribe(channel: string, listener: (message: string, channel: string) => void): Promise<unknown>;
  /** UNSUBSCRIBE. */
  unsubscribe(channel: string): Promise<unknown>;
  /** Closes the connection. */
  close(): Promise<unknown>;
  /** Lets the socket keep the process alive again. */
  ref?(): void;
  /** Lets the process exit while the socket is open. */
  unref?(): void;
}

/**
 * A {@link RedisClient} over a connected node-redis v5 client. Pub/sub runs on a duplicate of
 * the client, opened while some waiter needs it and closed afterwards.
 *
 * @example
 * ```ts
 * import { createClient } from "redis";
 * const redis = await createClient({ url }).connect();
 * const lock = new RedisLock(fromNodeRedis(redis), "jobs:migrate");
 * ```
 */
export function fromNodeRedis(client: NodeRedisLike): RedisClient {
  return {
    evalSha: (sha, keys, args) => client.evalSha(sha, { keys: [...keys], arguments: [...args] }),
    scriptLoad: (script) => client.scriptLoad(script),
    async subscriber(onMessage): Promise<RedisSubscriber> {
      const connection = client.duplicate();
      // Errors while reconnecting are the client's to retry; an unhandled 'error' would crash.
      connection.on("error", () => {});
      await connection.connect();
      return {
        subscribe: (channel) => connection.subscribe(channel, (message) => onMessage(channel, message)),
        unsubscribe: (channel) => connection.unsubscribe(channel),
        close: () => connection.close(),
        ref: () => connection.ref?.(),
        unref: () => connection.unref?.(),
      };
    },
  };
}

/**
 * The part of an ioredis client (`new Redis()`) the adapter uses.
 *
 * @example
 * ```ts
 * import { Redis } from "ioredis";
 * const redis: IoredisLike = new Redis(url);
 * ```
 */
export interface IoredisLike {
  /** EVALSHA: the SHA1, the number of keys, then the keys and the arguments. */
  evalsha(sha: string, numKeys: number, ...keysAndArgs: string[]): Promise<unknown>;
  /** SCRIPT LOAD, resolving to the SHA1. */
  script(subcommand: "LOAD", script: string): Promise<unknown>;
  /** A new client with the same options. */
  duplicate(): IoredisSubscriberLike;
}

/**
 * The part of a duplicated ioredis client used for pub/sub.
 *
 * @example
 * ```ts
 * const subscriber: IoredisSubscriberLike = ioredis.duplicate();
 * ```
 */
export interface IoredisSubscriberLike {
  /** Listens for the messages of every subscribed channel. */
  on(event: "message", listener: (channel: string, message: string) => void): unknown;
  /** Listens for connection errors (the client retries by itself). */
  on(event: "error", listener: (error: unknown) => void): unknown;
  /** SUBSCRIBE. */
  subscribe(channel: string): Promise<unknown>;
  /** UNSUBSCRIBE. */
  unsubscribe(channel: string): Promise<unknown>;
  /** Closes the connection once pending replies arrived. */
  quit(): Promise<unknown>;
  /** The current socket, once connected. */
  readonly stream?: { ref?(): unknown; unref?(): unknown };
}

/**
 * A {@link RedisClient} over an ioredis client. Pub/sub runs on a duplicate of the client,
 * opened while some waiter needs it and closed afterwards.
 *
 * @example
 * ```ts
 * import { Redis } from "ioredis";
 * const semaphore = new RedisSemaphore(fromIoredis(new Redis(url)), "payments", 10);
 * ```
 */
export function fromIoredis(client: IoredisLike): RedisClient {
  return {
    evalSha: (sha, keys, args) => client.evalsha(sha, keys.length, ...keys, ...args),
    scriptLoad: async (script) => String(await client.script("LOAD", script)),
    async subscriber(onMessage): Promise<RedisSubscriber> {
      const connection = client.duplicate();
      connection.on("error", () => {});
      connection.on("message", onMessage);
      return {
        subscribe: (channel) => connection.subscribe(channel),
        unsubscribe: (channel) => connection.unsubscribe(channel),
        close: () => connection.quit(),
        ref: () => connection.stream?.ref?.(),
        unref: () => connection.stream?.unref?.(),
      };
    },
  };
}
