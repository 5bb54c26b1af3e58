/**
 * `AsyncExitStack`: Python's `contextlib.AsyncExitStack` and ECMA-262's `AsyncDisposableStack`
 * in one class.
 *
 * @module
 */

import { shareIdentity } from "../identity.js";
import type { AsyncContextManager, ContextManager, ExcInfo } from "../protocol.js";
import { asyncDisposeSymbol, disposeSymbol, hasMethod } from "../protocol.js";
import {
  asyncDisposeMethod,
  disposedError,
  enterProtocolError,
  receiverError,
  requireCallable,
  syncDisposeMethod,
} from "./checks.js";
import type { ExitCallback, HasExit, SyncFunction } from "./exit-stack.js";
import { defineStackPrototype, enterSyncManager, fallBackToPrototype, moveEntries, pushExit } from "./shared.js";
import {
  ADOPT,
  ASYNC,
  addBareCallback,
  addEntry,
  CALL,
  DISPOSE,
  type Entries,
  EXIT,
  NULLISH,
  newEntries,
  unwindAsync,
} from "./unwind.js";

/**
 * An async exit callback for `pushAsyncExit`: like {@link ExitCallback}, its result awaited.
 *
 * @example
 * ```ts
 * const report: AsyncExitCallback = async (exc) => { if (exc) await sendReport(exc.error); };
 * ```
 */
export type AsyncExitCallback = (exc?: ExcInfo) => PromiseLike<boolean | void> | boolean | void;

/**
 * An object whose `aexit` method `pushAsyncExit` registers (its `aenter` is not called).
 *
 * @example
 * ```ts
 * stack.pushAsyncExit({ aexit: async () => { await flush(); } });
 * ```
 */
export interface HasAsyncExit {
  /**
   * Called and awaited exactly once when the stack unwinds, with `this` being the object: with
   * no argument when nothing failed, with `{ error }` for the pending error; resolving to
   * exactly `true` suppresses it.
   */
  aexit(exc?: ExcInfo): PromiseLike<boolean | void> | boolean | void;
}

const NAME = "AsyncExitStack";

/** The brand check (ECMA-262 RequireInternalSlot), set up inside the class where `#entries` is visible. */
let isAsyncExitStack: (value: unknown) => value is AsyncExitStack;

/**
 * A stack of sync and async cleanups, released last in first out, exactly once, awaiting each
 * async one. It speaks both languages:
 *
 * - **Python** (`contextlib.AsyncExitStack`, camelCase): `enterAsyncContext`, `enterContext`,
 *   `pushAsyncExit`, `push`, `pushAsyncCallback`, `callback`, `popAll`, `aclose`, and
 *   `aenter`/`aexit`, so it works with {@link asyncWith}. Unwinding through `aexit`/`aclose`
 *   follows Python: exit callbacks see the pending error and may suppress it with exactly
 *   `true`; a callback's error replaces the pending one, which is kept as its `errorContext`.
 * - **ECMA-262** (`AsyncDisposableStack`): `use`, `adopt`, `defer`, `move`, `disposeAsync`,
 *   `disposed` and `[Symbol.asyncDispose]` (the very same function as `disposeAsync`), so it
 *   works with `await using`. Unwinding through `disposeAsync` follows the specification,
 *   microtask for microtask: errors combine as `SuppressedError(newer, pending)`.
 *
 * The type parameter says whether the stack may suppress an error (an exit callback or a
 * manager on it returning `true`): `new AsyncExitStack()` is typed as one that does not, so
 * `asyncWith(new AsyncExitStack(), body)` results in the body's type; `new AsyncExitStack<true>()` results in
 * `R | undefined`. At run time the stack suppresses whenever a callback says so.
 *
 * @example
 * ```ts
 * // Python-style
 * await asyncWith(new AsyncExitStack(), async (stack) => {
 *   const conn = await stack.enterAsyncContext(connection("localhost", 5432));
 *   stack.callback(() => log("done"));
 * });
 *
 * // TC39-style
 * {
 *   await using stack = new AsyncExitStack();
 *   const conn = await stack.enterAsyncContext(connection("localhost", 5432));
 *   stack.defer(() => log("done"));
 * }
 * ```
 */
export class AsyncExitStack<Suppresses extends boolean = false>
  implements AsyncContextManager<AsyncExitStack<Suppresses>, Suppresses>, AsyncDisposableStack
{
  /** The registered entries, flat (see unwind.ts); a record so `popAll`/`move` can take them whole. */
  readonly #entries: Entries = newEntries();
  /** ECMA-262 [[AsyncDisposableState]]: pending until `disposeAsync` or `move`. */
  #disposed = false;

  static {
    isAsyncExitStack = (value): value is AsyncExitStack =>
      typeof value === "object" && value !== null && #entries in value;
    defineStackPrototype(this.prototype, asyncDisposeSymbol, this.prototype.disposeAsync, NAME);
  }

  /**
   * An empty stack.
   *
   * @example
   * ```ts
   * const stack = new AsyncExitStack();
   * ```
   */
  constructor() {
    // ECMA-262 OrdinaryCreateFromConstructor: see fallBackToPrototype.
    if (Object.getPrototypeOf(this) === Object.prototype)
      fallBackToPrototype(this, new.target, AsyncExitStack.prototype);
  }

  /** The receiver, brand-checked; and, for methods that add or take resources, not disposed. */
  static #receiver(stack: unknown, method: string, mustBeOpen: boolean): AsyncExitStack {
    if (!isAsyncExitStack(stack)) throw receiverError(NAME, method, stack);
    if (mustBeOpen && stack.#disposed) throw disposedError(NAME, method);
    return stack;
  }

  /**
   * Whether `stack` is an AsyncExitStack that takes resources: the pushes' fast path, one test
   * that throws nothing (#receiver then says what is wrong).
   */
  static #isOpen(stack: unknown): stack is AsyncExitStack {
    return typeof stack === "object" && stack !== null && #entries in stack && !stack.#disposed;
  }

  /** Reads `#disposed` for enterSyncManager, which cannot see it. */
  static #isDisposed(stack: AsyncExitStack): boolean {
    return stack.#disposed;
  }

  #add(kind: number, fn: unknown, datum: unknown): void {
    addEntry(this.#entries, kind, fn, datum);
  }

  // -- Python: contextlib.AsyncExitStack ---------------------------------------------------

  /**
   * Awaits `cm.aenter()` and pushes its `aexit`, resolving to what `aenter()` gave (Python's
   * `enter_async_context`). An `AsyncDisposable` or `Disposable` is accepted too, as
   * `await using` accepts it: it is the result, and its dispose method (read now, once) runs at
   * unwinding. A value with none of these is a `TypeError` naming its type (a sync manager is
   * pointed to `enterContext`), and nothing is pushed; nor when `aenter()` throws.
   *
   * @example
   * ```ts
   * const conn = await stack.enterAsyncContext(connection(host, port));
   * ```
   */
  enterAsyncContext<T>(cm: AsyncContextManager<T, boolean | void>): Promise<T>;
  enterAsyncContext<D extends AsyncDisposable | Disposable>(disposable: D): Promise<D>;
  async enterAsyncContext(cm: unknown): Promise<unknown> {
    const self = AsyncExitStack.#receiver(this, "enterAsyncContext", true);
    if (hasMethod(cm, "aenter") || hasMethod(cm, "aexit")) {
      // Rule 37: both methods are looked up before aenter runs.
      const { aenter, aexit } = cm as { aenter?: unknown; aexit?: unknown };
      if (typeof aenter !== "function" || typeof aexit !== "function") {
        throw enterProtocolError(cm, true, "enterContext");
      }
      const value: unknown = await aenter.call(cm);
      if (self.#disposed) {
        // Disposed while entering: nothing would ever exit `cm`, so exit it now.
        await aexit.call(cm);
        throw disposedError(NAME, "enterAsyncContext");
      }
      self.#add(EXIT | ASYNC, aexit, cm);
      return value;
    }
    if (hasMethod(cm, asyncDisposeSymbol) || hasMethod(cm, disposeSymbol)) {
      const [kind, method] = asyncDisposeMethod(cm, NAME, "enterAsyncContext");
      self.#add(kind, method, cm);
      return cm;
    }
    throw enterProtocolError(cm, true, "enterContext");
  }

  /**
   * Enters a sync manager and pushes its `exit` (Python's `enter_context`); a `Disposable` is
   * accepted too. Its exit runs at unwinding without being awaited.
   *
   * @example
   * ```ts
   * const ledger = stack.enterContext(openLedger());
   * ```
   */
  enterContext<T>(cm: ContextManager<T, boolean | void>): T;
  enterContext<D extends Disposable>(disposable: D): D;
  enterContext(cm: unknown): unknown {
    const self = AsyncExitStack.#receiver(this, "enterContext", true);
    if (hasMethod(cm, "enter") || hasMethod(cm, "exit")) {
      return enterSyncManager(self, self.#entries, AsyncExitStack.#isDisposed, cm, NAME, "enterAsyncContext");
    }
    if (hasMethod(cm, disposeSymbol)) {
      self.#add(DISPOSE, syncDisposeMethod(cm, NAME, "enterContext"), cm);
      return cm;
    }
    throw enterProtocolError(cm, false, "enterAsyncContext");
  }

  /**
   * Pushes an async exit callback (Python's `push_async_exit`): called with the pending error
   * as `{ error }` (or no argument), its result awaited; exactly `true` suppresses. An object
   * with an `aexit` method has that method pushed (its `aenter` is not called). Returns its
   * argument.
   *
   * @example
   * ```ts
   * stack.pushAsyncExit(async (exc) => { await report(exc?.error); });
   * ```
   */
  pushAsyncExit<F extends AsyncExitCallback>(exit: F): F;
  pushAsyncExit<M extends HasAsyncExit>(cm: M): M;
  pushAsyncExit(exit: unknown): unknown {
    const entries = AsyncExitStack.#receiver(this, "pushAsyncExit", true).#entries;
    pushExit(entries, EXIT | ASYNC, exit, "aexit", NAME, "pushAsyncExit");
    return exit;
  }

  /**
   * Pushes a sync exit callback, or an object's `exit` (Python's `push`); see `ExitStack.push`.
   * It is not awaited: one that returns a promise is a compile error, and at run time a
   * `TypeError` raised in its place (use `pushAsyncExit`).
   *
   * @example
   * ```ts
   * stack.push((exc) => exc?.error instanceof AbortError);
   * ```
   */
  push<F extends ExitCallback>(exit: F): F;
  push<M extends HasExit>(cm: M): M;
  push(exit: unknown): unknown {
    pushExit(AsyncExitStack.#receiver(this, "push", true).#entries, EXIT, exit, "exit", NAME, "push");
    return exit;
  }

  /**
   * Pushes `callback(...args)`, its result awaited at unwinding (Python's
   * `push_async_callback`). It cannot see or suppress errors. Returns `callback`.
   *
   * @typeParam F - The callback's type; `args` must match its parameters, and it is returned as given.
   *
   * @example
   * ```ts
   * stack.pushAsyncCallback(fs.promises.rm, tmp, { recursive: true });
   * ```
   */
  pushAsyncCallback<F extends (...args: any[]) => unknown>(callback: F, ...args: Parameters<F>): F;
  pushAsyncCallback(callback: unknown): unknown {
    // `arguments`, not a rest parameter: V8 11 (Node 20) allocates the rest array on every push.
    // biome-ignore lint/complexity/noArguments: only its length is read on the fast path.
    if (arguments.length < 2 && AsyncExitStack.#isOpen(this) && typeof callback === "function") {
      const entries = this.#entries;
      if (entries.bare === (CALL | ASYNC)) entries.list.push(callback);
      else addBareCallback(entries, CALL | ASYNC, callback);
      return callback;
    }
    const self = AsyncExitStack.#receiver(this, "pushAsyncCallback", true);
    requireCallable(callback, NAME, "pushAsyncCallback", "the callback");
    // biome-ignore lint/complexity/noArguments: the arguments after the callback, copied once.
    const args: unknown[] = Array.prototype.slice.call(arguments, 1);
    if (args.length === 0) addBareCallback(self.#entries, CALL | ASYNC, callback);
    else self.#add(CALL | ASYNC, callback, args);
    return callback;
  }

  /**
   * Pushes a sync `callback(...args)` (Python's `callback`); it is not awaited. Returns
   * `callback`. One that returns a promise is a compile error (use `pushAsyncCallback`), and at
   * run time a `TypeError` raised in its place, with the promise as its `cause`.
   *
   * @typeParam F - The callback's type; `args` must match its parameters, and it is returned as given.
   *
   * @example
   * ```ts
   * stack.callback(clearInterval, timer);
   * ```
   */
  callback<F extends (...args: any[]) => unknown>(callback: SyncFunction<F>, ...args: Parameters<F>): F;
  callback(callback: unknown): unknown {
    // `arguments`, not a rest parameter: V8 11 (Node 20) allocates the rest array on every push.
    // biome-ignore lint/complexity/noArguments: only its length is read on the fast path.
    if (arguments.length < 2 && AsyncExitStack.#isOpen(this) && typeof callback === "function") {
      const entries = this.#entries;
      if (entries.bare === CALL) entries.list.push(callback);
      else addBareCallback(entries, CALL, callback);
      return callback;
    }
    const self = AsyncExitStack.#receiver(this, "callback", true);
    requireCallable(callback, NAME, "callback", "the callback");
    // biome-ignore lint/complexity/noArguments: the arguments after the callback, copied once.
    const args: unknown[] = Array.prototype.slice.call(arguments, 1);
    if (args.length === 0) addBareCallback(self.#entries, CALL, callback);
    else self.#add(CALL, callback, args);
    return callback;
  }

  /**
   * Moves every entry to a new stack of the same class and leaves this one empty (Python's
   * `pop_all`); nothing runs now.
   *
   * @example
   * ```ts
   * const kept = await asyncWith(new AsyncExitStack(), async (stack) => {
   *   stack.enterContext(first());
   *   stack.enterContext(second());
   *   return stack.popAll();
   * });
   * ```
   */
  popAll(): this {
    const self = AsyncExitStack.#receiver(this, "popAll", true);
    const Class = self.constructor as new () => AsyncExitStack;
    const target = new Class();
    if (!isAsyncExitStack(target)) {
      throw new TypeError("AsyncExitStack.popAll: the constructor did not make an AsyncExitStack");
    }
    moveEntries(self.#entries, target.#entries);
    return target as this;
  }

  /**
   * Unwinds the stack now, as `aexit()` with no error does (Python's `aclose`). The stack
   * stays usable. Rejects with what the callbacks raised, the last one with the others as its
   * `errorContext` chain.
   *
   * @example
   * ```ts
   * await stack.aclose();
   * ```
   */
  async aclose(): Promise<void> {
    await unwindAsync(AsyncExitStack.#receiver(this, "aclose", false).#entries, "python", undefined);
  }

  /**
   * The async manager protocol: resolves to the stack itself (Python's `__aenter__`).
   *
   * @example
   * ```ts
   * await asyncWith(new AsyncExitStack(), async (stack) => {
   *   stack.defer(() => flush());
   *   await work(signal);
   * });
   * ```
   */
  async aenter(): Promise<this> {
    return AsyncExitStack.#receiver(this, "aenter", false) as this;
  }

  /**
   * The async manager protocol (Python's `__aexit__`): unwinds every entry, last in first out,
   * awaiting the async ones, with `exc` as the pending error. Resolves to `true` only when an
   * error came in and a callback suppressed it; rejects with the error a callback raised.
   *
   * @example
   * ```ts
   * const stack = new AsyncExitStack();
   * stack.pushAsyncExit(async () => true);
   * await stack.aexit({ error: new Error("swallowed") }); // true
   * ```
   */
  aexit(exc?: ExcInfo): Promise<Suppresses> {
    try {
      const self = AsyncExitStack.#receiver(this, "aexit", false);
      return unwindAsync(self.#entries, "python", exc) as Promise<Suppresses>;
    } catch (error) {
      return Promise.reject(error);
    }
  }

  // -- ECMA-262: AsyncDisposableStack ------------------------------------------------------

  /**
   * Whether the stack has been disposed (by `disposeAsync` / `Symbol.asyncDispose`, from the
   * moment of the call) or moved.
   *
   * @example
   * ```ts
   * const pending = stack.disposeAsync();
   * stack.disposed; // true, already
   * ```
   */
  get disposed(): boolean {
    return AsyncExitStack.#receiver(this, "disposed", false).#disposed;
  }

  /**
   * Registers an `AsyncDisposable` (or, failing that, a `Disposable`) and returns it. `null`
   * and `undefined` are accepted and cost one await at disposal, as the specification says.
   * The dispose method is read now, once. Anything else is a `TypeError`.
   *
   * @example
   * ```ts
   * const handle = stack.use(fileHandle); // an AsyncDisposable
   * ```
   */
  use<T extends AsyncDisposable | Disposable | null | undefined>(value: T): T {
    const self = AsyncExitStack.#receiver(this, "use", true);
    if (value === null || value === undefined) {
      self.#add(NULLISH, undefined, undefined);
      return value;
    }
    const [kind, method] = asyncDisposeMethod(value, NAME, "use");
    self.#add(kind, method, value);
    return value;
  }

  /**
   * Registers `onDisposeAsync(value)`, awaited at disposal, and returns `value` (anything).
   *
   * @example
   * ```ts
   * const handle = stack.adopt(await fs.promises.open(path), (h) => h.close());
   * ```
   */
  adopt<T>(value: T, onDisposeAsync: (value: T) => PromiseLike<void> | void): T {
    const self = AsyncExitStack.#receiver(this, "adopt", true);
    requireCallable(onDisposeAsync, NAME, "adopt", "onDisposeAsync");
    self.#add(ADOPT | ASYNC, onDisposeAsync, value);
    return value;
  }

  /**
   * Registers `onDisposeAsync()`, awaited at disposal.
   *
   * @example
   * ```ts
   * stack.defer(async () => { await flush(); });
   * ```
   */
  defer(onDisposeAsync: () => PromiseLike<void> | void): void {
    if (AsyncExitStack.#isOpen(this) && typeof onDisposeAsync === "function") {
      const entries = this.#entries;
      if (entries.bare === (CALL | ASYNC)) entries.list.push(onDisposeAsync);
      else addBareCallback(entries, CALL | ASYNC, onDisposeAsync);
      return;
    }
    const self = AsyncExitStack.#receiver(this, "defer", true);
    requireCallable(onDisposeAsync, NAME, "defer", "onDisposeAsync");
    addBareCallback(self.#entries, CALL | ASYNC, onDisposeAsync);
  }

  /**
   * Moves every entry to a new `AsyncExitStack` (never a subclass) and marks this one
   * disposed; nothing runs now.
   *
   * @example
   * ```ts
   * async function openBoth(): Promise<AsyncExitStack> {
   *   await using stack = new AsyncExitStack();
   *   stack.use(openA());
   *   stack.use(openB()); // if this throws, the first is released
   *   return stack.move(); // else both are kept, for the caller to release
   * }
   * ```
   */
  move(): AsyncExitStack {
    const self = AsyncExitStack.#receiver(this, "move", true);
    const target = new AsyncExitStack();
    moveEntries(self.#entries, target.#entries);
    self.#disposed = true;
    return target;
  }

  /**
   * Disposes the stack (ECMA-262 `AsyncDisposableStack.prototype.disposeAsync`): marks it
   * disposed at once, then runs every entry, last in first out, the top one within this call,
   * awaiting each async result. Resolves to `undefined`; rejects with the one failure as it
   * is, or several nested as `SuppressedError(newer, pending)`. Never throws synchronously.
   *
   * @example
   * ```ts
   * const stack = new AsyncExitStack();
   * stack.defer(async () => console.log("bye"));
   * await stack.disposeAsync(); // "bye"
   * ```
   */
  disposeAsync(): Promise<void> {
    // Not an async method: returning the unwinding's own promise adds no extra tick.
    if (!isAsyncExitStack(this)) return Promise.reject(receiverError(NAME, "disposeAsync", this));
    if (this.#disposed) return Promise.resolve();
    this.#disposed = true;
    return unwindAsync(this.#entries, "tc39", undefined) as Promise<undefined>;
  }

  /** The same function object as {@link AsyncExitStack.disposeAsync}: `await using stack = new AsyncExitStack()`. */
  declare [Symbol.asyncDispose]: () => Promise<void>;
  /** `"AsyncExitStack"`. */
  declare readonly [Symbol.toStringTag]: string;
}

// `instanceof` holds across the ESM and CJS copies of the library (src/identity.ts).
shareIdentity({ AsyncExitStack });
