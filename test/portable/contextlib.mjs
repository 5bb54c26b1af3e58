// Portable checks of the contextlib names: generator managers, decorators, the small utilities,
// the abstract classes and both exit stacks with their two error semantics.
import * as lib from "../../dist/esm/index.js";
import { assert, test } from "./runner.mjs";

const { AsyncExitStack, ExitStack, asyncWith, errorContext, syncWith } = lib;

test("contextlib: contextManager runs the code before and after yield around the block", () => {
  const log = [];
  const tag = lib.contextManager(function* (name) {
    log.push(`<${name}>`);
    try {
      yield name.toUpperCase();
    } finally {
      log.push(`</${name}>`);
    }
  });
  assert.equal(
    syncWith(tag("p"), (value) => value),
    "P",
  );
  assert.throws(
    () =>
      syncWith(tag("b"), () => {
        throw new Error("inside");
      }),
    { message: "inside" },
  );
  assert.deepEqual(log, ["<p>", "</p>", "<b>", "</b>"]);
});

test("contextlib: a generator that does not yield is a RuntimeError", () => {
  const empty = lib.contextManager(function* () {});
  assert.throws(() => syncWith(empty(), () => {}), { name: "RuntimeError", message: "generator didn't yield" });
});

test("contextlib: a generator may suppress by catching", () => {
  const swallow = lib.contextManager(function* () {
    try {
      yield;
    } catch {
      // suppressed
    }
  });
  assert.equal(
    syncWith(swallow(), () => {
      throw new Error("x");
    }),
    undefined,
  );
});

test("contextlib: asyncContextManager awaits around the block", async () => {
  const log = [];
  const resource = lib.asyncContextManager(async function* () {
    await null;
    log.push("open");
    try {
      yield 7;
    } finally {
      await null;
      log.push("close");
    }
  });
  assert.equal(await asyncWith(resource(), async (n) => n * 6), 42);
  assert.deepEqual(log, ["open", "close"]);
});

test("contextlib: a manager decorates a function", async () => {
  const log = [];
  const traced = lib.contextManager(function* () {
    log.push("in");
    yield;
    log.push("out");
  });
  const add = traced().decorate((a, b) => a + b);
  assert.equal(add(2, 3), 5);
  const later = lib.asyncContextManager(async function* () {
    log.push("ain");
    yield;
    log.push("aout");
  });
  const double = later().decorate(async (n) => n * 2);
  assert.equal(await double(4), 8);
  assert.deepEqual(log, ["in", "out", "ain", "aout"]);
});

test("contextlib: suppress swallows only the listed classes", () => {
  assert.equal(
    syncWith(lib.suppress(RangeError), () => {
      throw new RangeError("ignored");
    }),
    undefined,
  );
  assert.throws(
    () =>
      syncWith(lib.suppress(RangeError), () => {
        throw new TypeError("kept");
      }),
    TypeError,
  );
});

test("contextlib: nullContext gives its value, closing calls close", async () => {
  assert.equal(
    syncWith(lib.nullContext(5), (n) => n),
    5,
  );
  assert.equal(await asyncWith(lib.nullContext("v"), (v) => v), "v");
  let closed = 0;
  syncWith(lib.closing({ close: () => closed++ }), () => {});
  await asyncWith(lib.aclosing({ aclose: async () => closed++ }), () => {});
  assert.equal(closed, 2);
});

test("contextlib: any object with enter/exit is an AbstractContextManager", () => {
  assert.ok({ enter() {}, exit() {} } instanceof lib.AbstractContextManager);
  assert.ok({ aenter() {}, aexit() {} } instanceof lib.AbstractAsyncContextManager);
  assert.equal({ enter() {} } instanceof lib.AbstractContextManager, false);
});

test("ExitStack: Python semantics: LIFO, callbacks see and may suppress the error", () => {
  const log = [];
  const result = syncWith(new ExitStack(), (stack) => {
    stack.callback((what) => log.push(what), "callback");
    stack.push((exc) => {
      log.push(`exit saw ${exc?.error?.message}`);
      return true;
    });
    stack.enterContext({
      enter: () => log.push("enter"),
      exit: () => {
        log.push("manager exit");
      },
    });
    throw new Error("boom");
  });
  assert.equal(result, undefined);
  assert.deepEqual(log, ["enter", "manager exit", "exit saw boom", "callback"]);
});

test("ExitStack: Python semantics: a failing callback's error chains the one it replaced", () => {
  const first = new Error("first");
  const second = new Error("second");
  const stack = new ExitStack();
  stack.callback(() => {
    throw second;
  });
  stack.callback(() => {
    throw first;
  });
  const caught = assert.throws(() => stack.close());
  assert.equal(caught, second);
  assert.equal(errorContext(second), first);
});

test("ExitStack: TC39 semantics: dispose nests failures in SuppressedError", () => {
  const stack = new ExitStack();
  stack.defer(() => {
    throw new Error("registered first");
  });
  stack.defer(() => {
    throw new Error("disposed first");
  });
  const caught = assert.throws(() => stack.dispose(), lib.SuppressedError);
  assert.equal(caught.error.message, "registered first");
  assert.equal(caught.suppressed.message, "disposed first");
  assert.equal(stack.disposed, true);
  assert.throws(() => stack.defer(() => {}), ReferenceError);
  assert.equal(stack[lib.disposeSymbol], stack.dispose);
});

test("ExitStack: use, adopt and move", () => {
  const log = [];
  const first = new ExitStack();
  const resource = { [lib.disposeSymbol]: () => log.push("resource") };
  assert.equal(first.use(resource), resource);
  assert.equal(
    first.adopt(3, (n) => log.push(`adopted ${n}`)),
    3,
  );
  const second = first.move();
  assert.equal(first.disposed, true);
  second.dispose();
  assert.deepEqual(log, ["adopted 3", "resource"]);
});

test("ExitStack: popAll transfers every callback exactly once", () => {
  const log = [];
  const stack = new ExitStack();
  stack.callback(() => log.push("a"));
  const moved = stack.popAll();
  stack.close();
  moved.close();
  moved.close();
  assert.deepEqual(log, ["a"]);
});

test("AsyncExitStack: mixes async and sync managers, unwinding in reverse", async () => {
  const log = [];
  await asyncWith(new AsyncExitStack(), async (stack) => {
    await stack.enterAsyncContext({
      aenter: async () => log.push("aenter"),
      aexit: async () => {
        log.push("aexit");
      },
    });
    stack.enterContext({ enter: () => log.push("enter"), exit: () => log.push("exit") });
    stack.pushAsyncCallback(async () => log.push("async callback"));
    stack.defer(async () => log.push("deferred"));
  });
  assert.deepEqual(log, ["aenter", "enter", "deferred", "async callback", "exit", "aexit"]);
});

test("AsyncExitStack: TC39 semantics through disposeAsync", async () => {
  const stack = new AsyncExitStack();
  stack.defer(async () => {
    throw new Error("a");
  });
  stack.defer(() => {
    throw new Error("b");
  });
  const caught = await assert.rejects(() => stack.disposeAsync(), lib.SuppressedError);
  assert.equal(caught.error.message, "a");
  assert.equal(caught.suppressed.message, "b");
  assert.equal(stack[lib.asyncDisposeSymbol], stack.disposeAsync);
});

test("SuppressedError: callable with or without new, own error and suppressed", () => {
  const made = new lib.SuppressedError(1, 2, "m");
  assert.equal(made.error, 1);
  assert.equal(made.suppressed, 2);
  assert.equal(made.message, "m");
  assert.ok(made instanceof Error);
  assert.ok(lib.SuppressedError(1, 2) instanceof lib.SuppressedError);
});
