// Scale, async: a million entries unwind in one loop, awaiting as they go, so no promise chain
// grows with the stack and nothing overflows.
import assert from "node:assert/strict";
import { test } from "node:test";
import { AsyncExitStack, asyncWith } from "../src/index.js";

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
