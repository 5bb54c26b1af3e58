// trio/anyio's powers: CancelScope as a manager (cancel, cancelCalled, cancelledCaught, a movable
// deadline, shield), moveOnAfter/moveOnAt, TaskGroup.start and TaskGroup.cancel. The expected
// outcomes are trio's and anyio's documented semantics (see CASES-ambient.md).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  asyncWith,
  CancelledError,
  CancelScope,
  currentSignal,
  moveOnAfter,
  moveOnAt,
  RuntimeError,
  sleep,
  TaskGroup,
  TimeoutError,
  timeout,
} from "../../src/index.js";
import { rejectionOf, thrownBy, thrownByAsync } from "../support/throws.js";

// -- types: a scope that may end quietly makes asyncWith's result possibly undefined ---------------

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function expectType<Check extends true>(..._proof: Check extends true ? [] : [never]): void {}

function typeChecks(): void {
  const quiet = asyncWith(moveOnAfter(5), async () => 1);
  expectType<Equal<typeof quiet, Promise<number | undefined>>>();
  const scoped = asyncWith(new CancelScope(), async () => "x");
  expectType<Equal<typeof scoped, Promise<string | undefined>>>();
  const failing = asyncWith(timeout(5), async () => 1);
  expectType<Equal<typeof failing, Promise<number>>>();
  const group = asyncWith(new TaskGroup(), async () => 1);
  expectType<Equal<typeof group, Promise<number | undefined>>>();
  asyncWith(new TaskGroup(), async (tg) => {
    const port = tg.start<number>((started, signal) => {
      expectType<Equal<typeof signal, AbortSignal>>();
      started(8080);
      // @ts-expect-error started takes the declared type
      started("8080");
    });
    expectType<Equal<typeof port, Promise<number>>>();
    const ready = tg.start((started) => started());
    expectType<Equal<typeof ready, Promise<void>>>();
  });
}
void typeChecks;

describe("CancelScope as a manager", () => {
  test("cancel() ends the block quietly: undefined, cancelledCaught and cancelCalled", async () => {
    const scope = new CancelScope();
    let after = false;
    const result = await asyncWith(scope, async (s) => {
      assert.equal(s, scope);
      assert.equal(currentSignal(), scope.signal);
      scope.cancel();
      await sleep(10_000);
      after = true;
      return "never";
    });
    assert.equal(result, undefined);
    assert.equal(after, false);
    assert.equal(scope.cancelCalled, true);
    assert.equal(scope.cancelledCaught, true);
    assert.ok(scope.signal.reason instanceof CancelledError);
  });

  test("a block that never waits after cancel() completes with its value; nothing was caught", async () => {
    const scope = new CancelScope();
    const result = await asyncWith(scope, async () => {
      scope.cancel();
      return 7;
    });
    assert.equal(result, 7);
    assert.equal(scope.cancelCalled, true);
    assert.equal(scope.cancelledCaught, false);
  });

  test("cancel(reason): the reason is the signal's, and is swallowed when it comes back", async () => {
    const scope = new CancelScope();
    const reason = new Error("enough");
    let seen: unknown;
    await asyncWith(scope, async () => {
      scope.cancel(reason);
      seen = await rejectionOf(sleep(10_000));
      throw seen;
    });
    assert.equal(seen, reason);
    assert.equal(scope.cancelledCaught, true);
  });

  test("cancel() before entering: the block's first wait ends at once", async () => {
    const scope = new CancelScope();
    scope.cancel();
    assert.equal(await asyncWith(scope, () => sleep(10_000, "late")), undefined);
    assert.equal(scope.cancelledCaught, true);
  });

  test("an outer cancellation is never swallowed by an inner scope", async () => {
    const outer = new CancelScope();
    const inner = new CancelScope();
    await asyncWith(outer, () =>
      asyncWith(inner, async () => {
        outer.cancel();
        inner.cancel(); // too late: the signal already carries the outer reason
        await sleep(10_000);
      }),
    );
    assert.equal(inner.cancelCalled, true);
    assert.equal(inner.cancelledCaught, false);
    assert.equal(outer.cancelledCaught, true);
    assert.equal(inner.signal.reason, outer.signal.reason);
  });

  test("inner cancelled first: the inner swallows its own; the outer's next wait still ends", async () => {
    const outer = new CancelScope();
    const inner = new CancelScope();
    const steps: string[] = [];
    await asyncWith(outer, async () => {
      await asyncWith(inner, async () => {
        inner.cancel();
        outer.cancel();
        await sleep(10_000);
      });
      steps.push("after inner");
      await sleep(10_000);
      steps.push("never");
    });
    assert.deepEqual(steps, ["after inner"]);
    assert.equal(inner.cancelledCaught, true);
    assert.equal(outer.cancelledCaught, true);
  });

  test("a foreign error after cancel() propagates unchanged", async () => {
    const scope = new CancelScope();
    const failure = new RangeError("cleanup failed");
    const error = await thrownByAsync(() =>
      asyncWith(scope, async () => {
        scope.cancel();
        try {
          await sleep(10_000);
        } finally {
          // biome-ignore lint/correctness/noUnsafeFinally: the case under test.
          throw failure;
        }
      }),
    );
    assert.equal(error, failure);
    assert.equal(scope.cancelledCaught, false);
  });

  test("the signal option: its abort propagates as itself", async () => {
    const controller = new AbortController();
    const reason = new Error("caller left");
    const scope = new CancelScope({ signal: controller.signal });
    const error = await thrownByAsync(() =>
      asyncWith(scope, async () => {
        controller.abort(reason);
        await sleep(10_000);
      }),
    );
    assert.equal(error, reason);
    assert.equal(scope.cancelledCaught, false);
  });

  test("a scope made with a signal can be entered too: linked to that signal and the current scope", async () => {
    const controller = new AbortController();
    const outer = new CancelScope();
    const scope = new CancelScope(controller.signal);
    await asyncWith(outer, () =>
      asyncWith(scope, async () => {
        outer.cancel();
        await sleep(10_000);
      }),
    );
    assert.equal(outer.cancelledCaught, true);
    assert.equal(scope.abortedFromOutside, true);
  });

  test("single use, and exit only after entry", async () => {
    const scope = new CancelScope();
    assert.equal((thrownBy(() => scope.aexit()) as Error).message, "CancelScope has not been entered");
    await asyncWith(scope, async () => {});
    const again = await thrownByAsync(() => asyncWith(scope, async () => {}));
    assert.ok(again instanceof RuntimeError);
    assert.equal(again.message, "CancelScope has already been entered");
    assert.equal((thrownBy(() => scope.aexit()) as Error).message, "CancelScope has already been exited");
  });

  test("bad options are refused in the constructor", () => {
    assert.ok(thrownBy(() => new CancelScope(null as never)) instanceof TypeError);
    assert.ok(thrownBy(() => new CancelScope({ deadline: "soon" as never })) instanceof TypeError);
    assert.ok(thrownBy(() => new CancelScope({ deadline: Number.NaN })) instanceof RangeError);
    assert.ok(thrownBy(() => new CancelScope({ shield: 1 as never })) instanceof TypeError);
    assert.ok(thrownBy(() => new CancelScope({ signal: {} as never })) instanceof TypeError);
    assert.ok(thrownBy(() => moveOnAfter("5" as never)) instanceof TypeError);
    assert.ok(thrownBy(() => moveOnAfter(5, 3 as never)) instanceof TypeError);
    const scope = new CancelScope();
    assert.ok(thrownBy(() => Object.assign(scope, { shield: "yes" })) instanceof TypeError);
    assert.ok(thrownBy(() => Object.assign(scope, { deadline: Number.NaN })) instanceof RangeError);
  });
});

describe("CancelScope deadlines, moveOnAfter and moveOnAt", () => {
  test("moveOnAfter: the expiry ends the block quietly", async () => {
    const scope = moveOnAfter(10);
    const start = performance.now();
    assert.equal(await asyncWith(scope, () => sleep(10_000, "late")), undefined);
    assert.ok(performance.now() - start >= 8);
    assert.equal(scope.cancelCalled, true);
    assert.equal(scope.cancelledCaught, true);
  });

  test("moveOnAfter: a block that finishes in time keeps its value", async () => {
    const scope = moveOnAfter(10_000);
    assert.equal(await asyncWith(scope, () => sleep(1, "on time")), "on time");
    assert.equal(scope.cancelCalled, false);
    assert.equal(scope.cancelledCaught, false);
  });

  test("moveOnAt with a deadline already past cancels at once", async () => {
    const scope = moveOnAt(performance.now() - 1);
    assert.equal(await asyncWith(scope, () => sleep(10_000, "late")), undefined);
    assert.equal(scope.cancelledCaught, true);
  });

  test("the deadline moves: later lets the work finish, earlier cuts it short", async () => {
    const extended = moveOnAfter(5);
    const result = await asyncWith(extended, async (s) => {
      s.deadline = performance.now() + 10_000;
      return sleep(20, "finished");
    });
    assert.equal(result, "finished");
    assert.equal(extended.cancelCalled, false);

    const shortened = new CancelScope();
    assert.equal(shortened.deadline, Infinity);
    const start = performance.now();
    const cut = await asyncWith(shortened, async (s) => {
      s.deadline = performance.now() + 5;
      return sleep(10_000, "late");
    });
    assert.equal(cut, undefined);
    assert.ok(performance.now() - start < 5_000);
    shortened.deadline = 0; // after exit: recorded, no effect
    assert.equal(shortened.deadline, 0);
  });

  test("an outer timeout around moveOnAfter: the outer one's TimeoutError, never swallowed", async () => {
    const inner = moveOnAfter(10_000);
    const error = await thrownByAsync(() => asyncWith(timeout(5), () => asyncWith(inner, () => sleep(10_000))));
    assert.ok(error instanceof TimeoutError);
    assert.equal(inner.cancelledCaught, false);
  });
});

describe("CancelScope shield", () => {
  test("a shielded scope keeps an outer cancellation out; its own deadline still applies", async () => {
    const outer = new CancelScope();
    const shielded = new CancelScope({ shield: true });
    const steps: string[] = [];
    await asyncWith(outer, async () => {
      outer.cancel();
      await asyncWith(shielded, async () => {
        await sleep(1);
        steps.push("waited under the shield");
        shielded.deadline = performance.now() + 5;
        await sleep(10_000);
        steps.push("never");
      });
      steps.push("back outside");
      await sleep(10_000);
    });
    assert.deepEqual(steps, ["waited under the shield", "back outside"]);
    assert.equal(shielded.cancelledCaught, true);
    assert.equal(outer.cancelledCaught, true);
  });

  test("turning the shield off inside the block lets the outer cancellation in at once", async () => {
    const outer = new CancelScope();
    const shielded = new CancelScope({ shield: true });
    await asyncWith(outer, async () => {
      outer.cancel();
      await asyncWith(shielded, async (s) => {
        assert.equal(s.shield, true);
        assert.equal(s.signal.aborted, false);
        s.shield = false;
        assert.equal(s.signal.reason, outer.signal.reason);
        await sleep(10_000);
      });
    });
    assert.equal(shielded.cancelledCaught, false);
    assert.equal(outer.cancelledCaught, true);
  });

  test("turning the shield on inside the block keeps a later outer cancellation out", async () => {
    const outer = new CancelScope();
    const scope = new CancelScope();
    let finished = false;
    await asyncWith(outer, () =>
      asyncWith(scope, async (s) => {
        s.shield = true;
        s.shield = true; // no change
        outer.cancel();
        await sleep(5);
        finished = true;
        s.shield = true;
      }),
    );
    assert.equal(finished, true);
    assert.equal(outer.cancelCalled, true);
    assert.equal(outer.cancelledCaught, false, "nothing inside waited after the shield came down");
  });

  test("a shield also keeps out the signal option", async () => {
    const controller = new AbortController();
    controller.abort(new Error("gone"));
    const scope = new CancelScope({ shield: true, signal: controller.signal });
    assert.equal(await asyncWith(scope, () => sleep(1, "done")), "done");
  });
});

describe("TaskGroup.start", () => {
  test("resolves with the value passed to started(); the task lives on in the group", async () => {
    const log: string[] = [];
    await asyncWith(new TaskGroup(), async (tg) => {
      const port = await tg.start<number>(async (started, signal) => {
        assert.equal(currentSignal(), signal);
        await sleep(1);
        started(8080);
        await sleep(5);
        log.push("server stopped");
      });
      log.push(`started on ${port}`);
    });
    assert.deepEqual(log, ["started on 8080", "server stopped"]);
  });

  test("a failure before started() rejects start() and is not a failure of the group", async () => {
    const failure = new Error("bind failed");
    const result = await asyncWith(new TaskGroup(), async (tg) => {
      const error = await rejectionOf(
        tg.start(async () => {
          await sleep(1);
          throw failure;
        }),
      );
      assert.equal(error, failure);
      const syncError = await rejectionOf(
        tg.start(() => {
          throw failure;
        }),
      );
      assert.equal(syncError, failure);
      return "group fine";
    });
    assert.equal(result, "group fine");
  });

  test("a task that ends without calling started() rejects start() with trio's RuntimeError", async () => {
    await asyncWith(new TaskGroup(), async (tg) => {
      const error = await rejectionOf(tg.start(async () => {}));
      assert.ok(error instanceof RuntimeError);
      assert.equal(error.message, "child exited without calling task_status.started()");
    });
  });

  test("a failure after started() is the group's: it aborts the others and is reported on exit", async () => {
    const failure = new Error("crashed later");
    let siblingReason: unknown;
    const error = await thrownByAsync(() =>
      asyncWith(new TaskGroup(), async (tg) => {
        tg.createTask(async () => {
          siblingReason = await rejectionOf(sleep(10_000));
          throw siblingReason;
        });
        await tg.start(async (started) => {
          started();
          await sleep(1);
          throw failure;
        });
      }),
    );
    assert.ok(error instanceof AggregateError);
    assert.deepEqual(error.errors, [failure]);
    assert.ok(siblingReason instanceof CancelledError);
  });

  test("started() twice is a RuntimeError in the task", async () => {
    let second: unknown;
    await asyncWith(new TaskGroup(), async (tg) => {
      await tg.start<number>(async (started) => {
        started(1);
        second = thrownBy(() => started(2));
      });
    });
    assert.ok(second instanceof RuntimeError);
    assert.equal((second as Error).message, "called 'started' twice on the same task status");
  });

  test("the group cancelled before started(): start() rejects with the abort", async () => {
    const scope = new CancelScope();
    await asyncWith(scope, () =>
      asyncWith(new TaskGroup(), async (tg) => {
        const pending = rejectionOf(tg.start(() => sleep(10_000)));
        scope.cancel();
        assert.equal(await pending, scope.signal.reason);
        throw await pending;
      }),
    );
    assert.equal(scope.cancelledCaught, true);
  });

  test("start() on a group that cannot take tasks rejects; a non-function is a TypeError", async () => {
    const tg = new TaskGroup();
    assert.ok((await rejectionOf(tg.start(async () => {}))) instanceof RuntimeError);
    assert.ok((await rejectionOf(tg.start(5 as never))) instanceof TypeError);
  });
});

describe("TaskGroup.cancel", () => {
  test("from inside: every task and the block end, and the group exits quietly", async () => {
    const reasons: unknown[] = [];
    let group: TaskGroup | undefined;
    const result = await asyncWith(new TaskGroup(), async (tg) => {
      group = tg;
      tg.createTask(async () => {
        reasons.push(await rejectionOf(sleep(10_000)));
        throw reasons[0];
      });
      await sleep(1);
      tg.cancel();
      await sleep(10_000);
      return "never";
    });
    assert.equal(result, undefined);
    assert.equal(reasons.length, 1);
    assert.ok(reasons[0] instanceof CancelledError);
    assert.equal(String(group), "<TaskGroup cancelling>");
    assert.ok(thrownBy(() => group?.createTask(async () => {})) instanceof RuntimeError);
  });

  test("from outside, with a reason: the block that already returned still waits for the tasks", async () => {
    const reason = new Error("shutdown");
    const tg = new TaskGroup();
    let taskError: unknown;
    setTimeout(() => tg.cancel(reason), 5);
    const result = await asyncWith(tg, (group) => {
      group.createTask(async () => {
        taskError = await rejectionOf(sleep(10_000));
        throw taskError;
      });
      return "block done";
    });
    assert.equal(result, "block done");
    assert.equal(taskError, reason);
  });

  test("failures of tasks are still thrown after cancel()", async () => {
    const failure = new Error("failed while cancelled");
    const error = await thrownByAsync(() =>
      asyncWith(new TaskGroup(), async (tg) => {
        tg.createTask(async () => {
          try {
            await sleep(10_000);
          } finally {
            // biome-ignore lint/correctness/noUnsafeFinally: the case under test.
            throw failure;
          }
        });
        tg.cancel();
        await sleep(10_000);
      }),
    );
    assert.ok(error instanceof AggregateError);
    assert.deepEqual(error.errors, [failure]);
  });

  test("cancel() before entering cancels the group on entry; after exit it does nothing (Python 3.15)", async () => {
    const early = new TaskGroup();
    const reason = new Error("not needed");
    early.cancel(reason);
    let seen: unknown;
    const result = await asyncWith(early, async (tg) => {
      assert.equal(tg.signal.reason, reason);
      seen = await rejectionOf(sleep(10_000));
      throw seen;
    });
    assert.equal(result, undefined);
    assert.equal(seen, reason);
    early.cancel();
    assert.equal(early.signal.reason, reason);
    const finished = new TaskGroup();
    await asyncWith(finished, async () => {});
    finished.cancel();
    assert.equal(finished.signal.aborted, false);
  });

  test("cancel() after a failure changes nothing", async () => {
    const failure = new Error("first");
    const error = await thrownByAsync(() =>
      asyncWith(new TaskGroup(), async (tg) => {
        tg.createTask(async () => {
          throw failure;
        });
        await sleep(1).catch(() => {});
        tg.cancel();
      }),
    );
    assert.ok(error instanceof AggregateError);
    assert.deepEqual(error.errors, [failure]);
  });

  test("an outer scope's cancellation of a group is not swallowed by the group", async () => {
    const outer = new CancelScope();
    await asyncWith(outer, () =>
      asyncWith(new TaskGroup(), async (tg) => {
        tg.createTask(() => sleep(10_000));
        outer.cancel();
        await sleep(10_000);
      }),
    );
    assert.equal(outer.cancelledCaught, true);
  });
});
