/**
 * The cancel scope: the cancellation model `timeout`, `timeoutAt` and `TaskGroup` share.
 *
 * Python cancels by throwing `CancelledError` at a task's current `await` and counts pending
 * cancels so that each scope can tell its own cancel from somebody else's (as asyncio's
 * `Task.cancelling()` / `uncancel()` let `timeout` and `TaskGroup` do). JavaScript cannot inject an error at another function's `await`, so here
 * cancellation is cooperative: a scope owns an `AbortController`, hands its `signal` to the
 * work inside, and that work rejects when the signal aborts. The count becomes two questions
 * the scope can answer exactly: was the signal aborted by this scope itself or by its parent
 * ({@link CancelScope.abortedByOwn}), and has an enclosing scope aborted too
 * ({@link CancelScope.enclosingAborted}, Python's `uncancel() > snapshot`)?
 *
 * Scopes form a tree. A scope whose parent signal belongs to another scope is that scope's
 * child: the parent reaches it through a set, in O(1) per link and without an `abort` listener,
 * so a `TaskGroup` of any size adds no listener to any signal. Only a signal from outside the
 * library (a caller's `AbortController`) is linked with a listener.
 *
 * @module
 */
import { shareIdentity } from "../identity.js";

import { checkSignal } from "../validate.js";

/** How many `cause` links {@link CancelScope.isAbort} follows before giving up (cycles are cut too). */
const MAX_CAUSE_DEPTH = 32;

/** The scope each library-made signal belongs to: a scope given such a signal links to the scope. */
const scopeOfSignal = new WeakMap<AbortSignal, CancelScope>();

/** @internal Lets a deadline-owning scope (a `Timeout`'s) fire its passed deadline when an inner scope asks. */
export let onDeadlineCheck: (scope: CancelScope, check: () => void) => void;

/**
 * @internal Marks the scope of a task: the root of a separate flow of work. Python counts
 * cancels per task, so an inner scope's question "has an enclosing scope aborted too?" does
 * not fire deadlines beyond its own task (an enclosing deadline cancels the parent task, and
 * reaches this task only through its group's abort).
 */
export let markTaskScope: (scope: CancelScope) => void;

/**
 * One level of cancellation: an `AbortSignal` linked to an optional parent signal, which
 * remembers whether it was aborted by its own {@link CancelScope.abort} or from outside.
 *
 * - An abort of the parent aborts this scope's signal with the parent's very reason, so an
 *   abort keeps its identity all the way down a chain of scopes.
 * - Only the first abort counts: a signal is aborted once, for one reason.
 * - {@link CancelScope.close} removes the link to the parent; call it when the scope ends.
 * - The `AbortController` behind {@link CancelScope.signal} is made on first use: a scope whose
 *   signal nobody asks for costs no `AbortSignal`.
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
  #controller: AbortController | undefined;
  #aborted = false;
  #reason: unknown;
  #own = false;
  /** The enclosing scope or foreign signal, kept after unlinking for {@link CancelScope.enclosingAborted}. */
  readonly #parentScope: CancelScope | undefined;
  readonly #parentSignal: AbortSignal | undefined;
  /** Whether this scope is still in its parent's children, or listening to its parent signal. */
  #linked = false;
  #onParentAbort: (() => void) | undefined;
  #children: Set<CancelScope> | undefined;
  #taskRoot = false;
  #deadlineCheck: (() => void) | undefined;

  static {
    markTaskScope = (scope) => {
      scope.#taskRoot = true;
    };
    onDeadlineCheck = (scope, check) => {
      scope.#deadlineCheck = check;
    };
  }

  constructor(parent?: AbortSignal) {
    checkSignal(parent, "parent");
    if (parent === undefined) return;
    const parentScope = scopeOfSignal.get(parent);
    if (parentScope !== undefined) {
      this.#parentScope = parentScope;
      if (parentScope.#aborted) {
        this.#abortWith(parentScope.#reason, false);
        return;
      }
      parentScope.#children ??= new Set();
      parentScope.#children.add(this);
      this.#linked = true;
      return;
    }
    this.#parentSignal = parent;
    if (parent.aborted) {
      this.#abortWith(parent.reason, false);
      return;
    }
    this.#onParentAbort = () => this.#abortWith(parent.reason, false);
    parent.addEventListener("abort", this.#onParentAbort);
    this.#linked = true;
  }

  /** The signal to hand to the work inside the scope. */
  get signal(): AbortSignal {
    let controller = this.#controller;
    if (controller === undefined) {
      controller = new AbortController();
      this.#controller = controller;
      if (this.#aborted) controller.abort(this.#reason);
      scopeOfSignal.set(controller.signal, this);
    }
    return controller.signal;
  }

  /**
   * Aborts the scope's signal with `reason`, as this scope's own decision. Returns `false`, and
   * changes nothing, when the signal was already aborted (by this scope or from outside).
   */
  abort(reason: unknown): boolean {
    // As `AbortController.abort()`: no reason means a generic `AbortError`.
    return this.#abortWith(
      reason === undefined ? new DOMException("This operation was aborted", "AbortError") : reason,
      true,
    );
  }

  /** Whether the signal is aborted, whoever aborted it. */
  get aborted(): boolean {
    return this.#aborted;
  }

  /** Whether this scope's own {@link CancelScope.abort} is what aborted the signal. */
  get abortedByOwn(): boolean {
    return this.#own;
  }

  /** Whether the signal was aborted from outside: by the parent signal, not by this scope. */
  get abortedFromOutside(): boolean {
    return this.#aborted && !this.#own;
  }

  /**
   * Whether the parent signal has aborted too, even when this scope's own abort came first
   * (Python's "another cancel is pending": `uncancel()` above the scope's snapshot). A scope
   * that aborted itself uses this to leave the decision to the enclosing scope. Enclosing
   * deadlines of the same task (up to the nearest `TaskGroup` task) that have passed but whose
   * timers have not run yet fire first, because Python's loop runs every due timer before the
   * task resumes.
   */
  enclosingAborted(): boolean {
    const parentScope = this.#parentScope;
    if (parentScope === undefined) return this.#parentSignal?.aborted === true;
    const chain: CancelScope[] = [];
    for (let scope: CancelScope | undefined = parentScope; scope !== undefined; scope = scope.#parentScope) {
      if (scope.#taskRoot) break;
      chain.push(scope);
    }
    // Outermost first: an outer deadline's abort reaches the inner scopes from outside.
    for (let i = chain.length - 1; i >= 0; i--) (chain[i] as CancelScope).#deadlineCheck?.();
    return parentScope.#aborted;
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
    return this.#aborted && isAbortOf(error, this.#reason);
  }

  /** Ends the scope: removes the link to the parent so an abort no longer reaches it. Idempotent. */
  close(): void {
    this.#unlink();
  }

  #abortWith(reason: unknown, own: boolean): boolean {
    if (this.#aborted) return false;
    this.#aborted = true;
    this.#reason = reason;
    this.#own = own;
    this.#unlink();
    this.#controller?.abort(reason);
    // The parent's very reason, all the way down; a child added meanwhile saw us aborted.
    const children = this.#children;
    if (children !== undefined) {
      this.#children = undefined;
      for (const child of children) {
        child.#linked = false;
        child.#abortWith(reason, false);
      }
    }
    return true;
  }

  #unlink(): void {
    if (!this.#linked) return;
    this.#linked = false;
    if (this.#onParentAbort !== undefined) {
      this.#parentSignal?.removeEventListener("abort", this.#onParentAbort);
      this.#onParentAbort = undefined;
    } else if (this.#parentScope !== undefined) {
      this.#parentScope.#children?.delete(this);
    }
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
