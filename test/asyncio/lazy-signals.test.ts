// A scope makes its AbortSignal only when something asks for it (each costs about 4 µs on
// Node 20), and the library's own scopes (timeout, TaskGroup and its tasks) link to each other
// without going through signals. These tests pin when a signal is made, that a task function
// declared without parameters gets none, and that explicit signals of enclosing scopes still
// link without a listener.
import assert from "node:assert/strict";
import { getEventListeners } from "node:events";
import { afterEach, beforeEach, describe, test } from "node:test";
import {
  asyncWith,
  Barrier,
  CancelledError,
  CancelScope,
  currentSignal,
  Event,
  Lock,
  Pool,
  Semaphore,
  TaskGroup,
  timeout,
} from "../../src/index.js";

/** Counts the AbortControllers made while a test runs (the library calls the global one). */
let made = 0;
const Original = globalThis.AbortController;
class CountingController extends Original {
  constructor() {
    super();
    made++;
  }
}

beforeEach(() => {
  made = 0;
  globalThis.AbortController = CountingController;
});
afterEach(() => {
  globalThis.AbortController = Original;
});

describe("createTask: the signal argument follows the function's arity", () => {
  test("a function declared without parameters is called with no argument, and no signal is made for it", async () => {
    const seen: number[] = [];
    await asyncWith(new TaskGroup(), (tg) => {
      for (let i = 0; i < 100; i++) {
        tg.createTask(function (this: unknown) {
          // biome-ignore lint/complexity/noArguments: what the task was called with is the point.
          seen.push(arguments.length);
        });
      }
    });
    assert.deepEqual(new Set(seen), new Set([0]));
    assert.equal(made, 0, "100 tasks that never asked for a signal made none");
  });

  test("a function that declares the parameter gets the task's own signal", async () => {
    let task: { signal: AbortSignal } | undefined;
    let given: AbortSignal | undefined;
    await asyncWith(new TaskGroup(), (tg) => {
      task = tg.createTask((signal) => {
        given = signal;
      });
    });
    assert.ok(given instanceof AbortSignal);
    assert.equal(given, task?.signal);
  });

  test("the task's signal is made on first use, and Task.abort reaches a task that took no parameter", async () => {
    const lock = new Lock();
    await lock.acquire(); // outside the group: an acquire inside would ask for the group's signal
    await asyncWith(new TaskGroup(), async (tg) => {
      const idle = tg.createTask(() => undefined);
      assert.equal(made, 0);
      const waiting = tg.createTask(() => asyncWith(lock, () => "never"));
      assert.equal(made, 1, "the lock's wait asked for its task's signal, and only for that one");
      assert.ok(idle.done() || !idle.signal.aborted);
      await Promise.resolve();
      waiting.abort();
      await assert.rejects(Promise.resolve(waiting), CancelledError);
      assert.ok(waiting.cancelled());
      assert.ok(waiting.signal.aborted);
      lock.release();
    });
  });

  test("currentSignal() inside a parameterless task is the task's signal", async () => {
    let inside: AbortSignal | undefined;
    let task: { signal: AbortSignal } | undefined;
    await asyncWith(new TaskGroup(), (tg) => {
      task = tg.createTask(() => {
        inside = currentSignal();
      });
    });
    assert.ok(inside !== undefined);
    assert.equal(inside, task?.signal);
  });

  test("a rest-parameter wrapper declares none: it is called with no argument (documented)", async () => {
    let args: unknown[] | undefined;
    await asyncWith(new TaskGroup(), (tg) => {
      tg.createTask((...rest: unknown[]) => {
        args = rest;
      });
    });
    assert.deepEqual(args, []);
  });
});

describe("scopes link without signals", () => {
  test("timeout inside a group links to the group's scope: no signal made for the group or the tasks", async () => {
    await asyncWith(new TaskGroup(), (tg) => {
      for (let i = 0; i < 10; i++) tg.createTask(() => asyncWith(timeout(60_000), () => undefined));
    });
    assert.equal(made, 0);
  });

  test("the group's abort still reaches a timeout entered in a task, through the scope tree", async () => {
    const failure = new Error("boom");
    let observed: unknown;
    const outcome = await asyncWith(new TaskGroup(), (tg) => {
      tg.createTask(() =>
        asyncWith(timeout(60_000), async (t) => {
          await new Promise((_, reject) => t.signal.addEventListener("abort", () => reject(t.signal.reason)));
        }).catch((error: unknown) => {
          observed = error;
          throw error;
        }),
      );
      tg.createTask(async () => {
        await Promise.resolve();
        throw failure;
      });
    }).catch((error: unknown) => error);
    assert.ok(outcome instanceof AggregateError);
    assert.deepEqual(outcome.errors, [failure]);
    assert.ok(observed instanceof CancelledError, "the timeout's block saw the group's abort, not a timeout");
  });

  test("an enclosing scope's signal passed on explicitly links without a listener (10,000 tasks)", async () => {
    let groupSignal: AbortSignal | undefined;
    await asyncWith(new TaskGroup(), (tg) => {
      groupSignal = tg.signal;
      for (let i = 0; i < 10_000; i++) {
        tg.createTask(() => asyncWith(timeout(60_000, { signal: tg.signal }), () => undefined));
      }
      assert.equal(getEventListeners(tg.signal, "abort").length, 0);
    });
    assert.ok(groupSignal !== undefined);
    assert.equal(getEventListeners(groupSignal, "abort").length, 0);
  });

  test("a signal of a scope outside the current chain still links, with one listener", async () => {
    const elsewhere = await asyncWith(new TaskGroup(), (tg) => tg.signal);
    // The group has exited: its scope is not current, so a timeout given its signal listens.
    const live = new CancelScope();
    const reason = new Error("outer");
    await asyncWith(new TaskGroup(), async (tg) => {
      const t = timeout(60_000, { signal: live.signal });
      const result = asyncWith(
        t,
        (scope) =>
          new Promise((_, reject) => scope.signal.addEventListener("abort", () => reject(scope.signal.reason))),
      );
      live.abort(reason);
      await assert.rejects(result, (error) => error === reason);
      assert.ok(elsewhere instanceof AbortSignal);
      tg.cancel();
    });
  });
});

describe("the scope tree's children", () => {
  test("an abort reaches the children in the order they linked", () => {
    const parent = new CancelScope();
    const order: number[] = [];
    const children = Array.from({ length: 5 }, (_, i) => {
      const child = new CancelScope(parent.signal);
      child.signal.addEventListener("abort", () => order.push(i));
      return child;
    });
    children[2]?.close();
    parent.abort(new Error("stop"));
    assert.deepEqual(order, [0, 1, 3, 4]);
  });

  test("a listener that closes or links scopes during the abort does not derail it", () => {
    const parent = new CancelScope();
    const first = new CancelScope(parent.signal);
    const second = new CancelScope(parent.signal);
    const third = new CancelScope(parent.signal);
    let late: CancelScope | undefined;
    first.signal.addEventListener("abort", () => {
      third.close();
      late = new CancelScope(parent.signal);
    });
    parent.abort(new Error("stop"));
    assert.ok(first.aborted && second.aborted);
    // Detached before any listener ran: every child linked at the abort is reached, as with
    // the set this list replaced; a scope linked afterwards sees the parent aborted.
    assert.ok(third.aborted);
    assert.ok(late?.aborted);
  });

  test("closing children in any order keeps the list whole", () => {
    const parent = new CancelScope();
    const children = Array.from({ length: 8 }, () => new CancelScope(parent.signal));
    for (const i of [0, 7, 3, 4, 1]) children[i]?.close();
    const again = new CancelScope(parent.signal);
    parent.abort(new Error("stop"));
    assert.deepEqual(
      children.map((c) => c.aborted),
      [false, false, true, false, false, true, true, false],
    );
    assert.ok(again.aborted);
  });
});

describe("a wait that need not wait asks for no signal", () => {
  test("borrowing an idle resource inside a scope makes no signal; a borrow that waits does", async () => {
    const pool = new Pool({ create: () => ({}), max: 1 });
    await asyncWith(pool.acquire(), () => undefined); // one idle resource from here on
    made = 0; // making it took a controller of its own, for create(signal)
    await asyncWith(timeout(60_000), async () => {
      await asyncWith(pool.acquire(), () => undefined);
      assert.equal(made, 0, "an idle resource was handed over without the scope's signal");
      let waiting: Promise<string> | undefined;
      await asyncWith(pool.acquire(), () => {
        waiting = asyncWith(pool.acquire(), () => "second");
        assert.equal(made, 1, "the borrow that queued asked for the scope's signal");
      });
      assert.equal(await waiting, "second");
    });
    await pool.close();
  });

  test("an idle resource is still refused inside a scope that has aborted", async () => {
    const pool = new Pool({ create: () => ({}), max: 1 });
    await asyncWith(pool.acquire(), () => undefined);
    const scope = new CancelScope({});
    const reason = new Error("cancelled");
    let refused: unknown;
    await asyncWith(scope, async () => {
      scope.abort(reason);
      refused = await asyncWith(pool.acquire(), () => "borrowed").catch((error: unknown) => error);
    }).catch(() => undefined);
    assert.equal(refused, reason);
    await pool.close();
  });

  test("waiting on an Event that is set makes no signal; one that is not set does, and a cancelled scope refuses", async () => {
    const ready = new Event();
    ready.set();
    const idle = new Event();
    await asyncWith(timeout(60_000), async () => {
      assert.equal(await ready.wait(), true);
      assert.equal(made, 0);
      const waiting = idle.wait();
      assert.equal(made, 1);
      idle.set();
      assert.equal(await waiting, true);
    });
    const scope = new CancelScope({});
    const reason = new Error("cancelled");
    let refused: unknown;
    await asyncWith(scope, async () => {
      scope.abort(reason);
      refused = await ready.wait().catch((error: unknown) => error);
    }).catch(() => undefined);
    assert.equal(refused, reason);
  });

  test("taking a free Lock or Semaphore inside a scope makes no signal; a cancelled scope still refuses", async () => {
    const lock = new Lock();
    const semaphore = new Semaphore(2);
    await asyncWith(timeout(60_000), async () => {
      await asyncWith(lock, () => undefined);
      await asyncWith(semaphore, () => undefined);
      await lock.acquire({ timeoutMs: 1_000 });
      lock.release();
      assert.equal(made, 0);
      await asyncWith(lock, async () => {
        const waiting = lock.acquire();
        assert.equal(made, 1, "the acquire that queued asked for the scope's signal");
        setTimeout(() => lock.release(), 0); // hands the lock to the waiter; the block's exit releases it
        await waiting;
      });
    });
    const scope = new CancelScope({});
    const reason = new Error("cancelled");
    const refusals: unknown[] = [];
    await asyncWith(scope, async () => {
      scope.abort(reason);
      refusals.push(await lock.acquire().catch((error: unknown) => error));
      refusals.push(await semaphore.acquire({ timeoutMs: 10 }).catch((error: unknown) => error));
    }).catch(() => undefined);
    assert.deepEqual(refusals, [reason, reason]);
    assert.equal(lock.locked(), false);
  });

  test("the arrival that trips a Barrier makes no signal; one that waits does", async () => {
    const barrier = new Barrier(2);
    await asyncWith(timeout(60_000), async () => {
      const first = barrier.wait();
      assert.equal(made, 1, "the first arrival waits, with the scope's signal");
      const second = barrier.wait();
      assert.equal(made, 1, "the last arrival trips the barrier without asking for it");
      assert.deepEqual(await Promise.all([first, second]), [0, 1]);
    });
  });
});
