/**
 * The cancel scope: the cancellation model `timeout`, `timeoutAt` and `TaskGroup` share.
 *
 * Python cancels by throwing `CancelledError` at a task's current `await` and counts pending
 * cancels so that each scope can tell its own cancel from somebody else's (as asyncio's
 * `Task.cancelling()` / `uncancel()` let `timeout` and `TaskGroup` do). JavaScript cannot inject an error at another function's `await`, so here
 * cancellation is cooperative: a scope owns an `AbortController`, hands its `signal` to the
 * work inside, and that work rejects when the signal aborts. The count becomes a question the
 * scope can answer exactly: was the signal aborted by this scope itself, or by its parent?
 *
 * @module
 */
import { shareIdentity } from "../identity.js";

const NOT_ABORTED: unique symbol = Symbol("not aborted");

/** How many `cause` links {@link CancelScope.isAbort} follows before giving up (cycles are cut too). */
const MAX_CAUSE_DEPTH = 32;

/**
 * One level of cancellation: an `AbortSignal` linked to an optional parent signal, which
 * remembers whether it was aborted by its own {@link CancelScope.abort} or from outside.
 *
 * - An abort of the parent aborts this scope's signal with the parent's very reason, so an
 *   abort keeps its identity all the way down a chain of scopes.
 * - Only the first abort counts: a signal is aborted once, for one reason.
 * - {@link CancelScope.close} removes the listener the link added; call it when the scope ends.
 *
 * @example
 * ```ts
 * const scope = new CancelScope(callerSignal);
 * try {
 *   await fetch(url, { signal: scope.signal });
 * } catch (error) {
 *   if (scope.abortedByOwn && scope.isAbort(error)) { … } // our own abort, not the caller's
 *   throw error;
 * } finally {
 *   scope.close();
 * }
 * ```
 */
export class CancelScope {
  readonly #controller = new AbortController();
  /** The reason this scope's own `abort()` used, when that is what aborted the signal. */
  #ownReason: unknown = NOT_ABORTED;
  #parent: AbortSignal | undefined;
  #onParentAbort: (() => void) | undefined;

  /** The signal to hand to the work inside the scope. */
  readonly signal: AbortSignal = this.#controller.signal;

  constructor(parent?: AbortSignal) {
    if (parent === undefined) return;
    if (parent.aborted) {
      this.#controller.abort(parent.reason);
      return;
    }
    this.#parent = parent;
    this.#onParentAbort = () => {
      this.#unlink();
      this.#controller.abort(parent.reason);
    };
    parent.addEventListener("abort", this.#onParentAbort);
  }

  /**
   * Aborts the scope's signal with `reason`, as this scope's own decision. Returns `false`, and
   * changes nothing, when the signal was already aborted (by this scope or from outside).
   */
  abort(reason: unknown): boolean {
    if (this.#controller.signal.aborted) return false;
    this.#ownReason = reason;
    this.#unlink();
    this.#controller.abort(reason);
    return true;
  }

  /** Whether the signal is aborted, whoever aborted it. */
  get aborted(): boolean {
    return this.#controller.signal.aborted;
  }

  /** Whether this scope's own {@link CancelScope.abort} is what aborted the signal. */
  get abortedByOwn(): boolean {
    return this.#ownReason !== NOT_ABORTED;
  }

  /** Whether the signal was aborted from outside: by the parent signal, not by this scope. */
  get abortedFromOutside(): boolean {
    return this.#controller.signal.aborted && this.#ownReason === NOT_ABORTED;
  }

  /**
   * Whether `error` is this scope's abort arriving back, i.e. the work gave up because the
   * signal aborted rather than for a reason of its own. True when the signal is aborted and
   * `error` is its very reason (`signal.throwIfAborted()`, `fetch`), or has that reason in its
   * `cause` chain (the `AbortError` of Node's `timers/promises`, `events.once`, streams), or is
   * an error named `"AbortError"`, the generic shape runtimes reject with for an aborted signal.
   * Any other error, even one thrown after the abort (say from a `finally`), is a real failure.
   */
  isAbort(error: unknown): boolean {
    const signal = this.#controller.signal;
    return signal.aborted && isAbortOf(error, signal.reason);
  }

  /** Ends the scope: removes the link to the parent so an abort no longer reaches it. Idempotent. */
  close(): void {
    this.#unlink();
  }

  #unlink(): void {
    if (this.#onParentAbort === undefined) return;
    this.#parent?.removeEventListener("abort", this.#onParentAbort);
    this.#parent = undefined;
    this.#onParentAbort = undefined;
  }
}

/** See {@link CancelScope.isAbort}: `error` is `reason`, was caused by it, or is a generic `AbortError`. */
function isAbortOf(error: unknown, reason: unknown): boolean {
  if (error === reason) return true;
  if (typeof error !== "object" || error === null) return false;
  // A hostile getter (or proxy) on the error must not derail the scope's bookkeeping: an
  // error that cannot be inspected is not an abort.
  try {
    if ((error as { name?: unknown }).name === "AbortError") return true;
    let current: unknown = error;
    for (let depth = 0; depth < MAX_CAUSE_DEPTH; depth++) {
      if (typeof current !== "object" || current === null || !("cause" in current)) return false;
      current = (current as { cause?: unknown }).cause;
      if (current === reason) return true;
    }
  } catch {
    return false;
  }
  return false;
}

/** @internal A short description of a thrown value for abort messages: an error's message, or the value. */
export function describeError(error: unknown): string {
  try {
    if (error instanceof Error) return error.message === "" ? error.name : error.message;
    return String(error);
  } catch {
    return "<unprintable error>";
  }
}

// `instanceof` holds across the ESM and CJS copies of the library (src/identity.ts).
shareIdentity({ CancelScope });
