/**
 * Argument checks and error messages shared by the two exit stacks: which method a value is
 * disposed with, and the TypeError / ReferenceError each misuse raises.
 *
 * @module
 */

import { asyncDisposeSymbol, disposeSymbol, hasMethod, isObject, typeName } from "../protocol.js";
import { ASYNC, DISPOSE, SYNC_DISPOSE_AWAITED } from "./unwind.js";

type AnyFunction = (...args: any[]) => unknown;

/** ECMA-262 RequireInternalSlot: every method checks its receiver first (rule B.5). */
export function receiverError(className: string, method: string, receiver: unknown): TypeError {
  return new TypeError(
    `${className}.prototype.${method} called on '${typeName(receiver)}', which is not an ${className}`,
  );
}

/** A stack that was disposed or moved takes nothing more (rule B.6): its resources would never be released. */
export function disposedError(className: string, method: string): ReferenceError {
  return new ReferenceError(`${className}.${method}: the stack is already disposed`);
}

/** Throws unless `fn` is callable; nothing is pushed when this throws. */
export function requireCallable(
  fn: unknown,
  className: string,
  method: string,
  what: string,
): asserts fn is AnyFunction {
  if (typeof fn !== "function") {
    throw new TypeError(`${className}.${method}: ${what} must be a function, got '${typeName(fn)}'`);
  }
}

/** ECMA-262 GetMethod: `null` and `undefined` are "absent", anything else must be callable. */
function getMethod(value: object, key: symbol, className: string, method: string): AnyFunction | undefined {
  const found: unknown = (value as Record<symbol, unknown>)[key];
  if (found === undefined || found === null) return undefined;
  if (typeof found !== "function") {
    throw new TypeError(`${className}.${method}: ${String(key)} of '${typeName(value)}' is not a function`);
  }
  return found as AnyFunction;
}

function notDisposable(value: unknown, className: string, method: string, expected: string): TypeError {
  return new TypeError(`${className}.${method}: '${typeName(value)}' value is not disposable (expected ${expected})`);
}

/**
 * The dispose method of a non-nullish value for a sync stack (CreateDisposableResource with
 * sync-dispose): read once, now; a TypeError if there is none.
 */
export function syncDisposeMethod(value: unknown, className: string, method: string): AnyFunction {
  const expected = "an object with a [Symbol.dispose]() method, null or undefined";
  if (!isObject(value)) throw notDisposable(value, className, method, expected);
  const found = getMethod(value, disposeSymbol, className, method);
  if (found === undefined) throw notDisposable(value, className, method, expected);
  return found;
}

/**
 * The entry kind and method of a non-nullish value for an async stack (GetDisposeMethod with
 * async-dispose, rule C.15): `Symbol.asyncDispose` first, then a sync `Symbol.dispose`, which
 * is awaited once after it runs; each read once, now.
 */
export function asyncDisposeMethod(value: unknown, className: string, method: string): [kind: number, fn: AnyFunction] {
  const expected = "an object with a [Symbol.asyncDispose]() or [Symbol.dispose]() method, null or undefined";
  if (!isObject(value)) throw notDisposable(value, className, method, expected);
  const asyncMethod = getMethod(value, asyncDisposeSymbol, className, method);
  if (asyncMethod !== undefined) return [DISPOSE | ASYNC, asyncMethod];
  const syncMethod = getMethod(value, disposeSymbol, className, method);
  if (syncMethod === undefined) throw notDisposable(value, className, method, expected);
  return [SYNC_DISPOSE_AWAITED, syncMethod];
}

/**
 * The TypeError of `enterContext` / `enterAsyncContext` for a value without the protocol,
 * worded as Python 3.11+ words it (`'X' object does not support the context manager protocol`), with our method names
 * and a pointer to the right method when the value speaks the other protocol.
 */
export function enterProtocolError(value: unknown, asynchronous: boolean, otherMethod: string): TypeError {
  const [enter, kind] = asynchronous ? ["aenter", "asynchronous context manager"] : ["enter", "context manager"];
  const exit = asynchronous ? "aexit" : "exit";
  const missing = hasMethod(value, enter) ? exit : enter;
  let message = `'${typeName(value)}' object does not support the ${kind} protocol (missed ${missing} method)`;
  const speaksOther = asynchronous
    ? hasMethod(value, "enter") && hasMethod(value, "exit")
    : (hasMethod(value, "aenter") && hasMethod(value, "aexit")) || hasMethod(value, asyncDisposeSymbol);
  if (speaksOther) {
    const other = asynchronous ? "context manager" : "asynchronous context manager";
    message += ` but it supports the ${other} protocol. Did you mean to use '${otherMethod}'?`;
  }
  return new TypeError(message);
}
