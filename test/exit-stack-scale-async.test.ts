// Scale, async: a million entries unwind in one loop, awaiting as they go, so no promise chain
// grows with the stack and nothing overflows.
import assert from "node:assert/strict";
import { test } from "node:test";
import { AsyncExitStack, asyncWith, errorContext } from "../src/index.js";
import { countWeakReads } from "./support/weak-reads.js";

const MILLION = 1_000_000;

test("AsyncExitStack: 1,000,000 mixed sync and async callbacks, Python unwinding", async () => {
  let count = 0;
  await asyncWith(new AsyncExitStack(), (stack) => {
    const sync = () => void count++;
    const later = async () => void count++;
    for (let i = 0; i < MILLION / 2; i++) {
      stack.callback(sync);
      stack.pushAsyncCallback(later);
    }
  });
  assert.equal(count, MILLION);
});

test("AsyncExitStack: 1,000,000 async disposers through disposeAsync, no deep promise chain", async () => {
  let count = 0;
  const stack = new AsyncExitStack();
  const resource = { [Symbol.asyncDispose]: async () => void count++ };
  const deferred = () => void count++;
  for (let i = 0; i < MILLION; i++) {
    if (i % 3 === 0) stack.use(resource);
    else if (i % 3 === 1) stack.defer(deferred);
    else stack.use(null);
  }
  await stack.disposeAsync();
  assert.equal(count, Math.ceil((MILLION * 2) / 3));
});

/** An async stack of `n` callbacks, sync and async in turn, each failing with `Error(String(i))`. */
function failingStack(n: number): AsyncExitStack {
  const stack = new AsyncExitStack();
  for (let i = 0; i < n; i++) {
    if (i % 2 === 0) {
      stack.callback(() => {
        throw new Error(String(i));
      });
    } else {
      stack.pushAsyncCallback(async () => {
        throw new Error(String(i));
      });
    }
  }
  return stack;
}

test("regression: unwinding an async stack of failing callbacks is linear, and keeps every error", async () => {
  const reads = async (n: number) =>
    countWeakReads(() =>
      failingStack(n)
        .aclose()
        .catch(() => {}),
    );
  const small = await reads(1000);
  const large = await reads(4000);
  assert.ok(large <= small * 5, `reads grew from ${small} to ${large} for 4x the callbacks`);

  const n = 16_000;
  const thrown = await failingStack(n)
    .aclose()
    .then(
      () => assert.fail("no error"),
      (error: unknown) => error,
    );
  let length = 0;
  for (let current = thrown; current !== undefined; current = errorContext(current)) {
    assert.equal((current as Error).message, String(length));
    length++;
  }
  assert.equal(length, n);
});
