// Pool faults: a callback that never settles, throws or answers oddly never leaks a slot,
// starves borrowers or hangs close(); every failure is reported, never an unhandled rejection.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { asyncWith, errorContext, Pool, RuntimeError, TimeoutError } from "../../src/index.js";
import { flush, track } from "../support/async.js";

/** A create that lets the test decide, call by call, how each one ends. */
function scriptedCreate() {
  const calls: { signal: AbortSignal; resolve: (n: number) => void; reject: (e: unknown) => void }[] = [];
  const create = (signal: AbortSignal) =>
    new Promise<number>((resolve, reject) => {
      calls.push({ signal, resolve, reject });
    });
  return { calls, create };
}

describe("Pool faults", () => {
  test("regression: one create that never settles does not starve later borrowers (max 10)", async () => {
    let n = 0;
    const stuck: AbortSignal[] = [];
    const pool = new Pool<number>({
      max: 10,
      create: (signal) => {
        if (n++ === 0) {
          stuck.push(signal);
          return new Promise<number>(() => {}); // ignores its signal, never settles
        }
        return n;
      },
    });
    await assert.rejects(
      asyncWith(pool.acquire({ timeoutMs: 10 }), () => {}),
      TimeoutError,
    );
    assert.equal(stuck[0]?.aborted, true, "the create nobody waits for is told to stop");
    const served = await Promise.all(
      Array.from({ length: 5 }, () => asyncWith(pool.acquire({ timeoutMs: 1000 }), async (r) => r)),
    );
    assert.equal(served.length, 5);
    assert.ok(n >= 2, "create was called again for the later borrowers");
    assert.ok(pool.size <= 10);
    // The stuck slot never comes back: close() can be bounded.
    await assert.rejects(pool.close({ timeoutMs: 10 }), {
      name: "TimeoutError",
      message: "Pool close timed out after 10 ms",
    });
    assert.equal(pool.closed, true);
    assert.equal(pool.size, 1, "only the stuck create's slot is still taken");
  });

  test("create's signal aborts when the pool closes; its abort is not reported as a failure", async () => {
    const { calls, create } = scriptedCreate();
    const pool = new Pool<number>({ create });
    const waiting = track(Promise.resolve(pool.acquire().aenter()));
    await flush();
    assert.equal(calls.length, 1);
    const closing = pool.close();
    assert.equal(calls[0]?.signal.aborted, true);
    calls[0]?.reject(calls[0].signal.reason);
    await closing; // resolves: the create's abort is not an error
    await flush();
    assert.equal(waiting.status, "rejected");
    assert.ok(waiting.reason instanceof RuntimeError);
    assert.equal(pool.size, 0);
  });

  test("create's signal aborts when its borrower gives up; a resource made anyway is kept", async () => {
    const { calls, create } = scriptedCreate();
    const pool = new Pool<number>({ create });
    const controller = new AbortController();
    const waiting = track(Promise.resolve(pool.acquire({ signal: controller.signal }).aenter()));
    await flush();
    controller.abort();
    await flush();
    assert.equal(waiting.status, "rejected");
    assert.equal(calls[0]?.signal.aborted, true);
    calls[0]?.resolve(7);
    await flush();
    assert.deepEqual([pool.size, pool.available], [1, 1]);
    assert.equal(await asyncWith(pool.acquire(), (r) => r), 7);
    await pool.close();
  });

  test("regression: one stuck create starves a concurrent borrower while slots are free (max 10)", async () => {
    const { calls, create } = scriptedCreate();
    const pool = new Pool<number>({ create, max: 10 });
    // Two borrowers at once: a create is started for each; the first never settles.
    const first = track(Promise.resolve(pool.acquire({ timeoutMs: 2000 }).aenter()));
    const second = track(Promise.resolve(pool.acquire({ timeoutMs: 2000 }).aenter()));
    await flush();
    assert.equal(calls.length, 2);
    calls[1]?.resolve(2);
    await flush();
    // FIFO: the first borrower gets resource 2; the second must not inherit the stuck create.
    assert.deepEqual([first.status, first.value], ["fulfilled", 2]);
    assert.equal(calls[0]?.signal.aborted, true, "the stuck create nobody waits for is told to stop");
    assert.equal(calls.length, 3, "a create of its own for the second borrower");
    calls[2]?.resolve(3);
    await flush();
    assert.deepEqual([second.status, second.value], ["fulfilled", 3]);
    assert.ok(pool.size <= 10);
    calls[0]?.resolve(1); // made anyway: kept
    await flush();
    assert.deepEqual([pool.size, pool.borrowed, pool.available], [3, 2, 1]);
  });

  test("two concurrent borrowers on an empty pool make two resources, not more", async () => {
    const { calls, create } = scriptedCreate();
    const pool = new Pool<number>({ create, max: 10 });
    const leases = [pool.acquire(), pool.acquire()];
    const entries = leases.map((lease) => track(Promise.resolve(lease.aenter())));
    await flush();
    calls[0]?.resolve(1);
    calls[1]?.resolve(2);
    await flush();
    assert.deepEqual(
      entries.map((e) => e.value),
      [1, 2],
    );
    assert.equal(calls.length, 2);
    assert.deepEqual(
      calls.map((c) => c.signal.aborted),
      [false, false],
    );
    for (const lease of leases) await lease.aexit();
    await pool.close();
  });

  test("a create still wanted by a queued borrower is not aborted when another borrower leaves", async () => {
    const { calls, create } = scriptedCreate();
    const pool = new Pool<number>({ create, max: 2 });
    const controller = new AbortController();
    const first = track(Promise.resolve(pool.acquire({ signal: controller.signal }).aenter()));
    const second = pool.acquire();
    const secondEntry = track(Promise.resolve(second.aenter()));
    await flush();
    assert.equal(calls.length, 2);
    controller.abort();
    await flush();
    assert.equal(first.status, "rejected");
    // The oldest create (the one started for the borrower that left) is the one let go: the
    // remaining borrower keeps the create made on its behalf, never one that may be stuck.
    assert.deepEqual(
      calls.map((c) => c.signal.aborted),
      [true, false],
      "one create is still wanted",
    );
    calls[1]?.resolve(2);
    await flush();
    assert.deepEqual([secondEntry.status, secondEntry.value], ["fulfilled", 2]);
    await second.aexit();
    calls[0]?.reject(new DOMException("aborted", "AbortError"));
    await pool.close();
  });

  test("close({ signal }) rejects with the signal's reason; a later close() gives the outcome", async () => {
    const pool = new Pool<number>({ create: () => 1 });
    const lease = pool.acquire();
    await lease.aenter();
    const controller = new AbortController();
    const bounded = pool.close({ signal: controller.signal });
    const reason = new Error("shutdown budget spent");
    controller.abort(reason);
    await assert.rejects(bounded, (error) => error === reason);
    await assert.rejects(pool.close({ timeoutMs: -1 }), RangeError);
    await assert.rejects(pool.close({ signal: AbortSignal.abort(reason) }), (error) => error === reason);
    await lease.aexit();
    await pool.close();
    await pool.close({ timeoutMs: 1000 });
    assert.equal(pool.size, 0);
  });

  test("a bounded close() rejects with the shutdown's own failure when it comes first", async () => {
    const failure = new Error("destroy failed");
    const pool = new Pool<number>({
      create: () => 1,
      destroy: () => {
        throw failure;
      },
    });
    await asyncWith(pool.acquire(), () => {});
    await assert.rejects(pool.close({ timeoutMs: 60_000 }), (error) => error === failure);
  });

  test("a bounded close() that finishes in time resolves and leaves no timer", async () => {
    const pool = new Pool<number>({ create: () => 1, destroy: () => flush() });
    await asyncWith(pool.acquire(), () => {});
    await pool.close({ timeoutMs: 60_000, signal: new AbortController().signal });
  });

  test("regression: an onError that throws leaks no slot, does not hang close(), and close() throws its error", async () => {
    const { calls, create } = scriptedCreate();
    const handlerError = new Error("onError failed");
    const failure = new Error("db down");
    const pool = new Pool<number>({
      create,
      onError: () => {
        throw handlerError;
      },
    });
    await assert.rejects(
      asyncWith(pool.acquire({ timeoutMs: 5 }), () => {}),
      TimeoutError,
    );
    calls[0]?.reject(failure); // a real failure, with nobody left to tell: reported
    await flush();
    assert.equal(pool.size, 0, "the slot is free");
    await assert.rejects(pool.close(), (error) => error === handlerError);
    assert.equal(errorContext(handlerError), failure, "the failure onError was given is kept as context");
  });

  test("regression: lease.aexit() after a failed aenter() is a RuntimeError and leaves the pool intact", async () => {
    let n = 0;
    const pool = new Pool<number>({ create: () => ++n, max: 1 });
    const holder = pool.acquire();
    await holder.aenter();
    const lease = pool.acquire({ timeoutMs: 5 });
    await assert.rejects(
      (async () => {
        try {
          await lease.aenter();
        } finally {
          await lease.aexit();
        }
      })(),
      (error) => error instanceof RuntimeError && /after an entry that borrowed a resource/.test(error.message),
    );
    assert.deepEqual([pool.borrowed, pool.size], [1, 1]);
    await holder.aexit();
    assert.equal(await asyncWith(pool.acquire(), (r) => r), 1, "the next borrower gets the real resource");
    await pool.close();
  });

  test("regression: a mistaken exit after a failed aenter() loses the entry's error", async () => {
    const pool = new Pool<number>({ create: () => 1, max: 1 });
    const holder = pool.acquire();
    await holder.aenter();
    const lease = pool.acquire({ timeoutMs: 5 });
    let entryError: unknown;
    let exitError: unknown;
    try {
      try {
        await lease.aenter();
      } catch (error) {
        entryError = error;
        throw error;
      } finally {
        await lease.aexit();
      }
    } catch (error) {
      exitError = error;
    }
    assert.ok(entryError instanceof TimeoutError);
    assert.ok(exitError instanceof RuntimeError);
    assert.equal(exitError.cause, entryError, "the entry's TimeoutError is the exit error's cause");
    // The failure is handed over once, as Holding does: a second mistaken exit has no cause.
    await assert.rejects(
      Promise.resolve(lease.aexit()),
      (error) => error instanceof RuntimeError && error.cause === undefined,
    );
    await holder.aexit();
    await pool.close();
  });

  test("lease.aexit() while its entry still waits, or twice, is a RuntimeError", async () => {
    const pool = new Pool<number>({ create: () => 1, max: 1 });
    const holder = pool.acquire();
    await holder.aenter();
    const lease = pool.acquire();
    const entry = track(Promise.resolve(lease.aenter()));
    await assert.rejects(Promise.resolve(lease.aexit()), RuntimeError);
    await holder.aexit();
    await assert.rejects(Promise.resolve(holder.aexit()), RuntimeError);
    await flush();
    assert.equal(entry.status, "fulfilled");
    await lease.aexit();
    assert.deepEqual([pool.borrowed, pool.available], [0, 1]);
    await pool.close();
  });

  test("validate keeps a resource only when it returns exactly true", async () => {
    for (const [answer, kept] of [
      [true, true],
      [Promise.resolve(true), true],
      [false, false],
      [1, false],
      ["yes", false],
      [{}, false],
      [undefined, false],
      [Promise.resolve(1), false],
    ] as const) {
      const destroyed: number[] = [];
      const pool = new Pool<number>({
        create: () => 1,
        destroy: (r) => void destroyed.push(r),
        validate: () => answer as never,
      });
      await asyncWith(pool.acquire(), () => {});
      assert.equal(pool.available, kept ? 1 : 0, `validate answering ${String(answer)}`);
      assert.deepEqual(destroyed, kept ? [] : [1]);
      await pool.close();
    }
  });

  test("the pool refills to min after resources are destroyed", async () => {
    let n = 0;
    let healthy = true;
    const destroyed: number[] = [];
    class Broken extends Error {}
    const pool = new Pool<number>({
      create: () => ++n,
      destroy: (r) => void destroyed.push(r),
      isFatal: (error) => error instanceof Broken,
      validate: () => healthy,
      min: 2,
      max: 4,
    });
    await asyncWith(pool, async () => {
      assert.deepEqual([pool.size, pool.available], [2, 2]);
      await assert.rejects(
        asyncWith(pool.acquire(), () => {
          throw new Broken();
        }),
        Broken,
      );
      await flush();
      assert.deepEqual([pool.size, pool.available, destroyed.length], [2, 2, 1], "a broken resource is replaced");
      // Both fail validation when returned: destroyed and replaced as well.
      healthy = false;
      await Promise.all([asyncWith(pool.acquire(), () => flush()), asyncWith(pool.acquire(), () => flush())]);
      healthy = true;
      await flush();
      assert.deepEqual([pool.size, pool.available, destroyed.length], [2, 2, 3]);
    });
    assert.equal(n, 5);
    assert.equal(destroyed.length, n, "every resource made was destroyed exactly once");
  });

  test("regression (found by the chaos test): a destroy failing synchronously as close() starts does not refill the pool", async () => {
    let creates = 0;
    const pool = new Pool<number>({
      create: () => ++creates,
      destroy: () => {
        throw new Error("destroy failed");
      },
      min: 1,
    });
    await pool.aenter();
    await assert.rejects(pool.close(), /destroy failed/);
    assert.equal(creates, 1, "no create after close()");
    assert.equal(pool.size, 0);
  });

  test("a refill whose create keeps failing reports each failure and does not loop", async () => {
    let calls = 0;
    const reported: unknown[] = [];
    class Broken extends Error {}
    const pool = new Pool<number>({
      create: () => {
        calls++;
        if (calls > 1) throw new Error("cannot connect");
        return calls;
      },
      isFatal: () => true,
      onError: (error) => void reported.push(error),
      min: 1,
    });
    await asyncWith(pool, async () => {
      await assert.rejects(
        asyncWith(pool.acquire(), () => {
          throw new Broken();
        }),
        Broken,
      );
      for (let i = 0; i < 5; i++) await flush();
    });
    assert.equal(calls, 2, "one refill attempt, no retry loop");
    assert.equal(reported.length, 1);
    assert.equal(pool.size, 0);
  });
});
