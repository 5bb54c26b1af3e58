/**
 * Managers written as generators: `contextManager(function* …)` and
 * `asyncContextManager(async function* …)`, Python's `@contextmanager` and
 * `@asynccontextmanager` (Python's `contextlib` documentation).
 *
 * The code before the generator's single `yield` is enter, the yielded value is what the block
 * receives, and the code after it is exit. An error of the block is thrown into the generator
 * at the `yield`: a generator that catches it and finishes suppresses it, one that lets it
 * escape (or re-throws it) lets it propagate unchanged.
 *
 * How Python's rule 26d is adapted: JavaScript has no `StopIteration` and no PEP 479, so a
 * generator never wraps an error thrown into it in a `RuntimeError`. The unwrapping branch has
 * nothing to unwrap; what it protects is kept: an error thrown in and coming back as the same
 * value is not suppressed and propagates as that same value. A `RuntimeError` the generator
 * itself wraps around the error (with `cause`) stays wrapped, as any new error does.
 *
 * `return()` plays the part of Python's `close()` (GeneratorExit): it runs the generator's
 * `finally` blocks, not its `catch` blocks.
 *
 * @module
 */

import { AsyncContextDecorator, ContextDecorator } from "./decorator.js";
import { chainErrorContext, RuntimeError } from "./errors.js";
import { shareIdentity } from "./identity.js";
import type { AsyncContextManager, ContextManager, ExcInfo } from "./protocol.js";
import { registerSteppedManager } from "./with.js";

/**
 * A generator function a sync generator manager is made from: it yields once, the value the
 * block receives.
 *
 * @example
 * ```ts
 * const tempDir: ManagerGeneratorFunction<unknown, [prefix: string], string> = function* (prefix) {
 *   const dir = mkdtempSync(prefix);
 *   try { yield dir; } finally { rmSync(dir, { recursive: true }); }
 * };
 * ```
 */
export type ManagerGeneratorFunction<This, Args extends unknown[], T> = (
  this: This,
  ...args: Args
) => Generator<T, unknown, undefined>;

/**
 * An async generator function an async generator manager is made from: it yields once, the
 * value the block receives.
 *
 * @example
 * ```ts
 * const leased: AsyncManagerGeneratorFunction<Pool<Conn>, [], Conn> = async function* () {
 *   const lease = this.acquire();
 *   const conn = await lease.aenter();
 *   try { yield conn; } finally { await lease.aexit(); }
 * };
 * ```
 */
export type AsyncManagerGeneratorFunction<This, Args extends unknown[], T> = (
  this: This,
  ...args: Args
) => AsyncGenerator<T, unknown, undefined>;

/**
 * What `contextManager` returns: each call gives a fresh single-use manager.
 *
 * @example
 * ```ts
 * const indented: GeneratorContextManagerFactory<unknown, [by: number], number> = contextManager(function* (by: number) {
 *   level += by;
 *   try { yield level; } finally { level -= by; }
 * });
 * syncWith(indented(2), (now) => log(`level ${now}`));
 * ```
 */
export type GeneratorContextManagerFactory<This, Args extends unknown[], T, Suppresses extends boolean = false> = (
  this: This,
  ...args: Args
) => GeneratorContextManager<T, Suppresses>;

/**
 * What `asyncContextManager` returns: each call gives a fresh single-use manager.
 *
 * @example
 * ```ts
 * const locked: AsyncGeneratorContextManagerFactory<unknown, [Lock], void> = asyncContextManager(
 *   async function* (lock: Lock) {
 *     await lock.acquire();
 *     try { yield; } finally { lock.release(); }
 *   },
 * );
 * await asyncWith(locked(lock), () => critical());
 * ```
 */
export type AsyncGeneratorContextManagerFactory<This, Args extends unknown[], T, Suppresses extends boolean = false> = (
  this: This,
  ...args: Args
) => AsyncGeneratorContextManager<T, Suppresses>;

/**
 * Options of {@link contextManager} and {@link asyncContextManager}, for the types only.
 *
 * `suppresses: true` says that the generator may catch the block's error without re-raising
 * it, so a block may end with no result: `syncWith`/`asyncWith` and `decorate` then type the
 * result `R | undefined`. Without it, the result is typed `R`, which is right for the common
 * generator that re-raises (`try { yield } finally { … }`, or `catch` that re-throws). The
 * run-time behaviour is Python's either way: a generator that catches the error suppresses it.
 *
 * @example
 * ```ts
 * const ignoringMissing = contextManager(function* () {
 *   try { yield; } catch (error) { if (!isNotFound(error)) throw error; }
 * }, { suppresses: true });
 * const text: string | undefined = syncWith(ignoringMissing(), () => readFileSync(path, "utf8"));
 * ```
 */
export interface GeneratorManagerOptions {
  /** `true` when the generator may swallow the block's error (the result may be `undefined`). */
  readonly suppresses?: boolean;
}

/** Any function: what the identity helpers need to know of the generator function. */
type SomeFunction = (...args: never[]) => unknown;

const ALREADY_ENTERED =
  "a generator context manager is single-use and was already entered: call its factory again for a fresh one";

function notAGeneratorError(func: SomeFunction, value: unknown, kind: string): TypeError {
  const got = value === null ? "null" : typeof value;
  return new TypeError(`'${func.name || "anonymous"}' must be ${kind} function: its call returned '${got}'`);
}

/**
 * `"GeneratorFunction"`, `"AsyncGeneratorFunction"`, or something else, from the function's own
 * tag. Compiled-down generators are plain functions; their mistake is caught on the first call.
 */
function functionKind(func: SomeFunction): string {
  return Object.prototype.toString.call(func).slice(8, -1);
}

/** Refusing the other kind of generator, naming the function that takes it. */
function wrongKindError(func: SomeFunction, caller: "contextManager" | "asyncContextManager"): TypeError {
  const [kind, other] =
    caller === "contextManager"
      ? ["an async generator function", "asyncContextManager"]
      : ["a sync generator function", "contextManager"];
  return new TypeError(`${caller} was given ${kind} ('${func.name || "anonymous"}'): use ${other} for it`);
}

/** Python's `exc is value`; a thrown `NaN` coming back counts as the same value too. */
function isSameError(raised: unknown, thrown: unknown): boolean {
  return raised === thrown || Object.is(raised, thrown);
}

function isGeneratorLike(value: unknown): boolean {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as Generator).next === "function" &&
    typeof (value as Generator).throw === "function" &&
    typeof (value as Generator).return === "function"
  );
}

/** An async generator (or iterator) that is not also a sync one. */
function isAsyncIterator(value: object): boolean {
  return Symbol.asyncIterator in value && !(Symbol.iterator in value);
}

/** A sync generator (or iterator) that is not also an async one. */
function isSyncIterator(value: object): boolean {
  return Symbol.iterator in value && !(Symbol.asyncIterator in value);
}

/**
 * Python's `generator.close()` after a "didn't stop" error: `return()` the generator, then
 * give back the error to raise. An error of `return()` replaces `stuck`, recorded as its
 * context; a generator that yields again from a `finally` ignored the request to stop.
 */
function closeAfter(generator: Generator<unknown, unknown, undefined>, stuck: RuntimeError): unknown {
  let closed: IteratorResult<unknown, unknown>;
  try {
    closed = generator.return(undefined);
  } catch (closeError) {
    chainErrorContext(closeError, stuck);
    return closeError;
  }
  if (closed.done) return stuck;
  const ignored = new RuntimeError("generator ignored GeneratorExit");
  chainErrorContext(ignored, stuck);
  return ignored;
}

async function acloseAfter(
  generator: AsyncGenerator<unknown, unknown, undefined>,
  stuck: RuntimeError,
): Promise<unknown> {
  let closed: IteratorResult<unknown, unknown>;
  try {
    closed = await generator.return(undefined);
  } catch (closeError) {
    chainErrorContext(closeError, stuck);
    return closeError;
  }
  if (closed.done) return stuck;
  // CPython's aclose() words it for async generators (Objects/genobject.c, async_gen_athrow_send).
  const ignored = new RuntimeError("async generator ignored GeneratorExit");
  chainErrorContext(ignored, stuck);
  return ignored;
}

/** Copies what Python's `functools.wraps` copies and JavaScript has: the name and own enumerable properties (case 18). */
function copyIdentity(factory: SomeFunction, func: SomeFunction): void {
  for (const key of Reflect.ownKeys(func)) {
    const descriptor = Object.getOwnPropertyDescriptor(func, key);
    if (descriptor?.enumerable) Object.defineProperty(factory, key, descriptor);
  }
  Object.defineProperty(factory, "name", { value: func.name, configurable: true });
}

/**
 * The single-use sync manager a {@link contextManager} factory returns; it also decorates
 * functions (each call of the decorated function gets a fresh manager).
 *
 * @example
 * ```ts
 * const opened = contextManager(function* (path: string) {
 *   const file = openSync(path, "r");
 *   try { yield file; } finally { closeSync(file); }
 * });
 * const manager: GeneratorContextManager<number> = opened("notes.txt");
 * syncWith(manager, (fd) => readSync(fd, buffer));
 * ```
 */
export class GeneratorContextManager<T, Suppresses extends boolean = false>
  extends ContextDecorator
  implements ContextManager<T, Suppresses>
{
  readonly #generator: Generator<T, unknown, undefined>;
  // What `recreate()` needs; dropped on enter, so the manager keeps no argument alive (case 22).
  #func: ManagerGeneratorFunction<unknown, unknown[], T> | undefined;
  #thisArg: unknown;
  #args: readonly unknown[] | undefined;

  /**
   * Calls `func` with `thisArg` and `args`, creating (not starting) the generator, as Python's
   * constructor does: argument errors surface here, before any `with`. Factories made by
   * {@link contextManager} call this.
   */
  constructor(func: ManagerGeneratorFunction<any, any[], T>, thisArg: unknown, args: readonly unknown[]) {
    super();
    const generator = func.apply(thisArg, args as unknown[]);
    if (!isGeneratorLike(generator)) throw notAGeneratorError(func, generator, "a generator");
    // An async generator has the same three methods: tell it apart before running it.
    if (isAsyncIterator(generator)) throw wrongKindError(func, "contextManager");
    this.#generator = generator;
    this.#func = func;
    this.#thisArg = thisArg;
    this.#args = args;
  }

  /** Runs the generator to its `yield` and returns the yielded value (rule 24). Single use. */
  override enter(): T {
    if (this.#func === undefined) throw new RuntimeError(ALREADY_ENTERED);
    this.#func = undefined;
    this.#thisArg = undefined;
    this.#args = undefined;
    const step = this.#generator.next();
    if (step.done) throw new RuntimeError("generator didn't yield");
    return step.value;
  }

  /**
   * Resumes the generator after the block: with no argument it runs on (rule 25); with
   * `{ error }` it throws `error` in at the `yield` (rule 26). Returns `true` when the generator
   * caught the error and finished (suppress), `false` when the same error came back.
   */
  override exit(exc?: ExcInfo): Suppresses {
    return this.#exit(exc) as Suppresses;
  }

  #exit(exc: ExcInfo | undefined): boolean {
    const generator = this.#generator;
    if (exc === undefined) {
      if (generator.next().done) return false;
      throw closeAfter(generator, new RuntimeError("generator didn't stop"));
    }
    const error = exc.error;
    let step: IteratorResult<T, unknown>;
    try {
      step = generator.throw(error);
    } catch (raised) {
      // Rule 26d/e: the same value back means "not handled"; the caller re-raises it.
      if (isSameError(raised, error)) return false;
      chainErrorContext(raised, error);
      throw raised;
    }
    if (step.done) return true;
    const stuck = new RuntimeError("generator didn't stop after throw()");
    chainErrorContext(stuck, error);
    throw closeAfter(generator, stuck);
  }

  /**
   * A fresh manager of the same class from the same generator function, `this` and arguments
   * (rule 29, issue #11647).
   */
  protected override recreate(): GeneratorContextManager<T, Suppresses> {
    if (this.#func === undefined) throw new RuntimeError(ALREADY_ENTERED);
    const Class = this.constructor as typeof GeneratorContextManager<T, Suppresses>;
    return new Class(this.#func, this.#thisArg, this.#args as unknown[]);
  }
}

/**
 * The single-use async manager an {@link asyncContextManager} factory returns; it also
 * decorates async functions (each call of the decorated function gets a fresh manager).
 *
 * @example
 * ```ts
 * const connectTo = asyncContextManager(async function* (host: string, port: number) {
 *   const conn = await getConn(host, port);
 *   try { yield conn; } finally { await conn.close(); }
 * });
 * const manager: AsyncGeneratorContextManager<Conn> = connectTo("localhost", 5432);
 * await asyncWith(manager, (conn) => conn.query("SELECT 1"));
 * ```
 */
export class AsyncGeneratorContextManager<T, Suppresses extends boolean = false>
  extends AsyncContextDecorator
  implements AsyncContextManager<T, Suppresses>
{
  readonly #generator: AsyncGenerator<T, unknown, undefined>;
  #func: AsyncManagerGeneratorFunction<unknown, unknown[], T> | undefined;
  #thisArg: unknown;
  #args: readonly unknown[] | undefined;

  /**
   * Calls `func` with `thisArg` and `args`, creating (not starting) the async generator.
   * Factories made by {@link asyncContextManager} call this.
   */
  constructor(func: AsyncManagerGeneratorFunction<any, any[], T>, thisArg: unknown, args: readonly unknown[]) {
    super();
    const generator = func.apply(thisArg, args as unknown[]);
    if (!isGeneratorLike(generator)) throw notAGeneratorError(func, generator, "an async generator");
    if (isSyncIterator(generator)) throw wrongKindError(func, "asyncContextManager");
    this.#generator = generator;
    this.#func = func;
    this.#thisArg = thisArg;
    this.#args = args;
  }

  /** Runs the generator to its `yield` and resolves to the yielded value (rule 27). Single use. */
  override async aenter(): Promise<T> {
    return this.#yielded(await this.#start());
  }

  /**
   * Resumes the generator after the block, throwing `{ error }` in at the `yield` when given
   * (rule 27). Resolves to `true` when the generator caught the error and finished (suppress),
   * `false` when the same error came back.
   */
  override aexit(exc?: ExcInfo): Promise<Suppresses> {
    return this.#aexit(exc) as Promise<Suppresses>;
  }

  async #aexit(exc: ExcInfo | undefined): Promise<boolean> {
    const Self = AsyncGeneratorContextManager;
    let step: IteratorResult<T, unknown>;
    try {
      step = await Self.#resume(this, exc);
    } catch (raised) {
      if (exc === undefined) throw raised;
      Self.#resumeFailed(exc, raised);
      return false;
    }
    return Self.#resumed(this, exc, step);
  }

  /** The first step (aenter's): single use, so the arguments are dropped once entered. */
  #start(): Promise<IteratorResult<T, unknown>> {
    if (this.#func === undefined) throw new RuntimeError(ALREADY_ENTERED);
    this.#func = undefined;
    this.#thisArg = undefined;
    this.#args = undefined;
    return this.#generator.next();
  }

  #yielded(step: IteratorResult<T, unknown>): T {
    if (step.done) throw new RuntimeError("generator didn't yield");
    return step.value;
  }

  // aexit in three steps, which asyncWith also takes one by one (registerSteppedManager below).

  /** Resumes the generator: runs on after the `yield`, or throws the error in there. */
  static #resume<T>(
    manager: AsyncGeneratorContextManager<T, boolean>,
    exc: ExcInfo | undefined,
  ): Promise<IteratorResult<T, unknown>> {
    return exc === undefined ? manager.#generator.next() : manager.#generator.throw(exc.error);
  }

  /**
   * The generator finished: suppress when an error was thrown in (it caught it). It yielded
   * again: a misuse, the promise of its RuntimeError.
   */
  static #resumed<T>(
    manager: AsyncGeneratorContextManager<T, boolean>,
    exc: ExcInfo | undefined,
    step: IteratorResult<T, unknown>,
  ): boolean | Promise<never> {
    if (step.done) return exc !== undefined;
    return exc === undefined ? manager.#didNotStop() : manager.#didNotStopAfterThrow(exc.error);
  }

  /** Rule 26d/e: the same value back means "not handled" (returns); another one replaces it. */
  static #resumeFailed(exc: ExcInfo, raised: unknown): void {
    if (isSameError(raised, exc.error)) return;
    chainErrorContext(raised, exc.error);
    throw raised;
  }

  async #didNotStop(): Promise<never> {
    throw await acloseAfter(this.#generator, new RuntimeError("generator didn't stop"));
  }

  async #didNotStopAfterThrow(error: unknown): Promise<never> {
    const stuck = new RuntimeError("generator didn't stop after athrow()");
    chainErrorContext(stuck, error);
    throw await acloseAfter(this.#generator, stuck);
  }

  static {
    // The class is named inside the arrows, not captured in a constant here: the compiled
    // output binds the class's name only after the class body, static blocks included, has run.
    type Manager = AsyncGeneratorContextManager<unknown>;
    registerSteppedManager({
      aenter: this.prototype.aenter,
      aexit: this.prototype.aexit,
      start: (manager) => (manager as Manager).#start(),
      entered: (manager, step) => (manager as Manager).#yielded(step as IteratorResult<unknown, unknown>),
      resume: (manager, exc) => AsyncGeneratorContextManager.#resume(manager as Manager, exc),
      resumed: (manager, exc, step) =>
        AsyncGeneratorContextManager.#resumed(manager as Manager, exc, step as IteratorResult<unknown, unknown>),
      resumeFailed: (_manager, exc, raised) => AsyncGeneratorContextManager.#resumeFailed(exc, raised),
    });
  }

  /** A fresh manager of the same class from the same generator function, `this` and arguments (rule 29). */
  protected override recreate(): AsyncGeneratorContextManager<T, Suppresses> {
    if (this.#func === undefined) throw new RuntimeError(ALREADY_ENTERED);
    const Class = this.constructor as typeof AsyncGeneratorContextManager<T, Suppresses>;
    return new Class(this.#func, this.#thisArg, this.#args as unknown[]);
  }
}

/**
 * Python's `@contextmanager`: turns a generator function that yields once into a factory of
 * managers. Each call of the factory calls the generator function with the same `this` and
 * arguments (creating, not yet running, the generator) and returns a single-use
 * {@link GeneratorContextManager}.
 *
 * Enter runs the generator up to its `yield` and gives the block the yielded value; exit
 * resumes it. An error of the block is thrown in at the `yield`: catching it and finishing
 * suppresses it (the block's result is then `undefined`), letting it escape or re-throwing it
 * propagates the very same error, and a new error replaces it (the replaced one is its
 * `errorContext`). Misuse is a `RuntimeError`: `generator didn't yield`,
 * `generator didn't stop`, `generator didn't stop after throw()`.
 *
 * @example
 * ```ts
 * const transaction = contextManager(function* (db: Database) {
 *   db.exec("BEGIN");
 *   try {
 *     yield db;
 *     db.exec("COMMIT");
 *   } catch (error) {
 *     db.exec("ROLLBACK");
 *     throw error;
 *   }
 * });
 * syncWith(transaction(db), (tx) => tx.exec("UPDATE accounts SET balance = 0"));
 *
 * const audited = transaction(db).decorate(function transfer(from: string, to: string) {
 *   db.exec(`UPDATE accounts SET owner = '${to}' WHERE owner = '${from}'`);
 * });
 * ```
 */
export function contextManager<This, Args extends unknown[], T>(
  func: ManagerGeneratorFunction<This, Args, T>,
  options?: GeneratorManagerOptions & { readonly suppresses?: false },
): GeneratorContextManagerFactory<This, Args, T, false>;
export function contextManager<This, Args extends unknown[], T>(
  func: ManagerGeneratorFunction<This, Args, T>,
  options: GeneratorManagerOptions,
): GeneratorContextManagerFactory<This, Args, T, boolean>;
export function contextManager<This, Args extends unknown[], T>(
  func: ManagerGeneratorFunction<This, Args, T>,
  _options?: GeneratorManagerOptions,
): GeneratorContextManagerFactory<This, Args, T, boolean> {
  if (typeof func !== "function") throw new TypeError("contextManager expects a generator function");
  if (functionKind(func) === "AsyncGeneratorFunction") throw wrongKindError(func, "contextManager");
  const factory = function (this: This, ...args: Args): GeneratorContextManager<T, boolean> {
    return new GeneratorContextManager<T, boolean>(func, this, args);
  };
  copyIdentity(factory, func);
  return factory;
}

/**
 * Python's `@asynccontextmanager`: turns an async generator function that yields once into a
 * factory of async managers ({@link AsyncGeneratorContextManager}), with the rules of
 * {@link contextManager}; the misuse errors are `generator didn't yield`,
 * `generator didn't stop` and `generator didn't stop after athrow()`.
 *
 * @example
 * ```ts
 * const session = asyncContextManager(async function* (host: string, port: number) {
 *   const conn = await getConn(host, port);
 *   try {
 *     yield conn;
 *   } finally {
 *     await conn.close();
 *   }
 * });
 * const rows = await asyncWith(session(host, port), (conn) => conn.query("SELECT 1"));
 *
 * const daily = session(host, port).decorate(async function daily(day: string) {
 *   log(`report for ${day}`);
 * });
 * ```
 */
export function asyncContextManager<This, Args extends unknown[], T>(
  func: AsyncManagerGeneratorFunction<This, Args, T>,
  options?: GeneratorManagerOptions & { readonly suppresses?: false },
): AsyncGeneratorContextManagerFactory<This, Args, T, false>;
export function asyncContextManager<This, Args extends unknown[], T>(
  func: AsyncManagerGeneratorFunction<This, Args, T>,
  options: GeneratorManagerOptions,
): AsyncGeneratorContextManagerFactory<This, Args, T, boolean>;
export function asyncContextManager<This, Args extends unknown[], T>(
  func: AsyncManagerGeneratorFunction<This, Args, T>,
  _options?: GeneratorManagerOptions,
): AsyncGeneratorContextManagerFactory<This, Args, T, boolean> {
  if (typeof func !== "function") throw new TypeError("asyncContextManager expects an async generator function");
  if (functionKind(func) === "GeneratorFunction") throw wrongKindError(func, "asyncContextManager");
  const factory = function (this: This, ...args: Args): AsyncGeneratorContextManager<T, boolean> {
    return new AsyncGeneratorContextManager<T, boolean>(func, this, args);
  };
  copyIdentity(factory, func);
  return factory;
}

// `instanceof` holds across the ESM and CJS copies of the library (src/identity.ts).
shareIdentity({ GeneratorContextManager, AsyncGeneratorContextManager });
