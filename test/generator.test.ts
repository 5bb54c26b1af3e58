// Tests of `contextManager` (sync generator managers): CPython's ContextManagerTestCase (cases
// 5–24 of CPython's Lib/test/test_contextlib*.py, listed in the CASES-*.md files here) ported to our API, Python's documented semantics rules 22–29, and
// regression tests. Case-by-case notes are in test/CASES-generator.md.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { setImmediate as nextMacrotask } from "node:timers/promises";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import fc from "fast-check";
import {
  contextManager,
  errorContext,
  GeneratorContextManager,
  hasErrorContext,
  RuntimeError,
  syncWith,
} from "../src/index.js";
import { thrownBy } from "./support/throws.js";

/** Stand-ins for Python's exception classes that JavaScript lacks. */
class ZeroDivisionError extends Error {}
class RuntimeErrorSubclass extends RuntimeError {}
class StopIteration extends Error {}

describe("ContextManagerTestCase (cases 5–24)", () => {
  test("case 5 test_contextmanager_plain", () => {
    const state: unknown[] = [];
    const woohoo = contextManager(function* () {
      state.push(1);
      yield 42;
      state.push(999);
    });
    syncWith(woohoo(), (x) => {
      assert.deepEqual(state, [1]);
      assert.equal(x, 42);
      state.push(x);
    });
    assert.deepEqual(state, [1, 42, 999]);
  });

  test("case 6 test_contextmanager_finally", () => {
    const state: unknown[] = [];
    const woohoo = contextManager(function* () {
      state.push(1);
      try {
        yield 42;
      } finally {
        state.push(999);
      }
    });
    const error = new ZeroDivisionError();
    const raised = thrownBy(() =>
      syncWith(woohoo(), (x) => {
        assert.deepEqual(state, [1]);
        assert.equal(x, 42);
        state.push(x);
        throw error;
      }),
    );
    assert.equal(raised, error);
    assert.deepEqual(state, [1, 42, 999]);
  });

  test("case 7 test_contextmanager_traceback (identity kept; frames have no counterpart)", () => {
    const f = contextManager(function* () {
      yield;
    });
    for (const error of [new ZeroDivisionError(), new RuntimeErrorSubclass("42"), new StopIteration("spam")]) {
      const raised = thrownBy(() =>
        syncWith(f(), () => {
          throw error;
        }),
      );
      assert.equal(raised, error);
      assert.equal(hasErrorContext(raised), false);
    }
  });

  test("case 8 test_contextmanager_no_reraise", () => {
    const whee = contextManager(function* () {
      yield;
    });
    const ctx = whee();
    ctx.enter();
    // The error is not handled: exit says so and does not raise it itself.
    assert.equal(ctx.exit({ error: new TypeError("foo") }), false);
  });

  test("case 9 test_contextmanager_trap_yield_after_throw", () => {
    let finished = false;
    const whoo = contextManager(function* () {
      try {
        yield;
      } catch {
        yield;
      } finally {
        finished = true;
      }
    });
    const ctx = whoo();
    ctx.enter();
    const body = new TypeError("foo");
    const raised = thrownBy(() => ctx.exit({ error: body }));
    assert.ok(raised instanceof RuntimeError);
    assert.equal(raised.message, "generator didn't stop after throw()");
    // The error it replaced stays reachable, and the generator was closed.
    assert.equal(errorContext(raised), body);
    assert.equal(finished, true);
  });

  test("case 10 test_contextmanager_trap_no_yield", () => {
    const whoo = contextManager(function* () {
      if (Math.random() > 2) yield;
    });
    const ctx = whoo();
    const raised = thrownBy(() => ctx.enter());
    assert.ok(raised instanceof RuntimeError);
    assert.equal(raised.message, "generator didn't yield");
    assert.equal(hasErrorContext(raised), false);
  });

  test("case 11 test_contextmanager_trap_second_yield", () => {
    let finished = false;
    const whoo = contextManager(function* () {
      try {
        yield;
        yield;
      } finally {
        finished = true;
      }
    });
    const ctx = whoo();
    ctx.enter();
    const raised = thrownBy(() => ctx.exit());
    assert.ok(raised instanceof RuntimeError);
    assert.equal(raised.message, "generator didn't stop");
    assert.equal(finished, true);
  });

  test("case 12 test_contextmanager_non_normalised (adapted: a valueless error is `undefined`)", () => {
    const whoo = contextManager(function* () {
      try {
        yield;
      } catch (error) {
        assert.equal(error, undefined);
        throw new SyntaxError();
      }
    });
    const ctx = whoo();
    ctx.enter();
    assert.throws(() => ctx.exit({ error: undefined }), SyntaxError);
  });

  test("case 13 test_contextmanager_except", () => {
    const state: unknown[] = [];
    const woohoo = contextManager(function* () {
      state.push(1);
      try {
        yield 42;
      } catch (error) {
        assert.ok(error instanceof ZeroDivisionError);
        state.push(Number(error.message));
      }
    });
    const result = syncWith(woohoo(), (x) => {
      assert.deepEqual(state, [1]);
      assert.equal(x, 42);
      state.push(x);
      throw new ZeroDivisionError("999");
    });
    assert.equal(result, undefined);
    assert.deepEqual(state, [1, 42, 999]);
  });

  test("case 14 test_contextmanager_except_stopiter (adapted: JavaScript has no StopIteration)", () => {
    const woohoo = contextManager(function* () {
      yield;
    });
    class StopIterationSubclass extends StopIteration {}
    for (const stopExc of [new StopIteration("spam"), new StopIterationSubclass("spam")]) {
      const raised = thrownBy(() =>
        syncWith(woohoo(), () => {
          throw stopExc;
        }),
      );
      assert.equal(raised, stopExc);
    }
  });

  test("case 16 test_contextmanager_do_not_unchain_non_stopiteration_exceptions", () => {
    const testIssue29692 = contextManager(function* () {
      try {
        yield;
      } catch (error) {
        throw new RuntimeError("issue29692:Chained", { cause: error });
      }
    });
    const body = new ZeroDivisionError();
    const raised = thrownBy(() =>
      syncWith(testIssue29692(), () => {
        throw body;
      }),
    );
    assert.equal((raised as Error).constructor, RuntimeError);
    assert.equal((raised as Error).message, "issue29692:Chained");
    assert.equal((raised as Error).cause, body);
    assert.equal(errorContext(raised), body);
    // (b) The StopIteration half: with no PEP 479 there is nothing to unwrap, so a wrapper the
    // generator makes itself stays, whatever it wraps.
    const stop = new StopIteration("issue29692:Unchained");
    const wrapped = thrownBy(() =>
      syncWith(testIssue29692(), () => {
        throw stop;
      }),
    );
    assert.ok(wrapped instanceof RuntimeError);
    assert.equal(wrapped.cause, stop);
  });

  test("case 17 test_contextmanager_wrap_runtimeerror", () => {
    const woohoo = contextManager(function* () {
      try {
        yield;
      } catch (error) {
        throw new RuntimeError(`caught ${String(error)}`, { cause: error });
      }
    });
    assert.throws(
      () =>
        syncWith(woohoo(), () => {
          throw new ZeroDivisionError();
        }),
      RuntimeError,
    );
    // Python unwraps a wrapped StopIteration (it cannot tell it from PEP 479's wrapper); with no
    // PEP 479 in JavaScript the generator's own wrapper is kept.
    assert.throws(
      () =>
        syncWith(woohoo(), () => {
          throw new StopIteration();
        }),
      RuntimeError,
    );
  });

  test("case 18 test_contextmanager_attribs", () => {
    function attribs<F extends object>(props: Record<string, unknown>) {
      return (fn: F): F => Object.assign(fn, props);
    }
    const baz = contextManager(
      attribs<(spam: unknown) => Generator<unknown, void, undefined>>({ foo: "bar" })(function* baz(spam: unknown) {
        yield spam;
      }),
    );
    assert.equal(baz.name, "baz");
    assert.equal((baz as unknown as { foo: string }).foo, "bar");
  });

  test("case 21 test_keywords (adapted: positional arguments)", () => {
    // Python's point is that the names `self`, `func`, `args`, `kwds` do not clash with the
    // manager's own; positional arguments cannot clash at all.
    const woohoo = contextManager(function* (self: number, func: number, args: number, kwds: number) {
      yield [self, func, args, kwds] as const;
    });
    syncWith(woohoo(11, 22, 33, 44), (target) => {
      assert.deepEqual(target, [11, 22, 33, 44]);
    });
  });

  test("case 22 test_nokeepref (entering drops the arguments)", async () => {
    // Needs a forced collection: V8's `gc`, exposed for this test only.
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as () => void;
    class A {}
    const woohoo = contextManager(function* (a: A | undefined, b: A | undefined) {
      const refs = [new WeakRef(a as A), new WeakRef(b as A)];
      a = undefined;
      b = undefined;
      yield refs;
    });
    const manager = woohoo(new A(), new A());
    const refs = manager.enter();
    // WeakRef targets stay alive until the current job ends.
    await nextMacrotask();
    gc();
    assert.equal(refs[0]?.deref(), undefined);
    assert.equal(refs[1]?.deref(), undefined);
    assert.equal(manager.exit(), false);
  });

  test("case 23 test_param_errors (adapted: errors binding the parameters)", () => {
    let started = false;
    const woohoo = contextManager(function* ({ a }: { a: number }, b: number = required()) {
      started = true;
      yield [a, b];
    });
    function required(): never {
      throw new TypeError("missing argument 'b'");
    }
    // Binding fails when the factory is called, before any `with`: the generator never starts.
    assert.throws(() => (woohoo as (...args: unknown[]) => unknown)(), TypeError);
    assert.throws(() => woohoo({ a: 3 }), { name: "TypeError", message: "missing argument 'b'" });
    assert.equal(started, false);
  });

  test("case 24 test_recursive", () => {
    let depth = 0;
    let ncols = 0;
    const woohoo = contextManager(function* () {
      ncols += 1;
      const before = depth;
      depth += 1;
      yield;
      depth -= 1;
      assert.equal(depth, before);
    });
    const recursive: () => void = woohoo().decorate(() => {
      if (depth < 10) recursive();
    });
    recursive();
    assert.equal(ncols, 10);
    assert.equal(depth, 0);
  });
});

describe("rules 22–29", () => {
  test("rule 22: calling the factory creates the generator without running it", () => {
    const log: string[] = [];
    const cm = contextManager(function* () {
      log.push("started");
      yield;
    });
    const manager = cm();
    assert.ok(manager instanceof GeneratorContextManager);
    assert.equal(log.length, 0);
    syncWith(manager, () => log.push("body"));
    assert.deepEqual(log, ["started", "body"]);
  });

  test("rule 22: the factory passes its `this` to the generator function (method use)", () => {
    class Account {
      balance = 10;
      readonly hold = contextManager(function* (this: Account, amount: number) {
        this.balance -= amount;
        try {
          yield this.balance;
        } finally {
          this.balance += amount;
        }
      });
    }
    const account = new Account();
    const seen = syncWith(account.hold(3), (balance) => balance);
    assert.equal(seen, 7);
    assert.equal(account.balance, 10);
  });

  test("rule 24: an error before the yield propagates from enter and exit never runs", () => {
    const early = new Error("before yield");
    let exitRan = false;
    const cm = contextManager(function* () {
      try {
        throw early;
      } finally {
        exitRan = true;
      }
      yield;
    });
    let bodyRan = false;
    const raised = thrownBy(() =>
      syncWith(cm(), () => {
        bodyRan = true;
      }),
    );
    assert.equal(raised, early);
    assert.equal(bodyRan, false);
    assert.equal(exitRan, true);
  });

  test("rule 24: a second enter is a RuntimeError (single use)", () => {
    const cm = contextManager(function* () {
      yield 1;
    });
    const manager = cm();
    syncWith(manager, () => {});
    const raised = thrownBy(() => manager.enter());
    assert.ok(raised instanceof RuntimeError);
    assert.match(raised.message, /single-use/);
    assert.throws(() => syncWith(manager, () => {}), RuntimeError);
  });

  test("rule 24: after enter the manager can no longer be recreated for decorating", () => {
    const cm = contextManager(function* () {
      yield;
    });
    const manager = cm();
    syncWith(manager, () => {});
    const decorated = manager.decorate(() => 1);
    assert.throws(() => decorated(), RuntimeError);
  });

  test("rule 25: exit on a manager never entered starts the generator: didn't stop", () => {
    const cm = contextManager(function* () {
      yield;
    });
    assert.throws(() => cm().exit(), { name: "RuntimeError", message: "generator didn't stop" });
  });

  test("rule 25: an error after the yield propagates from exit", () => {
    const late = new Error("after yield");
    const cm = contextManager(function* () {
      yield;
      throw late;
    });
    assert.equal(
      thrownBy(() => syncWith(cm(), () => {})),
      late,
    );
  });

  test("rule 25: the generator's return value is ignored", () => {
    const cm = contextManager(function* () {
      yield "v";
      return true;
    });
    assert.equal(
      syncWith(cm(), (v) => `${v}!`),
      "v!",
    );
  });

  test("rule 26c: a generator that catches the error and finishes suppresses it", () => {
    const cm = contextManager(function* () {
      try {
        yield;
      } catch {
        // handled
      }
    });
    const manager = cm();
    manager.enter();
    assert.equal(manager.exit({ error: new Error("x") }), true);
  });

  test("rule 26e: a new error replaces the thrown one, which becomes its context", () => {
    const body = new Error("body");
    const replacement = new Error("replacement");
    const cm = contextManager(function* () {
      try {
        yield;
      } catch {
        throw replacement;
      }
    });
    const raised = thrownBy(() =>
      syncWith(cm(), () => {
        throw body;
      }),
    );
    assert.equal(raised, replacement);
    assert.equal(errorContext(replacement), body);
  });

  test("rule 26g: a generator re-raising the same error: exit returns false, same object, no self-context", () => {
    const body = new RuntimeError("please no infinite loop.");
    let reraised = 0;
    const cm = contextManager(function* () {
      try {
        yield;
      } catch (error) {
        reraised += 1;
        throw error;
      }
    });
    const manager = cm();
    manager.enter();
    assert.equal(manager.exit({ error: body }), false);
    assert.equal(
      thrownBy(() =>
        syncWith(cm(), () => {
          throw body;
        }),
      ),
      body,
    );
    assert.equal(hasErrorContext(body), false);
    assert.equal(reraised, 2);
  });

  test("rule 26: exit twice after completion does not suppress (the generator is finished)", () => {
    const cm = contextManager(function* () {
      yield;
    });
    const manager = cm();
    manager.enter();
    assert.equal(manager.exit(), false);
    assert.equal(manager.exit(), false);
    assert.equal(manager.exit({ error: new Error("late") }), false);
  });

  test("a factory's function must be a generator function", () => {
    const notGenerator = contextManager((() => 5) as unknown as () => Generator<number, void, undefined>);
    assert.throws(() => notGenerator(), { name: "TypeError", message: /must be a generator function/ });
    assert.throws(() => contextManager(5 as never), TypeError);
  });
});

describe("regressions", () => {
  test("throw undefined in the block reaches the generator as undefined, and propagates as it", () => {
    const seen: unknown[] = [];
    const cm = contextManager(function* () {
      try {
        yield;
      } catch (error) {
        seen.push(error);
        throw error;
      }
    });
    const raised = thrownBy(() =>
      syncWith(cm(), () => {
        throw undefined;
      }),
    );
    assert.equal(raised, undefined);
    assert.deepEqual(seen, [undefined]);
  });

  test("throw null in the block is an error the generator can catch and suppress", () => {
    let caught: unknown = "nothing";
    const cm = contextManager(function* () {
      try {
        yield;
      } catch (error) {
        caught = error;
      }
    });
    assert.equal(
      syncWith(cm(), () => {
        throw null;
      }),
      undefined,
    );
    assert.equal(caught, null);
  });

  test("throw undefined not caught by the generator is not suppressed", () => {
    const cm = contextManager(function* () {
      yield;
    });
    const manager = cm();
    manager.enter();
    assert.equal(manager.exit({ error: undefined }), false);
  });

  test("a generator returning from `finally` suppresses the error", () => {
    const cm = contextManager(function* () {
      try {
        yield;
      } finally {
        // biome-ignore lint/correctness/noUnsafeFinally: the behaviour under test
        return;
      }
    });
    assert.equal(
      syncWith(cm(), () => {
        throw new Error("swallowed");
      }),
      undefined,
    );
  });

  test("an error from return() while closing after didn't stop replaces it, with it as context", () => {
    const closeError = new Error("close failed");
    const cm = contextManager(function* () {
      try {
        yield;
        yield;
      } finally {
        // biome-ignore lint/correctness/noUnsafeFinally: the behaviour under test
        throw closeError;
      }
    });
    const raised = thrownBy(() => syncWith(cm(), () => {}));
    assert.equal(raised, closeError);
    const stuck = errorContext(closeError);
    assert.ok(stuck instanceof RuntimeError);
    assert.equal(stuck.message, "generator didn't stop");
  });

  test("an error from return() after didn't stop after throw() keeps the whole chain", () => {
    const closeError = new Error("close failed");
    const body = new Error("body");
    const cm = contextManager(function* () {
      try {
        yield;
      } catch {
        yield;
      } finally {
        // biome-ignore lint/correctness/noUnsafeFinally: the behaviour under test
        throw closeError;
      }
    });
    const raised = thrownBy(() =>
      syncWith(cm(), () => {
        throw body;
      }),
    );
    assert.equal(raised, closeError);
    const stuck = errorContext(closeError);
    assert.ok(stuck instanceof RuntimeError);
    assert.equal(stuck.message, "generator didn't stop after throw()");
    assert.equal(errorContext(stuck), body);
  });

  test("a generator yielding again from `finally` while closed: generator ignored GeneratorExit", () => {
    const cm = contextManager(function* () {
      try {
        yield;
        yield;
      } finally {
        yield;
      }
    });
    const raised = thrownBy(() => syncWith(cm(), () => {}));
    assert.ok(raised instanceof RuntimeError);
    assert.equal(raised.message, "generator ignored GeneratorExit");
    assert.equal((errorContext(raised) as Error).message, "generator didn't stop");
  });

  test("a thrown primitive that comes back equal is not suppressed", () => {
    let reraised = 0;
    const cm = contextManager(function* () {
      try {
        yield;
      } catch (error) {
        reraised += 1;
        throw error;
      }
    });
    assert.equal(
      thrownBy(() =>
        syncWith(cm(), () => {
          throw 42;
        }),
      ),
      42,
    );
    assert.equal(reraised, 1);
    // NaN is not === itself, yet it is the same value coming back: exit reports "not handled".
    const manager = cm();
    manager.enter();
    assert.equal(manager.exit({ error: Number.NaN }), false);
    assert.equal(reraised, 2);
  });
});

describe("behaves like the Python algorithm for any generator (model-based)", () => {
  // What the generator does after its yield, with or without an error thrown in.
  type Reaction = "finish" | "rethrow" | "replace" | "yieldAgain";
  test("outcome, identity and context match the rule 25–26 model", () => {
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.constantFrom<Reaction>("finish", "rethrow", "replace", "yieldAgain"),
        fc.anything(),
        (bodyThrows, reaction, thrownValue) => {
          const replacement = new Error("replacement");
          const cm = contextManager(function* () {
            try {
              yield;
              if (reaction === "yieldAgain") yield;
              if (reaction === "replace") throw replacement;
            } catch (error) {
              if (reaction === "rethrow") throw error;
              if (reaction === "replace") throw replacement;
              if (reaction === "yieldAgain") yield;
            }
          });
          let outcome: { ok: true; value: unknown } | { ok: false; error: unknown };
          try {
            outcome = {
              ok: true,
              value: syncWith(cm(), () => {
                if (bodyThrows) throw thrownValue;
                return "done";
              }),
            };
          } catch (error) {
            outcome = { ok: false, error };
          }
          if (!bodyThrows) {
            if (reaction === "finish" || reaction === "rethrow") assert.deepEqual(outcome, { ok: true, value: "done" });
            else if (reaction === "replace") assert.deepEqual(outcome, { ok: false, error: replacement });
            else {
              assert.equal(outcome.ok, false);
              assert.equal((outcome as { error: Error }).error.message, "generator didn't stop");
            }
            return;
          }
          if (reaction === "finish") assert.deepEqual(outcome, { ok: true, value: undefined });
          else if (reaction === "rethrow") {
            assert.equal(outcome.ok, false);
            assert.ok(Object.is((outcome as { error: unknown }).error, thrownValue));
          } else if (reaction === "replace") {
            assert.equal(outcome.ok, false);
            assert.equal((outcome as { error: unknown }).error, replacement);
            if (thrownValue !== replacement) assert.ok(Object.is(errorContext(replacement), thrownValue));
          } else {
            const error = (outcome as { error: Error }).error;
            assert.equal(error.message, "generator didn't stop after throw()");
            assert.ok(Object.is(errorContext(error), thrownValue));
          }
        },
      ),
    );
  });
});

describe("types", () => {
  test("factories infer the yielded type, arguments and `this`", () => {
    const numbered = contextManager(function* (start: number, label?: string) {
      yield { start, label };
    });
    const manager: GeneratorContextManager<{ start: number; label: string | undefined }> = numbered(1, "a");
    // @ts-expect-error wrong argument type
    numbered("1");
    assert.throws(
      () =>
        // @ts-expect-error async generator functions belong to asyncContextManager
        contextManager(async function* () {
          yield 1;
        }),
      /use asyncContextManager/,
    );
    // @ts-expect-error a plain function is not a generator function
    contextManager(() => 1);
    const generic = contextManager(function* <U>(value: U) {
      yield value;
    });
    // A generator that re-raises is the default: the result is the body's, without `| undefined`.
    const text: string = syncWith(generic("s"), (value) => value);
    const strict: string = syncWith(generic("s"), (value) => value);
    // One that may catch the error without re-raising says so; then the result may be undefined.
    const mayIgnore = contextManager(
      function* <U>(value: U) {
        try {
          yield value;
        } catch {}
      },
      { suppresses: true },
    );
    const ignored = syncWith(mayIgnore("s"), () => {
      throw new Error("ignored");
    });
    // @ts-expect-error the result may be undefined
    const notStrict: string = ignored;
    assert.equal(notStrict, undefined);
    const needsThis = contextManager(function* (this: { k: number }) {
      yield this.k;
    });
    // @ts-expect-error the factory needs its `this`
    needsThis();
    assert.equal(text, "s");
    assert.ok(manager instanceof GeneratorContextManager && typeof strict === "string");
    // An async body compiles through syncWith's deprecated overload (its result cannot be used) and throws.
    assert.throws(() => syncWith(generic(1), async () => 1), TypeError);
  });
});
