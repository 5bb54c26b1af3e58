// Tests that use the real `using` / `await using` syntax with the library's stacks and managers.
// Only runtimes that parse the syntax load this file (see suite.mjs).
import * as lib from "../../dist/esm/index.js";
import { assert, test } from "./runner.mjs";

const { AsyncExitStack, ExitStack } = lib;

function manager(log, name) {
  return {
    enter: () => log.push(`enter ${name}`),
    exit: (exc) => {
      log.push(exc ? `exit ${name} with ${exc.error.message}` : `exit ${name}`);
    },
  };
}

test("native: `using` an ExitStack exits its managers in reverse order", () => {
  const log = [];
  {
    using stack = new ExitStack();
    stack.enterContext(manager(log, "a"));
    stack.enterContext(manager(log, "b"));
    log.push("body");
  }
  assert.deepEqual(log, ["enter a", "enter b", "body", "exit b", "exit a"]);
});

test("native: `using` tells the stack nothing of the body's error; the runtime combines the two", () => {
  const log = [];
  const body = new Error("body");
  const cleanup = new Error("cleanup");
  const caught = assert.throws(() => {
    using stack = new ExitStack();
    stack.enterContext(manager(log, "a"));
    stack.defer(() => {
      throw cleanup;
    });
    throw body;
  });
  // The stack's exits see only errors raised while the stack unwinds, never the body's, which
  // `using` does not pass on; the runtime wraps the body's error and the stack's.
  assert.deepEqual(log, ["enter a", "exit a with cleanup"]);
  assert.equal(caught.error, cleanup);
  assert.equal(caught.suppressed, body);
});

test("native: `await using` an AsyncExitStack awaits async exits", async () => {
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
    stack.defer(async () => log.push("deferred"));
  }
  assert.deepEqual(log, ["aenter", "deferred", "aexit"]);
});

test("native: `await using` a Pool closes it", async () => {
  let destroyed = 0;
  let pool;
  {
    await using owned = new lib.Pool({ create: () => ({}), destroy: () => destroyed++, max: 1 });
    pool = owned;
    await lib.asyncWith(owned.acquire(), () => {});
  }
  assert.equal(pool.closed, true);
  assert.equal(destroyed, 1);
});

test("native: the runtime's own stacks and ours nest inside each other", async () => {
  if (typeof AsyncDisposableStack !== "function") return; // checked where the runtime has them
  const log = [];
  {
    await using native = new AsyncDisposableStack();
    const ours = native.use(new AsyncExitStack());
    ours.defer(() => log.push("ours"));
    const inner = ours.use(new AsyncDisposableStack());
    inner.defer(() => log.push("native inside ours"));
    native.defer(() => log.push("native"));
  }
  assert.deepEqual(log, ["native", "native inside ours", "ours"]);
  {
    using ours = new ExitStack();
    const native = ours.use(new DisposableStack());
    native.defer(() => log.push("sync native inside ours"));
  }
  assert.equal(log.at(-1), "sync native inside ours");
});

test("native: a `using` body's error reaches our stack's Python-style callbacks only through exit", () => {
  const log = [];
  assert.throws(
    () => {
      using stack = new ExitStack();
      stack.push((exc) => {
        log.push(exc === undefined ? "no error seen" : "error seen");
        return true; // ignored: `using` cannot suppress
      });
      throw new Error("body");
    },
    { message: "body" },
  );
  assert.deepEqual(log, ["no error seen"]);
});
