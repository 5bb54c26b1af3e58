// Scale: a million entries unwind iteratively (no stack overflow, no promise chain as deep as
// the stack), every one exactly once, and a disposed stack lets go of what it held.
import assert from "node:assert/strict";
import { test } from "node:test";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { AsyncExitStack, ExitStack, errorContext, SuppressedError, syncWith } from "../src/index.js";
import { countWeakReads } from "./support/weak-reads.js";

const MILLION = 1_000_000;

test("ExitStack: 1,000,000 sync callbacks, Python and TC39 unwinding", () => {
  let count = 0;
  const increment = () => void count++;
  syncWith(new ExitStack(), (stack) => {
    for (let i = 0; i < MILLION; i++) stack.callback(increment);
  });
  assert.equal(count, MILLION);
  count = 0;
  const stack = new ExitStack();
  for (let i = 0; i < MILLION; i++) stack.defer(increment);
  stack.dispose();
  assert.equal(count, MILLION);
});

test("ExitStack: 20,000 failing disposers nest SuppressedErrors iteratively", () => {
  const stack = new ExitStack();
  for (let i = 0; i < 20_000; i++) {
    stack.defer(() => {
      throw i;
    });
  }
  try {
    stack.dispose();
    assert.fail("no error");
  } catch (e) {
    // The first registered is outermost; walk the nesting without recursion.
    assert.ok(e instanceof SuppressedError);
    assert.equal(e.error, 0);
    let depth = 0;
    let current: unknown = e;
    while (current instanceof SuppressedError) {
      current = current.suppressed;
      depth++;
    }
    assert.equal(depth, 20_000 - 1);
    assert.equal(current, 20_000 - 1);
  }
});

/** A stack of `n` callbacks, each throwing its own fresh error `Error(String(i))`. */
function failingStack(n: number): ExitStack {
  const stack = new ExitStack();
  for (let i = 0; i < n; i++) {
    stack.callback(() => {
      throw new Error(String(i));
    });
  }
  return stack;
}

test("regression: unwinding failing callbacks is linear (each replaced error walked the whole pending chain)", async () => {
  // Each error replaces the pending one, which becomes its context. The cycle check used to walk
  // the pending chain for every new error: n²/2 reads, 47 s for 16,000 callbacks.
  const reads = async (n: number) =>
    countWeakReads(() => {
      try {
        failingStack(n).close();
      } catch {}
    });
  const small = await reads(1000);
  const large = await reads(4000);
  // Linear: 4x the reads for 4x the callbacks; quadratic would be 16x.
  assert.ok(large <= small * 5, `reads grew from ${small} to ${large} for 4x the callbacks`);
});

test("16,000 failing callbacks unwind with every error kept, newest first, the oldest last in the chain", () => {
  const n = 16_000;
  let thrown: unknown;
  try {
    failingStack(n).close();
  } catch (error) {
    thrown = error;
  }
  // The first registered runs last: its error is the one thrown; the chain goes back in time.
  const messages: string[] = [];
  for (let current = thrown; current !== undefined; current = errorContext(current)) {
    messages.push((current as Error).message);
  }
  assert.equal(messages.length, n);
  assert.ok(messages.every((message, i) => message === String(i)));
});

test("a disposed or closed stack releases its resources while the stack itself stays reachable", async () => {
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc") as () => void;
  const stacks: [ExitStack, AsyncExitStack] = [new ExitStack(), new AsyncExitStack()];
  const refs: WeakRef<object>[] = [];
  // In a separate sync function, so no suspended frame of this test holds a resource.
  const fill = (stack: ExitStack | AsyncExitStack) => {
    for (let i = 0; i < 1000; i++) {
      const resource = { payload: new Array(100).fill(i) };
      refs.push(new WeakRef(resource));
      stack.adopt(resource, () => {});
    }
  };
  stacks.forEach(fill);
  stacks[0].close();
  await stacks[1].disposeAsync();
  // WeakRef targets stay alive until the current job ends.
  await new Promise((resolve) => setImmediate(resolve));
  gc();
  assert.equal(refs.filter((ref) => ref.deref() !== undefined).length, 0);
  assert.equal(stacks.length, 2, "the stacks are still alive here");
});

test("regression: a bare callback entry costs one array slot (was three, 25 B per entry)", async () => {
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc") as () => void;
  const n = 200_000;
  const noop = () => {};
  const asyncNoop = async () => {};
  // Bytes per entry once full; a plain array of functions costs 8-12 B (its growth slack
  // included), three slots per entry cost 24-36 B.
  const perEntry = (fill: () => unknown): number => {
    gc();
    const before = process.memoryUsage().heapUsed;
    const held = fill();
    gc();
    const bytes = (process.memoryUsage().heapUsed - before) / n;
    assert.ok(held);
    return bytes;
  };
  const fills: [string, () => ExitStack | AsyncExitStack][] = [
    [
      "ExitStack.callback",
      () => {
        const s = new ExitStack();
        for (let i = 0; i < n; i++) s.callback(noop);
        return s;
      },
    ],
    [
      "ExitStack.defer",
      () => {
        const s = new ExitStack();
        for (let i = 0; i < n; i++) s.defer(noop);
        return s;
      },
    ],
    [
      "AsyncExitStack.pushAsyncCallback",
      () => {
        const s = new AsyncExitStack();
        for (let i = 0; i < n; i++) s.pushAsyncCallback(asyncNoop);
        return s;
      },
    ],
    [
      "AsyncExitStack.defer",
      () => {
        const s = new AsyncExitStack();
        for (let i = 0; i < n; i++) s.defer(asyncNoop);
        return s;
      },
    ],
  ];
  for (const [name, fill] of fills) {
    const bytes = perEntry(fill);
    assert.ok(bytes <= 14, `${name}: ${bytes.toFixed(1)} B per entry`);
  }
});

test("bare and three-slot entries interleaved unwind in reverse order, awaited or not as registered", async () => {
  const seen: string[] = [];
  const stack = new AsyncExitStack();
  let pendingSync: Promise<void> | undefined;
  stack.pushAsyncCallback(async () => void seen.push("async bare 1"));
  stack.callback((() => {
    // A sync callback on an async stack is not awaited, even without arguments; the promise it
    // returns is checked after the call all the same, bare entry or not: a TypeError.
    pendingSync = new Promise<void>((resolve) => setImmediate(resolve)).then(() => void seen.push("sync late"));
    seen.push("sync bare");
    return pendingSync;
  }) as () => void);
  stack.pushAsyncCallback(async (x: string) => void seen.push(x), "async with argument");
  stack.defer(async () => void seen.push("async bare 2"));
  stack.push(() => void seen.push("exit"));
  await assert.rejects(stack.aclose(), (error: unknown) => {
    assert.ok(error instanceof TypeError);
    assert.equal(error.cause, pendingSync);
    return true;
  });
  assert.deepEqual(seen, ["exit", "async bare 2", "async with argument", "sync bare", "async bare 1"]);
  await pendingSync;
  assert.equal(seen.at(-1), "sync late");
  const sync: string[] = [];
  const s = new ExitStack();
  s.callback(() => void sync.push("bare"));
  s.callback((x: string) => void sync.push(x), "argument");
  s.adopt("adopted", (x) => void sync.push(x));
  s.defer(() => void sync.push("deferred"));
  // `defer`'s result is ignored, as DisposableStack.prototype.defer ignores it: no check.
  s.defer((() => {
    sync.push("deferred, answering a promise");
    return Promise.resolve();
  }) as () => void);
  s.close();
  assert.deepEqual(sync, ["deferred, answering a promise", "deferred", "adopted", "argument", "bare"]);
});

test("runs of bare callbacks of different kinds side by side, and one pushed while unwinding", async () => {
  const seen: string[] = [];
  const stack = new AsyncExitStack();
  const late = async () => void seen.push("pushed while unwinding");
  stack.pushAsyncCallback(async () => void seen.push("async 1"));
  stack.pushAsyncCallback(async () => {
    seen.push("async 2");
    // Python-shaped unwinding runs what a callback adds (CPython's `while self._exit_callbacks`).
    stack.pushAsyncCallback(late);
  });
  stack.callback(() => void seen.push("sync 1"));
  stack.callback(() => void seen.push("sync 2"));
  stack.defer(async () => void seen.push("async 3"));
  await stack.aclose();
  assert.deepEqual(seen, ["async 3", "sync 2", "sync 1", "async 2", "pushed while unwinding", "async 1"]);
  const sync: string[] = [];
  const s = new ExitStack();
  s.callback(() => {
    sync.push("first");
    s.callback(() => void sync.push("added by first"));
  });
  s.defer(() => void sync.push("second"));
  s.callback(() => void sync.push("third"));
  s.close();
  assert.deepEqual(sync, ["third", "second", "first", "added by first"]);
});

test("regression: a bare callback keeps its own kind's rules beside bare callbacks of the list's kind, when moved, and after the stack emptied", () => {
  const answersPromise = (seen: string[], name: string) => () => {
    seen.push(name);
    return Promise.resolve();
  };
  // The list's bare kind is CALL (first bare push): a deferred callback answering a promise is
  // let through, as DisposableStack.prototype.defer lets it through.
  const seen: string[] = [];
  const first = new ExitStack();
  first.callback(() => void seen.push("callback"));
  first.defer(answersPromise(seen, "defer") as () => void);
  first.dispose();
  assert.deepEqual(seen, ["defer", "callback"]);
  // The list's bare kind is DEFER: a callback answering a promise is still the TypeError.
  seen.length = 0;
  const second = new ExitStack();
  second.defer(() => void seen.push("defer"));
  const promising = answersPromise(seen, "callback");
  second.callback(promising as () => void);
  assert.throws(
    () => second.close(),
    (error: unknown) => error instanceof TypeError && error.cause instanceof Promise,
  );
  assert.deepEqual(seen, ["callback", "defer"]);
  // popAll and move carry the kind along with the entries.
  seen.length = 0;
  const third = new ExitStack();
  third.callback(promising as () => void);
  assert.throws(() => third.popAll().close(), TypeError);
  const fourth = new ExitStack();
  fourth.defer(answersPromise(seen, "moved defer") as () => void);
  fourth.move().dispose();
  assert.deepEqual(seen, ["callback", "moved defer"]);
  // Emptied by close, the stack takes the next bare kind as its own: a deferred callback is
  // not mistaken for a callback.
  seen.length = 0;
  const fifth = new ExitStack();
  fifth.callback(() => void seen.push("callback"));
  fifth.close();
  fifth.defer(answersPromise(seen, "defer after close") as () => void);
  fifth.dispose();
  assert.deepEqual(seen, ["callback", "defer after close"]);
});

test("regression: callback(fn, undefined) passes one argument; callback(fn) none (the fast path reads the argument count)", async () => {
  const counts: number[] = [];
  const count = function (this: unknown, ..._: unknown[]) {
    // biome-ignore lint/complexity/noArguments: what is checked is the argument count itself.
    counts.push(arguments.length);
  };
  const s = new ExitStack();
  s.callback(count);
  s.callback(count, undefined);
  s.close();
  assert.deepEqual(counts, [1, 0]);
  counts.length = 0;
  const a = new AsyncExitStack();
  a.pushAsyncCallback(count);
  a.pushAsyncCallback(count, undefined);
  a.callback(count);
  a.callback(count, undefined);
  await a.aclose();
  assert.deepEqual(counts, [1, 0, 1, 0]);
});
