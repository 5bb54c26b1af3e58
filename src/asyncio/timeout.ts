/**
 * `timeout(ms)` and `timeoutAt(deadline)`: Python's `asyncio.timeout` / `asyncio.timeout_at`
 * (python-semantics.md §8) on the cancel-scope model.
 *
 * The block gets a {@link Timeout} whose `signal` aborts when the deadline passes; work inside
 * passes that signal on. On exit, an error that is the timeout's own abort becomes a
 * {@link TimeoutError}. Times are milliseconds on the `performance.now()` clock.
 *
 * @module
 */

import { chainErrorContext, RuntimeError } from "../errors.js";
import type { AsyncContextManager, ExcInfo } from "../protocol.js";
import { parentSignal, runBlockSymbol, runWithSignal } from "./ambient.js";
import { CancelScope } from "./cancel-scope.js";
import { CancelledError, TimeoutError } from "./errors.js";

/** Python's `_State` values, used verbatim in messages and `toString()` (rule 58). */
type TimeoutState = "created" | "active" | "expiring" | "expired" | "finished";

/**
 * Options of {@link timeout} and {@link timeoutAt}.
 *
 * @example
 * ```ts
 * await asyncWith(timeout(5000, { signal: request.signal }), (t) => work(t.signal));
 * ```
 */
export interface TimeoutOptions {
  /** A signal from the enclosing scope: its abort aborts this timeout's signal too (and is never converted). */
  readonly signal?: AbortSignal | undefined;
}

/** The longest delay `setTimeout` honours; longer ones are reached in several steps. */
const MAX_TIMER_DELAY = 2_147_483_647;

type TimerHandle = ReturnType<typeof setTimeout>;

function checkTime(value: unknown, what: string): number | null {
  if (value === null) return null;
  if (typeof value !== "number" || Number.isNaN(value)) {
    throw new TypeError(`${what} must be a number of milliseconds or null, got ${String(value)}`);
  }
  return value;
}

function formatWhen(when: number | null): string {
  return when === null ? "None" : String(Math.round(when * 1000) / 1000);
}

/**
 * A deadline for an async block: the value of `asyncWith(timeout(ms), (t) => …)`.
 *
 * Its `signal` aborts, with a {@link CancelledError} reason, when the deadline passes. On exit:
 * - if its own expiry aborted the signal and the block threw that abort back (the reason
 *   itself, an error caused by it, or an `AbortError`; see {@link CancelScope.isAbort}), the
 *   block's error is replaced by a {@link TimeoutError} whose `cause` is the reason and whose
 *   {@link errorContext} is the error the block threw (Python's `raise TimeoutError from exc`);
 * - if the block threw something else after its own expiry (say from a `finally`), that error
 *   propagates unchanged, with a `TimeoutError` recorded at the end of its context chain, as
 *   Python 3.13's `_insert_timeout_error` does;
 * - an abort that came from the enclosing `signal` propagates as it is, even when this deadline
 *   has also passed: only the scope whose own deadline aborted the block converts;
 * - it never suppresses, and the timer is always cleared.
 *
 * `aenter` and `aexit` complete synchronously (awaiting them costs no extra tick): entering
 * costs one `AbortController` and one timer.
 *
 * @example
 * ```ts
 * await asyncWith(timeout(500), async (t) => {
 *   const res = await fetch(url, { signal: t.signal });
 *   if (slow(res)) t.reschedule(t.when()! + 500); // give it more time
 *   return res.json();
 * }); // throws TimeoutError when the 500 ms pass first
 * ```
 */
export class Timeout implements AsyncContextManager<Timeout, void> {
  #state: TimeoutState = "created";
  #when: number | null;
  /** The delay the user asked for, kept for the abort message while the deadline is unchanged. */
  #delay: number | undefined;
  #parent: AbortSignal | undefined;
  #scope: CancelScope | undefined;
  #timer: TimerHandle | undefined;

  /** Use {@link timeout} or {@link timeoutAt}. */
  constructor(when: number | null, options?: TimeoutOptions, delay?: number) {
    this.#when = checkTime(when, "deadline");
    this.#delay = delay;
    this.#parent = options?.signal;
  }

  /** The signal that aborts when the deadline passes (or when the enclosing signal aborts). */
  get signal(): AbortSignal {
    if (this.#scope === undefined) throw new RuntimeError("Timeout has not been entered");
    return this.#scope.signal;
  }

  /** The current deadline on the `performance.now()` clock, or `null` for none. */
  when(): number | null {
    return this.#when;
  }

  /** Whether the deadline passed while the block ran (Python: state expiring or expired). */
  expired(): boolean {
    return this.#state === "expiring" || this.#state === "expired";
  }

  /**
   * Moves the deadline to `when` (`performance.now()` milliseconds; `null`: no deadline). A
   * deadline already past aborts at the next timer turn, not at once (rule 60).
   *
   * @throws RuntimeError `Timeout has not been entered`, or `Cannot change state of expiring
   *   Timeout` (`expired`, `finished`) outside the active block.
   */
  reschedule(when: number | null): void {
    if (this.#state !== "active") {
      if (this.#state === "created") throw new RuntimeError("Timeout has not been entered");
      throw new RuntimeError(`Cannot change state of ${this.#state} Timeout`);
    }
    const deadline = checkTime(when, "deadline");
    this.#when = deadline;
    this.#delay = undefined;
    this.#clearTimer();
    if (deadline !== null) this.#arm(deadline);
  }

  /** Enters the block: starts the timer. Single use (rule 59). */
  aenter(): this {
    if (this.#state !== "created") throw new RuntimeError("Timeout has already been entered");
    this.#state = "active";
    this.#scope = new CancelScope(parentSignal(this.#parent));
    if (this.#when !== null) this.#arm(this.#when);
    return this;
  }

  /** @internal Runs the block with this timeout's scope current (see src/asyncio/ambient.ts). */
  [runBlockSymbol]<R>(block: () => R): R {
    return runWithSignal(this.signal, block);
  }

  /**
   * Leaves the block: clears the timer and converts the block's own-deadline abort (rule 63).
   * Exiting a timeout that is not active (never entered, or already exited) is a `RuntimeError`.
   */
  aexit(exc?: ExcInfo): void {
    this.#clearTimer();
    const scope = this.#scope;
    if (scope === undefined || (this.#state !== "active" && this.#state !== "expiring")) {
      throw new RuntimeError(
        this.#state === "created" ? "Timeout has not been entered" : "Timeout has already been exited",
      );
    }
    scope.close();
    if (this.#state === "active") {
      this.#state = "finished";
      return;
    }
    this.#state = "expired";
    // Python converts when no other cancel is pending; here: when the signal's abort was ours.
    if (exc === undefined || !scope.abortedByOwn) return;
    const reason = scope.signal.reason;
    const timeoutError = new TimeoutError(describeReason(reason), { cause: reason });
    if (scope.isAbort(exc.error)) {
      chainErrorContext(timeoutError, exc.error);
      throw timeoutError;
    }
    // A foreign error after our expiry propagates as itself; the expiry stays visible at the
    // end of its chain and, for a group of errors, of each member's (Python 3.13).
    chainErrorContext(exc.error, timeoutError);
    if (exc.error instanceof AggregateError && Array.isArray(exc.error.errors)) {
      for (const member of exc.error.errors) {
        chainErrorContext(member, new TimeoutError(timeoutError.message, { cause: reason }));
      }
    }
  }

  /** Python's repr: `<Timeout [active] when=123.456>`, `<Timeout [expired]>`, … (rule 65). */
  toString(): string {
    if (this.#state === "active") return `<Timeout [active] when=${formatWhen(this.#when)}>`;
    return `<Timeout [${this.#state}]>`;
  }

  #arm(when: number): void {
    if (when === Infinity) return;
    const delay = when - performance.now();
    if (delay > MAX_TIMER_DELAY) {
      this.#timer = setTimeout(() => this.#arm(when), MAX_TIMER_DELAY);
    } else {
      // Whole milliseconds: Node keeps one timer list per distinct duration, so fractional
      // delays would make a list per timer; rounding up never fires before the deadline.
      this.#timer = setTimeout(() => this.#expire(), Math.max(Math.ceil(delay), 0));
    }
  }

  #clearTimer(): void {
    if (this.#timer === undefined) return;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  // Rule 62: the block is told through its signal; the state records that the deadline passed
  // even when an outer abort got there first (then the signal keeps the outer reason).
  #expire(): void {
    this.#timer = undefined;
    this.#state = "expiring";
    const message =
      this.#delay !== undefined
        ? `timeout of ${this.#delay} ms expired`
        : `deadline at ${formatWhen(this.#when)} ms expired`;
    this.#scope?.abort(new CancelledError(message));
  }
}

function describeReason(reason: unknown): string {
  return reason instanceof Error ? reason.message : "the operation timed out";
}

/**
 * Python's `asyncio.timeout(delay)`: an async manager whose block is aborted after `ms`
 * milliseconds (`null`: never; zero or negative: at the next timer turn). The block gets the
 * {@link Timeout}; pass `t.signal` to the work inside. Throws {@link TimeoutError} when its own
 * deadline ended the block. Give `{ signal }` to link it into an enclosing scope.
 *
 * @example
 * ```ts
 * import { setTimeout as sleep } from "node:timers/promises";
 * try {
 *   await asyncWith(timeout(50), (t) => sleep(1000, undefined, { signal: t.signal }));
 * } catch (e) {
 *   e instanceof TimeoutError; // true; e.cause.message === "timeout of 50 ms expired"
 * }
 * ```
 */
export function timeout(ms: number | null, options?: TimeoutOptions): Timeout {
  const delay = checkTime(ms, "timeout");
  if (delay === null) return new Timeout(null, options);
  return new Timeout(performance.now() + delay, options, delay);
}

/**
 * Python's `asyncio.timeout_at(when)`: like {@link timeout}, with an absolute deadline on the
 * `performance.now()` clock (`null`: never).
 *
 * @example
 * ```ts
 * const deadline = performance.now() + 1000; // one budget for several steps
 * await asyncWith(timeoutAt(deadline), (t) => step1(t.signal));
 * await asyncWith(timeoutAt(deadline), (t) => step2(t.signal));
 * ```
 */
export function timeoutAt(deadline: number | null, options?: TimeoutOptions): Timeout {
  return new Timeout(deadline, options);
}
