/**
 * asyncio's `Condition`, an async context manager over a (new or given) {@link Lock}
 * (Python's `asyncio.Condition`).
 *
 * @module
 */

import { RuntimeError } from "../errors.js";
import { shareIdentity } from "../identity.js";
import type { AsyncContextManager } from "../protocol.js";
import { checkInteger, describeValue } from "../validate.js";
import { waitToTheEnd, withCurrentSignal } from "./ambient.js";
import { TimeoutError } from "./errors.js";
import { type Holding, Lock } from "./locks.js";
import { startTimer, stopTimer, type Timer } from "./timer.js";
import { checkWaitOptions, type Waiter, WaiterQueue, type WaitOptions } from "./waiters.js";

function timedOut(limitMs: number | undefined): TimeoutError {
  return new TimeoutError(`Condition wait timed out after ${limitMs} ms`);
}

/**
 * asyncio's `Condition(lock?)`: tasks holding the lock `wait()` until another `notify()`s.
 *
 * It shares `locked`/`acquire`/`release` with its lock, so `asyncWith(condition, …)` and
 * `asyncWith(lock, …)` are interchangeable. `wait()` releases the lock, waits in FIFO order,
 * and always re-acquires the lock before returning or throwing, even when its signal aborted:
 * the abort then rethrows `signal.reason`, the very object, with the lock held again.
 *
 * A notification is never lost: when a waiter that was notified ends with an abort instead,
 * the notification goes to the next waiter. Unlike Python, a waiter aborted *before* being
 * notified wakes nobody, so there are no spurious wake-ups.
 *
 * @example
 * ```ts
 * const ready = new Condition();
 * // consumer
 * await asyncWith(ready, async () => {
 *   const item = await ready.waitFor(() => queue.shift(), { signal });
 *   handle(item);
 * });
 * // producer
 * await asyncWith(ready, () => { queue.push(job); ready.notify(); });
 * ```
 */
export class Condition implements AsyncContextManager<undefined, void> {
  readonly #lock: Lock;
  readonly #waiters = new WaiterQueue<true>();

  constructor(lock?: Lock) {
    if (lock === undefined) lock = new Lock();
    else if (!(lock instanceof Lock)) throw new TypeError("Condition expects a Lock");
    this.#lock = lock;
  }

  /**
   * Whether the underlying lock is held.
   *
   * @example
   * ```ts
   * new Condition().locked(); // false
   * ```
   */
  locked(): boolean {
    return this.#lock.locked();
  }

  /**
   * Acquires the underlying lock ({@link Lock.acquire}).
   *
   * @example
   * ```ts
   * await condition.acquire({ signal });
   * ```
   */
  acquire(options?: WaitOptions): Promise<true> {
    return this.#lock.acquire(options);
  }

  /**
   * Releases the underlying lock ({@link Lock.release}).
   *
   * @example
   * ```ts
   * condition.release();
   * ```
   */
  release(): void {
    this.#lock.release();
  }

  /**
   * An async manager that holds the underlying lock for a block, acquired with `options`.
   *
   * @example
   * ```ts
   * await asyncWith(condition.hold({ signal }), () => condition.wait({ signal }));
   * ```
   */
  hold(options?: WaitOptions): Holding {
    return this.#lock.hold(options);
  }

  /** Acquires the underlying lock; the block's value is `undefined`. */
  aenter(): Promise<undefined> | undefined {
    return this.#lock.aenter();
  }

  /** Releases the underlying lock; never suppresses. */
  aexit(): void {
    this.#lock.release();
  }

  /**
   * Releases the lock, waits to be notified, re-acquires the lock and resolves to `true`.
   * Throws `RuntimeError('cannot wait on un-acquired lock')` when the lock is not held. When
   * `signal` aborts (or `timeoutMs` expires) the lock is still re-acquired before the wait
   * rejects with `signal.reason` (or a `TimeoutError`).
   *
   * `timeoutMs` counts the time to re-acquire the lock too, as
   * `async with asyncio.timeout(t): await cond.wait()` does in Python: a waiter notified in
   * time that gets the lock back only after the deadline rejects with a `TimeoutError`, and
   * its notification goes to the next waiter.
   *
   * @example
   * ```ts
   * await asyncWith(condition, () => condition.wait({ signal }));
   * ```
   */
  async wait(options?: WaitOptions): Promise<true> {
    checkWaitOptions(options);
    if (!this.#lock.locked()) throw new RuntimeError("cannot wait on un-acquired lock");
    const timeoutMs = options?.timeoutMs;
    return this.#wait(withCurrentSignal(options)?.signal, timeoutMs, timeoutMs);
  }

  /**
   * One wait: `timeoutMs` is what is left of the caller's limit, `limitMs` the limit the
   * caller gave (for the message).
   */
  async #wait(
    signal: AbortSignal | undefined,
    timeoutMs: number | undefined,
    limitMs: number | undefined,
  ): Promise<true> {
    // An aborted signal ends the wait before it starts: the lock stays held, as it would be
    // after an aborted wait.
    if (signal?.aborted) throw signal.reason;
    this.#lock.release();
    let notified = false;
    let failed = false;
    let failure: unknown;
    let expired = false;
    const waiting = this.#waiters.wait(signal === undefined ? undefined : { signal }, true, "Condition wait", () => {
      notified = true;
    });
    // One timer for the wait and the re-acquisition, so that both count against the limit.
    let timer: Timer | undefined;
    if (timeoutMs !== undefined) {
      const waiter = this.#waiters.last as Waiter<true>;
      timer = startTimer(() => {
        timer = undefined;
        expired = true;
        this.#waiters.abandon(waiter, timedOut(limitMs));
      }, timeoutMs);
    }
    try {
      await waiting;
      notified = true;
    } catch (error) {
      failed = true;
      failure = error;
    }
    // Rule 78: the lock is re-acquired even when the wait was aborted: no signal here, not
    // even the current scope's.
    await this.#lock.acquire(waitToTheEnd());
    if (timer !== undefined) stopTimer(timer);
    if (!failed && expired) {
      failed = true;
      failure = timedOut(limitMs);
    } else if (!failed && signal !== undefined && signal.aborted) {
      failed = true;
      failure = signal.reason;
    }
    if (!failed) return true;
    // A notification consumed by a wait that now fails goes to the next waiter.
    if (notified) this.#waiters.grantFirst();
    throw failure;
  }

  /**
   * Waits until `predicate()` is truthy and resolves to its value; `predicate` is called with
   * the lock held, first before any wait. `timeoutMs` bounds the whole call, not each wait.
   *
   * @example
   * ```ts
   * const job = await condition.waitFor(() => jobs.shift(), { signal });
   * ```
   */
  async waitFor<R>(predicate: () => R, options?: WaitOptions): Promise<R> {
    if (typeof predicate !== "function") {
      throw new TypeError(`predicate must be a function, got ${describeValue(predicate)}`);
    }
    checkWaitOptions(options);
    let result = predicate();
    if (result) return result;
    const signal = withCurrentSignal(options)?.signal;
    const timeoutMs = options?.timeoutMs;
    const deadline = timeoutMs === undefined ? Infinity : performance.now() + timeoutMs;
    while (!result) {
      if (!this.#lock.locked()) throw new RuntimeError("cannot wait on un-acquired lock");
      const left = deadline === Infinity ? timeoutMs : Math.max(0, deadline - performance.now());
      await this.#wait(signal, left, timeoutMs);
      result = predicate();
    }
    return result;
  }

  /**
   * Wakes up to `n` waiters, longest-waiting first. `n` is a count: a fraction, `NaN` or a
   * negative number is a `RangeError` (Python ignores a negative `n`), a non-number a
   * `TypeError`. Throws `RuntimeError('cannot notify on un-acquired lock')` when the lock is
   * not held.
   *
   * @example
   * ```ts
   * await asyncWith(condition, () => condition.notify(2));
   * ```
   */
  notify(n = 1): void {
    checkInteger(n, "n", 0);
    if (!this.#lock.locked()) throw new RuntimeError("cannot notify on un-acquired lock");
    for (let i = 0; i < n && this.#waiters.grantFirst(); i++);
  }

  /**
   * Wakes every waiter. Throws `RuntimeError('cannot notify on un-acquired lock')` when the
   * lock is not held.
   *
   * @example
   * ```ts
   * await asyncWith(condition, () => condition.notifyAll());
   * ```
   */
  notifyAll(): void {
    this.notify(this.#waiters.length);
  }
}

// `instanceof` holds across the ESM and CJS copies of the library (src/identity.ts).
shareIdentity({ Condition });
