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
 * A `CancelScope` is also trio's and anyio's cancel scope as an async manager
 * (`new CancelScope({ deadline, shield })`, `moveOnAfter`, `moveOnAt`): entered, it links to the
 * current scope (src/asyncio/ambient.ts) unless shielded, runs its block with itself current,
 * and on exit swallows its own cancellation, never an outer one.
 *
 * @module
 */

import { RuntimeError } from "../errors.js";
import { shareIdentity } from "../identity.js";
import type { AsyncContextManager, ExcInfo } from "../protocol.js";
import { checkOptions, checkSignal, describeValue, isAbortSignal } from "../validate.js";
import { type AmbientScope, currentScope, runBlockSymbol, runInScope } from "./ambient.js";
import { CancelledError } from "./errors.js";
import { startTimer, stopTimer, type Timer } from "./timer.js";

/** How many `cause` links {@link CancelScope.isAbort} follows before giving up (cycles are cut too). */
const MAX_CAUSE_DEPTH = 32;

/**
 * The scope each signal of a scope made with `new CancelScope` belongs to, so that a scope
 * given such a signal links to the scope, without a listener. The scopes the library makes
 * for itself (`timeout`, `TaskGroup` and its tasks) are not entered here: a `WeakMap` entry
 * per short-lived signal costs more than the signal on Node 24 (its collector work made a
 * `timeout()` 5× slower in a loop), and their signals, passed on explicitly, are found on the
 * chain of current scopes instead ({@link CancelScope.#enclosingOwner}).
 */
const scopeOfSignal = new WeakMap<AbortSignal, CancelScope>();

/** What a scope links to: a signal, or a scope (the current one, whose signal need not exist). */
type Parent = AbortSignal | AmbientScope;

/**
 * @internal A new scope linked to `parent`: what `timeout`, `TaskGroup` and its tasks use, so
 * that linking to a scope of this library never makes that scope's signal.
 */
export let childScope: (parent: Parent | undefined) => CancelScope;

/**
 * @internal Lets a deadline-owning scope (a `Timeout`'s) fire its passed deadline when an inner
 * scope asks: `owner` is the object whose deadline it is. One function, given once by
 * {@link setDeadlineCheck}, fires an owner's deadline if due, so a timeout allocates no closure.
 */
export let onDeadlineCheck: (scope: CancelScope, owner: object) => void;

/** Fires a deadline owner's passed deadline (the one kind of owner, `Timeout`, sets it). */
let fireIfDue: ((owner: object) => void) | undefined;

/** @internal Called once by the deadline owners' class (`Timeout`) with the function that fires one. */
export function setDeadlineCheck(check: (owner: object) => void): void {
  fireIfDue = check;
}

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
 *   // Our own abort is handled here; the caller's, and any other error, goes on.
 *   if (!(scope.abortedByOwn && scope.isAbort(error))) throw error;
 * } finally {
 *   scope.close();
 * }
 *
 * // As a manager (trio's CancelScope): the block ends quietly when the scope cancels itself.
 * const polling = new CancelScope({ deadline: performance.now() + 1000 });
 * await asyncWith(polling, async (s) => {
 *   await poll(s.signal); // the work observes the scope's signal
 *   s.cancel(); // or let the deadline pass
 * });
 * polling.cancelledCaught; // whether its own cancellation ended the block
 * ```
 */
export class CancelScope implements AsyncContextManager<CancelScope, boolean> {
  #controller: AbortController | undefined;
  #aborted = false;
  #reason: unknown;
  #own = false;
  /** The enclosing scope or foreign signal, kept after unlinking for {@link CancelScope.enclosingAborted}. */
  #parentScope: CancelScope | undefined;
  #parentSignal: AbortSignal | undefined;
  /** Whether this scope is still in its parent's children, or listening to its parent signal. */
  #linked = false;
  #onParentAbort: (() => void) | undefined;
  /**
   * The linked children, in the order they linked: an intrusive list (O(1) link and unlink,
   * no allocation), as a `TaskGroup` links and unlinks one scope per task.
   */
  #firstChild: CancelScope | undefined;
  #lastChild: CancelScope | undefined;
  #previousSibling: CancelScope | undefined;
  #nextSibling: CancelScope | undefined;
  #taskRoot = false;
  /** Whether its signal goes into `scopeOfSignal` (a scope made with `new CancelScope`). */
  #registered = true;
  #deadlineOwner: object | undefined;

  static {
    childScope = (parent) => {
      const scope = new CancelScope();
      scope.#registered = false;
      if (parent !== undefined) scope.#link(parent);
      return scope;
    };
    markTaskScope = (scope) => {
      scope.#taskRoot = true;
    };
    onDeadlineCheck = (scope, owner) => {
      scope.#deadlineOwner = owner;
    };
  }

  /**
   * @param parent a signal to link to at once (the low-level use), or the options of a scope
   *   used as an async manager: `deadline`, `shield`, and a `signal` linked on entry.
   */
  constructor(parent?: AbortSignal | CancelScopeOptions) {
    if (parent === undefined) return;
    if (!isAbortSignal(parent)) {
      // Options are a plain object; an AbortController (its `signal` is meant) is a mistake.
      if (
        typeof parent !== "object" ||
        parent === null ||
        typeof (parent as { abort?: unknown }).abort === "function"
      ) {
        throw new TypeError(
          `parent must be an AbortSignal, CancelScope options or undefined, got ${describeValue(parent)}`,
        );
      }
      this.#manager = new ManagerState(parent);
      return;
    }
    this.#link(parent);
  }

  /** Links this scope to `parent`: a library scope through its children, any other signal with a listener. */
  #link(parent: Parent): void {
    this.#parentScope = undefined;
    this.#parentSignal = undefined;
    // A scope of this build is linked as itself; anything else through its signal, to the
    // scope that owns that signal when there is one.
    if (#firstChild in parent) {
      this.#linkToScope(parent);
      return;
    }
    const signal = isAbortSignal(parent) ? parent : parent.signal;
    const owner = CancelScope.#ownerOf(signal);
    if (owner !== undefined) {
      this.#linkToScope(owner);
      return;
    }
    this.#parentSignal = signal;
    if (signal.aborted) {
      this.#abortWith(signal.reason, false);
      return;
    }
    this.#onParentAbort = () => this.#abortWith(signal.reason, false);
    signal.addEventListener("abort", this.#onParentAbort);
    this.#linked = true;
  }

  /** Joins `parentScope`'s children (or aborts at once with it, when it already has). */
  #linkToScope(parentScope: CancelScope): void {
    this.#parentScope = parentScope;
    if (parentScope.#aborted) {
      this.#abortWith(parentScope.#reason, false);
      return;
    }
    const last = parentScope.#lastChild;
    this.#previousSibling = last;
    if (last === undefined) parentScope.#firstChild = this;
    else last.#nextSibling = this;
    parentScope.#lastChild = this;
    this.#linked = true;
  }

  /**
   * The scope of this build whose signal `signal` is, if any. A scope of the other build (ESM
   * beside CJS) is linked through its signal, as any foreign one.
   */
  static #ownerOf(signal: AbortSignal): CancelScope | undefined {
    return scopeOfSignal.get(signal) ?? CancelScope.#enclosingOwner(signal);
  }

  /**
   * The scope among the current one and those enclosing it whose signal `signal` is: the
   * signal a block passes on explicitly (`timeout(ms, { signal: tg.signal })`) is almost
   * always an enclosing scope's. Found by walking the chain, because marking each signal with
   * its scope costs more than the signal on some runtimes (a `WeakMap` entry: 200 ns and
   * collector work on Node 24; a property on Node 20's signals: 3–6 µs).
   */
  static #enclosingOwner(signal: AbortSignal): CancelScope | undefined {
    const current = currentScope();
    if (current === undefined || !(#firstChild in current)) return undefined;
    for (let scope: CancelScope | undefined = current; scope !== undefined; scope = scope.#parentScope) {
      if (scope.#controller?.signal === signal) return scope;
    }
    return undefined;
  }

  /** The signal to hand to the work inside the scope. */
  get signal(): AbortSignal {
    let controller = this.#controller;
    if (controller === undefined) {
      controller = new AbortController();
      this.#controller = controller;
      if (this.#aborted) controller.abort(this.#reason);
      if (this.#registered) scopeOfSignal.set(controller.signal, this);
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
    for (let i = chain.length - 1; i >= 0; i--) {
      const scope = chain[i] as CancelScope;
      if (scope.#deadlineOwner !== undefined) fireIfDue?.(scope.#deadlineOwner);
    }
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
    // The parent's very reason, all the way down; a child added meanwhile saw us aborted. The
    // children are all detached first, so that abort listeners closing scopes meanwhile find
    // no list to change.
    if (this.#firstChild !== undefined) {
      const children: CancelScope[] = [];
      for (let child: CancelScope | undefined = this.#firstChild; child !== undefined; child = child.#nextSibling) {
        children.push(child);
      }
      this.#firstChild = undefined;
      this.#lastChild = undefined;
      for (const child of children) {
        child.#linked = false;
        child.#previousSibling = undefined;
        child.#nextSibling = undefined;
      }
      for (const child of children) child.#abortWith(reason, false);
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
      const parent = this.#parentScope;
      const previous = this.#previousSibling;
      const next = this.#nextSibling;
      if (previous === undefined) parent.#firstChild = next;
      else previous.#nextSibling = next;
      if (next === undefined) parent.#lastChild = previous;
      else next.#previousSibling = previous;
      this.#previousSibling = undefined;
      this.#nextSibling = undefined;
    }
  }

  // -- The scope as an async manager: trio/anyio's CancelScope ---------------------------------

  /** The manager's state; made on first use, so the scopes the library keeps per task stay small. */
  #manager: ManagerState | undefined;

  #state(): ManagerState {
    if (this.#manager === undefined) {
      // A scope made with a signal is already linked to it; entering relinks to the same parent.
      this.#manager = new ManagerState({ signal: this.#parentScope?.signal ?? this.#parentSignal });
    }
    return this.#manager;
  }

  /**
   * Cancels the scope (trio/anyio's `cancel_scope.cancel()`): its signal aborts with `reason` (a
   * {@link CancelledError} by default), so every wait inside ends, and the block's rejection with
   * that abort is swallowed when the scope exits. Calling it again, or after the scope's signal
   * was aborted from outside, changes nothing but {@link CancelScope.cancelCalled}.
   */
  cancel(reason: unknown = new CancelledError("CancelScope cancelled")): void {
    this.#state().cancelCalled = true;
    this.abort(reason);
  }

  /** Whether {@link CancelScope.cancel} was called or the scope's deadline passed (trio's `cancel_called`). */
  get cancelCalled(): boolean {
    return this.#manager?.cancelCalled === true;
  }

  /**
   * Whether the scope's exit swallowed its own cancellation: the block was ended by this scope's
   * `cancel()` or deadline (trio's `cancelled_caught`).
   */
  get cancelledCaught(): boolean {
    return this.#manager?.cancelledCaught === true;
  }

  /**
   * The time (`performance.now()` milliseconds) at which the scope cancels itself; `Infinity`,
   * the default, for never. It may be moved, earlier or later, before or inside the block; a
   * deadline already past cancels at once while the block runs.
   */
  get deadline(): number {
    return this.#manager?.deadline ?? Infinity;
  }

  set deadline(when: number) {
    const state = this.#state();
    state.deadline = checkDeadline(when);
    if (state.phase === "active") this.#armDeadline(state);
  }

  /**
   * Whether the scope keeps cancellation from outside out of its block (trio/anyio's `shield`):
   * while `true`, an abort of the enclosing scope (or of the `signal` option) does not reach
   * the block; the scope's own `cancel()` and deadline still do. May be changed inside the
   * block: turning it off lets an outer abort that already happened in at once.
   */
  get shield(): boolean {
    return this.#manager?.shield === true;
  }

  set shield(on: boolean) {
    checkShield(on);
    const state = this.#state();
    if (state.shield === on) return;
    state.shield = on;
    if (state.phase !== "active" || this.aborted) return;
    if (on) this.#unlink();
    else if (state.outer !== undefined) this.#link(state.outer);
  }

  /**
   * Enters the scope: links it to the enclosing scope (the current one, and the `signal`
   * option) unless shielded, and arms its deadline. The block runs with this scope current.
   * Single use.
   */
  aenter(): this {
    const state = this.#state();
    if (state.phase !== "created") throw new RuntimeError("CancelScope has already been entered");
    state.phase = "active";
    this.#unlink();
    state.outer = parentFor(state.signal);
    if (!state.shield && state.outer !== undefined) this.#link(state.outer);
    this.#armDeadline(state);
    return this;
  }

  /**
   * Leaves the scope: disarms the deadline, unlinks it, and swallows the block's error when it
   * is this scope's own cancellation arriving back (never an outer one): the `asyncWith` then
   * resolves to `undefined` and {@link CancelScope.cancelledCaught} is `true`.
   */
  aexit(exc?: ExcInfo): boolean {
    const state = this.#manager;
    if (state === undefined || state.phase !== "active") {
      throw new RuntimeError(
        state?.phase === "exited" ? "CancelScope has already been exited" : "CancelScope has not been entered",
      );
    }
    state.phase = "exited";
    state.disarm();
    this.#unlink();
    if (exc === undefined || !this.abortedByOwn || !this.isAbort(exc.error)) return false;
    state.cancelledCaught = true;
    return true;
  }

  /** @internal Runs the block with this scope current (see src/asyncio/ambient.ts). */
  [runBlockSymbol]<R>(block: () => R): R {
    return runInScope(this, block);
  }

  #armDeadline(state: ManagerState): void {
    state.disarm();
    if (this.aborted || state.deadline === Infinity) return;
    const delay = state.deadline - performance.now();
    if (delay <= 0) {
      this.#expire(state);
      return;
    }
    state.timer = startTimer(() => this.#expire(state), delay);
  }

  #expire(state: ManagerState): void {
    state.timer = undefined;
    state.cancelCalled = true;
    this.abort(new CancelledError("CancelScope deadline expired"));
  }
}

/**
 * Options of a {@link CancelScope} used as an async manager.
 *
 * @example
 * ```ts
 * await asyncWith(new CancelScope({ deadline: performance.now() + 1000 }), (s) => poll(s.signal));
 * await asyncWith(new CancelScope({ shield: true }), () => conn.close()); // outer aborts stay out
 * ```
 */
export interface CancelScopeOptions {
  /** When the scope cancels itself, on the `performance.now()` clock; `Infinity` (default): never. */
  readonly deadline?: number | undefined;
  /** Keep cancellation from outside out of the block (the scope's own still applies). */
  readonly shield?: boolean | undefined;
  /** A signal from an enclosing scope, linked on entry together with the current scope. */
  readonly signal?: AbortSignal | undefined;
}

/** The manager-only state of a {@link CancelScope}. */
class ManagerState {
  phase: "created" | "active" | "exited" = "created";
  deadline: number;
  shield: boolean;
  readonly signal: AbortSignal | undefined;
  /** The parent computed on entry: the `signal` option and the current scope, combined. */
  outer: Parent | undefined = undefined;
  cancelCalled = false;
  cancelledCaught = false;
  timer: Timer | undefined = undefined;

  constructor(options: CancelScopeOptions) {
    if (typeof options !== "object" || options === null) {
      throw new TypeError(`CancelScope expects an AbortSignal or an options object, got ${describeValue(options)}`);
    }
    this.deadline = options.deadline === undefined ? Infinity : checkDeadline(options.deadline);
    this.shield = options.shield === undefined ? false : checkShield(options.shield);
    this.signal = checkSignal(options.signal);
  }

  disarm(): void {
    if (this.timer === undefined) return;
    stopTimer(this.timer);
    this.timer = undefined;
  }
}

function checkDeadline(when: unknown): number {
  if (typeof when !== "number") {
    throw new TypeError(`deadline must be a number of milliseconds, got ${describeValue(when)}`);
  }
  if (Number.isNaN(when)) throw new RangeError("deadline must not be NaN");
  return when;
}

function checkShield(on: unknown): boolean {
  if (typeof on !== "boolean") throw new TypeError(`shield must be a boolean, got ${describeValue(on)}`);
  return on;
}

/**
 * trio/anyio's `move_on_after(delay)`: a {@link CancelScope} that cancels itself `ms`
 * milliseconds from now; when that ends the block, the block ends quietly (the `asyncWith`
 * resolves to `undefined` and `cancelledCaught` is `true`). An outer cancellation still
 * propagates. `timeout(ms)` is the one that fails instead (trio's `fail_after`).
 *
 * @example
 * ```ts
 * const reply = await asyncWith(moveOnAfter(100), () => ask(server)); // undefined when too slow
 * ```
 */
export function moveOnAfter(ms: number, options?: Omit<CancelScopeOptions, "deadline">): CancelScope {
  if (typeof ms !== "number") throw new TypeError(`ms must be a number of milliseconds, got ${describeValue(ms)}`);
  return new CancelScope({ ...checkOptions(options), deadline: performance.now() + ms });
}

/**
 * trio/anyio's `move_on_at(deadline)`: like {@link moveOnAfter}, with an absolute deadline on the
 * `performance.now()` clock.
 *
 * @example
 * ```ts
 * const deadline = performance.now() + 1000;
 * await asyncWith(moveOnAt(deadline), () => drain(queue));
 * ```
 */
export function moveOnAt(deadline: number, options?: Omit<CancelScopeOptions, "deadline">): CancelScope {
  return new CancelScope({ ...checkOptions(options), deadline });
}

/**
 * @internal The parent a scope entered now links to: the explicit `signal` given to it, the
 * current scope, or both combined (either one aborting aborts the scope, with its own reason).
 */
export function parentFor(explicit: AbortSignal | undefined): Parent | undefined {
  const current = currentScope();
  if (current === undefined) return explicit;
  if (explicit === undefined) return current;
  const signal = current.signal;
  return signal === explicit ? current : AbortSignal.any([explicit, signal]);
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
