/**
 * A resource pool: the `async with pool.acquire() as conn` of asyncpg and aiohttp.
 *
 * Slots are the unit of accounting: a slot is taken before `create` starts and given back only
 * once the resource is gone (its `create` failed or its `destroy` settled), so no failure of a
 * callback can leak one. Resources go straight from a returning borrower to the longest waiting
 * caller, as permits do in the locks (strict FIFO).
 *
 * @module
 */

import { chainErrorContext, RuntimeError } from "../errors.js";
import { type AsyncContextManager, asyncDisposeSymbol, type ExcInfo } from "../protocol.js";
import { withCurrentSignal } from "./ambient.js";
import { checkTimeout, refusal, WaiterQueue, type WaitOptions } from "./waiters.js";

/**
 * The callbacks and limits of a {@link Pool}.
 *
 * @example
 * ```ts
 * const options: PoolOptions<Client> = {
 *   create: () => Client.connect(url),
 *   destroy: (client) => client.end(),
 *   validate: (client) => client.isHealthy(),
 *   isFatal: (error) => error instanceof ConnectionLostError,
 *   max: 10,
 *   idleTimeoutMs: 30_000,
 * };
 * ```
 */
export interface PoolOptions<T> {
  /** Makes a new resource. A failure is given to the caller the resource was made for. */
  readonly create: () => T | PromiseLike<T>;
  /** Releases a resource for good. Its failure is reported, and the slot is freed anyway. */
  readonly destroy?: ((resource: T) => unknown) | undefined;
  /**
   * Runs when a borrower gives a resource back after a block that did not fail fatally:
   * `false` (or a throw) destroys it instead of keeping it.
   */
  readonly validate?: ((resource: T) => boolean | PromiseLike<boolean>) | undefined;
  /**
   * Whether the error a block threw means its resource is broken: it is then destroyed instead
   * of kept. Without it, no error is fatal by itself (`validate` still runs).
   */
  readonly isFatal?: ((error: unknown, resource: T) => boolean) | undefined;
  /** Resources kept even when idle, made when the pool is entered. Default 0. */
  readonly min?: number | undefined;
  /** The most resources that exist at once, counting those being made. Default 10. */
  readonly max?: number | undefined;
  /** Idle resources beyond `min` are destroyed after this long unused. Default: never. */
  readonly idleTimeoutMs?: number | undefined;
  /**
   * Receives the failures nobody waits for (a `destroy` after idle eviction, a `create` whose
   * caller gave up). Without it they are kept and thrown by `close()`.
   */
  readonly onError?: ((error: unknown) => void) | undefined;
}

interface Idle<T> {
  readonly resource: T;
  readonly since: number;
}

const FRESH = 0;
const ENTERED = 1;
const DONE = 2;

/**
 * The async manager `pool.acquire()` returns: its entry borrows a resource (waiting with the
 * options given to `acquire`), its exit gives it back, or destroys it when the block threw an
 * error `isFatal` accepts or `validate` rejects it. Never suppresses. One use per lease.
 *
 * @example
 * ```ts
 * const rows = await asyncWith(pool.acquire({ signal }), (client) => client.query(sql));
 * ```
 */
export class PoolLease<T> implements AsyncContextManager<T, void> {
  readonly #pool: Pool<T>;
  readonly #options: WaitOptions | undefined;
  #state: typeof FRESH | typeof ENTERED | typeof DONE = FRESH;
  #resource: T | undefined = undefined;

  /** @internal Made by `Pool.acquire`. */
  constructor(pool: Pool<T>, options: WaitOptions | undefined) {
    this.#pool = pool;
    this.#options = options;
  }

  /**
   * Borrows a resource from the pool; the block's value is that resource. An idle resource is
   * handed over synchronously (no promise, no extra tick).
   */
  aenter(): Promise<T> | T {
    if (this.#state !== FRESH) return Promise.reject(new RuntimeError("a PoolLease can be entered only once"));
    this.#state = ENTERED;
    const borrowed = borrow(this.#pool, this.#options);
    if (borrowed instanceof Promise) {
      return borrowed.then((resource) => {
        this.#resource = resource;
        return resource;
      });
    }
    this.#resource = borrowed.resource;
    return borrowed.resource;
  }

  /**
   * Gives the resource back (or destroys it); never suppresses. Synchronous when the resource
   * is simply kept (no `validate`, no fatal error).
   */
  aexit(exc?: ExcInfo): Promise<void> | undefined {
    if (this.#state !== ENTERED) return Promise.reject(new RuntimeError("a PoolLease must be entered before it exits"));
    this.#state = DONE;
    const resource = this.#resource as T;
    this.#resource = undefined;
    return giveBack(this.#pool, resource, exc);
  }
}

// The pool's private operations, for its lease (assigned in the pool's static block).
let borrow: <T>(pool: Pool<T>, options: WaitOptions | undefined) => Promise<T> | Idle<T>;
let giveBack: <T>(pool: Pool<T>, resource: T, exc: ExcInfo | undefined) => Promise<void> | undefined;

function positiveInteger(value: unknown, name: string, min: number): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min) {
    throw new RangeError(`${name} must be an integer >= ${min}, got ${String(value)}`);
  }
  return value;
}

/**
 * A pool of reusable resources (connections, workers, browser pages) with `min`/`max` sizing,
 * FIFO waiters, idle eviction and an orderly `close()`.
 *
 * The pool is itself an async manager (entering makes the `min` resources, exiting closes it)
 * and an `AsyncDisposable` (`await using pool = new Pool(…)`).
 *
 * @example
 * ```ts
 * await asyncWith(new Pool({ create: connect, destroy: (c) => c.close(), max: 5 }), async (pool) => {
 *   await asyncWith(pool.acquire({ signal, timeoutMs: 1000 }), async (conn) => {
 *     await conn.query("SELECT 1");
 *   });
 * });
 * ```
 */
export class Pool<T> implements AsyncContextManager<Pool<T>, void>, AsyncDisposable {
  readonly #create: () => T | PromiseLike<T>;
  readonly #destroy: ((resource: T) => unknown) | undefined;
  readonly #validate: ((resource: T) => boolean | PromiseLike<boolean>) | undefined;
  readonly #isFatal: ((error: unknown, resource: T) => boolean) | undefined;
  readonly #onError: ((error: unknown) => void) | undefined;
  readonly #min: number;
  readonly #max: number;
  readonly #idleTimeoutMs: number | undefined;

  /** Slots taken: resources idle, borrowed, being made or being destroyed. */
  #size = 0;
  #borrowed = 0;
  #creating = 0;
  /** Slots whose resource is being destroyed. */
  #dying = 0;
  /** Oldest first; borrowing takes the most recently returned (warmest) one. */
  readonly #idle: Idle<T>[] = [];
  readonly #waiters = new WaiterQueue<T | undefined>();
  #timer: ReturnType<typeof setTimeout> | undefined = undefined;
  #closing: Promise<void> | undefined = undefined;
  #drained: (() => void) | undefined = undefined;
  /** Failures nobody waited for, thrown by `close()` when there is no `onError`. */
  readonly #unreported: unknown[] = [];

  static {
    borrow = (pool, options) => pool.#borrow(options);
    giveBack = (pool, resource, exc) => pool.#giveBack(resource, exc);
  }

  constructor(options: PoolOptions<T>) {
    if (typeof options?.create !== "function") throw new TypeError("Pool needs a create function");
    this.#create = options.create;
    this.#destroy = options.destroy;
    this.#validate = options.validate;
    this.#isFatal = options.isFatal;
    this.#onError = options.onError;
    this.#max = positiveInteger(options.max ?? 10, "max", 1);
    this.#min = positiveInteger(options.min ?? 0, "min", 0);
    if (this.#min > this.#max) throw new RangeError(`min (${this.#min}) must not exceed max (${this.#max})`);
    const idle = options.idleTimeoutMs;
    if (idle !== undefined && (checkTimeout(idle) !== undefined || idle === 0)) {
      throw new RangeError(`idleTimeoutMs must be a positive number, got ${String(idle)}`);
    }
    this.#idleTimeoutMs = idle === Infinity ? undefined : idle;
  }

  /** Resources that exist or are being made or destroyed. */
  get size(): number {
    return this.#size;
  }

  /** Idle resources, ready to lend. */
  get available(): number {
    return this.#idle.length;
  }

  /** Resources lent out. */
  get borrowed(): number {
    return this.#borrowed;
  }

  /** Callers waiting for a resource. */
  get pending(): number {
    return this.#waiters.length;
  }

  /** Whether `close()` was called. */
  get closed(): boolean {
    return this.#closing !== undefined;
  }

  /**
   * A lease on one resource, for `asyncWith`: the wait starts when the lease is entered. It
   * rejects with `signal.reason` when `signal` aborts, a `TimeoutError` after `timeoutMs`, the
   * error of `create` when the resource made for it failed, and a `RuntimeError` once the pool
   * is closed.
   *
   * @example
   * ```ts
   * await asyncWith(pool.acquire({ timeoutMs: 500 }), (conn) => conn.query(sql));
   * ```
   */
  acquire(options?: WaitOptions): PoolLease<T> {
    return new PoolLease(this, options);
  }

  /** Makes the `min` resources; the block's value is the pool. */
  async aenter(): Promise<Pool<T>> {
    if (this.#closing !== undefined) throw closedError();
    const wanted = this.#min - this.#size;
    if (wanted <= 0) return this;
    const made = await Promise.allSettled(Array.from({ length: wanted }, () => this.#make()));
    const failures: unknown[] = [];
    for (const outcome of made) {
      if (outcome.status === "fulfilled") {
        this.#offer(outcome.value);
      } else {
        failures.push(outcome.reason);
        this.#freeSlot();
      }
    }
    if (failures.length === 0) return this;
    // The block will not run, so nothing else would close the pool: close it here.
    const failure =
      failures.length === 1 ? failures[0] : new AggregateError(failures, "Pool could not make its min resources");
    try {
      await this.close();
    } catch (closeError) {
      chainErrorContext(closeError, failure);
      throw closeError;
    }
    throw failure;
  }

  /** Closes the pool; never suppresses. */
  aexit(): Promise<void> {
    return this.close();
  }

  /** Closes the pool (`await using`). */
  [asyncDisposeSymbol](): Promise<void> {
    return this.close();
  }

  /**
   * Stops lending: later and queued acquires fail with `RuntimeError('Pool is closed')`; idle
   * resources are destroyed now, borrowed ones when they come back, and the promise settles
   * once every resource is gone. It rejects with the failures of `destroy` (and the unreported
   * ones, without `onError`): the error itself when there is one, an `AggregateError` when
   * there are several. Calling it again returns the same promise.
   *
   * @example
   * ```ts
   * await pool.close();
   * ```
   */
  close(): Promise<void> {
    this.#closing ??= this.#shutDown();
    return this.#closing;
  }

  async #shutDown(): Promise<void> {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    while (this.#waiters.rejectFirst(closedError()));
    const idle = this.#idle.splice(0);
    const failures: unknown[] = [];
    await Promise.all(
      idle.map(({ resource }) =>
        this.#discard(resource, false).catch((error: unknown) => {
          failures.push(error);
        }),
      ),
    );
    if (this.#size > 0) {
      await new Promise<void>((resolve) => {
        this.#drained = resolve;
      });
    }
    failures.push(...this.#unreported.splice(0));
    if (failures.length === 1) throw failures[0];
    if (failures.length > 1) throw new AggregateError(failures, "Pool had errors while closing");
  }

  /** An idle entry (taken synchronously) or the promise of a resource. */
  #borrow(options: WaitOptions | undefined): Promise<T> | Idle<T> {
    if (this.#closing !== undefined) return Promise.reject(closedError());
    options = withCurrentSignal(options);
    const refused = refusal(options);
    if (refused !== undefined) return Promise.reject(refused.reason);
    // Invariant: idle resources and queued waiters never coexist (returns go to waiters first).
    const warm = this.#idle.pop();
    if (warm !== undefined) {
      this.#borrowed++;
      if (this.#idle.length === 0) this.#stopEviction();
      return warm;
    }
    const waiting = this.#waiters.wait(options, undefined, "Pool acquire", (resource) => {
      // Granted, but the caller gave up before it resumed: the resource goes to the next one.
      this.#borrowed--;
      this.#offer(resource as T);
    }) as Promise<T>;
    this.#grow();
    return waiting;
  }

  #giveBack(resource: T, exc: ExcInfo | undefined): Promise<void> | undefined {
    this.#borrowed--;
    if (this.#validate === undefined && (exc === undefined || this.#isFatal === undefined)) {
      this.#offer(resource);
      return undefined;
    }
    return this.#judge(resource, exc);
  }

  /** Keeps or destroys a returned resource, as `isFatal` and `validate` say. */
  async #judge(resource: T, exc: ExcInfo | undefined): Promise<void> {
    let keep = true;
    try {
      if (exc !== undefined && this.#isFatal?.(exc.error, resource) === true) keep = false;
      else if (this.#validate !== undefined) keep = (await this.#validate(resource)) === true;
    } catch (policyError) {
      // A failing policy callback counts as "broken": destroy, then report it.
      await this.#discard(resource, false).catch((destroyError: unknown) => {
        chainErrorContext(destroyError, policyError);
        throw destroyError;
      });
      throw policyError;
    }
    if (keep) this.#offer(resource);
    else await this.#discard(resource, false);
  }

  /** Starts making resources for queued waiters while there is room (one per waiter). */
  #grow(): void {
    while (this.#size < this.#max && this.#creating < this.#waiters.length && this.#closing === undefined) {
      this.#make().then(
        (resource) => this.#offer(resource),
        (error: unknown) => {
          // The failure belongs to the longest waiting caller; with none left, it is reported.
          if (!this.#waiters.rejectFirst(error)) this.#report(error);
          this.#freeSlot();
        },
      );
    }
  }

  /** Takes a slot and makes a resource; on failure the caller frees the slot, once the error is placed. */
  async #make(): Promise<T> {
    this.#size++;
    this.#creating++;
    try {
      return await this.#create();
    } finally {
      this.#creating--;
    }
  }

  /** A healthy resource whose slot is kept: to the first waiter, else idle (or gone if closed). */
  #offer(resource: T): void {
    if (this.#closing !== undefined) {
      void this.#discard(resource, true);
      return;
    }
    if (this.#waiters.grantFirstWith(resource)) {
      this.#borrowed++;
      return;
    }
    this.#keep(resource);
  }

  #keep(resource: T): void {
    this.#idle.push({ resource, since: performance.now() });
    if (this.#timer === undefined && this.#idleTimeoutMs !== undefined && this.#excess() > 0) {
      this.#scheduleEviction();
    }
  }

  /**
   * Destroys a resource; its slot is freed once `destroy` settled, whatever the outcome. A
   * `background` failure is reported (before the slot is freed, so `close()` sees it);
   * otherwise it is thrown to the caller.
   */
  async #discard(resource: T, background: boolean): Promise<void> {
    this.#dying++;
    let failed = false;
    let failure: unknown;
    try {
      if (this.#destroy !== undefined) await this.#destroy(resource);
    } catch (error) {
      failed = true;
      failure = error;
    }
    this.#dying--;
    if (failed && background) this.#report(failure);
    this.#freeSlot();
    if (failed && !background) throw failure;
  }

  /** Gives a slot back: room for a waiter's resource, or the last step of `close()`. */
  #freeSlot(): void {
    this.#size--;
    if (this.#size === 0 && this.#drained !== undefined) {
      const drained = this.#drained;
      this.#drained = undefined;
      drained();
    }
    this.#grow();
  }

  /** Resources beyond `min` that are not already on their way out. */
  #excess(): number {
    return this.#size - this.#dying - this.#min;
  }

  #report(error: unknown): void {
    if (this.#onError !== undefined) this.#onError(error);
    else this.#unreported.push(error);
  }

  #scheduleEviction(): void {
    const oldest = this.#idle[0];
    if (oldest === undefined || this.#idleTimeoutMs === undefined) return;
    const due = Math.max(0, oldest.since + this.#idleTimeoutMs - performance.now());
    const timer = setTimeout(() => this.#evict(), due);
    // Never keep a process alive just to evict idle resources.
    (timer as { unref?: () => void }).unref?.();
    this.#timer = timer;
  }

  #stopEviction(): void {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
  }

  #evict(): void {
    this.#timer = undefined;
    const limit = this.#idleTimeoutMs as number;
    const now = performance.now();
    while (this.#excess() > 0) {
      const oldest = this.#idle[0];
      if (oldest === undefined || now - oldest.since < limit) break;
      this.#idle.shift();
      void this.#discard(oldest.resource, true);
    }
    if (this.#excess() > 0) this.#scheduleEviction();
  }
}

function closedError(): RuntimeError {
  return new RuntimeError("Pool is closed");
}
