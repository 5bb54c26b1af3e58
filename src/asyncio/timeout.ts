/**
 * `timeout(ms)` and `timeoutAt(deadline)`: Python's `asyncio.timeout` / `asyncio.timeout_at`
 * (Python's asyncio documentation, "Timeouts") on the cancel-scope model.
 *
 * The block gets a {@link Timeout} whose `signal` aborts when the deadline passes; work inside
 * passes that signal on. On exit, an error that is the timeout's own abort becomes a
 * {@link TimeoutError}. Times are milliseconds on the `performance.now()` clock.
 *
 * @module
 */

import { chainErrorContext, RuntimeError } from "../errors.js";
import { shareIdentity } from "../identity.js";
import type { AsyncContextManager, ExcInfo } from "../protocol.js";
import { checkOptions, checkSignal, describeValue } from "../validate.js";
import { runBlockSymbol, runInScope } from "./ambient.js";
import { type CancelScope, childScope, onDeadlineCheck, parentFor, setDeadlineCheck } from "./cancel-scope.js";
import { CancelledError, TimeoutError } from "./errors.js";
import { startTimer, stopTimer, type Timer } from "./timer.js";

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

// The library's rule for numbers: the wrong type is a TypeError, NaN a RangeError. Any other
// number is a deadline: zero, negative or past fires at the next timer turn (rule 60),
// Infinity never.
function checkTime(value: unknown, what: string): number | null {
  if (value === null) return null;
  if (typeof value !== "number") {
    throw new TypeError(`${what} must be a number of milliseconds or null, got ${describeValue(value)}`);
  }
  if (Number.isNaN(value)) throw new RangeError(`${what} must be a number of milliseconds or null, got NaN`);
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
  #timer: Timer | undefined;

  /** Use {@link timeout} or {@link timeoutAt}. */
  constructor(when: number | null, options?: TimeoutOptions, delay?: number) {
    this.#when = checkTime(when, "deadline");
    this.#delay = delay;
    this.#parent = checkSignal(checkOptions(options)?.signal);
  }

  /** The signal that aborts when the deadline passes (or when the enclosing signal aborts). */
  get signal(): AbortSignal {
    const scope = this.#scope;
    if (scope === undefined) throw new RuntimeError("Timeout has not been entered");
    return scope.signal;
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
    const scope = childScope(parentFor(this.#parent));
    this.#scope = scope;
    // Scopes linked to this one may ask whether this deadline has passed (rule 64a).
    onDeadlineCheck(scope, this);
    if (this.#when !== null) this.#arm(this.#when);
    return this;
  }

  /** @internal Runs the block with this timeout's scope current (see src/asyncio/ambient.ts). */
  [runBlockSymbol]<R>(block: () => R): R {
    return runInScope(this.#scope as CancelScope, block);
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
    // Rule 63: Python converts when no other cancel is pending (`uncancel() <= _cancelling`).
    // Here: the signal's abort was ours, and no enclosing scope has aborted since (else the
    // block's abort is re-thrown as it is, and the enclosing scope decides: rule 64a).
    if (exc === undefined || !scope.abortedByOwn || scope.enclosingAborted()) return;
    const reason = scope.signal.reason;
    const timeoutError = new TimeoutError(describeReason(reason), { cause: reason });
    // Python: `issubclass(exc_type, CancelledError)`; a CancelledError re-thrown by an inner
    // scope that left the decision to us is one too.
    if (scope.isAbort(exc.error) || exc.error instanceof CancelledError) {
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
    // Delays beyond setTimeout's range are reached in steps (timer.ts).
    this.#timer = startTimer(() => this.#expire(), when - performance.now());
  }

  static {
    setDeadlineCheck((owner) => (owner as Timeout).#fireIfDue());
  }

  /** Fires the deadline now if it has passed but its timer has not run yet (see {@link CancelScope.enclosingAborted}). */
  #fireIfDue(): void {
    if (this.#state !== "active" || this.#when === null || performance.now() < this.#when) return;
    this.#clearTimer();
    this.#expire();
  }

  #clearTimer(): void {
    if (this.#timer === undefined) return;
    stopTimer(this.#timer);
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

// `instanceof` holds across the ESM and CJS copies of the library (src/identity.ts).
shareIdentity({ Timeout });
