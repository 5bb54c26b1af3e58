// Bad input never corrupts a primitive: every primitive that waits, and Pool.acquire, refuses
// malformed options (not an object, a signal that is not an AbortSignal, a timeoutMs that is
// not a non-negative number) at the call site, before anything is queued. Each refusal is
// followed by a check that the primitive still works and serves the waiter queued before.
//
// Regression: the waiter used to be queued first and `addEventListener` then threw, leaving a
// ghost waiter that made the next release()/set()/notify()/lease exit throw (and, with a
// timeoutMs, crashed the process when its timer fired).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  asyncWith,
  Barrier,
  BoundedSemaphore,
  Condition,
  Event,
  Lock,
  Pool,
  Semaphore,
  TaskGroup,
  timeout,
  timeoutAt,
  type WaitOptions,
} from "../../src/index.js";
import { flush, track } from "../support/async.js";

/** Malformed options and the error class each must give. */
const badOptions: [label: string, options: unknown, error: typeof TypeError | typeof RangeError][] = [
  ["a number as options", 50, TypeError],
  ["null as options", null, TypeError],
  ["a string as options", "fast", TypeError],
  ["a function as options", () => {}, TypeError],
  ["signal: null", { signal: null }, TypeError],
  ["signal: {}", { signal: {} }, TypeError],
  ["signal: an AbortController", { signal: new AbortController() }, TypeError],
  ["signal: {} with a timeoutMs", { signal: {}, timeoutMs: 5 }, TypeError],
  ["timeoutMs: -1", { timeoutMs: -1 }, RangeError],
  ["timeoutMs: NaN", { timeoutMs: Number.NaN }, RangeError],
  ["timeoutMs: -Infinity", { timeoutMs: -Infinity }, RangeError],
  ["timeoutMs: a string", { timeoutMs: "10" }, TypeError],
  ["timeoutMs: null", { timeoutMs: null }, TypeError],
  ["timeoutMs: -1 with a signal", { timeoutMs: -1, signal: new AbortController().signal }, RangeError],
];

interface Subject {
  /** Sets up a busy primitive with one well-formed waiter already queued. */
  setUp(): Promise<{
    /** The call with bad options: "rejects" for a rejected promise, "throws" for a sync throw. */
    call(options: unknown): unknown;
    mode: "rejects" | "throws";
    /** Lets the queued waiter through and checks it and the primitive went on working. */
    check(): Promise<void>;
  }>;
}

function lockLike(make: () => Lock | Semaphore | BoundedSemaphore | Condition, useHold: boolean): Subject {
  return {
    async setUp() {
      const primitive = make();
      await primitive.acquire();
      const queued = track(primitive.acquire());
      return {
        mode: useHold ? "throws" : "rejects",
        call: (options) =>
          useHold ? primitive.hold(options as WaitOptions) : primitive.acquire(options as WaitOptions),
        async check() {
          primitive.release();
          await flush();
          assert.equal(queued.status, "fulfilled", "the waiter queued before is served");
          assert.equal(primitive.locked(), true);
          primitive.release();
          assert.equal(primitive.locked(), false);
          assert.equal(await primitive.acquire({ timeoutMs: 1000 }), true);
          primitive.release();
        },
      };
    },
  };
}

const subjects: Record<string, Subject> = {
  "Lock.acquire": lockLike(() => new Lock(), false),
  "Lock.hold": lockLike(() => new Lock(), true),
  "Semaphore.acquire": lockLike(() => new Semaphore(1), false),
  "Semaphore.hold": lockLike(() => new Semaphore(1), true),
  "BoundedSemaphore.acquire": lockLike(() => new BoundedSemaphore(1), false),
  "BoundedSemaphore.hold": lockLike(() => new BoundedSemaphore(1), true),
  "Condition.acquire": lockLike(() => new Condition(), false),
  "Condition.hold": lockLike(() => new Condition(), true),
  ...Object.fromEntries(
    (["wait", "waitFor"] as const).map((method) => [
      `Condition.${method}`,
      {
        async setUp() {
          const condition = new Condition();
          let ready = false;
          const queued = track(
            (async () => {
              await condition.acquire();
              try {
                await condition.waitFor(() => ready);
              } finally {
                condition.release();
              }
            })(),
          );
          await flush();
          await condition.acquire();
          return {
            mode: "rejects" as const,
            call: (options: unknown) =>
              method === "wait"
                ? condition.wait(options as WaitOptions)
                : condition.waitFor(() => false, options as WaitOptions),
            async check() {
              assert.equal(condition.locked(), true, "the refused wait left the lock held");
              ready = true;
              condition.notify(1);
              condition.release();
              await flush();
              assert.equal(queued.status, "fulfilled", "the waiter queued before is notified");
              assert.equal(condition.locked(), false);
            },
          };
        },
      } satisfies Subject,
    ]),
  ),
  "Event.wait": {
    async setUp() {
      const event = new Event();
      const queued = track(event.wait());
      return {
        mode: "rejects",
        call: (options) => event.wait(options as WaitOptions),
        async check() {
          event.set();
          await flush();
          assert.equal(queued.status, "fulfilled");
          assert.equal(await event.wait({ timeoutMs: 1000 }), true);
        },
      };
    },
  },
  "Barrier.wait": {
    async setUp() {
      const barrier = new Barrier(2);
      const queued = track(barrier.wait());
      return {
        mode: "rejects",
        call: (options) => barrier.wait(options as WaitOptions),
        async check() {
          assert.equal(barrier.nWaiting, 1, "the refused wait took no place");
          assert.equal(await barrier.wait(), 1);
          await flush();
          assert.deepEqual([queued.status, queued.value], ["fulfilled", 0]);
          assert.equal(barrier.nWaiting, 0);
        },
      };
    },
  },
  "Pool.acquire": {
    async setUp() {
      let made = 0;
      const pool = new Pool({ create: () => ++made, max: 1 });
      const first = pool.acquire();
      const resource = await first.aenter();
      const second = pool.acquire();
      const queued = track(Promise.resolve(second.aenter()));
      await flush();
      return {
        mode: "throws",
        call: (options) => pool.acquire(options as WaitOptions),
        async check() {
          assert.equal(pool.pending, 1);
          await first.aexit();
          await flush();
          assert.deepEqual([queued.status, queued.value], ["fulfilled", resource]);
          await second.aexit();
          assert.deepEqual([pool.size, pool.borrowed, pool.available], [1, 0, 1]);
          await pool.close();
        },
      };
    },
  },
};

describe("bad options are refused before anything is queued", () => {
  for (const [name, subject] of Object.entries(subjects)) {
    test(`${name}: every malformed option is refused with the right error; the primitive still works`, async () => {
      for (const [label, options, errorClass] of badOptions) {
        const { call, mode, check } = await subject.setUp();
        if (mode === "throws") {
          assert.throws(() => call(options), errorClass, `${name} with ${label}`);
        } else {
          const result = call(options);
          assert.ok(result instanceof Promise, `${name} reports through its promise`);
          await assert.rejects(result, errorClass, `${name} with ${label}`);
        }
        await check();
      }
    });
  }

  test("the messages name what was expected and what was got", async () => {
    const lock = new Lock();
    await assert.rejects(lock.acquire(50 as never), {
      name: "TypeError",
      message: "options must be an object or undefined, got 50",
    });
    await assert.rejects(lock.acquire({ signal: new AbortController() as never }), {
      name: "TypeError",
      message: "signal must be an AbortSignal or undefined, got an object of type AbortController",
    });
    await assert.rejects(
      new Condition().waitFor(() => false, { timeoutMs: -1 }),
      {
        name: "RangeError",
        message: "timeoutMs must be a non-negative number of milliseconds, got -1",
      },
    );
  });

  test("regression: waitFor(p, { timeoutMs: -1 }) is a RangeError like acquire's, not a TimeoutError", async () => {
    const condition = new Condition();
    await condition.acquire();
    await assert.rejects(
      condition.waitFor(() => false, { timeoutMs: -1 }),
      RangeError,
    );
    await assert.rejects(new Lock().acquire({ timeoutMs: -1 }), RangeError);
    assert.equal(condition.locked(), true);
    condition.release();
  });

  test("waitFor with a predicate that is not a function is a TypeError", async () => {
    const condition = new Condition();
    await condition.acquire();
    await assert.rejects(condition.waitFor(true as never), {
      name: "TypeError",
      message: "predicate must be a function, got true",
    });
    condition.release();
  });
});

describe("numbers follow one rule: TypeError for a non-number, RangeError for NaN, negative, fraction", () => {
  const cases: [string, (value: never) => unknown][] = [
    ["Semaphore(n)", (n) => new Semaphore(n)],
    ["BoundedSemaphore(n)", (n) => new BoundedSemaphore(n)],
    ["Barrier(n)", (n) => new Barrier(n)],
    ["Pool max", (n) => new Pool({ create: () => 1, max: n })],
    ["Pool min", (n) => new Pool({ create: () => 1, min: n, max: 10 })],
  ];
  for (const [name, make] of cases) {
    test(name, () => {
      for (const value of ["2", null, {}, 2n, true])
        assert.throws(() => make(value as never), TypeError, String(value));
      for (const value of [Number.NaN, 1.5, -1, Infinity])
        assert.throws(() => make(value as never), RangeError, String(value));
    });
  }

  test("Condition.notify(n)", async () => {
    const condition = new Condition();
    await condition.acquire();
    for (const value of ["2", null, {}]) assert.throws(() => condition.notify(value as never), TypeError);
    for (const value of [Number.NaN, 1.5, -1, Infinity]) assert.throws(() => condition.notify(value), RangeError);
    condition.notify(0);
    condition.release();
  });

  test("Pool idleTimeoutMs: a positive number of milliseconds, Infinity for never", async () => {
    for (const value of ["10", null, {}]) {
      assert.throws(() => new Pool({ create: () => 1, idleTimeoutMs: value as never }), TypeError);
    }
    for (const value of [Number.NaN, -1, 0]) {
      assert.throws(() => new Pool({ create: () => 1, idleTimeoutMs: value }), RangeError);
    }
    await new Pool({ create: () => 1, idleTimeoutMs: Infinity }).close();
    await new Pool({ create: () => 1, idleTimeoutMs: 0.5 }).close();
  });

  test("Pool callbacks that are not functions are a TypeError in the constructor", () => {
    for (const key of ["destroy", "validate", "isFatal", "onError"]) {
      for (const value of [1, "f", {}, null, true]) {
        assert.throws(
          () => new Pool({ create: () => 1, [key]: value }),
          { name: "TypeError", message: new RegExp(`^${key} must be a function or undefined, got `) },
          `${key}: ${String(value)}`,
        );
      }
    }
    for (const value of [undefined, 1, "f", {}, null]) {
      assert.throws(() => new Pool({ create: value as never }), {
        name: "TypeError",
        message: /^create must be a function, got /,
      });
    }
    assert.throws(() => new Pool(undefined as never), TypeError);
    assert.throws(() => new Pool(5 as never), TypeError);
  });
});

describe("regression: timeout, TaskGroup and createTask options that are not an object are a TypeError", () => {
  // They were read with `options?.signal`, so `timeout(10, 5)` or `new TaskGroup(null)` passed
  // silently where every wait refuses the same options.
  const notObjects: unknown[] = [null, 50, "fast", () => {}, Symbol("options"), true];
  const expected = { name: "TypeError", message: /^options must be an object or undefined, got / };

  test("timeout(ms, options) and timeoutAt(deadline, options)", async () => {
    for (const options of notObjects) {
      assert.throws(() => timeout(10, options as never), expected, String(options));
      assert.throws(() => timeout(null, options as never), expected, String(options));
      assert.throws(() => timeoutAt(performance.now() + 10, options as never), expected, String(options));
    }
    // Still usable afterwards, with and without options.
    assert.equal(await asyncWith(timeout(10_000, {}), async () => "done"), "done");
    assert.equal(await asyncWith(timeout(10_000), async () => "done"), "done");
  });

  test("new TaskGroup(options)", async () => {
    for (const options of notObjects) {
      assert.throws(() => new TaskGroup(options as never), expected, String(options));
    }
    assert.equal(
      await asyncWith(new TaskGroup({}), async (tg) => tg.createTask(async () => 1)).then(() => "done"),
      "done",
    );
  });

  test("tg.createTask(fn, options): refused before fn runs; the group goes on", async () => {
    let calls = 0;
    let task: { result(): unknown } | undefined;
    await asyncWith(new TaskGroup(), async (tg) => {
      for (const options of notObjects) {
        assert.throws(() => tg.createTask(() => calls++, options as never), expected, String(options));
      }
      task = tg.createTask(async () => "ran", { name: "ok" });
    });
    assert.equal(calls, 0, "fn is not called when its options are refused");
    assert.equal(task?.result(), "ran");
  });
});
