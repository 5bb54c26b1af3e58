/**
 * Managers that decorate functions: `ContextDecorator` and `AsyncContextDecorator`.
 *
 * JavaScript has no decorator syntax for plain functions, so a manager decorates with its
 * `decorate` property: `manager.decorate(fn)` returns a function that runs each call of `fn`
 * inside the manager, as Python's `@manager` does (Python's `contextlib.ContextDecorator`). The same
 * `decorate` is also a TC39 (TypeScript 5) method decorator: `@manager.decorate`.
 *
 * @module
 */

import { shareIdentity } from "./identity.js";
import type { AsyncCanSuppress, AsyncContextManager, ContextManager, ExcInfo, SyncCanSuppress } from "./protocol.js";
import { type AsyncBodyInSyncWith, asyncWith, syncWith, type WithResult } from "./with.js";

/**
 * The type of a sync manager's `decorate`: wraps a function (or, as a TC39 decorator, a class
 * method) so each call runs inside the manager `M`. The wrapper keeps `this`, the arguments and
 * the result type, which gains `| undefined` only when `M`'s exit may suppress an error.
 *
 * @example
 * ```ts
 * const decorate: SyncDecorate<Traced> = new Traced().decorate;
 * const double = decorate((x: number) => x * 2); // (x: number) => number
 * ```
 */
export interface SyncDecorate<M> {
  /** @deprecated the function returns a promise: the manager would exit before the work is done; decorate with an async manager. */
  <This, Args extends unknown[], R extends Thenable>(
    fn: (this: This, ...args: Args) => R,
  ): (this: This, ...args: Args) => AsyncBodyInSyncWith;
  <This, Args extends unknown[], R>(
    fn: (this: This, ...args: Args) => R,
  ): (this: This, ...args: Args) => WithResult<R, SyncCanSuppress<M>>;
  <This, Args extends unknown[], R>(
    method: (this: This, ...args: Args) => R,
    context: ClassMethodDecoratorContext<This, (this: This, ...args: Args) => R>,
  ): (this: This, ...args: Args) => WithResult<R, SyncCanSuppress<M>>;
}

/** Any object with a `then` method: what the sync wrapper refuses to return. */
type Thenable = {
  /** Any `then` method makes a value a thenable. */
  then(...args: never[]): unknown;
};

/**
 * The type of an async manager's `decorate`: the wrapper is async and resolves to the
 * function's awaited result, `| undefined` only when `M`'s exit may suppress an error.
 *
 * @example
 * ```ts
 * const decorate: AsyncDecorate<Timed> = new Timed().decorate;
 * const load = decorate(async (id: string) => fetchUser(id)); // (id: string) => Promise<User>
 * ```
 */
export interface AsyncDecorate<M> {
  <This, Args extends unknown[], R>(
    fn: (this: This, ...args: Args) => R,
  ): (this: This, ...args: Args) => Promise<WithResult<Awaited<R>, AsyncCanSuppress<M>>>;
  <This, Args extends unknown[], R>(
    method: (this: This, ...args: Args) => R,
    context: ClassMethodDecoratorContext<This, (this: This, ...args: Args) => R>,
  ): (this: This, ...args: Args) => Promise<WithResult<Awaited<R>, AsyncCanSuppress<M>>>;
}

type AnyFunction = (this: unknown, ...args: unknown[]) => unknown;

/** What `decorate` needs from the manager: Python's `_recreate_cm`, reachable from outside the class. */
interface Recreating {
  recreate(): unknown;
}

function checkDecoratable(fn: unknown, context: unknown): asserts fn is AnyFunction {
  if (typeof fn !== "function") {
    throw new TypeError(`decorate expects a function, got '${fn === null ? "null" : typeof fn}'`);
  }
  // A stray second argument (say, an index from `Array.prototype.map`) is a mistake, not a decorator context.
  if (
    context !== undefined &&
    (typeof context !== "object" || context === null || (context as { kind?: unknown }).kind !== "method")
  ) {
    throw new TypeError("decorate works as a decorator of class methods only");
  }
}

/** Gives the wrapper the decorated function's name, as Python's `functools.wraps` does. */
function keepName(wrapper: AnyFunction, fn: AnyFunction): void {
  Object.defineProperty(wrapper, "name", { value: fn.name, configurable: true });
}

function syncDecorate(manager: Recreating, fn: unknown, context?: unknown): AnyFunction {
  checkDecoratable(fn, context);
  // Rule 31: every call enters the manager `recreate()` gives, and passes `this` and the
  // arguments straight through.
  const decorated = function (this: unknown, ...args: unknown[]): unknown {
    return syncWith(manager.recreate() as ContextManager, () => fn.apply(this, args));
  };
  keepName(decorated, fn);
  return decorated;
}

function asyncDecorate(manager: Recreating, fn: unknown, context?: unknown): AnyFunction {
  checkDecoratable(fn, context);
  // Rule 32. A failing `recreate()` rejects the call's promise rather than throwing.
  const decorated = function (this: unknown, ...args: unknown[]): Promise<unknown> {
    try {
      return asyncWith(manager.recreate() as AsyncContextManager, () => fn.apply(this, args));
    } catch (error) {
      return Promise.reject(error);
    }
  };
  keepName(decorated, fn);
  return decorated;
}

type Decorate = (manager: Recreating, fn: unknown, context?: unknown) => AnyFunction;

/**
 * One bound `decorate` per manager and kind (a manager may be both sync and async). It is bound
 * because some compilers (esbuild, so tsx and Vite) call `@manager.decorate` without `manager`
 * as `this`, where the decorators proposal and tsc keep it.
 */
const syncBound = new WeakMap<object, AnyFunction>();
const asyncBound = new WeakMap<object, AnyFunction>();

function boundDecorate(manager: object, decorate: Decorate, cache: WeakMap<object, AnyFunction>): AnyFunction {
  let bound = cache.get(manager);
  if (bound === undefined) {
    bound = (fn: unknown, context?: unknown) => decorate(manager as Recreating, fn, context);
    cache.set(manager, bound);
  }
  return bound;
}

/**
 * A sync manager that can also decorate functions: Python's `ContextDecorator`.
 *
 * `decorate(fn)` returns a function that runs each call of `fn` inside the manager, passing
 * `this` and the arguments through; when exit suppresses an error the call returns
 * `undefined`. The manager used for each call is the one `recreate()` returns: `this` by
 * default, so the manager is reused and keeps its state from call to call; a manager that is
 * single-use overrides `recreate()` to build a fresh one (the generator managers do).
 *
 * A decorated function returning a promise fails with a `TypeError` (a compile error when the
 * types show it): the manager would exit before the work is done. Use
 * {@link AsyncContextDecorator} for async functions.
 *
 * Subclasses implement `enter` and `exit`. To add `decorate` to a class that already extends
 * another base, copy `decorate` and `recreate` from `ContextDecorator.prototype` (TypeScript's
 * mixin pattern).
 *
 * @example
 * ```ts
 * class Traced extends ContextDecorator {
 *   enter() { console.log("start"); }
 *   exit() { console.log("end"); }
 * }
 * const traced = new Traced();
 * const compute = traced.decorate((x: number) => x * 2);
 * compute(21); // logs "start", "end"; returns 42
 * ```
 *
 * `decorate` is also a method decorator: `@traced.decorate` written before a method of a class
 * runs each call of that method inside the manager.
 */
export abstract class ContextDecorator implements ContextManager<unknown, boolean | void> {
  /** Called before each call of a decorated function (and by `syncWith`); its result is not passed to the function. */
  abstract enter(): unknown;
  /**
   * Called exactly once after each call of a decorated function: with no argument when it
   * returned, with `{ error }` when it threw; returning exactly `true` suppresses the error and
   * the call returns `undefined`.
   */
  abstract exit(exc?: ExcInfo): boolean | void;

  /**
   * The manager for one call of a decorated function: Python's `_recreate_cm`. Returns `this`;
   * a single-use manager overrides it to return a fresh copy of itself.
   */
  protected recreate(): ContextManager<unknown, boolean | void> {
    return this;
  }

  /**
   * Wraps `fn` so that each call runs inside this manager (see the class description). Also a
   * TC39 method decorator: `@manager.decorate`. Always bound to this manager.
   */
  get decorate(): SyncDecorate<this> {
    return boundDecorate(this, syncDecorate, syncBound) as unknown as SyncDecorate<this>;
  }
}

/**
 * An async manager that can also decorate functions: Python's `AsyncContextDecorator`.
 *
 * `decorate(fn)` returns an async function that runs each call of `fn` inside the manager
 * (`asyncWith`), passing `this` and the arguments through and resolving to `fn`'s awaited
 * result, or to `undefined` when exit suppressed an error. The manager used for each call is
 * the one `recreate()` returns: `this` by default.
 *
 * @example
 * ```ts
 * class Timed extends AsyncContextDecorator {
 *   #start = 0;
 *   async aenter() { this.#start = performance.now(); }
 *   async aexit() { console.log(`took ${performance.now() - this.#start} ms`); }
 * }
 * const fetchUser = new Timed().decorate(async (id: string) => (await fetch(`/users/${id}`)).json());
 * await fetchUser("42");
 * ```
 */
export abstract class AsyncContextDecorator implements AsyncContextManager<unknown, boolean | void> {
  /** Called and awaited before each call of a decorated function (and by `asyncWith`); its result is not passed to the function. */
  abstract aenter(): PromiseLike<unknown> | unknown;
  /**
   * Called and awaited exactly once after each call of a decorated function has settled: with
   * no argument when it resolved, with `{ error }` when it threw or rejected; resolving to
   * exactly `true` suppresses the error and the call resolves to `undefined`.
   */
  abstract aexit(exc?: ExcInfo): PromiseLike<boolean | void> | boolean | void;

  /** The manager for one call of a decorated function: Python's `_recreate_cm`. Returns `this`. */
  protected recreate(): AsyncContextManager<unknown, boolean | void> {
    return this;
  }

  /**
   * Wraps `fn` so that each call runs inside this manager (see the class description). Also a
   * TC39 method decorator: `@manager.decorate`. Always bound to this manager.
   */
  get decorate(): AsyncDecorate<this> {
    return boundDecorate(this, asyncDecorate, asyncBound) as unknown as AsyncDecorate<this>;
  }
}

// `instanceof` holds across the ESM and CJS copies of the library (src/identity.ts).
shareIdentity({ ContextDecorator, AsyncContextDecorator });
