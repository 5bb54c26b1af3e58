/**
 * The one unwinding algorithm both exit stacks share: how entries are stored, and how they are
 * run, last in first out, with the errors they raise combined one of two ways.
 *
 * - Python-shaped (`exit`/`aexit`/`close`/`aclose`, Python's `ExitStack.__exit__`): exit
 *   callbacks see the pending error and may suppress it with exactly `true`; a new error
 *   replaces the pending one, which becomes its {@link errorContext} (Python's `__context__`), also when the
 *   block raised nothing (so CPython's gh-102201, rule 46, does not happen here).
 * - TC39-shaped (`dispose`/`disposeAsync`, ECMA-262 DisposeResources): a new error while one
 *   is pending becomes `SuppressedError(new, pending)`; the first one is kept as it is.
 *
 * Both loops are iterative and pop as they go, so a stack of any size unwinds in constant
 * stack depth and hands each entry to the garbage collector as soon as it has run. The entry
 * list is re-read on every turn, so an entry added by a callback during Python-shaped
 * unwinding runs too (CPython's `while self._exit_callbacks`), and one moved away by `popAll`
 * does not.
 *
 * @module
 */

import { chainErrorContext, errorContext, hasErrorContext, setErrorContext } from "../errors.js";
import { type ExcInfo, isThenable, UnawaitedPromiseError } from "../protocol.js";
import { SuppressedError } from "../suppressed-error.js";

// Entries are stored flat in one array, no object per entry, so that a million-entry stack is
// cheap to build and to unwind. An entry is three slots, function, datum and kind, the kind on
// top; except the commonest one, a callback called with no argument (`callback(fn)`,
// `defer(fn)`, `pushAsyncCallback(fn)`), which is the function alone, one slot, as in a
// hand-written array of callbacks. Its kind is the list's `bare` kind: the kind of the first
// bare callback pushed on an empty list. A bare callback of another kind, pushed while the
// list holds entries, takes three slots. So the top slot says what the entry is: a function is
// a bare callback of kind `bare`, a number is the kind of a three-slot entry. Pushing a bare
// callback is one compare and one `push`, unwinding it one `pop` and one `typeof`.

/** Set on kinds whose result is awaited (async stacks only). */
export const ASYNC = 1;
/**
 * `fn.call(datum, exc?)`; exactly `true` suppresses. From `push`, `enterContext`. Without ASYNC,
 * a promise result is an error: nothing would await it.
 */
export const EXIT = 2;
/**
 * `fn(...datum)` (`fn()` when datum is undefined), `this` undefined. From `callback`, and with
 * ASYNC from `pushAsyncCallback` and `AsyncExitStack.defer`. Without ASYNC, a promise result is
 * an error: nothing would await it.
 */
export const CALL = 4;
/** `fn(datum)`, `this` undefined, result ignored. From `adopt`. */
export const ADOPT = 6;
/** `fn.call(datum)`, result ignored. From `use` and disposables given to `enterContext`. */
export const DISPOSE = 8;
/**
 * A sync `Symbol.dispose` used by an async stack (GetDisposeMethod 1.b.ii): its result is
 * ignored, a throw becomes a rejection, and one Await follows either way.
 */
export const SYNC_DISPOSE_AWAITED = 10 | ASYNC;
/** `use(null)`/`use(undefined)` on an async stack: no call, only a requested Await (DisposeResources 3.f). */
export const NULLISH = 12;
/**
 * `fn()`, result ignored, as DisposableStack.prototype.defer ignores it (so `checkSyncAnswer`
 * lets it through). From `ExitStack.defer`, as a bare callback (three slots when the list's
 * bare kind is CALL).
 */
export const DEFER = 14;

/**
 * The entries of one stack. Held through this record so `popAll`/`move` can take them whole.
 * `bare` is the kind of the one-slot entries in `list` (0 before the first).
 */
export interface Entries {
  list: unknown[];
  bare: number;
}

/** A new, empty entry list. */
export function newEntries(): Entries {
  return { list: [], bare: 0 };
}

/**
 * Adds a callback called with no argument (`kind` with a datum of `undefined`): one slot when
 * `kind` is the list's bare kind, or the list is empty and so takes `kind` as its bare kind;
 * three slots otherwise.
 */
export function addBareCallback(entries: Entries, kind: number, fn: unknown): void {
  const list = entries.list;
  if (entries.bare !== kind) {
    if (list.length !== 0) {
      list.push(fn, undefined, kind);
      return;
    }
    entries.bare = kind;
  }
  list.push(fn);
}

/** Adds a three-slot entry (see the layout above). */
export function addEntry(entries: Entries, kind: number, fn: unknown, datum: unknown): void {
  entries.list.push(fn, datum, kind);
}

/** How errors raised during unwinding combine. */
export type Semantics = "python" | "tc39";

/** V8's wording for the SuppressedError its own disposal creates (the specification sets none). */
const SUPPRESSED_MESSAGE = "An error was suppressed during disposal";

type AnyFunction = (this: unknown, ...args: unknown[]) => unknown;

/** Calls one entry; returns what it returned (awaited later for async kinds). */
function invoke(kind: number, fn: AnyFunction, datum: unknown, failed: boolean, error: unknown): unknown {
  switch (kind & ~ASYNC) {
    case EXIT:
      return failed ? fn.call(datum, { error } satisfies ExcInfo) : fn.call(datum);
    case CALL:
      return datum === undefined ? fn() : fn(...(datum as unknown[]));
    case DEFER:
      return fn();
    case ADOPT:
      return fn(datum);
    case DISPOSE:
      return fn.call(datum);
    default: {
      // SYNC_DISPOSE_AWAITED: the specification's wrapper around a sync dispose method.
      try {
        fn.call(datum);
      } catch (thrown) {
        return Promise.reject(thrown);
      }
      return undefined;
    }
  }
}

/**
 * What a sync-slot entry (EXIT or CALL without ASYNC) returned, checked: a promise there would
 * be dropped, its failure lost, so it is a TypeError raised as if the entry had thrown it. The
 * common answers (`undefined`, `true`, `false`) are let through before anything is read.
 */
function checkSyncAnswer(kind: number, result: unknown, stackName: string): void {
  if (result === undefined || result === true || result === false || (kind !== EXIT && kind !== CALL)) return;
  if (!isThenable(result)) return;
  const sync = stackName === "ExitStack";
  const message =
    kind === CALL
      ? `${stackName}.callback: the callback returned a promise, which ${sync ? "a sync stack" : "this slot"} does not await, so its failure would be lost; use ${sync ? "AsyncExitStack." : ""}pushAsyncCallback`
      : `${stackName}: an exit callback (push, enterContext) returned a promise, which ${sync ? "a sync stack" : "this slot"} does not await, so its failure would be lost; use ${sync ? "AsyncExitStack." : ""}pushAsyncExit or ${sync ? "AsyncExitStack." : ""}enterAsyncContext`;
  throw new UnawaitedPromiseError(message, result);
}

/** Whether an exit's `true` may suppress `error`: a dropped promise is a misuse and is never suppressed. */
function suppressible(error: unknown): boolean {
  return !(error instanceof UnawaitedPromiseError);
}

/** Python rule 45: the pending error becomes the new one's context, unless it was told otherwise. */
function replace(raised: unknown, pending: unknown): unknown {
  chainErrorContext(raised, pending);
  return raised;
}

/**
 * A callback raised while nothing was pending, after an error that came in was suppressed. As
 * in nested `with` statements, its chain ends there (case 57: IndexError → KeyError →
 * AttributeError → none); so mark the end as explicitly none, or the caller that handed us the
 * suppressed error would append it.
 */
function raisedAfterSuppression(raised: unknown): unknown {
  const seen = new Set<unknown>();
  let end = raised;
  while (hasErrorContext(end) && !seen.has(end)) {
    seen.add(end);
    end = errorContext(end);
  }
  setErrorContext(end, null);
  return raised;
}

/** The error pending after an entry threw `thrown`: how the two semantics differ. */
function combine(tc39: boolean, thrown: unknown, failed: boolean, pending: unknown, suppressed: boolean): unknown {
  if (failed) return tc39 ? new SuppressedError(thrown, pending, SUPPRESSED_MESSAGE) : replace(thrown, pending);
  return suppressed ? raisedAfterSuppression(thrown) : thrown;
}

/** The outcome of unwinding: what the caller throws, or what `exit` returns. */
function finish(
  semantics: Semantics,
  received: boolean,
  raised: boolean,
  suppressed: boolean,
  error: unknown,
): boolean {
  if (raised) throw error;
  return semantics === "python" && received && suppressed;
}

/**
 * Unwinds a sync stack. Python semantics: returns whether an incoming error was suppressed,
 * throws the error a callback raised. TC39 semantics: returns `false`, throws the combined error.
 *
 * @internal
 */
export function unwindSync(entries: Entries, semantics: Semantics, incoming: ExcInfo | undefined): boolean {
  const tc39 = semantics === "tc39";
  // "Has an error" is a flag, never `error !== undefined`: `throw undefined` is an error.
  let failed = incoming !== undefined;
  let error = failed ? (incoming as ExcInfo).error : undefined;
  let raised = false;
  let suppressed = false;
  for (;;) {
    const list = entries.list;
    if (list.length === 0) break;
    const top = list.pop();
    // A bare callback, of whichever kind, is called as `fn()`: no dispatch on its kind.
    const bare = typeof top === "function";
    let kind: number;
    let fn: AnyFunction;
    let datum: unknown;
    if (bare) {
      fn = top as AnyFunction;
      kind = entries.bare;
    } else {
      kind = top as number;
      datum = list.pop();
      fn = list.pop() as AnyFunction;
    }
    try {
      const result = bare ? fn() : invoke(kind, fn, datum, failed, error);
      if (result !== undefined) {
        if (kind === EXIT && result === true && failed && suppressible(error)) {
          // Rule 44: suppression clears the error, including one an earlier callback raised.
          failed = raised = false;
          error = undefined;
          suppressed = true;
        } else checkSyncAnswer(kind, result, "ExitStack");
      }
    } catch (thrown) {
      error = combine(tc39, thrown, failed, error, suppressed);
      failed = raised = true;
    }
  }
  return finish(semantics, incoming !== undefined, raised, suppressed, error);
}

/**
 * Unwinds an async stack; the same algorithm as {@link unwindSync}, awaiting the results of
 * async entries. Follows ECMA-262 DisposeResources tick for tick: the top entry is called
 * synchronously, a normally returning async entry costs one Await, a synchronous throw none,
 * and nullish entries request one Await that happens only if nothing else awaited. Resolves to
 * `undefined` under TC39 semantics (disposeAsync resolves to `undefined`).
 *
 * @internal
 */
export async function unwindAsync(
  entries: Entries,
  semantics: Semantics,
  incoming: ExcInfo | undefined,
): Promise<boolean | undefined> {
  const tc39 = semantics === "tc39";
  let failed = incoming !== undefined;
  let error = failed ? (incoming as ExcInfo).error : undefined;
  let raised = false;
  let suppressed = false;
  let needsAwait = false;
  let hasAwaited = false;
  for (;;) {
    const list = entries.list;
    if (list.length === 0) break;
    const top = list.pop();
    // A bare callback, of whichever kind, is called as `fn()`: no dispatch on its kind.
    const bare = typeof top === "function";
    let kind: number;
    let fn: AnyFunction;
    let datum: unknown;
    if (bare) {
      fn = top as AnyFunction;
      kind = entries.bare;
    } else {
      kind = top as number;
      datum = list.pop();
      fn = list.pop() as AnyFunction;
    }
    if (kind === NULLISH) {
      needsAwait = true; // DisposeResources 3.f
      continue;
    }
    if ((kind & ASYNC) === 0 && needsAwait && !hasAwaited) {
      await undefined; // DisposeResources 3.d: a sync entry after a nullish one
      needsAwait = false;
    }
    let result: unknown;
    try {
      result = bare ? fn() : invoke(kind, fn, datum, failed, error);
      if ((kind & ASYNC) !== 0) {
        hasAwaited = true; // 3.e.ii: set whether the Await fulfils or rejects
        result = await result;
      } else if (result !== undefined) checkSyncAnswer(kind, result, "AsyncExitStack");
    } catch (thrown) {
      error = combine(tc39, thrown, failed, error, suppressed);
      failed = raised = true;
      continue;
    }
    if ((kind & ~ASYNC) === EXIT && result === true && failed && suppressible(error)) {
      failed = raised = false;
      error = undefined;
      suppressed = true;
    }
  }
  if (needsAwait && !hasAwaited) await undefined; // DisposeResources step 4
  const outcome = finish(semantics, incoming !== undefined, raised, suppressed, error);
  return tc39 ? undefined : outcome;
}
