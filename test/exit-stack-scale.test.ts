// Scale: a million entries unwind iteratively (no stack overflow, no promise chain as deep as
// the stack), every one exactly once, and a disposed stack lets go of what it held.
import assert from "node:assert/strict";
import { test } from "node:test";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { AsyncExitStack, ExitStack, SuppressedError, syncWith } from "../src/index.js";

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
