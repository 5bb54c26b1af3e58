/**
 * asyncio's `Condition`, an async context manager over a (new or given) {@link Lock}
 * (python-semantics.md rule 78).
 *
 * @module
 */

import { RuntimeError } from "../errors.js";
import type { AsyncContextManager } from "../protocol.js";
import { NEVER_ABORTED, withCurrentSignal } from "./ambient.js";
import { type Holding, Lock } from "./locks.js";
import { refusal, WaiterQueue, type WaitOptions } from "./waiters.js";

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
   * @example
   * ```ts
   * await asyncWith(condition, () => condition.wait({ signal }));
   * ```
   */
  async wait(options?: WaitOptions): Promise<true> {
    if (!this.#lock.locked()) throw new RuntimeError("cannot wait on un-acquired lock");
    options = withCurrentSignal(options);
    // An aborted signal ends the wait before it starts: the lock stays held, as it would be
    // after an aborted wait.
    const refused = refusal(options);
    if (refused !== undefined) throw refused.reason;
    this.#lock.release();
    let notified = false;
    let failed = false;
    let failure: unknown;
    try {
      await this.#waiters.wait(options, true, "Condition wait", () => {
        notified = true;
      });
      notified = true;
    } catch (error) {
      failed = true;
      failure = error;
    }
    // Rule 78: the lock is re-acquired even when the wait was aborted: no signal here, not
    // even the current scope's.
    await this.#lock.acquire(NEVER_ABORTED);
    const signal = options?.signal;
    if (!failed && signal !== undefined && signal.aborted) {
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
    let result = predicate();
    if (result) return result;
    const timeoutMs = options?.timeoutMs;
    const deadline = timeoutMs === undefined ? undefined : performance.now() + timeoutMs;
    while (!result) {
      if (deadline === undefined || timeoutMs === undefined) {
        await this.wait(options);
      } else {
        const left = Math.max(0, deadline - performance.now());
        await this.wait({ signal: options?.signal, timeoutMs: left === 0 ? 0 : left });
      }
      result = predicate();
    }
    return result;
  }

  /**
   * Wakes up to `n` waiters, longest-waiting first. Throws
   * `RuntimeError('cannot notify on un-acquired lock')` when the lock is not held.
   *
   * @example
   * ```ts
   * await asyncWith(condition, () => condition.notify(2));
   * ```
   */
  notify(n = 1): void {
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
