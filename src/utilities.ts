/**
 * contextlib's small managers: `suppress`, `nullContext`, `closing` and `aclosing`
 * (Python's `contextlib` documentation).
 *
 * Each is one small class with one idea, built by a factory function named like Python's
 * (camelCase). None keeps state between uses, so all are reusable and re-entrant.
 *
 * @module
 */

import { chainErrorContext, errorContext, hasErrorContext, RuntimeError, setErrorContext } from "./errors.js";
import { shareIdentity } from "./identity.js";
import type { AsyncContextManager, ContextManager, ExcInfo } from "./protocol.js";
import { isObject, typeName } from "./protocol.js";

// -- suppress ---------------------------------------------------------------------------------

/**
 * A class `suppress` can match with `instanceof`: any constructor, abstract classes included.
 * A static `Symbol.hasInstance` on it is honoured, as `instanceof` does.
 *
 * @example
 * ```ts
 * const ignorable: ErrorClass[] = [NotFoundError, AbortError];
 * syncWith(suppress(...ignorable), () => cache.evict(key));
 * ```
 */
export type ErrorClass = abstract new (...args: any[]) => unknown;

// Only a constructor can be used with `new`; a proxy whose `construct` trap returns at once
// answers that without running any of the value's own code. This accepts classes, plain
// functions and bound constructors, and rejects arrows and methods, which `instanceof` could
// not use.
const probe: ProxyHandler<any> = { construct: () => probe };
function isConstructor(value: unknown): boolean {
  if (typeof value !== "function") return false;
  try {
    new new Proxy(value as new () => unknown, probe)();
    return true;
  } catch {
    return false;
  }
}

/**
 * The manager {@link suppress} returns. Its `enter` returns `undefined`; its `exit` returns
 * exactly `true` when the error is one of the classes, and splits an `AggregateError` that is
 * not itself one of them (rule 49, Python 3.12+).
 *
 * @example
 * ```ts
 * const ignoreMissing: Suppress = suppress(NotFoundError);
 * ignoreMissing.errorClasses; // [NotFoundError]
 * ```
 */
export class Suppress implements ContextManager<undefined, boolean> {
  readonly #classes: readonly ErrorClass[];

  /** Use {@link suppress}. */
  constructor(errorClasses: readonly ErrorClass[]) {
    errorClasses.forEach((errorClass, index) => {
      if (!isConstructor(errorClass)) {
        throw new TypeError(
          `suppress() expects error classes (constructors), got '${typeName(errorClass)}' as argument ${index + 1}`,
        );
      }
    });
    this.#classes = [...errorClasses];
  }

  /** The classes this manager suppresses, in the order given. */
  get errorClasses(): readonly ErrorClass[] {
    return this.#classes;
  }

  /** Does nothing; the block receives `undefined`. */
  enter(): undefined {
    return undefined;
  }

  /**
   * `true` (suppress) when the error matches; throws what is left when only part of an
   * `AggregateError` matches; `false` otherwise, and when there was no error.
   */
  exit(exc?: ExcInfo): boolean {
    if (exc === undefined || this.#classes.length === 0) return false;
    const error = exc.error;
    if (this.#matches(error)) return true;
    if (!isGroup(error)) return false;
    const rest = this.#rest(error, new Set(), true);
    if (rest === undefined) return true;
    if (rest === error) return false;
    // Rule 49: the rest is raised inside exit, so the whole original group is its context.
    chainErrorContext(rest, error);
    throw rest;
  }

  // A thrown primitive is never matched, even by a class whose `Symbol.hasInstance` would
  // accept it: Python only suppresses exceptions, and every exception is an object.
  #matches(error: unknown): boolean {
    if (!isObject(error)) return false;
    for (const errorClass of this.#classes) {
      if (error instanceof errorClass) return true;
    }
    return false;
  }

  /**
   * Python's `group.split(classes)[1]` for an unmatched group: `undefined` when every leaf
   * matched, `group` itself when none did, else a new group of the unmatched members with
   * the same nesting, message and cause. `path` guards against a group that contains itself.
   */
  #rest(group: AggregateError, path: Set<AggregateError>, top = false): unknown {
    path.add(group);
    const members: unknown[] = group.errors;
    const kept: unknown[] = [];
    let changed = false;
    for (const member of members) {
      if (this.#matches(member)) {
        changed = true;
      } else if (isGroup(member) && !path.has(member)) {
        const rest = this.#rest(member, path);
        if (rest !== member) changed = true;
        if (rest !== undefined) kept.push(rest);
      } else {
        kept.push(member);
      }
    }
    path.delete(group);
    if (!changed) return group;
    if (kept.length === 0) return undefined;
    const derived = deriveGroup(group, kept);
    // A nested rest keeps its group's context, as Python's split copies `__context__`; the
    // top one is given the whole original group as context by exit instead.
    if (!top && hasErrorContext(group)) setErrorContext(derived, errorContext(group));
    return derived;
  }
}

/**
 * A group for `suppress` to split: an `AggregateError` with at least one member. An empty one
 * has no leaf that could match, so it is treated like any other unmatched error.
 */
function isGroup(error: unknown): error is AggregateError {
  return error instanceof AggregateError && Array.isArray(error.errors) && error.errors.length > 0;
}

/**
 * A plain `AggregateError` holding `members`, with `original`'s message and its cause when it
 * had one: Python's `derive`, plus the `__cause__` that `split` copies.
 */
function deriveGroup(original: AggregateError, members: unknown[]): AggregateError {
  return Object.hasOwn(original, "cause")
    ? new AggregateError(members, original.message, { cause: original.cause })
    : new AggregateError(members, original.message);
}

/**
 * Python's `contextlib.suppress`: a manager that swallows errors of the given classes
 * (`instanceof`, so subclasses too) and lets every other error propagate unchanged.
 *
 * An `AggregateError` that is not itself one of the classes is split, as Python 3.12 splits an
 * `ExceptionGroup`: when every leaf (nested groups included) matches, it is suppressed; when
 * none does, the very same error propagates; otherwise a new `AggregateError` of the remaining
 * members, with the same nesting, messages and `cause`, is thrown, and the original group is
 * its {@link errorContext}. `suppress()` with no classes suppresses nothing.
 *
 * Stateless, so one instance can be reused and nested in itself. Works with `syncWith` and
 * `asyncWith`. Throws a `TypeError` at once if an argument is not a constructor.
 *
 * @example
 * ```ts
 * syncWith(suppress(NotFoundError), () => fs.unlinkSync(tmp));
 * await asyncWith(suppress(AbortError), async () => await download(url, { signal }));
 * ```
 */
export function suppress(...errorClasses: ErrorClass[]): Suppress {
  return new Suppress(errorClasses);
}

// -- nullContext ------------------------------------------------------------------------------

/**
 * The manager {@link nullContext} returns: enter gives back its value, exit does nothing.
 * Usable with `syncWith` and `asyncWith`; it can never suppress.
 *
 * @example
 * ```ts
 * const guard: NullContext<Config> = nullContext(config);
 * syncWith(guard, (c) => c.port); // the same `config` object
 * ```
 */
export class NullContext<T> implements ContextManager<T, void>, AsyncContextManager<T, void> {
  readonly #value: T;

  /** Use {@link nullContext}. */
  constructor(value: T) {
    this.#value = value;
  }

  /** Returns the value given at construction, the same object. */
  enter(): T {
    return this.#value;
  }

  /** Does nothing, and never suppresses. */
  exit(_exc?: ExcInfo): void {}

  /**
   * Resolves to the value given at construction. As with any promise, a thenable value is
   * followed rather than returned as it is.
   */
  async aenter(): Promise<T> {
    return this.#value;
  }

  /** Does nothing, and never suppresses. */
  async aexit(_exc?: ExcInfo): Promise<void> {}
}

/**
 * Python's `contextlib.nullcontext`: a manager that does nothing, for code that takes a
 * manager which is sometimes not needed. The block receives `value` (the same object).
 *
 * @example
 * ```ts
 * const guard = shared ? lock : nullContext();
 * await asyncWith(guard, async () => update(record));
 * syncWith(nullContext(existingFile), (file) => file.write(text));
 * ```
 */
export function nullContext(): NullContext<undefined>;
export function nullContext<T>(value: T): NullContext<T>;
export function nullContext<T>(value?: T): NullContext<T | undefined> {
  return new NullContext(value);
}

// -- closing / aclosing -----------------------------------------------------------------------

/**
 * What {@link closing} can close: an object with `close()`, or a generator (its `return()`).
 *
 * @example
 * ```ts
 * const reader: Closeable = { close() { releaseHandle(); } };
 * ```
 */
export type Closeable =
  | {
      /** Called once when the block ends, however it ends; its result is ignored. */
      close(): unknown;
    }
  | {
      /** A generator's `return()`, called with no argument when the block ends, so its `finally` blocks run. */
      return(value?: any): unknown;
    };

/**
 * What {@link aclosing} can close: an object with `aclose()`, or an (async) generator (its `return()`).
 *
 * @example
 * ```ts
 * const pages: AsyncCloseable = fetchPages(url); // an async generator
 * ```
 */
export type AsyncCloseable =
  | {
      /** Called and awaited once when the block ends, however it ends; its result is ignored. */
      aclose(): unknown;
    }
  | {
      /** An (async) generator's `return()`, called with no argument and awaited when the block ends. */
      return(value?: any): unknown;
    };

/** The methods `closing`/`aclosing` may call, one of which the constructor checked is there. */
type CloseMethods = Record<"close" | "aclose" | "return", () => unknown>;

/** The method `closing`/`aclosing` will call: the preferred name, else a generator's `return`. */
function closeMethod(thing: unknown, preferred: "close" | "aclose", caller: string): "close" | "aclose" | "return" {
  if (isObject(thing)) {
    const methods = thing as Record<string, unknown>;
    if (typeof methods[preferred] === "function") return preferred;
    if (typeof methods.return === "function") return "return";
  }
  const article = preferred === "aclose" ? "an" : "a";
  throw new TypeError(
    `${caller}() expects an object with ${article} ${preferred}() or return() method, got '${typeName(thing)}'`,
  );
}

/**
 * A generator whose `finally` yields again is still suspended after `return()`: Python's
 * `close()` raises in that case instead of leaving the resource open.
 */
function checkFinished(result: unknown, asynchronous: boolean): void {
  if (isObject(result) && (result as IteratorResult<unknown>).done === false) {
    throw new RuntimeError(`${asynchronous ? "async generator" : "generator"} ignored GeneratorExit`);
  }
}

/**
 * The manager {@link closing} returns: enter gives back the thing, exit closes it and never
 * suppresses.
 *
 * @example
 * ```ts
 * const manager: Closing<File> = closing(openReader(path));
 * syncWith(manager, (reader) => reader.read());
 * ```
 */
export class Closing<T extends Closeable> implements ContextManager<T, void> {
  readonly #thing: T;
  readonly #method: "close" | "aclose" | "return";

  /** Use {@link closing}. */
  constructor(thing: T) {
    this.#method = closeMethod(thing, "close", "closing");
    this.#thing = thing;
  }

  /** Returns the thing itself. */
  enter(): T {
    return this.#thing;
  }

  /**
   * Calls `thing.close()` (or a generator's `return()`), whatever happened in the block. An
   * error it raises replaces the block's, which `syncWith` records as its context (rule 51).
   */
  exit(_exc?: ExcInfo): void {
    const result = (this.#thing as unknown as CloseMethods)[this.#method]();
    if (this.#method === "return") checkFinished(result, false);
  }
}

/**
 * Python's `contextlib.closing`: gives the block `thing` and calls `thing.close()` when the
 * block ends, however it ends. Never suppresses. A generator, which has `return()` instead of
 * `close()`, is finalised with `return()`, so its `finally` blocks run; one that yields again
 * from `finally` makes exit throw `RuntimeError("generator ignored GeneratorExit")`.
 *
 * Throws a `TypeError` at once when `thing` has neither `close()` nor `return()`.
 *
 * @example
 * ```ts
 * const text = syncWith(closing(openReader(path)), (reader) => reader.read());
 * ```
 */
export function closing<T extends Closeable>(thing: T): Closing<T> {
  return new Closing(thing);
}

/**
 * The manager {@link aclosing} returns: aenter gives back the thing, aexit awaits its
 * `aclose()` (or `return()`) and never suppresses.
 *
 * @example
 * ```ts
 * const manager: AClosing<AsyncGenerator<Row>> = aclosing(queryRows(sql));
 * await asyncWith(manager, async (rows) => (await rows.next()).value);
 * ```
 */
export class AClosing<T extends AsyncCloseable> implements AsyncContextManager<T, void> {
  readonly #thing: T;
  readonly #method: "close" | "aclose" | "return";

  /** Use {@link aclosing}. */
  constructor(thing: T) {
    this.#method = closeMethod(thing, "aclose", "aclosing");
    this.#thing = thing;
  }

  /** Resolves to the thing itself. */
  async aenter(): Promise<T> {
    return this.#thing;
  }

  /** Awaits `thing.aclose()` (or an async generator's `return()`), whatever happened in the block. */
  async aexit(_exc?: ExcInfo): Promise<void> {
    const result = await (this.#thing as unknown as CloseMethods)[this.#method]();
    if (this.#method === "return") checkFinished(result, true);
  }
}

/**
 * Python's `contextlib.aclosing`: gives the block `thing` and awaits `thing.aclose()` when the
 * block ends, however it ends. Never suppresses. JavaScript's async generators have `return()`
 * rather than `aclose()`; it is used instead, so an async generator the block stops consuming
 * early is finalised at once and its `finally` blocks run (bpo-41229).
 *
 * Throws a `TypeError` at once when `thing` has neither `aclose()` nor `return()`.
 *
 * @example
 * ```ts
 * await asyncWith(aclosing(readRecords(url)), async (records) => {
 *   for await (const record of records) if (record.last) break;
 * });
 * ```
 */
export function aclosing<T extends AsyncCloseable>(thing: T): AClosing<T> {
  return new AClosing(thing);
}

// `instanceof` holds across the ESM and CJS copies of the library (src/identity.ts).
shareIdentity({ Suppress, NullContext, Closing, AClosing });
