// Portable checks of the `with` runners and error chaining: the heart of the library, run on
// every runtime against the built ESM output.
import * as lib from "../../dist/esm/index.js";
import { assert, test } from "./runner.mjs";

const { asyncWith, errorContext, hasErrorContext, syncWith } = lib;

/** A sync manager that records what happens to it in `log`. */
function recorder(log, name, { suppress = false, exitError } = {}) {
  return {
    enter() {
      log.push(`enter ${name}`);
      return name;
    },
    exit(...args) {
      log.push(
        args.length === 0 ? `exit ${name}` : `exit ${name} with ${String(args[0].error?.message ?? args[0].error)}`,
      );
      if (exitError) throw exitError;
      return suppress;
    },
  };
}

function asyncRecorder(log, name, options = {}) {
  const sync = recorder(log, name, options);
  return {
    async aenter() {
      await null;
      return sync.enter();
    },
    async aexit(...args) {
      await null;
      return sync.exit(...args);
    },
  };
}

test("with: syncWith returns the body's result and exits once with no argument", () => {
  const log = [];
  assert.equal(
    syncWith(recorder(log, "a"), (value) => `${value}!`),
    "a!",
  );
  assert.deepEqual(log, ["enter a", "exit a"]);
});

test("with: an error reaches exit as { error } and propagates as the same object", () => {
  const log = [];
  const boom = new Error("boom");
  const caught = assert.throws(() =>
    syncWith(recorder(log, "a"), () => {
      throw boom;
    }),
  );
  assert.equal(caught, boom);
  assert.deepEqual(log, ["enter a", "exit a with boom"]);
});

test("with: only exactly true suppresses", () => {
  const suppressed = syncWith({ enter() {}, exit: () => true }, () => {
    throw new Error("gone");
  });
  assert.equal(suppressed, undefined);
  assert.throws(
    () =>
      syncWith({ enter() {}, exit: () => 1 }, () => {
        throw new Error("kept");
      }),
    { message: "kept" },
  );
});

test("with: throw undefined is an error, not a success", () => {
  let seen;
  const caught = assert.throws(() =>
    syncWith(
      {
        enter() {},
        exit(...args) {
          seen = args;
        },
      },
      () => {
        throw undefined;
      },
    ),
  );
  assert.equal(caught, undefined);
  assert.equal(seen.length, 1);
  assert.ok(Object.hasOwn(seen[0], "error"));
});

test("with: an error from exit replaces the body's, which stays reachable as its context", () => {
  const body = new Error("body failed");
  const close = new Error("close failed");
  const caught = assert.throws(() =>
    syncWith(recorder([], "a", { exitError: close }), () => {
      throw body;
    }),
  );
  assert.equal(caught, close);
  assert.ok(hasErrorContext(close));
  assert.equal(errorContext(close), body);
});

test("with: several managers nest, exiting in reverse order", () => {
  const log = [];
  const result = syncWith([recorder(log, "a"), recorder(log, "b")], (a, b) => a + b);
  assert.equal(result, "ab");
  assert.deepEqual(log, ["enter a", "enter b", "exit b", "exit a"]);
});

test("with: a manager whose enter fails is not exited, the outer ones are", () => {
  const log = [];
  const failing = {
    enter() {
      throw new Error("no entry");
    },
    exit() {
      log.push("exit failing");
    },
  };
  assert.throws(() => syncWith([recorder(log, "a"), failing], () => log.push("body")), { message: "no entry" });
  assert.deepEqual(log, ["enter a", "exit a with no entry"]);
});

test("with: a value without the protocol is a TypeError naming its type", () => {
  assert.throws(() => syncWith(42, () => {}), TypeError);
  assert.throws(() => syncWith({ aenter() {}, aexit() {} }, () => {}), { name: "TypeError", message: /asyncWith/ });
});

test("with: syncWith accepts a TC39 disposable and disposes it once", () => {
  let disposed = 0;
  const resource = {
    [lib.disposeSymbol]() {
      disposed++;
    },
  };
  syncWith(resource, (value) => assert.equal(value, resource));
  assert.equal(disposed, 1);
});

test("with: asyncWith awaits aenter, the body and aexit in order", async () => {
  const log = [];
  const result = await asyncWith(asyncRecorder(log, "a"), async (value) => {
    await null;
    log.push("body");
    return value.toUpperCase();
  });
  assert.equal(result, "A");
  assert.deepEqual(log, ["enter a", "body", "exit a"]);
});

test("with: asyncWith suppresses on exactly true and chains aexit's error", async () => {
  const log = [];
  assert.equal(
    await asyncWith(asyncRecorder(log, "a", { suppress: true }), async () => {
      throw new Error("gone");
    }),
    undefined,
  );
  const body = new Error("body");
  const close = new Error("close");
  const caught = await assert.rejects(() =>
    asyncWith(asyncRecorder(log, "b", { exitError: close }), async () => {
      throw body;
    }),
  );
  assert.equal(caught, close);
  assert.equal(errorContext(close), body);
});

test("with: asyncWith mixes sync managers, async managers and async disposables", async () => {
  const log = [];
  const disposable = {
    async [lib.asyncDisposeSymbol]() {
      log.push("dispose c");
    },
  };
  await asyncWith([recorder(log, "a"), asyncRecorder(log, "b"), disposable], async (a, b, c) => {
    assert.equal(c, disposable);
    log.push(`body ${a}${b}`);
  });
  assert.deepEqual(log, ["enter a", "enter b", "body ab", "dispose c", "exit b", "exit a"]);
});

test("errors: setErrorContext(null) keeps an error free of a pending one", () => {
  const replaced = new Error("replaced");
  lib.setErrorContext(replaced, null);
  assert.throws(() =>
    syncWith(
      {
        enter() {},
        exit() {
          throw replaced;
        },
      },
      () => {
        throw new Error("body");
      },
    ),
  );
  assert.equal(hasErrorContext(replaced), false);
});

test("errors: RuntimeError is an Error subclass named RuntimeError", () => {
  const error = new lib.RuntimeError("generator didn't yield");
  assert.ok(error instanceof Error);
  assert.equal(error.name, "RuntimeError");
});

test("errors: TimeoutError is our own class, not the DOM's", () => {
  const error = new lib.TimeoutError();
  assert.ok(error instanceof Error);
  assert.equal(error.name, "TimeoutError");
});
