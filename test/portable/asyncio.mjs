// Portable checks of the asyncio-style managers: timeout, TaskGroup, the locks, Event, Barrier
// and Pool. Only short real timers; every test leaves nothing pending.
import * as lib from "../../dist/esm/index.js";
import { assert, test } from "./runner.mjs";

const { asyncWith } = lib;

/** Resolves when `signal` aborts (rejecting with its reason), like any abortable wait. */
function untilAborted(signal) {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    else signal.addEventListener("abort", () => reject(signal.reason), { once: true });
  });
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

test("timeout: a block that finishes in time is untouched", async () => {
  assert.equal(await asyncWith(lib.timeout(1000), async () => "done"), "done");
  assert.equal(await asyncWith(lib.timeout(null), async (t) => t.when()), null);
});

test("timeout: its own deadline becomes TimeoutError, caused by the abort", async () => {
  const caught = await assert.rejects(() => asyncWith(lib.timeout(5), (t) => untilAborted(t.signal)), lib.TimeoutError);
  assert.ok(caught.cause !== undefined);
});

test("timeout: an outer abort propagates unchanged", async () => {
  const controller = new AbortController();
  const reason = new Error("caller gave up");
  const pending = asyncWith(lib.timeout(10_000, { signal: controller.signal }), (t) => untilAborted(t.signal));
  controller.abort(reason);
  const caught = await assert.rejects(() => pending);
  assert.equal(caught, reason);
});

test("TaskGroup: waits for every task", async () => {
  const done = [];
  await asyncWith(new lib.TaskGroup(), async (tg) => {
    tg.createTask(async () => {
      await tick();
      done.push("slow");
    });
    tg.createTask(async () => done.push("fast"));
  });
  assert.deepEqual(done, ["fast", "slow"]);
});

test("TaskGroup: the first failure aborts the siblings; failures come as one AggregateError", async () => {
  let siblingAborted = false;
  const failure = new Error("task failed");
  const caught = await assert.rejects(
    () =>
      asyncWith(new lib.TaskGroup(), async (tg) => {
        tg.createTask(async (signal) => {
          try {
            await untilAborted(signal);
          } finally {
            siblingAborted = signal.aborted;
          }
        });
        tg.createTask(async () => {
          await tick();
          throw failure;
        });
      }),
    AggregateError,
  );
  assert.deepEqual(caught.errors, [failure]);
  assert.ok(siblingAborted);
});

test("TaskGroup: tasks' results after the group", async () => {
  const tasks = await asyncWith(new lib.TaskGroup(), (tg) => [1, 2, 3].map((n) => tg.createTask(async () => n * n)));
  assert.deepEqual(
    tasks.map((task) => task.result()),
    [1, 4, 9],
  );
});

test("Lock: one holder at a time, FIFO", async () => {
  const lock = new lib.Lock();
  const log = [];
  const worker = (name) =>
    asyncWith(lock, async () => {
      log.push(`${name} in`);
      await tick();
      log.push(`${name} out`);
    });
  await Promise.all([worker("a"), worker("b"), worker("c")]);
  assert.deepEqual(log, ["a in", "a out", "b in", "b out", "c in", "c out"]);
  assert.equal(lock.locked(), false);
});

test("Semaphore: at most N holders; BoundedSemaphore refuses extra releases", async () => {
  const semaphore = new lib.Semaphore(2);
  let inside = 0;
  let most = 0;
  await Promise.all(
    [1, 2, 3, 4, 5].map(() =>
      asyncWith(semaphore, async () => {
        most = Math.max(most, ++inside);
        await tick();
        inside--;
      }),
    ),
  );
  assert.equal(most, 2);
  const bounded = new lib.BoundedSemaphore(1);
  assert.throws(() => bounded.release(), { message: "BoundedSemaphore released too many times" });
});

test("Lock: an aborted acquire leaves the queue without taking the lock", async () => {
  const lock = new lib.Lock();
  await lock.acquire();
  const controller = new AbortController();
  const waiting = lock.acquire({ signal: controller.signal });
  controller.abort(new Error("stop waiting"));
  await assert.rejects(() => waiting, { message: "stop waiting" });
  lock.release();
  assert.equal(lock.locked(), false);
});

test("Event and Condition: waiters wake when notified", async () => {
  const event = new lib.Event();
  const woken = event.wait();
  event.set();
  assert.equal(await woken, true);
  const condition = new lib.Condition();
  let ready = false;
  const waiter = asyncWith(condition, () => condition.waitFor(() => ready));
  await tick();
  await asyncWith(condition, () => {
    ready = true;
    condition.notifyAll();
  });
  assert.equal(await waiter, true);
});

test("Barrier: releases all parties together", async () => {
  const barrier = new lib.Barrier(3);
  const indices = await Promise.all([barrier.wait(), barrier.wait(), barrier.wait()]);
  assert.deepEqual([...indices].sort(), [0, 1, 2]);
});

test("Pool: borrows and returns resources, never beyond max", async () => {
  let created = 0;
  let destroyed = 0;
  const pool = new lib.Pool({
    create: async () => ({ id: ++created }),
    destroy: () => destroyed++,
    max: 2,
  });
  await asyncWith(pool, async () => {
    const ids = await Promise.all(
      [1, 2, 3, 4].map(() =>
        asyncWith(pool.acquire(), async (resource) => {
          await tick();
          return resource.id;
        }),
      ),
    );
    assert.ok(ids.every((id) => id === 1 || id === 2));
  });
  assert.equal(created, 2);
  assert.equal(destroyed, 2);
  assert.equal(pool.closed, true);
});
