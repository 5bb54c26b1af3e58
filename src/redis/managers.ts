/**
 * `RedisLock` and `RedisSemaphore`: asyncio's `Lock` and `Semaphore` across processes and
 * machines, each state change one atomic Lua script on a single Redis server (see
 * docs/redis.md for what that guarantees, and what it does not).
 *
 * @module
 */

import { runBlockSymbol } from "../asyncio/ambient.js";
import { checkWaitOptions, type WaitOptions } from "../asyncio/waiters.js";
import { RuntimeError } from "../errors.js";
import type { AsyncContextManager, ExcInfo } from "../protocol.js";
import { checkInteger, checkOptions, describeValue } from "../validate.js";
import type { RedisClient } from "./client.js";
import { type HoldTarget, holdTarget, RedisHold } from "./hold.js";

/**
 * Options of {@link RedisLock} and {@link RedisSemaphore}.
 *
 * @example
 * ```ts
 * new RedisLock(client, "reports:nightly", { leaseMs: 30_000 });
 * ```
 */
export interface RedisLockOptions {
  /**
   * How long a hold lasts without renewal, in ms (default 10 000). A hold renews it every third
   * of that while the block runs; a waiter refreshes its queue entry as often. It bounds how
   * long a crashed holder or waiter keeps others waiting, and how long a pause (GC, network)
   * may be before the lease is lost.
   */
  readonly leaseMs?: number;
}

const DEFAULT_LEASE_MS = 10_000;

function checkKey(key: unknown): string {
  if (typeof key !== "string" || key === "") {
    throw new TypeError(`key must be a non-empty string, got ${describeValue(key)}`);
  }
  return key;
}

function checkClient(client: unknown): RedisClient {
  const c = client as Partial<RedisClient> | null;
  if (
    typeof c !== "object" ||
    c === null ||
    typeof c.evalSha !== "function" ||
    typeof c.scriptLoad !== "function" ||
    typeof c.subscriber !== "function"
  ) {
    throw new TypeError(
      `client must be a RedisClient (wrap the client with fromNodeRedis() or fromIoredis()), got ${describeValue(client)}`,
    );
  }
  return c as RedisClient;
}

function leaseOf(options: RedisLockOptions | undefined): number {
  const leaseMs = checkOptions(options)?.leaseMs;
  // At least 10 ms, so that the drift allowance leaves a positive validity (hold.ts).
  return leaseMs === undefined ? DEFAULT_LEASE_MS : checkInteger(leaseMs, "options.leaseMs", 10);
}

/** What both managers share: holds made on demand, and the direct `asyncWith(manager, …)` use. */
abstract class RedisPrimitive implements AsyncContextManager<RedisHold, void> {
  readonly #target: HoldTarget;
  /** Holds entered through the manager itself, oldest first: `aexit` releases the oldest. */
  readonly #entered: RedisHold[] = [];

  constructor(target: HoldTarget) {
    this.#target = target;
  }

  /** The Redis key the state lives under (`key:holders`, `key:queue`, …). */
  get key(): string {
    return this.#target.key;
  }

  /** The lease length in ms. */
  get leaseMs(): number {
    return this.#target.leaseMs;
  }

  /**
   * An async manager that holds one permit for a block, waiting with `options` (`signal`,
   * `timeoutMs`); the block receives the hold, with its `token` and `signal`.
   *
   * @example
   * ```ts
   * await asyncWith(redisSemaphore.hold({ signal }), async (hold) =>
   *   callPaymentApi({ signal: hold.signal, fencingToken: hold.token }),
   * );
   * ```
   */
  hold(options?: WaitOptions): RedisHold {
    checkWaitOptions(options);
    return new RedisHold(this.#target, options);
  }

  /**
   * Waits for a permit and resolves to the granted hold; release it with `hold.release()`.
   *
   * @example
   * ```ts
   * const hold = await redisLock.acquire({ timeoutMs: 1000 });
   * try { await migrate({ signal: hold.signal, fencingToken: hold.token }); } finally { await hold.release(); }
   * ```
   */
  async acquire(options?: WaitOptions): Promise<RedisHold> {
    checkWaitOptions(options);
    return new RedisHold(this.#target, options).aenter();
  }

  /** Waits for a permit without a deadline; the block receives the hold. */
  async aenter(): Promise<RedisHold> {
    this.checkDirectEntry(this.#entered.length);
    const hold = new RedisHold(this.#target, undefined);
    this.#entered.push(hold);
    try {
      return await hold.aenter();
    } catch (error) {
      this.#entered.splice(this.#entered.indexOf(hold), 1);
      throw error;
    }
  }

  /** Releases the oldest hold entered through the manager itself; never suppresses. */
  /** @internal The block of a direct entry runs under its hold's lease (see {@link RedisHold}). */
  [runBlockSymbol]<R>(block: () => R): R {
    const hold = this.#entered[this.#entered.length - 1];
    return hold === undefined ? block() : hold[runBlockSymbol](block);
  }

  async aexit(exc?: ExcInfo): Promise<void> {
    const index = this.#entered.findIndex((hold) => hold.held || hold.signal.aborted);
    const [hold] = this.#entered.splice(index, 1);
    await (hold as RedisHold).aexit(exc);
  }

  /** @internal Throws when another direct entry may not overlap this one. */
  protected abstract checkDirectEntry(active: number): void;
}

/**
 * A lock shared by every process that uses the same Redis server and `key`: one holder at a
 * time, waiters served first come, first served across processes, woken by Redis pub/sub when
 * it is their turn. Each hold is a lease renewed in the background, with a fencing token.
 *
 * `asyncWith(lock, body)` and `asyncWith(lock.hold({ signal, timeoutMs }), body)` work as with
 * the in-process `Lock`, with the same errors (`TimeoutError`, the signal's reason); the block
 * receives the {@link RedisHold}. Entering the lock itself from several tasks at once is fine:
 * one of them holds it at a time.
 *
 * @example
 * ```ts
 * const lock = new RedisLock(fromNodeRedis(nodeRedis), "migrations");
 * await asyncWith(lock.hold({ timeoutMs: 60_000 }), async (hold) => {
 *   await runMigrations({ fencingToken: hold.token, signal: hold.signal });
 * });
 * ```
 */
export class RedisLock extends RedisPrimitive {
  constructor(client: RedisClient, key: string, options?: RedisLockOptions) {
    super(holdTarget(checkClient(client), checkKey(key), 1, leaseOf(options), "RedisLock acquire"));
  }

  protected checkDirectEntry(): void {}
}

/**
 * A semaphore with `permits` permits shared by every process that uses the same Redis server
 * and `key` (all of them must pass the same `permits`): at most that many holds at once, FIFO
 * across processes, leases and fencing tokens as {@link RedisLock}.
 *
 * Entering the semaphore object itself (`asyncWith(semaphore, body)`) is for one block at a
 * time per object, since its exit cannot tell overlapping blocks apart: for concurrent blocks
 * use `semaphore.hold()`, one hold per block.
 *
 * @example
 * ```ts
 * const payments = new RedisSemaphore(fromIoredis(ioredis), "payments-api", 10);
 * await asyncWith(payments.hold({ signal }), async (hold) =>
 *   callPaymentApi({ signal: hold.signal, fencingToken: hold.token }),
 * );
 * ```
 */
export class RedisSemaphore extends RedisPrimitive {
  readonly permits: number;

  constructor(client: RedisClient, key: string, permits: number, options?: RedisLockOptions) {
    const checked = checkInteger(permits, "permits", 1);
    super(holdTarget(checkClient(client), checkKey(key), checked, leaseOf(options), "RedisSemaphore acquire"));
    this.permits = checked;
  }

  protected checkDirectEntry(active: number): void {
    if (active > 0) {
      throw new RuntimeError("RedisSemaphore is already entered directly: use semaphore.hold() for overlapping blocks");
    }
  }
}
