import assert from "node:assert/strict";
import { getEventListeners } from "node:events";
import { describe, test } from "node:test";
import { setTimeout as nodeSleep } from "node:timers/promises";
import {
  asyncWith,
  CancelledError,
  CancelScope,
  errorContext,
  RuntimeError,
  setErrorContext,
  type Timeout,
  TimeoutError,
  timeout,
  timeoutAt,
} from "../../src/index.js";
import { sleep } from "../support/async.js";
import { thrownByAsync } from "../support/throws.js";

function listenerCount(signal: AbortSignal): number {
  return getEventListeners(signal, "abort").length;
}

describe("timeout: cases 173-205 (test_timeouts.py)", () => {
  test("case 173 test_timeout_basic", async () => {
    let cm: Timeout | undefined;
    const error = await thrownByAsync(() =>
      asyncWith(timeout(2), async (t) => {
        cm = t;
        await sleep(10_000, t.signal);
      }),
    );
    assert.ok(error instanceof TimeoutError);
    assert.ok(cm?.expired());
    assert.ok(error.cause instanceof CancelledError);
    assert.equal((error.cause as Error).message, "timeout of 2 ms expired");
    assert.equal(error.message, "timeout of 2 ms expired");
    // Python: __cause__ and __context__ are the same CancelledError.
    assert.equal(errorContext(error), error.cause);
  });

  test("case 174 test_timeout_at_basic", async () => {
    const deadline = performance.now() + 2;
    let cm: Timeout | undefined;
    const error = await thrownByAsync(() =>
      asyncWith(timeoutAt(deadline), async (t) => {
        cm = t;
        await sleep(10_000, t.signal);
      }),
    );
    assert.ok(error instanceof TimeoutError);
    assert.ok(cm?.expired());
    assert.equal(cm?.when(), deadline);
    assert.match((error.cause as Error).message, /^deadline at [\d.]+ ms expired$/);
  });

  test("case 175 test_nested_timeouts (same deadline: the first to fire aborts, the outer converts)", async () => {
    // Both deadlines are already past, so both timers are due at the next timer turn; the outer
    // one was armed first and fires first. Its abort reaches the inner signal from outside, so
    // the inner block re-throws the outer's reason unconverted and only the outer converts, as
    // in Python. The inner block ends before its own timer turn, so its expired() stays false.
    const deadline = performance.now() - 1;
    let inner: Timeout | undefined;
    let outer: Timeout | undefined;
    let innerError: unknown;
    const error = await thrownByAsync(() =>
      asyncWith(timeoutAt(deadline), async (t1) => {
        outer = t1;
        try {
          await asyncWith(timeoutAt(deadline, { signal: t1.signal }), async (t2) => {
            inner = t2;
            await sleep(10_000, t2.signal);
          });
        } catch (e) {
          innerError = e;
          throw e;
        }
      }),
    );
    assert.ok(error instanceof TimeoutError);
    assert.ok(innerError instanceof CancelledError, "the inner statement re-throws the abort, not a TimeoutError");
    assert.equal(error.cause, innerError);
    assert.ok(outer?.expired());
    assert.equal(inner?.expired(), false);
  });

  test("case 175 variant: the inner deadline fires first and the inner converts", async () => {
    let outer: Timeout | undefined;
    let innerError: unknown;
    const result = await asyncWith(timeout(10_000), async (t1) => {
      outer = t1;
      try {
        await asyncWith(timeout(1, { signal: t1.signal }), (t2) => sleep(10_000, t2.signal));
      } catch (e) {
        innerError = e;
      }
      return "outer block completed";
    });
    assert.equal(result, "outer block completed");
    assert.ok(innerError instanceof TimeoutError);
    assert.equal(outer?.expired(), false);
  });

  test("case 176 test_waiter_cancelled", async () => {
    let sawAbort = false;
    const error = await thrownByAsync(() =>
      asyncWith(timeout(1), async (t) => {
        try {
          await sleep(10_000, t.signal);
        } catch (e) {
          sawAbort = e instanceof CancelledError;
          throw e;
        }
      }),
    );
    assert.ok(sawAbort);
    assert.ok(error instanceof TimeoutError);
  });

  test("case 177 test_timeout_not_called", async () => {
    let cm: Timeout | undefined;
    await asyncWith(timeout(10_000), async (t) => {
      cm = t;
      await sleep(1, t.signal);
    });
    assert.equal(cm?.expired(), false);
    assert.ok((cm?.when() ?? 0) > performance.now());
  });

  // A null delay or deadline disables the timeout: the block runs to its end and when() is null.
  for (const [name, disabled] of [
    ["case 178 test_timeout_disabled", () => timeout(null)],
    ["case 179 test_timeout_at_disabled", () => timeoutAt(null)],
  ] as const) {
    test(name, async () => {
      let cm: Timeout | undefined;
      await asyncWith(disabled(), async (t) => {
        cm = t;
        await sleep(1, t.signal);
      });
      assert.equal(cm?.expired(), false);
      assert.equal(cm?.when(), null);
    });
  }

  test("case 180 test_timeout_zero", async () => {
    const t0 = performance.now();
    let cm: Timeout | undefined;
    const error = await thrownByAsync(() =>
      asyncWith(timeout(0), async (t) => {
        cm = t;
        await sleep(10_000, t.signal);
      }),
    );
    const t1 = performance.now();
    assert.ok(error instanceof TimeoutError);
    assert.ok(cm?.expired());
    const when = cm?.when() ?? Number.NaN;
    assert.ok(t0 <= when && when <= t1);
  });

  test("case 181 test_timeout_zero_sleep_zero", async () => {
    // A zero deadline fires at the next timer turn, before a zero sleep started after it.
    const error = await thrownByAsync(() => asyncWith(timeout(0), (t) => sleep(0, t.signal)));
    assert.ok(error instanceof TimeoutError);
  });

  test("case 182 test_timeout_in_the_past_sleep_zero", async () => {
    let cm: Timeout | undefined;
    const error = await thrownByAsync(() =>
      asyncWith(timeout(-11), (t) => {
        cm = t;
        return sleep(0, t.signal);
      }),
    );
    assert.ok(error instanceof TimeoutError);
    // Python: when() <= loop.time(). A bound taken before the call would fail on a machine so
    // loaded that 11 ms pass between reading the clock and creating the timeout.
    assert.ok((cm?.when() ?? Number.NaN) <= performance.now() - 11);
  });

  test("case 183 test_foreign_exception_passed", async () => {
    const keyError = new RangeError("key");
    let cm: Timeout | undefined;
    const error = await thrownByAsync(() =>
      asyncWith(timeout(10), async (t) => {
        cm = t;
        throw keyError;
      }),
    );
    assert.equal(error, keyError);
    assert.equal(cm?.expired(), false);
  });

  test("case 184 test_timeout_exception_context (adapted: a finally that awaits after an error)", async () => {
    // JavaScript's finally replaces the pending error, so the division error is gone by the
    // time exit runs; the TimeoutError still carries the abort as both cause and context.
    const error = await thrownByAsync(() =>
      asyncWith(timeout(1), async (t) => {
        try {
          throw new RangeError("division by zero");
        } finally {
          await sleep(10_000, t.signal);
        }
      }),
    );
    assert.ok(error instanceof TimeoutError);
    assert.ok(error.cause instanceof CancelledError);
    assert.equal(errorContext(error), error.cause);
    assert.equal(error.cause.cause, undefined);
  });

  test("case 185 test_foreign_exception_on_timeout", async () => {
    const zeroDivision = new RangeError("division by zero");
    const error = await thrownByAsync(() =>
      asyncWith(timeout(1), async (t) => {
        try {
          await sleep(10_000, t.signal);
        } finally {
          // biome-ignore lint/correctness/noUnsafeFinally: the case is about a finally that throws.
          throw zeroDivision;
        }
      }),
    );
    assert.equal(error, zeroDivision);
    assert.equal(zeroDivision.cause, undefined);
    // Python 3.13: its context is a TimeoutError whose cause is the abort.
    const context = errorContext(zeroDivision);
    assert.ok(context instanceof TimeoutError);
    assert.ok(context.cause instanceof CancelledError);
  });

  test("case 186 test_foreign_exception_on_timeout_2 (the TimeoutError goes at the end of an existing chain)", async () => {
    const keyError = new Error("key");
    const zeroDivision = new RangeError("division by zero");
    setErrorContext(zeroDivision, keyError);
    const error = await thrownByAsync(() =>
      asyncWith(timeout(1), async (t) => {
        try {
          await sleep(10_000, t.signal);
        } finally {
          // biome-ignore lint/correctness/noUnsafeFinally: the case is about a finally that throws.
          throw zeroDivision;
        }
      }),
    );
    assert.equal(error, zeroDivision);
    assert.equal(errorContext(zeroDivision), keyError);
    const timeoutError = errorContext(keyError);
    assert.ok(timeoutError instanceof TimeoutError);
    assert.ok(timeoutError.cause instanceof CancelledError);
  });

  test("case 187 test_foreign_cancel_doesnt_timeout_if_not_expired", async () => {
    const caller = new AbortController();
    const reason = new Error("caller gave up");
    let cm: Timeout | undefined;
    const error = await thrownByAsync(() =>
      asyncWith(timeout(10_000, { signal: caller.signal }), async (t) => {
        cm = t;
        caller.abort(reason);
        await sleep(10_000, t.signal);
      }),
    );
    assert.equal(error, reason);
    assert.equal(cm?.expired(), false);
  });

  test("case 188 test_outer_task_is_not_cancelled", async () => {
    const caller = new AbortController();
    const error = await thrownByAsync(() =>
      asyncWith(timeout(1, { signal: caller.signal }), (t) => sleep(10_000, t.signal)),
    );
    assert.ok(error instanceof TimeoutError);
    assert.equal(caller.signal.aborted, false);
    assert.equal(listenerCount(caller.signal), 0);
  });

  test("case 189 test_nested_timeouts_concurrent (the outer expires first: only the outer converts)", async () => {
    let inner: Timeout | undefined;
    let innerError: unknown;
    const error = await thrownByAsync(() =>
      asyncWith(timeout(2), async (t1) => {
        try {
          await asyncWith(timeout(10_000, { signal: t1.signal }), async (t2) => {
            inner = t2;
            await sleep(10_000, t2.signal);
          });
        } catch (e) {
          innerError = e;
          throw e;
        }
      }),
    );
    assert.ok(error instanceof TimeoutError);
    assert.ok(innerError instanceof CancelledError);
    assert.equal(error.cause, innerError);
    assert.equal(inner?.expired(), false);
  });

  test("case 190 test_nested_timeouts_loop_busy (both due: the inner leaves the conversion to the outer)", async () => {
    let inner: Timeout | undefined;
    let outer: Timeout | undefined;
    let innerError: unknown;
    const error = await thrownByAsync(() =>
      asyncWith(timeout(20), async (t1) => {
        outer = t1;
        try {
          await asyncWith(timeout(1, { signal: t1.signal }), async (t2) => {
            inner = t2;
            const end = performance.now() + 30; // block the loop past both deadlines
            while (performance.now() < end) {}
            await sleep(10_000, t2.signal);
          });
        } catch (e) {
          innerError = e;
        }
        await sleep(10_000, t1.signal);
      }),
    );
    // CPython 3.12/3.13 (scope_scenarios.py nested_loop_busy): two cancels are pending, so the
    // inner re-raises CancelledError and the outer converts. Here the inner's own timer fired,
    // and at its exit the outer deadline has passed too (its timer fires first), so the inner
    // re-throws its abort as it is and the outer converts it.
    assert.ok(!(innerError instanceof TimeoutError), "the inner does not convert");
    assert.equal(innerError, inner?.signal.reason, "it re-throws its abort as it is");
    assert.ok(error instanceof TimeoutError);
    assert.equal(error.cause, outer?.signal.reason, "the outer's own abort (its block re-threw it) converts");
    assert.ok(inner?.expired());
    assert.ok(outer?.expired());
  });

  test("case 191 test_reschedule", async () => {
    const caller = new AbortController();
    const deadline1 = performance.now() + 10_000;
    const deadline2 = deadline1 + 20_000;
    let cm: Timeout | undefined;
    const error = await thrownByAsync(() =>
      asyncWith(timeoutAt(deadline1, { signal: caller.signal }), async (t) => {
        cm = t;
        assert.equal(t.when(), deadline1);
        t.reschedule(deadline2);
        assert.equal(t.when(), deadline2);
        t.reschedule(null);
        assert.equal(t.when(), null);
        setTimeout(() => caller.abort(new Error("cancel")), 1);
        await sleep(10_000, t.signal);
      }),
    );
    assert.ok(error instanceof Error && error.message === "cancel");
    assert.equal(cm?.expired(), false);
  });

  test("case 192 test_repr_active", async () => {
    await asyncWith(timeout(10_000), (t) => {
      assert.match(String(t), /^<Timeout \[active\] when=\d+(\.\d*)?>$/);
    });
  });

  test("case 193 test_repr_expired", async () => {
    const cm = timeout(0);
    await thrownByAsync(() => asyncWith(cm, (t) => sleep(10_000, t.signal)));
    assert.equal(String(cm), "<Timeout [expired]>");
  });

  test("case 194 test_repr_finished", async () => {
    const cm = timeout(10_000);
    assert.equal(String(cm), "<Timeout [created]>");
    await asyncWith(cm, () => {});
    assert.equal(String(cm), "<Timeout [finished]>");
  });

  test("case 195 test_repr_disabled", async () => {
    await asyncWith(timeout(null), (t) => {
      assert.equal(String(t), "<Timeout [active] when=None>");
    });
  });

  test("case 196 test_nested_timeout_in_finally (a shielded cleanup timeout in a finally)", async () => {
    let innerError: unknown;
    let outerReason: unknown;
    const error = await thrownByAsync(() =>
      asyncWith(timeout(1), async (t1) => {
        try {
          await sleep(10_000, t1.signal);
        } finally {
          outerReason = t1.signal.reason;
          // Cleanup gets a fresh budget of its own: the shield keeps the expired outer scope out
          // (cancellation here is level-triggered, as trio's: without it the inner timeout
          // would be aborted from the start).
          try {
            await asyncWith(new CancelScope({ shield: true }), () =>
              asyncWith(timeout(1), (t2) => sleep(10_000, t2.signal)),
            );
          } catch (e) {
            innerError = e;
          }
        }
      }),
    );
    assert.ok(error instanceof TimeoutError);
    assert.equal(error.cause, outerReason);
    assert.equal(errorContext(error), outerReason);
    assert.ok(innerError instanceof TimeoutError);
    assert.ok(innerError.cause instanceof CancelledError);
    assert.notEqual(innerError.cause, outerReason);
    assert.equal(errorContext(innerError), innerError.cause);
  });

  test("case 197 test_timeout_after_cancellation (adapted: a timeout entered under an already-aborted signal)", async () => {
    // Python counts cancels; a handled cancel no longer counts. An AbortSignal stays aborted, so
    // a timeout linked to it is aborted from the start and never converts; a timeout that is
    // not linked (the handled case) times out normally, which is case 196's inner timeout.
    const caller = new AbortController();
    const reason = new Error("caller gave up");
    caller.abort(reason);
    let cm: Timeout | undefined;
    const error = await thrownByAsync(() =>
      asyncWith(timeout(0, { signal: caller.signal }), async (t) => {
        cm = t;
        assert.equal(t.signal.reason, reason);
        await sleep(10_000, t.signal);
      }),
    );
    assert.equal(error, reason);
    assert.equal(cm?.expired(), false);
  });

  test("case 198 test_cancel_in_timeout_after_cancellation", async () => {
    const caller = new AbortController();
    const reason = new Error("cancelled from inside");
    const error = await thrownByAsync(() =>
      asyncWith(timeout(1000, { signal: caller.signal }), async (t) => {
        caller.abort(reason);
        t.signal.throwIfAborted();
      }),
    );
    assert.equal(error, reason);
  });

  test("case 199 test_timeout_already_entered", async () => {
    const cm = timeout(10_000);
    await asyncWith(cm, async () => {
      await assert.rejects(
        asyncWith(cm, () => {}),
        (e: unknown) => e instanceof RuntimeError && e.message === "Timeout has already been entered",
      );
    });
  });

  test("case 200 test_timeout_double_enter", async () => {
    const cm = timeout(10_000);
    await asyncWith(cm, () => {});
    await assert.rejects(
      asyncWith(cm, () => {}),
      { name: "RuntimeError", message: "Timeout has already been entered" },
    );
  });

  test("case 201 test_timeout_finished", async () => {
    const cm = timeout(10_000);
    await asyncWith(cm, () => {});
    assert.throws(() => cm.reschedule(20), {
      name: "RuntimeError",
      message: "Cannot change state of finished Timeout",
    });
  });

  test("case 202 test_timeout_expired", async () => {
    const cm = timeout(0);
    await assert.rejects(
      asyncWith(cm, (t) => sleep(10_000, t.signal)),
      TimeoutError,
    );
    assert.throws(() => cm.reschedule(20), { name: "RuntimeError", message: "Cannot change state of expired Timeout" });
  });

  test("case 203 test_timeout_expiring", async () => {
    const cm = timeout(0);
    await asyncWith(cm, async (t) => {
      await assert.rejects(sleep(10_000, t.signal), CancelledError);
      assert.throws(() => t.reschedule(20), {
        name: "RuntimeError",
        message: "Cannot change state of expiring Timeout",
      });
    });
    // The block swallowed the abort: it completed, and no TimeoutError (rule 64c).
    assert.ok(cm.expired());
    assert.equal(String(cm), "<Timeout [expired]>");
  });

  test("case 204 test_timeout_not_entered", () => {
    const cm = timeout(10);
    assert.throws(() => cm.reschedule(20), { name: "RuntimeError", message: "Timeout has not been entered" });
    assert.throws(() => cm.signal, { name: "RuntimeError", message: "Timeout has not been entered" });
  });
});

describe("timeout: Python's uncancel() <= _cancelling rule (scope_scenarios.py, CPython 3.12 and 3.13)", () => {
  test("inner_fired_then_outer_fires_during_cleanup: the inner re-throws its abort, the outer converts", async () => {
    let inner: Timeout | undefined;
    let outer: Timeout | undefined;
    let innerError: unknown;
    const error = await thrownByAsync(() =>
      asyncWith(timeout(40), async (t1) => {
        outer = t1;
        try {
          await asyncWith(timeout(5, { signal: t1.signal }), async (t2) => {
            inner = t2;
            try {
              await sleep(10_000, t2.signal);
            } finally {
              await sleep(80); // cleanup not cut short, outliving the outer deadline
            }
          });
        } catch (e) {
          innerError = e;
          throw e;
        }
      }),
    );
    assert.ok(innerError instanceof CancelledError, "the inner does not convert");
    assert.equal(innerError, inner?.signal.reason);
    assert.ok(error instanceof TimeoutError);
    assert.equal(error.cause, outer?.signal.reason);
    assert.equal(errorContext(error), innerError, "the outer converts the inner's CancelledError");
    assert.ok(inner?.expired());
    assert.ok(outer?.expired());
  });

  test("inner_fired_then_outer_due_same_turn: a passed outer deadline fires before the inner decides", async () => {
    let inner: Timeout | undefined;
    let outer: Timeout | undefined;
    let innerError: unknown;
    const error = await thrownByAsync(() =>
      asyncWith(timeout(15), async (t1) => {
        outer = t1;
        try {
          // Armed in the same synchronous run as the outer: the inner deadline is the earlier one.
          await asyncWith(timeout(1, { signal: t1.signal }), async (t2) => {
            inner = t2;
            const end = (t1.when() ?? 0) + 2; // both deadlines pass before the loop looks again
            while (performance.now() < end) {}
            await sleep(10_000, t2.signal);
          });
        } catch (e) {
          innerError = e;
          throw e;
        }
      }),
    );
    // The inner's timer ran first (its deadline is earlier), so its own abort reached the block;
    // the outer's timer had not run yet, but its deadline had passed: Python runs both timers
    // before the task resumes, so the inner must not convert.
    assert.equal(innerError, inner?.signal.reason, "the inner re-throws its own abort");
    assert.ok(error instanceof TimeoutError);
    assert.equal(error.cause, outer?.signal.reason);
    assert.ok(inner?.expired());
    assert.ok(outer?.expired());
  });

  test("outer_cancel_during_cleanup_after_own_expiry: the caller's abort wins, no conversion (rule 64b)", async () => {
    const caller = new AbortController();
    let cm: Timeout | undefined;
    const abortLater = setTimeout(() => caller.abort(new Error("caller")), 30);
    const error = await thrownByAsync(() =>
      asyncWith(timeout(5, { signal: caller.signal }), async (t) => {
        cm = t;
        try {
          await sleep(10_000, t.signal);
        } finally {
          await sleep(80);
        }
      }),
    );
    clearTimeout(abortLater);
    assert.ok(caller.signal.aborted);
    assert.ok(!(error instanceof TimeoutError));
    assert.equal(error, cm?.signal.reason, "the block's abort propagates as it is");
    assert.ok(cm?.expired());
  });

  test("cancelled_error_from_elsewhere_after_expiry: a CancelledError of the block's own converts", async () => {
    let cm: Timeout | undefined;
    const another = new CancelledError("another one");
    const error = await thrownByAsync(() =>
      asyncWith(timeout(2), async (t) => {
        cm = t;
        await sleep(10_000, t.signal).catch(() => {
          throw another;
        });
      }),
    );
    assert.ok(error instanceof TimeoutError);
    assert.equal(error.cause, cm?.signal.reason);
    assert.equal(errorContext(error), another);
  });

  test("a CancelledError with no expiry is not converted", async () => {
    const own = new CancelledError("not a deadline");
    const error = await thrownByAsync(() =>
      asyncWith(timeout(10_000), async () => {
        throw own;
      }),
    );
    assert.equal(error, own);
  });

  test("enclosing scopes are polled only when converting: a block that completes leaves them alone", async () => {
    let outer: Timeout | undefined;
    const now = performance.now();
    await thrownByAsync(() =>
      asyncWith(timeoutAt(now + 5), async (t1) => {
        outer = t1;
        await asyncWith(timeout(10_000, { signal: t1.signal }), async () => {
          const end = performance.now() + 10;
          while (performance.now() < end) {}
        });
        assert.equal(t1.expired(), false, "the passed outer deadline has not fired yet");
        await sleep(10_000, t1.signal);
      }),
    );
    assert.ok(outer?.expired());
  });
});

describe("timeout: rules of the signal model", () => {
  test("rule 64d: a block that never yields to the timer turn completes, not expired", async () => {
    const cm = timeout(0);
    const result = await asyncWith(cm, async () => {
      await null;
      await Promise.resolve();
      return 7;
    });
    assert.equal(result, 7);
    assert.equal(cm.expired(), false);
  });

  test("Node's AbortError (cause: the reason) converts, and is the TimeoutError's context", async () => {
    const error = await thrownByAsync(() =>
      asyncWith(timeout(1), (t) => nodeSleep(10_000, undefined, { signal: t.signal })),
    );
    assert.ok(error instanceof TimeoutError);
    const context = errorContext(error) as Error;
    assert.equal(context.name, "AbortError");
    assert.equal(context.cause, error.cause);
  });

  test("a generic AbortError thrown after the own expiry converts", async () => {
    const abortError = new DOMException("This operation was aborted", "AbortError");
    const error = await thrownByAsync(() =>
      asyncWith(timeout(0), async (t) => {
        await sleep(10_000, t.signal).catch(() => {});
        throw abortError;
      }),
    );
    assert.ok(error instanceof TimeoutError);
    assert.equal(errorContext(error), abortError);
  });

  test("an AbortError thrown while the signal is not aborted is not converted", async () => {
    const abortError = new DOMException("some other abort", "AbortError");
    const error = await thrownByAsync(() =>
      asyncWith(timeout(10_000), async () => {
        throw abortError;
      }),
    );
    assert.equal(error, abortError);
  });

  test("the outer reason reaches the inner signal as the very same object", async () => {
    const caller = new AbortController();
    await asyncWith(timeout(null, { signal: caller.signal }), async (t1) => {
      await asyncWith(timeout(null, { signal: t1.signal }), async (t2) => {
        const reason = new Error("stop");
        caller.abort(reason);
        assert.equal(t1.signal.reason, reason);
        assert.equal(t2.signal.reason, reason);
      });
    }).catch(() => {});
  });

  test("exit removes the listener it added to the outer signal, whatever the outcome", async () => {
    const caller = new AbortController();
    await asyncWith(timeout(10_000, { signal: caller.signal }), () => {
      assert.equal(listenerCount(caller.signal), 1);
    });
    assert.equal(listenerCount(caller.signal), 0);
    await thrownByAsync(() => asyncWith(timeout(0, { signal: caller.signal }), (t) => sleep(10_000, t.signal)));
    assert.equal(listenerCount(caller.signal), 0);
    await thrownByAsync(() =>
      asyncWith(timeout(null, { signal: caller.signal }), () => {
        throw new Error("body");
      }),
    );
    assert.equal(listenerCount(caller.signal), 0);
  });

  test("a block that swallows an outer abort completes, and the deadline does not fire later", async () => {
    const caller = new AbortController();
    const cm = timeout(5, { signal: caller.signal });
    await asyncWith(cm, async (t) => {
      caller.abort(new Error("outer"));
      await sleep(10_000, t.signal).catch(() => {});
    });
    await sleep(10);
    assert.equal(cm.expired(), false);
  });

  test("a delay beyond setTimeout's range does not fire at once", async () => {
    const cm = timeout(3e9);
    await asyncWith(cm, (t) => sleep(5, t.signal));
    assert.equal(cm.expired(), false);
    await asyncWith(timeout(Number.POSITIVE_INFINITY), async (t) => {
      assert.equal(t.when(), Number.POSITIVE_INFINITY);
      await sleep(1, t.signal);
    });
  });

  test("reschedule to a past deadline aborts at the next timer turn", async () => {
    const error = await thrownByAsync(() =>
      asyncWith(timeout(10_000), async (t) => {
        t.reschedule(performance.now() - 5);
        assert.equal(t.signal.aborted, false);
        await sleep(10_000, t.signal);
      }),
    );
    assert.ok(error instanceof TimeoutError);
    assert.match(error.message, /^deadline at -?[\d.]+ ms expired$/);
  });

  test("the library's rule for numbers: a non-number is a TypeError, NaN a RangeError", () => {
    assert.throws(() => timeoutAt("5" as unknown as number), {
      name: "TypeError",
      message: 'deadline must be a number of milliseconds or null, got "5"',
    });
    assert.throws(() => timeout(undefined as unknown as number), TypeError);
    assert.throws(() => timeout(5n as unknown as number), TypeError);
    assert.throws(() => timeout(Number.NaN), { name: "RangeError", message: /got NaN/ });
    assert.throws(() => timeoutAt(Number.NaN), RangeError);
    // Negative, fractional and infinite delays are deadlines (Python accepts them too).
    for (const ms of [-5, 0.5, Number.POSITIVE_INFINITY]) timeout(ms);
  });

  test("a signal option that is not an AbortSignal is a TypeError at the call site", () => {
    for (const signal of [null, {}, new AbortController(), "signal"]) {
      assert.throws(() => timeout(10, { signal } as never), {
        name: "TypeError",
        message: /^signal must be an AbortSignal or undefined, got /,
      });
    }
  });

  test("aenter returns the Timeout itself and aexit is synchronous", () => {
    const cm = timeout(10_000);
    assert.equal(cm.aenter(), cm);
    assert.equal(cm.aexit(), undefined);
    assert.equal(String(cm), "<Timeout [finished]>");
  });

  test("no extra awaits: a timeout block takes as many ticks as one with a plain sync-exit manager", async () => {
    async function ticksTaken(run: () => Promise<unknown>): Promise<number> {
      let count = 0;
      let finished = false;
      const counter = (async () => {
        while (!finished) {
          count++;
          await null;
        }
      })();
      await run();
      finished = true;
      await counter;
      return count;
    }
    const plain = { aenter: () => undefined, aexit: () => undefined };
    const baseline = await ticksTaken(() => asyncWith(plain, async () => 1));
    const withTimeout = await ticksTaken(() => asyncWith(timeout(10_000), async () => 1));
    assert.equal(withTimeout, baseline);
  });

  test("never suppresses: a thrown undefined passes through unchanged", async () => {
    const error = await asyncWith(timeout(10_000), async () => {
      throw undefined;
    }).then(
      () => "completed",
      (e: unknown) => e,
    );
    assert.equal(error, undefined);
  });
});
