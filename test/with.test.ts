// Acceptance tests of `syncWith`: CPython's test_with (cases 122–172 of CPython's Lib/test/test_contextlib*.py, listed in the CASES-*.md files here §C)
// ported to our API, and rules 1–17 of Python's documented semantics . Case-by-case notes on what was
// adapted or left out are in test/CASES-with.md.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  type ContextManager,
  contextManager,
  type ExcInfo,
  errorContext,
  hasErrorContext,
  RuntimeError,
  syncWith,
} from "../src/index.js";
import { Probe } from "./support/managers.js";
import { thrownBy } from "./support/throws.js";

// -- fixtures ---------------------------------------------------------------------------------

/** test_with's MockResource: what a generator-based manager yields. */
class MockResource {
  yielded = false;
  stopped = false;
}

/** test_with's MockContextManager: records whether and how it was entered and exited. */
class MockContextManager implements ContextManager<MockResource> {
  enterCalled = false;
  exitCalled = false;
  /** The arguments exit received: `undefined` until exit runs, `[]` for "no error". */
  exitArgs: unknown[] | undefined = undefined;
  readonly resource = new MockResource();

  enter(): MockResource {
    this.enterCalled = true;
    this.resource.yielded = true;
    return this.resource;
  }

  exit(...args: [ExcInfo?]): void {
    this.exitCalled = true;
    this.exitArgs = args;
    this.resource.stopped = true;
  }
}

// -- test_with: protocol and failures (cases 122–130) -------------------------------------------

describe("test_with FailureTestCase", () => {
  test("case 122 testNameError", () => {
    // The manager expression fails before syncWith is even called: nothing is entered.
    const log: string[] = [];
    assert.throws(
      () =>
        syncWith(
          // @ts-expect-error `foo` is undeclared on purpose, as in the CPython test.
          foo,
          () => log.push("body"),
        ),
      ReferenceError,
    );
    assert.deepEqual(log, []);
  });

  test("case 123 testEnterAttributeError1", () => {
    let exited = false;
    const lacksEnter = {
      exit() {
        exited = true;
      },
    };
    // @ts-expect-error no enter method
    assert.throws(() => syncWith(lacksEnter, () => {}), { name: "TypeError", message: /the context manager/ });
    assert.equal(exited, false);
  });

  test("case 124 testEnterAttributeError2", () => {
    class LacksEnterAndExit {}
    assert.throws(
      // @ts-expect-error neither method
      () => syncWith(new LacksEnterAndExit(), () => {}),
      (e: unknown) =>
        e instanceof TypeError &&
        /the context manager/.test(e.message) &&
        e.message.startsWith("'LacksEnterAndExit' object does not support the context manager protocol"),
    );
  });

  test("case 125 testExitAttributeError: enter is never called", () => {
    let entered = false;
    class LacksExit {
      enter() {
        entered = true;
      }
    }
    assert.throws(
      // @ts-expect-error no exit method
      () => syncWith(new LacksExit(), () => {}),
      (e: unknown) =>
        e instanceof TypeError &&
        /the context manager.*exit/.test(e.message) &&
        e.message === "'LacksExit' object does not support the context manager protocol (missed exit method)",
    );
    assert.equal(entered, false);
  });

  test("case 129 testEnterThrows: no exit, no assignment, body never runs", () => {
    const holder: { foo: unknown } = { foo: null };
    let exited = false;
    const enterThrows = {
      enter(): string {
        throw new RuntimeError("Enter threw");
      },
      exit() {
        exited = true;
      },
    };
    assert.throws(
      () =>
        syncWith(enterThrows, (value) => {
          holder.foo = value;
        }),
      { name: "RuntimeError", message: "Enter threw" },
    );
    assert.equal(holder.foo, null);
    assert.equal(exited, false);
  });

  test("case 130 testExitThrows", () => {
    const failure = new RuntimeError("42");
    const exitThrows = {
      enter() {},
      exit() {
        throw failure;
      },
    };
    const thrown = thrownBy(() => syncWith(exitThrows, () => "done"));
    assert.equal(thrown, failure);
    // Rule 6: nothing was pending, so the error carries no context.
    assert.equal(hasErrorContext(thrown), false);
  });
});

// -- test_with: the non-exceptional cases (131–144) ---------------------------------------------

describe("test_with NonexceptionalTestCase", () => {
  test("case 131 testInlineGeneratorSyntax", () => {
    assert.equal(
      syncWith(new MockContextManager(), () => {}),
      undefined,
    );
  });

  test("case 132 testUnboundGenerator", () => {
    const mock = new MockContextManager();
    syncWith(mock, () => {});
    assert.equal(mock.enterCalled, true);
    assert.equal(mock.exitCalled, true);
    // Python's `(None, None, None)` is exit called with no argument at all.
    assert.deepEqual(mock.exitArgs, []);
  });

  test("case 133 testInlineGeneratorBoundSyntax", () => {
    const mock = new MockContextManager();
    syncWith(mock, (foo) => {
      assert.equal(foo, mock.resource);
      assert.equal(foo.yielded, true);
      assert.equal(foo.stopped, false);
    });
    assert.equal(mock.resource.yielded, true);
    assert.equal(mock.resource.stopped, true);
  });

  test("case 134 testInlineGeneratorBoundToExistingVariable", () => {
    let foo: MockResource | undefined;
    const mock = new MockContextManager();
    syncWith(mock, (value) => {
      foo = value;
      assert.equal(foo.yielded, true);
      assert.equal(foo.stopped, false);
    });
    assert.equal(foo?.yielded, true);
    assert.equal(foo?.stopped, true);
  });

  test("case 135 testInlineGeneratorBoundToDottedVariable", () => {
    const self: { foo?: MockResource } = {};
    syncWith(new MockContextManager(), (value) => {
      self.foo = value;
      assert.equal(self.foo.stopped, false);
    });
    assert.equal(self.foo?.yielded, true);
    assert.equal(self.foo?.stopped, true);
  });

  test("case 136 testBoundGenerator", () => {
    const mock = new MockContextManager();
    syncWith(mock, (foo) => {
      assert.equal(mock.enterCalled, true);
      assert.equal(mock.exitCalled, false);
      assert.equal(foo.yielded, true);
      assert.equal(foo.stopped, false);
    });
    assert.equal(mock.exitCalled, true);
    assert.deepEqual(mock.exitArgs, []);
    assert.equal(mock.resource.stopped, true);
  });

  test("case 137 testNestedSingleStatements", () => {
    const outer = new MockContextManager();
    const inner = new MockContextManager();
    syncWith(outer, (foo) => {
      syncWith(inner, (bar) => {
        assert.equal(outer.enterCalled && inner.enterCalled, true);
        assert.equal(outer.exitCalled || inner.exitCalled, false);
        assert.equal(foo.stopped || bar.stopped, false);
      });
      assert.equal(inner.exitCalled, true);
      assert.deepEqual(inner.exitArgs, []);
      assert.equal(outer.exitCalled, false);
      assert.equal(foo.stopped, false);
    });
    assert.deepEqual(outer.exitArgs, []);
    assert.equal(outer.resource.stopped, true);
  });

  test("case 138 testSingleArgInlineGeneratorSyntax", () => {
    const mock = new MockContextManager();
    syncWith([mock], () => {});
    assert.deepEqual(mock.exitArgs, []);
  });

  test("case 139 testSingleArgBoundToNonTuple", () => {
    const mock = new MockContextManager();
    syncWith([mock], (foo) => {
      assert.equal(foo, mock.resource);
      assert.equal(foo.stopped, false);
    });
    assert.equal(mock.resource.stopped, true);
    assert.deepEqual(mock.exitArgs, []);
  });

  test("case 140 testSingleArgBoundToSingleElementParenthesizedList", () => {
    const mock = new MockContextManager();
    syncWith([mock], (...[foo]) => {
      assert.equal(foo, mock.resource);
    });
    assert.deepEqual(mock.exitArgs, []);
  });

  test("case 141 testSingleArgBoundToMultipleElementTupleError: the unpacking error goes through exit", () => {
    // Python raises ValueError unpacking one value into two names; destructuring a
    // non-iterable in the body's parameter list throws TypeError, inside the protected region.
    const mock = new MockContextManager();
    const thrown = thrownBy(() =>
      syncWith([mock], (resource) => {
        const [foo, bar] = resource as unknown as [unknown, unknown];
        return [foo, bar];
      }),
    );
    assert.ok(thrown instanceof TypeError);
    assert.deepEqual(mock.exitArgs, [{ error: thrown }]);
  });

  test("case 142 testSingleArgUnbound", () => {
    const mock = new MockContextManager();
    syncWith([mock], () => {
      assert.equal(mock.enterCalled, true);
      assert.equal(mock.exitCalled, false);
    });
    assert.deepEqual(mock.exitArgs, []);
  });

  test("case 143 testMultipleArgUnbound", () => {
    const managers = [new MockContextManager(), new MockContextManager(), new MockContextManager()] as const;
    syncWith(managers, () => {
      for (const m of managers) assert.equal(m.enterCalled && !m.exitCalled, true);
    });
    for (const m of managers) assert.deepEqual(m.exitArgs, []);
  });

  test("case 144 testMultipleArgBound", () => {
    const [m, n, o] = [new MockContextManager(), new MockContextManager(), new MockContextManager()];
    syncWith([m, n, o], (a, b, c) => {
      assert.equal(a, m.resource);
      assert.equal(b, n.resource);
      assert.equal(c, o.resource);
      assert.equal(a.stopped || b.stopped || c.stopped, false);
    });
    assert.equal(m.resource.stopped && n.resource.stopped && o.resource.stopped, true);
  });
});

// -- test_with: the exceptional cases (145–156) -------------------------------------------------

describe("test_with ExceptionalTestCase", () => {
  const TEST_EXCEPTION = new RuntimeError("test exception");

  test("case 145 testSingleResource", () => {
    const mock = new MockContextManager();
    const thrown = thrownBy(() =>
      syncWith(mock, () => {
        throw TEST_EXCEPTION;
      }),
    );
    assert.equal(thrown, TEST_EXCEPTION);
    assert.equal(mock.exitArgs?.length, 1);
    assert.equal((mock.exitArgs as [ExcInfo])[0].error, TEST_EXCEPTION);
    assert.equal(mock.resource.stopped, true);
  });

  test("case 146 testExceptionNormalized: exit receives the very value thrown, never normalised", () => {
    // Python normalises `1 // 0` to an instance; JavaScript has nothing to normalise, and a
    // thrown primitive reaches exit as that primitive.
    const mock = new MockContextManager();
    const thrown = thrownBy(() =>
      syncWith(mock, () => {
        (null as unknown as { x: number }).x;
      }),
    );
    assert.ok(thrown instanceof TypeError);
    assert.equal((mock.exitArgs as [ExcInfo])[0].error, thrown);

    const second = new MockContextManager();
    assert.equal(
      thrownBy(() =>
        syncWith(second, () => {
          throw "a string";
        }),
      ),
      "a string",
    );
    assert.deepEqual(second.exitArgs, [{ error: "a string" }]);
  });

  test("case 147 testNestedSingleStatements", () => {
    const outer = new MockContextManager();
    const inner = new MockContextManager();
    const thrown = thrownBy(() =>
      syncWith(outer, () =>
        syncWith(inner, () => {
          throw TEST_EXCEPTION;
        }),
      ),
    );
    assert.equal(thrown, TEST_EXCEPTION);
    assert.deepEqual(inner.exitArgs, [{ error: TEST_EXCEPTION }]);
    assert.deepEqual(outer.exitArgs, [{ error: TEST_EXCEPTION }]);
    assert.equal(inner.resource.stopped && outer.resource.stopped, true);
  });

  test("case 148 testMultipleResourcesInSingleStatement", () => {
    const a = new MockContextManager();
    const b = new MockContextManager();
    const thrown = thrownBy(() =>
      syncWith([a, b], (ra, rb) => {
        assert.equal(ra, a.resource);
        assert.equal(rb, b.resource);
        throw TEST_EXCEPTION;
      }),
    );
    assert.equal(thrown, TEST_EXCEPTION);
    assert.deepEqual(a.exitArgs, [{ error: TEST_EXCEPTION }]);
    assert.deepEqual(b.exitArgs, [{ error: TEST_EXCEPTION }]);
  });

  test("case 149 testNestedExceptionBeforeInnerStatement", () => {
    const outer = new MockContextManager();
    const inner = new MockContextManager();
    const self: { bar: unknown } = { bar: null };
    const thrown = thrownBy(() =>
      syncWith(outer, () => {
        throw TEST_EXCEPTION;
        // biome-ignore lint/correctness/noUnreachable: the point is that the inner statement never runs
        syncWith(inner, (bar) => {
          self.bar = bar;
        });
      }),
    );
    assert.equal(thrown, TEST_EXCEPTION);
    assert.deepEqual(outer.exitArgs, [{ error: TEST_EXCEPTION }]);
    assert.equal(inner.enterCalled, false);
    assert.equal(inner.exitCalled, false);
    assert.equal(inner.exitArgs, undefined);
    assert.equal(self.bar, null);
  });

  test("case 150 testNestedExceptionAfterInnerStatement", () => {
    const outer = new MockContextManager();
    const inner = new MockContextManager();
    const thrown = thrownBy(() =>
      syncWith(outer, () => {
        syncWith(inner, () => {});
        throw TEST_EXCEPTION;
      }),
    );
    assert.equal(thrown, TEST_EXCEPTION);
    assert.deepEqual(inner.exitArgs, []);
    assert.deepEqual(outer.exitArgs, [{ error: TEST_EXCEPTION }]);
  });

  test("case 152 testRaisedStopIteration2 (adapted): an iteration-ending error is an ordinary error", () => {
    // JavaScript has no StopIteration; the closest is an error class of that name. It goes
    // through exit and propagates unchanged, like any other value (rule 11).
    class StopIteration extends Error {}
    const stop = new StopIteration("from with");
    const mock = new MockContextManager();
    assert.equal(
      thrownBy(() =>
        syncWith(mock, () => {
          throw stop;
        }),
      ),
      stop,
    );
    assert.deepEqual(mock.exitArgs, [{ error: stop }]);
  });

  test("case 153 testRaisedStopIteration3 (adapted): a finished iterator's result thrown as a value", () => {
    const done = [][Symbol.iterator]().next();
    const mock = new MockContextManager();
    assert.equal(
      thrownBy(() =>
        syncWith(mock, () => {
          throw done;
        }),
      ),
      done,
    );
    assert.deepEqual(mock.exitArgs, [{ error: done }]);
  });

  test("case 155 testRaisedGeneratorExit2", () => {
    class GeneratorExit extends Error {}
    const exit = new GeneratorExit("from with");
    class ReturnsUndefined {
      enter() {}
      exit() {
        return undefined;
      }
    }
    assert.equal(
      thrownBy(() =>
        syncWith(new ReturnsUndefined(), () => {
          throw exit;
        }),
      ),
      exit,
    );
  });

  test("case 156 testErrorsInBool (adapted): exit's result is never coerced; only exactly true suppresses", () => {
    // Python truth-tests exit's result, so a raising __bool__ raises. Here the result is
    // compared with `true`: an object's coercion hooks are never called, and it does not
    // suppress however truthy it would coerce.
    let coerced = false;
    const truthyObject = {
      valueOf() {
        coerced = true;
        return 1;
      },
      [Symbol.toPrimitive]() {
        coerced = true;
        return true;
      },
    };
    const failure = new Error("body");
    const thrown = thrownBy(() =>
      syncWith(new Probe("m", [], { exit: { returns: truthyObject } }), () => {
        throw failure;
      }),
    );
    assert.equal(thrown, failure);
    assert.equal(coerced, false);
    assert.equal(
      syncWith(new Probe("m", [], { exit: { returns: true } }), () => {
        throw failure;
      }),
      undefined,
    );
  });
});

// -- test_with: control flow (157–161) ----------------------------------------------------------

describe("test_with ExitSwallowsExceptionTestCase and control flow", () => {
  test("case 157 testWithBreak (adapted): the body's result carries the break out", () => {
    const mock = new MockContextManager();
    let counter = 0;
    while (true) {
      counter += 1;
      const signal = syncWith(mock, () => {
        counter += 10;
        return "break" as const;
      });
      if (signal === "break") break;
      counter += 100; // not reached
    }
    assert.equal(counter, 11);
    assert.deepEqual(mock.exitArgs, []);
  });

  test("case 158 testWithContinue (adapted)", () => {
    let counter = 0;
    while (true) {
      counter += 1;
      if (counter > 2) break;
      const signal = syncWith(new MockContextManager(), () => {
        counter += 10;
        return "continue" as const;
      });
      if (signal === "continue") continue;
      counter += 100; // not reached
    }
    assert.equal(counter, 12);
  });

  test("case 159 testWithReturn", () => {
    const mock = new MockContextManager();
    function foo(): number {
      let counter = 0;
      return syncWith(mock, () => {
        counter += 1;
        return counter + 10;
      });
    }
    assert.equal(foo(), 11);
    assert.deepEqual(mock.exitArgs, []);
  });

  test("case 161 testWithRaise", () => {
    let counter = 0;
    const mock = new MockContextManager();
    try {
      counter += 1;
      syncWith(mock, () => {
        counter += 10;
        throw new RuntimeError();
      });
      counter += 100; // not reached
    } catch (error) {
      assert.ok(error instanceof RuntimeError);
    }
    assert.equal(counter, 11);
  });

  test("case 165 testExitTrueSwallowsException", () => {
    class AfricanSwallow {
      enter() {}
      exit(): true {
        return true;
      }
    }
    let after = false;
    const result = syncWith(new AfricanSwallow(), () => {
      throw new RangeError("1/0");
    });
    after = true;
    assert.equal(result, undefined);
    assert.equal(after, true);
  });

  test("case 166 testExitFalseDoesntSwallowException", () => {
    class EuropeanSwallow {
      enter() {}
      exit(): false {
        return false;
      }
    }
    assert.throws(
      () =>
        syncWith(new EuropeanSwallow(), () => {
          throw new RangeError("1/0");
        }),
      RangeError,
    );
  });
});

// -- test_with: assignment targets (162–164, 171) -----------------------------------------------

describe("test_with AssignmentTargetTestCase", () => {
  test("case 162 testSingleComplexTarget", () => {
    const targets: Record<number, unknown[]> = { 1: [0, 1, 2] };
    syncWith(new MockContextManager(), (value) => {
      (targets[1] as unknown[])[0] = value;
    });
    assert.ok((targets[1] as unknown[])[0] instanceof MockResource);
    syncWith(new MockContextManager(), (value) => {
      (Object.values(targets)[0] as unknown[])[1] = value;
    });
    assert.ok((targets[1] as unknown[])[1] instanceof MockResource);
    syncWith(new MockContextManager(), (value) => {
      targets[2] = [value];
    });
    assert.deepEqual(Object.keys(targets), ["1", "2"]);
    class C {
      foo: unknown = null;
    }
    const blah = new C();
    syncWith(new MockContextManager(), (value) => {
      blah.foo = value;
    });
    assert.ok(blah.foo instanceof MockResource);
  });

  test("case 163 testMultipleComplexTargets", () => {
    const tuple = { enter: (): [number, number, number] => [1, 2, 3], exit() {} };
    let targets: Record<number, unknown> = { 1: [0, 1, 2] };
    syncWith(tuple, (value) => {
      const list = targets[1] as number[];
      [list[0], list[1], list[2]] = value;
    });
    assert.deepEqual(targets, { 1: [1, 2, 3] });
    syncWith(tuple, (value) => {
      const list = Object.values(targets)[0] as number[];
      [list[2], list[1], list[0]] = value;
    });
    assert.deepEqual(targets, { 1: [3, 2, 1] });
    targets = {};
    syncWith(tuple, ([one, two, three]) => {
      [targets[1], targets[2], targets[3]] = [one, two, three];
    });
    assert.deepEqual(targets, { 1: 1, 2: 2, 3: 3 });
    const blah = { one: 0, two: 0, three: 0 };
    syncWith(tuple, (value) => {
      [blah.one, blah.two, blah.three] = value;
    });
    assert.deepEqual(blah, { one: 1, two: 2, three: 3 });
  });

  test("case 164 testWithExtendedTargets (adapted: rest elements come last in JavaScript)", () => {
    const range = { enter: () => [1, 2, 3, 4], exit() {} };
    syncWith(range, ([a, ...rest]) => {
      const c = rest.pop();
      assert.equal(a, 1);
      assert.deepEqual(rest, [2, 3]);
      assert.equal(c, 4);
    });
  });

  test("case 171 testEnterReturnsTuple", () => {
    const log: string[] = [];
    syncWith([new Probe("a", log, { value: [1, 2] }), new Probe("b", log, { value: [10, 20] })], (first, second) => {
      const [a1, a2] = first as number[];
      const [b1, b2] = second as number[];
      assert.deepEqual([a1, a2, b1, b2], [1, 2, 10, 20]);
    });
    assert.deepEqual(log, ["enter a", "enter b", "exit b", "exit a"]);
  });
});

// -- test_with: several managers in one statement (167–170) -----------------------------------

describe("test_with NestedWith", () => {
  /** test_with's Dummy: records its exc_info, may gobble the error. */
  class Dummy implements ContextManager<unknown, boolean> {
    enterCalled = false;
    excInfo: ExcInfo | undefined;
    exitCalls = 0;
    constructor(
      readonly value: unknown = null,
      readonly gobble = false,
    ) {}
    enter() {
      this.enterCalled = true;
      return this.value;
    }
    exit(exc?: ExcInfo): boolean {
      this.exitCalls++;
      this.excInfo = exc;
      return this.gobble;
    }
  }
  class InitRaises {
    constructor() {
      throw new RuntimeError("init");
    }
    enter() {}
    exit() {}
  }
  class EnterRaises {
    enter(): never {
      throw new RuntimeError("enter");
    }
    exit() {}
  }
  class ExitRaises {
    enter() {}
    exit(): never {
      throw new RuntimeError("exit");
    }
  }

  test("case 167 testNoExceptions", () => {
    const a = new Dummy();
    const b = new Dummy();
    syncWith([a, b], () => {
      assert.equal(a.enterCalled && b.enterCalled, true);
      assert.equal(a.exitCalls + b.exitCalls, 0);
    });
    assert.equal(a.exitCalls, 1);
    assert.equal(b.exitCalls, 1);
    assert.equal(a.excInfo, undefined);
  });

  test("case 168 testExceptionInExprList: nested calls enter and exit the first manager", () => {
    const a = new Dummy();
    assert.throws(() => syncWith(a, () => syncWith(new InitRaises(), () => {})), { message: "init" });
    assert.equal(a.enterCalled, true);
    assert.equal(a.exitCalls, 1);
    assert.ok(a.excInfo && (a.excInfo.error as Error).message === "init");
  });

  test("case 168 testExceptionInExprList: the array form evaluates every manager first (JavaScript deviation)", () => {
    // An array literal is built before syncWith runs, so a failing expression in it means
    // nothing is entered at all: write nested calls when a later manager's construction
    // must happen inside the earlier one.
    const a = new Dummy();
    assert.throws(() => syncWith([a, new InitRaises()], () => {}), { message: "init" });
    assert.equal(a.enterCalled, false);
    assert.equal(a.exitCalls, 0);
  });

  test("case 169 testExceptionInEnter", () => {
    const a = new Dummy();
    let bodyRan = false;
    const thrown = thrownBy(() =>
      syncWith([a, new EnterRaises()], () => {
        bodyRan = true;
      }),
    );
    assert.ok(thrown instanceof RuntimeError);
    assert.equal(bodyRan, false);
    assert.equal(a.enterCalled, true);
    assert.equal(a.exitCalls, 1);
    assert.equal(a.excInfo?.error, thrown);
  });

  test("case 170 testExceptionInExit", () => {
    const a = new Dummy(null, true);
    let bodyExecuted = false;
    const result = syncWith([a, new ExitRaises()], () => {
      bodyExecuted = true;
      return "result";
    });
    assert.equal(bodyExecuted, true);
    assert.equal(result, undefined);
    assert.ok(a.excInfo !== undefined);
    assert.ok(a.excInfo.error instanceof RuntimeError);
    assert.equal((a.excInfo.error as Error).message, "exit");
  });
});

// -- Python's documented semantics rule by rule ---------------------------------------------------------

describe("rules 1–4: evaluation, lookup, enter", () => {
  test("rule 1: a failing manager expression enters and exits nothing", () => {
    const log: string[] = [];
    const make = (): Probe => {
      throw new RuntimeError("init");
    };
    assert.throws(() => syncWith(new Probe("a", log), () => syncWith(make(), () => log.push("body"))), {
      message: "init",
    });
    assert.deepEqual(log, ["enter a", "exit a with error"]);
  });

  test("rule 2 (deviation): methods are found by ordinary property lookup, so object literals are managers", () => {
    // Python looks special methods up on the type; JavaScript code builds managers as object
    // literals and closures, so own properties count here.
    const log: string[] = [];
    const literal = { enter: () => log.push("enter"), exit: () => void log.push("exit") };
    syncWith(literal, () => log.push("body"));
    assert.deepEqual(log, ["enter", "body", "exit"]);
  });

  test("rule 3: enter then exit are each looked up once, before enter runs", () => {
    const log: string[] = [];
    const manager = {
      get enter() {
        log.push("get enter");
        return () => log.push("enter()");
      },
      get exit() {
        log.push("get exit");
        return () => void log.push("exit()");
      },
    };
    syncWith(manager, () => log.push("body"));
    assert.deepEqual(log, ["get enter", "get exit", "enter()", "body", "exit()"]);
  });

  test("rule 3: an async-only manager in syncWith names the other protocol", () => {
    class OnlyAsync {
      async aenter() {}
      async aexit() {}
    }
    assert.throws(
      // @ts-expect-error an async manager is not a sync one
      () => syncWith(new OnlyAsync(), () => {}),
      {
        name: "TypeError",
        message:
          "'OnlyAsync' object does not support the context manager protocol (missed enter method) but it supports the asynchronous context manager protocol. Did you mean to use 'asyncWith'?",
      },
    );
  });

  test("rule 3: values that are not managers at all are TypeErrors naming their type", () => {
    const notManagers: [unknown, string][] = [
      [null, "null"],
      [undefined, "undefined"],
      [42, "number"],
      ["text", "string"],
      [{}, "Object"],
      [Object.create(null), "Object"],
      [() => {}, "Function"],
    ];
    for (const [value, name] of notManagers) {
      assert.throws(
        // @ts-expect-error not a manager
        () => syncWith(value, () => {}),
        {
          name: "TypeError",
          message: `'${name}' object does not support the context manager protocol (missed enter method)`,
        },
      );
    }
  });

  test("rule 3: a non-function enter or exit is as missing as an absent one", () => {
    let entered = false;
    const manager = {
      enter() {
        entered = true;
      },
      exit: "not a function",
    };
    // @ts-expect-error exit is not a method
    assert.throws(() => syncWith(manager, () => {}), /the context manager.*exit/);
    assert.equal(entered, false);
  });

  test("rule 4: enter is called on the manager with no arguments, and its result is the body's value", () => {
    const calls: { self: unknown; count: number }[] = [];
    const manager = {
      enter(...args: unknown[]) {
        calls.push({ self: this, count: args.length });
        return "value";
      },
      exit() {},
    };
    assert.equal(
      syncWith(manager, (v) => v),
      "value",
    );
    assert.deepEqual(calls, [{ self: manager, count: 0 }]);
  });

  test("rule 4: enter failing → exit never called, the very error propagates", () => {
    for (const error of [new Error("e"), undefined, null, 0, "s"]) {
      const log: string[] = [];
      const probe = new Probe("m", log, { enterThrows: { error } });
      assert.equal(
        thrownBy(() => syncWith(probe, () => log.push("body"))),
        error,
      );
      assert.deepEqual(log, ["enter m"]);
      assert.equal(probe.exitCalls.length, 0);
    }
  });

  test("a non-function body is a TypeError before anything is entered", () => {
    const log: string[] = [];
    for (const body of [undefined, null, 42, "body", {}]) {
      assert.throws(
        // @ts-expect-error not a function
        () => syncWith(new Probe("m", log), body),
        { name: "TypeError", message: /syncWith expects a function as its body/ },
      );
      assert.throws(
        // @ts-expect-error not a function
        () => syncWith([new Probe("n", log)], body),
        TypeError,
      );
    }
    assert.deepEqual(log, []);
  });
});

describe("rules 5–11: the body and exit", () => {
  test("rule 5: a failing destructuring of the value is inside the protected region", () => {
    const probe = new Probe("m", [], { value: 3 });
    const thrown = thrownBy(() =>
      syncWith(probe, (value) => {
        const [x, y] = value as [unknown, unknown];
        return [x, y];
      }),
    );
    assert.ok(thrown instanceof TypeError);
    assert.deepEqual(probe.exitCalls, [[{ error: thrown }]]);
  });

  test("rule 6: on success exit gets no argument, is called once on the manager, and its result is ignored", () => {
    const calls: { self: unknown; args: unknown[] }[] = [];
    const manager = {
      enter() {},
      exit(...args: [ExcInfo?]): boolean {
        calls.push({ self: this, args });
        return true;
      },
    };
    assert.equal(
      syncWith(manager, () => 11),
      11,
    );
    assert.deepEqual(calls, [{ self: manager, args: [] }]);
  });

  test("rule 6: exit throwing after success propagates that error, with no context", () => {
    for (const failure of [new Error("exit"), undefined, null, 7]) {
      const probe = new Probe("m", [], { exit: { throws: failure } });
      const thrown = thrownBy(() => syncWith(probe, () => "ok"));
      assert.equal(thrown, failure);
      assert.equal(hasErrorContext(thrown), false);
      assert.equal(probe.exitCalls.length, 1);
    }
  });

  test("rules 7 and 11: exit receives { error } with the very value thrown, whatever it is", () => {
    const sym = Symbol("thrown");
    const fn = () => {};
    for (const value of [new Error("e"), undefined, null, 0, -0, Number.NaN, "", false, 0n, sym, fn, { plain: true }]) {
      const probe = new Probe("m", []);
      const thrown = thrownBy(() =>
        syncWith(probe, () => {
          throw value;
        }),
      );
      assert.ok(Object.is(thrown, value));
      assert.equal(probe.exitCalls.length, 1);
      const args = probe.exitCalls[0] as unknown[];
      assert.equal(args.length, 1);
      assert.ok(Object.is((args[0] as ExcInfo).error, value));
      assert.ok(Object.hasOwn(args[0] as object, "error"));
    }
  });

  test("rule 8 (deviation): only exactly true suppresses; truthy values do not, unlike Python", () => {
    // Python would suppress for 1, "yes", a non-empty list; JavaScript's truthiness differs
    // from Python's ({} and [] are truthy here, falsy there), so the library asks for `true`.
    for (const returned of [1, "yes", "true", {}, [], [1], Number.POSITIVE_INFINITY, new Boolean(true)]) {
      const failure = new Error("body");
      const thrown = thrownBy(() =>
        syncWith(new Probe("m", [], { exit: { returns: returned } }), () => {
          throw failure;
        }),
      );
      assert.equal(thrown, failure);
    }
    for (const returned of [false, undefined, null, 0, ""]) {
      const failure = new Error("body");
      assert.equal(
        thrownBy(() =>
          syncWith(new Probe("m", [], { exit: { returns: returned } }), () => {
            throw failure;
          }),
        ),
        failure,
      );
    }
  });

  test("rule 8: exit returning true suppresses any thrown value, and the result is undefined", () => {
    for (const value of [new Error("e"), undefined, null, 42, "s"]) {
      const log: string[] = [];
      const result = syncWith(new Probe("m", log, { exit: { returns: true } }), (): string => {
        throw value;
      });
      assert.equal(result, undefined);
      assert.deepEqual(log, ["enter m", "exit m with error"]);
    }
  });

  test("rule 9: exit's own error replaces the body's, which becomes its context", () => {
    const bodyError = new Error("body");
    const exitError = new Error("exit");
    const probe = new Probe("m", [], { exit: { throws: exitError } });
    const thrown = thrownBy(() =>
      syncWith(probe, () => {
        throw bodyError;
      }),
    );
    assert.equal(thrown, exitError);
    assert.equal(errorContext(thrown), bodyError);
    assert.equal(hasErrorContext(bodyError), false);
    assert.equal(probe.exitCalls.length, 1);
    // The propagating error is the object exit threw: never wrapped or mutated.
    assert.deepEqual(Reflect.ownKeys(exitError), Reflect.ownKeys(new Error("exit")));
  });

  test("rule 9: the replaced error may be a primitive, even undefined", () => {
    for (const bodyValue of [undefined, null, 0, "s"]) {
      const exitError = new Error("exit");
      const thrown = thrownBy(() =>
        syncWith(new Probe("m", [], { exit: { throws: exitError } }), () => {
          throw bodyValue;
        }),
      );
      assert.equal(thrown, exitError);
      assert.equal(hasErrorContext(thrown), true);
      assert.equal(errorContext(thrown), bodyValue);
    }
  });

  test("rule 9: a primitive thrown by exit propagates, though it cannot carry a context", () => {
    const thrown = thrownBy(() =>
      syncWith(new Probe("m", [], { exit: { throws: 404 } }), () => {
        throw new Error("body");
      }),
    );
    assert.equal(thrown, 404);
  });

  test("rule 9: exit re-throwing the very same error gives it no context of itself", () => {
    const failure = new Error("body");
    const rethrows = {
      enter() {},
      exit(exc?: ExcInfo): void {
        if (exc) throw exc.error;
      },
    };
    const thrown = thrownBy(() =>
      syncWith(rethrows, () => {
        throw failure;
      }),
    );
    assert.equal(thrown, failure);
    assert.equal(hasErrorContext(failure), false);
  });

  test("rule 9: an error that already had a context keeps its chain, the replaced error at the end", () => {
    const older = new Error("older");
    const bodyError = new Error("body");
    const exitError = new Error("exit");
    // exitError was itself raised while `older` was pending (a nested statement inside exit).
    const exitThatChains = {
      enter() {},
      exit(): void {
        syncWith(new Probe("inner", [], { exit: { throws: exitError } }), () => {
          throw older;
        });
      },
    };
    const thrown = thrownBy(() =>
      syncWith(exitThatChains, () => {
        throw bodyError;
      }),
    );
    assert.equal(thrown, exitError);
    assert.equal(errorContext(exitError), older);
    assert.equal(errorContext(older), bodyError);
  });

  test("rule 11: a native error from the runtime goes through exit like any other", () => {
    const probe = new Probe("m", []);
    const thrown = thrownBy(() => syncWith(probe, () => JSON.parse("{")));
    assert.ok(thrown instanceof SyntaxError);
    assert.deepEqual(probe.exitCalls, [[{ error: thrown }]]);
  });

  test("rule 12 (not portable): a generator body is a plain result; exit runs before it is iterated", () => {
    // Python lets the with body `yield`, keeping the manager entered while the generator is
    // suspended (case 160). A callback cannot yield for its caller: the generator object is
    // the body's result like any other, so the manager is already exited when it runs.
    const log: string[] = [];
    const generator = syncWith(new Probe("m", log), () =>
      (function* () {
        log.push("first step");
        yield 12;
      })(),
    );
    assert.deepEqual(log, ["enter m", "exit m"]);
    assert.deepEqual([...(generator as Generator<number>)], [12]);
    assert.deepEqual(log, ["enter m", "exit m", "first step"]);
  });

  test("exit is called exactly once even when it throws, and never again by an outer statement", () => {
    const probe = new Probe("m", [], { exit: { throws: new Error("exit") } });
    assert.throws(() =>
      syncWith(probe, () => {
        throw new Error("body");
      }),
    );
    assert.equal(probe.enterCalls, 1);
    assert.equal(probe.exitCalls.length, 1);
  });
});

describe("syncWith with an asynchronous body", () => {
  test("a body returning a promise is a TypeError that goes through exit", async () => {
    const probe = new Probe("m", []);
    let settled!: () => void;
    const work = new Promise<void>((resolve) => {
      settled = resolve;
    });
    const thrown = thrownBy(() =>
      // Compiles through the deprecated overload (result typed AsyncBodyInSyncWith); a TypeError at run time.
      syncWith(probe, () => work),
    );
    assert.ok(thrown instanceof TypeError);
    assert.match(thrown.message, /use asyncWith/);
    assert.deepEqual(probe.exitCalls, [[{ error: thrown }]]);
    settled();
    await work;
  });

  test("a body returning a thenable is the same TypeError, and an exit returning true cannot suppress it", () => {
    const thenable = { then() {} };
    const log: string[] = [];
    const thrown = thrownBy(() =>
      // Compiles through the deprecated overload (result typed AsyncBodyInSyncWith); a TypeError at run time.
      syncWith(new Probe("m", log, { exit: { returns: true } }), () => thenable),
    );
    assert.ok(thrown instanceof TypeError);
    assert.match(thrown.message, /use asyncWith/);
    assert.deepEqual(log, ["enter m", "exit m with error"]);
  });

  test("regression: a catch-all generator manager cannot swallow the promise-returning-body TypeError", () => {
    const log: string[] = [];
    const swallowing = contextManager(function* () {
      try {
        yield;
      } catch {
        log.push("swallowed");
      }
    });
    const outer = new Probe("outer", log, { exit: { returns: true } });
    const thrown = thrownBy(() =>
      // Compiles through the deprecated overload (result typed AsyncBodyInSyncWith); a TypeError at run time.
      syncWith([outer, swallowing()], () => ({ then() {} })),
    );
    assert.ok(thrown instanceof TypeError);
    assert.deepEqual(log, ["enter outer", "swallowed", "exit outer with error"]);
  });

  test("the array form passes the same TypeError through every exit, innermost first", () => {
    const log: string[] = [];
    const a = new Probe("a", log);
    const b = new Probe("b", log);
    const thrown = thrownBy(() =>
      // Compiles through the deprecated overload (result typed AsyncBodyInSyncWith); a TypeError at run time.
      syncWith([a, b], () => ({ then() {} })),
    );
    assert.ok(thrown instanceof TypeError);
    assert.deepEqual(log, ["enter a", "enter b", "exit b with error", "exit a with error"]);
    assert.equal((b.exitCalls[0] as [ExcInfo])[0].error, thrown);
    assert.equal((a.exitCalls[0] as [ExcInfo])[0].error, thrown);
  });
});

describe("a sync exit returning a promise", () => {
  /** A sync manager whose exit answers with `answer` (a promise, wrongly), logging its calls. */
  const asyncExit = (name: string, log: string[], answer: () => unknown) => ({
    enter() {
      log.push(`enter ${name}`);
    },
    exit(exc?: ExcInfo) {
      log.push(exc === undefined ? `exit ${name}` : `exit ${name} with error`);
      return answer() as boolean;
    },
  });

  test("regression: a sync exit's rejected promise is a TypeError carrying it, never an unhandled rejection", async () => {
    // It was dropped: the caller saw success, and the rejection ended the process.
    const late = new Error("cleanup failed later");
    const log: string[] = [];
    const thrown = thrownBy(() =>
      syncWith(
        asyncExit("m", log, () => Promise.reject(late)),
        () => 1,
      ),
    );
    assert.ok(thrown instanceof TypeError);
    assert.match(thrown.message, /'Object' exit\(\) returned a promise/);
    assert.ok(thrown.cause instanceof Promise);
    // The cause is the very promise: awaiting it shows how the work ended.
    await assert.rejects(thrown.cause as Promise<unknown>, (e) => e === late);
    assert.deepEqual(log, ["enter m", "exit m"]);
    assert.equal(hasErrorContext(thrown), false);
  });

  test("on the error path it replaces the body's error, which becomes its context, and cannot suppress", () => {
    const failure = new Error("body");
    const log: string[] = [];
    const thrown = thrownBy(() =>
      syncWith(
        asyncExit("m", log, () => Promise.resolve(true)),
        () => {
          throw failure;
        },
      ),
    );
    assert.ok(thrown instanceof TypeError);
    assert.equal(errorContext(thrown), failure);
    assert.deepEqual(log, ["enter m", "exit m with error"]);
  });

  test("it goes through the outer exits like any error, and none of them can suppress it", () => {
    const log: string[] = [];
    const outer = new Probe("outer", log, { exit: { returns: true } });
    const thrown = thrownBy(() => syncWith([outer, asyncExit("inner", log, () => Promise.resolve())], () => 1));
    assert.ok(thrown instanceof TypeError);
    assert.deepEqual(log, ["enter outer", "enter inner", "exit inner", "exit outer with error"]);
    assert.equal((outer.exitCalls[0] as [ExcInfo])[0].error, thrown);
    // Nested statements behave the same.
    log.length = 0;
    const nested = thrownBy(() =>
      syncWith(new Probe("outer", log, { exit: { returns: true } }), () =>
        syncWith(
          asyncExit("inner", log, () => Promise.resolve()),
          () => 1,
        ),
      ),
    );
    assert.ok(nested instanceof TypeError);
    assert.deepEqual(log, ["enter outer", "enter inner", "exit inner", "exit outer with error"]);
  });

  test("any thenable counts; a foreign thenable's then is not called (it may start work)", () => {
    let thenCalls = 0;
    const thenable = {
      then() {
        thenCalls++;
      },
    };
    const thrown = thrownBy(() =>
      syncWith(
        asyncExit("m", [], () => thenable),
        () => 1,
      ),
    );
    assert.ok(thrown instanceof TypeError);
    assert.equal(thrown.cause, thenable);
    assert.equal(thenCalls, 0);
  });

  test("true, false, undefined and other values are answers, not promises", () => {
    for (const answer of [true, false, undefined, null, 0, "", {}, { then: 1 }]) {
      assert.equal(
        syncWith(
          asyncExit("m", [], () => answer),
          () => 7,
        ),
        7,
      );
    }
  });

  test("a disposable's result is ignored, as `using` ignores it", () => {
    const disposable = { [Symbol.dispose]: () => Promise.resolve() };
    assert.equal(
      syncWith(disposable, () => 3),
      3,
    );
  });

  test("regression: an async body's rejection is carried by the TypeError, not left unhandled", async () => {
    const failure = new Error("async body failed");
    const probe = new Probe("m", []);
    const thrown = thrownBy(() =>
      // Compiles through the deprecated overload (result typed AsyncBodyInSyncWith); a TypeError at run time.
      syncWith(probe, async () => {
        throw failure;
      }),
    );
    assert.ok(thrown instanceof TypeError);
    await assert.rejects(thrown.cause as Promise<unknown>, (e) => e === failure);
    const inArray = thrownBy(() =>
      // Compiles through the deprecated overload (result typed AsyncBodyInSyncWith); a TypeError at run time.
      syncWith([probe], async () => {
        throw failure;
      }),
    );
    await assert.rejects((inArray as Error).cause as Promise<unknown>, (e) => e === failure);
  });
});

// -- §1a: several managers in one statement (rules 13–16) ----------------------------------------

describe("rules 13–16: the array form is nested statements", () => {
  test("rule 13: enter in order, exit in reverse; each manager is looked at only once the previous one is entered", () => {
    const log: string[] = [];
    const lookedAt = (name: string) => ({
      get enter() {
        log.push(`look ${name}`);
        return () => {
          log.push(`enter ${name}`);
          return name;
        };
      },
      exit() {
        log.push(`exit ${name}`);
      },
    });
    const result = syncWith([lookedAt("a"), lookedAt("b"), lookedAt("c")], (a, b, c) => {
      log.push(`body ${a}${b}${c}`);
      return "result";
    });
    assert.equal(result, "result");
    assert.deepEqual(log, [
      "look a",
      "enter a",
      "look b",
      "enter b",
      "look c",
      "enter c",
      "body abc",
      "exit c",
      "exit b",
      "exit a",
    ]);
  });

  test("rule 13: the array form and literally nested calls give the same trace", () => {
    const run = (nested: boolean): string[] => {
      const log: string[] = [];
      const [a, b, c] = ["a", "b", "c"].map((n) => new Probe(n, log)) as [Probe, Probe, Probe];
      const body = () => {
        log.push("body");
        throw new Error("body");
      };
      assert.throws(() =>
        nested ? syncWith(a, () => syncWith(b, () => syncWith(c, body))) : syncWith([a, b, c], body),
      );
      return log;
    };
    assert.deepEqual(run(false), run(true));
  });

  test("rule 14: a later manager's enter failing exits only the earlier ones, with that error", () => {
    const log: string[] = [];
    const enterError = new Error("enter-b");
    const a = new Probe("a", log);
    const b = new Probe("b", log, { enterThrows: { error: enterError } });
    const c = new Probe("c", log);
    assert.equal(
      thrownBy(() => syncWith([a, b, c], () => log.push("body"))),
      enterError,
    );
    assert.deepEqual(log, ["enter a", "enter b", "exit a with error"]);
    assert.deepEqual(a.exitCalls, [[{ error: enterError }]]);
    assert.equal(b.exitCalls.length + c.enterCalls, 0);
  });

  test("rule 14: a later value that is not a manager reaches the earlier ones' exits as a TypeError", () => {
    const log: string[] = [];
    const a = new Probe("a", log);
    const thrown = thrownBy(() =>
      // @ts-expect-error the second value is not a manager
      syncWith([a, 42], () => log.push("body")),
    );
    assert.ok(thrown instanceof TypeError);
    assert.deepEqual(a.exitCalls, [[{ error: thrown }]]);
    // Half a manager (enter without exit) is not entered: the same TypeError reaches `a`.
    const half = thrownBy(() =>
      // @ts-expect-error half a manager
      syncWith([a, { enter: () => log.push("half entered") }], () => log.push("body")),
    );
    assert.ok(half instanceof TypeError);
    assert.match((half as Error).message, /missed exit method/);
    assert.deepEqual(a.exitCalls[1], [{ error: half }]);
    assert.ok(!log.includes("half entered") && !log.includes("body"));
  });

  test("rule 15: an inner exit suppressing → the outer exit gets no argument and the result is undefined", () => {
    const log: string[] = [];
    const a = new Probe("a", log);
    const b = new Probe("b", log, { exit: { returns: true } });
    const result = syncWith([a, b], (): string => {
      throw new Error("body");
    });
    assert.equal(result, undefined);
    assert.deepEqual(a.exitCalls, [[]]);
    assert.deepEqual(log, ["enter a", "enter b", "exit b with error", "exit a"]);
  });

  test("rule 16: an inner exit's error reaches the outer exit, which may suppress it", () => {
    const log: string[] = [];
    const exitError = new Error("exit b");
    const a = new Probe("a", log, { exit: { returns: true } });
    const b = new Probe("b", log, { exit: { throws: exitError } });
    const result = syncWith([a, b], () => "body");
    assert.equal(result, undefined);
    assert.deepEqual(a.exitCalls, [[{ error: exitError }]]);
  });

  test("rule 16: errors raised by successive exits chain, the newest outermost", () => {
    const bodyError = new Error("body");
    const errorB = new Error("exit b");
    const errorA = new Error("exit a");
    const a = new Probe("a", [], { exit: { throws: errorA } });
    const b = new Probe("b", [], { exit: { throws: errorB } });
    const thrown = thrownBy(() =>
      syncWith([a, b], () => {
        throw bodyError;
      }),
    );
    assert.equal(thrown, errorA);
    assert.equal(errorContext(errorA), errorB);
    assert.equal(errorContext(errorB), bodyError);
    assert.equal(hasErrorContext(bodyError), false);
    assert.deepEqual(a.exitCalls, [[{ error: errorB }]]);
  });

  test("rule 16: after success, an inner exit's error is the context of an outer exit's error", () => {
    const errorB = new Error("exit b");
    const errorA = new Error("exit a");
    const thrown = thrownBy(() =>
      syncWith(
        [new Probe("a", [], { exit: { throws: errorA } }), new Probe("b", [], { exit: { throws: errorB } })],
        () => "ok",
      ),
    );
    assert.equal(thrown, errorA);
    assert.equal(errorContext(errorA), errorB);
    assert.equal(hasErrorContext(errorB), false);
  });

  test("an empty array runs the body with no manager", () => {
    assert.equal(
      syncWith([], (...values: []) => values.length),
      0,
    );
  });
});

// -- TC39 disposables in syncWith -----------------------------------------------------------------

describe("syncWith with Symbol.dispose values", () => {
  class Resource implements Disposable {
    disposeCalls: unknown[][] = [];
    constructor(
      readonly log: string[],
      readonly fails?: { error: unknown },
    ) {}
    [Symbol.dispose](...args: unknown[]): void {
      this.disposeCalls.push(args);
      this.log.push("dispose");
      if (this.fails) throw this.fails.error;
    }
  }

  test("the value is the object itself; dispose runs once, with no argument, after the body", () => {
    const log: string[] = [];
    const resource = new Resource(log);
    const result = syncWith(resource, (value) => {
      assert.equal(value, resource);
      log.push("body");
      return 5;
    });
    assert.equal(result, 5);
    assert.deepEqual(log, ["body", "dispose"]);
    assert.deepEqual(resource.disposeCalls, [[]]);
  });

  test("dispose never suppresses, whatever it returns", () => {
    const failure = new Error("body");
    const disposable = { [Symbol.dispose]: () => true as unknown as void };
    assert.equal(
      thrownBy(() =>
        syncWith(disposable, () => {
          throw failure;
        }),
      ),
      failure,
    );
  });

  test("a dispose error replaces the body's, which becomes its context", () => {
    const disposeError = new Error("dispose");
    const bodyError = new Error("body");
    const thrown = thrownBy(() =>
      syncWith(new Resource([], { error: disposeError }), () => {
        throw bodyError;
      }),
    );
    assert.equal(thrown, disposeError);
    assert.equal(errorContext(disposeError), bodyError);
  });

  test("disposables and managers mix in the array form", () => {
    const log: string[] = [];
    const resource = new Resource(log);
    syncWith([new Probe("a", log), resource], (a, r) => {
      assert.equal(a, "a");
      assert.equal(r, resource);
      log.push("body");
    });
    assert.deepEqual(log, ["enter a", "body", "dispose", "exit a"]);
  });

  test("enter/exit take precedence over Symbol.dispose", () => {
    const log: string[] = [];
    const both = {
      enter: () => "entered",
      exit: () => void log.push("exit"),
      [Symbol.dispose]: () => log.push("dispose"),
    };
    assert.equal(
      syncWith(both, (v) => v),
      "entered",
    );
    assert.deepEqual(log, ["exit"]);
  });
});
