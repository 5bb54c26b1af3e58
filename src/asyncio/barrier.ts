/**
 * asyncio's `Barrier` and its `BrokenBarrierError`.
 *
 * @module
 */

import { RuntimeError } from "../errors.js";
import { shareIdentity } from "../identity.js";
import type { AsyncContextManager } from "../protocol.js";
import { checkInteger } from "../validate.js";
import { refusalInScope, withCurrentSignal } from "./ambient.js";
import { WaiterQueue, type WaitOptions } from "./waiters.js";

/**
 * Python's `asyncio.BrokenBarrierError` (a `RuntimeError`): the barrier was aborted or reset
 * while waiting, or is broken.
 *
 * @example
 * ```ts
 * try { await barrier.wait(); } catch (e) { if (e instanceof BrokenBarrierError) retry(); }
 * ```
 */
export class BrokenBarrierError extends RuntimeError {
  constructor(message?: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "BrokenBarrierError";
  }
}

/**
 * asyncio's `Barrier(parties)`: `wait()` blocks until `parties` callers are waiting, then
 * releases them all at once; each gets its arrival index, `0` to `parties - 1`. `abort()`
 * breaks it (waiting and later callers get a {@link BrokenBarrierError}); `reset()` fails the
 * current waiters and makes it usable again. It is an async manager whose value is the
 * arrival index; its exit does nothing.
 *
 * Python drains a tripped barrier task by task; here the trip is one step (every waiter is
 * released and the count is back to zero at once), which gives the same results since
 * JavaScript runs one callback at a time. As in Python, a waiter that leaves (here: its
 * signal aborted) frees its place, and the next arrival takes that index.
 *
 * @example
 * ```ts
 * const start = new Barrier(3);
 * await Promise.all([0, 1, 2].map(() =>
 *   asyncWith(start, async (index) => { console.log("arrived", index); })));
 * ```
 */
export class Barrier implements AsyncContextManager<number, void> {
  readonly #parties: number;
  #count = 0;
  #broken = false;
  readonly #waiters = new WaiterQueue<number>(() => {
    this.#count--;
  });

  constructor(parties: number) {
    // Python's message for a count below one; a fraction is a RangeError, a non-number a TypeError.
    this.#parties = checkInteger(parties, "parties", 1, "parties must be > 0");
  }

  /** How many callers trip the barrier. */
  get parties(): number {
    return this.#parties;
  }

  /** How many callers are waiting now (Python's `n_waiting`). */
  get nWaiting(): number {
    return this.#count;
  }

  /** Whether the barrier was aborted and not reset since. */
  get broken(): boolean {
    return this.#broken;
  }

  /**
   * Waits for the barrier to trip and resolves to this caller's arrival index. Rejects with
   * `BrokenBarrierError('Barrier aborted')` when broken, with
   * `BrokenBarrierError('Abort or reset of barrier')` when aborted or reset while waiting, and
   * with `signal.reason` when `signal` aborts first (freeing the place).
   *
   * @example
   * ```ts
   * const index = await barrier.wait({ signal });
   * ```
   */
  wait(options?: WaitOptions): Promise<number> {
    // The current scope's signal is made only when this arrival must wait (the last one trips).
    const refused = refusalInScope(options);
    if (refused !== undefined) return Promise.reject(refused.reason);
    if (this.#broken) return Promise.reject(new BrokenBarrierError("Barrier aborted"));
    const index = this.#count++;
    if (index + 1 < this.#parties) return this.#waiters.wait(withCurrentSignal(options), index, "Barrier wait");
    // The last arrival trips it: every waiter goes, and the next cycle starts empty.
    while (this.#waiters.grantFirst());
    this.#count = 0;
    return Promise.resolve(index);
  }

  /**
   * Makes the barrier usable again: current waiters get `BrokenBarrierError('Abort or reset
   * of barrier')`, and a broken barrier is mended. Takes effect at once; the promise is for
   * Python's `await barrier.reset()`.
   *
   * @example
   * ```ts
   * await barrier.reset();
   * ```
   */
  reset(): Promise<void> {
    this.#failWaiters();
    this.#broken = false;
    return Promise.resolve();
  }

  /**
   * Breaks the barrier: current waiters and every later `wait()` get a
   * {@link BrokenBarrierError} until `reset()`. Takes effect at once.
   *
   * @example
   * ```ts
   * await barrier.abort();
   * ```
   */
  abort(): Promise<void> {
    this.#broken = true;
    this.#failWaiters();
    return Promise.resolve();
  }

  /** Waits for the barrier; the block's value is the arrival index. */
  aenter(): Promise<number> {
    return this.wait();
  }

  /** Does nothing, as in Python. */
  aexit(): void {}

  #failWaiters(): void {
    while (this.#waiters.rejectFirst(new BrokenBarrierError("Abort or reset of barrier")));
  }
}

// `instanceof` holds across the ESM and CJS copies of the library (src/identity.ts).
shareIdentity({ Barrier, BrokenBarrierError });
