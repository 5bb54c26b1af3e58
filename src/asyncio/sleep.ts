/**
 * `sleep(ms, value?)`: Python's `asyncio.sleep(delay, result)`, cancelled with its scope.
 *
 * @module
 */

import { currentSignal } from "./ambient.js";

/** The longest delay `setTimeout` honours; longer ones are reached in several steps. */
const MAX_TIMER_DELAY = 2_147_483_647;

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
  if (typeof ms !== "number" || Number.isNaN(ms)) {
    return Promise.reject(new TypeError(`sleep expects a number of milliseconds, got ${String(ms)}`));
  }
  const signal = options?.signal ?? currentSignal();
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const deadline = performance.now() + ms;
    let timer: ReturnType<typeof setTimeout>;
    const onAbort = (): void => {
      clearTimeout(timer);
      reject((signal as AbortSignal).reason);
    };
    const step = (): void => {
      const left = deadline - performance.now();
      if (left > MAX_TIMER_DELAY) {
        timer = setTimeout(step, MAX_TIMER_DELAY);
        return;
      }
      timer = setTimeout(
        () => {
          signal?.removeEventListener("abort", onAbort);
          resolve(value as T);
        },
        Math.max(Math.ceil(left), 0),
      );
    };
    step();
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
