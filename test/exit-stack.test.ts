// CPython's exit-stack tests (CPython's Lib/test/test_contextlib*.py 45–66, 114–120) ported to ExitStack and
// AsyncExitStack. The sync-stack cases run against both classes, as CPython runs
// TestBaseExitStack on AsyncExitStack too, here by driving `asyncWith` / `aclose`.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  AsyncExitStack,
  asyncWith,
  type ContextManager,
  type ExcInfo,
  ExitStack,
  errorContext,
  hasErrorContext,
  setErrorContext,
  syncWith,
} from "../src/index.js";
import { rejectionOf } from "./support/throws.js";

/** How a test enters and closes a stack, sync or async; the registration methods are shared. */
interface Driver {
  name: string;
  /** `with Stack() as stack: body(stack)`; resolves to `"suppressed"` when the stack suppressed the body's error. */
  run(body: (stack: ExitStack) => void): Promise<unknown>;
  /** `stack.close()` / `await stack.aclose()`. */
  close(stack: ExitStack): Promise<void>;
  make(): ExitStack;
}

const drivers: Driver[] = [
  {
    name: "ExitStack",
    make: () => new ExitStack(),
    async run(body) {
      return syncWith(new ExitStack(), (stack) => {
        body(stack);
        return "completed";
      });
    },
    async close(stack) {
      stack.close();
    },
  },
  {
    name: "AsyncExitStack",
    make: () => new AsyncExitStack() as unknown as ExitStack,
    async run(body) {
      return asyncWith(new AsyncExitStack(), async (stack) => {
        body(stack as unknown as ExitStack);
        return "completed";
      });
    },
    async close(stack) {
      await (stack as unknown as AsyncExitStack).aclose();
    },
  },
];

class ZeroDivisionError extends Error {}
class KeyError extends Error {}
class IndexError extends Error {}
class ValueError extends Error {}
class AttributeError extends Error {}
class MyException extends Error {}

const divide = (): never => {
  throw new ZeroDivisionError("division by zero");
};
const raiseExc = (Kind: new () => Error) => (): never => {
  throw new Kind();
};

for (const driver of drivers) {
  describe(`sync-stack cases on ${driver.name}`, () => {
    test("case 46 test_no_resources", async () => {
      assert.equal(await driver.run(() => {}), "completed");
    });

    test("case 47 test_callback (keyword arguments as a trailing object)", async () => {
      const expected: unknown[][] = [
        [],
        [1],
        [1, 2],
        [{ example: 1 }],
        [1, { example: 1 }],
        [1, 2, { example: 1 }],
        [1, 2, { self: 3, callback: 4 }],
      ];
      const result: unknown[][] = [];
      const exit = (...args: unknown[]) => {
        result.push(args);
      };
      await driver.run((stack) => {
        for (const args of [...expected].reverse()) {
          assert.equal(stack.callback(exit, ...args), exit, "callback returns the function itself");
        }
      });
      assert.deepEqual(result, expected);

      result.length = 0;
      await driver.run((stack) => {
        assert.throws(() => (stack.callback as (...a: unknown[]) => unknown)(), TypeError);
        assert.throws(
          () => (ExitStack.prototype.callback as (...a: unknown[]) => unknown).call(undefined, exit, 2),
          TypeError,
        );
        assert.throws(() => (stack.callback as (...a: unknown[]) => unknown)({ callback: exit, arg: 3 }), TypeError);
      });
      assert.deepEqual(result, [], "nothing was pushed by the failed calls");
    });

    test("case 48 test_push", async () => {
      const seen: string[] = [];
      const expectOk = (exc?: ExcInfo) => {
        assert.equal(exc, undefined);
        seen.push("ok");
      };
      const expectExc = (exc?: ExcInfo) => {
        assert.ok(exc?.error instanceof ZeroDivisionError);
        seen.push("exc");
      };
      const suppressExc = () => true;
      class ExitCM {
        constructor(readonly check: (exc?: ExcInfo) => void) {}
        enter(): never {
          assert.fail("should not be called");
        }
        exit(exc?: ExcInfo) {
          this.check(exc);
        }
      }
      const outcome = await driver.run((stack) => {
        assert.equal(stack.push(expectOk), expectOk);
        const okCm = new ExitCM(expectOk);
        assert.equal(stack.push(okCm), okCm);
        assert.equal(stack.push(suppressExc), suppressExc);
        const excCm = new ExitCM(expectExc);
        assert.equal(stack.push(excCm), excCm);
        stack.push(expectExc);
        stack.push(expectExc);
        divide();
      });
      assert.equal(outcome, undefined, "the error was suppressed");
      assert.deepEqual(seen, ["exc", "exc", "exc", "ok", "ok"]);
    });

    test("case 49 test_enter_context", async () => {
      const result: number[] = [];
      const cm: ContextManager<void> = {
        enter: () => void result.push(1),
        exit: () => void result.push(3),
      };
      await driver.run((stack) => {
        stack.callback(() => void result.push(4));
        assert.equal(stack.enterContext(cm), undefined);
        result.push(2);
      });
      assert.deepEqual(result, [1, 2, 3, 4]);
    });

    test("case 50 test_enter_context_errors", async () => {
      const exits: string[] = [];
      class LacksEnterAndExit {}
      class LacksEnter {
        exit() {
          exits.push("LacksEnter");
        }
      }
      class LacksExit {
        enter() {
          exits.push("entered");
        }
      }
      const stack = driver.make();
      for (const [Kind, message] of [
        [
          LacksEnterAndExit,
          /^'LacksEnterAndExit' object does not support the context manager protocol \(missed enter method\)$/,
        ],
        [LacksEnter, /the context manager.*missed enter method/],
        [LacksExit, /the context manager.*missed exit method/],
      ] as const) {
        assert.throws(
          () => stack.enterContext(new Kind() as never),
          (e) => e instanceof TypeError && message.test(e.message),
        );
      }
      await driver.close(stack);
      assert.deepEqual(exits, [], "nothing was entered and nothing pushed");
    });

    test("case 51 test_close", async () => {
      const result: number[] = [];
      await driver.run((stack) => {
        stack.callback(() => void result.push(1));
        void driver.close(stack);
        result.push(2);
      });
      // The async close runs its (sync) callbacks before its first await.
      assert.deepEqual(result, [1, 2]);
    });

    test("case 52 test_pop_all", async () => {
      const result: number[] = [];
      let kept: ExitStack | undefined;
      await driver.run((stack) => {
        stack.callback(() => void result.push(3));
        kept = stack.popAll();
        assert.equal(Object.getPrototypeOf(kept), Object.getPrototypeOf(stack), "a stack of the same class");
        result.push(1);
      });
      result.push(2);
      await driver.close(kept as ExitStack);
      assert.deepEqual(result, [1, 2, 3]);
    });

    test("case 53 test_exit_raise", async () => {
      await assert.rejects(
        driver.run((stack) => {
          stack.push(() => false);
          divide();
        }),
        ZeroDivisionError,
      );
    });

    test("case 54 test_exit_suppress", async () => {
      assert.equal(
        await driver.run((stack) => {
          stack.push(() => true);
          divide();
        }),
        undefined,
      );
    });

    test("case 55 test_exit_exception_traceback (type and context only)", async () => {
      const caught = await rejectionOf(
        driver.run((stack) => {
          stack.callback(raiseExc(ValueError));
          divide();
        }),
      );
      assert.ok(caught instanceof ValueError);
      assert.ok(errorContext(caught) instanceof ZeroDivisionError);
    });

    test("case 57 test_exit_exception_chaining", async () => {
      let saved: ExcInfo | undefined;
      const caught = await rejectionOf(
        driver.run((stack) => {
          stack.callback(raiseExc(IndexError));
          stack.callback(raiseExc(KeyError));
          stack.callback(raiseExc(AttributeError));
          stack.push((exc) => {
            saved = exc;
            return true;
          });
          stack.callback(raiseExc(ValueError));
          divide();
        }),
      );
      // Exactly what real nested statements give (case 56).
      assert.ok(caught instanceof IndexError);
      assert.ok(errorContext(caught) instanceof KeyError);
      assert.ok(errorContext(errorContext(caught)) instanceof AttributeError);
      assert.equal(hasErrorContext(errorContext(errorContext(caught))), false);
      assert.ok(saved?.error instanceof ValueError);
      assert.ok(errorContext(saved.error) instanceof ZeroDivisionError);
    });

    test("case 58 test_exit_exception_explicit_none_context", async () => {
      // A manager that replaces any error with a MyException whose context is explicitly none.
      const myCm: ContextManager<void> = {
        enter() {},
        exit(exc) {
          if (!exc) return;
          const replacement = new MyException();
          setErrorContext(replacement, null);
          throw replacement;
        },
      };
      const direct = (() => {
        try {
          syncWith(myCm, () => {
            throw new IndexError();
          });
        } catch (e) {
          return e;
        }
      })();
      assert.ok(direct instanceof MyException);
      assert.equal(hasErrorContext(direct), false);

      const caught = await rejectionOf(
        driver.run((stack) => {
          stack.enterContext(myCm);
          throw new IndexError();
        }),
      );
      assert.ok(caught instanceof MyException);
      assert.equal(hasErrorContext(caught), false, "an explicitly-none context is kept");
    });

    test("case 59 test_exit_exception_non_suppressing", async () => {
      await assert.rejects(
        driver.run((stack) => {
          stack.callback(() => {});
          stack.callback(raiseExc(IndexError));
        }),
        IndexError,
      );
      // issue19092: the inner IndexError is suppressed, then the outer KeyError is raised.
      await assert.rejects(
        driver.run((stack) => {
          stack.callback(raiseExc(KeyError));
          stack.push(() => true);
          stack.callback(raiseExc(IndexError));
        }),
        KeyError,
      );
    });

    test("case 60 test_exit_exception_with_correct_context", async () => {
      const getsTheContextRight = (exc: Error): ContextManager<void> => ({
        enter() {},
        exit() {
          throw exc;
        },
      });
      const [exc1, exc2, exc3, exc4] = [1, 2, 3, 4].map((n) => new Error(String(n))) as [Error, Error, Error, Error];
      const caught = await rejectionOf(
        driver.run((stack) => {
          stack.enterContext(getsTheContextRight(exc4));
          stack.enterContext(getsTheContextRight(exc3));
          stack.enterContext(getsTheContextRight(exc2));
          throw exc1;
        }),
      );
      assert.equal(caught, exc4);
      assert.equal(errorContext(exc4), exc3);
      assert.equal(errorContext(exc3), exc2);
      assert.equal(errorContext(exc2), exc1);
      assert.equal(hasErrorContext(exc1), false, "no self-referential loop (issue 20317)");
    });

    test("case 61 test_exit_exception_with_existing_context", async () => {
      // Python's `try: raise inner / finally: raise outer` links outer → inner by itself.
      const raiseNested = (inner: Error, outer: Error) => {
        setErrorContext(outer, inner);
        throw outer;
      };
      const [exc1, exc2, exc3, exc4, exc5] = [1, 2, 3, 4, 5].map((n) => new Error(String(n))) as [
        Error,
        Error,
        Error,
        Error,
        Error,
      ];
      const caught = await rejectionOf(
        driver.run((stack) => {
          stack.callback(raiseNested, exc4, exc5);
          stack.callback(raiseNested, exc2, exc3);
          throw exc1;
        }),
      );
      assert.equal(caught, exc5);
      assert.equal(errorContext(exc5), exc4);
      assert.equal(errorContext(exc4), exc3);
      assert.equal(errorContext(exc3), exc2);
      assert.equal(errorContext(exc2), exc1);
      assert.equal(hasErrorContext(exc1), false);
    });

    test("case 62 test_body_exception_suppress", async () => {
      assert.equal(
        await driver.run((stack) => {
          stack.push(() => true);
          divide();
        }),
        undefined,
      );
    });

    test("case 63 test_exit_exception_chaining_suppress", async () => {
      assert.equal(
        await driver.run((stack) => {
          stack.push(() => true);
          stack.push(() => divide());
          stack.push(() => {
            throw new KeyError();
          });
        }),
        "completed",
      );
    });

    test("case 64 test_excessive_nesting", async () => {
      let calls = 0;
      await driver.run((stack) => {
        for (let i = 0; i < 10_000; i++) stack.callback(() => void calls++);
      });
      assert.equal(calls, 10_000);
    });

    test("case 65 test_instance_bypass (non-callable enter/exit properties are not the protocol)", async () => {
      const cm = Object.assign(function cm() {}, { enter: {}, exit: {} });
      const stack = driver.make();
      assert.throws(() => stack.enterContext(cm as never), /the context manager/);
      // push takes the callable itself, since its `exit` is not a method.
      assert.equal(stack.push(cm as never), cm);
      await driver.close(stack);
    });

    test("case 66 test_dont_reraise_RuntimeError", async () => {
      class UniqueException extends Error {}
      class UniqueRuntimeError extends Error {}
      const second: ContextManager<void> = {
        enter() {},
        exit(exc) {
          if (exc) throw new UniqueException("new exception", { cause: exc.error });
        },
      };
      const first: ContextManager<void> = {
        enter() {},
        exit(exc) {
          if (exc) throw exc.error;
        },
      };
      const caught = await rejectionOf(
        driver.run((stack) => {
          stack.enterContext(second);
          stack.enterContext(first);
          throw new UniqueRuntimeError("please no infinite loop.");
        }),
      );
      assert.ok(caught instanceof UniqueException);
      const inner = errorContext(caught);
      assert.ok(inner instanceof UniqueRuntimeError);
      assert.equal(caught.cause, inner, "issue27122: the cause is the context");
      assert.equal(hasErrorContext(inner), false);
      assert.equal(inner.cause, undefined);
    });
  });
}

test("case 56 test_exit_exception_chaining_reference (nested syncWith, the behaviour the stacks match)", () => {
  let saved: ExcInfo | undefined;
  const raising = (Kind: new () => Error): ContextManager<void> => ({
    enter() {},
    exit() {
      throw new Kind();
    },
  });
  const raisingWithContext = (Kind: new () => Error, ContextKind: new () => Error): ContextManager<void> => ({
    enter() {},
    exit() {
      const error = new Kind();
      setErrorContext(error, new ContextKind());
      throw error;
    },
  });
  const suppressing: ContextManager<void, boolean> = {
    enter() {},
    exit(exc) {
      saved = exc;
      return true;
    },
  };
  try {
    syncWith(
      [raising(IndexError), raisingWithContext(KeyError, AttributeError), suppressing, raising(ValueError)],
      () => divide(),
    );
    assert.fail("no error");
  } catch (caught) {
    assert.ok(caught instanceof IndexError);
    assert.ok(errorContext(caught) instanceof KeyError);
    assert.ok(errorContext(errorContext(caught)) instanceof AttributeError);
    assert.equal(hasErrorContext(errorContext(errorContext(caught))), false);
  }
  assert.ok(saved?.error instanceof ValueError);
  assert.ok(errorContext(saved.error) instanceof ZeroDivisionError);
});

describe("AsyncExitStack's own cases", () => {
  test("case 114 test_async_callback", async () => {
    const expected: unknown[][] = [[], [1], [1, 2], [{ example: 1 }], [1, { example: 1 }], [1, 2, { example: 1 }]];
    const result: unknown[][] = [];
    const exit = async (...args: unknown[]) => {
      await Promise.resolve();
      result.push(args);
    };
    await asyncWith(new AsyncExitStack(), (stack) => {
      for (const args of [...expected].reverse()) {
        assert.equal(stack.pushAsyncCallback(exit, ...args), exit);
      }
    });
    assert.deepEqual(result, expected);

    result.length = 0;
    await asyncWith(new AsyncExitStack(), (stack) => {
      assert.throws(() => (stack.pushAsyncCallback as (...a: unknown[]) => unknown)(), TypeError);
      assert.throws(
        () => (AsyncExitStack.prototype.pushAsyncCallback as (...a: unknown[]) => unknown).call(undefined, exit),
        TypeError,
      );
      assert.throws(
        () => (stack.pushAsyncCallback as (...a: unknown[]) => unknown)({ callback: exit, arg: 3 }),
        TypeError,
      );
    });
    assert.deepEqual(result, []);
  });

  test("case 115 test_async_push", async () => {
    const seen: string[] = [];
    const expectOk = async (exc?: ExcInfo) => {
      assert.equal(exc, undefined);
      seen.push("ok");
    };
    const expectExc = async (exc?: ExcInfo) => {
      assert.ok(exc?.error instanceof ZeroDivisionError);
      seen.push("exc");
    };
    const suppressExc = async () => true;
    class ExitCM {
      constructor(readonly check: (exc?: ExcInfo) => Promise<void>) {}
      async aenter(): Promise<never> {
        assert.fail("should not be called");
      }
      async aexit(exc?: ExcInfo) {
        await this.check(exc);
      }
    }
    const outcome = await asyncWith(new AsyncExitStack(), (stack) => {
      assert.equal(stack.pushAsyncExit(expectOk), expectOk);
      const okCm = new ExitCM(expectOk);
      assert.equal(stack.pushAsyncExit(okCm), okCm);
      assert.equal(stack.pushAsyncExit(suppressExc), suppressExc);
      const excCm = new ExitCM(expectExc);
      assert.equal(stack.pushAsyncExit(excCm), excCm);
      stack.pushAsyncExit(expectExc);
      stack.pushAsyncExit(expectExc);
      divide();
    });
    assert.equal(outcome, undefined);
    assert.deepEqual(seen, ["exc", "exc", "exc", "ok", "ok"]);
  });

  test("case 116 test_enter_async_context", async () => {
    const result: number[] = [];
    const cm = {
      aenter: async () => void result.push(1),
      aexit: async () => void result.push(3),
    };
    await asyncWith(new AsyncExitStack(), async (stack) => {
      stack.pushAsyncCallback(async () => void result.push(4));
      assert.equal(await stack.enterAsyncContext(cm), undefined);
      result.push(2);
    });
    assert.deepEqual(result, [1, 2, 3, 4]);
  });

  test("case 117 test_enter_async_context_errors", async () => {
    const calls: string[] = [];
    class LacksEnterAndExit {}
    class LacksEnter {
      async aexit() {
        calls.push("aexit");
      }
    }
    class LacksExit {
      async aenter() {
        calls.push("aenter");
      }
    }
    const stack = new AsyncExitStack();
    for (const Kind of [LacksEnterAndExit, LacksEnter, LacksExit]) {
      await assert.rejects(
        stack.enterAsyncContext(new Kind() as never),
        (e) =>
          e instanceof TypeError &&
          /asynchronous context manager/.test(e.message) &&
          e.message.includes(`'${Kind.name}'`),
      );
    }
    // A sync manager is pointed to enterContext (Python rule 37 gives the same TypeError).
    await assert.rejects(
      stack.enterAsyncContext({ enter() {}, exit() {} } as never),
      /asynchronous context manager protocol \(missed aenter method\) but it supports the context manager protocol. Did you mean to use 'enterContext'\?/,
    );
    await stack.aclose();
    assert.deepEqual(calls, []);
  });

  test("case 118 test_async_exit_exception_chaining", async () => {
    let saved: ExcInfo | undefined;
    const raiseAsync = (Kind: new () => Error) => async () => {
      await Promise.resolve();
      throw new Kind();
    };
    const caught = await rejectionOf(
      asyncWith(new AsyncExitStack(), (stack) => {
        stack.pushAsyncCallback(raiseAsync(IndexError));
        stack.pushAsyncCallback(raiseAsync(KeyError));
        stack.pushAsyncCallback(raiseAsync(AttributeError));
        stack.pushAsyncExit(async (exc) => {
          saved = exc;
          return true;
        });
        stack.pushAsyncCallback(raiseAsync(ValueError));
        divide();
      }),
    );
    assert.ok(caught instanceof IndexError);
    assert.ok(errorContext(caught) instanceof KeyError);
    assert.ok(errorContext(errorContext(caught)) instanceof AttributeError);
    assert.equal(hasErrorContext(errorContext(errorContext(caught))), false);
    assert.ok(saved?.error instanceof ValueError);
    assert.ok(errorContext(saved.error) instanceof ZeroDivisionError);
  });

  test("case 119 test_async_exit_exception_explicit_none_context", async () => {
    const myCm = {
      async aenter() {},
      async aexit(exc?: ExcInfo) {
        if (!exc) return;
        const replacement = new MyException();
        setErrorContext(replacement, null);
        throw replacement;
      },
    };
    const caught = await rejectionOf(
      asyncWith(new AsyncExitStack(), async (stack) => {
        await stack.enterAsyncContext(myCm);
        throw new IndexError();
      }),
    );
    assert.ok(caught instanceof MyException);
    assert.equal(hasErrorContext(caught), false);
  });

  test("case 120 test_instance_bypass_async", async () => {
    const cm = Object.assign(async function cm() {}, { aenter: {}, aexit: {} });
    const stack = new AsyncExitStack();
    await assert.rejects(stack.enterAsyncContext(cm as never), /asynchronous context manager/);
    assert.equal(stack.pushAsyncExit(cm as never), cm);
    await stack.aclose();
  });
});

describe("enterContext with a Disposable", () => {
  test("regression: [Symbol.dispose] is read once, the function read is the one called", () => {
    const calls: string[] = [];
    let reads = 0;
    const resource = {
      get [Symbol.dispose]() {
        reads++;
        const label = `dispose read ${reads}`;
        return () => calls.push(label);
      },
    };
    const stack = new ExitStack();
    assert.equal(stack.enterContext(resource), resource);
    stack.close();
    assert.equal(reads, 1);
    assert.deepEqual(calls, ["dispose read 1"]);
  });
});
