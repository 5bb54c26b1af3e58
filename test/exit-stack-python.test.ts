// Python-shaped behaviour of ExitStack / AsyncExitStack beyond CPython's own cases: the
// gh-102201 fix, exit's return value, JavaScript's `throw undefined`, disposables given to
// enterContext, the disposed state, popAll, and compile-time checks.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  AsyncExitStack,
  asyncWith,
  type ExcInfo,
  ExitStack,
  errorContext,
  hasErrorContext,
  SuppressedError,
  syncWith,
} from "../src/index.js";
import { rejectionOf, thrownBy } from "./support/throws.js";

describe("gh-102201: callback errors chain even when the body raised nothing", () => {
  test("ExitStack.close: the outer error's context is the inner one", () => {
    const outer = new Error("outer");
    const inner = new Error("inner");
    const stack = new ExitStack();
    stack.callback(() => {
      throw outer;
    });
    stack.callback(() => {
      throw inner;
    });
    assert.equal(
      thrownBy(() => stack.close()),
      outer,
    );
    assert.equal(errorContext(outer), inner);
    assert.equal(hasErrorContext(inner), false);
  });

  test("AsyncExitStack via asyncWith: same chain, async callbacks", async () => {
    const errors = [1, 2, 3].map((n) => new Error(String(n))) as [Error, Error, Error];
    const error = await rejectionOf(
      asyncWith(new AsyncExitStack(), (stack) => {
        for (const e of errors) {
          stack.pushAsyncCallback(async () => {
            throw e;
          });
        }
      }),
    );
    assert.equal(error, errors[0]);
    assert.equal(errorContext(errors[0]), errors[1]);
    assert.equal(errorContext(errors[1]), errors[2]);
  });
});

describe("exit / aexit return value (rule 44)", () => {
  for (const kind of ["sync", "async"] as const) {
    const exit = async (setup: (stack: ExitStack) => void, exc?: ExcInfo): Promise<boolean> => {
      if (kind === "sync") {
        const stack = new ExitStack();
        setup(stack);
        return stack.exit(exc);
      }
      const stack = new AsyncExitStack();
      setup(stack as unknown as ExitStack);
      return stack.aexit(exc);
    };
    test(`${kind}: true only when an error came in and was suppressed`, async () => {
      assert.equal(await exit((s) => s.push(() => true)), false, "nothing came in");
      assert.equal(await exit((s) => s.push(() => true), { error: new Error("x") }), true);
      assert.equal(await exit((s) => s.push(() => false), { error: new Error("x") }), false);
      assert.equal(await exit(() => {}, { error: new Error("x") }), false, "the caller re-raises it");
    });
    test(`${kind}: only exactly true suppresses`, async () => {
      for (const result of [1, "yes", {}, [], { then: true }]) {
        assert.equal(await exit((s) => s.push((() => result) as never), { error: new Error("x") }), false);
      }
    });
    test(`${kind}: throw undefined is an error (exit sees { error: undefined })`, async () => {
      const seen: unknown[] = [];
      const result = await exit(
        (s) =>
          s.push((exc) => {
            seen.push(exc);
            return true;
          }),
        { error: undefined },
      );
      assert.equal(result, true);
      assert.deepEqual(seen, [{ error: undefined }]);
    });
    test(`${kind}: a callback raising undefined replaces the pending error`, async () => {
      const body = new Error("body");
      let error: unknown = "none";
      try {
        await exit(
          (s) =>
            s.callback(() => {
              throw undefined;
            }),
          { error: body },
        );
      } catch (e) {
        error = e;
      }
      assert.equal(error, undefined);
    });
  }
});

describe("enterContext / enterAsyncContext accept disposables", () => {
  test("ExitStack.enterContext(Disposable) returns it and disposes it at exit, once", () => {
    let disposed = 0;
    const resource = {
      [Symbol.dispose]() {
        disposed++;
      },
    };
    syncWith(new ExitStack(), (stack) => {
      assert.equal(stack.enterContext(resource), resource);
      assert.equal(disposed, 0);
    });
    assert.equal(disposed, 1);
  });

  test("AsyncExitStack.enterAsyncContext(AsyncDisposable | Disposable), async first", async () => {
    const log: string[] = [];
    const both = {
      async [Symbol.asyncDispose]() {
        log.push("async");
      },
      [Symbol.dispose]() {
        log.push("sync of both");
      },
    };
    const syncOnly = {
      [Symbol.dispose]() {
        log.push("sync");
      },
    };
    await asyncWith(new AsyncExitStack(), async (stack) => {
      assert.equal(await stack.enterAsyncContext(both), both);
      assert.equal(await stack.enterAsyncContext(syncOnly), syncOnly);
    });
    assert.deepEqual(log, ["sync", "async"]);
  });

  test("the TypeError names the type, and a value of the other protocol is pointed to the right method", async () => {
    assert.throws(() => new ExitStack().enterContext(42 as never), {
      name: "TypeError",
      message: "'number' object does not support the context manager protocol (missed enter method)",
    });
    assert.throws(
      () => new ExitStack().enterContext({ aenter() {}, aexit() {} } as never),
      /but it supports the asynchronous context manager protocol. Did you mean to use 'AsyncExitStack.enterAsyncContext'\?/,
    );
    await assert.rejects(new AsyncExitStack().enterAsyncContext(null as never), {
      name: "TypeError",
      message: "'null' object does not support the asynchronous context manager protocol (missed aenter method)",
    });
  });

  test("enter is not called when exit is missing; enter throwing pushes nothing", () => {
    const stack = new ExitStack();
    let entered = false;
    assert.throws(() => stack.enterContext({ enter: () => (entered = true) } as never), /missed exit method/);
    assert.equal(entered, false);
    const failing = {
      enter(): never {
        throw new Error("enter failed");
      },
      exit() {
        assert.fail("exit of a manager that was never entered");
      },
    };
    assert.throws(() => stack.enterContext(failing), /enter failed/);
    stack.close();
  });
});

describe("the disposed state and the Python methods", () => {
  test("close() empties the stack and leaves it usable (Python), dispose() ends it (TC39)", () => {
    const log: number[] = [];
    const stack = new ExitStack();
    stack.callback(() => void log.push(1));
    stack.close();
    assert.equal(stack.disposed, false);
    stack.callback(() => void log.push(2));
    stack.close();
    stack.close();
    assert.deepEqual(log, [1, 2]);
    stack.dispose();
    assert.equal(stack.disposed, true);
    for (const add of [
      () => stack.callback(() => {}),
      () => stack.push(() => {}),
      () => stack.enterContext({ enter: () => assert.fail("entered"), exit() {} }),
      () => stack.popAll(),
    ]) {
      assert.throws(add, ReferenceError);
    }
    assert.equal(stack.exit(), false, "exit of a disposed stack has nothing to do");
  });

  test("AsyncExitStack: the Python methods refuse a disposed stack, enterAsyncContext without entering", async () => {
    const stack = new AsyncExitStack();
    await stack.disposeAsync();
    assert.throws(() => stack.pushAsyncCallback(async () => {}), ReferenceError);
    assert.throws(() => stack.pushAsyncExit(async () => {}), ReferenceError);
    await assert.rejects(stack.enterAsyncContext({ aenter: () => assert.fail("entered"), aexit() {} }), ReferenceError);
  });

  test("a stack disposed while a manager was entering exits that manager at once", async () => {
    const stack = new AsyncExitStack();
    const log: string[] = [];
    const cm = {
      async aenter() {
        await stack.disposeAsync();
        log.push("entered");
      },
      async aexit(exc?: ExcInfo) {
        log.push(exc ? "exit with error" : "exit");
      },
    };
    await assert.rejects(stack.enterAsyncContext(cm), ReferenceError);
    assert.deepEqual(log, ["entered", "exit"]);
  });
});

describe("popAll", () => {
  test("moves every entry exactly once, to a stack of the same class, and leaves this one empty", () => {
    class MyStack extends ExitStack {}
    const log: number[] = [];
    const stack = new MyStack();
    for (let i = 0; i < 5; i++) stack.callback(() => void log.push(i));
    const kept = stack.popAll();
    assert.ok(kept instanceof MyStack);
    stack.close();
    assert.deepEqual(log, []);
    kept.close();
    kept.close();
    assert.deepEqual(log, [4, 3, 2, 1, 0]);
  });

  test("popAll from a callback during close takes the entries not yet run", () => {
    const log: string[] = [];
    const stack = new ExitStack();
    let kept: ExitStack | undefined;
    stack.callback(() => void log.push("a"));
    stack.callback(() => void log.push("b"));
    stack.callback(() => {
      kept = stack.popAll();
    });
    stack.close();
    assert.deepEqual(log, []);
    kept?.close();
    assert.deepEqual(log, ["b", "a"]);
  });

  test("a callback pushed during close runs in the same close (CPython's while loop)", () => {
    const log: string[] = [];
    const stack = new ExitStack();
    stack.callback(() => void log.push("first registered"));
    stack.callback(() => {
      stack.callback(() => void log.push("pushed while closing"));
    });
    stack.close();
    assert.deepEqual(log, ["pushed while closing", "first registered"]);
  });
});

describe("one stack, both registrations, either unwinding", () => {
  test("Python unwinding runs TC39 entries in the same LIFO order; they see no error", () => {
    const log: string[] = [];
    const outcome = syncWith(new ExitStack(), (stack) => {
      stack.defer(() => void log.push("defer"));
      stack.use({ [Symbol.dispose]: () => void log.push("use") });
      stack.adopt("v", (v) => void log.push(`adopt ${v}`));
      stack.push((exc) => {
        log.push(`push sees ${exc ? (exc.error as Error).message : "none"}`);
        return true;
      });
      throw new Error("body");
    });
    assert.equal(outcome, undefined);
    assert.deepEqual(log, ["push sees body", "adopt v", "use", "defer"]);
  });

  test("TC39 unwinding: Python exit callbacks see the pending disposal error and may suppress it", () => {
    const seen: unknown[] = [];
    const stack = new ExitStack();
    stack.push((exc) => {
      seen.push(exc?.error);
      return true;
    });
    const first = new Error("first");
    stack.defer(() => {
      throw first;
    });
    stack.dispose();
    assert.deepEqual(seen, [first]);
  });

  test("TC39 unwinding combines with SuppressedError, Python unwinding with errorContext", () => {
    const make = () => {
      const stack = new ExitStack();
      const errors = [new Error("a"), new Error("b")];
      for (const e of errors) {
        stack.defer(() => {
          throw e;
        });
      }
      return { stack, errors };
    };
    const tc39 = make();
    const combined = thrownBy(() => tc39.stack.dispose());
    assert.ok(combined instanceof SuppressedError);
    assert.equal(combined.error, tc39.errors[0]);
    assert.equal(combined.suppressed, tc39.errors[1]);
    const python = make();
    assert.equal(
      thrownBy(() => python.stack.close()),
      python.errors[0],
    );
    assert.equal(errorContext(python.errors[0]), python.errors[1]);
  });
});

describe("manager protocol", () => {
  test("enter() returns the stack, aenter() resolves to it", async () => {
    const stack = new ExitStack();
    assert.equal(stack.enter(), stack);
    const astack = new AsyncExitStack();
    assert.equal(await astack.aenter(), astack);
  });

  test("an AsyncExitStack is not a sync manager", () => {
    // @ts-expect-error AsyncExitStack has no enter/exit and no Symbol.dispose
    assert.throws(() => syncWith(new AsyncExitStack(), () => {}), /Did you mean to use 'asyncWith'/);
  });

  test("compile-time checks (each marked line is a type error)", () => {
    const stack = new ExitStack();
    // @ts-expect-error a sync stack would not wait for an async callback
    stack.callback(async () => {});
    // @ts-expect-error a number is not an exit callback
    assert.throws(() => stack.push(1), TypeError);
    // @ts-expect-error a number is not a manager
    assert.throws(() => stack.enterContext(1), TypeError);
    // @ts-expect-error callback arguments are checked against the function's parameters
    stack.callback((n: number) => n, "not a number");
    stack.callback((n: number) => n, 1);
    // And at run time, the async callback's promise is a TypeError.
    assert.throws(() => stack.close(), TypeError);
  });
});

describe("regression: a sync slot given an async function (its promise was dropped, its rejection unhandled)", () => {
  /** A callback typed as sync that returns a promise, as an untyped caller could pass. */
  const returning = (promise: () => unknown) => promise as () => void;

  test("ExitStack.callback: a TypeError carrying the promise; the other callbacks still run", async () => {
    const late = new Error("cleanup failed later");
    const log: string[] = [];
    const stack = new ExitStack();
    stack.callback(() => log.push("first registered"));
    stack.callback(returning(() => Promise.reject(late)));
    stack.callback(() => log.push("last registered"));
    const thrown = thrownBy(() => stack.close());
    assert.ok(thrown instanceof TypeError);
    assert.match(thrown.message, /^ExitStack\.callback: .* use AsyncExitStack\.pushAsyncCallback$/);
    await assert.rejects(thrown.cause as Promise<unknown>, (e) => e === late);
    assert.deepEqual(log, ["last registered", "first registered"]);
  });

  test("ExitStack.push and enterContext: the TypeError replaces the pending error, and no exit can suppress it", () => {
    const body = new Error("body");
    const log: string[] = [];
    const thrown = thrownBy(() =>
      syncWith(new ExitStack(), (stack) => {
        stack.push(() => {
          log.push("suppressing exit");
          return true;
        });
        stack.enterContext({
          enter() {},
          exit: returning(async () => {}) as () => undefined,
        });
        stack.push(returning(async () => true) as () => boolean);
        throw body;
      }),
    );
    assert.ok(thrown instanceof TypeError);
    assert.match(thrown.message, /^ExitStack: an exit callback .* use AsyncExitStack\.pushAsyncExit/);
    // The newest TypeError (from enterContext's exit) has the first one, then the body's error, as context.
    const first = errorContext(thrown);
    assert.ok(first instanceof TypeError);
    assert.equal(errorContext(first), body);
    assert.deepEqual(log, ["suppressing exit"]);
  });

  test("AsyncExitStack.callback and push: a TypeError, while pushAsyncCallback and pushAsyncExit are awaited", async () => {
    const log: string[] = [];
    const stack = new AsyncExitStack();
    stack.pushAsyncCallback(async () => void log.push("async callback awaited"));
    stack.pushAsyncExit(async () => void log.push("async exit awaited"));
    stack.callback(returning(() => Promise.reject(new Error("dropped"))));
    const thrown = await rejectionOf(stack.aclose());
    assert.ok(thrown instanceof TypeError);
    assert.match(thrown.message, /^AsyncExitStack\.callback: .* use pushAsyncCallback$/);
    await assert.rejects(thrown.cause as Promise<unknown>);
    assert.deepEqual(log, ["async exit awaited", "async callback awaited"]);

    const pushed = new AsyncExitStack();
    pushed.pushAsyncExit(async () => true); // cannot suppress it either
    pushed.push(returning(async () => {}) as () => undefined);
    const fromPush = await rejectionOf(pushed.aexit({ error: new Error("body") }));
    assert.ok(fromPush instanceof TypeError);
    assert.match(fromPush.message, /^AsyncExitStack: an exit callback .* use pushAsyncExit or enterAsyncContext$/);
  });

  test("entries registered the TC39 way keep TC39's rule: defer, adopt and use ignore a result", async () => {
    const stack = new ExitStack();
    stack.defer(returning(() => Promise.resolve()));
    stack.adopt(
      1,
      returning(() => Promise.resolve()),
    );
    stack.use({ [Symbol.dispose]: returning(() => Promise.resolve()) });
    stack.dispose();
    // A callback registered the Python way fails under dispose() too, alone or nested.
    const mixed = new ExitStack();
    mixed.callback(returning(() => Promise.resolve()));
    assert.throws(() => mixed.dispose(), TypeError);
    const async = new AsyncExitStack();
    async.callback(returning(() => Promise.resolve()));
    async.defer(() => {
      throw new RangeError("later");
    });
    const suppressed = await rejectionOf(async.disposeAsync());
    assert.ok(suppressed instanceof SuppressedError);
    assert.ok(suppressed.error instanceof TypeError);
    assert.ok(suppressed.suppressed instanceof RangeError);
  });
});
