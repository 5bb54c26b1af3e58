/**
 * One timer for every wait of the library, for any delay.
 *
 * `setTimeout` takes at most `2 ** 31 - 1` ms (about 24.8 days) and turns a longer delay into
 * about 1 ms. A longer delay is reached here in steps of at most that much, each step measured
 * from a fixed deadline, so a 30-day wait waits 30 days. The common short delay costs exactly
 * one `setTimeout` and no allocation of ours.
 *
 * @module
 * @internal
 */

/** The longest delay `setTimeout` honours. */
export const MAX_TIMER_DELAY = 2_147_483_647;

type Handle = ReturnType<typeof setTimeout>;

/** A timer armed by {@link startTimer}: a plain handle, or a {@link LongTimer} for a long delay. */
export type Timer = Handle | LongTimer;

function release(handle: Handle): void {
  // Browsers' handles are numbers; Node's and Deno's can stop keeping the process alive.
  (handle as { unref?: () => void }).unref?.();
}

/** A delay longer than `setTimeout` takes, reached in steps towards a fixed deadline. */
class LongTimer {
  handle: Handle;
  readonly #callback: () => void;
  readonly #deadline: number;
  readonly #unref: boolean;

  constructor(callback: () => void, delayMs: number, unref: boolean) {
    this.#callback = callback;
    this.#deadline = performance.now() + delayMs;
    this.#unref = unref;
    this.handle = this.#step(delayMs);
  }

  #step(left: number): Handle {
    const handle =
      left > MAX_TIMER_DELAY
        ? setTimeout(() => {
            this.handle = this.#step(this.#deadline - performance.now());
          }, MAX_TIMER_DELAY)
        : setTimeout(this.#callback, Math.max(Math.ceil(left), 0));
    if (this.#unref) release(handle);
    return handle;
  }
}

/**
 * Calls `callback` once, `delayMs` milliseconds from now (never earlier). `Infinity` arms
 * nothing and returns `undefined`. With `unref`, the timer does not keep a Node or Deno process
 * alive by itself (as for housekeeping such as idle eviction).
 *
 * Whole milliseconds, rounded up: Node keeps one timer list per distinct duration, so
 * fractional delays would make a list per timer.
 */
export function startTimer(callback: () => void, delayMs: number, unref = false): Timer | undefined {
  if (delayMs === Infinity) return undefined;
  if (delayMs > MAX_TIMER_DELAY) return new LongTimer(callback, delayMs, unref);
  const handle = setTimeout(callback, Math.max(Math.ceil(delayMs), 0));
  if (unref) release(handle);
  return handle;
}

/** Disarms a timer from {@link startTimer}, whichever step it is at. */
export function stopTimer(timer: Timer): void {
  clearTimeout(timer instanceof LongTimer ? timer.handle : timer);
}
