/**
 * asyncio's `Event`.
 *
 * @module
 */

import { shareIdentity } from "../identity.js";
import { refusalInScope, withCurrentSignal } from "./ambient.js";
import { RESOLVED_TRUE, WaiterQueue, type WaitOptions } from "./waiters.js";

/**
 * asyncio's `Event`: a flag that tasks can wait for. `set()` wakes every waiter at once;
 * `clear()` lowers the flag again; `wait()` resolves to `true` at once when the flag is set.
 * Waits are abortable (`{ signal, timeoutMs }`); an aborted wait rejects with `signal.reason`.
 * Not a context manager, as in Python.
 *
 * @example
 * ```ts
 * const ready = new Event();
 * setTimeout(() => ready.set(), 10);
 * await ready.wait({ signal }); // true
 * ```
 */
export class Event {
  #flag = false;
  readonly #waiters = new WaiterQueue<true>();

  /**
   * Whether the flag is set (Python's `is_set()`).
   *
   * @example
   * ```ts
   * new Event().isSet(); // false
   * ```
   */
  isSet(): boolean {
    return this.#flag;
  }

  /**
   * Sets the flag and wakes every waiter.
   *
   * @example
   * ```ts
   * ready.set();
   * ```
   */
  set(): void {
    if (this.#flag) return;
    this.#flag = true;
    while (this.#waiters.grantFirst());
  }

  /**
   * Lowers the flag: later `wait()`s block until the next `set()`.
   *
   * @example
   * ```ts
   * ready.clear();
   * ```
   */
  clear(): void {
    this.#flag = false;
  }

  /**
   * Resolves to `true` once the flag is set (at once if it already is). An already-aborted
   * signal rejects with its reason even when the flag is set.
   *
   * @example
   * ```ts
   * await ready.wait({ timeoutMs: 1000 });
   * ```
   */
  wait(options?: WaitOptions): Promise<true> {
    // The current scope's abort refuses as a given signal's does; its signal is made only
    // when the wait must queue.
    const refused = refusalInScope(options);
    if (refused !== undefined) return Promise.reject(refused.reason);
    if (this.#flag) return RESOLVED_TRUE;
    return this.#waiters.wait(withCurrentSignal(options), true, "Event wait");
  }
}

// `instanceof` holds across the ESM and CJS copies of the library (src/identity.ts).
shareIdentity({ Event });
