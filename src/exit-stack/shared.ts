/**
 * What the two exit stacks do alike: their prototype's shape, construction, and the
 * registrations whose logic does not depend on the stack being sync or async. Brand checks and
 * `#disposed` stay in each class: a private field belongs to one class (RequireInternalSlot).
 *
 * @module
 */

import { hasMethod, isObject } from "../protocol.js";
import { disposedError, enterProtocolError, requireCallable } from "./checks.js";
import { addEntry, type Entries, EXIT } from "./unwind.js";

/**
 * Defines `[Symbol.dispose]` / `[Symbol.asyncDispose]` as the very same function object as
 * `dispose` / `disposeAsync`, as the specification makes it, and `[Symbol.toStringTag]`.
 */
export function defineStackPrototype(prototype: object, disposeKey: symbol, dispose: unknown, name: string): void {
  Object.defineProperty(prototype, disposeKey, {
    value: dispose,
    writable: true,
    enumerable: false,
    configurable: true,
  });
  Object.defineProperty(prototype, Symbol.toStringTag, {
    value: name,
    writable: false,
    enumerable: false,
    configurable: true,
  });
}

/**
 * ECMA-262 OrdinaryCreateFromConstructor, for an instance that got Object.prototype: when
 * NewTarget's `prototype` is not an object, the fallback is the stack's own prototype, where a
 * class falls back to Object.prototype. The constructor checks the instance first, so the
 * common case costs one comparison and no call.
 */
export function fallBackToPrototype(instance: object, newTarget: unknown, prototype: object): void {
  if (!isObject((newTarget as { prototype?: unknown }).prototype)) Object.setPrototypeOf(instance, prototype);
}

/** Moves every entry from one stack to another, whole (`popAll`, `move`); nothing runs. */
export function moveEntries(from: Entries, to: Entries): void {
  to.list = from.list;
  to.bare = from.bare;
  from.list = [];
  from.bare = 0;
}

/**
 * `enterContext` with a sync manager (`cm` has `enter` or `exit`): enters it and pushes its
 * exit, returning what `enter()` returned. `isDisposed` reads the stack's own `#disposed`.
 */
export function enterSyncManager<S>(
  stack: S,
  entries: Entries,
  isDisposed: (stack: S) => boolean,
  cm: unknown,
  className: string,
  otherMethod: string,
): unknown {
  // Rule 36: both methods are looked up before enter runs.
  const { enter, exit } = cm as { enter?: unknown; exit?: unknown };
  if (typeof enter !== "function" || typeof exit !== "function") {
    throw enterProtocolError(cm, false, otherMethod);
  }
  const value: unknown = enter.call(cm);
  if (isDisposed(stack)) {
    // Disposed while entering: nothing would ever exit `cm`, so exit it now.
    exit.call(cm);
    throw disposedError(className, "enterContext");
  }
  addEntry(entries, EXIT, exit, cm);
  return value;
}

/**
 * `push` / `pushAsyncExit`: an object with a `methodKey` method has that method pushed, with
 * the object as `this`; anything else must be a callable, pushed as it is. `kind` is EXIT,
 * with ASYNC for `pushAsyncExit`.
 */
export function pushExit(
  entries: Entries,
  kind: number,
  exit: unknown,
  methodKey: "exit" | "aexit",
  className: string,
  method: string,
): void {
  if (hasMethod(exit, methodKey)) {
    addEntry(entries, kind, (exit as Record<string, unknown>)[methodKey], exit);
  } else {
    requireCallable(exit, className, method, "the exit callback");
    addEntry(entries, kind, exit, undefined);
  }
}
