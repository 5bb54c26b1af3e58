/**
 * asyncio's `Lock`, `Semaphore` and `BoundedSemaphore`, as async context managers
 * (Python's asyncio documentation, "Synchronization Primitives").
 *
 * Cancellation is cooperative: every wait takes `{ signal, timeoutMs }` ({@link WaitOptions}).
 * Permits are handed directly from `release()` to the first queued waiter, so strict FIFO order
 * holds and a new arrival never jumps the queue. The uncontended paths allocate nothing:
 * `acquire()` returns a shared settled promise and `aenter()` returns `undefined` synchronously.
 *
 * @module
 */

import { RuntimeError } from "../errors.js";
import { shareIdentity } from "../identity.js";
import type { AsyncContextManager } from "../protocol.js";
import { checkInteger } from "../validate.js";
import { refusalInScope, withCurrentSignal } from "./ambient.js";
import { acquireHeld, type Held } from "./held.js";
import { checkWaitOptions, RESOLVED_TRUE, WaiterQueue, type WaitOptions } from "./waiters.js";

/**
 * The async manager returned by `hold(options)`: acquires with those options on entry, gives
 * the block `undefined` (Python's `None`), releases on exit and never suppresses. When the wait
 * is aborted the block never runs and nothing is released, as in asyncio.
 *
 * @example
 * ```ts
 * await asyncWith(lock.hold({ signal }), async () => { await write(file) });
 * ```
 */
export class Holding implements AsyncContextManager<undefined, void> {
  readonly #enter: () => Promise<undefined> | undefined;
  readonly #release: () => void;
  /** Entries that acquired and are not exited yet: an exit never releases what this did not acquire. */
  #held = 0;
  /** Why the last entry failed, kept as the `cause` of a mistaken exit's error so it is not lost. */
  #failure: unknown;

  /** @internal Made by `hold()`. */
  constructor(enter: () => Promise<undefined> | undefined, release: () => void) {
    this.#enter = enter;
    this.#release = release;
  }

  /**
   * Acquires with the options given to `hold()`; the block's value is `undefined`. When the wait
   * is aborted or times out it rejects, the block does not run and nothing is released.
   */
  aenter(): Promise<undefined> | undefined {
    const entered = this.#enter();
    if (entered === undefined) {
      this.#held++;
      return undefined;
    }
    // Registered before the caller's own reaction, so the count is right when the caller resumes.
    entered.then(
      () => {
        this.#held++;
      },
      (error: unknown) => {
        this.#failure = error;
      },
    );
    return entered;
  }

  /**
   * Releases what the matching enter acquired, whatever happened in the block; never suppresses.
   *
   * @throws RuntimeError when no entry of this holding acquired (it was not entered, its wait
   *   failed, or it was already exited): the hand-written `try { await h.aenter() } finally
   *   { h.aexit() }` must not release a lock or permit that somebody else holds.
   */
  aexit(): void {
    if (this.#held === 0) {
      const failure = this.#failure;
      this.#failure = undefined;
      throw new RuntimeError(
        "a hold() can exit only after an entry that acquired, once per entry",
        failure === undefined ? undefined : { cause: failure },
      );
    }
    this.#held--;
    this.#release();
  }
}

/**
 * A `Holding` kept alive for the life of the module, so that its hidden class is too (see
 * `shapeKeeper` in waiters.ts: otherwise a full collection deoptimizes `asyncWith(x.hold())`).
 *
 * @internal
 */
export const holdingShapeKeeper: Holding = new Holding(
  () => undefined,
  () => {},
);

/**
 * asyncio's `Lock`: a mutual-exclusion lock with strict FIFO fairness (rule 75).
 *
 * `asyncWith(lock, body)` acquires it, gives the block `undefined`, and releases it whatever
 * happens; `asyncWith(lock.hold({ signal }), body)` does the same with an abortable wait. It
 * is not a sync manager: `syncWith(lock, …)` is a compile error and, at run time, a
 * `TypeError`. It is not awaitable either: `await lock` gives the lock back untouched.
 *
 * @example
 * ```ts
 * const lock = new Lock();
 * await asyncWith(lock, async () => {
 *   // only one caller at a time gets here, in the order they arrived
 * });
 * await lock.acquire({ signal: AbortSignal.timeout(1000) });
 * try { work(); } finally { lock.release(); }
 * ```
 */
export class Lock implements AsyncContextManager<undefined, void> {
  // Invariant: while waiters are queued the lock is locked (release hands it over directly).
  #locked = false;
  readonly #waiters = new WaiterQueue<true | undefined>();

  /** Gives the lock to the next waiter, or unlocks it: a release, or a grant an abort undid. */
  readonly #passOn = (): void => {
    if (!this.#waiters.grantFirst()) this.#locked = false;
  };

  /**
   * Whether the lock is held.
   *
   * @example
   * ```ts
   * new Lock().locked(); // false
   * ```
   */
  locked(): boolean {
    return this.#locked;
  }

  /**
   * Waits until the lock is free and takes it; resolves to `true` as Python's does. Aborting
   * `signal` while queued rejects with `signal.reason` (the very object) and takes nothing; an
   * already-aborted signal rejects at once, even when the lock is free.
   *
   * @example
   * ```ts
   * await lock.acquire({ signal });
   * try { await critical(); } finally { lock.release(); }
   * ```
   */
  acquire(options?: WaitOptions): Promise<true> {
    return this.#acquire(options, RESOLVED_TRUE, true) as Promise<true>;
  }

  /**
   * Releases the lock, handing it to the longest-waiting caller if there is one.
   * Throws Python's `RuntimeError('Lock is not acquired.')` when it is not held.
   *
   * @example
   * ```ts
   * lock.release();
   * ```
   */
  release(): void {
    if (!this.#locked) throw new RuntimeError("Lock is not acquired.");
    this.#passOn();
  }

  /**
   * Acquires (with `options`, abortable) and resolves to a {@link Held}: a TC39 disposable
   * that releases at the end of an `await using` / `using` scope. Safe as a disposable because
   * releasing does not depend on the block's error.
   *
   * @example
   * ```ts
   * await using _ = await lock.held({ signal });
   * ```
   */
  held(options?: WaitOptions): Promise<Held> {
    return acquireHeld(this, options);
  }

  /**
   * An async manager that holds this lock for a block, acquired with `options`.
   *
   * @example
   * ```ts
   * await asyncWith(lock.hold({ timeoutMs: 100 }), async () => { work(); });
   * ```
   */
  hold(options?: WaitOptions): Holding {
    checkWaitOptions(options);
    return new Holding(
      () => this.#acquire(options, undefined, undefined),
      () => this.release(),
    );
  }

  /** Acquires; the block's value is `undefined` (rule 74). Uncontended: no promise at all. */
  aenter(): Promise<undefined> | undefined {
    return this.#acquire(undefined, undefined, undefined);
  }

  /** Releases; never suppresses. */
  aexit(): void {
    this.release();
  }

  /**
   * `acquire` and the managers' enter: takes the lock, answering `free` (a settled promise, or
   * `undefined` for no promise at all), or queues for it, resolving to `granted`.
   */
  #acquire<V>(options: WaitOptions | undefined, free: Promise<V> | undefined, granted: V): Promise<V> | undefined {
    // Given no signal, the current scope's abort refuses too; its signal is made only when
    // the acquire must queue (taking a free lock inside a scope costs no AbortSignal).
    const refused = refusalInScope(options);
    if (refused !== undefined) return Promise.reject(refused.reason);
    if (!this.#locked) {
      this.#locked = true;
      return free;
    }
    return this.#waiters.wait(
      withCurrentSignal(options),
      granted as true | undefined,
      "Lock acquire",
      this.#passOn,
    ) as Promise<V>;
  }
}

let makeBounded: (semaphore: Semaphore) => void;

/**
 * asyncio's `Semaphore(value = 1)`: `value` permits, handed out in strict FIFO order
 * (rule 76). `new Semaphore(-1)` throws Python's message as a `RangeError` (Python's
 * `ValueError` for a number out of its allowed range); a fraction or `NaN` is a `RangeError`
 * too, and a value that is not a number a `TypeError`.
 *
 * @example
 * ```ts
 * const connections = new Semaphore(10);
 * await asyncWith(connections, async () => fetch(url, { signal }));
 * await asyncWith(connections.hold({ signal }), async () => fetch(url, { signal }));
 * ```
 */
export class Semaphore implements AsyncContextManager<undefined, void> {
  // Invariant: while waiters are queued no permit is free (release hands it over directly).
  #value: number;
  #bound = Infinity;
  readonly #waiters = new WaiterQueue<true | undefined>();

  /** Gives a permit to the next waiter, or back to the count, without the bound check. */
  readonly #passOn = (): void => {
    if (!this.#waiters.grantFirst()) this.#value++;
  };

  static {
    makeBounded = (semaphore) => {
      semaphore.#bound = semaphore.#value;
    };
  }

  constructor(value = 1) {
    this.#value = checkInteger(value, "Semaphore initial value", 0, "Semaphore initial value must be >= 0");
  }

  /**
   * Whether an `acquire()` now would have to wait (Python's `locked()`).
   *
   * @example
   * ```ts
   * new Semaphore(0).locked(); // true
   * ```
   */
  locked(): boolean {
    return this.#value === 0;
  }

  /**
   * Takes a permit, waiting in FIFO order when none is free; resolves to `true`. Aborting
   * `signal` while queued rejects with `signal.reason` and takes nothing; an abort that lands
   * as the permit is granted passes the permit on to the next waiter.
   *
   * @example
   * ```ts
   * await semaphore.acquire({ signal, timeoutMs: 500 });
   * ```
   */
  acquire(options?: WaitOptions): Promise<true> {
    return this.#acquire(options, RESOLVED_TRUE, true) as Promise<true>;
  }

  /**
   * Returns a permit, handing it to the longest-waiting caller if there is one. On a
   * `BoundedSemaphore`, returning more than were taken throws a `RangeError`.
   *
   * @example
   * ```ts
   * semaphore.release();
   * ```
   */
  release(): void {
    if (this.#value >= this.#bound) throw new RangeError("BoundedSemaphore released too many times");
    this.#passOn();
  }

  /**
   * Acquires (with `options`, abortable) and resolves to a {@link Held}: a TC39 disposable
   * that releases at the end of an `await using` / `using` scope. Safe as a disposable because
   * releasing does not depend on the block's error.
   *
   * @example
   * ```ts
   * await using _ = await semaphore.held({ signal });
   * ```
   */
  held(options?: WaitOptions): Promise<Held> {
    return acquireHeld(this, options);
  }

  /**
   * An async manager that holds one permit for a block, acquired with `options`.
   *
   * @example
   * ```ts
   * await asyncWith(semaphore.hold({ signal }), async () => { work(); });
   * ```
   */
  hold(options?: WaitOptions): Holding {
    checkWaitOptions(options);
    return new Holding(
      () => this.#acquire(options, undefined, undefined),
      () => this.release(),
    );
  }

  /** Takes a permit; the block's value is `undefined` (rule 74). */
  aenter(): Promise<undefined> | undefined {
    return this.#acquire(undefined, undefined, undefined);
  }

  /** Returns the permit; never suppresses. */
  aexit(): void {
    this.release();
  }

  /** `acquire` and the managers' enter, as Lock's: takes a permit, answering `free`, or queues, resolving to `granted`. */
  #acquire<V>(options: WaitOptions | undefined, free: Promise<V> | undefined, granted: V): Promise<V> | undefined {
    // As Lock's: the current scope's signal is made only when the acquire must queue.
    const refused = refusalInScope(options);
    if (refused !== undefined) return Promise.reject(refused.reason);
    if (this.#value > 0) {
      this.#value--;
      return free;
    }
    return this.#waiters.wait(
      withCurrentSignal(options),
      granted as true | undefined,
      "Semaphore acquire",
      this.#passOn,
    ) as Promise<V>;
  }
}

/**
 * asyncio's `BoundedSemaphore(value = 1)`: a {@link Semaphore} whose `release()` refuses to
 * raise the count above its initial value (rule 77), with Python's message
 * `BoundedSemaphore released too many times`.
 *
 * That is a `ValueError` in Python; here it is a `RangeError`, JavaScript's error for a value
 * outside its allowed range, which is what an over-release is (the count would leave
 * `0..value`). An extra manual `release()` inside `asyncWith(semaphore, …)` makes the exit
 * throw it, as in Python.
 *
 * @example
 * ```ts
 * const slots = new BoundedSemaphore(2);
 * slots.release(); // RangeError: BoundedSemaphore released too many times
 * ```
 */
export class BoundedSemaphore extends Semaphore {
  constructor(value = 1) {
    super(value);
    makeBounded(this);
  }
}

// `instanceof` holds across the ESM and CJS copies of the library (src/identity.ts).
shareIdentity({ Holding, Lock, Semaphore, BoundedSemaphore });
