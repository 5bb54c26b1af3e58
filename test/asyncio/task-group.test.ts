import assert from "node:assert/strict";
import { getEventListeners } from "node:events";
import { describe, test } from "node:test";
import { setTimeout as nodeSleep } from "node:timers/promises";
import {
  type AsyncContextManager,
  asyncWith,
  CancelledError,
  type ExcInfo,
  errorContext,
  RuntimeError,
  type Task,
  TaskGroup,
  type Timeout,
  TimeoutError,
  timeout,
} from "../../src/index.js";
import { aborted, sleep } from "../support/async.js";
import { rejectionOf, thrownBy, thrownByAsync } from "../support/throws.js";

function errorsOf(error: unknown): unknown[] {
  assert.ok(error instanceof AggregateError, `expected an AggregateError, got ${String(error)}`);
  assert.equal(error.message, "unhandled errors in a TaskGroup");
  return error.errors;
}

function typesOf(error: unknown): Set<string> {
  return new Set(errorsOf(error).map((e) => (e as Error).constructor.name));
}

class ZeroDivisionError extends Error {
  override name = "ZeroDivisionError";
}
class MyExc extends Error {
  override name = "MyExc";
}

describe("TaskGroup: cases 207-254 (test_taskgroups.py)", () => {
  test("case 207 test_taskgroup_01", async () => {
    let t1: Task<number> | undefined;
    let t2: Task<number> | undefined;
    await asyncWith(new TaskGroup(), (tg) => {
      t1 = tg.createTask(async (signal) => {
        await sleep(2, signal);
        return 42;
      });
      t2 = tg.createTask(async (signal) => {
        await sleep(4, signal);
        return 11;
      });
    });
    assert.equal(t1?.result(), 42);
    assert.equal(t2?.result(), 11);
  });

  test("case 208 test_taskgroup_02", async () => {
    let t1: Task<number> | undefined;
    let t2: Task<number> | undefined;
    await asyncWith(new TaskGroup(), async (tg) => {
      t1 = tg.createTask(async (signal) => {
        await sleep(2, signal);
        return 42;
      });
      await sleep(3, tg.signal);
      t2 = tg.createTask(async (signal) => {
        await sleep(2, signal);
        return 11;
      });
    });
    assert.equal(t1?.result(), 42);
    assert.equal(t2?.result(), 11);
  });

  test("case 209 test_taskgroup_03 (a task aborted on its own is ignored)", async () => {
    let t1: Task<number> | undefined;
    let t2: Task<number> | undefined;
    await asyncWith(new TaskGroup(), async (tg) => {
      t1 = tg.createTask(async (signal) => {
        await sleep(10_000, signal);
        return 42;
      });
      t2 = tg.createTask(async (signal) => {
        await sleep(2, signal);
        return 11;
      });
      await null;
      assert.equal(t1.abort(), true);
      assert.equal(tg.signal.aborted, false, "aborting one task does not abort the group");
    });
    assert.ok(t1?.cancelled());
    assert.throws(() => t1?.result(), CancelledError);
    assert.equal(t2?.result(), 11);
  });

  test("case 210 test_taskgroup_04", async () => {
    let num = 0;
    let t2Cancelled = false;
    let t2: Task<void> | undefined;
    const error = await thrownByAsync(async () => {
      await asyncWith(new TaskGroup(), (tg) => {
        tg.createTask(async (signal) => {
          await sleep(2, signal);
          throw new ZeroDivisionError("division by zero");
        });
        t2 = tg.createTask(async (signal) => {
          try {
            await sleep(10_000, signal);
          } catch (e) {
            t2Cancelled = e instanceof CancelledError;
            throw e;
          }
        });
      });
      num += 10;
    });
    assert.deepEqual(typesOf(error), new Set(["ZeroDivisionError"]));
    assert.equal(num, 0);
    assert.ok(t2Cancelled);
    assert.ok(t2?.cancelled());
  });

  test("case 211 test_cancel_children_on_child_error", async () => {
    let t2Cancel = false;
    let runnerCancel = false;
    const error = await thrownByAsync(() =>
      asyncWith(new TaskGroup(), async (tg) => {
        for (let i = 0; i < 3; i++) {
          tg.createTask(async (signal) => {
            await sleep(2, signal);
            throw new ZeroDivisionError("division by zero");
          });
        }
        tg.createTask(async (signal) => {
          try {
            await sleep(10_000, signal);
          } catch (e) {
            t2Cancel = true;
            throw e;
          }
        });
        try {
          await sleep(10_000, tg.signal);
        } catch (e) {
          runnerCancel = true;
          throw e;
        }
      }),
    );
    // The first failure aborts the other two before they fail: they end cancelled.
    assert.deepEqual(typesOf(error), new Set(["ZeroDivisionError"]));
    assert.ok(t2Cancel);
    assert.ok(runnerCancel);
    const reason = errorContext(error) as Error;
    assert.ok(reason instanceof CancelledError, "the block's error (the group's abort) is the group's context");
    assert.match(reason.message, /^TaskGroup aborted because a task failed: division by zero$/);
  });

  test("case 212 test_cancellation (an outer abort with healthy tasks propagates as that abort)", async () => {
    const caller = new AbortController();
    const reason = new Error("runner cancelled");
    let num = 0;
    const run = asyncWith(new TaskGroup({ signal: caller.signal }), (tg) => {
      for (let i = 0; i < 5; i++) {
        tg.createTask(async (signal) => {
          try {
            await sleep(10_000, signal);
          } catch (e) {
            num++;
            throw e;
          }
        });
      }
    });
    setTimeout(() => caller.abort(reason), 1);
    assert.equal(await thrownByAsync(() => run), reason);
    assert.equal(num, 5);
  });

  test("case 213 test_taskgroup_07", async () => {
    const caller = new AbortController();
    const reason = new Error("runner cancelled");
    let num = 0;
    const run = asyncWith(new TaskGroup({ signal: caller.signal }), async (tg) => {
      for (let i = 0; i < 5; i++) {
        tg.createTask(async (signal) => {
          try {
            await sleep(10_000, signal);
          } catch (e) {
            num++;
            throw e;
          }
        });
      }
      try {
        await sleep(10_000, tg.signal);
      } catch (e) {
        num += 10;
        throw e;
      }
    });
    setTimeout(() => caller.abort(reason), 1);
    assert.equal(await thrownByAsync(() => run), reason);
    assert.equal(num, 15);
  });

  test("case 214 test_taskgroup_08 (failures beat the outer abort)", async () => {
    const caller = new AbortController();
    const run = asyncWith(new TaskGroup({ signal: caller.signal }), async (tg) => {
      for (let i = 0; i < 5; i++) {
        tg.createTask(async (signal) => {
          try {
            await sleep(10_000, signal);
          } finally {
            // biome-ignore lint/correctness/noUnsafeFinally: the case is about a finally that throws.
            throw new ZeroDivisionError("division by zero");
          }
        });
      }
      await sleep(10_000, tg.signal);
    });
    setTimeout(() => caller.abort(new Error("runner cancelled")), 1);
    const error = await thrownByAsync(() => run);
    assert.deepEqual(typesOf(error), new Set(["ZeroDivisionError"]));
    assert.equal(errorsOf(error).length, 5);
  });

  test("case 215 test_taskgroup_09", async () => {
    const tasks: Task<void>[] = [];
    const error = await thrownByAsync(() =>
      asyncWith(new TaskGroup(), async (tg) => {
        tasks.push(tg.createTask((signal) => sleep(10_000, signal)));
        tasks.push(tg.createTask((signal) => sleep(10_000, signal)));
        await sleep(2, tg.signal);
        throw new ZeroDivisionError("division by zero");
      }),
    );
    assert.deepEqual(typesOf(error), new Set(["ZeroDivisionError"]));
    assert.ok(tasks.every((t) => t.cancelled()));
  });

  test("case 216 test_taskgroup_10", async () => {
    const bodyError = new ZeroDivisionError("division by zero");
    const tasks: Task<void>[] = [];
    const error = await thrownByAsync(() =>
      asyncWith(new TaskGroup(), (tg) => {
        tasks.push(tg.createTask((signal) => sleep(10_000, signal)));
        tasks.push(tg.createTask((signal) => sleep(10_000, signal)));
        throw bodyError;
      }),
    );
    assert.deepEqual(errorsOf(error), [bodyError]);
    assert.equal(errorContext(error), bodyError);
    assert.ok(tasks.every((t) => t.cancelled()));
    assert.equal(tasks[0]?.signal.reason.cause, bodyError);
  });

  test("case 217 test_taskgroup_11 (groups nest: the inner AggregateError is a child error)", async () => {
    const caller = new AbortController();
    const run = asyncWith(new TaskGroup({ signal: caller.signal }), async (g1) => {
      await asyncWith(new TaskGroup({ signal: g1.signal }), async (g2) => {
        for (let i = 0; i < 5; i++) {
          g2.createTask(async (signal) => {
            try {
              await sleep(10_000, signal);
            } finally {
              // biome-ignore lint/correctness/noUnsafeFinally: the case is about a finally that throws.
              throw new ZeroDivisionError("division by zero");
            }
          });
        }
        await sleep(10_000, g2.signal);
      });
    });
    setTimeout(() => caller.abort(new Error("runner cancelled")), 1);
    const error = await thrownByAsync(() => run);
    const outer = errorsOf(error);
    assert.equal(outer.length, 1);
    assert.deepEqual(typesOf(outer[0]), new Set(["ZeroDivisionError"]));
  });

  test("case 218 test_taskgroup_12", async () => {
    const caller = new AbortController();
    const run = asyncWith(new TaskGroup({ signal: caller.signal }), async (g1) => {
      g1.createTask((signal) => sleep(10_000, signal));
      await asyncWith(new TaskGroup({ signal: g1.signal }), async (g2) => {
        for (let i = 0; i < 5; i++) {
          g2.createTask(async (signal) => {
            try {
              await sleep(10_000, signal);
            } finally {
              // biome-ignore lint/correctness/noUnsafeFinally: the case is about a finally that throws.
              throw new ZeroDivisionError("division by zero");
            }
          });
        }
        await sleep(10_000, g2.signal);
      });
    });
    setTimeout(() => caller.abort(new Error("runner cancelled")), 1);
    const error = await thrownByAsync(() => run);
    assert.deepEqual(typesOf(error), new Set(["AggregateError"]));
    assert.deepEqual(typesOf(errorsOf(error)[0]), new Set(["ZeroDivisionError"]));
  });

  test("case 219 test_taskgroup_13 (an inner group aborted by the outer re-throws the outer abort)", async () => {
    let innerError: unknown;
    const error = await thrownByAsync(() =>
      asyncWith(new TaskGroup(), async (g1) => {
        g1.createTask(async (signal) => {
          await sleep(2, signal);
          throw new RangeError("value");
        });
        try {
          await asyncWith(new TaskGroup({ signal: g1.signal }), (g2) => {
            g2.createTask(async (signal) => {
              await sleep(10_000, signal);
              throw new ZeroDivisionError("division by zero");
            });
          });
        } catch (e) {
          innerError = e;
          throw e;
        }
      }),
    );
    assert.deepEqual(typesOf(error), new Set(["RangeError"]));
    assert.ok(innerError instanceof CancelledError);
    assert.equal(innerError.cause, errorsOf(error)[0]);
  });

  test("case 220 test_taskgroup_14", async () => {
    const error = await thrownByAsync(() =>
      asyncWith(new TaskGroup(), async (g1) => {
        g1.createTask(async (signal) => {
          await sleep(10_000, signal);
          throw new ZeroDivisionError("division by zero");
        });
        await asyncWith(new TaskGroup({ signal: g1.signal }), (g2) => {
          g2.createTask(async (signal) => {
            await sleep(2, signal);
            throw new RangeError("value");
          });
        });
      }),
    );
    assert.deepEqual(typesOf(error), new Set(["AggregateError"]));
    assert.deepEqual(typesOf(errorsOf(error)[0]), new Set(["RangeError"]));
  });

  test("case 221 test_taskgroup_15 (the block keeps working after the outer abort; a later failure wins)", async () => {
    const caller = new AbortController();
    const run = asyncWith(new TaskGroup({ signal: caller.signal }), async (tg) => {
      tg.createTask(async () => {
        await sleep(8); // ignores the abort, then fails
        throw new ZeroDivisionError("division by zero");
      });
      try {
        await sleep(10_000, tg.signal);
      } catch (e) {
        await sleep(12);
        throw e;
      }
    });
    setTimeout(() => caller.abort(new Error("runner cancelled")), 1);
    const error = await thrownByAsync(() => run);
    assert.deepEqual(typesOf(error), new Set(["ZeroDivisionError"]));
  });

  test("case 222 test_taskgroup_16 (as 221, from inside another group's task)", async () => {
    const caller = new AbortController();
    const run = asyncWith(new TaskGroup({ signal: caller.signal }), async (outer) => {
      const task = outer.createTask((outerSignal) =>
        asyncWith(new TaskGroup({ signal: outerSignal }), async (tg) => {
          tg.createTask(async () => {
            await sleep(8);
            throw new ZeroDivisionError("division by zero");
          });
          try {
            await sleep(10_000, tg.signal);
          } catch (e) {
            await sleep(12);
            throw e;
          }
        }),
      );
      await task.then(undefined, () => {});
    });
    setTimeout(() => caller.abort(new Error("runner cancelled")), 1);
    const error = await thrownByAsync(() => run);
    assert.deepEqual(typesOf(error), new Set(["AggregateError"]));
    assert.deepEqual(typesOf(errorsOf(error)[0]), new Set(["ZeroDivisionError"]));
  });

  test("case 223 test_taskgroup_17", async () => {
    const caller = new AbortController();
    const reason = new Error("runner cancelled");
    let num = 0;
    const run = asyncWith(new TaskGroup({ signal: caller.signal }), async (tg) => {
      try {
        await sleep(10_000, tg.signal);
      } catch (e) {
        num += 10;
        throw e;
      }
    });
    setTimeout(() => caller.abort(reason), 1);
    assert.equal(await thrownByAsync(() => run), reason);
    assert.equal(num, 10);
  });

  test("case 224 test_taskgroup_18", async () => {
    const caller = new AbortController();
    let num = 0;
    const run = asyncWith(new TaskGroup({ signal: caller.signal }), async (tg) => {
      try {
        await sleep(10_000, tg.signal);
      } catch {
        num += 10;
        throw new MyExc("turned into an error");
      }
    });
    setTimeout(() => caller.abort(new Error("runner cancelled")), 1);
    const error = await thrownByAsync(() => run);
    assert.deepEqual(typesOf(error), new Set(["MyExc"]));
    assert.equal(num, 10);
  });

  test("case 225 test_taskgroup_19 (the block's error is appended after the tasks')", async () => {
    const error = await thrownByAsync(() =>
      asyncWith(new TaskGroup(), async (tg) => {
        tg.createTask(async (signal) => {
          await sleep(2, signal);
          throw new ZeroDivisionError("division by zero");
        });
        try {
          await sleep(10_000, tg.signal);
        } finally {
          // biome-ignore lint/correctness/noUnsafeFinally: the case is about a finally that throws.
          throw new MyExc("nested");
        }
      }),
    );
    assert.deepEqual(
      errorsOf(error).map((e) => (e as Error).name),
      ["ZeroDivisionError", "MyExc"],
    );
  });

  test("case 228 test_taskgroup_21a (adapted: any thrown value is grouped, none is raised alone)", async () => {
    const error = await thrownByAsync(() =>
      asyncWith(new TaskGroup(), async (tg) => {
        tg.createTask(async (signal) => {
          await sleep(2, signal);
          throw "a thrown string";
        });
        try {
          await sleep(10_000, tg.signal);
        } finally {
          // biome-ignore lint/correctness/noUnsafeFinally: the case is about a finally that throws.
          throw new TypeError("nested");
        }
      }),
    );
    const errors = errorsOf(error);
    assert.equal(errors[0], "a thrown string");
    assert.ok(errors[1] instanceof TypeError);
  });

  test("case 229 test_taskgroup_22", async () => {
    const caller = new AbortController();
    const reason = new Error("runner cancelled");
    const run = asyncWith(new TaskGroup({ signal: caller.signal }), (tg) => {
      tg.createTask((signal) => sleep(10_000, signal));
      tg.createTask((signal) => sleep(10_000, signal));
    });
    setTimeout(() => caller.abort(reason), 1);
    assert.equal(await thrownByAsync(() => run), reason);
  });

  test("case 230 test_taskgroup_23 (finished tasks leave the group)", async () => {
    await asyncWith(new TaskGroup(), async (tg) => {
      const gates: (() => void)[] = [];
      for (let i = 0; i < 5; i++) tg.createTask(() => new Promise<void>((resolve) => gates.push(resolve)));
      assert.equal(String(tg), "<TaskGroup tasks=5 entered>");
      gates[0]?.();
      gates[1]?.();
      await sleep(0);
      assert.equal(String(tg), "<TaskGroup tasks=3 entered>");
      for (const open of gates) open();
      await sleep(0);
      assert.equal(String(tg), "<TaskGroup entered>");
    });
  });

  test("case 231 test_taskgroup_24 (a task adds siblings)", async () => {
    const done: number[] = [];
    await asyncWith(new TaskGroup(), (tg) => {
      tg.createTask(async (signal) => {
        await sleep(1, signal);
        tg.createTask(async (s) => {
          await sleep(1, s);
          done.push(1);
        });
        tg.createTask(async (s) => {
          await sleep(2, s);
          done.push(2);
        });
      });
    });
    assert.deepEqual(done, [1, 2]);
  });

  test("case 232 test_taskgroup_25 (hydras spawn siblings while exit waits)", async () => {
    let nhydras = 0;
    const error = await thrownByAsync(() =>
      asyncWith(new TaskGroup(), (tg) => {
        const hydra = async (signal: AbortSignal): Promise<void> => {
          nhydras++;
          await sleep(1, signal);
          tg.createTask(hydra);
          tg.createTask(hydra);
        };
        const hercules = async (signal: AbortSignal): Promise<void> => {
          while (nhydras < 10) await sleep(1, signal);
          throw new ZeroDivisionError("division by zero");
        };
        tg.createTask(hydra);
        tg.createTask(hercules);
      }),
    );
    assert.deepEqual(typesOf(error), new Set(["ZeroDivisionError"]));
    assert.ok(nhydras >= 10);
  });

  test("case 233 test_taskgroup_task_name", async () => {
    await asyncWith(new TaskGroup(), (tg) => {
      const t = tg.createTask(async () => {}, { name: "yolo" });
      assert.equal(t.name, "yolo");
      assert.match(String(t), /^<Task yolo (running|fulfilled)>$/);
      assert.match(tg.createTask(async () => {}).name, /^Task-\d+$/);
    });
  });

  test("case 235 test_taskgroup_no_create_task_after_failure", async () => {
    let createError: unknown;
    const error = await thrownByAsync(() =>
      asyncWith(new TaskGroup(), (tg) => {
        tg.createTask(async (signal) => {
          await sleep(1, signal);
          throw new ZeroDivisionError("division by zero");
        });
        tg.createTask(async (signal) => {
          await aborted(signal);
          try {
            tg.createTask(async () => {});
          } catch (e) {
            createError = e;
          }
        });
      }),
    );
    assert.deepEqual(typesOf(error), new Set(["ZeroDivisionError"]));
    assert.ok(createError instanceof RuntimeError);
    assert.match(createError.message, /^TaskGroup <TaskGroup tasks=\d+ errors=1 cancelling> is shutting down$/);
  });

  test("case 236 test_taskgroup_context_manager_exit_raises (gh-95289)", async () => {
    class CustomException extends Error {}
    const database: AsyncContextManager<void, void> = {
      aenter() {},
      async aexit() {
        throw new CustomException("database");
      },
    };
    const caller = new AbortController();
    const error = await thrownByAsync(() =>
      asyncWith(new TaskGroup({ signal: caller.signal }), async (tg) => {
        tg.createTask(async () => {
          throw new CustomException("task");
        });
        await asyncWith(database, () => sleep(10_000, tg.signal));
      }),
    );
    assert.equal(errorsOf(error).length, 2);
    assert.ok(errorsOf(error).every((e) => e instanceof CustomException));
    assert.equal(caller.signal.aborted, false, "the caller is not left aborted");
  });

  test("case 237 test_taskgroup_already_entered", async () => {
    const tg = new TaskGroup();
    await asyncWith(tg, async () => {
      await assert.rejects(
        asyncWith(tg, () => {}),
        {
          name: "RuntimeError",
          message: "TaskGroup <TaskGroup entered> has already been entered",
        },
      );
    });
  });

  test("case 238 test_taskgroup_double_enter", async () => {
    const tg = new TaskGroup();
    await asyncWith(tg, () => {});
    await assert.rejects(
      asyncWith(tg, () => {}),
      { name: "RuntimeError", message: /has already been entered$/ },
    );
  });

  test("case 239/242 test_taskgroup_finished, test_coro_closed_when_tg_closed", async () => {
    const tg = new TaskGroup();
    await asyncWith(tg, () => {});
    let called = false;
    assert.throws(
      () =>
        tg.createTask(async () => {
          called = true;
        }),
      { name: "RuntimeError", message: "TaskGroup <TaskGroup entered> is finished" },
    );
    assert.equal(called, false, "the function is never called");
  });

  test("case 240 test_taskgroup_not_entered", () => {
    const tg = new TaskGroup();
    assert.equal(String(tg), "<TaskGroup>");
    assert.throws(() => tg.createTask(async () => {}), {
      name: "RuntimeError",
      message: "TaskGroup <TaskGroup> has not been entered",
    });
    assert.throws(() => tg.signal, { name: "RuntimeError", message: "TaskGroup <TaskGroup> has not been entered" });
  });

  test("case 243 test_cancelling_level_preserved (the caller's signal is untouched)", async () => {
    const caller = new AbortController();
    const error = await thrownByAsync(() =>
      asyncWith(new TaskGroup({ signal: caller.signal }), (tg) => {
        tg.createTask(async () => {
          throw new RuntimeError("task");
        });
      }),
    );
    assert.deepEqual(typesOf(error), new Set(["RuntimeError"]));
    assert.equal(caller.signal.aborted, false);
    assert.equal(getEventListeners(caller.signal, "abort").length, 0);
  });

  test("case 244 test_nested_groups_both_cancelled", async () => {
    const error = await thrownByAsync(() =>
      asyncWith(new TaskGroup(), async (outer) => {
        const innerError = await thrownByAsync(() =>
          asyncWith(new TaskGroup({ signal: outer.signal }), async (inner) => {
            outer.createTask(async () => {
              throw new RangeError("outer task");
            });
            inner.createTask(async () => {
              throw new RuntimeError("inner task");
            });
            await sleep(10_000, inner.signal);
          }),
        );
        // The inner failure is handled; the outer group is aborted by its own task.
        assert.ok(innerError instanceof AggregateError);
        assert.ok(outer.signal.aborted);
      }),
    );
    assert.deepEqual(typesOf(error), new Set(["RangeError"]));
  });

  test("case 245 test_error_and_cancel (the outer abort is not lost)", async () => {
    const caller = new AbortController();
    const error = await thrownByAsync(() =>
      asyncWith(new TaskGroup({ signal: caller.signal }), (tg) => {
        tg.createTask(async () => {
          caller.abort(new Error("cancel inner once"));
          await null;
          throw new RuntimeError("task");
        });
      }),
    );
    assert.deepEqual(typesOf(error), new Set(["RuntimeError"]));
    assert.ok(caller.signal.aborted, "the caller's abort is still visible to its next step");
  });

  test("case 253 test_cancels_task_if_created_during_creation (gh-128550)", async () => {
    let ran = false;
    class MyError extends Error {}
    const error = await thrownByAsync(() =>
      asyncWith(new TaskGroup(), (tg) => {
        tg.createTask(async (signal) => {
          tg.createTask(async () => {
            throw new MyError("third task failed");
          });
          await null;
          await assert.rejects(sleep(10_000, signal), CancelledError);
          ran = true;
        });
      }),
    );
    assert.ok(errorsOf(error)[0] instanceof MyError);
    assert.ok(ran);
  });

  test("case 254 test_cancellation_does_not_leak_out_of_tg", async () => {
    const caller = new AbortController();
    await thrownByAsync(() =>
      asyncWith(new TaskGroup({ signal: caller.signal }), (tg) => {
        tg.createTask(async () => {
          throw new Error("my error");
        });
      }),
    );
    await sleep(0, caller.signal); // would reject if the group's abort leaked out
  });

  test("case 206 test_timeout_taskgroup (timeout around a group: both conversions)", async () => {
    let timeoutError: unknown;
    const error = await thrownByAsync(() =>
      asyncWith(timeout(2), (t) =>
        asyncWith(new TaskGroup({ signal: t.signal }), async (tg) => {
          tg.createTask(async (signal) => {
            try {
              await sleep(10_000, signal);
            } finally {
              // biome-ignore lint/correctness/noUnsafeFinally: the case is about a finally that throws.
              throw new ZeroDivisionError("division by zero");
            }
          });
          try {
            throw new RangeError("value");
          } finally {
            try {
              await sleep(10_000, tg.signal);
            } catch (e) {
              timeoutError = e;
            }
          }
        }),
      ),
    );
    // The block's RangeError is appended after the task's failure (which came from the
    // timeout's abort). The group is not an abort, so the timeout does not convert it: it
    // records its TimeoutError at the end of the group's chain and of each member's (3.13).
    const errors = errorsOf(error);
    assert.equal(errors.length, 2);
    assert.ok(errors[0] instanceof ZeroDivisionError);
    assert.ok(errors[1] instanceof RangeError);
    assert.ok(timeoutError instanceof CancelledError);
    assert.equal(errorContext(error), errors[1]);
    const inserted = errorContext(errors[1]);
    assert.ok(inserted instanceof TimeoutError);
    assert.equal(inserted.cause, timeoutError);
    const memberInserted = errorContext(errors[0]);
    assert.ok(memberInserted instanceof TimeoutError);
    assert.equal(memberInserted.cause, timeoutError);
  });
});

describe("TaskGroup: the signal model", () => {
  test("the first failure aborts the siblings and the block with a CancelledError caused by it", async () => {
    const failure = new Error("disk full");
    let sibling: AbortSignal | undefined;
    const error = await thrownByAsync(() =>
      asyncWith(new TaskGroup(), async (tg) => {
        tg.createTask(async () => {
          throw failure;
        });
        sibling = tg.createTask((signal) => sleep(10_000, signal)).signal;
        await sleep(10_000, tg.signal);
      }),
    );
    assert.deepEqual(errorsOf(error), [failure]);
    assert.ok(sibling?.reason instanceof CancelledError);
    assert.equal(sibling?.reason.message, "TaskGroup aborted because a task failed: disk full");
    assert.equal(sibling?.reason.cause, failure);
  });

  test("a failure after the group aborted is still reported; a task rejecting with its abort is not", async () => {
    const late = new Error("cleanup failed");
    const error = await thrownByAsync(() =>
      asyncWith(new TaskGroup(), (tg) => {
        tg.createTask(async () => {
          throw new Error("first");
        });
        tg.createTask(async (signal) => {
          await aborted(signal);
          throw late;
        });
        tg.createTask(async (signal) => {
          await aborted(signal);
          throw signal.reason;
        });
        tg.createTask(async (signal) => {
          await aborted(signal);
          throw new Error("wrapped", { cause: signal.reason });
        });
        tg.createTask(async (signal) => {
          await aborted(signal);
          throw new DOMException("aborted", "AbortError");
        });
      }),
    );
    assert.deepEqual(
      errorsOf(error).map((e) => (e as Error).message),
      ["first", "cleanup failed"],
    );
  });

  test("a task that finishes normally after the abort keeps its result", async () => {
    let task: Task<string> | undefined;
    await thrownByAsync(() =>
      asyncWith(new TaskGroup(), (tg) => {
        tg.createTask(async () => {
          throw new Error("first");
        });
        task = tg.createTask(async (signal) => {
          await aborted(signal);
          return "finished anyway";
        });
      }),
    );
    assert.equal(task?.result(), "finished anyway");
    assert.equal(task?.cancelled(), false);
    assert.equal(task?.error(), undefined);
  });

  test("a function that throws synchronously is a failing task", async () => {
    const failure = new Error("sync");
    let task: Task<never> | undefined;
    const error = await thrownByAsync(() =>
      asyncWith(new TaskGroup(), (tg) => {
        task = tg.createTask(() => {
          throw failure;
        });
        assert.equal(task.done(), false);
      }),
    );
    assert.deepEqual(errorsOf(error), [failure]);
    assert.deepEqual(task?.error(), { error: failure });
    assert.throws(
      () => task?.result(),
      (e: unknown) => e === failure,
    );
  });

  test("an error whose getters throw is still reported, and exit does not hang", async () => {
    const hostile = new Proxy(new Error("hostile"), {
      get() {
        throw new Error("getter");
      },
      has() {
        throw new Error("has");
      },
    });
    const error = await thrownByAsync(() =>
      asyncWith(new TaskGroup(), async (tg) => {
        tg.createTask(async () => {
          throw hostile;
        });
        await sleep(10_000, tg.signal);
      }),
    );
    assert.equal(errorsOf(error)[0], hostile);
  });

  test("createTask with something other than a function is a TypeError, and no task", async () => {
    await asyncWith(new TaskGroup(), (tg) => {
      assert.throws(() => tg.createTask(42 as unknown as () => Promise<void>), {
        name: "TypeError",
        message: "createTask expects a function, got 'number'",
      });
      assert.equal(String(tg), "<TaskGroup entered>");
    });
  });

  test("a failing task nobody awaits causes no unhandled rejection", async () => {
    // The harness fails the file on an unhandled rejection.
    await thrownByAsync(() =>
      asyncWith(new TaskGroup(), (tg) => {
        tg.createTask(() => Promise.reject(new Error("nobody awaits me")));
      }),
    );
  });

  test("awaiting a task gives its value, or throws its error", async () => {
    await asyncWith(new TaskGroup(), async (tg) => {
      const t = tg.createTask(async () => 5);
      assert.throws(() => t.result(), { name: "RuntimeError", message: "Result is not set." });
      assert.throws(() => t.error(), { name: "RuntimeError" });
      assert.equal(await t, 5);
      assert.equal(t.done(), true, "the group's bookkeeping runs before the awaiter resumes");
      assert.equal(t.abort(), false);
    });
  });

  test("the block's abort error is never reported, and a thrown undefined is", async () => {
    const error = await thrownByAsync(() =>
      asyncWith(new TaskGroup(), async (tg) => {
        tg.createTask(async () => {
          throw undefined;
        });
        await sleep(10_000, tg.signal);
      }),
    );
    assert.deepEqual(errorsOf(error), [undefined]);
  });

  test("an outer abort with healthy tasks and a completed block throws the outer reason", async () => {
    const caller = new AbortController();
    const reason = new Error("outer");
    const error = await thrownByAsync(() =>
      asyncWith(new TaskGroup({ signal: caller.signal }), (tg) => {
        tg.createTask((signal) => sleep(10_000, signal));
        caller.abort(reason);
      }),
    );
    assert.equal(error, reason);
  });

  test("entering under an aborted signal gives an aborted group", async () => {
    const caller = new AbortController();
    const reason = new Error("already");
    caller.abort(reason);
    const error = await thrownByAsync(() =>
      asyncWith(new TaskGroup({ signal: caller.signal }), (tg) => {
        assert.equal(tg.signal.reason, reason);
        const t = tg.createTask((signal) => sleep(10_000, signal));
        assert.equal(t.signal.reason, reason);
      }),
    );
    assert.equal(error, reason);
  });

  test("exit removes every listener it added, on every path", async () => {
    const caller = new AbortController();
    await asyncWith(new TaskGroup({ signal: caller.signal }), (tg) => {
      tg.createTask((signal) => sleep(1, signal));
      tg.createTask((signal) => sleep(2, signal));
      assert.equal(getEventListeners(caller.signal, "abort").length, 1);
    });
    assert.equal(getEventListeners(caller.signal, "abort").length, 0);
    let groupSignal: AbortSignal | undefined;
    await thrownByAsync(() =>
      asyncWith(new TaskGroup({ signal: caller.signal }), (tg) => {
        groupSignal = tg.signal;
        tg.createTask(async () => {
          throw new Error("x");
        });
        tg.createTask((signal) => sleep(10_000, signal));
      }),
    );
    assert.equal(getEventListeners(caller.signal, "abort").length, 0);
    assert.equal(getEventListeners(groupSignal as AbortSignal, "abort").length, 0);
  });

  test("toString follows Python's repr", async () => {
    const tg = new TaskGroup();
    await thrownByAsync(() =>
      asyncWith(tg, async (g) => {
        const gate = aborted(g.signal);
        g.createTask(async () => {
          throw new Error("x");
        });
        g.createTask(async (signal) => {
          await aborted(signal);
          await null;
        });
        await gate;
        assert.equal(String(g), "<TaskGroup tasks=1 errors=1 cancelling>");
      }),
    );
    assert.equal(String(tg), "<TaskGroup errors=1 cancelling>");
  });
});

describe("TaskGroup: races", () => {
  test("an outer abort while exit waits aborts the tasks and propagates", async () => {
    const caller = new AbortController();
    const reason = new Error("outer");
    const tasks: Task<void>[] = [];
    let tg: TaskGroup | undefined;
    const run = asyncWith(new TaskGroup({ signal: caller.signal }), (g) => {
      tg = g;
      tasks.push(g.createTask((signal) => sleep(10_000, signal)));
      tasks.push(g.createTask((signal) => sleep(10_000, signal)));
    });
    await sleep(1);
    assert.equal(String(tg), "<TaskGroup tasks=2 entered>");
    caller.abort(reason);
    assert.equal(await thrownByAsync(() => run), reason);
    assert.ok(tasks.every((t) => t.cancelled()));
  });

  test("exit waits through repeated aborts for a task that ignores them", async () => {
    const caller = new AbortController();
    let finished = false;
    const error = await thrownByAsync(() =>
      asyncWith(new TaskGroup({ signal: caller.signal }), (tg) => {
        tg.createTask(async () => {
          throw new Error("first");
        });
        tg.createTask(async (signal) => {
          await aborted(signal);
          caller.abort(new Error("outer, too"));
          await sleep(5);
          finished = true;
        });
      }),
    );
    assert.ok(finished);
    assert.deepEqual(
      errorsOf(error).map((e) => (e as Error).message),
      ["first"],
    );
  });

  test("a task failing in the same tick as the block: the task's error first, the block's last", async () => {
    const taskError = new Error("task");
    const bodyError = new Error("body");
    const error = await thrownByAsync(() =>
      asyncWith(new TaskGroup(), (tg) => {
        tg.createTask(() => Promise.reject(taskError));
        throw bodyError;
      }),
    );
    assert.deepEqual(errorsOf(error), [taskError, bodyError]);
  });

  test("a task failing while the block's abort is on its way: the block's abort is not reported", async () => {
    const taskError = new Error("task");
    const error = await thrownByAsync(() =>
      asyncWith(new TaskGroup(), async (tg) => {
        tg.createTask(async () => {
          await null;
          throw taskError;
        });
        await aborted(tg.signal);
        tg.signal.throwIfAborted();
      }),
    );
    assert.deepEqual(errorsOf(error), [taskError]);
  });

  test("a timeout expiring while the group waits: the group re-throws, the timeout converts", async () => {
    const tasks: Task<void>[] = [];
    const error = await thrownByAsync(() =>
      asyncWith(timeout(2), (t) =>
        asyncWith(new TaskGroup({ signal: t.signal }), (tg) => {
          tasks.push(tg.createTask((signal) => sleep(10_000, signal)));
          tasks.push(tg.createTask((signal) => sleep(10_000, signal)));
        }),
      ),
    );
    assert.ok(error instanceof TimeoutError);
    assert.equal(error.cause, tasks[0]?.signal.reason);
    assert.ok(tasks.every((t) => t.cancelled()));
  });

  test("createTask while exit waits under an outer abort is refused as shutting down", async () => {
    const caller = new AbortController();
    let refusal: unknown;
    const reason = new Error("outer");
    const error = await thrownByAsync(() =>
      asyncWith(new TaskGroup({ signal: caller.signal }), (tg) => {
        tg.createTask(async (signal) => {
          await aborted(signal);
          try {
            tg.createTask(async () => {});
          } catch (e) {
            refusal = e;
          }
        });
        setTimeout(() => caller.abort(reason), 1);
      }),
    );
    assert.equal(error, reason);
    assert.ok(refusal instanceof RuntimeError);
    assert.match(refusal.message, /^TaskGroup <TaskGroup tasks=1 cancelling> is shutting down$/);
  });

  test("a task created from a task while exit waits runs to completion", async () => {
    let late: Task<string> | undefined;
    await asyncWith(new TaskGroup(), (tg) => {
      tg.createTask(async () => {
        await sleep(2);
        late = tg.createTask(async () => {
          await sleep(2);
          return "late";
        });
      });
    });
    assert.equal(late?.result(), "late");
  });
});

describe("TaskGroup: exit protocol", () => {
  test("aexit without aenter, and twice, is a RuntimeError", async () => {
    await assert.rejects(new TaskGroup().aexit(), { name: "RuntimeError", message: /has not been entered$/ });
    const tg = new TaskGroup();
    tg.aenter();
    await tg.aexit();
    const exc: ExcInfo = { error: new Error("x") };
    await assert.rejects(tg.aexit(exc), { name: "RuntimeError", message: /has already been exited$/ });
  });
});

describe("TaskGroup: CPython's cancellation rules (scope_scenarios.py, CPython 3.12 and 3.13)", () => {
  const boom = (ms = 0) =>
    async function failing(): Promise<never> {
      await sleep(ms);
      throw new Error("boom");
    };

  test("body_awaits_failing_task: a failure the block awaits is reported once", async () => {
    let bodySaw: unknown;
    const error = await thrownByAsync(() =>
      asyncWith(new TaskGroup(), async (tg) => {
        const t = tg.createTask(boom());
        try {
          await t;
        } catch (e) {
          bodySaw = e;
          throw e;
        }
      }),
    );
    const errors = errorsOf(error);
    assert.equal(errors.length, 1, "CPython: ExceptionGroup[ValueError('boom')]");
    // Python's block sees a CancelledError here (the group cancels it before the failure
    // reaches it); JavaScript cannot replace what `await` gives, so the block sees the failure.
    assert.equal(bodySaw, errors[0]);
    assert.equal(errorContext(error), bodySaw);
  });

  test("sibling_awaits_failing_task: reported once; the waiting sibling ends cancelled", async () => {
    let waiter: Task<unknown> | undefined;
    const error = await thrownByAsync(() =>
      asyncWith(new TaskGroup(), (tg) => {
        const t = tg.createTask(boom());
        waiter = tg.createTask(() => t);
      }),
    );
    const errors = errorsOf(error);
    assert.equal(errors.length, 1);
    assert.ok(waiter?.cancelled());
    const cancellation = thrownBy(() => waiter?.result());
    assert.ok(cancellation instanceof CancelledError);
    assert.equal((cancellation as Error).cause, errors[0], "the group's abort, caused by the failure");
    assert.equal(await rejectionOf(waiter as Task<unknown>), cancellation);
  });

  test("task_awaits_sibling_aborted_alone: the waiting task ends cancelled, the group completes", async () => {
    let t1: Task<unknown> | undefined;
    let t2: Task<unknown> | undefined;
    await asyncWith(new TaskGroup(), async (tg) => {
      t2 = tg.createTask((signal) => sleep(10_000, signal));
      const sibling = t2;
      t1 = tg.createTask(() => sibling);
      await null;
      sibling.abort();
    });
    assert.ok(t1?.cancelled());
    assert.ok(t2?.cancelled());
    const fromT2 = thrownBy(() => t2?.result());
    assert.ok(fromT2 instanceof CancelledError);
    assert.equal(
      thrownBy(() => t1?.result()),
      fromT2,
      "t1 re-threw t2's CancelledError",
    );
  });

  test("task_raises_cancelled_error_itself: a cancellation, not a failure", async () => {
    let quitter: Task<unknown> | undefined;
    let other: Task<string> | undefined;
    const own = new CancelledError("giving up");
    await asyncWith(new TaskGroup(), (tg) => {
      quitter = tg.createTask(async () => {
        throw own;
      });
      other = tg.createTask(async (signal) => {
        await sleep(5, signal);
        return "fine";
      });
    });
    assert.ok(quitter?.cancelled());
    assert.equal(
      thrownBy(() => quitter?.result()),
      own,
    );
    assert.equal(
      thrownBy(() => quitter?.error()),
      own,
    );
    assert.equal(other?.result(), "fine", "the group was not aborted");
  });

  test("awaiting_a_task_the_group_cancelled: await, result() and error() give its CancelledError", async () => {
    let slow: Task<void> | undefined;
    const error = await thrownByAsync(() =>
      asyncWith(new TaskGroup(), (tg) => {
        // Node's own AbortError (cause: the reason) is what most signal-aware APIs reject with.
        slow = tg.createTask((signal) => nodeSleep(10_000, undefined, { signal }));
        tg.createTask(boom(2));
      }),
    );
    const [cause] = errorsOf(error);
    assert.ok(slow?.cancelled());
    const viaAwait = await rejectionOf(slow as Task<void>);
    assert.ok(viaAwait instanceof CancelledError, "not Node's AbortError");
    assert.equal(viaAwait.cause, cause);
    assert.equal(
      thrownBy(() => slow?.result()),
      viaAwait,
      "always the same CancelledError",
    );
    assert.equal(
      thrownBy(() => slow?.error()),
      viaAwait,
    );
    // A rejection handler given to then() gets it too.
    assert.equal(await slow?.then(undefined, (e: unknown) => e), viaAwait);
  });

  test("a task aborted with a reason that is not a CancelledError gives a CancelledError caused by it", async () => {
    let t: Task<void> | undefined;
    const reason = new Error("custom");
    await asyncWith(new TaskGroup(), async (tg) => {
      t = tg.createTask((signal) => sleep(10_000, signal));
      await null;
      t.abort(reason);
    });
    const cancellation = thrownBy(() => t?.result());
    assert.ok(cancellation instanceof CancelledError);
    assert.equal(cancellation.cause, reason);
    assert.match(cancellation.message, /^task Task-\d+ was cancelled$/);
  });

  test("body_awaits_task_aborted_alone: the block's CancelledError aborts the tasks and propagates", async () => {
    let healthy: Task<void> | undefined;
    let t2: Task<void> | undefined;
    const error = await thrownByAsync(() =>
      asyncWith(new TaskGroup(), async (tg) => {
        t2 = tg.createTask((signal) => sleep(10_000, signal));
        healthy = tg.createTask((signal) => sleep(10_000, signal));
        await null;
        t2.abort();
        await t2;
      }),
    );
    assert.ok(error instanceof CancelledError, "CPython: CancelledError, not a group");
    assert.equal(
      error,
      thrownBy(() => t2?.result()),
    );
    assert.ok(healthy?.cancelled(), "the block's cancellation aborted the other tasks");
  });

  test("body_raises_cancelled_error_with_a_failure: the failures win, the CancelledError is left out", async () => {
    const error = await thrownByAsync(() =>
      asyncWith(new TaskGroup(), async (tg) => {
        tg.createTask(boom());
        await sleep(1);
        throw new CancelledError("body");
      }),
    );
    assert.deepEqual(
      errorsOf(error).map((e) => (e as Error).message),
      ["boom"],
    );
  });

  test("timeout_in_task_expires_then_group_aborts: the task's timeout does not convert, the task is cancelled", async () => {
    let worker: Task<void> | undefined;
    let inner: Timeout | undefined;
    const error = await thrownByAsync(() =>
      asyncWith(new TaskGroup(), (tg) => {
        worker = tg.createTask((signal) =>
          asyncWith(timeout(5, { signal }), async (t) => {
            inner = t;
            try {
              await sleep(10_000, t.signal);
            } finally {
              await sleep(80); // the sibling fails meanwhile
            }
          }),
        );
        tg.createTask(boom(40));
      }),
    );
    assert.deepEqual(
      errorsOf(error).map((e) => (e as Error).message),
      ["boom"],
    );
    assert.ok(worker?.cancelled());
    assert.ok(inner?.expired());
  });

  test("timeout_in_task_and_around_group_due_same_turn: deadlines are polled within a task only", async () => {
    let inner: Timeout | undefined;
    let worker: Task<void> | undefined;
    const error = await thrownByAsync(() =>
      asyncWith(timeout(15), (outer) =>
        asyncWith(new TaskGroup({ signal: outer.signal }), (tg) => {
          worker = tg.createTask((signal) =>
            asyncWith(timeout(1, { signal }), async (t) => {
              inner = t;
              const end = (outer.when() ?? 0) + 2; // both deadlines pass
              while (performance.now() < end) {}
              await sleep(10_000, t.signal);
            }),
          );
        }),
      ),
    );
    // Python counts cancels per task: the outer deadline cancels the parent task, not the
    // worker, so the worker's timeout converts and the group reports its TimeoutError.
    const [only, ...rest] = errorsOf(error);
    assert.deepEqual(rest, []);
    assert.ok(only instanceof TimeoutError);
    assert.equal(only.cause, inner?.signal.reason);
    assert.equal(worker?.cancelled(), false);
  });

  test("a failure re-thrown by several tasks and the block is reported once; other failures still are", async () => {
    const shared = new Error("shared");
    const other = new Error("other");
    const error = await thrownByAsync(() =>
      asyncWith(new TaskGroup(), async (tg) => {
        const t = tg.createTask(async () => {
          throw shared;
        });
        for (let i = 0; i < 3; i++) tg.createTask(() => t);
        tg.createTask(async () => {
          await t.then(undefined, () => undefined);
          throw other; // a new failure after the abort is reported
        });
        await t;
      }),
    );
    assert.deepEqual(errorsOf(error), [shared, other]);
  });

  test("thrown primitives cannot be told apart: each is reported", async () => {
    const error = await thrownByAsync(() =>
      asyncWith(new TaskGroup(), (tg) => {
        tg.createTask(async () => {
          throw "same";
        });
        tg.createTask(async () => {
          throw "same";
        });
      }),
    );
    assert.deepEqual(errorsOf(error), ["same", "same"]);
  });

  test("a signal option that is not an AbortSignal is a TypeError in the constructor", () => {
    for (const signal of [null, {}, new AbortController()]) {
      assert.throws(() => new TaskGroup({ signal } as never), {
        name: "TypeError",
        message: /^signal must be an AbortSignal or undefined, got /,
      });
    }
  });
});
