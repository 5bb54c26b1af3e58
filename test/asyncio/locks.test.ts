// Lock, Semaphore and BoundedSemaphore: CPython's test_locks cases 255–265 and 279–292
// (CPython's Lib/test/test_contextlib*.py §F), adapted to the signal model (see CASES-locks.md), plus race tests.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  asyncWith,
  BoundedSemaphore,
  Condition,
  Lock,
  RuntimeError,
  Semaphore,
  syncWith,
  TimeoutError,
} from "../../src/index.js";
import { flush, ticksToSettle, track } from "../support/async.js";

describe("Lock", () => {
  test("case 255 test_lock: a lock is not awaitable; awaiting it gives it back unlocked", async () => {
    const lock = new Lock();
    assert.equal(await (lock as unknown as Promise<unknown>), lock);
    assert.equal(lock.locked(), false);
  });

  test("case 257 test_lock_by_with_statement: syncWith on Lock, Condition, Semaphore, BoundedSemaphore is a TypeError", () => {
    for (const primitive of [new Lock(), new Condition(), new Semaphore(), new BoundedSemaphore()]) {
      let entered = false;
      assert.throws(
        () =>
          // @ts-expect-error: the primitives are async managers only, so this is a compile error too.
          syncWith(primitive, () => {
            entered = true;
          }),
        (error: unknown) => {
          assert.ok(error instanceof TypeError);
          assert.match(error.message, /object does not support the context manager protocol/);
          assert.match(error.message, /Did you mean to use 'asyncWith'\?/);
          return true;
        },
      );
      assert.equal(entered, false);
      assert.equal(primitive.locked(), false);
    }
  });

  test("case 258 test_acquire: each release admits exactly one waiter, in FIFO order", async () => {
    const lock = new Lock();
    const result: number[] = [];
    assert.equal(await lock.acquire(), true);
    const waiter = async (n: number) => {
      assert.equal(await lock.acquire(), true);
      result.push(n);
    };
    const t1 = waiter(1);
    const t2 = waiter(2);
    await flush();
    assert.deepEqual(result, []);
    lock.release();
    await flush();
    assert.deepEqual(result, [1]);
    lock.release();
    await flush();
    assert.deepEqual(result, [1, 2]);
    const t3 = waiter(3);
    lock.release();
    await flush();
    assert.deepEqual(result, [1, 2, 3]);
    await Promise.all([t1, t2, t3]);
    assert.equal(lock.locked(), true);
    lock.release();
  });

  test("case 259 test_acquire_cancel: an aborted waiting acquire rejects with the very reason and leaves no waiter", async () => {
    const lock = new Lock();
    await lock.acquire();
    const controller = new AbortController();
    const waiting = lock.acquire({ signal: controller.signal });
    const reason = new Error("stop waiting");
    controller.abort(reason);
    await assert.rejects(waiting, (error) => error === reason);
    lock.release();
    assert.equal(lock.locked(), false, "no stale waiter took the lock");
  });

  test("case 260 test_cancel_race: the holder releases while B is aborted in the same step; C gets the lock", async () => {
    for (const order of ["abort-then-release", "release-then-abort"] as const) {
      const lock = new Lock();
      await lock.acquire();
      const b = new AbortController();
      const tb = track(lock.acquire({ signal: b.signal }));
      const tc = track(lock.acquire());
      await flush();
      if (order === "abort-then-release") {
        b.abort();
        lock.release();
      } else {
        lock.release();
        b.abort();
      }
      await flush();
      assert.equal(tb.status, "rejected", order);
      assert.equal(tc.status, "fulfilled", order);
      assert.equal(lock.locked(), true);
      lock.release();
      assert.equal(lock.locked(), false, `${order}: exactly one holder`);
    }
  });

  test("case 261 test_cancel_release_race: abort t1 and release together: exactly one lock taken", async () => {
    const lock = new Lock();
    await lock.acquire();
    const c1 = new AbortController();
    const c3 = new AbortController();
    let lockCount = 0;
    let callCount = 0;
    const waiter = async (signal?: AbortSignal) => {
      callCount++;
      await lock.acquire({ signal });
      lockCount++;
    };
    const t1 = track(waiter(c1.signal));
    const t2 = track(waiter());
    const t3 = track(waiter(c3.signal));
    await flush();
    // trigger(): abort t1 and release in one callback.
    c1.abort();
    lock.release();
    await flush();
    assert.equal(lockCount, 1);
    assert.equal(callCount, 3);
    assert.equal(t1.status, "rejected");
    assert.equal(t2.status, "fulfilled");
    c3.abort();
    await flush();
    assert.equal(t3.status, "rejected");
    lock.release();
    assert.equal(lock.locked(), false);
  });

  test("case 262 test_finished_waiter_cancelled: B woken and aborted at once: C still acquires", async () => {
    const lock = new Lock();
    await lock.acquire();
    const b = new AbortController();
    const tb = track(lock.acquire({ signal: b.signal }));
    const tc = track(lock.acquire());
    await flush();
    lock.release(); // wakes B ...
    b.abort(); // ... which is aborted before it resumes
    await flush();
    assert.equal(lock.locked(), true);
    assert.equal(tb.status, "rejected");
    assert.equal(tc.status, "fulfilled");
    lock.release();
  });

  test("case 263 test_release_not_acquired: RuntimeError 'Lock is not acquired.'", () => {
    const lock = new Lock();
    assert.throws(
      () => lock.release(),
      (error: unknown) => error instanceof RuntimeError && error.message === "Lock is not acquired.",
    );
  });

  test("case 264 test_release_no_waiters: acquire then release leaves it unlocked", async () => {
    const lock = new Lock();
    await lock.acquire();
    assert.equal(lock.locked(), true);
    lock.release();
    assert.equal(lock.locked(), false);
  });

  test("case 265 test_context_manager: locked inside the block, unlocked after; the value is undefined", async () => {
    const lock = new Lock();
    // The exit never suppresses, so the result type is the body's, without `| undefined`.
    const result: string = await asyncWith(lock, (value: undefined) => {
      assert.equal(value, undefined);
      assert.equal(lock.locked(), true);
      return "done";
    });
    assert.equal(result, "done");
    assert.equal(lock.locked(), false);
  });

  test("the lock is released when the block throws, and the error propagates unchanged", async () => {
    const lock = new Lock();
    const boom = new Error("boom");
    await assert.rejects(
      asyncWith(lock, () => {
        throw boom;
      }),
      (error) => error === boom,
    );
    assert.equal(lock.locked(), false);
  });

  test("five workers doing asyncWith(lock) enter in arrival order", async () => {
    const lock = new Lock();
    const order: number[] = [];
    await Promise.all(
      [0, 1, 2, 3, 4].map((n) =>
        asyncWith(lock, async () => {
          order.push(n);
          await flush();
        }),
      ),
    );
    assert.deepEqual(order, [0, 1, 2, 3, 4]);
  });

  test("aborted while waiting in asyncWith(lock.hold({ signal })): never enters the block, never exits", async () => {
    const lock = new Lock();
    await lock.acquire();
    const controller = new AbortController();
    let entered = false;
    let releases = 0;
    const release = lock.release.bind(lock);
    lock.release = () => {
      releases++;
      release();
    };
    const waiting = asyncWith(lock.hold({ signal: controller.signal }), () => {
      entered = true;
    });
    await flush();
    const reason = new Error("caller gave up");
    controller.abort(reason);
    await assert.rejects(waiting, (error) => error === reason);
    assert.equal(entered, false);
    assert.equal(releases, 0);
    assert.equal(lock.locked(), true, "the holder still holds it");
    lock.release();
    assert.equal(lock.locked(), false);
  });

  test("an already-aborted signal rejects at once, even on a free lock, and takes nothing", async () => {
    const lock = new Lock();
    const reason = new Error("already");
    await assert.rejects(lock.acquire({ signal: AbortSignal.abort(reason) }), (error) => error === reason);
    await assert.rejects(
      asyncWith(lock.hold({ signal: AbortSignal.abort(reason) }), () => assert.fail("entered")),
      (error) => error === reason,
    );
    assert.equal(lock.locked(), false);
  });

  test("timeoutMs: a TimeoutError after the wait, the waiter removed; a free lock ignores it", async () => {
    const lock = new Lock();
    assert.equal(await lock.acquire({ timeoutMs: 0 }), true);
    await assert.rejects(
      lock.acquire({ timeoutMs: 1 }),
      (error) => error instanceof TimeoutError && /Lock acquire timed out after 1 ms/.test(error.message),
    );
    lock.release();
    assert.equal(lock.locked(), false);
    await assert.rejects(lock.acquire({ timeoutMs: -1 }), RangeError);
    await assert.rejects(lock.acquire({ timeoutMs: Number.NaN }), RangeError);
    assert.equal(lock.locked(), false);
  });

  test("a grant clears the waiter's timer and abort listener", async () => {
    const lock = new Lock();
    await lock.acquire();
    const controller = new AbortController();
    const waiting = lock.acquire({ signal: controller.signal, timeoutMs: 60_000 });
    lock.release();
    assert.equal(await waiting, true);
    // A later abort no longer concerns the finished wait: nothing happens (and no timer is left,
    // which the harness checks at the end of the file).
    controller.abort();
    assert.equal(lock.locked(), true);
    lock.release();
  });

  test("asyncWith(lock) costs the same microtask ticks as a trivial manager (no promise on the fast path)", async () => {
    const lock = new Lock();
    const trivial = { aenter() {}, aexit() {} };
    const body = () => 1;
    const baseline = await ticksToSettle(() => asyncWith(trivial, body));
    assert.equal(await ticksToSettle(() => asyncWith(lock, body)), baseline);
    assert.equal(await ticksToSettle(() => asyncWith(new Semaphore(2), body)), baseline);
    assert.equal(await ticksToSettle(() => asyncWith(new Condition(), body)), baseline);
    const handWritten = await ticksToSettle(async () => {
      await lock.acquire();
      try {
        body();
      } finally {
        lock.release();
      }
    });
    assert.ok(handWritten <= baseline, `acquire()/release(): ${handWritten} ticks, asyncWith: ${baseline}`);
    // The uncontended acquire() hands out one shared settled promise: no allocation per call.
    const first = lock.acquire();
    lock.release();
    const second = lock.acquire();
    lock.release();
    assert.equal(first, second);
  });
});

describe("Semaphore and BoundedSemaphore", () => {
  test("case 279 test_initial_value_zero: Semaphore(0) is locked", () => {
    assert.equal(new Semaphore(0).locked(), true);
  });

  test("case 280 test_semaphore: a semaphore is not awaitable; its permit stays", async () => {
    const semaphore = new Semaphore();
    assert.equal(await (semaphore as unknown as Promise<unknown>), semaphore);
    assert.equal(semaphore.locked(), false);
  });

  test("case 281 test_semaphore_value: Semaphore(-1) throws Python's message (RangeError for ValueError)", () => {
    assert.throws(() => new Semaphore(-1), { name: "RangeError", message: "Semaphore initial value must be >= 0" });
    assert.throws(() => new BoundedSemaphore(-1), {
      name: "RangeError",
      message: "Semaphore initial value must be >= 0",
    });
    assert.throws(() => new Semaphore(1.5), RangeError);
  });

  test("case 282 test_acquire: Semaphore(3), two taken, four waiters, then releases admit in order", async () => {
    const semaphore = new Semaphore(3);
    const result: number[] = [];
    await semaphore.acquire();
    await semaphore.acquire();
    assert.equal(semaphore.locked(), false);
    const waiter = async (n: number) => {
      await semaphore.acquire();
      result.push(n);
    };
    const tasks = [1, 2, 3, 4].map((n) => track(waiter(n)));
    await flush();
    assert.deepEqual(result, [1]);
    assert.equal(semaphore.locked(), true);
    semaphore.release();
    semaphore.release();
    await flush();
    assert.deepEqual(result, [1, 2, 3]);
    assert.equal(semaphore.locked(), true);
    assert.equal(tasks.filter((t) => t.status === "fulfilled").length, 3);
    assert.equal(tasks[3]?.status, "pending");
    for (let i = 0; i < 4; i++) semaphore.release();
    await flush();
    assert.deepEqual(result, [1, 2, 3, 4]);
  });

  test("case 283 test_acquire_cancel: an aborted waiter rejects; no waiter remains", async () => {
    const semaphore = new Semaphore(0);
    const controller = new AbortController();
    const waiting = semaphore.acquire({ signal: controller.signal });
    controller.abort();
    await assert.rejects(waiting, (error) => error === controller.signal.reason);
    semaphore.release();
    assert.equal(semaphore.locked(), false, "the permit was not given to the aborted waiter");
  });

  test("case 284 test_acquire_cancel_before_awoken: abort t1 and t2, release once: exactly t3 completes", async () => {
    const semaphore = new Semaphore(0);
    const controllers = [0, 1, 2, 3].map(() => new AbortController());
    const tasks = controllers.map((c) => track(semaphore.acquire({ signal: c.signal })));
    controllers[0]?.abort();
    controllers[1]?.abort();
    semaphore.release();
    await flush();
    assert.deepEqual(
      tasks.map((t) => t.status),
      ["rejected", "rejected", "fulfilled", "pending"],
    );
    controllers[3]?.abort();
    await flush();
    assert.equal(tasks[3]?.status, "rejected");
  });

  test("case 285 test_acquire_hang: abort t1, release: t2 is done and the semaphore is locked again", async () => {
    const semaphore = new Semaphore(0);
    const c1 = new AbortController();
    const t1 = track(semaphore.acquire({ signal: c1.signal }));
    const t2 = track(semaphore.acquire());
    c1.abort();
    semaphore.release();
    await flush();
    assert.equal(t1.status, "rejected");
    assert.equal(t2.status, "fulfilled");
    assert.equal(semaphore.locked(), true);
  });

  test("case 286 test_acquire_no_hang: c1 inside asyncWith(sem) aborts t2 waiting in asyncWith(sem.hold()): no leaked permit", async () => {
    const semaphore = new Semaphore(1);
    const controller = new AbortController();
    const c1 = asyncWith(semaphore, async () => {
      await flush();
      controller.abort();
    });
    const t2 = asyncWith(semaphore.hold({ signal: controller.signal }), () => assert.fail("t2 must not enter"));
    const [r1, r2] = await Promise.allSettled([c1, t2]);
    assert.equal(r1.status, "fulfilled");
    assert.equal(r2.status, "rejected");
    assert.equal((r2 as PromiseRejectedResult).reason, controller.signal.reason);
    // wait_for(sem.acquire(), 1.0) succeeds: the permit came back.
    assert.equal(await semaphore.acquire({ timeoutMs: 1000 }), true);
  });

  test("case 287 test_release_not_acquired: BoundedSemaphore().release() throws Python's message as a RangeError", () => {
    assert.throws(() => new BoundedSemaphore().release(), {
      name: "RangeError",
      message: "BoundedSemaphore released too many times",
    });
  });

  test("case 288 test_release_no_waiters: acquire then release leaves it unlocked", async () => {
    const semaphore = new BoundedSemaphore();
    await semaphore.acquire();
    assert.equal(semaphore.locked(), true);
    semaphore.release();
    assert.equal(semaphore.locked(), false);
  });

  test("case 289 test_acquire_fifo_order: three tasks acquiring twice are served round-robin", async () => {
    const semaphore = new Semaphore(1);
    const result: string[] = [];
    const worker = async (tag: string) => {
      await semaphore.acquire();
      result.push(`${tag}_1`);
      await flush();
      semaphore.release();
      await semaphore.acquire();
      result.push(`${tag}_2`);
      await flush();
      semaphore.release();
    };
    await Promise.all([worker("c1"), worker("c2"), worker("c3")]);
    assert.deepEqual(result, ["c1_1", "c2_1", "c3_1", "c1_2", "c2_2", "c3_2"]);
  });

  test("case 290 test_acquire_fifo_order_2: a task acquiring again goes behind those already granted", async () => {
    const semaphore = new Semaphore(1);
    const result: number[] = [];
    const c1 = async () => {
      await semaphore.acquire();
      result.push(1);
    };
    const c2 = async () => {
      await semaphore.acquire();
      result.push(2);
      semaphore.release();
      await semaphore.acquire();
      result.push(4);
    };
    const c3 = async () => {
      await semaphore.acquire();
      result.push(3);
    };
    const tasks = [c1(), c2(), c3()];
    await flush();
    semaphore.release();
    semaphore.release();
    await Promise.all(tasks);
    assert.deepEqual(result, [1, 2, 3, 4]);
  });

  test("case 291 test_acquire_fifo_order_3: Semaphore(0), t1 aborted, two releases: [2, 3]", async () => {
    const semaphore = new Semaphore(0);
    const result: number[] = [];
    const c1 = new AbortController();
    const waiter = async (n: number, signal?: AbortSignal) => {
      await semaphore.acquire({ signal });
      result.push(n);
    };
    const t1 = track(waiter(1, c1.signal));
    const t2 = waiter(2);
    const t3 = waiter(3);
    c1.abort();
    semaphore.release();
    semaphore.release();
    await Promise.all([t2, t3]);
    assert.equal(t1.status, "rejected");
    assert.deepEqual(result, [2, 3]);
  });

  test("case 292 test_acquire_fifo_order_4: several releases in one step wake queued waiters in order", async () => {
    const semaphore = new Semaphore(0);
    const result: number[] = [];
    const waiters = [1, 2, 3].map(async (n) => {
      await semaphore.acquire();
      result.push(n);
    });
    semaphore.release();
    semaphore.release();
    assert.equal(semaphore.locked(), true, "the permits went straight to waiters");
    const late = (async () => {
      await semaphore.acquire();
      result.push(4);
    })();
    semaphore.release();
    semaphore.release();
    await Promise.all([...waiters, late]);
    assert.deepEqual(result, [1, 2, 3, 4]);
  });

  test("rule 77: an extra release inside asyncWith(boundedSemaphore) makes the exit throw", async () => {
    const semaphore = new BoundedSemaphore(1);
    await assert.rejects(
      asyncWith(semaphore, () => {
        semaphore.release();
      }),
      { name: "RangeError", message: "BoundedSemaphore released too many times" },
    );
    assert.equal(semaphore.locked(), false);
  });

  test("BoundedSemaphore: a late abort gives the permit back without tripping the bound", async () => {
    const semaphore = new BoundedSemaphore(1);
    await semaphore.acquire();
    const controller = new AbortController();
    const waiting = track(semaphore.acquire({ signal: controller.signal }));
    semaphore.release(); // granted to the waiter ...
    controller.abort(); // ... which gives it back
    await flush();
    assert.equal(waiting.status, "rejected");
    assert.equal(semaphore.locked(), false);
    assert.throws(() => semaphore.release(), RangeError);
  });

  test("a new arrival never jumps the queue: a freed permit goes to the queued waiter", async () => {
    const semaphore = new Semaphore(0);
    const queued = track(semaphore.acquire());
    semaphore.release();
    const late = track(semaphore.acquire());
    await flush();
    assert.equal(queued.status, "fulfilled");
    assert.equal(late.status, "pending");
    semaphore.release();
    await flush();
    assert.equal(late.status, "fulfilled");
  });
});

describe("release during abort", () => {
  for (const [name, make] of [
    ["Lock", () => new Lock()],
    ["Semaphore(1)", () => new Semaphore(1)],
    ["BoundedSemaphore(1)", () => new BoundedSemaphore(1)],
  ] as const) {
    for (const listenerFirst of [true, false]) {
      test(`${name}: the holder releases from an abort listener that runs ${listenerFirst ? "before" : "after"} the waiter's own`, async () => {
        const primitive = make();
        await primitive.acquire();
        const controller = new AbortController();
        const release = () => primitive.release();
        if (listenerFirst) controller.signal.addEventListener("abort", release, { once: true });
        const aborted = track(primitive.acquire({ signal: controller.signal }));
        const next = track(primitive.acquire());
        if (!listenerFirst) controller.signal.addEventListener("abort", release, { once: true });
        controller.abort();
        await flush();
        assert.equal(aborted.status, "rejected");
        assert.equal(aborted.reason, controller.signal.reason);
        assert.equal(next.status, "fulfilled", "the permit reached the next waiter");
        primitive.release();
        assert.equal(primitive.locked(), false, "exactly one permit in circulation");
        await primitive.acquire();
        assert.equal(primitive.locked(), true);
      });
    }
  }
});

describe("regression: a hold()'s exit after a failed entry released a lock or permit somebody else held", () => {
  // The hand-written `try { await h.aenter() } finally { h.aexit() }`: when the wait timed out,
  // the exit released anyway, so a second caller got into the lock while the first still held
  // it (and a semaphore gained a permit). The exit now refuses, as a PoolLease's does.
  const kinds: [
    string,
    () => {
      acquire(): Promise<true>;
      release(): void;
      locked(): boolean;
      hold(o?: object): { aenter(): unknown; aexit(): void };
    },
  ][] = [
    ["Lock", () => new Lock()],
    ["Semaphore(1)", () => new Semaphore(1)],
    ["BoundedSemaphore(1)", () => new BoundedSemaphore(1)],
    ["Condition", () => new Condition()],
  ];
  for (const [name, make] of kinds) {
    test(`${name}: the exit is a RuntimeError carrying the entry's failure; the holder keeps it`, async () => {
      const primitive = make();
      await primitive.acquire(); // the first holder
      const holding = primitive.hold({ timeoutMs: 1 });
      let entryError: unknown;
      const error = await (async () => {
        try {
          try {
            await holding.aenter();
          } catch (e) {
            entryError = e;
            throw e;
          } finally {
            holding.aexit();
          }
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      assert.ok(entryError instanceof TimeoutError);
      assert.ok(error instanceof RuntimeError);
      assert.match((error as Error).message, /^a hold\(\) can exit only after an entry that acquired/);
      assert.equal((error as Error).cause, entryError, "the entry's failure is not lost");
      assert.equal(primitive.locked(), true, "the first holder still holds it");
      // Exactly one slot: a newcomer waits until the first holder releases.
      const waiting = primitive.acquire();
      const next = track(waiting);
      await flush();
      assert.equal(next.status, "pending", "no second holder while the first holds");
      primitive.release();
      await waiting;
      primitive.release();
      assert.equal(primitive.locked(), false);
    });
  }

  test("a holding exits once per successful entry, and can be entered again", async () => {
    const lock = new Lock();
    const holding = lock.hold();
    assert.throws(() => holding.aexit(), RuntimeError, "never entered");
    await holding.aenter();
    holding.aexit();
    assert.throws(() => holding.aexit(), RuntimeError, "exited twice");
    assert.equal(lock.locked(), false);
    await lock.acquire();
    const entered = holding.aenter(); // waits: the lock is held
    lock.release();
    await entered;
    assert.equal(lock.locked(), true);
    holding.aexit();
    assert.equal(lock.locked(), false);
    assert.equal(await asyncWith(holding, async () => "again"), "again");
  });
});
