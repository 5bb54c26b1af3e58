// ExitStack / AsyncExitStack as ECMA-262 DisposableStack / AsyncDisposableStack: one test per
// numbered rule of ecma-disposable-stacks.md (A–J), each naming the test262 files it ports.
// Our classes stand in for the built-ins (DS = ExitStack, ADS = AsyncExitStack); the tests of
// constructor names, toStringTag values and cross-realm prototypes are exempt.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { AsyncExitStack, asyncDisposeSymbol, disposeSymbol, ExitStack, SuppressedError } from "../src/index.js";

const DS = ExitStack;
const ADS = AsyncExitStack;
type AnyFn = (...args: unknown[]) => unknown;
/** The TC39 registration methods, typed loosely to call them with wrong arguments on either stack. */
type Loose = {
  use(value: unknown): unknown;
  adopt(value: unknown, fn: unknown): unknown;
  defer(fn: unknown): unknown;
  move(): unknown;
};

function isConstructor(fn: unknown): boolean {
  try {
    Reflect.construct(String, [], fn as AnyFn);
    return true;
  } catch {
    return false;
  }
}

/** Runs `n` microtask turns, logging `t1`…`tn` into `log`. */
function ticks(log: string[], n: number): void {
  let p = Promise.resolve();
  for (let i = 1; i <= n; i++) p = p.then(() => void log.push(`t${i}`));
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

const dsMethods = ["use", "adopt", "defer", "move", "dispose"] as const;
const adsMethods = ["use", "adopt", "defer", "move", "disposeAsync"] as const;

describe("A. construction and state", () => {
  test("rule 1: no arguments, length 0, TypeError without new (test262 is-a-constructor.js, constructor.js)", () => {
    for (const Stack of [DS, ADS]) {
      assert.equal(Stack.length, 0);
      assert.ok(isConstructor(Stack));
      assert.throws(() => (Stack as unknown as AnyFn)(), TypeError);
      assert.equal(Stack.prototype.constructor, Stack);
    }
  });

  test("rule 2: subclassing works; prototype from NewTarget", () => {
    class Sub extends DS {}
    class ASub extends ADS {}
    const s = new Sub();
    const a = new ASub();
    assert.equal(Object.getPrototypeOf(s), Sub.prototype);
    assert.equal(Object.getPrototypeOf(a), ASub.prototype);
    s.defer(() => {});
    s.dispose();
    assert.equal(s.disposed, true);
  });

  test("rule 3: each instance starts pending and empty; the two kinds are not each other's receivers (test262 this-does-not-have-internal-*)", async () => {
    const s = new DS();
    const a = new ADS();
    assert.equal(s.disposed, false);
    assert.equal(a.disposed, false);
    for (const m of ["use", "adopt", "defer", "move"] as const) {
      assert.throws(
        () =>
          (ADS.prototype[m] as unknown as AnyFn).call(
            s,
            () => {},
            () => {},
          ),
        TypeError,
        `ADS ${m} on a DS`,
      );
      assert.throws(
        () =>
          (DS.prototype[m] as unknown as AnyFn).call(
            a,
            () => {},
            () => {},
          ),
        TypeError,
        `DS ${m} on an ADS`,
      );
    }
    assert.throws(() => DS.prototype.dispose.call(a as never), TypeError);
    await assert.rejects(ADS.prototype.disposeAsync.call(s as never), TypeError);
  });

  test("rule 4: only two states; disposed never goes back to pending", async () => {
    const s = new DS();
    s.dispose();
    s.dispose();
    assert.equal(s.disposed, true);
    const a = new ADS();
    await a.disposeAsync();
    await a.disposeAsync();
    assert.equal(a.disposed, true);
    const m = new DS();
    m.move();
    assert.equal(m.disposed, true);
  });
});

describe("B. receiver checks and error kinds", () => {
  const badReceivers: unknown[] = [
    undefined,
    null,
    true,
    1,
    "s",
    Symbol(),
    1n,
    {},
    DS.prototype,
    DS,
    ADS.prototype,
    ADS,
  ];

  test("rule 5: every method and the getter throw TypeError for a wrong receiver; disposeAsync rejects instead (test262 this-not-object-throw.js)", async () => {
    const getter = (Stack: typeof DS | typeof ADS) =>
      Object.getOwnPropertyDescriptor(Stack.prototype, "disposed")?.get as AnyFn;
    for (const receiver of badReceivers) {
      for (const m of dsMethods) {
        assert.throws(
          () =>
            (DS.prototype[m] as unknown as AnyFn).call(
              receiver,
              () => {},
              () => {},
            ),
          TypeError,
        );
      }
      assert.throws(() => getter(DS).call(receiver), TypeError);
      for (const m of ["use", "adopt", "defer", "move"] as const) {
        assert.throws(
          () =>
            (ADS.prototype[m] as unknown as AnyFn).call(
              receiver,
              () => {},
              () => {},
            ),
          TypeError,
        );
      }
      assert.throws(() => getter(ADS).call(receiver), TypeError);
      if (receiver === ADS.prototype) continue; // checked below: same TypeError, as a rejection
      let result: unknown;
      assert.doesNotThrow(() => {
        result = ADS.prototype.disposeAsync.call(receiver as never);
      });
      assert.ok(result instanceof Promise);
      await assert.rejects(result as Promise<void>, TypeError);
    }
    await assert.rejects(ADS.prototype.disposeAsync.call(ADS.prototype), TypeError);
  });

  test("rule 6: on a disposed stack use/adopt/defer/move throw ReferenceError before any argument check (test262 throws-if-disposed.js, *-on-disposed-stack.js)", async () => {
    const s = new DS();
    s.dispose();
    const a = new ADS();
    await a.disposeAsync();
    for (const stack of [s, a] as unknown as Loose[]) {
      assert.throws(() => stack.use(1 as never), ReferenceError);
      assert.throws(() => stack.use({} as never), ReferenceError);
      assert.throws(() => stack.use(null), ReferenceError);
      assert.throws(() => stack.adopt(undefined, 1 as never), ReferenceError);
      assert.throws(() => stack.defer(1 as never), ReferenceError);
      assert.throws(() => stack.move(), ReferenceError);
    }
  });

  test("rule 7: argument checks are TypeErrors; a non-callable method is not skipped (test262 throws-if-onDispose-not-callable.js, throws-if-value-*-not-callable.js)", () => {
    for (const stack of [new DS(), new ADS()] as unknown as Loose[]) {
      for (const bad of [undefined, null, 1, "f", {}, Symbol()]) {
        assert.throws(() => stack.adopt(1, bad as never), TypeError);
        assert.throws(() => stack.defer(bad as never), TypeError);
      }
      for (const bad of [true, 1, "s", Symbol(), 1n]) assert.throws(() => stack.use(bad as never), TypeError);
      assert.throws(() => stack.use({} as never), TypeError, "no usable method");
    }
    assert.throws(() => new DS().use({ [disposeSymbol]: 1 } as never), TypeError);
    // ADS: a present but non-callable Symbol.asyncDispose is an error, with no fallback to Symbol.dispose.
    assert.throws(() => new ADS().use({ [asyncDisposeSymbol]: 1, [disposeSymbol]() {} } as never), TypeError);
    assert.throws(() => new ADS().use({ [disposeSymbol]: 1 } as never), TypeError);
  });

  test("rule 8: dispose()/disposeAsync() on a disposed stack is not an error (test262 does-not-reject-if-already-disposed.js, does-not-reinvoke-disposers-if-already-disposed.js)", async () => {
    let calls = 0;
    const s = new DS();
    s.defer(() => void calls++);
    assert.equal(s.dispose(), undefined);
    assert.equal(s.dispose(), undefined);
    const a = new ADS();
    a.defer(() => void calls++);
    assert.equal(await a.disposeAsync(), undefined);
    assert.equal(await a.disposeAsync(), undefined);
    assert.equal(calls, 2);
  });

  test("rule 9: disposed is true synchronously after disposeAsync() and after move() (test262 disposed/getter.js, sets-state-to-disposed.js)", async () => {
    const a = new ADS();
    a.defer(async () => {});
    const pending = a.disposeAsync();
    assert.equal(a.disposed, true);
    await pending;
    const b = new ADS();
    b.move();
    assert.equal(b.disposed, true);
    const s = new DS();
    assert.equal(s.disposed, false);
    s.move();
    assert.equal(s.disposed, true);
  });
});

describe("C. use(value)", () => {
  test("rule 10: returns the value unchanged, null and undefined included (test262 returns-value.js)", () => {
    const d = { [disposeSymbol]() {} };
    const ad = { async [asyncDisposeSymbol]() {} };
    const s = new DS();
    assert.equal(s.use(d), d);
    assert.equal(s.use(null), null);
    assert.equal(s.use(undefined), undefined);
    const a = new ADS();
    assert.equal(a.use(ad), ad);
    assert.equal(a.use(d), d);
    assert.equal(a.use(null), null);
    assert.equal(a.use(undefined), undefined);
    s.dispose();
  });

  test("rule 11: DS records nothing for null/undefined; ADS records an entry that forces one await (test262 allows-null-value.js, allows-undefined-value.js)", async () => {
    const s = new DS();
    s.use(null);
    s.use(undefined);
    s.dispose();
    const log: string[] = [];
    const a = new ADS();
    a.use(null);
    void a.disposeAsync().then(() => void log.push("disposed"));
    ticks(log, 2);
    await settle();
    assert.deepEqual(log, ["t1", "disposed", "t2"]);
  });

  test("rule 12: other primitives throw TypeError; functions are objects and allowed", () => {
    const fn = Object.assign(() => {}, { [disposeSymbol]() {} });
    const s = new DS();
    assert.equal(s.use(fn), fn);
    for (const bad of [false, 0, "", Symbol(), 0n]) assert.throws(() => s.use(bad as never), TypeError);
    s.dispose();
  });

  test("rule 13: the method is read once, at use(), and called later even if the property changed (test262 gets-value-Symbol.dispose-property-once.js, gets-value-Symbol.asyncDispose-property-once.js, Symbol.*-getter.js)", async () => {
    let reads = 0;
    const log: string[] = [];
    const resource = {
      get [disposeSymbol]() {
        reads++;
        return () => void log.push("original");
      },
    };
    const s = new DS();
    s.use(resource);
    Object.defineProperty(resource, disposeSymbol, { value: () => log.push("replaced") });
    s.dispose();
    assert.equal(reads, 1);
    assert.deepEqual(log, ["original"]);

    let areads = 0;
    const aresource = {
      get [asyncDisposeSymbol]() {
        areads++;
        return async () => void log.push("async original");
      },
    };
    const a = new ADS();
    a.use(aresource);
    await a.disposeAsync();
    assert.equal(areads, 1);
    assert.deepEqual(log, ["original", "async original"]);

    const failure = new Error("getter");
    const throwing = {
      get [disposeSymbol](): never {
        throw failure;
      },
    };
    assert.throws(
      () => new DS().use(throwing),
      (e) => e === failure,
    );
  });

  test("rule 14: DS reads Symbol.dispose only", () => {
    assert.throws(() => new DS().use({ async [asyncDisposeSymbol]() {} } as never), TypeError);
  });

  test("rule 15: ADS reads Symbol.asyncDispose, then Symbol.dispose only if that is nullish (test262 gets-value-Symbol.dispose-property-after-trying-Symbol.asyncDispose.js, throws-if-value-Symbol.asyncDispose-property-is-null.js, throws-if-value-missing-Symbol.asyncDispose-and-Symbol.dispose.js)", async () => {
    const order: string[] = [];
    new ADS().use({
      get [asyncDisposeSymbol]() {
        order.push("Symbol.asyncDispose");
        return undefined;
      },
      get [disposeSymbol]() {
        order.push("Symbol.dispose");
        return () => {};
      },
    });
    assert.deepEqual(order, ["Symbol.asyncDispose", "Symbol.dispose"]);
    order.length = 0;
    new ADS().use({
      get [asyncDisposeSymbol]() {
        order.push("Symbol.asyncDispose");
        return async () => {};
      },
      get [disposeSymbol]() {
        order.push("Symbol.dispose");
        return () => {};
      },
    });
    assert.deepEqual(order, ["Symbol.asyncDispose"]);
    assert.throws(() => new ADS().use({ [asyncDisposeSymbol]: null, [disposeSymbol]: undefined } as never), TypeError);
    assert.throws(() => new ADS().use({} as never), TypeError);
  });

  test("rule 16: a sync Symbol.dispose in an ADS: this = value, no arguments, result ignored, a throw becomes a rejection, one await (test262 adds-sync-disposable-value.js)", async () => {
    const calls: unknown[][] = [];
    const value = {
      [disposeSymbol](...args: unknown[]) {
        calls.push([this, args.length]);
        const returned = Promise.reject(new Error("a returned promise is not awaited"));
        returned.catch(() => {}); // the stack ignores it; keep the run free of unhandled rejections
        return returned;
      },
    };
    const a = new ADS();
    a.use(value as Disposable);
    assert.equal(await a.disposeAsync(), undefined, "the returned rejection is ignored");
    assert.deepEqual(calls, [[value, 0]]);

    // A synchronous throw: rejected only after one await (t1 runs first).
    const log: string[] = [];
    const b = new ADS();
    b.use({
      [disposeSymbol]() {
        throw new Error("sync throw");
      },
    });
    void b.disposeAsync().catch(() => void log.push("rejected"));
    ticks(log, 3);
    await settle();
    assert.deepEqual(log, ["t1", "rejected", "t2", "t3"]);
  });

  test("rule 17: a use()d method is called with this = value and no arguments (test262 adds-value.js, adds-async-disposable-value.js)", async () => {
    const calls: unknown[][] = [];
    const d = {
      [disposeSymbol](...args: unknown[]) {
        calls.push([this, args.length]);
      },
    };
    const ad = {
      async [asyncDisposeSymbol](...args: unknown[]) {
        calls.push([this, args.length]);
      },
    };
    const s = new DS();
    s.use(d);
    s.dispose();
    const a = new ADS();
    a.use(ad);
    await a.disposeAsync();
    assert.deepEqual(calls, [
      [d, 0],
      [ad, 0],
    ]);
  });
});

describe("D. adopt and defer", () => {
  test("rule 18: adopt accepts any value, returns it, calls onDispose(value) with this undefined and one argument (test262 allows-any-value.js, adds-value-onDispose.js, adds-value-onDisposeAsync.js)", async () => {
    const values = [undefined, null, 0, "s", Symbol(), 1n, {}, () => {}];
    const calls: unknown[][] = [];
    function onDispose(this: unknown, ...args: unknown[]) {
      calls.push([this, ...args]);
    }
    const s = new DS();
    const a = new ADS();
    for (const v of values) {
      assert.equal(s.adopt(v, onDispose), v);
      assert.equal(a.adopt(v, onDispose), v);
    }
    s.dispose();
    await a.disposeAsync();
    const expected = [...values].reverse().map((v) => [undefined, v]);
    assert.deepEqual(calls, [...expected, ...expected]);
  });

  test("rule 19: defer returns undefined and calls onDispose() with this undefined and no arguments (test262 returns-undefined.js, adds-onDispose.js, adds-onDisposeAsync.js)", async () => {
    const calls: unknown[][] = [];
    function onDispose(this: unknown, ...args: unknown[]) {
      calls.push([this, args.length]);
    }
    const s = new DS();
    assert.equal(s.defer(onDispose), undefined);
    s.dispose();
    const a = new ADS();
    assert.equal(a.defer(onDispose), undefined);
    await a.disposeAsync();
    assert.deepEqual(calls, [
      [undefined, 0],
      [undefined, 0],
    ]);
  });

  test("rule 20: in an ADS the results of adopt/defer callbacks are awaited", async () => {
    const log: string[] = [];
    const a = new ADS();
    a.defer(() => void log.push("outer"));
    a.adopt("x", async () => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      log.push("adopted, after a timer");
    });
    await a.disposeAsync();
    assert.deepEqual(log, ["adopted, after a timer", "outer"]);
  });
});

describe("E. move()", () => {
  test("rule 21: move makes a base-class stack even for a subclass (test262 still-returns-new-*-when-subclassed.js, move-not-same-objects.js)", () => {
    class Sub extends DS {}
    class ASub extends ADS {}
    const moved = new Sub().move();
    assert.equal(Object.getPrototypeOf(moved), DS.prototype);
    const amoved = new ASub().move();
    assert.equal(Object.getPrototypeOf(amoved), ADS.prototype);
    const s = new DS();
    assert.notEqual(s.move(), s);
  });

  test("rule 22: the new stack owns the entries in the same order; the old one is empty and disposed; nothing runs (test262 returns-new-asyncdisposablestack-that-contains-moved-resources.js, move.js)", async () => {
    const disposed: number[] = [];
    const s1 = new DS();
    s1.defer(() => void disposed.push(1));
    s1.defer(() => void disposed.push(2));
    const s2 = s1.move();
    assert.deepEqual(disposed, []);
    assert.equal(s2.disposed, false);
    s1.dispose();
    assert.deepEqual(disposed, []);
    assert.throws(() => s1.defer(() => {}), ReferenceError);
    s2.dispose();
    assert.deepEqual(disposed, [2, 1]);

    const asyncDisposed: number[] = [];
    const a1 = new ADS();
    a1.defer(async () => void asyncDisposed.push(1));
    a1.defer(() => void asyncDisposed.push(2));
    const a2 = a1.move();
    const was = [...asyncDisposed];
    await a1.disposeAsync();
    await a2.disposeAsync();
    assert.deepEqual(was, []);
    assert.deepEqual(asyncDisposed, [2, 1]);
  });
});

describe("F. dispose() (DS)", () => {
  test("rule 23: the state is disposed before any disposer runs", () => {
    const s = new DS();
    let seen: boolean | undefined;
    s.defer(() => {
      seen = s.disposed;
    });
    s.dispose();
    assert.equal(seen, true);
  });

  test("rule 24: re-entrant dispose returns undefined; use/adopt/defer/move from a disposer are that disposer's ReferenceError", () => {
    const s = new DS();
    const results: unknown[] = [];
    s.defer(() => {
      results.push(s.dispose());
      s.defer(() => {});
    });
    assert.throws(() => s.dispose(), ReferenceError);
    assert.deepEqual(results, [undefined]);
  });

  test("rule 25: LIFO across use, adopt and defer (test262 disposes-resources-in-reverse-order.js, puts-*-on-top-of-stack.js)", async () => {
    const log: string[] = [];
    const s = new DS();
    s.use({ [disposeSymbol]: () => void log.push("use 1") });
    s.adopt(2, (n) => void log.push(`adopt ${n}`));
    s.defer(() => void log.push("defer 3"));
    s.use({ [disposeSymbol]: () => void log.push("use 4") });
    s.dispose();
    assert.deepEqual(log, ["use 4", "defer 3", "adopt 2", "use 1"]);
    log.length = 0;
    const a = new ADS();
    a.use({ [asyncDisposeSymbol]: async () => void log.push("use 1") });
    a.adopt(2, async (n) => void log.push(`adopt ${n}`));
    a.defer(() => void log.push("defer 3"));
    a.use({ [disposeSymbol]: () => void log.push("use 4") });
    await a.disposeAsync();
    assert.deepEqual(log, ["use 4", "defer 3", "adopt 2", "use 1"]);
  });

  test("rule 26: every disposer runs even after failures; return values are ignored", () => {
    const log: number[] = [];
    const s = new DS();
    s.defer(() => void log.push(1));
    s.defer(() => {
      throw new Error("2");
    });
    s.defer((() => 42) as () => void);
    s.defer(() => void log.push(4));
    assert.throws(() => s.dispose(), /2/);
    assert.deepEqual(log, [4, 1]);
  });

  test("rule 27: returns undefined when nothing threw, throws otherwise; the list is emptied (test262 throws-error-as-is-if-only-one-error-during-disposal.js)", () => {
    const s = new DS();
    s.defer(() => {});
    assert.equal(s.dispose(), undefined);
    const only = new Error("only");
    const t = new DS();
    t.defer(() => {});
    t.defer(() => {
      throw only;
    });
    assert.throws(
      () => t.dispose(),
      (e) => e === only,
    );
  });

  test("rule 28: [Symbol.dispose] is the same function object as dispose (test262 Symbol.dispose.js)", () => {
    assert.equal(DS.prototype[disposeSymbol], DS.prototype.dispose);
    const d = Object.getOwnPropertyDescriptor(DS.prototype, disposeSymbol);
    assert.deepEqual(
      { ...d, value: undefined },
      { value: undefined, writable: true, enumerable: false, configurable: true },
    );
  });
});

describe("G. disposeAsync() (ADS): promise and microtask rules", () => {
  test("rule 29: a promise always; already disposed resolves at once without waiting for a running disposal; the top disposer runs inside the call; sync throws cost no tick (test262 returns-promise.js)", async () => {
    const log: string[] = [];
    const a = new ADS();
    a.defer(async () => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      log.push("slow disposer done");
    });
    const p1 = a.disposeAsync().then(() => void log.push("p1 resolved"));
    const p2 = a.disposeAsync().then(() => void log.push("p2 resolved"));
    assert.ok(p1 instanceof Promise);
    await Promise.all([p1, p2]);
    assert.deepEqual(log, ["p2 resolved", "slow disposer done", "p1 resolved"]);

    log.length = 0;
    const b = new ADS();
    b.defer(async () => void log.push("d1"));
    b.defer(() => {
      log.push("d2-throws-sync");
      throw new Error("d2");
    });
    b.defer(async () => void log.push("d3"));
    const p = b.disposeAsync();
    log.push("returned");
    ticks(log, 3);
    await p.catch(() => {});
    // d3's await is queued before t1; d2 throws synchronously, so d1 runs in that same job.
    assert.deepEqual(log.slice(0, 5), ["d3", "returned", "d2-throws-sync", "d1", "t1"]);
  });

  test("rule 30: resolves to undefined whatever the disposers returned (test262 resolves-to-undefined.js)", async () => {
    const a = new ADS();
    a.defer((async () => 42) as unknown as () => Promise<void>);
    a.use({ [asyncDisposeSymbol]: async () => "x" } as never);
    assert.equal(await a.disposeAsync(), undefined);
  });

  test("rule 31: nullish entries: one await if nothing else awaited, none for an empty stack (test262 explicit-await-for-null.js, explicit-await-for-undefined.js, explicit-await-skipped-when-empty.js)", async () => {
    const run = async (setup: (a: AsyncExitStack) => void) => {
      const log: string[] = [];
      const a = new ADS();
      setup(a);
      void a.disposeAsync().then(() => void log.push("dispose"));
      ticks(log, 3);
      await settle();
      return log.join(" ");
    };
    assert.equal(await run(() => {}), "dispose t1 t2 t3");
    assert.equal(await run((a) => a.use(null)), "t1 dispose t2 t3");
    assert.equal(await run((a) => a.use(undefined)), "t1 dispose t2 t3");
    assert.equal(
      await run((a) => {
        a.use(null);
        a.use(undefined);
      }),
      "t1 dispose t2 t3",
    );
    // An async disposer already awaited: no extra await for the nullish entry.
    assert.equal(
      await run((a) => {
        a.use(null);
        a.defer(() => {});
      }),
      "t1 dispose t2 t3",
    );
    // A sync-dispose entry (Python-style callback) after a nullish one: one await before it (3.d).
    const log: string[] = [];
    const a = new ADS();
    a.callback(() => void log.push("sync entry"));
    a.use(null);
    void a.disposeAsync().then(() => void log.push("dispose"));
    ticks(log, 3);
    await settle();
    // The await before the sync entry is queued before t1; nothing after it awaits again.
    assert.deepEqual(log, ["sync entry", "t1", "dispose", "t2", "t3"]);
  });

  test("rule 32: a normally returning disposer costs one tick, a sync one included; thenables more", async () => {
    const log: string[] = [];
    const a = new ADS();
    a.defer(() => void log.push("d1"));
    a.defer(() => void log.push("d2"));
    void a.disposeAsync().then(() => void log.push("dispose"));
    ticks(log, 4);
    await settle();
    // As V8: d2 runs inside the call, its await resumes before t1, d1's before t2.
    assert.deepEqual(log, ["d2", "d1", "t1", "t2", "dispose", "t3", "t4"]);
  });

  test("rule 33: [Symbol.asyncDispose] is the same function object as disposeAsync (test262 Symbol.asyncDispose.js)", () => {
    assert.equal(ADS.prototype[asyncDisposeSymbol], ADS.prototype.disposeAsync);
    assert.equal(Object.getOwnPropertyDescriptor(ADS.prototype, asyncDisposeSymbol)?.enumerable, false);
  });
});

describe("H. how errors combine", () => {
  test("rule 34: a single error is thrown as is (test262 *-error-as-is-if-only-one-error-*)", async () => {
    const only = new Error("only");
    const a = new ADS();
    a.defer(async () => {});
    a.defer(async () => {
      throw only;
    });
    await assert.rejects(a.disposeAsync(), (e) => e === only);
  });

  test("rule 35: SuppressedError nesting, first-registered error outermost (test262 throws-suppressederror-if-multiple-errors-during-disposal.js, rejects-with-suppressederror-if-multiple-errors-during-disposal.js)", async () => {
    const check = (e: unknown, errors: Error[]) => {
      const [e1, e2, e3, e4] = errors;
      assert.ok(e instanceof SuppressedError);
      assert.equal(e.error, e1);
      assert.ok(e.suppressed instanceof SuppressedError);
      assert.equal(e.suppressed.error, e2);
      assert.ok(e.suppressed.suppressed instanceof SuppressedError);
      assert.equal(e.suppressed.suppressed.error, e3);
      assert.equal(e.suppressed.suppressed.suppressed, e4);
    };
    const errors = [1, 2, 3, 4].map((n) => new Error(`e${n}`));
    const s = new DS();
    for (const e of errors) {
      s.defer(() => {
        throw e;
      });
    }
    try {
      s.dispose();
      assert.fail("no error");
    } catch (e) {
      check(e, errors);
    }
    const a = new ADS();
    for (const e of errors) {
      a.defer(async () => {
        throw e;
      });
    }
    await a.disposeAsync().then(
      () => assert.fail("no error"),
      (e: unknown) => check(e, errors),
    );
  });

  test("rule 36: throw undefined counts as an error", () => {
    const one = new DS();
    one.defer(() => {
      throw undefined;
    });
    let caught: unknown = "none";
    try {
      one.dispose();
    } catch (e) {
      caught = e;
    }
    assert.equal(caught, undefined);
    const two = new DS();
    for (let i = 0; i < 2; i++) {
      two.defer(() => {
        throw undefined;
      });
    }
    try {
      two.dispose();
      assert.fail("no error");
    } catch (e) {
      assert.ok(e instanceof SuppressedError);
      assert.ok(Object.hasOwn(e, "error") && Object.hasOwn(e, "suppressed"));
      assert.equal(e.error, undefined);
      assert.equal(e.suppressed, undefined);
    }
  });

  test("rule 37: error and suppressed are own, non-enumerable, writable, configurable", () => {
    const s = new DS();
    s.defer(() => {
      throw 1;
    });
    s.defer(() => {
      throw 2;
    });
    try {
      s.dispose();
      assert.fail("no error");
    } catch (e) {
      for (const key of ["error", "suppressed"]) {
        const d = Object.getOwnPropertyDescriptor(e, key);
        assert.deepEqual(
          { writable: d?.writable, enumerable: d?.enumerable, configurable: d?.configurable },
          { writable: true, enumerable: false, configurable: true },
        );
      }
      assert.equal((e as { error: unknown }).error, 1);
      assert.equal((e as { suppressed: unknown }).suppressed, 2);
    }
  });

  test("rule 38: made with the exported SuppressedError (the runtime's own where it has one)", () => {
    const s = new DS();
    s.defer(() => {
      throw 1;
    });
    s.defer(() => {
      throw 2;
    });
    try {
      s.dispose();
    } catch (e) {
      assert.equal(Object.getPrototypeOf(e), SuppressedError.prototype);
      const native = (globalThis as { SuppressedError?: unknown }).SuppressedError;
      if (native !== undefined) assert.equal(SuppressedError, native);
    }
  });
});

describe("J. property shapes", () => {
  test("rule 42: constructors' prototypes are non-writable, non-enumerable, non-configurable and inherit from Object.prototype; [[Prototype]] is Function.prototype", () => {
    for (const Stack of [DS, ADS]) {
      const d = Object.getOwnPropertyDescriptor(Stack, "prototype");
      assert.deepEqual([d?.writable, d?.enumerable, d?.configurable], [false, false, false]);
      assert.equal(Object.getPrototypeOf(Stack.prototype), Object.prototype);
      assert.equal(Object.getPrototypeOf(Stack), Function.prototype);
    }
  });

  test("rule 43: method lengths, attributes, not constructors; the disposed accessor (test262 */length.js, */name.js, */not-a-constructor.js, disposed/getter.js)", () => {
    const lengths = { use: 1, adopt: 2, defer: 1, move: 0, dispose: 0, disposeAsync: 0 } as Record<string, number>;
    for (const [Stack, methods] of [
      [DS, dsMethods],
      [ADS, adsMethods],
    ] as const) {
      for (const m of methods) {
        const d = Object.getOwnPropertyDescriptor(Stack.prototype, m);
        assert.ok(d && typeof d.value === "function", m);
        assert.deepEqual([d.writable, d.enumerable, d.configurable], [true, false, true], m);
        assert.equal(d.value.length, lengths[m], `${m}.length`);
        assert.equal(d.value.name, m);
        assert.equal(isConstructor(d.value), false, `${m} is not a constructor`);
        for (const key of ["name", "length"]) {
          const kd = Object.getOwnPropertyDescriptor(d.value, key);
          assert.deepEqual([kd?.writable, kd?.enumerable, kd?.configurable], [false, false, true]);
        }
      }
      const disposed = Object.getOwnPropertyDescriptor(Stack.prototype, "disposed");
      assert.equal(typeof disposed?.get, "function");
      assert.equal(disposed?.set, undefined);
      assert.deepEqual([disposed?.enumerable, disposed?.configurable], [false, true]);
      assert.equal(disposed?.get?.name, "get disposed");
      assert.equal(disposed?.get?.length, 0);
    }
  });

  test("rule 44: Symbol.toStringTag is a non-writable, non-enumerable, configurable data property (value exempt: our class names)", () => {
    for (const [Stack, tag] of [
      [DS, "ExitStack"],
      [ADS, "AsyncExitStack"],
    ] as const) {
      const d = Object.getOwnPropertyDescriptor(Stack.prototype, Symbol.toStringTag);
      assert.deepEqual(d, { value: tag, writable: false, enumerable: false, configurable: true });
      assert.equal(Object.prototype.toString.call(new Stack()), `[object ${tag}]`);
    }
  });

  test("rule 45: instances are extensible with no own properties", () => {
    for (const stack of [new DS(), new ADS()]) {
      assert.ok(Object.isExtensible(stack));
      assert.deepEqual(Reflect.ownKeys(stack), []);
    }
  });
});

describe("K. environment", () => {
  test("rule 46: the runtime's Symbol.dispose / Symbol.asyncDispose are the keys used", () => {
    assert.equal(disposeSymbol, Symbol.dispose ?? Symbol.for("Symbol.dispose"));
    assert.equal(asyncDisposeSymbol, Symbol.asyncDispose ?? Symbol.for("Symbol.asyncDispose"));
    assert.equal(typeof (new DS() as unknown as Record<symbol, unknown>)[disposeSymbol], "function");
    assert.equal(typeof (new ADS() as unknown as Record<symbol, unknown>)[asyncDisposeSymbol], "function");
  });
});

test("rule 2: a NewTarget whose prototype is not an object falls back to the stack's own prototype (test262 newtarget-prototype-is-not-object.js, same-realm part)", () => {
  for (const Stack of [DS, ADS]) {
    for (const proto of [undefined, null, 1, "s", Symbol(), true]) {
      // biome-ignore lint/complexity/useArrowFunction: NewTarget must be a constructor
      const newTarget = function () {}.bind(null);
      Object.defineProperty(newTarget, "prototype", { value: proto });
      const instance = Reflect.construct(Stack, [], newTarget) as object;
      assert.equal(Object.getPrototypeOf(instance), Stack.prototype);
    }
    const custom = {};
    // biome-ignore lint/complexity/useArrowFunction: NewTarget must be a constructor
    const newTarget = function () {}.bind(null);
    Object.defineProperty(newTarget, "prototype", { value: custom });
    assert.equal(Object.getPrototypeOf(Reflect.construct(Stack, [], newTarget)), custom);
  }
});
