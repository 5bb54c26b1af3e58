// Scale of TaskGroup: linear in its number of tasks, and no abort listener per task on any
// signal (Node warns with MaxListenersExceededWarning from 11 listeners on one signal). Growth is
// measured as a ratio of per-task costs at two sizes with a wide margin, never as a speed: with
// one listener per task on the group's signal, 10x the tasks cost about 100x the time (every
// add and remove walks the listener list): the ratio of per-task costs measured 3 to 7 then,
// and 0.4 to 0.8 now (Node 20, loaded 2-core machine).
import assert from "node:assert/strict";
import { getEventListeners } from "node:events";
import { test } from "node:test";
import { asyncWith, CancelScope, type Task, TaskGroup } from "../../src/index.js";

async function runGroup(tasks: number, parent: AbortSignal): Promise<number> {
  const started = performance.now();
  let sum = 0;
  await asyncWith(new TaskGroup({ signal: parent }), (tg) => {
    for (let i = 0; i < tasks; i++) {
      tg.createTask(async (signal) => {
        if (signal.aborted) throw signal.reason;
        sum++;
      });
    }
  });
  assert.equal(sum, tasks);
  return performance.now() - started;
}

test("TaskGroup is linear in its number of tasks (per-task cost at 40,000 within 6x of 1,000's)", async () => {
  // 40x the tasks: a per-task cost that grows with the group (the quadratic bug) shows as a
  // ratio of tens; a linear group stays near 1 even when a collection lands in the large run,
  // which under a loaded, parallel test run made a 10x/2.5x check fail now and then. Each size
  // takes the best of two runs.
  const parent = new AbortController().signal;
  await runGroup(1_000, parent); // warm-up
  const small = Math.min(await runGroup(1_000, parent), await runGroup(1_000, parent)) / 1_000;
  const large = Math.min(await runGroup(40_000, parent), await runGroup(40_000, parent)) / 40_000;
  assert.ok(large / small < 6, `per task: ${small.toFixed(4)} ms at 1,000, ${large.toFixed(4)} ms at 40,000`);
  assert.equal(getEventListeners(parent, "abort").length, 0);
});

test("no listener per task: the group's and the caller's signals keep at most one, for any size", async () => {
  const warnings: Error[] = [];
  const onWarning = (warning: Error) => warnings.push(warning);
  process.on("warning", onWarning);
  try {
    const caller = new AbortController();
    let tasks: Task<void>[] = [];
    await asyncWith(new TaskGroup({ signal: caller.signal }), async (tg) => {
      for (let i = 0; i < 1_000; i++) {
        tasks.push(tg.createTask(async () => {}));
      }
      assert.equal(getEventListeners(tg.signal, "abort").length, 0, "tasks are linked without listeners");
      assert.equal(getEventListeners(caller.signal, "abort").length, 1, "the group's one link");
    });
    assert.equal(getEventListeners(caller.signal, "abort").length, 0);
    assert.ok(tasks.every((t) => t.done()));
    tasks = [];
    // Let a warning emitted on the way reach the listener (it is emitted on the next tick).
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(
      warnings.filter((w) => w.name === "MaxListenersExceededWarning"),
      [],
    );
  } finally {
    process.off("warning", onWarning);
  }
});

test("one failure among 10,000 waiting tasks aborts every one of them, each once", async () => {
  let aborted = 0;
  const failure = new Error("one");
  const error = await asyncWith(new TaskGroup(), async (tg) => {
    for (let i = 0; i < 10_000; i++) {
      tg.createTask(
        (signal) =>
          new Promise<void>((_, reject) => {
            signal.addEventListener("abort", () => {
              aborted++;
              reject(signal.reason);
            });
          }),
      );
    }
    tg.createTask(async () => {
      throw failure;
    });
  }).then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(error instanceof AggregateError);
  assert.deepEqual(error.errors, [failure]);
  assert.equal(aborted, 10_000);
});

test("scopes nest through library signals without listeners, and close() unlinks them", () => {
  const root = new CancelScope();
  const children = Array.from({ length: 100 }, () => new CancelScope(root.signal));
  assert.equal(getEventListeners(root.signal, "abort").length, 0);
  for (const child of children.slice(0, 50)) child.close();
  const reason = new Error("root");
  root.abort(reason);
  assert.equal(children.filter((c) => c.aborted).length, 50, "closed scopes are not reached");
  for (const child of children.slice(50)) {
    assert.ok(child.abortedFromOutside);
    assert.equal(child.signal.reason, reason);
  }
});
