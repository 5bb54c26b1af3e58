/**
 * The one set of argument checks of the library, so that the same mistake gives the same error
 * class everywhere:
 * - a value of the wrong type (a string where a number is expected, `null` where a signal is
 *   expected, an options argument that is not an object) is a `TypeError`;
 * - a number of the right type but outside what is allowed (`NaN`, negative, a fraction where a
 *   count is expected) is a `RangeError`, JavaScript's error for a value out of its allowed range
 *   (Python's `ValueError`).
 *
 * Every message names the parameter, says what was expected and what was got. The checks run
 * before a primitive changes any state, so a refused call leaves nothing behind.
 *
 * @module
 * @internal
 */

import { typeName } from "./protocol.js";

/** How a refused value is shown in a message: its value for primitives, its type for objects. */
export function describeValue(value: unknown): string {
  switch (typeof value) {
    case "string":
      return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
    case "bigint":
      return `${value}n`;
    case "symbol":
      return value.toString();
    case "function":
      return "a function";
    case "object":
      if (value === null) return "null";
      if (Array.isArray(value)) return "an array";
      return `an object of type ${typeName(value)}`;
    default:
      return String(value);
  }
}

/**
 * A count: a number (else `TypeError`) that is an integer `>= min` (else `RangeError`).
 * `belowMin` replaces the message for an integer below `min` (to keep Python's wording).
 */
export function checkInteger(value: unknown, name: string, min: number, belowMin?: string): number {
  if (typeof value !== "number") throw new TypeError(`${name} must be a number, got ${describeValue(value)}`);
  if (!Number.isInteger(value)) throw new RangeError(`${name} must be an integer, got ${String(value)}`);
  if (value < min) throw new RangeError(belowMin ?? `${name} must be an integer >= ${min}, got ${value}`);
  return value;
}

/**
 * A duration in milliseconds, or `undefined` for none: a number (else `TypeError`) that is not
 * `NaN` and not negative (else `RangeError`). `Infinity` means no limit; fractions are allowed.
 */
export function checkTimeoutMs(value: unknown, name = "timeoutMs"): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number") {
    throw new TypeError(`${name} must be a number of milliseconds or undefined, got ${describeValue(value)}`);
  }
  if (!(value >= 0)) throw new RangeError(`${name} must be a non-negative number of milliseconds, got ${value}`);
  return value;
}

/**
 * Whether `value` is an `AbortSignal`: one of this realm, or one that behaves as one (another
 * realm's, a polyfill's). An `AbortController` is not one (its `signal` is).
 */
export function isAbortSignal(value: unknown): value is AbortSignal {
  if (typeof AbortSignal === "function" && value instanceof AbortSignal) return true;
  if (typeof value !== "object" || value === null) return false;
  const candidate = value as Partial<AbortSignal>;
  return (
    typeof candidate.aborted === "boolean" &&
    typeof candidate.addEventListener === "function" &&
    typeof candidate.removeEventListener === "function"
  );
}

/** An `AbortSignal` or `undefined`; anything else (`null`, `{}`, an `AbortController`) is a `TypeError`. */
export function checkSignal(value: unknown, name = "signal"): AbortSignal | undefined {
  if (value === undefined || isAbortSignal(value)) return value;
  throw new TypeError(`${name} must be an AbortSignal or undefined, got ${describeValue(value)}`);
}

/** An options object or `undefined`; anything else (`null`, a number, a function) is a `TypeError`. */
export function checkOptions<O extends object>(value: O | undefined, name = "options"): O | undefined {
  if (value === undefined || (typeof value === "object" && value !== null)) return value;
  throw new TypeError(`${name} must be an object or undefined, got ${describeValue(value)}`);
}

/** A function or `undefined`; anything else is a `TypeError`. */
export function checkFunction<F extends (...args: never[]) => unknown>(
  value: F | undefined,
  name: string,
): F | undefined {
  if (value === undefined || typeof value === "function") return value;
  throw new TypeError(`${name} must be a function or undefined, got ${describeValue(value)}`);
}
