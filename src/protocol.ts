/**
 * The context-manager protocol: what a manager is, how the library recognises one, and the
 * `Symbol.dispose` / `Symbol.asyncDispose` keys it shares with TC39's `using`.
 *
 * A sync manager has `enter()` and `exit(exc?)`; an async one has `aenter()` and `aexit(exc?)`
 * (Python's `__enter__`/`__exit__` and `__aenter__`/`__aexit__`). Exit receives no argument when
 * the block completed and `{ error }` when it threw, `error` being the very value thrown, even
 * when that value is `undefined` or `null`. Exit returning exactly `true` suppresses the error.
 *
 * @module
 */

/**
 * What exit is told when the block threw: the thrown value itself, whatever it is.
 *
 * Python passes `(exc_type, exc, tb)`, with `(None, None, None)` for "no error". JavaScript can
 * `throw undefined`, so "no error" is the absence of this object, never `error === undefined`.
 *
 * @example
 * ```ts
 * const manager = {
 *   enter() {},
 *   exit(exc?: ExcInfo) {
 *     if (exc === undefined) console.log("completed");
 *     else console.log("threw", exc.error); // exc.error may be any value, undefined included
 *   },
 * };
 * syncWith(manager, () => { throw undefined; }); // logs "threw undefined", then rethrows
 * ```
 */
export interface ExcInfo {
  /** The value the block threw, as thrown (not wrapped, possibly not an `Error`). */
  readonly error: unknown;
}

/**
 * A sync context manager: Python's `__enter__` / `__exit__`.
 *
 * `exit` is called exactly once, after the block, with no argument when it completed and with
 * `{ error }` when it threw. Returning exactly `true` suppresses that error; any other value,
 * truthy or not, lets it propagate (unlike Python, which truth-tests the result).
 *
 * `Suppress` is what exit may return. It defaults to `false | void`: a manager that never
 * suppresses, whose block result `syncWith` passes through as it is. A manager that may
 * suppress says so with `ContextManager<T, boolean>`, and `syncWith` then types its result
 * `R | undefined`. An exit that returns anything else (a number, a string) does not compile.
 *
 * @example
 * ```ts
 * class Transaction implements ContextManager<Transaction> {
 *   enter() { db.exec("BEGIN"); return this; }
 *   exit(exc?: ExcInfo) { db.exec(exc ? "ROLLBACK" : "COMMIT"); }
 * }
 * syncWith(new Transaction(), (tx) => { work(); });
 * ```
 */
export interface ContextManager<T = unknown, Suppress extends boolean | void = false | void> {
  /**
   * Called once before the block (Python's `__enter__`); its result is the block's value. When
   * it throws, the block does not run and `exit` is not called.
   */
  enter(): T;
  /**
   * Called exactly once after the block (Python's `__exit__`): with no argument when it
   * completed, with `{ error }` when it threw; returning exactly `true` suppresses the error.
   * An error it throws replaces the block's, which becomes its {@link errorContext}.
   */
  exit(exc?: ExcInfo): Suppress;
}

/**
 * An async context manager: Python's `__aenter__` / `__aexit__`.
 *
 * @example
 * ```ts
 * class Connection implements AsyncContextManager<Conn> {
 *   #conn?: Conn;
 *   constructor(readonly host: string, readonly port: number) {}
 *   async aenter() { this.#conn = await getConn(this.host, this.port); return this.#conn; }
 *   async aexit(exc?: ExcInfo) { await this.#conn?.close(); }
 * }
 * await asyncWith(new Connection("localhost", 500), async (conn) => conn.send("ping"));
 * ```
 */
export interface AsyncContextManager<T = unknown, Suppress extends boolean | void = false | void> {
  /**
   * Called and awaited once before the block (Python's `__aenter__`); its awaited result is the
   * block's value. When it throws or rejects, the block does not run and `aexit` is not called.
   */
  aenter(): PromiseLike<T> | T;
  /**
   * Called and awaited exactly once after the block (Python's `__aexit__`): with no argument
   * when it completed, with `{ error }` when it threw; resolving to exactly `true` suppresses
   * the error.
   */
  aexit(exc?: ExcInfo): PromiseLike<Suppress> | Suppress;
}

/**
 * The runtime's `Symbol.dispose`, or the well-known registry symbol TypeScript's and Babel's
 * helpers fall back to. Use it as the method key to make a disposable that `using`,
 * `syncWith` and `asyncWith` accept on every runtime.
 *
 * @example
 * ```ts
 * const handle = { [disposeSymbol]() { console.log("released"); } };
 * syncWith(handle, (h) => h === handle); // true; logs "released"
 * ```
 */
export const disposeSymbol: typeof Symbol.dispose = (
  typeof Symbol.dispose === "symbol" ? Symbol.dispose : Symbol.for("Symbol.dispose")
) as typeof Symbol.dispose;

/**
 * The runtime's `Symbol.asyncDispose`, or the well-known registry symbol TypeScript's and
 * Babel's helpers fall back to. Use it as the method key to make an async disposable that
 * `await using` and `asyncWith` accept on every runtime.
 *
 * @example
 * ```ts
 * const session = { send: (text: string) => conn.send(text), async [asyncDisposeSymbol]() { await flush(); } };
 * await asyncWith(session, async (s) => s.send("hello")); // flush() awaited afterwards
 * ```
 */
export const asyncDisposeSymbol: typeof Symbol.asyncDispose = (
  typeof Symbol.asyncDispose === "symbol" ? Symbol.asyncDispose : Symbol.for("Symbol.asyncDispose")
) as typeof Symbol.asyncDispose;

/**
 * A TC39 disposable (`using`): released by `[Symbol.dispose]()`, which cannot see or suppress
 * errors. `syncWith` and `asyncWith` accept one as a manager whose value is the object itself.
 *
 * @example
 * ```ts
 * const file: DisposableLike = { [Symbol.dispose]() { closeSync(fd); } };
 * syncWith(file, () => writeSync(fd, "data"));
 * ```
 */
export interface DisposableLike {
  /** Called exactly once after the block, whether it completed or threw; it cannot suppress. */
  [Symbol.dispose](): void;
}

/**
 * A TC39 async disposable (`await using`): `asyncWith` accepts one as a manager whose value is
 * the object itself, and awaits its dispose method at the end.
 *
 * @example
 * ```ts
 * const session: AsyncDisposableLike = { async [Symbol.asyncDispose]() { await conn.close(); } };
 * await asyncWith(session, async () => conn.query("SELECT 1"));
 * ```
 */
export interface AsyncDisposableLike {
  /** Called and awaited exactly once after the block, whether it completed or threw; it cannot suppress. */
  [Symbol.asyncDispose](): PromiseLike<void>;
}

/**
 * Anything `syncWith` accepts: sync managers and TC39 disposables.
 *
 * @example
 * ```ts
 * const managers: SyncManagerLike[] = [suppress(RangeError), { [disposeSymbol]() {} }];
 * syncWith(managers, () => work());
 * ```
 */
export type SyncManagerLike = ContextManager<any, boolean | void> | DisposableLike;

/**
 * Anything `asyncWith` accepts: async or sync managers, and TC39 (async) disposables.
 *
 * @example
 * ```ts
 * const managers: AsyncManagerLike[] = [new Lock(), nullContext(), { [asyncDisposeSymbol]: async () => {} }];
 * await asyncWith(managers, async () => work());
 * ```
 */
export type AsyncManagerLike = AsyncContextManager<any, boolean | void> | SyncManagerLike | AsyncDisposableLike;

/**
 * The value `syncWith` gives the block for `M` (`as value`): enter's result, or a disposable itself.
 *
 * @example
 * ```ts
 * type A = SyncEnterValue<NullContext<number>>; // number
 * type B = SyncEnterValue<DisposableLike>;      // DisposableLike (the object itself)
 * ```
 */
export type SyncEnterValue<M> = M extends {
  /** The method whose result is the value. */
  enter(): infer T;
}
  ? T
  : M;

/**
 * The value `asyncWith` gives the block for `M`: aenter's awaited result, enter's result, or a disposable itself.
 *
 * @example
 * ```ts
 * type A = AsyncEnterValue<AsyncContextManager<string>>; // string (aenter's result, awaited)
 * type B = AsyncEnterValue<Lock>;                        // undefined
 * type C = AsyncEnterValue<AsyncDisposableLike>;         // AsyncDisposableLike (the object itself)
 * ```
 */
export type AsyncEnterValue<M> = M extends {
  /** The method whose (awaited) result is the value. */
  aenter(): infer T;
}
  ? Awaited<T>
  : M extends {
        /** The method whose result is the value, for a sync manager. */
        enter(): infer T;
      }
    ? T
    : M;

/**
 * `true` when the types show that `M`'s sync exit may suppress an error (it may return `true`).
 * `syncWith` then adds `| undefined` to the result type.
 *
 * @example
 * ```ts
 * type A = SyncCanSuppress<Suppress>;          // true: exit returns boolean
 * type B = SyncCanSuppress<NullContext<null>>; // false: exit returns void
 * ```
 */
export type SyncCanSuppress<M> = M extends {
  /** The exit whose declared result decides: `true` must be one of its possible values. */
  exit(...args: any[]): infer R;
}
  ? true extends R
    ? true
    : false
  : false;

/**
 * `true` when the types show that the exit `asyncWith` calls on `M` may suppress. Disposables never do.
 *
 * @example
 * ```ts
 * type A = AsyncCanSuppress<AsyncContextManager<number, boolean>>; // true
 * type B = AsyncCanSuppress<Lock>;                                 // false: aexit returns void
 * type C = AsyncCanSuppress<Suppress>;                             // true, through its sync exit
 * ```
 */
export type AsyncCanSuppress<M> = M extends {
  /** The async exit whose declared (awaited) result decides: `true` must be one of its possible values. */
  aexit(...args: any[]): infer R;
}
  ? true extends Awaited<R>
    ? true
    : false
  : SyncCanSuppress<M>;

/** The name of a value's type for error messages, like Python's `type(x).__name__`. */
export function typeName(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "object" || typeof value === "function") {
    const ctor = (value as { constructor?: { name?: unknown } }).constructor;
    if (typeof ctor === "function" && typeof ctor.name === "string" && ctor.name !== "") return ctor.name;
    return typeof value === "function" ? "Function" : "Object";
  }
  return typeof value;
}

/** @internal An object or a function: what can carry properties (and be a WeakMap key). */
export function isObject(value: unknown): value is object {
  return (typeof value === "object" && value !== null) || typeof value === "function";
}

/** @internal Any object or function with a `then` method: what `await` would wait for. */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return isObject(value) && typeof (value as { then?: unknown }).then === "function";
}

const promiseThen = Promise.prototype.then;
const ignore = (): void => {};

/**
 * @internal A promise returned where the protocol expects a synchronous answer: a `syncWith`
 * body, a sync `exit`, a callback of a sync slot of an exit stack. Nothing would await it, so
 * its work would outlive the block and its failure would be lost; instead this `TypeError`
 * goes through the unwinding like any error, and no exit can suppress it: a misuse fails
 * loudly. The promise is its `cause` (await it to see how the work ended), and the promise's
 * own rejection is marked handled, so that it is reported here rather than as an unhandled
 * rejection that would end the process.
 */
export class UnawaitedPromiseError extends TypeError {
  constructor(message: string, promise: PromiseLike<unknown>) {
    super(message, { cause: promise });
    // The built-in `then`, not the object's own: it marks a real promise (of any realm) handled
    // and throws for anything else. A foreign thenable's `then` is not called: with a lazy
    // thenable (a query builder) that would start the work.
    try {
      promiseThen.call(promise, undefined, ignore);
    } catch {}
  }
}

function hasMethod(value: unknown, key: PropertyKey): boolean {
  return value != null && typeof (value as Record<PropertyKey, unknown>)[key] === "function";
}

/**
 * Whether `value` has the sync manager protocol (`enter` and `exit` methods).
 *
 * @example
 * ```ts
 * isContextManager(suppress(Error));       // true
 * isContextManager({ enter() {} });        // false: no exit
 * isContextManager({ [disposeSymbol]() {} }); // false: a disposable, not a manager
 * ```
 */
export function isContextManager(value: unknown): value is ContextManager {
  return hasMethod(value, "enter") && hasMethod(value, "exit");
}

/**
 * Whether `value` has the async manager protocol (`aenter` and `aexit` methods).
 *
 * @example
 * ```ts
 * isAsyncContextManager(new Lock());       // true
 * isAsyncContextManager(nullContext());    // true: it is both sync and async
 * isAsyncContextManager(suppress(Error));  // false: sync only
 * ```
 */
export function isAsyncContextManager(value: unknown): value is AsyncContextManager {
  return hasMethod(value, "aenter") && hasMethod(value, "aexit");
}

/**
 * The `TypeError` for a value used as a manager without the protocol, worded as Python 3.14
 * words it (the language reference's `with` statement), with our method names: it names the value's type,
 * the missing method, and the other protocol when the value has that one instead.
 */
export function protocolError(value: unknown, asynchronous: boolean): TypeError {
  const [enter, exit, kind] = asynchronous
    ? ["aenter", "aexit", "asynchronous context manager"]
    : ["enter", "exit", "context manager"];
  const missing = hasMethod(value, enter) ? exit : enter;
  let message = `'${typeName(value)}' object does not support the ${kind} protocol (missed ${missing} method)`;
  if (asynchronous && isContextManager(value)) {
    message += " but it supports the context manager protocol. Did you mean to use 'syncWith'?";
  } else if (!asynchronous && (isAsyncContextManager(value) || hasMethod(value, asyncDisposeSymbol))) {
    message += " but it supports the asynchronous context manager protocol. Did you mean to use 'asyncWith'?";
  }
  return new TypeError(message);
}

/** @internal */
export { hasMethod };
