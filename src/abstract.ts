/**
 * The abstract base classes of managers: `AbstractContextManager` and
 * `AbstractAsyncContextManager` (Python's `contextlib` documentation).
 *
 * Each gives the trivial enter (returning the manager itself) and leaves exit to the subclass.
 * As in Python, `instanceof` on the base class itself is structural: any object with the
 * protocol's two methods is an instance (Python's `__subclasshook__`, rule 56).
 *
 * @module
 */

import type { AsyncContextManager, ContextManager, ExcInfo } from "./protocol.js";

/**
 * Python's rule 55: a subclass that leaves the abstract method out cannot be instantiated.
 * TypeScript's `abstract` is checked at compile time only; this is the run-time check. The
 * method is looked up on the class, as Python looks it up on the type.
 */
function requireImplementation(target: abstract new () => unknown, method: string): void {
  const prototype = target.prototype as Record<string, unknown> | undefined;
  if (typeof prototype?.[method] !== "function") {
    throw new TypeError(
      `Can't instantiate abstract class ${target.name} without an implementation for abstract method '${method}'`,
    );
  }
}

/**
 * Rule 56: an object is an instance when both methods are functions; a method set to `null`
 * (on the object or along its prototype chain) opts out, since it hides any inherited one.
 */
function hasMethods(value: unknown, first: string, second: string): boolean {
  if ((typeof value !== "object" && typeof value !== "function") || value === null) return false;
  const candidate = value as Record<string, unknown>;
  return typeof candidate[first] === "function" && typeof candidate[second] === "function";
}

const ordinaryHasInstance = Function.prototype[Symbol.hasInstance];

/**
 * A base class for sync managers: Python's `contextlib.AbstractContextManager`. `enter`
 * returns the manager itself; subclasses implement `exit`, else constructing them throws a
 * `TypeError`.
 *
 * `x instanceof AbstractContextManager` is true for any object whose `enter` and `exit` are
 * functions, whether or not it extends the class; a subclass of it keeps the ordinary
 * `instanceof`.
 *
 * @example
 * ```ts
 * class Timer extends AbstractContextManager {
 *   start = 0;
 *   elapsed = 0;
 *   override enter() { this.start = performance.now(); return this; }
 *   exit() { this.elapsed = performance.now() - this.start; }
 * }
 * const timer = syncWith(new Timer(), (t) => { work(); return t; });
 *
 * ({ enter() {}, exit() {} }) instanceof AbstractContextManager; // true
 * ```
 */
export abstract class AbstractContextManager implements ContextManager<unknown, boolean | void> {
  constructor() {
    requireImplementation(new.target, "exit");
  }

  /** Returns the manager itself. */
  enter(): this {
    return this;
  }

  /**
   * Called exactly once after the block: with no argument when it completed, with `{ error }`
   * when it threw; returning exactly `true` suppresses the error. Subclasses must implement it.
   */
  abstract exit(exc?: ExcInfo): boolean | void;

  /** Structural on this class itself (rule 56); ordinary `instanceof` on its subclasses. */
  static [Symbol.hasInstance](value: unknown): boolean {
    if (ordinaryHasInstance.call(this, value)) return true;
    return this === AbstractContextManager && hasMethods(value, "enter", "exit");
  }
}

/**
 * A base class for async managers: Python's `contextlib.AbstractAsyncContextManager`.
 * `aenter` resolves to the manager itself; subclasses implement `aexit`, else constructing them
 * throws a `TypeError`.
 *
 * `x instanceof AbstractAsyncContextManager` is true for any object whose `aenter` and `aexit`
 * are functions; a subclass of it keeps the ordinary `instanceof`.
 *
 * @example
 * ```ts
 * class Heartbeat extends AbstractAsyncContextManager {
 *   timer?: ReturnType<typeof setInterval>;
 *   override async aenter() { this.timer = setInterval(ping, 1000); return this; }
 *   async aexit() { clearInterval(this.timer); }
 * }
 * await asyncWith(new Heartbeat(), async () => longJob());
 * ```
 */
export abstract class AbstractAsyncContextManager implements AsyncContextManager<unknown, boolean | void> {
  constructor() {
    requireImplementation(new.target, "aexit");
  }

  /** Resolves to the manager itself. */
  async aenter(): Promise<this> {
    return this;
  }

  /**
   * Called and awaited exactly once after the block: with no argument when it completed, with
   * `{ error }` when it threw; resolving to exactly `true` suppresses the error. Subclasses must
   * implement it.
   */
  abstract aexit(exc?: ExcInfo): PromiseLike<boolean | void> | boolean | void;

  /** Structural on this class itself (rule 56); ordinary `instanceof` on its subclasses. */
  static [Symbol.hasInstance](value: unknown): boolean {
    if (ordinaryHasInstance.call(this, value)) return true;
    return this === AbstractAsyncContextManager && hasMethods(value, "aenter", "aexit");
  }
}
