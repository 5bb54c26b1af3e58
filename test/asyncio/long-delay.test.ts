// Delays longer than setTimeout's 2**31-1 ms limit (about 24.8 days) work everywhere: a wait
// with a 30-day timeoutMs waits 30 days (it used to fire after about 1 ms, setTimeout's
// clamp), and a 30-day idleTimeoutMs is not a 1 ms busy timer loop. Checked with a fake clock.
import assert from "node:assert/strict";
import { test } from "node:test";
import { Barrier, Condition, Event, Lock, Pool, Semaphore, TimeoutError, type WaitOptions } from "../../src/index.js";
import { flush, track } from "../support/async.js";
import { installFakeClock } from "../support/fake-clock.js";

const DAY = 24 * 60 * 60 * 1000;
const MONTH = 30 * DAY;

const waits: [string, (options: WaitOptions) => Promise<unknown>][] = [
  [
    "Lock.acquire",
    (options) => {
      const lock = new Lock();
      void lock.acquire();
      return lock.acquire(options);
    },
  ],
  ["Semaphore.acquire", (options) => new Semaphore(0).acquire(options)],
  ["Event.wait", (options) => new Event().wait(options)],
  ["Barrier.wait", (options) => new Barrier(2).wait(options)],
  [
    "Condition.wait",
    async (options) => {
      const condition = new Condition();
      await condition.acquire();
      return condition.wait(options);
    },
  ],
  [
    "Condition.waitFor",
    async (options) => {
      const condition = new Condition();
      await condition.acquire();
      return condition.waitFor(() => false, options);
    },
  ],
  [
    "Pool.acquire",
    async (options) => {
      const pool = new Pool({ create: () => new Promise<number>(() => {}), max: 1 });
      return pool.acquire(options).aenter();
    },
  ],
];

for (const [name, wait] of waits) {
  test(`regression: ${name} with a 30-day timeoutMs waits 30 days, not 1 ms`, async () => {
    const clock = installFakeClock();
    try {
      const outcome = track(wait({ timeoutMs: MONTH }));
      await flush();
      clock.advance(1);
      await flush();
      assert.equal(outcome.status, "pending", "not after setTimeout's 1 ms clamp");
      clock.advance(MONTH - 2);
      await flush();
      assert.equal(outcome.status, "pending", "not before 30 days");
      clock.advance(1);
      await flush();
      assert.equal(outcome.status, "rejected");
      assert.ok(outcome.reason instanceof TimeoutError);
      assert.ok(clock.armed.every((delay) => delay <= 2 ** 31 - 1));
      assert.equal(clock.pending(), 0, "no timer left behind");
    } finally {
      clock.restore();
    }
  });
}

test("regression: a 30-day idleTimeoutMs arms a handful of timers, not a 1 ms loop, and evicts after 30 days", async () => {
  const clock = installFakeClock();
  try {
    const destroyed: number[] = [];
    let made = 0;
    const pool = new Pool({ create: () => ++made, destroy: (n) => void destroyed.push(n), idleTimeoutMs: MONTH });
    const lease = pool.acquire();
    await lease.aenter();
    await lease.aexit();
    assert.equal(pool.available, 1);
    clock.advance(DAY);
    await flush();
    assert.ok(clock.armed.length <= 2, `armed ${clock.armed.length} timers in a day`);
    assert.deepEqual(destroyed, []);
    clock.advance(MONTH - DAY - 1);
    await flush();
    assert.deepEqual(destroyed, [], "not before 30 days");
    clock.advance(1);
    await flush();
    assert.deepEqual(destroyed, [1]);
    assert.ok(clock.armed.length <= 3, `armed ${clock.armed.length} timers in 30 days`);
    await pool.close();
    assert.equal(clock.pending(), 0);
  } finally {
    clock.restore();
  }
});
