// Types that fit real code. Each `@ts-expect-error` marks a mistake that must not compile (the
// test command type-checks test/, so a line that starts compiling fails the build), and each
// `expectType` pins an inferred type. The runtime tests check that the calls behave as typed.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  type AsyncBodyInSyncWith,
  AsyncExitStack,
  asyncContextManager,
  asyncWith,
  type ContextManager,
  contextManager,
  ExitStack,
  errorContext,
  nullContext,
  suppress,
  syncWith,
} from "../src/index.js";

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function expectType<Check extends true>(..._proof: Check extends true ? [] : [never]): void {}

interface Db {
  exec(sql: string): void;
  log: string[];
}
const makeDb = (): Db => {
  const log: string[] = [];
  return { log, exec: (sql) => log.push(sql) };
};

// The common generator manager: it re-raises, so every block result is the body's.
const transaction = contextManager(function* (db: Db) {
  db.exec("BEGIN");
  try {
    yield db;
    db.exec("COMMIT");
  } catch (error) {
    db.exec("ROLLBACK");
    throw error;
  }
});

// The generic wrapper: compiles as written, and keeps `T`.
function inTransaction<T>(db: Db, fn: (db: Db) => T) {
  return syncWith(transaction(db), fn);
}

function typeChecks(db: Db): void {
  // -- no `| undefined` unless a manager says it may suppress ----------------------------------
  expectType<Equal<ReturnType<typeof inTransaction<number>>, number>>();
  expectType<Equal<typeof inTransaction, <T>(db: Db, fn: (db: Db) => T) => T>>();
  const n = syncWith(transaction(db), () => 1);
  expectType<Equal<typeof n, number>>();
  const m: ContextManager<string> = { enter: () => "x", exit() {} };
  const viaInterface = syncWith(m, (s) => s.length);
  expectType<Equal<typeof viaInterface, number>>();
  const stacked = syncWith(new ExitStack(), () => "s");
  expectType<Equal<typeof stacked, string>>();
  const asyncStacked = asyncWith(new AsyncExitStack(), async () => "s");
  expectType<Equal<typeof asyncStacked, Promise<string>>>();
  // ... and when it says so, the result may be undefined.
  const mayIgnore = contextManager(
    function* () {
      try {
        yield;
      } catch {}
    },
    { suppresses: true },
  );
  const ignored = syncWith(mayIgnore(), () => 1);
  expectType<Equal<typeof ignored, number | undefined>>();
  const suppressing: ContextManager<string, boolean> = { enter: () => "x", exit: () => true };
  const mayBeSuppressed = syncWith(suppressing, () => 1);
  expectType<Equal<typeof mayBeSuppressed, number | undefined>>();
  const suppressingStack = syncWith(new ExitStack<true>(), () => 1);
  expectType<Equal<typeof suppressingStack, number | undefined>>();
  const withSuppress = syncWith(suppress(RangeError), () => 1);
  expectType<Equal<typeof withSuppress, number | undefined>>();
  // @ts-expect-error a manager that suppresses must say so: ContextManager<string, boolean>
  const undeclared: ContextManager<string> = { enter: () => "x", exit: () => true };
  void undeclared;

  // -- decorate: generic functions, and class methods (TS1270 before) -------------------------
  const identity = transaction(db).decorate(<T>(x: T) => x);
  expectType<Equal<ReturnType<typeof identity<number>>, number>>();
  const audited = transaction(db);
  class Service {
    @audited.decorate
    total(a: number, b: number): number {
      return a + b;
    }
  }
  void Service;

  // -- exit must return boolean | void ---------------------------------------------------------
  // @ts-expect-error only `true` suppresses: an exit returning a number is a mistake
  syncWith({ enter() {}, exit: () => 1 }, () => 0);
  // @ts-expect-error likewise a string
  syncWith([{ enter() {}, exit: () => "yes" }], () => 0);
  // @ts-expect-error likewise for asyncWith
  asyncWith({ aenter: async () => 1, aexit: async () => 1 }, () => 0);
  // @ts-expect-error and when implementing the interface
  const badExit: ContextManager<number, boolean> = { enter: () => 1, exit: () => 1 };
  void badExit;
  syncWith({ enter() {}, exit: () => false }, () => 0);
  syncWith({ enter() {}, exit: () => undefined }, () => 0);

  // -- an async body in syncWith: the types name asyncWith -------------------------------------
  const fromAsync = syncWith(transaction(db), async () => 1);
  expectType<Equal<typeof fromAsync, AsyncBodyInSyncWith>>();
  // @ts-expect-error syncWith body returns a promise: use asyncWith for an asynchronous body
  fromAsync.toFixed();

  // -- the array form with functions: Python's order of evaluation -----------------------------
  syncWith([() => nullContext(1), nullContext("s"), () => transaction(db)], (a, b, c) => {
    expectType<Equal<typeof a, number>>();
    expectType<Equal<typeof b, string>>();
    expectType<Equal<typeof c, Db>>();
  });
  const fromFactories = syncWith([() => nullContext(1)], (a) => a);
  expectType<Equal<typeof fromFactories, number>>();
  const suppressible = syncWith([() => suppress(Error)], () => 1);
  expectType<Equal<typeof suppressible, number | undefined>>();
  asyncWith([() => Promise.resolve(nullContext(2)), () => nullContext("t")], (a, b) => {
    expectType<Equal<typeof a, number>>();
    expectType<Equal<typeof b, string>>();
  });
  // @ts-expect-error a function must return a manager
  syncWith([() => 42], () => 0);

  // -- the wrong kind of generator function ------------------------------------------------------
  // @ts-expect-error async generator functions belong to asyncContextManager
  contextManager(async function* () {
    yield 1;
  });
  // @ts-expect-error sync generator functions belong to contextManager
  asyncContextManager(function* () {
    yield 1;
  });
}
void typeChecks;

describe("types that fit, at run time", () => {
  test("the generic wrapper and the decorated method run inside the manager", () => {
    const db = makeDb();
    assert.equal(
      inTransaction(db, () => 7),
      7,
    );
    const audited = transaction(db);
    class Service {
      @audited.decorate
      total(a: number, b: number): number {
        return a + b;
      }
    }
    assert.equal(new Service().total(2, 3), 5);
    const identity = transaction(db).decorate(<T>(x: T) => x);
    assert.equal(identity("same"), "same");
    assert.deepEqual(db.log, ["BEGIN", "COMMIT", "BEGIN", "COMMIT", "BEGIN", "COMMIT"]);
  });

  test("regression: contextManager(async function*) is refused with a TypeError naming asyncContextManager", () => {
    const wrong = async function* named() {
      yield 1;
    } as unknown as () => Generator<number>;
    assert.throws(() => contextManager(wrong), {
      name: "TypeError",
      message: "contextManager was given an async generator function ('named'): use asyncContextManager for it",
    });
  });

  test("regression: asyncContextManager(function*) is refused with a TypeError naming contextManager", () => {
    const wrong = function* named() {
      yield 1;
    } as unknown as () => AsyncGenerator<number>;
    assert.throws(() => asyncContextManager(wrong), {
      name: "TypeError",
      message: "asyncContextManager was given a sync generator function ('named'): use contextManager for it",
    });
  });

  test("compiled-down generator functions of the wrong kind are refused on their first call, before running", () => {
    let ran = false;
    // What a transpiler emits: a plain function returning a generator object.
    const plainAsync = (() => {
      const inner = async function* () {
        ran = true;
        yield 1;
      };
      return function named() {
        return inner();
      };
    })() as unknown as () => Generator<number>;
    const factory = contextManager(plainAsync);
    assert.throws(() => factory(), /use asyncContextManager/);
    const plainSync = (() => {
      const inner = function* () {
        ran = true;
        yield 1;
      };
      return function named() {
        return inner();
      };
    })() as unknown as () => AsyncGenerator<number>;
    assert.throws(() => asyncContextManager(plainSync)(), /use contextManager/);
    assert.equal(ran, false);
  });
});

describe("the array form with functions: Python's order of evaluation", () => {
  /** A resource that logs its opening and closing; opening "missing" fails. */
  function open(name: string, log: string[]) {
    if (name === "missing") throw new Error(`no such file: ${name}`);
    log.push(`open ${name}`);
    return {
      name,
      enter() {
        log.push(`enter ${name}`);
        return name;
      },
      exit() {
        log.push(`close ${name}`);
      },
    };
  }

  test("regression: a failing second manager expression still exits the first (with A(), B():)", () => {
    const log: string[] = [];
    const error = (() => {
      try {
        syncWith([() => open("a", log), () => open("missing", log)], () => log.push("body"));
      } catch (e) {
        return e as Error;
      }
    })();
    assert.equal(error?.message, "no such file: missing");
    assert.deepEqual(log, ["open a", "enter a", "close a"]);
  });

  test("each function is called once, after the managers before it are entered, values in order", () => {
    const log: string[] = [];
    const result = syncWith([() => open("a", log), open("b", log), () => open("c", log)], (a, b, c) => {
      log.push("body");
      return [a, b, c].join();
    });
    assert.equal(result, "a,b,c");
    // `open("b")` is an expression in the array literal: it runs first, before any entry.
    assert.deepEqual(log, [
      "open b",
      "open a",
      "enter a",
      "enter b",
      "open c",
      "enter c",
      "body",
      "close c",
      "close b",
      "close a",
    ]);
  });

  test("asyncWith: functions may return a manager or a promise of one; a rejection exits the entered ones", async () => {
    const log: string[] = [];
    const result = await asyncWith([() => open("a", log), async () => open("b", log)], async (a, b) => `${a}${b}`);
    assert.equal(result, "ab");
    const failure = new Error("connect failed");
    await assert.rejects(
      asyncWith([() => open("c", log), () => Promise.reject(failure)], () => log.push("body")),
      (e) => e === failure,
    );
    await assert.rejects(
      asyncWith([() => open("d", log), () => open("missing", log)], () => log.push("body")),
      /no such file/,
    );
    assert.deepEqual(log, [
      "open a",
      "enter a",
      "open b",
      "enter b",
      "close b",
      "close a",
      "open c",
      "enter c",
      "close c",
      "open d",
      "enter d",
      "close d",
    ]);
  });

  test("a function's error is the block's error for the outer managers: suppressible, and chained", () => {
    const log: string[] = [];
    const result = syncWith([suppress(Error), () => open("missing", log)], () => 1);
    assert.equal(result, undefined);
    const closeFails = {
      enter() {},
      exit(): void {
        throw new Error("close failed");
      },
    };
    try {
      syncWith([closeFails, () => open("missing", log)], () => 1);
      assert.fail("no error");
    } catch (error) {
      assert.equal((error as Error).message, "close failed");
      assert.equal((errorContext(error) as Error).message, "no such file: missing");
    }
  });

  test("a callable manager is a manager, not a function to call", () => {
    const log: string[] = [];
    const callable = Object.assign(() => assert.fail("called"), {
      enter: () => "callable",
      exit: () => void log.push("exit"),
    });
    assert.equal(
      syncWith([callable], (v) => v),
      "callable",
    );
    assert.deepEqual(log, ["exit"]);
  });
});
