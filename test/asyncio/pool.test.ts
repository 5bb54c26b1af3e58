// Pool: borrowing through asyncWith, min/max sizing, FIFO waiters, the fatal/validate policy,
// failing callbacks that must not leak a slot, aborts and timeouts, idle eviction and close().
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { asyncWith, errorContext, Pool, type PoolOptions, RuntimeError, TimeoutError } from "../../src/index.js";
import { flush, sleep, ticksToSettle, track } from "../support/async.js";

interface Conn {
  id: number;
  destroyed: boolean;
}

/** A pool of fake connections that records what was made and destroyed. */
function connections(options: Partial<PoolOptions<Conn>> = {}) {
  const made: Conn[] = [];
  const destroyed: Conn[] = [];
  const pool = new Pool<Conn>({
    create: () => {
      const conn = { id: made.length, destroyed: false };
      made.push(conn);
      return conn;
    },
    destroy: (conn) => {
      assert.equal(conn.destroyed, false, `conn ${conn.id} destroyed twice`);
      conn.destroyed = true;
      destroyed.push(conn);
    },
    ...options,
  });
  return { pool, made, destroyed };
}

/** Borrows a resource and keeps it until `release()` (or `fail(error)`) is called. */
function hold(pool: Pool<Conn>, options?: { signal?: AbortSignal; timeoutMs?: number }) {
  let finish!: (error?: unknown) => void;
  const done = new Promise<unknown>((resolve) => (finish = resolve));
  let conn: Conn | undefined;
  const result = asyncWith(pool.acquire(options), async (c) => {
    conn = c;
    const error = await done;
    if (error !== undefined) throw error;
    return c;
  });
  const outcome = track(result);
  return {
    outcome,
    result,
    get conn() {
      return conn;
    },
    release: () => finish(),
    fail: (error: unknown) => finish(error),
  };
}

describe("Pool", () => {
  test("asyncWith(pool.acquire()) lends a resource and takes it back on a clean exit", async () => {
    const { pool, made } = connections();
    const value: number = await asyncWith(pool.acquire(), (conn: Conn) => {
      assert.equal(pool.borrowed, 1);
      assert.equal(pool.size, 1);
      return conn.id;
    });
    assert.equal(value, 0);
    assert.deepEqual([pool.size, pool.available, pool.borrowed, pool.pending], [1, 1, 0, 0]);
    await asyncWith(pool.acquire(), (conn) => assert.equal(conn, made[0], "the idle resource is reused"));
    assert.equal(made.length, 1);
    await pool.close();
  });

  test("max bounds the size; extra borrowers wait in FIFO order and get returned resources", async () => {
    const { pool, made } = connections({ max: 2 });
    const a = hold(pool);
    const b = hold(pool);
    const c = hold(pool);
    const d = hold(pool);
    await flush();
    assert.deepEqual([pool.size, pool.borrowed, pool.pending], [2, 2, 2]);
    assert.equal(c.conn, undefined);
    b.release();
    await flush();
    assert.equal(c.conn, made[1], "the first waiter gets b's resource");
    assert.equal(d.conn, undefined);
    a.release();
    await flush();
    assert.equal(d.conn, made[0]);
    c.release();
    d.release();
    await Promise.all([a.result, b.result, c.result, d.result]);
    assert.equal(made.length, 2);
    await pool.close();
  });

  test("a block error the policy calls fatal destroys the resource; the error propagates unchanged", async () => {
    class ConnectionLost extends Error {}
    const { pool, destroyed } = connections({ isFatal: (error) => error instanceof ConnectionLost });
    const lost = new ConnectionLost("gone");
    await assert.rejects(
      asyncWith(pool.acquire(), () => {
        throw lost;
      }),
      (error) => error === lost,
    );
    assert.equal(destroyed.length, 1);
    assert.deepEqual([pool.size, pool.available], [0, 0]);
    const other = new Error("query failed");
    await assert.rejects(
      asyncWith(pool.acquire(), () => {
        throw other;
      }),
      (error) => error === other,
    );
    assert.equal(destroyed.length, 1, "a non-fatal error keeps the resource");
    assert.deepEqual([pool.size, pool.available], [1, 1]);
    await pool.close();
  });

  test("validate decides on return: false destroys; a throwing validate destroys and reports, chained to the block's error", async () => {
    let healthy = true;
    const broken = new Error("validate exploded");
    let explode = false;
    const { pool, destroyed } = connections({
      validate: () => {
        if (explode) throw broken;
        return healthy;
      },
    });
    await asyncWith(pool.acquire(), () => {});
    assert.equal(pool.available, 1);
    healthy = false;
    await asyncWith(pool.acquire(), () => {});
    assert.deepEqual([pool.size, destroyed.length], [0, 1]);
    explode = true;
    const bodyError = new Error("body");
    await assert.rejects(
      asyncWith(pool.acquire(), () => {
        throw bodyError;
      }),
      (error) => error === broken && errorContext(error) === bodyError,
    );
    assert.deepEqual([pool.size, destroyed.length], [0, 2]);
    await pool.close();
  });

  test("a failing create rejects the borrower with its error and frees the slot", async () => {
    const failure = new Error("connect refused");
    let fail = true;
    const { pool } = connections({ max: 1 });
    const create = new Pool<Conn>({
      max: 1,
      create: () => {
        if (fail) throw failure;
        return { id: 99, destroyed: false };
      },
    });
    await assert.rejects(
      asyncWith(create.acquire(), () => assert.fail("entered")),
      (error) => error === failure,
    );
    assert.equal(create.size, 0);
    fail = false;
    assert.equal(await asyncWith(create.acquire(), (conn) => conn.id), 99);
    await create.close();
    await pool.close();
  });

  test("a create failing while others wait goes to the longest waiter; the next gets a fresh attempt", async () => {
    let attempts = 0;
    const failure = new Error("first connect fails");
    const pool = new Pool<number>({
      max: 1,
      create: async () => {
        attempts++;
        await flush();
        if (attempts === 1) throw failure;
        return attempts;
      },
    });
    const first = track(asyncWith(pool.acquire(), (n) => n));
    const second = track(asyncWith(pool.acquire(), (n) => n));
    await flush();
    await flush();
    await flush();
    assert.equal(first.status, "rejected");
    assert.equal(first.reason, failure);
    assert.equal(second.status, "fulfilled");
    assert.equal(second.value, 2);
    await pool.close();
  });

  test("a failing destroy is thrown to the borrower, chained to the block's error, and frees the slot", async () => {
    const destroyFailure = new Error("close failed");
    const pool = new Pool<number>({
      max: 1,
      create: () => 1,
      destroy: () => {
        throw destroyFailure;
      },
      isFatal: () => true,
    });
    const bodyError = new Error("fatal");
    await assert.rejects(
      asyncWith(pool.acquire(), () => {
        throw bodyError;
      }),
      (error) => error === destroyFailure && errorContext(error) === bodyError,
    );
    assert.equal(pool.size, 0);
    assert.equal(await asyncWith(pool.acquire(), (n) => n), 1, "the slot is usable again");
    await assert.rejects(pool.close(), (error) => error === destroyFailure);
    assert.equal(pool.size, 0);
  });

  test("abort while queued: rejects with the very reason and leaves the queue", async () => {
    const { pool } = connections({ max: 1 });
    const a = hold(pool);
    await flush();
    const controller = new AbortController();
    let entered = false;
    const waiting = asyncWith(pool.acquire({ signal: controller.signal }), () => {
      entered = true;
    });
    await flush();
    assert.equal(pool.pending, 1);
    const reason = new Error("gave up");
    controller.abort(reason);
    await assert.rejects(waiting, (error) => error === reason);
    assert.equal(entered, false);
    assert.equal(pool.pending, 0);
    a.release();
    await a.result;
    assert.deepEqual([pool.available, pool.borrowed], [1, 0]);
    await pool.close();
  });

  test("release during abort: a borrower aborted while the resource is on its way back never gets it; it goes idle", async () => {
    const { pool, made } = connections({ max: 1 });
    const a = hold(pool);
    await flush();
    const controller = new AbortController();
    const b = hold(pool, { signal: controller.signal });
    await flush();
    a.release(); // a's exit runs in the next microtasks ...
    controller.abort(); // ... after b has left the queue
    await Promise.all([a.result, flush()]);
    assert.equal(b.outcome.status, "rejected");
    assert.equal(b.outcome.reason, controller.signal.reason);
    assert.equal(b.conn, undefined);
    assert.deepEqual([pool.available, pool.borrowed, pool.pending, made.length], [1, 0, 0, 1]);
    await pool.close();
  });

  test("the grant and the abort in one synchronous step: the aborted borrower rejects, the next gets the resource", async () => {
    const { pool, made } = connections({ max: 1 });
    // Borrow and return through the lease methods directly, to release and abort in one step.
    const holder = pool.acquire();
    const conn = await holder.aenter();
    const b = new AbortController();
    const tb = hold(pool, { signal: b.signal });
    const tc = hold(pool);
    await flush();
    const returned = holder.aexit();
    b.abort(); // same step as the grant
    await returned;
    await flush();
    assert.equal(tb.outcome.status, "rejected");
    assert.equal(tb.outcome.reason, b.signal.reason);
    assert.equal(tc.conn, conn);
    tc.release();
    await tc.result;
    assert.equal(made.length, 1);
    assert.deepEqual([pool.available, pool.borrowed, pool.pending], [1, 0, 0]);
    await pool.close();
  });

  test("timeoutMs: a TimeoutError after the wait; an already-aborted signal takes nothing", async () => {
    const { pool } = connections({ max: 1 });
    const a = hold(pool);
    await flush();
    await assert.rejects(
      asyncWith(pool.acquire({ timeoutMs: 1 }), () => assert.fail("entered")),
      (error) => error instanceof TimeoutError && error.message === "Pool acquire timed out after 1 ms",
    );
    a.release();
    await a.result;
    const reason = new Error("no");
    await assert.rejects(
      asyncWith(pool.acquire({ signal: AbortSignal.abort(reason) }), () => {}),
      (error) => error === reason,
    );
    assert.deepEqual([pool.available, pool.borrowed, pool.pending], [1, 0, 0]);
    await pool.close();
  });

  test("borrowing an idle resource costs the microtask ticks of a trivial manager", async () => {
    const { pool } = connections();
    await asyncWith(pool.acquire(), () => {}); // one idle resource from now on
    const trivial = { aenter: () => 1, aexit() {} };
    const baseline = await ticksToSettle(() => asyncWith(trivial, () => {}));
    assert.equal(await ticksToSettle(() => asyncWith(pool.acquire(), () => {})), baseline);
    await pool.close();
  });

  test("a lease is entered once", async () => {
    const { pool } = connections();
    const lease = pool.acquire();
    await asyncWith(lease, () => {});
    await assert.rejects(
      asyncWith(lease, () => {}),
      RuntimeError,
    );
    await assert.rejects(
      Promise.resolve().then(() => pool.acquire().aexit()),
      RuntimeError,
    );
    await pool.close();
  });

  test("close(): refuses new acquires, fails queued ones, waits for borrowed resources, destroys everything", async () => {
    const { pool, made, destroyed } = connections({ max: 2 });
    await asyncWith(pool.acquire(), () => {}); // one idle
    const a = hold(pool);
    const b = hold(pool);
    const c = hold(pool);
    await flush();
    assert.equal(pool.pending, 1);
    const closing = track(pool.close());
    assert.equal(pool.close(), pool.close(), "close() is idempotent");
    await flush();
    assert.equal(c.outcome.status, "rejected");
    assert.ok(c.outcome.reason instanceof RuntimeError && c.outcome.reason.message === "Pool is closed");
    await assert.rejects(
      asyncWith(pool.acquire(), () => {}),
      { message: "Pool is closed" },
    );
    assert.equal(closing.status, "pending", "it waits for the borrowed resources");
    a.release();
    await flush();
    assert.equal(closing.status, "pending");
    b.release();
    await Promise.all([a.result, b.result]);
    await flush();
    assert.equal(closing.status, "fulfilled");
    assert.equal(destroyed.length, made.length);
    assert.equal(pool.size, 0);
    assert.equal(pool.closed, true);
  });

  test("the pool is an async manager: entering makes min resources, exiting closes it; and an AsyncDisposable", async () => {
    const { pool, made, destroyed } = connections({ min: 2, max: 3 });
    await asyncWith(pool, async (p) => {
      assert.equal(p, pool);
      assert.deepEqual([pool.size, pool.available], [2, 2]);
      await asyncWith(p.acquire(), () => {});
    });
    assert.equal(pool.closed, true);
    assert.deepEqual([made.length, destroyed.length], [2, 2]);
    const other = connections();
    await asyncWith(other.pool.acquire(), () => {});
    await other.pool[Symbol.asyncDispose]();
    assert.equal(other.destroyed.length, 1);
  });

  test("entering fails when a min resource cannot be made: the error propagates and the pool is closed, nothing leaked", async () => {
    const failure = new Error("db down");
    let calls = 0;
    const destroyed: number[] = [];
    const pool = new Pool<number>({
      min: 3,
      create: () => {
        calls++;
        if (calls === 2) throw failure;
        return calls;
      },
      destroy: (n) => void destroyed.push(n),
    });
    await assert.rejects(
      asyncWith(pool, () => assert.fail("entered")),
      (error) => error === failure,
    );
    assert.equal(pool.closed, true);
    assert.equal(pool.size, 0);
    assert.deepEqual(destroyed.sort(), [1, 3]);
  });

  test("idle resources beyond min are evicted after idleTimeoutMs; the timer is cleared on close", async () => {
    const { pool, destroyed } = connections({ min: 1, max: 3, idleTimeoutMs: 5 });
    const holders = [hold(pool), hold(pool), hold(pool)];
    await flush();
    for (const h of holders) h.release();
    await Promise.all(holders.map((h) => h.result));
    assert.equal(pool.available, 3);
    for (let i = 0; i < 100 && pool.size > 1; i++) await sleep(5);
    assert.equal(pool.size, 1, "evicted down to min");
    assert.equal(destroyed.length, 2);
    await pool.close();
    assert.equal(destroyed.length, 3);
  });

  test("a failing destroy during eviction is reported to onError, or thrown by close()", async () => {
    for (const withHandler of [true, false]) {
      const failure = new Error("destroy failed");
      const reported: unknown[] = [];
      const pool = new Pool<number>({
        create: () => 1,
        destroy: () => {
          throw failure;
        },
        idleTimeoutMs: 1,
        ...(withHandler ? { onError: (error: unknown) => void reported.push(error) } : {}),
      });
      await asyncWith(pool.acquire(), () => {});
      for (let i = 0; i < 100 && pool.size > 0; i++) await sleep(2);
      assert.equal(pool.size, 0, "the slot is freed even though destroy failed");
      if (withHandler) {
        assert.deepEqual(reported, [failure]);
        await pool.close();
      } else {
        await assert.rejects(pool.close(), (error) => error === failure);
      }
    }
  });

  test("close() reports several destroy failures as one AggregateError", async () => {
    let n = 0;
    const pool = new Pool<number>({
      create: () => ++n,
      destroy: (k) => {
        throw new Error(`destroy ${k}`);
      },
    });
    await Promise.all([asyncWith(pool.acquire(), () => flush()), asyncWith(pool.acquire(), () => flush())]);
    await assert.rejects(pool.close(), (error) => error instanceof AggregateError && error.errors.length === 2);
    assert.equal(pool.size, 0);
  });

  test("options are checked", () => {
    assert.throws(() => new Pool({} as PoolOptions<number>), TypeError);
    assert.throws(() => new Pool({ create: () => 1, max: 0 }), RangeError);
    assert.throws(() => new Pool({ create: () => 1, min: 3, max: 2 }), RangeError);
    assert.throws(() => new Pool({ create: () => 1, idleTimeoutMs: 0 }), RangeError);
  });

  test("random borrowers, aborts, fatal errors and failing creates: no slot leaks, size never exceeds max", async () => {
    type Step = { kind: "borrow" | "flush" | "failNextCreate" } | { kind: "abort" | "release" | "fatal"; pick: number };
    const step: fc.Arbitrary<Step> = fc.oneof(
      fc.constantFrom<Step>({ kind: "borrow" }, { kind: "flush" }, { kind: "failNextCreate" }),
      fc.nat(30).map((pick): Step => ({ kind: "abort", pick })),
      fc.nat(30).map((pick): Step => ({ kind: "release", pick })),
      fc.nat(30).map((pick): Step => ({ kind: "fatal", pick })),
    );
    class Fatal extends Error {}
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 3 }), fc.array(step, { maxLength: 40 }), async (max, steps) => {
        let failNext = false;
        let made = 0;
        let destroyedCount = 0;
        const pool = new Pool<number>({
          max,
          create: async () => {
            await Promise.resolve();
            if (failNext) {
              failNext = false;
              throw new Error("create failed");
            }
            return made++;
          },
          destroy: () => {
            destroyedCount++;
          },
          isFatal: (error) => error instanceof Fatal,
          // A create whose borrower gave up fails with nobody to tell: it lands here.
          onError: (error) => assert.equal((error as Error).message, "create failed"),
        });
        const borrowers: { controller: AbortController; h: ReturnType<typeof hold> }[] = [];
        for (const s of steps) {
          if (s.kind === "borrow") {
            const controller = new AbortController();
            borrowers.push({ controller, h: hold(pool as unknown as Pool<Conn>, { signal: controller.signal }) });
          } else if (s.kind === "failNextCreate") failNext = true;
          else if (s.kind === "abort") borrowers[s.pick % Math.max(1, borrowers.length)]?.controller.abort();
          else if (s.kind === "release" || s.kind === "fatal") {
            const holding = borrowers.filter((b) => b.h.conn !== undefined && b.h.outcome.status === "pending");
            const b = holding[s.pick % Math.max(1, holding.length)];
            if (s.kind === "release") b?.h.release();
            else b?.h.fail(new Fatal());
          } else {
            await flush();
          }
          assert.ok(pool.size <= max, `size ${pool.size} > max ${max}`);
          assert.ok(pool.borrowed + pool.available <= pool.size);
        }
        await flush();
        const holders = borrowers.filter((b) => b.h.conn !== undefined && b.h.outcome.status === "pending");
        assert.equal(pool.borrowed, holders.length);
        for (const b of borrowers) {
          b.controller.abort();
          b.h.release();
        }
        await Promise.allSettled(borrowers.map((b) => b.h.result));
        await pool.close();
        assert.equal(pool.size, 0);
        assert.equal(destroyedCount, made, "every resource made was destroyed exactly once");
        for (const b of borrowers) assert.notEqual(b.h.outcome.status, "pending");
      }),
      { numRuns: 100 },
    );
  });
});
