// Condition: CPython's test_locks cases 266–278 (CPython's Lib/test/test_contextlib*.py §F), adapted to the signal
// model (see CASES-locks.md), plus the re-acquire and lost-wakeup races.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { asyncWith, Condition, Lock, RuntimeError, TimeoutError } from "../../src/index.js";
import { flush, sleep, track } from "../support/async.js";

describe("Condition", () => {
  test("case 266 test_wait_cancel: an aborted wait rejects with the reason and ends with the lock held again", async () => {
    const condition = new Condition();
    await condition.acquire();
    const controller = new AbortController();
    const waiting = condition.wait({ signal: controller.signal });
    await flush();
    assert.equal(condition.locked(), false, "wait released the lock");
    const reason = new Error("cancelled");
    controller.abort(reason);
    await assert.rejects(waiting, (error) => error === reason);
    assert.equal(condition.locked(), true, "re-acquired");
    // No waiter is left behind: a notification now wakes nobody, and a new waiter gets the next one.
    condition.notify();
    const next = track(condition.wait());
    await flush();
    await condition.acquire();
    condition.notify();
    condition.release();
    await flush();
    assert.equal(next.status, "fulfilled");
    condition.release();
  });

  test("case 267 test_wait_cancel_contested: notify, abort and release together: the waiter ends holding the lock", async () => {
    const condition = new Condition();
    await condition.acquire();
    const controller = new AbortController();
    const waiting = track(condition.wait({ signal: controller.signal }));
    await flush();
    await condition.acquire();
    condition.notify();
    controller.abort();
    condition.release();
    await flush();
    assert.equal(waiting.status, "rejected");
    assert.equal(condition.locked(), true, "the aborted waiter re-acquired the lock");
    condition.release();
  });

  test("case 268 test_wait_cancel_after_notify (bpo-32841): notified, then aborted, then released: the block was reached and rejects", async () => {
    const condition = new Condition();
    const controller = new AbortController();
    let reachedBody = false;
    const waiter = track(
      asyncWith(condition, async () => {
        reachedBody = true;
        await condition.wait({ signal: controller.signal });
      }),
    );
    await flush();
    await condition.acquire();
    condition.notify();
    controller.abort();
    condition.release();
    await flush();
    assert.equal(reachedBody, true);
    assert.equal(waiter.status, "rejected");
    assert.equal(waiter.reason, controller.signal.reason);
    assert.equal(condition.locked(), false, "the asyncWith exit released the re-acquired lock");
  });

  test("case 269 test_wait_unacquired: RuntimeError 'cannot wait on un-acquired lock'", async () => {
    const condition = new Condition();
    await assert.rejects(
      condition.wait(),
      (error) => error instanceof RuntimeError && error.message === "cannot wait on un-acquired lock",
    );
    await assert.rejects(
      condition.waitFor(() => false),
      RuntimeError,
    );
  });

  test("case 270 test_notify_unacquired / test_notify_all_unacquired: RuntimeError 'cannot notify on un-acquired lock'", () => {
    const condition = new Condition();
    const message = "cannot notify on un-acquired lock";
    assert.throws(
      () => condition.notify(),
      (error: unknown) => error instanceof RuntimeError && error.message === message,
    );
    assert.throws(
      () => condition.notifyAll(),
      (error: unknown) => error instanceof RuntimeError && error.message === message,
    );
  });

  test("case 271 test_context_manager: locked inside, unlocked after; the value is undefined", async () => {
    const condition = new Condition();
    await asyncWith(condition, (value) => {
      assert.equal(value, undefined);
      assert.equal(condition.locked(), true);
    });
    assert.equal(condition.locked(), false);
  });

  test("case 272 test_explicit_lock: Condition(lock) shares the lock both ways", async () => {
    const check = async (lock: Lock, condition: Condition) => {
      await asyncWith(condition, () => {
        assert.equal(lock.locked(), true);
        assert.equal(condition.locked(), true);
      });
      assert.equal(lock.locked(), false);
      await asyncWith(lock, () => {
        assert.equal(lock.locked(), true);
        assert.equal(condition.locked(), true);
      });
      assert.equal(condition.locked(), false);
    };
    const lock = new Lock();
    await check(lock, new Condition(lock));
    const shared = new Lock();
    const first = new Condition(shared);
    const second = new Condition(shared);
    await check(shared, first);
    await check(shared, second);
    assert.throws(() => new Condition({} as Lock), TypeError);
  });

  test("case 274 test_timeout_in_block: wait({ timeoutMs }) inside asyncWith(condition) is a TimeoutError; the block exits cleanly", async () => {
    const condition = new Condition();
    await assert.rejects(
      asyncWith(condition, () => condition.wait({ timeoutMs: 2 })),
      (error) => error instanceof TimeoutError && error.message === "Condition wait timed out after 2 ms",
    );
    assert.equal(condition.locked(), false);
  });

  test("case 275 test_cancelled_error_wakeup: an abort while waiting in waitFor rejects with the very reason object", async () => {
    const condition = new Condition();
    const controller = new AbortController();
    let seen: unknown;
    const task = asyncWith(condition, async () => {
      try {
        await condition.waitFor(() => false, { signal: controller.signal });
      } catch (error) {
        seen = error;
        throw error;
      }
    });
    await flush();
    const reason = new Error("foo");
    controller.abort(reason);
    await assert.rejects(task, (error) => error === reason);
    assert.equal(seen, reason);
  });

  test("case 276 test_cancelled_error_re_aquire: the abort arrives while re-acquiring after a notify: the same reason, lock re-acquired", async () => {
    const condition = new Condition();
    const controller = new AbortController();
    let lockedWhenFailing: boolean | undefined;
    const task = track(
      asyncWith(condition, async () => {
        try {
          await condition.wait({ signal: controller.signal });
        } catch (error) {
          lockedWhenFailing = condition.locked();
          throw error;
        }
      }),
    );
    await flush();
    await condition.acquire();
    condition.notify();
    await flush(); // the waiter is now blocked re-acquiring the lock we hold
    const reason = new Error("foo");
    controller.abort(reason);
    await flush();
    assert.equal(task.status, "pending", "it cannot leave before it has the lock");
    condition.release();
    await flush();
    assert.equal(task.status, "rejected");
    assert.equal(task.reason, reason);
    assert.equal(lockedWhenFailing, true);
    assert.equal(condition.locked(), false);
  });

  for (const [name, abortWhile] of [
    [
      "case 277 test_cancelled_wakeup: a consumer aborted just after notify(1): another consumer gets the item",
      "woken",
    ],
    ["case 278 test_cancelled_wakeup_relock: the abort arrives while re-locking: the wakeup is not lost", "relocking"],
  ] as const) {
    test(name, async () => {
      const condition = new Condition();
      let state = 0;
      const handled: string[] = [];
      const consumer = (tag: string, signal?: AbortSignal) =>
        asyncWith(condition, async () => {
          await condition.waitFor(() => state > 0, { signal });
          state--;
          handled.push(tag);
        });
      const controller = new AbortController();
      const a = track(consumer("a", controller.signal));
      const b = track(consumer("b"));
      await flush();
      await asyncWith(condition, async () => {
        state++;
        condition.notify(1); // wakes a
        if (abortWhile === "woken") controller.abort();
        else {
          await flush(); // a resumed and waits for the lock held here
          controller.abort();
        }
      });
      await flush();
      assert.equal(a.status, "rejected");
      assert.equal(b.status, "fulfilled");
      assert.deepEqual(handled, ["b"]);
      assert.equal(state, 0);
    });
  }

  test("notify(n) wakes the n longest waiters in order; notifyAll wakes the rest", async () => {
    const condition = new Condition();
    const woken: number[] = [];
    const waiters = [0, 1, 2, 3, 4].map((n) =>
      asyncWith(condition, async () => {
        await condition.wait();
        woken.push(n);
      }),
    );
    await flush();
    await asyncWith(condition, () => condition.notify(2));
    await flush();
    assert.deepEqual(woken, [0, 1]);
    await asyncWith(condition, () => condition.notifyAll());
    await Promise.all(waiters);
    assert.deepEqual(woken, [0, 1, 2, 3, 4]);
  });

  test("waitFor returns the predicate's value, calls it first without waiting, and times out over the whole call", async () => {
    const condition = new Condition();
    const queue: string[] = ["ready"];
    assert.equal(await asyncWith(condition, () => condition.waitFor(() => queue.shift())), "ready");
    let calls = 0;
    await assert.rejects(
      asyncWith(condition, () =>
        condition.waitFor(
          () => {
            calls++;
            return false;
          },
          { timeoutMs: 3 },
        ),
      ),
      TimeoutError,
    );
    assert.equal(calls, 1);
    assert.equal(condition.locked(), false);
  });

  test("wait({ timeoutMs }) counts the time to re-acquire the lock (CPython 3.12/3.13: async with timeout(t): await cond.wait())", async () => {
    // CPython 3.13 (checked): the waiter notified in time but blocked re-acquiring past its
    // deadline raises TimeoutError with the lock held, and its notification goes to the next
    // waiter ('plain: woke'). 3.12 also raises TimeoutError but loses the notification.
    const condition = new Condition();
    const log: string[] = [];
    const timed = (async () => {
      await condition.acquire();
      try {
        await condition.wait({ timeoutMs: 20 });
        log.push("timed: woke");
      } catch (error) {
        log.push(`timed: ${(error as Error).name}, locked=${condition.locked()}`);
      } finally {
        condition.release();
      }
    })();
    await flush();
    const plain = (async () => {
      await condition.acquire();
      try {
        await condition.wait();
        log.push("plain: woke");
      } finally {
        condition.release();
      }
    })();
    await flush();
    await condition.acquire();
    condition.notify(1);
    await sleep(60); // hold the lock past the timed waiter's deadline
    condition.release();
    await Promise.all([timed, plain]);
    assert.deepEqual(log, ["timed: TimeoutError, locked=true", "plain: woke"]);
  });

  test("wait({ timeoutMs }) notified and re-acquired in time resolves and leaves no timer", async () => {
    const condition = new Condition();
    await condition.acquire();
    const waiting = condition.wait({ timeoutMs: 60_000 });
    await flush();
    await condition.acquire();
    condition.notify();
    condition.release();
    assert.equal(await waiting, true);
    assert.equal(condition.locked(), true);
    condition.release();
  });

  test("waitFor({ timeoutMs: Infinity }) has no limit", async () => {
    const condition = new Condition();
    let ready = false;
    const waiting = asyncWith(condition, () => condition.waitFor(() => ready, { timeoutMs: Infinity }));
    await flush();
    await asyncWith(condition, () => {
      ready = true;
      condition.notifyAll();
    });
    assert.equal(await waiting, true);
  });

  test("wait() with an already-aborted signal rejects at once and keeps the lock", async () => {
    const condition = new Condition();
    await condition.acquire();
    const reason = new Error("already");
    await assert.rejects(condition.wait({ signal: AbortSignal.abort(reason) }), (error) => error === reason);
    assert.equal(condition.locked(), true);
    condition.release();
  });

  test("a notification consumed by a waiter aborted before it resumed passes on only when someone waits (no spurious wake-up)", async () => {
    const condition = new Condition();
    const controller = new AbortController();
    const a = track(asyncWith(condition, () => condition.wait({ signal: controller.signal })));
    const b = track(asyncWith(condition, () => condition.wait()));
    const c = track(asyncWith(condition, () => condition.wait()));
    await flush();
    // a is aborted while still queued (never notified): nobody is woken in its place.
    controller.abort();
    await flush();
    assert.equal(a.status, "rejected");
    assert.equal(b.status, "pending");
    assert.equal(c.status, "pending");
    await asyncWith(condition, () => condition.notifyAll());
    await flush();
    assert.equal(b.status, "fulfilled");
    assert.equal(c.status, "fulfilled");
  });
});

describe("Condition under random schedules", () => {
  test("consumers waiting for items with random aborts: no wake-up is lost and no item is taken twice", async () => {
    type Step = { kind: "consumer" | "produce" | "flush" } | { kind: "abort"; pick: number };
    const step: fc.Arbitrary<Step> = fc.oneof(
      { arbitrary: fc.constant<Step>({ kind: "consumer" }), weight: 3 },
      { arbitrary: fc.constant<Step>({ kind: "produce" }), weight: 2 },
      { arbitrary: fc.constant<Step>({ kind: "flush" }), weight: 3 },
      { arbitrary: fc.nat(30).map((pick): Step => ({ kind: "abort", pick })), weight: 2 },
    );
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 20 }), async (steps) => {
        const condition = new Condition();
        let items = 0;
        let produced = 0;
        let heldUntilFlush = false;
        const consumers: { controller: AbortController; outcome: "pending" | "consumed" | "aborted" }[] = [];
        const producers: Promise<unknown>[] = [];
        for (const s of steps) {
          if (s.kind === "consumer") {
            const c = { controller: new AbortController(), outcome: "pending" as "pending" | "consumed" | "aborted" };
            consumers.push(c);
            asyncWith(condition, async () => {
              await condition.waitFor(() => items > 0, { signal: c.controller.signal });
              items--;
            }).then(
              () => {
                c.outcome = "consumed";
              },
              (reason: unknown) => {
                assert.equal(reason, c.controller.signal.reason);
                c.outcome = "aborted";
              },
            );
          } else if (s.kind === "produce" && !condition.locked()) {
            // Produce synchronously and keep the lock until the next flush, so that aborts can
            // land right after the notify and while the woken consumer waits to re-lock.
            void condition.acquire();
            items++;
            produced++;
            condition.notify(1);
            heldUntilFlush = true;
          } else if (s.kind === "produce") {
            producers.push(
              asyncWith(condition, () => {
                items++;
                produced++;
                condition.notify(1);
              }),
            );
          } else if (s.kind === "abort") {
            consumers[s.pick % Math.max(1, consumers.length)]?.controller.abort();
          } else {
            if (heldUntilFlush) {
              heldUntilFlush = false;
              condition.release();
            }
            await flush();
          }
        }
        if (heldUntilFlush) condition.release();
        await Promise.all(producers);
        await flush();
        const consumed = consumers.filter((c) => c.outcome === "consumed").length;
        assert.equal(items, produced - consumed, "every item is taken at most once");
        assert.ok(items >= 0);
        const waiting = consumers.filter((c) => c.outcome === "pending").length;
        assert.ok(
          !(items > 0 && waiting > 0),
          `${items} items left while ${waiting} consumers still wait: a lost wake-up`,
        );
        for (const c of consumers) c.controller.abort();
        await flush();
        assert.equal(condition.locked(), false);
      }),
      { numRuns: 500 },
    );
  });
});
