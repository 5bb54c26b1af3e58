/**
 * `ExitStack`: Python's `contextlib.ExitStack` and ECMA-262's `DisposableStack` in one class.
 *
 * @module
 */

import { shareIdentity } from "../identity.js";
import type { ContextManager, ExcInfo } from "../protocol.js";
import { disposeSymbol, hasMethod } from "../protocol.js";
import { disposedError, enterProtocolError, receiverError, requireCallable, syncDisposeMethod } from "./checks.js";
import { defineStackPrototype, enterSyncManager, fallBackToPrototype, moveEntries, pushExit } from "./shared.js";
import {
  ADOPT,
  addBareCallback,
  addEntry,
  CALL,
  DEFER,
  DISPOSE,
  type Entries,
  EXIT,
  newEntries,
  unwindSync,
} from "./unwind.js";

/**
 * An exit callback for `push`: sees the pending error as `{ error }` (none: no argument);
 * exactly `true` suppresses it.
 *
 * @example
 * ```ts
 * const ignoreMissing: ExitCallback = (exc) => (exc?.error as NodeJS.ErrnoException)?.code === "ENOENT";
 * ```
 */
export type ExitCallback = (exc?: ExcInfo) => boolean | void;

/**
 * An object whose `exit` method `push` registers (its `enter` is not called).
 *
 * @example
 * ```ts
 * const logger: HasExit = { exit: (exc) => void console.log(exc ? "failed" : "ok") };
 * stack.push(logger);
 * ```
 */
export interface HasExit {
  /**
   * Called exactly once when the stack unwinds, with `this` being the object: with no argument
   * when nothing failed, with `{ error }` for the pending error; returning exactly `true`
   * suppresses it.
   */
  exit(exc?: ExcInfo): boolean | void;
}

/**
 * `F`, unless it returns a promise: a sync stack would not wait for it, so that is a compile error.
 *
 * @typeParam F - The callback's own type, kept as it is when it is not async.
 *
 * @example
 * ```ts
 * const stack = new ExitStack();
 * stack.callback(() => {}); // fine
 * // stack.callback(async () => {}) does not compile: use AsyncExitStack.pushAsyncCallback
 * ```
 */
export type SyncFunction<F extends (...args: any[]) => unknown> = F & NotAsync<ReturnType<F>>;

/**
 * `unknown` unless `R` is a promise (a function that always throws, returning `never`, is
 * fine): intersected with a callback's type by {@link SyncFunction}, `never` rejects it.
 *
 * @example
 * ```ts
 * type A = NotAsync<void>;          // unknown: accepted
 * type B = NotAsync<never>;         // unknown: a function that always throws is accepted
 * type C = NotAsync<Promise<void>>; // never: rejected
 * ```
 */
export type NotAsync<R> = [R] extends [never] ? unknown : R extends PromiseLike<unknown> ? never : unknown;

const NAME = "ExitStack";

/** The brand check (ECMA-262 RequireInternalSlot), set up inside the class where `#entries` is visible. */
let isExitStack: (value: unknown) => value is ExitStack;

/**
 * A stack of cleanups, released last in first out, exactly once. It speaks both languages:
 *
 * - **Python** (`contextlib.ExitStack`, camelCase): `enterContext`, `push`, `callback`,
 *   `popAll`, `close`, and `enter`/`exit`, so it works with {@link syncWith}. Unwinding through
 *   `exit`/`close` follows Python: exit callbacks see the pending error and may suppress it
 *   with exactly `true`; an error raised by a callback replaces the pending one, which is kept
 *   as its `errorContext` (also when the block raised nothing, unlike CPython's gh-102201).
 * - **ECMA-262** (`DisposableStack`): `use`, `adopt`, `defer`, `move`, `dispose`, `disposed`
 *   and `[Symbol.dispose]` (the very same function as `dispose`), so it works with `using`.
 *   Unwinding through `dispose` follows the specification: errors combine as
 *   `SuppressedError(newer, pending)`.
 *
 * Both kinds of registration share one stack and one order. A stack that was disposed or
 * moved refuses new resources with a `ReferenceError`; `close()` empties the stack but, as in
 * Python, leaves it usable.
 *
 * The type parameter says whether the stack may suppress an error (an exit callback or a
 * manager on it returning `true`): `new ExitStack()` is typed as one that does not, so
 * `syncWith(new ExitStack(), body)` results in the body's type; `new ExitStack<true>()` results in
 * `R | undefined`. At run time the stack suppresses whenever a callback says so.
 *
 * @example
 * ```ts
 * // Python-style: open every file, or none.
 * const files = syncWith(new ExitStack(), (stack) =>
 *   names.map((fileName) => stack.enterContext(closing(openFile(fileName)))));
 *
 * // TC39-style
 * {
 *   using stack = new ExitStack();
 *   const lock = stack.use(acquireLock());
 *   stack.defer(() => console.log("released"));
 * }
 * ```
 */
export class ExitStack<Suppresses extends boolean = false>
  implements ContextManager<ExitStack<Suppresses>, Suppresses>, DisposableStack
{
  /** The registered entries, flat (see unwind.ts); a record so `popAll`/`move` can take them whole. */
  readonly #entries: Entries = newEntries();
  /** ECMA-262 [[DisposableState]]: pending until `dispose` or `move`. */
  #disposed = false;

  static {
    isExitStack = (value): value is ExitStack => typeof value === "object" && value !== null && #entries in value;
    defineStackPrototype(this.prototype, disposeSymbol, this.prototype.dispose, NAME);
  }

  /**
   * An empty stack.
   *
   * @example
   * ```ts
   * const stack = new ExitStack();
   * ```
   */
  constructor() {
    // ECMA-262 OrdinaryCreateFromConstructor: see fallBackToPrototype.
    if (Object.getPrototypeOf(this) === Object.prototype) fallBackToPrototype(this, new.target, ExitStack.prototype);
  }

  /** The receiver, brand-checked; and, for methods that add or take resources, not disposed. */
  static #receiver(stack: unknown, method: string, mustBeOpen: boolean): ExitStack {
    if (!isExitStack(stack)) throw receiverError(NAME, method, stack);
    if (mustBeOpen && stack.#disposed) throw disposedError(NAME, method);
    return stack;
  }

  /**
   * Whether `stack` is an ExitStack that takes resources: the pushes' fast path, one test that
   * throws nothing (#receiver then says what is wrong).
   */
  static #isOpen(stack: unknown): stack is ExitStack {
    return typeof stack === "object" && stack !== null && #entries in stack && !stack.#disposed;
  }

  /** Reads `#disposed` for enterSyncManager, which cannot see it. */
  static #isDisposed(stack: ExitStack): boolean {
    return stack.#disposed;
  }

  #add(kind: number, fn: unknown, datum: unknown): void {
    addEntry(this.#entries, kind, fn, datum);
  }

  // -- Python: contextlib.ExitStack --------------------------------------------------------

  /**
   * Enters `cm` and pushes its exit, returning what `enter()` returned (Python's
   * `enter_context`). A `Disposable` is accepted too: it is returned as is and its
   * `[Symbol.dispose]` (read now, once) runs at unwinding. A value with neither protocol is a
   * `TypeError` naming its type, and nothing is pushed; nor when `enter()` throws.
   *
   * @example
   * ```ts
   * syncWith(new ExitStack(), (stack) => {
   *   const ledger = stack.enterContext(openLedger()); // a ContextManager
   *   const handle = stack.enterContext(openHandle()); // a Disposable
   * });
   * ```
   */
  enterContext<T>(cm: ContextManager<T, boolean | void>): T;
  enterContext<D extends Disposable>(disposable: D): D;
  enterContext(cm: unknown): unknown {
    const self = ExitStack.#receiver(this, "enterContext", true);
    if (hasMethod(cm, "enter") || hasMethod(cm, "exit")) {
      return enterSyncManager(self, self.#entries, ExitStack.#isDisposed, cm, NAME, "AsyncExitStack.enterAsyncContext");
    }
    // The dispose method is read once, as `using` reads it.
    const dispose = cm == null ? undefined : (cm as Partial<Disposable>)[disposeSymbol];
    if (typeof dispose === "function") {
      self.#add(DISPOSE, dispose, cm);
      return cm;
    }
    throw enterProtocolError(cm, false, "AsyncExitStack.enterAsyncContext");
  }

  /**
   * Pushes an exit callback (Python's `push`): a function called with the pending error as
   * `{ error }` (or with no argument when there is none) that may suppress it by returning
   * exactly `true`; or an object whose `exit` method is pushed that way (its `enter` is not
   * called). Returns its argument, so it works as a decorator. An exit that returns a promise
   * is a compile error, and at run time a `TypeError` raised in its place (the promise is its
   * `cause`): nothing would await it (use `AsyncExitStack.pushAsyncExit`).
   *
   * @example
   * ```ts
   * stack.push((exc) => {
   *   if (exc) console.error(exc.error);
   *   return exc?.error instanceof AbortError; // swallow aborts only
   * });
   * ```
   */
  push<F extends ExitCallback>(exit: F): F;
  push<M extends HasExit>(cm: M): M;
  push(exit: unknown): unknown {
    pushExit(ExitStack.#receiver(this, "push", true).#entries, EXIT, exit, "exit", NAME, "push");
    return exit;
  }

  /**
   * Pushes `callback(...args)` to run at unwinding (Python's `callback`). It cannot see or
   * suppress errors. Returns `callback`. A callback returning a promise is a compile error: a
   * sync stack would not wait for it (use `AsyncExitStack.pushAsyncCallback`). At run time the
   * promise is a `TypeError` raised in its place, with the promise as its `cause`.
   *
   * @typeParam F - The callback's type; `args` must match its parameters, and it is returned as given.
   *
   * @example
   * ```ts
   * const timer = setInterval(poll, 1000);
   * stack.callback(clearInterval, timer);
   * ```
   */
  callback<F extends (...args: any[]) => unknown>(callback: SyncFunction<F>, ...args: Parameters<F>): F;
  callback(callback: unknown): unknown {
    // `arguments`, not a rest parameter: V8 11 (Node 20) allocates the rest array on every push.
    // biome-ignore lint/complexity/noArguments: only its length is read on the fast path.
    if (arguments.length < 2 && ExitStack.#isOpen(this) && typeof callback === "function") {
      const entries = this.#entries;
      if (entries.bare === CALL) entries.list.push(callback);
      else addBareCallback(entries, CALL, callback);
      return callback;
    }
    const self = ExitStack.#receiver(this, "callback", true);
    requireCallable(callback, NAME, "callback", "the callback");
    // biome-ignore lint/complexity/noArguments: the arguments after the callback, copied once.
    const args: unknown[] = Array.prototype.slice.call(arguments, 1);
    if (args.length === 0) addBareCallback(self.#entries, CALL, callback);
    else self.#add(CALL, callback, args);
    return callback;
  }

  /**
   * Moves every entry to a new stack of the same class and leaves this one empty (Python's
   * `pop_all`): nothing runs now, and the new stack releases them later. The usual way to keep
   * resources only when the whole setup succeeded.
   *
   * @example
   * ```ts
   * const kept = syncWith(new ExitStack(), (stack) => {
   *   stack.enterContext(first());
   *   stack.enterContext(second()); // if this throws, `first` is released
   *   return stack.popAll();        // else both are kept, in `kept`
   * });
   * ```
   */
  popAll(): this {
    const self = ExitStack.#receiver(this, "popAll", true);
    const Class = self.constructor as new () => ExitStack;
    const target = new Class();
    if (!isExitStack(target)) throw new TypeError("ExitStack.popAll: the constructor did not make an ExitStack");
    moveEntries(self.#entries, target.#entries);
    return target as this;
  }

  /**
   * Unwinds the stack now, as `exit()` with no error does (Python's `close`). The stack stays
   * usable. Throws what the callbacks raised, the last one with the others as its
   * `errorContext` chain.
   *
   * @example
   * ```ts
   * const stack = new ExitStack();
   * stack.callback(() => console.log("bye"));
   * stack.close(); // "bye"
   * ```
   */
  close(): void {
    unwindSync(ExitStack.#receiver(this, "close", false).#entries, "python", undefined);
  }

  /**
   * The manager protocol: returns the stack itself (Python's `__enter__`).
   *
   * @example
   * ```ts
   * syncWith(new ExitStack(), (stack) => stack.callback(done));
   * ```
   */
  enter(): this {
    return ExitStack.#receiver(this, "enter", false) as this;
  }

  /**
   * The manager protocol (Python's `__exit__`): unwinds every entry, last in first out, with
   * `exc` as the pending error. Returns `true` only when an error came in and a callback
   * suppressed it; throws the error a callback raised (Python's `ExitStack.__exit__`).
   *
   * @example
   * ```ts
   * const stack = new ExitStack();
   * stack.push(() => true);
   * stack.exit({ error: new Error("swallowed") }); // true
   * ```
   */
  exit(exc?: ExcInfo): Suppresses {
    return unwindSync(ExitStack.#receiver(this, "exit", false).#entries, "python", exc) as Suppresses;
  }

  // -- ECMA-262: DisposableStack -----------------------------------------------------------

  /**
   * Whether the stack has been disposed (by `dispose` / `Symbol.dispose`) or moved.
   *
   * @example
   * ```ts
   * const stack = new ExitStack();
   * stack.dispose();
   * stack.disposed; // true
   * ```
   */
  get disposed(): boolean {
    return ExitStack.#receiver(this, "disposed", false).#disposed;
  }

  /**
   * Registers a `Disposable` and returns it; `null` and `undefined` are accepted and ignored.
   * The `[Symbol.dispose]` method is read now, once. Anything else is a `TypeError`.
   *
   * @example
   * ```ts
   * const handle = stack.use(openHandle());
   * ```
   */
  use<T extends Disposable | null | undefined>(value: T): T {
    const self = ExitStack.#receiver(this, "use", true);
    if (value === null || value === undefined) return value;
    self.#add(DISPOSE, syncDisposeMethod(value, NAME, "use"), value);
    return value;
  }

  /**
   * Registers `onDispose(value)` to run at disposal and returns `value`, which may be anything.
   *
   * @example
   * ```ts
   * const fd = stack.adopt(fs.openSync(path, "r"), fs.closeSync);
   * ```
   */
  adopt<T>(value: T, onDispose: (value: T) => void): T {
    const self = ExitStack.#receiver(this, "adopt", true);
    requireCallable(onDispose, NAME, "adopt", "onDispose");
    self.#add(ADOPT, onDispose, value);
    return value;
  }

  /**
   * Registers `onDispose()` to run at disposal.
   *
   * @example
   * ```ts
   * stack.defer(() => console.log("done"));
   * ```
   */
  defer(onDispose: () => void): void {
    if (ExitStack.#isOpen(this) && typeof onDispose === "function") {
      const entries = this.#entries;
      if (entries.bare === DEFER) entries.list.push(onDispose);
      else addBareCallback(entries, DEFER, onDispose);
      return;
    }
    const self = ExitStack.#receiver(this, "defer", true);
    requireCallable(onDispose, NAME, "defer", "onDispose");
    addBareCallback(self.#entries, DEFER, onDispose);
  }

  /**
   * Moves every entry to a new `ExitStack` (never a subclass) and marks this one disposed;
   * nothing runs now.
   *
   * @example
   * ```ts
   * function openBoth(): ExitStack {
   *   using stack = new ExitStack();
   *   stack.use(openA());
   *   stack.use(openB()); // if this throws, the first is released
   *   return stack.move(); // else both are kept, for the caller to release
   * }
   * ```
   */
  move(): ExitStack {
    const self = ExitStack.#receiver(this, "move", true);
    const target = new ExitStack();
    moveEntries(self.#entries, target.#entries);
    self.#disposed = true;
    return target;
  }

  /**
   * Disposes the stack (ECMA-262 `DisposableStack.prototype.dispose`): marks it disposed, then
   * runs every entry, last in first out. One failure is thrown as it is; several are nested
   * as `SuppressedError(newer, pending)`. A second call does nothing.
   *
   * @example
   * ```ts
   * const stack = new ExitStack();
   * stack.defer(() => console.log("bye"));
   * stack.dispose(); // "bye"
   * ```
   */
  dispose(): void {
    const self = ExitStack.#receiver(this, "dispose", false);
    if (self.#disposed) return;
    self.#disposed = true; // before any disposer runs, so re-entrant calls see it
    unwindSync(self.#entries, "tc39", undefined);
  }

  /** The same function object as {@link ExitStack.dispose}: `using stack = new ExitStack()`. */
  declare [Symbol.dispose]: () => void;
  /** `"ExitStack"`. */
  declare readonly [Symbol.toStringTag]: string;
}

// `instanceof` holds across the ESM and CJS copies of the library (src/identity.ts).
shareIdentity({ ExitStack });
