// Tests of `ContextDecorator` / `AsyncContextDecorator` and of generator managers used as
// decorators: CPython's TestContextDecorator (cases 35–44 of CPython's Lib/test/test_contextlib*.py, listed in the CASES-*.md files here) ported to our
// API, Python's documented semantics rules 30–34, the TC39 method-decorator form, and regression
// tests. Case-by-case notes are in test/CASES-generator.md.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  AsyncContextDecorator,
  asyncContextManager,
  ContextDecorator,
  contextManager,
  type ExcInfo,
  GeneratorContextManager,
  syncWith,
} from "../src/index.js";
import { thrownBy } from "./support/throws.js";

class NameError extends Error {}

/** CPython's `mycontext`: records that it started and what exit received; `catch` suppresses. */
class MyContext extends ContextDecorator {
  started = false;
  /** exit's arguments: `[]` for "no error", `[{ error }]` otherwise; `undefined` before exit. */
  exc: [ExcInfo?] | undefined = undefined;
  catch = false;

  override enter(): this {
    this.started = true;
    return this;
  }

  override exit(...exc: [ExcInfo?]): boolean {
    this.exc = exc;
    return this.catch;
  }
}

describe("TestContextDecorator (cases 36–44)", () => {
  test("case 36 test_contextdecorator", () => {
    const context = new MyContext();
    syncWith(context, (result) => {
      assert.equal(result, context);
      assert.equal(context.started, true);
    });
    assert.deepEqual(context.exc, []);
  });

  test("case 37 test_contextdecorator_with_exception", () => {
    const context = new MyContext();
    assert.throws(
      () =>
        syncWith(context, () => {
          throw new NameError("foo");
        }),
      { message: "foo" },
    );
    assert.ok(context.exc?.[0]?.error instanceof NameError);

    const catching = new MyContext();
    catching.catch = true;
    assert.equal(
      syncWith(catching, () => {
        throw new NameError("foo");
      }),
      undefined,
    );
    assert.ok(catching.exc?.[0]?.error instanceof NameError);
  });

  test("case 38 test_decorator", () => {
    const context = new MyContext();
    const decorated = context.decorate(function test() {
      assert.equal(context.exc, undefined);
      assert.equal(context.started, true);
    });
    decorated();
    assert.deepEqual(context.exc, []);
  });

  test("case 39 test_decorator_with_exception", () => {
    const context = new MyContext();
    const decorated = context.decorate(function test() {
      assert.equal(context.exc, undefined);
      assert.equal(context.started, true);
      throw new NameError("foo");
    });
    assert.throws(decorated, { message: "foo" });
    assert.ok(context.exc?.[0]?.error instanceof NameError);
  });

  test("case 40 test_decorating_method (adapted: positional arguments; TC39 method decorator)", () => {
    const context = new MyContext();
    class Test {
      a: unknown;
      b: unknown;
      c: unknown;
      @context.decorate
      method(a: unknown, b: unknown, c: unknown = undefined): number | undefined {
        this.a = a;
        this.b = b;
        this.c = c;
        return 7;
      }
    }
    const instance = new Test();
    assert.equal(instance.method(1, 2), 7);
    assert.deepEqual([instance.a, instance.b, instance.c], [1, 2, undefined]);
    instance.method("a", "b", "c");
    assert.deepEqual([instance.a, instance.b, instance.c], ["a", "b", "c"]);
    assert.equal(context.started, true);
    assert.deepEqual(context.exc, []);
  });

  test("case 41 test_typo_enter", () => {
    // @ts-expect-error the typo is a compile error: `enter` is abstract
    class Typo extends ContextDecorator {
      unter() {}
      override exit() {}
    }
    assert.throws(() => syncWith(new Typo() as never, () => {}), { name: "TypeError", message: /the context manager/ });
  });

  test("case 42 test_typo_exit", () => {
    // @ts-expect-error the typo is a compile error: `exit` is abstract
    class Typo extends ContextDecorator {
      override enter() {}
      uxit() {}
    }
    assert.throws(() => syncWith(new Typo() as never, () => {}), {
      name: "TypeError",
      message: /the context manager.*exit/,
    });
  });

  test("case 43 test_contextdecorator_as_mixin (adapted: TypeScript's mixin pattern)", () => {
    class SomeContext {
      started = false;
      exc: [ExcInfo?] | undefined = undefined;
      enter(): this {
        this.started = true;
        return this;
      }
      exit(...exc: [ExcInfo?]): void {
        this.exc = exc;
      }
    }
    class MixedContext extends SomeContext {}
    for (const key of ["decorate", "recreate"]) {
      const descriptor = Object.getOwnPropertyDescriptor(ContextDecorator.prototype, key);
      assert.ok(descriptor);
      Object.defineProperty(MixedContext.prototype, key, descriptor);
    }
    const context = new MixedContext();
    const decorated = (context as unknown as ContextDecorator).decorate(function test() {
      assert.equal(context.exc, undefined);
      assert.equal(context.started, true);
    });
    decorated();
    assert.deepEqual(context.exc, []);
  });

  test("case 44 test_contextmanager_as_decorator", () => {
    const state: unknown[] = [];
    const woohoo = contextManager(function* (y: unknown) {
      state.push(y);
      yield;
      state.push(999);
    });
    const decorated = woohoo(1).decorate(function test(x: unknown) {
      assert.deepEqual([...state], [1]);
      state.push(x);
    });
    decorated("something");
    assert.deepEqual(state, [1, "something", 999]);
    state.length = 0;
    decorated("something else");
    assert.deepEqual(state, [1, "something else", 999]);
  });
});

describe("rules 30–32", () => {
  test("rule 30: a class-based decorator is reused, keeping its state between calls", () => {
    class Counting extends ContextDecorator {
      enters = 0;
      exits = 0;
      override enter() {
        this.enters += 1;
      }
      override exit() {
        this.exits += 1;
      }
    }
    const counting = new Counting();
    const decorated = counting.decorate((x: number) => x + 1);
    assert.equal(decorated(1), 2);
    assert.equal(decorated(2), 3);
    assert.deepEqual([counting.enters, counting.exits], [2, 2]);
  });

  test("rule 31: the wrapper keeps the function's name and returns undefined when exit suppresses", () => {
    const context = new MyContext();
    context.catch = true;
    const decorated = context.decorate(function risky(): number {
      throw new NameError("suppressed");
    });
    assert.equal(decorated.name, "risky");
    assert.equal(decorated(), undefined);
    assert.ok(context.exc?.[0]?.error instanceof NameError);
  });

  test("rule 31: a decorated function returning a promise fails loudly, through exit", () => {
    const context = new MyContext();
    const asyncFn = async () => 1;
    // A deprecated overload: the wrapper's result is typed AsyncBodyInSyncWith, unusable.
    const decorated = context.decorate(asyncFn);
    const typeOnly = (): number =>
      // @ts-expect-error syncWith body returns a promise: use asyncWith for an asynchronous body
      decorated();
    void typeOnly;
    const raised = thrownBy(() => decorated());
    assert.ok(raised instanceof TypeError);
    assert.match(raised.message, /asyncWith/);
    assert.equal(context.exc?.[0]?.error, raised);
  });

  test("rule 32: an async decorator wraps a function in asyncWith", async () => {
    const log: string[] = [];
    class Traced extends AsyncContextDecorator {
      override async aenter() {
        log.push("enter");
      }
      override async aexit(exc?: ExcInfo) {
        log.push(exc ? `exit ${String((exc.error as Error).message)}` : "exit");
        return exc !== undefined && (exc.error as Error).message === "ignore";
      }
    }
    const traced = new Traced();
    const decorated = traced.decorate(async function work(this: { n: number }, message: string) {
      log.push(`work ${this.n}`);
      if (message !== "ok") throw new Error(message);
      return this.n;
    });
    assert.equal(decorated.name, "work");
    const holder = { n: 5, decorated };
    assert.equal(await holder.decorated("ok"), 5);
    assert.equal(await holder.decorated("ignore"), undefined);
    await assert.rejects(holder.decorated("fail"), { message: "fail" });
    assert.deepEqual(log, [
      "enter",
      "work 5",
      "exit",
      "enter",
      "work 5",
      "exit ignore",
      "enter",
      "work 5",
      "exit fail",
    ]);
  });

  test("rule 32: a recreate() that fails rejects the call instead of throwing", async () => {
    const failure = new Error("cannot recreate");
    class Failing extends AsyncContextDecorator {
      override aenter() {}
      override aexit() {}
      protected override recreate(): never {
        throw failure;
      }
    }
    const decorated = new Failing().decorate(async () => 1);
    const pending = decorated();
    assert.ok(pending instanceof Promise);
    await assert.rejects(pending, (error) => error === failure);
  });
});

describe("regressions", () => {
  test("a decorated method keeps `this` (function form)", () => {
    const context = new MyContext();
    class Counter {
      count = 0;
      readonly bump = context.decorate(function (this: Counter, by: number) {
        this.count += by;
        return this.count;
      });
    }
    const counter = new Counter();
    assert.equal(counter.bump(2), 2);
    assert.equal(counter.bump(3), 5);
  });

  test("`@manager.decorate` keeps `this` and the manager, even where the compiler drops the receiver", async () => {
    const log: string[] = [];
    const traced = contextManager(function* (label: string) {
      log.push(`enter ${label}`);
      yield;
      log.push(`exit ${label}`);
    });
    const tracedAsync = asyncContextManager(async function* (label: string) {
      log.push(`aenter ${label}`);
      yield;
      log.push(`aexit ${label}`);
    });
    class Service {
      name = "svc";
      @(traced("sync").decorate)
      greet(who: string): string | undefined {
        return `${this.name} greets ${who}`;
      }
      @(tracedAsync("async").decorate)
      async fetch(id: number): Promise<string | undefined> {
        return `${this.name} fetched ${id}`;
      }
    }
    const service = new Service();
    assert.equal(service.greet("you"), "svc greets you");
    assert.equal(await service.fetch(7), "svc fetched 7");
    assert.equal(Service.prototype.greet.name, "greet");
    assert.deepEqual(log, ["enter sync", "exit sync", "aenter async", "aexit async"]);
  });

  test("`decorate` is one bound function per manager", () => {
    const context = new MyContext();
    const { decorate } = context;
    assert.equal(context.decorate, decorate);
    decorate(() => {})();
    assert.equal(context.started, true);
  });

  test("recursion through a reused class-based decorator enters it at every depth", () => {
    class Depth extends ContextDecorator {
      depth = 0;
      deepest = 0;
      override enter() {
        this.depth += 1;
        this.deepest = Math.max(this.deepest, this.depth);
      }
      override exit() {
        this.depth -= 1;
      }
    }
    const manager = new Depth();
    const countdown: (n: number) => number = manager.decorate((n: number): number =>
      n === 0 ? 0 : 1 + countdown(n - 1),
    );
    assert.equal(countdown(5), 5);
    assert.equal(manager.deepest, 6);
    assert.equal(manager.depth, 0);
  });

  test("recursion through a generator manager gets a fresh manager per call", () => {
    const open: number[] = [];
    let created = 0;
    const frame = contextManager(function* () {
      const id = created++;
      open.push(id);
      try {
        yield id;
      } finally {
        assert.equal(open.pop(), id);
      }
    });
    const walk: (n: number) => number[] | undefined = frame().decorate((n: number): number[] | undefined =>
      n === 0 ? [...open] : walk(n - 1),
    );
    assert.deepEqual(walk(3), [0, 1, 2, 3]);
    assert.equal(open.length, 0);
    assert.equal(created, 4);
  });

  test("a subclass of GeneratorContextManager recreates instances of itself (Python's self.__class__)", () => {
    const entered: Recording<unknown>[] = [];
    class Recording<T> extends GeneratorContextManager<T> {
      override enter(): T {
        entered.push(this);
        return super.enter();
      }
    }
    function* twice(n: number) {
      yield n * 2;
    }
    const manager = new Recording(twice, undefined, [4]);
    const decorated = manager.decorate(() => "ran");
    assert.equal(decorated(), "ran");
    assert.equal(decorated(), "ran");
    assert.equal(entered.length, 2);
    assert.ok(entered.every((each) => each instanceof Recording && each !== manager));
    assert.equal(
      syncWith(manager, (value) => value),
      8,
    );
  });

  test("decorate rejects what it cannot decorate", () => {
    const context = new MyContext();
    assert.throws(() => context.decorate(5 as never), TypeError);
    // A stray second argument (an index from Array.prototype.map) is not a decorator context.
    assert.throws(() => [() => 1].map(context.decorate as never), TypeError);
  });
});

describe("types", () => {
  test("the result gains `| undefined` only when exit may suppress", () => {
    class NeverSuppresses extends ContextDecorator {
      override enter() {}
      override exit(): void {}
    }
    const plain = new NeverSuppresses().decorate((x: number) => x * 2);
    const exact: number = plain(2);
    const context = new MyContext();
    const maybe = context.decorate((x: number) => x * 2);
    // @ts-expect-error MyContext's exit may return true: the call may give undefined
    const notExact: number = maybe(2);
    // @ts-expect-error the wrapper keeps the parameter types
    plain("2");
    assert.equal(exact + (notExact ?? 0), 8);

    class Suppressing {
      // @ts-expect-error a method decorated by a suppressing manager must admit `undefined`
      @context.decorate
      compute(): number {
        return 1;
      }
    }
    assert.equal(new Suppressing().compute(), 1);
  });
});
