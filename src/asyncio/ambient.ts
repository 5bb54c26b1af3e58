/**
 * The ambient cancel scope: which scope's signal the code running right now is inside.
 *
 * Python's `async with asyncio.timeout(5):` reaches every `await` inside the block however deep,
 * because cancellation follows the task. Here the same reach comes from an async context
 * variable holding the innermost scope: entering `timeout`, `timeoutAt`,
 * `TaskGroup`, `CancelScope` or `moveOnAfter` through `asyncWith` runs the block (and the tasks a
 * group starts) with that signal current, a scope entered inside links to it, and every wait of
 * the library that is given no `signal` observes it.
 *
 * The variable is a native `AsyncContext.Variable` where the runtime has one, else Node's
 * `AsyncLocalStorage` (Node, Deno and Bun all provide `node:async_hooks`), read through
 * `process.getBuiltinModule` so that this entry point imports no `node:` module and still loads
 * in a browser. Where neither exists, no scope is ever current and explicit signals work as
 * before.
 *
 * Cost: the variable is created on the first scope entry, never at import, so a program that
 * never enters a scope pays nothing (on Node 20 a live `AsyncLocalStorage` switches on promise
 * hooks for the whole process; see BENCHMARKS.md). One variable serves the whole process, shared
 * through a `Symbol.for` key on `globalThis`, so that the ESM and CJS builds loaded side by side
 * see each other's scopes.
 *
 * @module
 */

import { refusal, type WaitOptions } from "./waiters.js";

/**
 * What the variable holds: the innermost scope, asked for its `signal` only when something
 * needs one (a wait, `currentSignal()`). A scope whose signal nobody asks for costs no
 * `AbortSignal`, which on Node 20 is about 4 µs each (a `TaskGroup`'s tasks, most blocks).
 */
export interface AmbientScope {
  readonly signal: AbortSignal;
  /** Whether the scope has aborted, answered without making its signal (a `CancelScope`'s). */
  readonly aborted?: boolean;
}

/** The part of `AsyncLocalStorage` / `AsyncContext.Variable` the library uses. */
interface ScopeStore {
  get(): AmbientScope | undefined;
  run<R>(scope: AmbientScope, fn: () => R): R;
  /**
   * Switches the storage off while no scope runs, where a live storage slows the whole process
   * (Node before 24: promise hooks); the next `run` switches it on again.
   */
  idle?: (() => void) | undefined;
}

/** The process-wide record: `store` is made on first use; `unavailable` once it cannot be. */
interface Shared {
  store: ScopeStore | undefined;
  unavailable: boolean;
  /** Blocks and tasks running with a scope current, counted only when the store can idle. */
  active: number;
}

const SHARED_KEY = Symbol.for("contextlib-ts.ambient-scope");

const registry = globalThis as { [SHARED_KEY]?: Shared };

/** This build's handle on the record, once it exists (made by whichever build enters a scope first). */
let shared: Shared | undefined;

/**
 * The current scope, without making anything: nothing exists until a scope is entered.
 *
 * @internal
 */
export function currentScope(): AmbientScope | undefined {
  if (shared === undefined) {
    shared = registry[SHARED_KEY];
    if (shared === undefined) return undefined;
  }
  return shared.store?.get();
}

interface AsyncContextVariable {
  get(): unknown;
  run<R>(value: unknown, fn: () => R): R;
}

interface AsyncLocalStorageLike {
  getStore(): unknown;
  run<R>(store: unknown, fn: () => R): R;
  disable?: () => void;
}

interface ProcessLike {
  getBuiltinModule?: (id: string) => unknown;
  versions?: { node?: string; deno?: string; bun?: string };
}

/**
 * Whether `AsyncLocalStorage` runs on async hooks here: Node before 24 (Node 24 made
 * `AsyncContextFrame` the default). Deno and Bun build theirs on the engine's context.
 */
function hookBased(process: ProcessLike): boolean {
  const versions = process.versions;
  if (versions?.deno !== undefined || versions?.bun !== undefined) return false;
  return Number(versions?.node?.split(".")[0]) < 24;
}

/** Makes the variable: native `AsyncContext.Variable`, else `AsyncLocalStorage`, else nothing. */
function createStore(): ScopeStore | undefined {
  const scope = globalThis as {
    AsyncContext?: { Variable?: new () => AsyncContextVariable };
    process?: ProcessLike;
  };
  const Variable = scope.AsyncContext?.Variable;
  if (typeof Variable === "function") {
    const variable = new Variable();
    return {
      get: () => variable.get() as AmbientScope | undefined,
      run: (scope, fn) => variable.run(scope, fn),
    };
  }
  let hooks: { AsyncLocalStorage?: new () => AsyncLocalStorageLike } | undefined;
  try {
    hooks = scope.process?.getBuiltinModule?.("node:async_hooks") as typeof hooks;
  } catch {
    hooks = undefined;
  }
  const Storage = hooks?.AsyncLocalStorage;
  if (typeof Storage !== "function") return undefined;
  const storage = new Storage();
  const disable = storage.disable;
  return {
    get: () => storage.getStore() as AmbientScope | undefined,
    run: (scope, fn) => storage.run(scope, fn),
    idle:
      typeof disable === "function" && hookBased(scope.process as ProcessLike)
        ? () => disable.call(storage)
        : undefined,
  };
}

/**
 * The signal of the innermost cancel scope the calling code runs in, or `undefined` outside
 * every scope (and on runtimes without async context, such as browsers today). Pass it to work
 * the library does not own so that it is cancelled with the scope.
 *
 * @example
 * ```ts
 * await asyncWith(timeout(5000), async () => {
 *   const res = await fetch(url, { signal: currentSignal() }); // aborted when the 5 s pass
 *   return res.json();
 * });
 * ```
 */
export function currentSignal(): AbortSignal | undefined {
  return currentScope()?.signal;
}

/**
 * Runs `fn` with `scope` current, for `fn`'s synchronous part and every continuation it
 * schedules. Makes the variable on first use.
 *
 * @internal
 */
export function runInScope<R>(scope: AmbientScope, fn: () => R): R {
  if (shared === undefined) {
    shared = registry[SHARED_KEY] ?? { store: undefined, unavailable: false, active: 0 };
    registry[SHARED_KEY] = shared;
  }
  let store = shared.store;
  if (store === undefined) {
    if (shared.unavailable) return fn();
    store = createStore();
    if (store === undefined) {
      shared.unavailable = true;
      return fn();
    }
    shared.store = store;
  }
  if (store.idle === undefined) return store.run(scope, fn);
  // Count the block until it settles; when none is left, the storage idles. A thenable that
  // is not a promise is never counted out, so the storage stays on rather than go off early.
  const record = shared;
  record.active++;
  const leave = (): void => {
    if (--record.active === 0) record.store?.idle?.();
  };
  let result: R;
  try {
    result = store.run(scope, fn);
  } catch (error) {
    leave();
    throw error;
  }
  if (result instanceof Promise) result.then(leave, leave);
  else if (!isThenable(result)) leave();
  return result;
}

function isThenable(value: unknown): boolean {
  return (
    (typeof value === "object" || typeof value === "function") &&
    value !== null &&
    typeof (value as { then?: unknown }).then === "function"
  );
}

/**
 * A wait's options with the current scope's signal filled in when none was given: the one
 * place where the library's waits (locks, semaphores, condition, event, barrier, pool) observe
 * the ambient scope. Returns `options` itself outside every scope, allocating nothing.
 *
 * @internal
 */
export function withCurrentSignal<O extends WaitOptions>(options: O | undefined): O | WaitOptions | undefined {
  if (options !== undefined && (typeof options !== "object" || options === null || options.signal !== undefined)) {
    return options; // given a signal, or not options at all: the caller's checks say so
  }
  const current = currentScope();
  if (current === undefined) return options;
  const signal = current.signal;
  return options === undefined ? { signal } : { ...options, signal };
}

/**
 * The reason a wait must not start ({@link refusal}), counting the current scope's abort when
 * the options name no signal, without making that scope's signal: what a wait that may not
 * need to queue checks first (a free lock, an idle pool resource, a set event), so that it
 * costs no `AbortSignal`. A wait that must queue then calls {@link withCurrentSignal}.
 *
 * @internal
 */
export function refusalInScope(options: WaitOptions | undefined): { reason: unknown } | undefined {
  const refused = refusal(options);
  if (refused !== undefined || options?.signal !== undefined) return refused;
  const current = currentScope();
  if (current === undefined || !(current.aborted ?? current.signal.aborted)) return undefined;
  return { reason: current.signal.reason };
}

let neverAborted: WaitOptions | undefined;

/**
 * Options of a wait that must not end early, not even with the current scope (Condition's
 * re-acquire, rule 78): a signal that never aborts. Made on first use, never at import.
 *
 * @internal
 */
export function waitToTheEnd(): WaitOptions {
  neverAborted ??= Object.freeze({ signal: new AbortController().signal });
  return neverAborted;
}

/**
 * The key of the method by which a scope runs its block: `asyncWith` calls
 * `manager[runBlockSymbol](block)` instead of `block()` when the manager has one, so that the
 * block runs with the scope current. A registry symbol, so that both builds agree on it.
 *
 * @internal
 */
export const runBlockSymbol: unique symbol = Symbol.for("contextlib-ts.runBlock") as never;
