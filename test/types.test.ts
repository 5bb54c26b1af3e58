// Compile-time tests of the `with` runners' types. The test command type-checks test/, so every
// `@ts-expect-error` below fails the build if the line it marks ever compiles, and every
// `expectType` fails it if an inferred type drifts. The runtime tests at the end make the
// runner execute this file and check that the typed calls behave as typed.
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  type AsyncBodyInSyncWith,
  type AsyncContextManager,
  AsyncExitStack,
  asyncWith,
  type ContextManager,
  type ExcInfo,
  ExitStack,
  syncWith,
} from "../src/index.js";

/** `true` exactly when `A` and `B` are the same type (not merely mutually assignable). */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
/** Compiles only when `Check` is `true`. */
function expectType<Check extends true>(..._proof: Check extends true ? [] : [never]): void {}

// -- fixtures: managers whose types say whether they can suppress ------------------------------

class Lock implements ContextManager<Lock, void> {
  enter(): Lock {
    return this;
  }
  exit(): void {}
}

class Transaction implements ContextManager<{ id: number }, boolean> {
  enter() {
    return { id: 1 };
  }
  exit(exc?: ExcInfo): boolean {
    return exc !== undefined;
  }
}

class NeverSuppresses implements ContextManager<string, false> {
  enter() {
    return "s";
  }
  exit(): false {
    return false;
  }
}

class Connection implements AsyncContextManager<{ send(x: string): void }, void> {
  async aenter() {
    return { send(_x: string) {} };
  }
  async aexit(): Promise<void> {}
}

class SuppressingAsync implements AsyncContextManager<number, boolean> {
  async aenter() {
    return 42;
  }
  async aexit(): Promise<boolean> {
    return true;
  }
}

class Handle implements Disposable {
  readonly kind = "handle";
  [Symbol.dispose](): void {}
}

class AsyncHandle implements AsyncDisposable {
  readonly kind = "async handle";
  async [Symbol.asyncDispose](): Promise<void> {}
}

// All type assertions live in a function that is type-checked but never called, so that the
// deliberate mistakes below are not executed.
function typeChecks(): void {
  // -- syncWith and asynchronous bodies -------------------------------------------------------
  // An async body selects a deprecated overload: its result is typed AsyncBodyInSyncWith, whose
  // only property names the fix, so any use of it fails to compile (and the call throws).
  expectType<Equal<ReturnType<typeof asyncBody>, AsyncBodyInSyncWith>>();
  function asyncBody() {
    return syncWith(new Lock(), async () => 1);
  }
  // @ts-expect-error syncWith body returns a promise: use asyncWith for an asynchronous body
  const fromAsync: number = syncWith(new Lock(), async () => 1);
  // @ts-expect-error a body returning a promise, likewise
  const fromPromise: number = syncWith(new Lock(), () => Promise.resolve(1));
  // @ts-expect-error any thenable counts, as at run time
  const fromThenable: number = syncWith(new Lock(), () => ({ then(_resolve: (v: number) => void) {} }));
  // @ts-expect-error also in the array form
  const fromArray: number = syncWith([new Lock(), new Handle()], async () => 1);
  void [fromAsync, fromPromise, fromThenable, fromArray];

  // -- the result: `| undefined` only when some exit can suppress ------------------------------
  const plain = syncWith(new Lock(), () => 1);
  expectType<Equal<typeof plain, number>>();
  const suppressible = syncWith(new Transaction(), () => 1);
  expectType<Equal<typeof suppressible, number | undefined>>();
  const returnsFalse = syncWith(new NeverSuppresses(), () => "x");
  expectType<Equal<typeof returnsFalse, string>>();
  const disposed = syncWith(new Handle(), () => true);
  expectType<Equal<typeof disposed, boolean>>();
  const arrayPlain = syncWith([new Lock(), new Handle()], () => 1);
  expectType<Equal<typeof arrayPlain, number>>();
  const arraySuppressible = syncWith([new Lock(), new Transaction()], () => 1);
  expectType<Equal<typeof arraySuppressible, number | undefined>>();
  // @ts-expect-error a suppressible result is not a plain number
  const notNarrowed: number = syncWith(new Transaction(), () => 1);

  const asyncPlain = asyncWith(new Connection(), async () => "done");
  expectType<Equal<typeof asyncPlain, Promise<string>>>();
  const asyncSuppressible = asyncWith(new SuppressingAsync(), async () => "done");
  expectType<Equal<typeof asyncSuppressible, Promise<string | undefined>>>();
  const asyncFromSync = asyncWith(new Transaction(), () => 1);
  expectType<Equal<typeof asyncFromSync, Promise<number | undefined>>>();
  const asyncDisposed = asyncWith(new AsyncHandle(), async () => 1);
  expectType<Equal<typeof asyncDisposed, Promise<number>>>();
  const asyncMixed = asyncWith([new Connection(), new Lock(), new AsyncHandle()], () => 1);
  expectType<Equal<typeof asyncMixed, Promise<number>>>();
  const asyncMixedSuppressible = asyncWith([new Connection(), new SuppressingAsync()], () => 1);
  expectType<Equal<typeof asyncMixedSuppressible, Promise<number | undefined>>>();

  // -- body parameters, per manager -----------------------------------------------------------
  syncWith(new Lock(), (lock) => expectType<Equal<typeof lock, Lock>>());
  syncWith(new Handle(), (handle) => expectType<Equal<typeof handle, Handle>>());
  syncWith([new Lock(), new Transaction(), new Handle()], (lock, tx, handle) => {
    expectType<Equal<typeof lock, Lock>>();
    expectType<Equal<typeof tx, { id: number }>>();
    expectType<Equal<typeof handle, Handle>>();
  });
  asyncWith(new Connection(), (conn) => expectType<Equal<typeof conn, { send(x: string): void }>>());
  asyncWith(
    [new Connection(), new SuppressingAsync(), new Lock(), new Handle(), new AsyncHandle()],
    (conn, n, lock, h, ah) => {
      expectType<Equal<typeof conn, { send(x: string): void }>>();
      expectType<Equal<typeof n, number>>();
      expectType<Equal<typeof lock, Lock>>();
      expectType<Equal<typeof h, Handle>>();
      expectType<Equal<typeof ah, AsyncHandle>>();
    },
  );
  // A manager given from an object literal: the literal's own types flow through.
  syncWith({ enter: () => "lit" as const, exit() {} }, (v) => expectType<Equal<typeof v, "lit">>());
  // @ts-expect-error more body parameters than managers
  syncWith([new Lock()], (_a, _b) => 0);
  // @ts-expect-error a parameter typed as another manager's value
  syncWith([new Lock(), new Transaction()], (_lock: Lock, _tx: string) => 0);

  // -- wrong values are compile errors ----------------------------------------------------------
  // @ts-expect-error a number is no manager
  syncWith(42, () => {});
  // @ts-expect-error nor is an empty object
  syncWith({}, () => {});
  // @ts-expect-error nor null
  syncWith(null, () => {});
  // @ts-expect-error half a manager
  syncWith({ enter() {} }, () => {});
  // @ts-expect-error an async manager in syncWith
  syncWith(new Connection(), () => {});
  // @ts-expect-error an async disposable in syncWith
  syncWith(new AsyncHandle(), () => {});
  // @ts-expect-error a number inside the array form
  syncWith([new Lock(), 42], () => {});
  // @ts-expect-error a number is no manager for asyncWith either
  asyncWith(42, async () => {});
  // @ts-expect-error nor an empty object
  asyncWith({}, async () => {});
  // @ts-expect-error half an async manager
  asyncWith({ aenter: async () => 1 }, async () => {});
  // @ts-expect-error a non-function body
  syncWith(new Lock(), 5);
  // @ts-expect-error a non-function body
  asyncWith(new Connection(), "body");
  // @ts-expect-error exit must accept the error info, not demand something else
  syncWith({ enter() {}, exit(_x: number) {} }, () => {});

  // -- a sync slot of an exit stack refuses an async function (it would not be awaited) ----------
  const stack = new ExitStack();
  const astack = new AsyncExitStack();
  // @ts-expect-error ExitStack.callback: use AsyncExitStack.pushAsyncCallback
  stack.callback(async () => {});
  // @ts-expect-error ExitStack.push: use AsyncExitStack.pushAsyncExit
  stack.push(async (_exc?: ExcInfo) => true);
  // @ts-expect-error ExitStack.push of an object whose exit is async
  stack.push({ exit: async () => {} });
  // @ts-expect-error ExitStack.enterContext of a manager whose exit is async
  stack.enterContext({ enter: () => 1, exit: async () => {} });
  // @ts-expect-error AsyncExitStack.callback: use pushAsyncCallback
  astack.callback(async () => {});
  // @ts-expect-error AsyncExitStack.push: use pushAsyncExit
  astack.push(async () => {});
  // @ts-expect-error AsyncExitStack.enterContext of a manager whose exit is async: use enterAsyncContext
  astack.enterContext({ enter: () => 1, exit: async () => {} });
  // The async slots take them.
  astack.pushAsyncCallback(async () => {});
  astack.pushAsyncExit(async () => true);
  stack.callback(() => 1);
  stack.push(() => true);

  void notNarrowed;
}
void typeChecks;

// -- runtime: the typed calls behave as typed -------------------------------------------------

test("types: the values and results the types promise are the ones the runners give", async () => {
  const lock = new Lock();
  assert.equal(
    syncWith(lock, (l) => l),
    lock,
  );
  assert.equal(
    syncWith(new Transaction(), () => {
      throw new Error("rolled back");
    }),
    undefined,
  );
  const handle = new Handle();
  const asyncHandle = new AsyncHandle();
  const values = await asyncWith([new SuppressingAsync(), new Lock(), handle, asyncHandle], (n, l, h, ah) => [
    n,
    l,
    h,
    ah,
  ]);
  assert.equal(values?.[0], 42);
  assert.ok(values?.[1] instanceof Lock);
  assert.equal(values?.[2], handle);
  assert.equal(values?.[3], asyncHandle);
});
