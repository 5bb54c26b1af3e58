// Code a user writes with `using` / `await using`, compiled by each tool the interop check
// covers (TypeScript, Babel, esbuild) or run as it is where the runtime has the syntax. Each
// tool's helpers find `Symbol.dispose` / `Symbol.asyncDispose` their own way; these tests show
// that the library's stacks and the helpers agree on them.
import { AsyncExitStack, asyncDisposeSymbol, asyncWith, disposeSymbol, ExitStack } from "contextlib-ts";
import { assert, test } from "../runner.mjs";

test("interop: `using` an ExitStack runs its callbacks in reverse order", () => {
  const log = [];
  {
    using stack = new ExitStack();
    stack.callback(() => log.push("first registered"));
    stack.enterContext({ enter: () => log.push("enter"), exit: () => log.push("exit") });
  }
  assert.deepEqual(log, ["enter", "exit", "first registered"]);
});

test("interop: `await using` an AsyncExitStack awaits its async exits", async () => {
  const log = [];
  {
    await using stack = new AsyncExitStack();
    await stack.enterAsyncContext({
      aenter: async () => log.push("aenter"),
      aexit: async () => {
        await null;
        log.push("aexit");
      },
    });
    stack.defer(() => log.push("sync defer"));
  }
  assert.deepEqual(log, ["aenter", "sync defer", "aexit"]);
});

test("interop: `await using` accepts our sync ExitStack", async () => {
  const log = [];
  {
    await using stack = new ExitStack();
    stack.defer(() => log.push("disposed"));
  }
  assert.deepEqual(log, ["disposed"]);
});

test("interop: the helper's SuppressedError carries the stack's error and the body's", async () => {
  const body = new Error("body");
  const cleanup = new Error("cleanup");
  const caught = await assert.rejects(async () => {
    await using stack = new AsyncExitStack();
    stack.defer(async () => {
      throw cleanup;
    });
    throw body;
  });
  assert.equal(caught.error, cleanup);
  assert.equal(caught.suppressed, body);
});

test("interop: objects keyed by the library's symbols work under the helper and in our stacks", async () => {
  const log = [];
  const syncResource = { [disposeSymbol]: () => log.push("sync resource") };
  const asyncResource = { [asyncDisposeSymbol]: async () => log.push("async resource") };
  {
    await using a = asyncResource;
    using b = syncResource;
    await using stack = new AsyncExitStack();
    stack.use(asyncResource);
    stack.use(syncResource);
    assert.ok(a && b);
  }
  assert.deepEqual(log, ["sync resource", "async resource", "sync resource", "async resource"]);
});

test("interop: asyncWith takes a helper-made disposable resource", async () => {
  const log = [];
  const value = await asyncWith({ [asyncDisposeSymbol]: async () => log.push("closed") }, async () => "result");
  assert.equal(value, "result");
  assert.deepEqual(log, ["closed"]);
});
