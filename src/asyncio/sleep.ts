/**
 * `sleep(ms, value?)`: Python's `asyncio.sleep(delay, result)`, cancelled with its scope.
 *
 * @module
 */

import { checkOptions, checkSignal, describeValue } from "../validate.js";
import { currentSignal } from "./ambient.js";
import { startTimer, stopTimer, type Timer } from "./timer.js";

/**
 * Options of {@link sleep}.
 *
 * @example
 * ```ts
 * await sleep(1000, undefined, { signal: AbortSignal.timeout(10) }); // rejects after 10 ms
 * ```
 */
export interface SleepOptions {
  /** Aborts the sleep (rejecting with its reason); the current scope's signal when not given. */
  readonly signal?: AbortSignal | undefined;
}

/**
 * Python's `asyncio.sleep(delay, result)`: resolves with `value` after `ms` milliseconds (zero
 * or negative: at the next timer turn; any delay, even beyond `setTimeout`'s 24.8 days). It
 * observes the current cancel scope: when the scope's signal aborts, or the `signal` given
 * instead, it rejects with that signal's reason, the very object, and clears its timer. An
 * already-aborted signal rejects without waiting.
 *
 * @example
 * ```ts
 * await asyncWith(timeout(50), () => sleep(1000)); // TimeoutError after 50 ms
 * await asyncWith(moveOnAfter(50), () => sleep(1000)); // undefined after 50 ms
 * const value = await sleep(10, "ready"); // "ready"
 * ```
 */
export function sleep<T = void>(ms: number, value?: T, options?: SleepOptions): Promise<T> {
  let signal: AbortSignal | undefined;
  try {
    if (typeof ms !== "number") throw new TypeError(`ms must be a number of milliseconds, got ${describeValue(ms)}`);
    if (Number.isNaN(ms)) throw new RangeError("ms must not be NaN");
    signal = checkSignal(checkOptions(options)?.signal) ?? currentSignal();
  } catch (error) {
    return Promise.reject(error);
  }
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    let timer: Timer | undefined;
    const onAbort = (): void => {
      if (timer !== undefined) stopTimer(timer);
      reject((signal as AbortSignal).reason);
    };
    timer = startTimer(
      () => {
        signal?.removeEventListener("abort", onAbort);
        resolve(value as T);
      },
      Math.max(ms, 0),
    );
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
