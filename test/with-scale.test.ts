// Scale and depth for `syncWith` / `asyncWith`: arrays of 10,000 managers are entered and exited
// in loops (no recursion per manager), and a recursion through asyncWith so deep that the stack
// overflows still exits every manager it entered, exactly once. Run on Node 20 like the rest.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { asyncContextManager, asyncWith, type ExcInfo, errorContext, Lock, syncWith } from "../src/index.js";
import { rejectionOf, thrownBy } from "./support/throws.js";

const COUNT = 10_000;

/** Managers that record, per index, how often each was entered and exited, and in which order. */
function counted(count: number) {
  const entered = new Array<number>(count).fill(0);
  const exited = new Array<number>(count).fill(0);
  const order: number[] = [];
  const sync = (i: number) => ({
    enter() {
      entered[i] = (entered[i] ?? 0) + 1;
      return i;
    },
    exit(_exc?: ExcInfo) {
      exited[i] = (exited[i] ?? 0) + 1;
      order.push(i);
    },
  });
  const async = (i: number) => ({
    aenter() {
      entered[i] = (entered[i] ?? 0) + 1;
      // Every third answers with a promise, the rest synchronously.
      return i % 3 === 0 ? Promise.resolve(i) : i;
    },
    async aexit(_exc?: ExcInfo) {
      exited[i] = (exited[i] ?? 0) + 1;
      order.push(i);
    },
  });
  const disposable = (i: number) => ({
    [Symbol.dispose]() {
      entered[i] = (entered[i] ?? 0) + 1;
      exited[i] = (exited[i] ?? 0) + 1;
      order.push(i);
    },
  });
  return { entered, exited, order, sync, async, disposable };
}

const descending = (count: number) => Array.from({ length: count }, (_, i) => count - 1 - i);

describe("regression: arrays of 10,000 managers (2,332 were entered and 2,234 exited before a RangeError)", () => {
  test("syncWith: every manager entered in order and exited once in reverse, the body given every value", () => {
    const c = counted(COUNT);
    const managers = Array.from({ length: COUNT }, (_, i) => c.sync(i));
    const result = syncWith(managers, (...values: number[]) => values.reduce((a, b) => a + b, 0));
    assert.equal(result, (COUNT * (COUNT - 1)) / 2);
    assert.ok(c.entered.every((n) => n === 1));
    assert.ok(c.exited.every((n) => n === 1));
    assert.deepEqual(c.order, descending(COUNT));
  });

  test("syncWith: a body error reaches every exit, and one exit's suppression clears it for the outer ones", () => {
    const failure = new Error("body");
    const seen: unknown[] = [];
    const managers = Array.from({ length: COUNT }, (_, i) => ({
      enter() {},
      exit(exc?: ExcInfo) {
        seen.push(exc === undefined ? "clean" : exc.error);
        return i === COUNT / 2;
      },
    }));
    const result = syncWith(managers, () => {
      throw failure;
    });
    assert.equal(result, undefined);
    assert.equal(seen.length, COUNT);
    assert.ok(
      seen.slice(0, COUNT / 2).every((e) => e === failure),
      "the inner half sees the error",
    );
    assert.ok(
      seen.slice(COUNT / 2).every((e) => e === "clean"),
      "the outer half sees none",
    );
  });

  test("syncWith: an enter failing midway exits only the managers before it, with its error", () => {
    const c = counted(COUNT);
    const failure = new Error("enter failed");
    const managers: unknown[] = Array.from({ length: COUNT }, (_, i) => c.sync(i));
    managers[COUNT / 2] = {
      enter() {
        throw failure;
      },
      exit() {
        assert.fail("not entered, not exited");
      },
    };
    assert.equal(
      thrownBy(() => syncWith(managers as { enter(): number; exit(): void }[], () => {})),
      failure,
    );
    assert.equal(c.order.length, COUNT / 2);
    assert.deepEqual(c.order, descending(COUNT / 2));
  });

  test("syncWith: exit errors chain through 10,000 exits, newest outermost", () => {
    const managers = Array.from({ length: COUNT }, (_, i) => ({
      enter() {},
      exit() {
        throw new Error(String(i));
      },
    }));
    const thrown = thrownBy(() => syncWith(managers, () => {}));
    let length = 0;
    for (let current = thrown; current !== undefined; current = errorContext(current)) {
      assert.equal((current as Error).message, String(length));
      length++;
    }
    assert.equal(length, COUNT);
  });

  test("asyncWith: sync, async and disposable managers mixed, each entered and exited once, in order", async () => {
    const c = counted(COUNT);
    const managers = Array.from({ length: COUNT }, (_, i) =>
      i % 3 === 0 ? c.async(i) : i % 3 === 1 ? c.sync(i) : c.disposable(i),
    );
    const result = await asyncWith(managers, async (...values: unknown[]) => values.length);
    assert.equal(result, COUNT);
    assert.ok(c.entered.every((n) => n === 1));
    assert.ok(c.exited.every((n) => n === 1));
    assert.deepEqual(c.order, descending(COUNT));
  });

  test("asyncWith: a body error reaches every exit; an enter failing midway exits only those before it", async () => {
    const failure = new Error("body");
    const c = counted(COUNT);
    const managers: unknown[] = Array.from({ length: COUNT }, (_, i) => c.async(i));
    assert.equal(
      await rejectionOf(
        asyncWith(managers as { aenter(): number; aexit(): Promise<void> }[], async () => {
          throw failure;
        }),
      ),
      failure,
    );
    assert.ok(c.exited.every((n) => n === 1));
    const d = counted(COUNT);
    const failing: unknown[] = Array.from({ length: COUNT }, (_, i) => d.async(i));
    failing[COUNT / 2] = { aenter: () => Promise.reject(failure), aexit: () => assert.fail("not entered") };
    assert.equal(
      await rejectionOf(asyncWith(failing as { aenter(): number; aexit(): Promise<void> }[], () => {})),
      failure,
    );
    assert.deepEqual(d.order, descending(COUNT / 2));
  });
});

describe("regression: asyncWith recursing until the stack overflows exits every manager it entered, once", () => {
  /** Recurses `depth` frames: an exit that needs stack, as real cleanup code does. */
  const useStack = (depth: number): number => (depth === 0 ? 0 : 1 + useStack(depth - 1));

  test("managers answering synchronously (so the recursion stays synchronous) and needing stack to exit", async () => {
    const entered: number[] = [];
    const exits = new Map<number, number>();
    const manager = (n: number) => ({
      aenter() {
        entered.push(n);
      },
      aexit(_exc?: ExcInfo) {
        useStack(500);
        exits.set(n, (exits.get(n) ?? 0) + 1);
      },
    });
    // Without a bottom: the recursion goes on until the stack overflows, most likely inside a
    // body (which uses the most stack), so that the overflow is thrown synchronously into the
    // runner at the deepest point.
    const recurse = (n: number): Promise<unknown> =>
      asyncWith(manager(n), () => {
        useStack(50);
        return recurse(n + 1);
      });
    const thrown = await rejectionOf(recurse(0));
    assert.ok(thrown instanceof RangeError, `expected a stack overflow, got ${String(thrown)}`);
    assert.ok(entered.length > 100, "the recursion went deep");
    for (const n of entered) assert.equal(exits.get(n), 1, `manager ${n} exited ${exits.get(n) ?? 0} times`);
    assert.equal(exits.size, entered.length);
  });

  test("Lock: 10,000 nested locks either all release or fail with a RangeError, none left locked", async () => {
    const locks: Lock[] = [];
    const recurse = (n: number): Promise<unknown> => {
      const lock = new Lock();
      locks.push(lock);
      return asyncWith(lock, () => (n === 0 ? "bottom" : recurse(n - 1)));
    };
    const outcome = await recurse(COUNT).then(
      (value) => value,
      (error: unknown) => error,
    );
    if (outcome !== "bottom") assert.ok(outcome instanceof RangeError, `unexpected ${String(outcome)}`);
    assert.equal(locks.filter((lock) => lock.locked()).length, 0);
  });

  test("a sync manager and a disposable in asyncWith exit on a fresh stack too", async () => {
    for (const make of [
      (log: number[], n: number) => ({
        enter() {},
        exit() {
          useStack(500);
          log.push(n);
        },
      }),
      (log: number[], n: number) => ({
        [Symbol.asyncDispose]() {
          useStack(500);
          log.push(n);
          return Promise.resolve();
        },
      }),
    ]) {
      const exited: number[] = [];
      let deepest = -1;
      const recurse = (n: number): Promise<unknown> =>
        asyncWith(make(exited, n), () => {
          deepest = n;
          useStack(50);
          return recurse(n + 1);
        });
      const thrown = await rejectionOf(recurse(0));
      assert.ok(thrown instanceof RangeError);
      // Every manager whose body ran was exited, once, innermost first.
      assert.deepEqual(exited, descending(deepest + 1));
    }
  });
});

describe("a RangeError from the body is still the block's error, one turn later", () => {
  test("each runner passes it to exit: async, generator, array", async () => {
    const failure = new RangeError("not an overflow, but handled like one");
    const seen: unknown[] = [];
    const manager = {
      aenter() {},
      aexit(exc?: ExcInfo) {
        seen.push(exc?.error);
      },
    };
    const generator = asyncContextManager(async function* () {
      try {
        yield;
      } catch (error) {
        seen.push(error);
        throw error;
      }
    });
    const fail = () => {
      throw failure;
    };
    assert.equal(await rejectionOf(asyncWith(manager, fail)), failure);
    assert.equal(await rejectionOf(asyncWith(generator(), fail)), failure);
    assert.equal(await rejectionOf(asyncWith([manager, generator()], fail)), failure);
    assert.deepEqual(seen, [failure, failure, failure, failure]);
  });
});
