/**
 * The `with` and `async with` statements as functions: `syncWith` and `asyncWith`.
 *
 * Each follows Python's expansion of the statement (the language reference's `with` and `async with` statements, PEP 343 and PEP 492):
 *
 * ```python
 * value = enter(manager)          # both methods looked up first; enter failing: no exit
 * try:
 *     body(value)
 * except:
 *     if not exit(manager, error): raise
 * else:
 *     exit(manager)
 * ```
 *
 * with JavaScript's differences handled on purpose: "no error" is exit called with no argument
 * (so `throw undefined` reaches exit as `{ error: undefined }`), only exactly `true` suppresses,
 * and an error raised by exit carries the error it replaced as its {@link errorContext}.
 *
 * @module
 */

import { runBlockSymbol } from "./asyncio/ambient.js";
import { chainErrorContext } from "./errors.js";
import {
  type AsyncCanSuppress,
  type AsyncEnterValue,
  type AsyncManagerLike,
  asyncDisposeSymbol,
  disposeSymbol,
  type ExcInfo,
  protocolError,
  type SyncCanSuppress,
  type SyncEnterValue,
  type SyncManagerLike,
  typeName,
  UnawaitedPromiseError,
} from "./protocol.js";

/**
 * A body result that is not a promise: `unknown` (no constraint) for any `R` but a thenable,
 * `never` for a thenable. Any object with a `then` method counts, as it does at run time.
 *
 * @example
 * ```ts
 * type A = NotThenable<number>;          // unknown: `R & unknown` is R
 * type B = NotThenable<Promise<number>>; // never
 * ```
 */
export type NotThenable<R> = R extends Thenable ? never : unknown;

/** Any object with a `then` method, whatever its parameters: what `await` treats as a promise. */
type Thenable = {
  /** Any `then` method makes a value a thenable. */
  then(...args: never[]): unknown;
};

/**
 * What `syncWith` is typed to return when its body returns a promise: a mistake, since the
 * manager would exit before the work is done. The call is marked deprecated (editors strike it
 * through with the reason), any use of the result fails to compile with this message, and at
 * run time the call throws a `TypeError` after exiting the managers.
 *
 * (A compile error on the call itself would also reject a generic body `(db: Db) => T`, since
 * `T` may be a promise; generic wrappers around `syncWith` are the common case, so they compile.)
 *
 * @example
 * ```ts
 * const n = syncWith(nullContext(), async () => 1); // struck through; any use of `n` fails: use asyncWith
 * ```
 */
export interface AsyncBodyInSyncWith {
  /** The message the compiler shows when the result is used. */
  readonly "syncWith body returns a promise: use asyncWith for an asynchronous body": never;
}

/**
 * An entry of the array form: a manager, or a function that returns one. The function is called
 * only once the managers before it are entered, as Python evaluates `B()` in `with A(), B():`
 * only after entering `A()`; so when it throws, the managers already entered are exited.
 *
 * @example
 * ```ts
 * // with closing(open("a")) as a, closing(open("b")) as b:
 * syncWith([() => closing(openFile("a")), () => closing(openFile("b"))], (a, b) => copy(a, b));
 * ```
 */
export type SyncEntry = SyncManagerLike | (() => SyncManagerLike);

/**
 * An entry of `asyncWith`'s array form: a manager, or a function that returns one (or a promise
 * of one), called once the managers before it are entered.
 *
 * @example
 * ```ts
 * await asyncWith([lock, () => pool.acquire()], async (_, conn) => conn.query("SELECT 1"));
 * ```
 */
export type AsyncEntry = AsyncManagerLike | (() => AsyncManagerLike | PromiseLike<AsyncManagerLike>);

/**
 * The manager an array entry stands for: the entry itself, or what its function returns.
 *
 * @example
 * ```ts
 * type A = EntryManager<Suppress>;                    // Suppress
 * type B = EntryManager<() => Closing<Reader>>;        // Closing<Reader>
 * type C = EntryManager<() => Promise<PoolLease<Db>>>; // PoolLease<Db>
 * ```
 */
export type EntryManager<E> = E extends { enter(): unknown } | { aenter(): unknown }
  ? E
  : E extends () => infer M
    ? Awaited<M>
    : E;

/**
 * The values the managers of a tuple give a `syncWith` block, in order.
 *
 * @example
 * ```ts
 * type Values = SyncEnterValues<[NullContext<number>, Suppress]>; // [number, undefined]
 * syncWith([nullContext(1), suppress(RangeError)], (n) => n + 1);
 * ```
 */
export type SyncEnterValues<Ms extends readonly unknown[]> = {
  -readonly [K in keyof Ms]: SyncEnterValue<EntryManager<Ms[K]>>;
};

/**
 * The values the managers of a tuple give an `asyncWith` block, in order.
 *
 * @example
 * ```ts
 * type Values = AsyncEnterValues<[Lock, Timeout]>; // [undefined, Timeout]
 * await asyncWith([lock, timeout(1000)], async (_, t) => fetch(url, { signal: t.signal }));
 * ```
 */
export type AsyncEnterValues<Ms extends readonly unknown[]> = {
  -readonly [K in keyof Ms]: AsyncEnterValue<EntryManager<Ms[K]>>;
};

/**
 * `R`, or `R | undefined` when some manager's exit may suppress the error (the block then has no result).
 *
 * @example
 * ```ts
 * type A = WithResult<number, false>;   // number
 * type B = WithResult<number, boolean>; // number | undefined
 * const n: number | undefined = syncWith(suppress(RangeError), () => 42);
 * ```
 */
export type WithResult<R, Suppress> = true extends Suppress ? R | undefined : R;

/**
 * `true` when the types show that the exit of some manager of the tuple `Ms` may suppress an
 * error ({@link SyncCanSuppress} of each, combined): the `syncWith` result then gains
 * `| undefined`.
 *
 * @example
 * ```ts
 * type A = AnySync<[NullContext<number>, Suppress]>; // boolean: Suppress's exit may return true
 * type B = AnySync<[NullContext<number>]>;           // false
 * ```
 */
export type AnySync<Ms extends readonly unknown[]> = { [K in keyof Ms]: SyncCanSuppress<EntryManager<Ms[K]>> }[number];

/**
 * `true` when the types show that the exit `asyncWith` calls on some manager of the tuple `Ms`
 * may suppress an error ({@link AsyncCanSuppress} of each, combined): the result then gains
 * `| undefined`.
 *
 * @example
 * ```ts
 * type A = AnyAsync<[Lock, Suppress]>; // boolean: Suppress's exit may return true
 * type B = AnyAsync<[Lock, Timeout]>;  // false
 * ```
 */
export type AnyAsync<Ms extends readonly unknown[]> = {
  [K in keyof Ms]: AsyncCanSuppress<EntryManager<Ms[K]>>;
}[number];

type Method = (this: unknown, exc?: ExcInfo) => unknown;

// Kept here rather than imported from protocol.ts: on syncWith's happy path a call to a function
// imported from another module measured 2.5x slower (1.5 ns against 3.9 ns per block, Node 20),
// as V8 did not inline it.
function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === "object" || typeof value === "function") &&
    typeof (value as { then?: unknown }).then === "function"
  );
}

/**
 * A `syncWith` body that returned a promise. It goes through exit like any error of the body, so
 * resources are released, but no exit can suppress it (see {@link UnawaitedPromiseError}).
 */
function asyncBodyError(promise: PromiseLike<unknown>): TypeError {
  return new UnawaitedPromiseError(
    "syncWith body returned a promise: the manager would exit before the work is done; use asyncWith for an asynchronous body",
    promise,
  );
}

/**
 * A sync `exit` that returned a promise: nothing awaits it. Raised as if exit had thrown it, so
 * it replaces the pending error, which becomes its context.
 */
function exitPromiseError(manager: unknown, promise: PromiseLike<unknown>): TypeError {
  return new UnawaitedPromiseError(
    `'${typeName(manager)}' exit() returned a promise, which a sync exit must not: nothing awaits it, so its work would outlive the block and its failure would be lost; give the manager aenter()/aexit() and use asyncWith`,
    promise,
  );
}

/**
 * Throws when a sync exit answered with a promise. Only an answer other than the usual
 * `undefined`, `true` or `false` can be one, and each call site tests that inline before
 * calling: the happy path stays as fast as it was (measured).
 */
function checkExitAnswer(manager: unknown, answer: unknown): void {
  if (isThenable(answer)) throw exitPromiseError(manager, answer);
}

/** Whether an exit's `true` may suppress `error`: a misuse (a dropped promise) is never suppressed. */
function suppressible(error: unknown): boolean {
  return !(error instanceof UnawaitedPromiseError);
}

/**
 * Runs exit for a block that threw `error` (rule 8–9): `true` suppresses; exit's own error
 * replaces `error`, which becomes its context; otherwise `error` propagates unchanged.
 */
function exitWithError(manager: unknown, exit: Method, error: unknown): undefined {
  let suppress: unknown;
  try {
    suppress = exit.call(manager, { error });
    if (suppress !== undefined && suppress !== true && suppress !== false) checkExitAnswer(manager, suppress);
  } catch (exitError) {
    chainErrorContext(exitError, error);
    throw exitError;
  }
  if (suppress === true && suppressible(error)) return undefined;
  throw error;
}

/**
 * The manager's properties, for reading protocol methods without calling them; `null` and
 * `undefined` have none. Callers read each method with a literal name (`.enter`, not `[key]`)
 * so that every read site stays monomorphic: a shared keyed read costs more than the rest of
 * the runner.
 */
type Protocol = {
  enter?: unknown;
  exit?: unknown;
  aenter?: unknown;
  aexit?: unknown;
  [Symbol.dispose]?: unknown;
  [Symbol.asyncDispose]?: unknown;
};
const NO_METHODS: Protocol = Object.freeze({});
function protocolOf(manager: unknown): Protocol {
  return manager == null ? NO_METHODS : (manager as Protocol);
}

/**
 * An array entry given as a function that makes the manager (`() => closing(open(path))`): a
 * function without the protocol's methods, since a manager may itself be callable.
 */
function isFactory(entry: unknown): entry is () => unknown {
  if (typeof entry !== "function") return false;
  const methods = entry as Protocol;
  return (
    typeof methods.enter !== "function" &&
    typeof methods.aenter !== "function" &&
    typeof methods[disposeSymbol] !== "function" &&
    typeof methods[asyncDisposeSymbol] !== "function"
  );
}

/** The manager an array entry of `syncWith` stands for. */
function entryManager(entry: unknown): unknown {
  return isFactory(entry) ? entry() : entry;
}

function bodyTypeError(body: unknown, name: string): TypeError {
  return new TypeError(`${name} expects a function as its body, got '${typeName(body)}'`);
}

// -- syncWith ---------------------------------------------------------------------------------

/**
 * `syncWith` with a body that returns a promise: a mistake, since the manager would exit
 * before the work is done. This signature exists to say so: it is deprecated (editors strike
 * the call through), its result is an {@link AsyncBodyInSyncWith} that cannot be used, and at
 * run time the call throws a `TypeError` after exiting the manager. Use `asyncWith`.
 *
 * @deprecated syncWith body returns a promise: the manager would exit before the work is done; use asyncWith.
 * @example
 * ```ts
 * await asyncWith(lock, async () => save()); // not syncWith(lock, async () => save())
 * ```
 */
export function syncWith<M extends SyncManagerLike, R extends Thenable>(
  manager: M,
  body: (value: SyncEnterValue<M>) => R,
): AsyncBodyInSyncWith;
/**
 * Python's `with` statement: enters `manager`, runs `body` with its value, and exits it
 * exactly once, whatever happens. Returns the body's result, or `undefined` when exit
 * suppressed the body's error. An array of managers behaves as nested statements, the first
 * being the outermost; an entry may be a function that makes its manager, called only once the
 * managers before it are entered: Python's `with A(), B():` is `syncWith([() => A(), () => B()], …)`,
 * so that a failing `B()` still exits `A`.
 *
 * Accepts sync managers (`enter`/`exit`) and TC39 `Disposable`s (the value is the object
 * itself; `[Symbol.dispose]()` runs at the end and never suppresses). A body returning a
 * promise is a mistake (the manager would exit before the work is done): the call's type is
 * {@link AsyncBodyInSyncWith}, and at run time a `TypeError` goes through exit like any error
 * of the body. So is an exit returning a promise (nothing would await it): a `TypeError` raised
 * as exit's own error. Such a `TypeError` carries the promise as its `cause` and no exit can
 * suppress it.
 *
 * @example
 * ```ts
 * const total = syncWith(openLedger(), (ledger) => ledger.sum());
 * syncWith([openLedger(), suppress(RangeError)], (ledger) => ledger.sum());
 * // with closing(open("a")) as a, closing(open("b")) as b:
 * syncWith([() => closing(openFile("a")), () => closing(openFile("b"))], (a, b) => copy(a, b));
 * ```
 */
export function syncWith<M extends SyncManagerLike, R>(
  manager: M,
  body: (value: SyncEnterValue<M>) => R,
): WithResult<R, SyncCanSuppress<M>>;
/**
 * The array form of `syncWith` with a body that returns a promise: a mistake, see the
 * single-manager form.
 *
 * @deprecated syncWith body returns a promise: the managers would exit before the work is done; use asyncWith.
 */
export function syncWith<const Ms extends readonly SyncEntry[], R extends Thenable>(
  managers: Ms,
  body: (...values: SyncEnterValues<Ms>) => R,
): AsyncBodyInSyncWith;
export function syncWith<const Ms extends readonly SyncEntry[], R>(
  managers: Ms,
  body: (...values: SyncEnterValues<Ms>) => R,
): WithResult<R, AnySync<Ms>>;
export function syncWith(manager: unknown, body: (...values: any[]) => unknown): unknown {
  if (typeof body !== "function") throw bodyTypeError(body, "syncWith");
  if (Array.isArray(manager)) return syncWithAll(manager, body);
  const result = syncWithOne(manager, body);
  if (result === RETHROW) throw takePendingError();
  return result;
}

/**
 * What syncWithOne returns when the block ends with an error, which it leaves in
 * `pendingError` for its caller to throw. syncWithOne itself never ends in `throw` on that
 * path: V8 does not re-optimise a function whose calls end by throwing, so once deoptimised
 * (say, by the first error after a run of happy paths), it would stay slow for good. The throw
 * happens in its small caller instead.
 */
const RETHROW: unique symbol = Symbol("rethrow");
let pendingError: unknown;

function takePendingError(): unknown {
  const error = pendingError;
  pendingError = undefined;
  return error;
}

function syncWithOne(manager: unknown, body: (value: any) => unknown): unknown {
  // Rule 3: both methods are looked up, once each and enter first, before enter runs; a
  // missing one means no enter. A TC39 Disposable leaves `exit` undefined and runs `dispose`.
  let value: unknown;
  let exit: Method | undefined;
  let dispose: Method | undefined;
  const methods = protocolOf(manager);
  const enter = methods.enter;
  const exitMethod = methods.exit;
  if (typeof enter === "function" || typeof exitMethod === "function") {
    if (typeof enter !== "function" || typeof exitMethod !== "function") throw protocolError(manager, false);
    exit = exitMethod as Method;
    value = enter.call(manager);
  } else {
    const disposeMethod = methods[disposeSymbol];
    if (typeof disposeMethod !== "function") throw protocolError(manager, false);
    dispose = disposeMethod as Method;
    value = manager;
  }
  // Rule 4: enter failing propagates without exit; from here on exit runs exactly once.
  let result: unknown;
  let failed = false;
  let error: unknown;
  try {
    result = body(value);
  } catch (thrown) {
    failed = true;
    error = thrown;
  }
  if (!failed && isThenable(result)) {
    failed = true;
    error = asyncBodyError(result);
  }
  if (failed) {
    // Rules 8-9, written out here rather than in a helper that ends in `throw` (never optimised
    // nor inlined by V8); the error goes to the caller through RETHROW.
    let suppress: unknown;
    try {
      if (exit !== undefined) {
        suppress = exit.call(manager, { error });
        if (suppress !== undefined && suppress !== true && suppress !== false) checkExitAnswer(manager, suppress);
      } else (dispose as Method).call(manager);
    } catch (exitError) {
      chainErrorContext(exitError, error);
      pendingError = exitError;
      return RETHROW;
    }
    if (suppress === true && suppressible(error)) return undefined;
    pendingError = error;
    return RETHROW;
  }
  if (exit !== undefined) {
    const answer = exit.call(manager);
    // A promise here is exit's own error, raised through RETHROW like any other.
    if (answer !== undefined && answer !== true && answer !== false && isThenable(answer)) {
      pendingError = exitPromiseError(manager, answer);
      return RETHROW;
    }
  } else (dispose as Method).call(manager);
  return result;
}

/**
 * The array form: the same outcome as nested `syncWith` calls, the first manager outermost, in
 * two loops instead of a recursion, so that an array of any length takes no deeper stack than
 * one manager. Each entered manager is recorded, flat, as manager, method and whether the
 * method is a disposable's (which never sees or suppresses the error).
 */
function syncWithAll(managers: readonly unknown[], body: (...values: any[]) => unknown): unknown {
  const count = managers.length;
  const values: unknown[] = new Array(count);
  const entered: unknown[] = [];
  let failed = false;
  let error: unknown;
  let result: unknown;
  try {
    // Rule 13: the next manager is looked at only once the previous one is entered.
    for (let i = 0; i < count; i++) {
      // An entry may be a function that makes its manager, called only now (Python evaluates
      // `B()` in `with A(), B():` after entering A); its error exits the entered ones.
      const manager = entryManager(managers[i]);
      const methods = protocolOf(manager);
      const enter = methods.enter;
      const exit = methods.exit;
      if (typeof enter === "function" || typeof exit === "function") {
        if (typeof enter !== "function" || typeof exit !== "function") throw protocolError(manager, false);
        values[i] = enter.call(manager);
        entered.push(manager, exit, false);
      } else {
        const dispose = methods[disposeSymbol];
        if (typeof dispose !== "function") throw protocolError(manager, false);
        values[i] = manager;
        entered.push(manager, dispose, true);
      }
    }
    result = body(...values);
    if (isThenable(result)) throw asyncBodyError(result);
  } catch (thrown) {
    failed = true;
    error = thrown;
  }
  // Innermost first; each exit sees the outcome of the ones inside it, as nested blocks do.
  for (let i = entered.length - 3; i >= 0; i -= 3) {
    const manager = entered[i];
    const method = entered[i + 1] as Method;
    const disposes = entered[i + 2] === true;
    let answer: unknown;
    try {
      if (disposes) method.call(manager);
      else {
        answer = failed ? method.call(manager, { error }) : method.call(manager);
        if (answer !== undefined && answer !== true && answer !== false) checkExitAnswer(manager, answer);
      }
    } catch (exitError) {
      if (failed) chainErrorContext(exitError, error);
      failed = true;
      error = exitError;
      continue;
    }
    if (failed && answer === true && suppressible(error)) {
      failed = false;
      error = undefined;
      result = undefined;
    }
  }
  if (failed) throw error;
  return result;
}

// -- asyncWith --------------------------------------------------------------------------------

/**
 * Python's `async with` statement: awaits the manager's `aenter()`, runs `body` with its
 * value, and awaits `aexit()` exactly once, whatever happens. Resolves to the body's result,
 * or `undefined` when exit suppressed the body's error. An array of managers behaves as nested
 * statements, the first being the outermost.
 *
 * Accepts async managers (`aenter`/`aexit`), sync managers (`enter`/`exit`), and TC39
 * `AsyncDisposable`/`Disposable` values (the value is the object itself; dispose is awaited at
 * the end and never suppresses). A sync manager's exit is not awaited: a promise it returns is
 * a `TypeError`, as in {@link syncWith}.
 *
 * @example
 * ```ts
 * await asyncWith(new Connection("localhost", 500), async (conn) => {
 *   await conn.send("ping");
 * });
 * const rows = await asyncWith([pool.acquire(), timeout(1000)], async (conn, scope) =>
 *   conn.query("SELECT 1", { signal: scope.signal }));
 * ```
 */
export function asyncWith<M extends AsyncManagerLike, R>(
  manager: M,
  body: (value: AsyncEnterValue<M>) => R,
): Promise<WithResult<Awaited<R>, AsyncCanSuppress<M>>>;
export function asyncWith<const Ms extends readonly AsyncEntry[], R>(
  managers: Ms,
  body: (...values: AsyncEnterValues<Ms>) => R,
): Promise<WithResult<Awaited<R>, AnyAsync<Ms>>>;
export function asyncWith(manager: unknown, body: (...values: any[]) => unknown): Promise<unknown> {
  if (typeof body !== "function") return Promise.reject(bodyTypeError(body, "asyncWith"));
  if (!Array.isArray(manager)) return asyncWithOne(manager, body);
  if (manager.length === 0) return runBody(body);
  return asyncWithAll(manager, body);
}

async function runBody(body: () => unknown): Promise<unknown> {
  return body();
}

/**
 * The steps of a manager class that `asyncWith` drives itself when that saves ticks: the async
 * generator managers (src/generator.ts), whose own `aenter`/`aexit` are async functions around
 * the generator's promises. Each step answers without an await of its own, so `asyncWith`
 * awaits the generator's promises directly: the ticks of stepping the generator by hand. Used
 * only while both methods are that class's own, so a subclass overriding either one still gets
 * the general path.
 *
 * @internal
 */
export interface SteppedManager {
  /** The class's own `aenter` and `aexit`. */
  readonly aenter: unknown;
  readonly aexit: unknown;
  /** aenter's first half: the promise of the first step. */
  start(manager: unknown): PromiseLike<unknown>;
  /** aenter's second half: the value the block receives, from the first step. */
  entered(manager: unknown, step: unknown): unknown;
  /** aexit's first half: the promise of resuming after the block, with `exc` thrown in if given. */
  resume(manager: unknown, exc: ExcInfo | undefined): PromiseLike<unknown>;
  /** aexit's second half once resuming fulfilled: whether to suppress, or a promise of a misuse error. */
  resumed(manager: unknown, exc: ExcInfo | undefined, step: unknown): boolean | Promise<never>;
  /**
   * aexit's second half once resuming `exc` in rejected with `raised`: returns when it is the
   * same error (not handled: it propagates), throws `raised` (chained to it) otherwise.
   */
  resumeFailed(manager: unknown, exc: ExcInfo, raised: unknown): void;
}

let stepped: SteppedManager | undefined;

/** @internal Registers the stepped manager class described above (src/generator.ts). */
export function registerSteppedManager(steps: SteppedManager): void {
  stepped = steps;
}

function isStepped(aenter: unknown, aexit: unknown): boolean {
  return stepped !== undefined && aenter === stepped.aenter && aexit === stepped.aexit;
}

/** A stepped manager's `async with`: aenter, the block and aexit, awaiting only the generator. */
async function runStepped(manager: unknown, body: (value: any) => unknown): Promise<unknown> {
  const steps = stepped as SteppedManager;
  const value = steps.entered(manager, await steps.start(manager));
  let result: unknown;
  try {
    result = await body(value);
  } catch (error) {
    if (mayBeStackOverflow(error)) await undefined;
    const exc: ExcInfo = { error };
    let step: unknown;
    try {
      step = await steps.resume(manager, exc);
    } catch (raised) {
      steps.resumeFailed(manager, exc, raised);
      throw error;
    }
    const suppress = steps.resumed(manager, exc, step);
    if (suppress === true && suppressible(error)) return undefined;
    if (typeof suppress === "boolean") throw error;
    return suppress;
  }
  const suppress = steps.resumed(manager, undefined, await steps.resume(manager, undefined));
  if (typeof suppress !== "boolean") await suppress;
  return result;
}

/**
 * Reads the manager's protocol once (rule 3) and starts the matching runner. Synchronous, so
 * that no runner's promise is re-wrapped by an outer async function (a tick each time);
 * anything thrown while reading becomes a rejection, as it would inside `async with`.
 */
function asyncWithOne(manager: unknown, body: (value: any) => unknown): Promise<unknown> {
  try {
    const methods = protocolOf(manager);
    const aenter = methods.aenter;
    const aexit = methods.aexit;
    if (typeof aenter === "function" || typeof aexit === "function") {
      if (typeof aenter !== "function" || typeof aexit !== "function") throw protocolError(manager, true);
      if (isStepped(aenter, aexit)) return runStepped(manager, body);
      return runAsyncManager(manager, aenter as Method, aexit as Method, body);
    }
    const enter = methods.enter;
    const exit = methods.exit;
    if (typeof enter === "function" || typeof exit === "function") {
      if (typeof enter !== "function" || typeof exit !== "function") throw protocolError(manager, false);
      return runSyncManager(manager, enter as Method, exit as Method, body);
    }
    // TC39 disposables: the value is the object; the dispose method is read once, up front, as
    // `await using` does. As in GetDisposeMethod, only an absent (nullish) Symbol.asyncDispose
    // falls back to Symbol.dispose; a non-callable one is a TypeError.
    let dispose = methods[asyncDisposeSymbol];
    const awaitDispose = dispose != null;
    if (!awaitDispose) dispose = methods[disposeSymbol];
    if (typeof dispose !== "function") throw protocolError(manager, true);
    return runDisposable(manager, dispose as Method, awaitDispose, body);
  } catch (error) {
    return Promise.reject(error);
  }
}

/**
 * Whether the block's error may be a stack overflow, thrown synchronously by a deeply
 * recursive body: exit then waits one turn so that it runs on a fresh stack, where it cannot
 * overflow in turn and leave the manager entered. Any other error costs nothing here.
 */
function mayBeStackOverflow(error: unknown): boolean {
  return error instanceof RangeError;
}

/**
 * A cancel scope's block, run by the scope (see runAsyncManager). A function of its own, so that
 * the closure it makes does not give `runAsyncManager` a context allocated on every call.
 */
function runScoped(
  runBlock: (this: unknown, block: () => unknown) => unknown,
  manager: unknown,
  body: (value: any) => unknown,
  value: unknown,
): unknown {
  return runBlock.call(manager, () => body(value));
}

// The happy path awaits exactly aenter, the body and aexit: the same microtask ticks as a
// hand-written `const r = await acquire(); try { await use(r) } finally { await release(r) }`.
// An aenter/aexit that answers synchronously (a free lock, a pooled resource) is not awaited:
// a tick saved on the hottest paths, and the outcome is the same.
async function runAsyncManager(
  manager: unknown,
  aenter: Method,
  aexit: Method,
  body: (value: any) => unknown,
): Promise<unknown> {
  // A cancel scope runs the block itself, with its signal current (src/asyncio/ambient.ts);
  // read with the protocol, before entering, so that a throwing read leaves nothing entered.
  const runBlock = (manager as { [runBlockSymbol]?: unknown })[runBlockSymbol];
  let value = aenter.call(manager);
  // Inline, not isThenable(): between a synchronous enter and the `try`, no call that a deep
  // stack could make overflow, which would leave the manager entered and never exited.
  if (
    value !== null &&
    (typeof value === "object" || typeof value === "function") &&
    typeof (value as { then?: unknown }).then === "function"
  ) {
    value = await value;
  }
  let result: unknown;
  try {
    result = await (typeof runBlock === "function"
      ? runScoped(runBlock as (block: () => unknown) => unknown, manager, body, value)
      : body(value));
  } catch (error) {
    if (mayBeStackOverflow(error)) await undefined;
    let suppress: unknown;
    try {
      suppress = aexit.call(manager, { error });
      if (isThenable(suppress)) suppress = await suppress;
    } catch (exitError) {
      chainErrorContext(exitError, error);
      throw exitError;
    }
    if (suppress === true && suppressible(error)) return undefined;
    throw error;
  }
  const exited = aexit.call(manager);
  if (isThenable(exited)) await exited;
  return result;
}

async function runSyncManager(
  manager: unknown,
  enter: Method,
  exit: Method,
  body: (value: any) => unknown,
): Promise<unknown> {
  const value = enter.call(manager);
  let result: unknown;
  try {
    result = await body(value);
  } catch (error) {
    if (mayBeStackOverflow(error)) await undefined;
    return exitWithError(manager, exit, error);
  }
  const answer = exit.call(manager);
  if (answer !== undefined && answer !== true && answer !== false) checkExitAnswer(manager, answer);
  return result;
}

/** A TC39 disposable: dispose runs (and is awaited when async) at the end and never suppresses. */
async function runDisposable(
  manager: unknown,
  dispose: Method,
  awaitDispose: boolean,
  body: (value: any) => unknown,
): Promise<unknown> {
  let result: unknown;
  try {
    result = await body(manager);
  } catch (error) {
    if (mayBeStackOverflow(error)) await undefined;
    try {
      const pending = dispose.call(manager);
      if (awaitDispose) await pending;
    } catch (disposeError) {
      chainErrorContext(disposeError, error);
      throw disposeError;
    }
    throw error;
  }
  const pending = dispose.call(manager);
  if (awaitDispose) await pending;
  return result;
}

// How asyncWithAll exits an entered manager.
/** A stepped manager (see SteppedManager): its steps awaited directly, on either path. */
const STEPPED = 4;
/** `aexit`, awaited when it answers with a thenable. */
const ASYNC_EXIT = 0;
/** A sync `exit`: a promise there is an error. */
const SYNC_EXIT = 1;
/** `Symbol.asyncDispose`, always awaited; it never sees or suppresses the error. */
const AWAITED_DISPOSE = 2;
/** `Symbol.dispose`, not awaited; it never sees or suppresses the error. */
const DISPOSE = 3;

/** No cancel scope among the managers: the array form calls the body itself. */
const NOT_SCOPED: unique symbol = Symbol("not scoped");

/**
 * The array form: the same outcome as nested `asyncWith` calls, the first manager outermost,
 * in two loops of one async function instead of a recursion, so that an array of any length
 * takes no deeper stack than one manager. Each entered manager is recorded, flat, as manager,
 * method and how it exits (ASYNC_EXIT, SYNC_EXIT, AWAITED_DISPOSE, DISPOSE, STEPPED). It awaits
 * exactly what the nested hand-written blocks would await: one async function for the whole
 * array, not one per level whose promise the next level out awaits (a tick per level).
 */
async function asyncWithAll(managers: readonly unknown[], body: (...values: any[]) => unknown): Promise<unknown> {
  const count = managers.length;
  const values: unknown[] = new Array(count);
  const entered: unknown[] = [];
  let failed = false;
  let error: unknown;
  let result: unknown;
  let scoped: unknown = NOT_SCOPED;
  try {
    // Rule 13: the next manager is looked at only once the previous one is entered.
    for (let i = 0; i < count; i++) {
      let manager = managers[i];
      // A function entry makes its manager (or a promise of one) only now.
      if (isFactory(manager)) {
        manager = manager();
        if (isThenable(manager)) manager = await manager;
      }
      const methods = protocolOf(manager);
      const aenter = methods.aenter;
      const aexit = methods.aexit;
      if (typeof aenter === "function" || typeof aexit === "function") {
        if (typeof aenter !== "function" || typeof aexit !== "function") throw protocolError(manager, true);
        if (isStepped(aenter, aexit)) {
          const steps = stepped as SteppedManager;
          values[i] = steps.entered(manager, await steps.start(manager));
          entered.push(manager, aexit, STEPPED);
          continue;
        }
        const runBlock = (manager as { [runBlockSymbol]?: unknown })[runBlockSymbol];
        let value = aenter.call(manager);
        if (isThenable(value)) value = await value;
        values[i] = value;
        entered.push(manager, aexit, ASYNC_EXIT);
        if (typeof runBlock === "function") {
          // A cancel scope: the managers after it, the body and their exits run inside it
          // (src/asyncio/ambient.ts), as the nested statements would.
          const outer = values.slice(0, i + 1);
          scoped = runBlock.call(manager, () =>
            asyncWith(managers.slice(i + 1) as AsyncManagerLike[], (...inner: unknown[]) => body(...outer, ...inner)),
          );
          break;
        }
        continue;
      }
      const enter = methods.enter;
      const exit = methods.exit;
      if (typeof enter === "function" || typeof exit === "function") {
        if (typeof enter !== "function" || typeof exit !== "function") throw protocolError(manager, false);
        values[i] = enter.call(manager);
        entered.push(manager, exit, SYNC_EXIT);
        continue;
      }
      // As in asyncWithOne: only an absent Symbol.asyncDispose falls back to Symbol.dispose.
      let dispose = methods[asyncDisposeSymbol];
      const awaitDispose = dispose != null;
      if (!awaitDispose) dispose = methods[disposeSymbol];
      if (typeof dispose !== "function") throw protocolError(manager, true);
      values[i] = manager;
      entered.push(manager, dispose, awaitDispose ? AWAITED_DISPOSE : DISPOSE);
    }
    result = await (scoped === NOT_SCOPED ? body(...values) : scoped);
  } catch (thrown) {
    failed = true;
    error = thrown;
    if (mayBeStackOverflow(thrown)) await undefined;
  }
  // Innermost first; each exit sees the outcome of the ones inside it, as nested blocks do.
  for (let i = entered.length - 3; i >= 0; i -= 3) {
    const manager = entered[i];
    const method = entered[i + 1] as Method;
    const kind = entered[i + 2] as number;
    let answer: unknown;
    try {
      if (kind === ASYNC_EXIT || kind === SYNC_EXIT) {
        answer = failed ? method.call(manager, { error }) : method.call(manager);
        if (kind === ASYNC_EXIT) {
          if (isThenable(answer)) answer = await answer;
        } else if (answer !== undefined && answer !== true && answer !== false) checkExitAnswer(manager, answer);
      } else if (kind === STEPPED) {
        const steps = stepped as SteppedManager;
        const exc: ExcInfo | undefined = failed ? { error } : undefined;
        let step: unknown;
        let handled = true;
        try {
          step = await steps.resume(manager, exc);
        } catch (raised) {
          if (exc === undefined) throw raised;
          steps.resumeFailed(manager, exc, raised); // the same error back: still pending
          handled = false;
        }
        if (handled) {
          answer = steps.resumed(manager, exc, step);
          if (typeof answer !== "boolean") answer = await answer;
        }
      } else {
        const pending = method.call(manager);
        if (kind === AWAITED_DISPOSE) await pending;
      }
    } catch (exitError) {
      if (failed) chainErrorContext(exitError, error);
      failed = true;
      error = exitError;
      continue;
    }
    if (failed && answer === true && suppressible(error)) {
      failed = false;
      error = undefined;
      result = undefined;
    }
  }
  if (failed) throw error;
  return result;
}
