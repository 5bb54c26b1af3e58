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
import { shareIdentity } from "../identity.js";
import { type AsyncContextManager, asyncDisposeSymbol, type ExcInfo } from "../protocol.js";
import { checkFunction, checkInteger, checkOptions, checkTimeoutMs, describeValue } from "../validate.js";
import { refusalInScope, withCurrentSignal } from "./ambient.js";
import { TimeoutError } from "./errors.js";
import { startTimer, stopTimer, type Timer } from "./timer.js";
import { checkWaitOptions, refusal, WaiterQueue, type WaitOptions } from "./waiters.js";

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
  /**
   * Makes a new resource. A failure is given to the caller the resource was made for. Its
   * `signal` aborts when the resource is no longer wanted (every caller it could serve gave up)
   * or the pool closes; a create that ends with that abort is not reported as a failure, and
   * a resource it makes anyway is kept (or destroyed, when the pool is closed).
   */
  readonly create: (signal: AbortSignal) => T | PromiseLike<T>;
  /** Releases a resource for good. Its failure is reported, and the slot is freed anyway. */
  readonly destroy?: ((resource: T) => unknown) | undefined;
  /**
   * Runs when a borrower gives a resource back after a block that did not fail fatally: the
   * resource is kept only when it returns (or resolves to) exactly `true`, as an exit
   * suppresses only on `true`; anything else (`false`, `1`, `"yes"`, `undefined`) or a throw
   * destroys it.
   */
  readonly validate?: ((resource: T) => boolean | PromiseLike<boolean>) | undefined;
  /**
   * Whether the error a block threw means its resource is broken: it is then destroyed instead
   * of kept. Without it, no error is fatal by itself (`validate` still runs).
   */
  readonly isFatal?: ((error: unknown, resource: T) => boolean) | undefined;
  /**
   * Resources kept even when idle, made when the pool is entered. Default 0. Once the pool was
   * entered, a resource destroyed (broken, failed validation) is replaced in the background
   * while fewer than `min` exist.
   */
  readonly min?: number | undefined;
  /** The most resources that exist at once, counting those being made. Default 10. */
  readonly max?: number | undefined;
  /** Idle resources beyond `min` are destroyed after this long unused. Default: never. */
  readonly idleTimeoutMs?: number | undefined;
  /**
   * Receives the failures nobody waits for (a `destroy` after idle eviction, a `create` whose
   * caller gave up). Without it they are kept and thrown by `close()`. When it throws, its own
   * error (with the failure it was given as its {@link errorContext}) is kept and thrown by
   * `close()`.
   */
  readonly onError?: ((error: unknown) => void) | undefined;
}

interface Idle<T> {
  readonly resource: T;
  readonly since: number;
}

const FRESH = 0;
const WAITING = 1;
const HOLDING = 2;
const DONE = 3;

/**
 * Options of {@link Pool.close}: `timeoutMs` and `signal` bound how long the caller waits for
 * the pool to shut down (the shutdown itself goes on).
 *
 * @example
 * ```ts
 * await pool.close({ timeoutMs: 5_000, signal });
 * ```
 */
export interface PoolCloseOptions {
  readonly signal?: AbortSignal | undefined;
  readonly timeoutMs?: number | undefined;
}

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
  #state: typeof FRESH | typeof WAITING | typeof HOLDING | typeof DONE = FRESH;
  #resource: T | undefined = undefined;
  /** Why the entry failed, kept as the `cause` of a mistaken exit's error so it is not lost. */
  #failure: unknown = undefined;

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
    this.#state = WAITING;
    const borrowed = borrow(this.#pool, this.#options);
    if (borrowed instanceof Promise) {
      return borrowed.then(
        (resource) => {
          this.#resource = resource;
          this.#state = HOLDING;
          return resource;
        },
        (error: unknown) => {
          // Nothing was borrowed, so an exit has nothing to give back.
          this.#state = DONE;
          this.#failure = error;
          throw error;
        },
      );
    }
    this.#resource = borrowed.resource;
    this.#state = HOLDING;
    return borrowed.resource;
  }

  /**
   * Gives the resource back (or destroys it); never suppresses. Synchronous when the resource
   * is simply kept (no `validate`, no fatal error). Without a borrowed resource (the lease was
   * never entered, its entry failed or is still waiting, or it already exited) it rejects with
   * a `RuntimeError` and leaves the pool as it was; after a failed entry, that error's `cause`
   * is the entry's failure, so `try { await lease.aenter() } finally { await lease.aexit() }`
   * does not lose it.
   */
  aexit(exc?: ExcInfo): Promise<void> | undefined {
    if (this.#state !== HOLDING) {
      const failure = this.#failure;
      this.#failure = undefined;
      return Promise.reject(
        new RuntimeError(
          "a PoolLease can exit only once, after an entry that borrowed a resource",
          failure === undefined ? undefined : { cause: failure },
        ),
      );
    }
    this.#state = DONE;
    const resource = this.#resource as T;
    this.#resource = undefined;
    return giveBack(this.#pool, resource, exc);
  }
}

/**
 * A lease kept alive for the life of the module, so that the class's hidden class is too (see
 * `shapeKeeper` in waiters.ts: otherwise a full collection deoptimizes the borrowing path).
 *
 * @internal
 */
export const leaseShapeKeeper: PoolLease<unknown> = new PoolLease<unknown>(undefined as never, undefined);

// The pool's private operations, for its lease (assigned in the pool's static block).
let borrow: <T>(pool: Pool<T>, options: WaitOptions | undefined) => Promise<T> | Idle<T>;
let giveBack: <T>(pool: Pool<T>, resource: T, exc: ExcInfo | undefined) => Promise<void> | undefined;

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
  readonly #create: (signal: AbortSignal) => T | PromiseLike<T>;
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
  /** Slots whose resource is being destroyed. */
  #dying = 0;
  /** Oldest first; borrowing takes the most recently returned (warmest) one. */
  readonly #idle: Idle<T>[] = [];
  readonly #waiters = new WaiterQueue<T | undefined>(() => this.#trimCreates());
  /** Every create in progress, with the controller of the signal it was given. */
  readonly #making = new Set<AbortController>();
  /** The creates started for queued callers and still wanted, oldest first. */
  readonly #forWaiters: AbortController[] = [];
  /** Whether the `min` resources were made (the pool was entered): then it refills to `min`. */
  #started = false;
  #timer: Timer | undefined = undefined;
  #closing: Promise<void> | undefined = undefined;
  /** Set before the shutdown starts, since its first steps run before `#closing` is assigned. */
  #closed = false;
  #drained: (() => void) | undefined = undefined;
  /** Failures nobody waited for, thrown by `close()` when there is no `onError`. */
  readonly #unreported: unknown[] = [];

  static {
    borrow = (pool, options) => pool.#borrow(options);
    giveBack = (pool, resource, exc) => pool.#giveBack(resource, exc);
  }

  /**
   * Checks every option first (library-wide rule): options that are not an object, a
   * `create` that is not a function, or a `destroy`/`validate`/`isFatal`/`onError` that is
   * neither a function nor `undefined` are a `TypeError`; `min`/`max` that are not integers
   * (`max >= 1`, `0 <= min <= max`) and an `idleTimeoutMs` that is not a positive number are
   * a `RangeError` (a `TypeError` when not a number at all).
   */
  constructor(options: PoolOptions<T>) {
    if (checkOptions(options) === undefined) throw new TypeError("Pool needs an options object, got undefined");
    if (typeof options.create !== "function") {
      throw new TypeError(`create must be a function, got ${describeValue(options.create)}`);
    }
    this.#create = options.create;
    this.#destroy = checkFunction(options.destroy, "destroy");
    this.#validate = checkFunction(options.validate, "validate");
    this.#isFatal = checkFunction(options.isFatal, "isFatal");
    this.#onError = checkFunction(options.onError, "onError");
    // Only `undefined` means "the default": `null` is a mistake like any other non-number.
    this.#max = options.max === undefined ? 10 : checkInteger(options.max, "max", 1);
    this.#min = options.min === undefined ? 0 : checkInteger(options.min, "min", 0);
    if (this.#min > this.#max) throw new RangeError(`min (${this.#min}) must not exceed max (${this.#max})`);
    const idle = checkTimeoutMs(options.idleTimeoutMs, "idleTimeoutMs");
    if (idle === 0) throw new RangeError("idleTimeoutMs must be a positive number of milliseconds, got 0");
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
    return this.#closed;
  }

  /**
   * A lease on one resource, for `asyncWith`: the wait starts when the lease is entered. It
   * rejects with `signal.reason` when `signal` aborts, a `TimeoutError` after `timeoutMs`, the
   * error of `create` when the resource made for it failed, and a `RuntimeError` once the pool
   * is closed. Malformed options are refused here, before any wait: a `TypeError` (or a
   * `RangeError` for a negative `timeoutMs`) thrown by `acquire` itself.
   *
   * @example
   * ```ts
   * await asyncWith(pool.acquire({ timeoutMs: 500 }), (conn) => conn.query(sql));
   * ```
   */
  acquire(options?: WaitOptions): PoolLease<T> {
    checkWaitOptions(options);
    return new PoolLease(this, options);
  }

  /** Makes the `min` resources; the block's value is the pool. */
  async aenter(): Promise<Pool<T>> {
    if (this.#closed) throw closedError();
    this.#started = true;
    const wanted = this.#min - this.#size;
    if (wanted <= 0) return this;
    const made = await Promise.allSettled(Array.from({ length: wanted }, () => this.#make(undefined)));
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
   * there are several. Calling it again returns the same promise (without options).
   *
   * Creates in progress are told to stop (their signal aborts). A borrower that never gives
   * its resource back, or a create that never settles, would make the wait endless:
   * `timeoutMs` and `signal` bound it. When the bound is reached first, this call rejects
   * with a `TimeoutError` (or `signal.reason`) while the shutdown goes on; a later `close()`
   * without options gives its outcome.
   *
   * @example
   * ```ts
   * await pool.close();
   * await pool.close({ timeoutMs: 5000 }); // TimeoutError if resources are still out after 5 s
   * ```
   */
  close(options?: PoolCloseOptions): Promise<void> {
    const refused = refusal(options);
    if (refused !== undefined) return Promise.reject(refused.reason);
    if (this.#closing === undefined) {
      this.#closed = true;
      this.#closing = this.#shutDown();
      // Whoever gave up waiting on it, its failures stay available to a later `close()`.
      this.#closing.catch(() => {});
    }
    if (options === undefined || (options.signal === undefined && options.timeoutMs === undefined)) {
      return this.#closing;
    }
    return bounded(this.#closing, options);
  }

  async #shutDown(): Promise<void> {
    this.#stopEviction();
    while (this.#waiters.rejectFirst(closedError()));
    for (const controller of this.#making) controller.abort();
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
    if (this.#closed) return Promise.reject(closedError());
    // Given no signal, the current scope's abort refuses too; its signal is asked for only
    // when the borrow must wait (a scope's signal is made on first use).
    const refused = refusalInScope(options);
    if (refused !== undefined) return Promise.reject(refused.reason);
    // Invariant: idle resources and queued waiters never coexist (returns go to waiters first).
    const warm = this.#idle.pop();
    if (warm !== undefined) {
      this.#borrowed++;
      if (this.#idle.length === 0) this.#stopEviction();
      return warm;
    }
    options = withCurrentSignal(options);
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

  /**
   * Starts making resources for queued waiters while there is room, one per waiter. Creates
   * that nobody wants any more (see `#trimCreates`, `#offer`) do not count: a create that never
   * settles holds its slot, but the free slots still serve later callers.
   */
  #grow(): void {
    while (this.#size < this.#max && this.#forWaiters.length < this.#waiters.length && !this.#closed) {
      const controller = new AbortController();
      this.#forWaiters.push(controller);
      this.#make(controller).then(
        (resource) => {
          this.#offer(resource, controller);
          // Still listed when an older create was the one the served caller gave up on: the
          // next caller then has no create of its own, and gets one below.
          this.#unwant(controller);
          this.#grow();
        },
        (error: unknown) => {
          this.#unwant(controller);
          if (controller.signal.aborted) {
            // Nobody wanted it any more (the queued callers have creates of their own): its
            // abort is no failure, and anything else is reported, not given to a caller.
            if (!isOwnAbort(controller, error)) this.#report(error);
          } else if (!this.#waiters.rejectFirst(error)) {
            // The failure belongs to the longest waiting caller; with none left, it is reported.
            this.#report(error);
          }
          this.#freeSlot();
        },
      );
    }
  }

  /**
   * When callers gave up, the oldest creates made for them are no longer wanted: abort them.
   * The oldest, since the longest waiting caller is the one most likely gone (and its create,
   * the one most likely stuck): a remaining caller must never inherit a create that may never
   * settle while there is room to make one for it.
   */
  #trimCreates(): void {
    while (this.#forWaiters.length > this.#waiters.length) {
      (this.#forWaiters.shift() as AbortController).abort();
    }
  }

  #unwant(controller: AbortController): void {
    const index = this.#forWaiters.indexOf(controller);
    if (index !== -1) this.#forWaiters.splice(index, 1);
  }

  /**
   * Takes a slot and makes a resource, giving `create` the signal of `controller` (a new one
   * when none is given); on failure the caller frees the slot, once the error is placed.
   */
  async #make(controller: AbortController | undefined): Promise<T> {
    this.#size++;
    controller ??= new AbortController();
    this.#making.add(controller);
    try {
      return await this.#create(controller.signal);
    } finally {
      this.#making.delete(controller);
    }
  }

  /** Makes resources in the background until `min` exist again (after some were destroyed). */
  #refill(): void {
    if (!this.#started || this.#closed) return;
    while (this.#size < this.#min) {
      const controller = new AbortController();
      this.#make(controller).then(
        (resource) => this.#offer(resource),
        (error: unknown) => {
          if (!isOwnAbort(controller, error)) this.#report(error);
          // Not `#freeSlot`'s refill: a create that keeps failing must not loop.
          this.#releaseSlot();
          this.#grow();
        },
      );
    }
  }

  /**
   * A healthy resource whose slot is kept: to the first waiter, else idle (or gone if closed).
   * `madeBy` is the create that made it, when that create was started for waiters.
   */
  #offer(resource: T, madeBy?: AbortController): void {
    if (this.#closed) {
      void this.#discard(resource, true);
      return;
    }
    if (this.#waiters.grantFirstWith(resource)) {
      this.#borrowed++;
      // Creates for waiters are matched to them in order: the oldest one was started for the
      // caller just served (or inherited by it), so nobody waits for it any more. Left in the
      // list it would pass to the next caller, which a create that never settles would starve
      // while slots are free; aborted, the next caller gets a create of its own (`#grow`).
      const oldest = this.#forWaiters.shift();
      if (oldest !== undefined && oldest !== madeBy) oldest.abort();
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
    this.#releaseSlot();
    this.#refill();
    this.#grow();
    if (failed && !background) throw failure;
  }

  /** Gives a slot back: room for a waiter's resource, or the last step of `close()`. */
  #freeSlot(): void {
    this.#releaseSlot();
    this.#grow();
  }

  #releaseSlot(): void {
    this.#size--;
    if (this.#size === 0 && this.#drained !== undefined) {
      const drained = this.#drained;
      this.#drained = undefined;
      drained();
    }
  }

  /** Resources beyond `min` that are not already on their way out. */
  #excess(): number {
    return this.#size - this.#dying - this.#min;
  }

  /** Hands a failure nobody waits for to `onError`, or keeps it for `close()`; never throws. */
  #report(error: unknown): void {
    if (this.#onError === undefined) {
      this.#unreported.push(error);
      return;
    }
    try {
      this.#onError(error);
    } catch (handlerError) {
      // The handler's own failure is not lost either: `close()` throws it, the failure it
      // was handling recorded as its context.
      chainErrorContext(handlerError, error);
      this.#unreported.push(handlerError);
    }
  }

  #scheduleEviction(): void {
    const oldest = this.#idle[0];
    if (oldest === undefined || this.#idleTimeoutMs === undefined) return;
    const due = Math.max(0, oldest.since + this.#idleTimeoutMs - performance.now());
    // Never keep a process alive just to evict idle resources (unref).
    this.#timer = startTimer(() => this.#evict(), due, true);
  }

  #stopEviction(): void {
    if (this.#timer !== undefined) {
      stopTimer(this.#timer);
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

/** Whether `error` is how a create ended after the pool aborted its signal. */
function isOwnAbort(controller: AbortController, error: unknown): boolean {
  if (!controller.signal.aborted) return false;
  return error === controller.signal.reason || (error instanceof Error && error.name === "AbortError");
}

/** `shutdown`, or a `TimeoutError` / `signal.reason` when the bound comes first; no timer left behind. */
function bounded(shutdown: Promise<void>, { signal, timeoutMs }: PoolCloseOptions): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let timer: Timer | undefined;
    const onAbort = () => {
      finish();
      reject((signal as AbortSignal).reason);
    };
    const finish = () => {
      if (timer !== undefined) stopTimer(timer);
      signal?.removeEventListener("abort", onAbort);
    };
    if (timeoutMs !== undefined) {
      timer = startTimer(() => {
        timer = undefined;
        finish();
        reject(new TimeoutError(`Pool close timed out after ${timeoutMs} ms`));
      }, timeoutMs);
    }
    signal?.addEventListener("abort", onAbort);
    shutdown.then(
      () => {
        finish();
        resolve();
      },
      (error: unknown) => {
        finish();
        reject(error);
      },
    );
  });
}

// `instanceof` holds across the ESM and CJS copies of the library (src/identity.ts).
shareIdentity({ Pool, PoolLease });
