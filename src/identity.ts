/**
 * One identity for the library's classes and state when it is loaded twice in one process.
 *
 * A package with ESM and CJS builds can be loaded as both at once (an ES module app importing
 * it, and a CommonJS dependency requiring it). Each copy has its own classes and module state,
 * so without care an error recorded by one copy is invisible to the other, and
 * `error instanceof TimeoutError` is false when the other copy threw it. Shared state lives
 * under a `Symbol.for` key on `globalThis`, and each public class carries a `Symbol.for` brand
 * that `instanceof` also accepts.
 *
 * @module
 */

import { isObject } from "./protocol.js";

const PREFIX = "contextlib-ts/";

/**
 * The value stored under `Symbol.for("contextlib-ts/<name>")` on `globalThis`, created by
 * `create` by the first copy that asks; every later copy gets that same value.
 *
 * @internal
 */
export function sharedState<T>(name: string, create: () => T): T {
  const key = Symbol.for(PREFIX + name);
  const holder = globalThis as unknown as Record<symbol, T | undefined>;
  let value = holder[key];
  if (value === undefined) {
    value = create();
    // Not enumerable and not writable: it is not a global to use, and no one replaces it.
    Object.defineProperty(globalThis, key, { value, configurable: false, enumerable: false, writable: false });
  }
  return value;
}

const ordinaryHasInstance = Function.prototype[Symbol.hasInstance];
const hasOwn = Object.prototype.hasOwnProperty;

/**
 * Whether a prototype of `value` carries `brand`, read without touching `value`'s own
 * properties: `instanceof` runs on whatever was thrown, and a hostile value (a Proxy whose
 * traps throw) must get an answer, not a new error, as with the ordinary `instanceof`.
 */
function hasBrand(value: unknown, brand: symbol): boolean {
  // The ordinary check has already walked this chain: if reading it threw, we never get here.
  if (!isObject(value)) return false;
  for (let proto = Object.getPrototypeOf(value); proto !== null; proto = Object.getPrototypeOf(proto)) {
    if (hasOwn.call(proto, brand)) return true;
  }
  return false;
}

/**
 * Makes `value instanceof Class` true for instances of `Class` made by any copy of the library:
 * the prototype gets a `Symbol.for("contextlib-ts/class/<name>")` brand, and `Class` a static
 * `Symbol.hasInstance` that checks the prototype chain first (the usual answer, one call) and
 * the brand second. A subclass made by a user inherits the static method but gets the
 * ordinary answer only: being a `TimeoutError` of another copy does not make a value an
 * instance of the user's subclass.
 *
 * The names are given, not read from `Class.name`, because a minifier may rename classes.
 *
 * @internal
 */
export function shareIdentity(classes: Record<string, abstract new (...args: never[]) => unknown>): void {
  for (const [name, Class] of Object.entries(classes)) {
    const brand = Symbol.for(`${PREFIX}class/${name}`);
    Object.defineProperty(Class.prototype, brand, { value: true });
    Object.defineProperty(Class, Symbol.hasInstance, {
      configurable: true,
      value: function hasInstance(this: unknown, value: unknown): boolean {
        if (ordinaryHasInstance.call(this, value)) return true;
        return this === Class && hasBrand(value, brand);
      },
    });
  }
}
