/**
 * `SuppressedError`: the error a TC39 disposal throws when a disposer fails while another
 * error is already pending. `error` is the newer error, `suppressed` the one it displaced.
 *
 * The runtime's own constructor is used where it exists (Node 24 and later), so that errors
 * made here and errors made by native `using` are one and the same kind; elsewhere this module
 * supplies an implementation that follows the specification (#sec-suppressederror). No global
 * is installed either way.
 *
 * @module
 */

import { sharedState } from "./identity.js";
import { isObject } from "./protocol.js";

type SuppressedErrorFunction = SuppressedErrorConstructor;

const native: unknown = (globalThis as { SuppressedError?: unknown }).SuppressedError;

function defineData(target: object, key: PropertyKey, value: unknown): void {
  Object.defineProperty(target, key, { value, writable: true, enumerable: false, configurable: true });
}

function makeSuppressedError(): SuppressedErrorFunction {
  // A plain function, not a class: the specification makes it callable without `new`.
  function SuppressedError(this: unknown, error: unknown, suppressed: unknown, message?: unknown): object {
    // Step 1: without `new`, NewTarget is the function itself.
    const newTarget: unknown = new.target ?? SuppressedError;
    // Step 2: the prototype comes from NewTarget, read once, with our own as the fallback.
    const fromTarget: unknown = (newTarget as { prototype?: unknown }).prototype;
    const prototype = isObject(fromTarget) ? fromTarget : SuppressedError.prototype;
    // A real Error object underneath, so the instance has [[ErrorData]] and a stack.
    const instance: object = Reflect.construct(Error, []);
    Object.setPrototypeOf(instance, prototype);
    // The engine's own `stack` goes after the specified properties (test262 checks that
    // message, error and suppressed come first, in that order); it is re-captured below.
    const capture = (Error as { captureStackTrace?: (target: object, skip: unknown) => void }).captureStackTrace;
    if (typeof capture === "function") delete (instance as { stack?: unknown }).stack;
    // Steps 3-5, in this order: message (ToString, which throws for a symbol), error, suppressed.
    if (message !== undefined) defineData(instance, "message", `${message as string}`);
    defineData(instance, "error", error);
    defineData(instance, "suppressed", suppressed);
    // Where the engine can, start the stack at the caller and head it with the right name.
    if (typeof capture === "function") capture(instance, SuppressedError);
    return instance;
  }
  const prototype = Object.create(Error.prototype) as object;
  defineData(prototype, "constructor", SuppressedError);
  defineData(prototype, "message", "");
  defineData(prototype, "name", "SuppressedError");
  Object.defineProperty(SuppressedError, "prototype", {
    value: prototype,
    writable: false,
    enumerable: false,
    configurable: false,
  });
  Object.setPrototypeOf(SuppressedError, Error);
  return SuppressedError as unknown as SuppressedErrorFunction;
}

/**
 * The `SuppressedError` constructor: the runtime's own where it has one, otherwise an
 * implementation that behaves as the specification says (callable with or without `new`,
 * own non-enumerable `error`, `suppressed` and, when given, `message`; no `cause` option).
 *
 * The library's TC39-shaped disposal (`dispose`, `disposeAsync`, `Symbol.dispose`,
 * `Symbol.asyncDispose` of `ExitStack` / `AsyncExitStack`) throws instances of exactly this
 * constructor when more than one disposer fails.
 *
 * @example
 * ```ts
 * const stack = new ExitStack();
 * stack.defer(() => { throw new Error("first registered"); });
 * stack.defer(() => { throw new Error("disposed first"); });
 * try {
 *   stack.dispose();
 * } catch (e) {
 *   if (e instanceof SuppressedError) {
 *     e.error;      // Error("first registered"), the newer error
 *     e.suppressed; // Error("disposed first"), the one it displaced
 *   }
 * }
 * ```
 */
export const SuppressedError: SuppressedErrorConstructor =
  typeof native === "function"
    ? (native as SuppressedErrorFunction)
    : // One implementation per process, shared by the ESM and CJS copies (src/identity.ts).
      sharedState("SuppressedError", makeSuppressedError);

/**
 * The `SuppressedError` type: `error` is the newer error, `suppressed` the one it displaced.
 *
 * @example
 * ```ts
 * function describe(e: SuppressedError) { return [e.error, e.suppressed]; }
 * ```
 */
export type SuppressedError = globalThis.SuppressedError;

/** @internal Exposed for tests that check the specification's behaviour on a runtime that has its own. */
export const suppressedErrorImplementation: () => SuppressedErrorConstructor = makeSuppressedError;
