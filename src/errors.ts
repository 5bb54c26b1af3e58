/**
 * Errors and error chaining.
 *
 * JavaScript has no "exception being handled", so the implicit chain that Python keeps in
 * `__context__` ("During handling of the above exception, another exception occurred") is kept
 * here, in a side table owned by the library. Errors themselves are never mutated or wrapped:
 * the error that propagates is always the very object that was thrown.
 *
 * @module
 */

import { sharedState, shareIdentity } from "./identity.js";
import { isObject } from "./protocol.js";

/**
 * Python's `RuntimeError`: the class of the errors the library raises for a misused manager,
 * such as a generator that `didn't yield`.
 *
 * @example
 * ```ts
 * const empty = contextManager(function* () {});
 * try { syncWith(empty(), () => {}); } catch (e) { e instanceof RuntimeError; } // "generator didn't yield"
 * ```
 */
export class RuntimeError extends Error {
  constructor(message?: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "RuntimeError";
  }
}

/**
 * Every object ever recorded as some error's context (a superset of the current ones). Only
 * these can be reached by walking a chain, so the cycle check can skip the walk for any other
 * error: a fresh error raised while a long chain is pending then costs O(1), not O(chain),
 * which keeps unwinding n failing callbacks linear instead of quadratic.
 */
const referenced: WeakSet<object> = sharedState("error-context-referenced", () => new WeakSet<object>());

/** Records `context` as the context of `error` (Python's `error.__context__ = context`). */
function link(error: object, context: unknown): void {
  contexts.set(error, context);
  if (isObject(context)) referenced.add(context);
}

/**
 * Python's implicit exception context, keyed by the error object that carries it, and the
 * marker recorded for "explicitly no context" (Python's `exc.__context__ = None`): a private
 * symbol, not `null`, since `throw null` is legal and a thrown `null` can be a context.
 *
 * One table per process, not per copy of the library: when its ESM and CJS builds are both
 * loaded, an error chained by one must show its context to the other (src/identity.ts).
 */
const { contexts, none: EXPLICITLY_NONE } = sharedState("error-contexts", () => ({
  contexts: new WeakMap<object, unknown>(),
  none: Symbol("explicitly no context"),
}));

/**
 * The error that was pending when `error` was raised: Python's `__context__`.
 *
 * Returns `undefined` when there is none; since `undefined` can itself be thrown, use
 * {@link hasErrorContext} to tell "no context" from "the context is the value `undefined`".
 * A thrown `null` is reported as `null`. A thrown primitive (`throw 42`) cannot carry a context.
 *
 * @example
 * ```ts
 * const failingClose = { enter() {}, exit() { throw new Error("close failed"); } };
 * try {
 *   syncWith(failingClose, () => { throw new Error("body failed"); });
 * } catch (e) {
 *   (e as Error).message;               // "close failed"
 *   (errorContext(e) as Error).message; // "body failed": nothing is lost
 * }
 * ```
 */
export function errorContext(error: unknown): unknown {
  if (!isObject(error)) return undefined;
  const context = contexts.get(error);
  return context === EXPLICITLY_NONE ? undefined : context;
}

/**
 * Whether `error` has a recorded context (see {@link errorContext}).
 *
 * @example
 * ```ts
 * hasErrorContext(new Error("fresh")); // false
 * ```
 */
export function hasErrorContext(error: unknown): boolean {
  return isObject(error) && contexts.has(error) && contexts.get(error) !== EXPLICITLY_NONE;
}

/**
 * Sets the context of `error` by hand, as assigning Python's `exc.__context__` does.
 *
 * `null` records "explicitly no context": the library will then not chain a pending error
 * onto `error` later (Python's bpo-44594 rule). Does nothing for a primitive `error`.
 * A link that would close a cycle is cut, as Python does.
 *
 * @example
 * ```ts
 * const replaced = new Error("replaced");
 * setErrorContext(replaced, null); // keep it free of any pending error
 * ```
 */
export function setErrorContext(error: unknown, context: unknown): void {
  if (!isObject(error)) return;
  // An error as its own context is the shortest cycle: cut, like any other.
  if (context === null || context === error) {
    contexts.set(error, EXPLICITLY_NONE);
    return;
  }
  breakCycle(context, error);
  link(error, context);
}

/** Python cuts a chain that would loop back to the error being given a context. */
function breakCycle(from: unknown, target: object): void {
  // No context link points at `target`: no chain can loop back to it.
  if (!referenced.has(target)) return;
  const seen = new Set<unknown>();
  let current = from;
  while (isObject(current) && !seen.has(current)) {
    seen.add(current);
    if (!contexts.has(current)) return;
    const next = contexts.get(current);
    if (next === target) {
      contexts.set(current, EXPLICITLY_NONE);
      return;
    }
    current = next;
  }
}

/**
 * Records that `raised` was thrown while `pending` was propagating, the way nested `with`
 * statements chain errors (PEP 3134's implicit chaining, `__context__`):
 * - the same object re-thrown gets no self-link;
 * - an error whose chain already ends in `pending`, or was explicitly given no context, is
 *   left as it is;
 * - otherwise `pending` is attached at the end of `raised`'s existing chain, so errors that
 *   were already linked stay linked and the older one is appended behind them.
 *
 * @internal
 */
export function chainErrorContext(raised: unknown, pending: unknown): void {
  if (raised === pending || !isObject(raised)) return;
  if (!contexts.has(raised)) {
    // The common case, a fresh error: its chain is itself alone (the loop below, unrolled).
    breakCycle(pending, raised);
    link(raised, pending);
    return;
  }
  const seen = new Set<object>();
  let current: object = raised;
  for (;;) {
    seen.add(current);
    if (!contexts.has(current)) break;
    const next = contexts.get(current);
    if (next === pending || next === EXPLICITLY_NONE) return;
    if (!isObject(next) || seen.has(next)) return;
    current = next;
  }
  // Never make a cycle: if `pending`'s own chain reaches into `raised`'s, cut it there.
  for (const member of seen) breakCycle(pending, member);
  if (isObject(pending) && seen.has(pending)) return;
  link(current, pending);
}

// `instanceof` holds across the ESM and CJS copies of the library (src/identity.ts).
shareIdentity({ RuntimeError });
