// Property-based race tests of TaskGroup: random mixes of healthy, failing, abort-aware and
// abort-ignoring tasks, a block that may throw, and an outer abort at a random moment, all on
// microtask schedules (deterministic, no timers). The invariants are checked against what the
// tasks themselves report having done.
import assert from "node:assert/strict";
import { getEventListeners } from "node:events";
import { test } from "node:test";
import fc from "fast-check";
import { asyncWith, CancelledError, type Task, TaskGroup } from "../../src/index.js";

type Kind = "ok" | "fail" | "abortAware" | "ignoreAbort" | "failInCleanup";

interface TaskSpec {
  readonly kind: Kind;
  readonly steps: number;
}

interface Scenario {
  readonly tasks: readonly TaskSpec[];
  /** Microtask steps before the block throws, or null for a block that completes. */
  readonly bodyThrowsAfter: number | null;
  /** Microtask steps before the outer signal aborts, or null for never. */
  readonly outerAbortAfter: number | null;
  /** Whether the block waits on its signal (then re-throws the abort) before finishing. */
  readonly bodyWaitsOnSignal: boolean;
}

type LogEntry = { readonly task: number; readonly outcome: "value" | "failure" | "abort"; readonly error?: unknown };

async function ticks(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await null;
}

function runTask(index: number, spec: TaskSpec, signal: AbortSignal, log: LogEntry[]): Promise<number> {
  const fail = (error: unknown): never => {
    log.push({ task: index, outcome: "failure", error });
    throw error;
  };
  const abort = (): never => {
    log.push({ task: index, outcome: "abort" });
    throw signal.reason;
  };
  const done = (): number => {
    log.push({ task: index, outcome: "value" });
    return index;
  };
  return (async () => {
    switch (spec.kind) {
      case "ok":
        await ticks(spec.steps);
        return done();
      case "fail":
        await ticks(spec.steps);
        return fail(new Error(`task ${index} failed`));
      case "abortAware":
        for (let i = 0; i < spec.steps * 4; i++) {
          if (signal.aborted) return abort();
          await null;
        }
        return done();
      case "ignoreAbort":
        await ticks(spec.steps * 4);
        return done();
      case "failInCleanup":
        for (let i = 0; i < spec.steps * 4; i++) {
          if (signal.aborted) return fail(new Error(`task ${index} cleanup failed`));
          await null;
        }
        return done();
    }
  })();
}

const scenario: fc.Arbitrary<Scenario> = fc.record({
  tasks: fc.array(
    fc.record({
      kind: fc.constantFrom<Kind>("ok", "fail", "abortAware", "ignoreAbort", "failInCleanup"),
      steps: fc.integer({ min: 0, max: 6 }),
    }),
    { maxLength: 6 },
  ),
  bodyThrowsAfter: fc.option(fc.integer({ min: 0, max: 10 })),
  outerAbortAfter: fc.option(fc.integer({ min: 0, max: 30 })),
  bodyWaitsOnSignal: fc.boolean(),
});

test("TaskGroup invariants under random failures, block errors and outer aborts", async () => {
  await fc.assert(
    fc.asyncProperty(scenario, async (s) => {
      const caller = new AbortController();
      const outerReason = new Error("outer abort");
      const bodyError = new Error("block failed");
      const log: LogEntry[] = [];
      const tasks: Task<number>[] = [];
      let groupSignal: AbortSignal | undefined;
      let bodyThrew: unknown = "nothing";
      if (s.outerAbortAfter !== null) {
        const after = s.outerAbortAfter;
        void ticks(after).then(() => caller.abort(outerReason));
      }

      let outcome: { ok: true } | { ok: false; error: unknown };
      try {
        await asyncWith(new TaskGroup({ signal: caller.signal }), async (tg) => {
          groupSignal = tg.signal;
          s.tasks.forEach((spec, i) => {
            tasks.push(tg.createTask((signal) => runTask(i, spec, signal, log)));
          });
          try {
            if (s.bodyThrowsAfter !== null) {
              await ticks(s.bodyThrowsAfter);
              throw bodyError;
            }
            if (s.bodyWaitsOnSignal) {
              for (let i = 0; i < 40 && !tg.signal.aborted; i++) await null;
              tg.signal.throwIfAborted();
            }
          } catch (e) {
            bodyThrew = e;
            throw e;
          }
        });
        outcome = { ok: true };
      } catch (error) {
        outcome = { ok: false, error };
      }

      // Exit waited for every task, and each task settled exactly once.
      assert.ok(tasks.every((t) => t.done()));
      assert.equal(log.length, s.tasks.length);
      assert.deepEqual(new Set(log.map((e) => e.task)), new Set(s.tasks.map((_, i) => i)));
      // Every listener added to the caller's signal is gone.
      assert.equal(getEventListeners(caller.signal, "abort").length, 0);

      // Failures in completion order, then the block's own error (unless it was the abort).
      const expected: unknown[] = log.filter((e) => e.outcome === "failure").map((e) => e.error);
      const bodyWasAbort = bodyThrew !== "nothing" && bodyThrew === groupSignal?.reason;
      if (bodyThrew !== "nothing" && !bodyWasAbort) expected.push(bodyThrew);
      for (const entry of log) {
        const task = tasks[entry.task];
        assert.equal(task?.cancelled(), entry.outcome === "abort");
      }

      if (expected.length > 0) {
        assert.ok(!outcome.ok && outcome.error instanceof AggregateError);
        assert.deepEqual(outcome.error.errors, expected);
        return;
      }
      const abortedFromOutside = groupSignal?.aborted === true && groupSignal.reason === outerReason;
      if (abortedFromOutside) {
        assert.ok(!outcome.ok && outcome.error === outerReason);
      } else {
        assert.ok(outcome.ok, `unexpected failure: ${String(!outcome.ok && outcome.error)}`);
      }
    }),
    { numRuns: 300 },
  );
});

// Awaiting tasks: each failure is reported once, however many tasks (or the block) await the
// failed task and re-throw what they got; a CancelledError is a cancellation wherever it comes
// from; a cancelled task always gives one CancelledError (CPython 3.12/3.13 semantics, see
// scope_scenarios.py).
type AwaitKind =
  | { readonly kind: "ok" | "fail" | "abortAware" | "throwCancelled"; readonly steps: number }
  | { readonly kind: "awaitEarlier"; readonly steps: number; readonly target: number };

interface AwaitScenario {
  readonly tasks: readonly AwaitKind[];
  /** What the block does: complete, throw a new error, await a task and re-throw, abort one task alone. */
  readonly block:
    | { readonly kind: "complete" | "throw"; readonly steps: number }
    | { readonly kind: "await" | "abortOne"; readonly steps: number; readonly target: number };
}

type AwaitLog = { readonly task: number; readonly outcome: "value" | "failure" | "rethrow"; readonly error?: unknown };

const awaitScenario: fc.Arbitrary<AwaitScenario> = fc.record({
  tasks: fc.array(
    fc.oneof(
      fc.record({
        kind: fc.constantFrom("ok" as const, "fail" as const, "abortAware" as const, "throwCancelled" as const),
        steps: fc.integer({ min: 0, max: 5 }),
      }),
      fc.record({
        kind: fc.constant("awaitEarlier" as const),
        steps: fc.integer({ min: 0, max: 5 }),
        target: fc.nat(),
      }),
    ),
    { minLength: 1, maxLength: 7 },
  ),
  block: fc.oneof(
    fc.record({ kind: fc.constantFrom("complete" as const, "throw" as const), steps: fc.integer({ min: 0, max: 8 }) }),
    fc.record({
      kind: fc.constantFrom("await" as const, "abortOne" as const),
      steps: fc.integer({ min: 0, max: 8 }),
      target: fc.nat(),
    }),
  ),
});

test("TaskGroup: awaited failures are reported once, CancelledErrors are cancellations", async () => {
  await fc.assert(
    fc.asyncProperty(awaitScenario, async (s) => {
      const log: AwaitLog[] = [];
      const tasks: Task<unknown>[] = [];
      let blockThrew: unknown = "nothing";
      const blockError = new Error("block failed");
      const run = async (i: number, spec: AwaitKind, signal: AbortSignal): Promise<unknown> => {
        await ticks(spec.steps);
        try {
          switch (spec.kind) {
            case "ok":
              break;
            case "fail": {
              const error = new Error(`task ${i} failed`);
              log.push({ task: i, outcome: "failure", error });
              throw error;
            }
            case "abortAware":
              for (let k = 0; k < 6; k++) {
                signal.throwIfAborted();
                await null;
              }
              break;
            case "throwCancelled":
              throw new CancelledError(`task ${i} gives up`);
            case "awaitEarlier":
              if (i > 0) await tasks[spec.target % i];
              break;
          }
        } catch (error) {
          if (log.at(-1)?.error !== error || log.at(-1)?.task !== i) log.push({ task: i, outcome: "rethrow", error });
          throw error;
        }
        log.push({ task: i, outcome: "value" });
        return i;
      };

      let outcome: { ok: true } | { ok: false; error: unknown };
      try {
        await asyncWith(new TaskGroup(), async (tg) => {
          s.tasks.forEach((spec, i) => {
            tasks.push(tg.createTask((signal) => run(i, spec, signal)));
          });
          try {
            await ticks(s.block.steps);
            const block = s.block;
            if (block.kind === "throw") throw blockError;
            if (block.kind === "await") await tasks[block.target % tasks.length];
            if (block.kind === "abortOne") tasks[block.target % tasks.length]?.abort();
          } catch (e) {
            blockThrew = e;
            throw e;
          }
        });
        outcome = { ok: true };
      } catch (error) {
        outcome = { ok: false, error };
      }

      assert.ok(tasks.every((t) => t.done()));
      const failures = log.filter((e) => e.outcome === "failure").map((e) => e.error);
      // Each task: failed exactly when it failed on its own; any other rejection is a cancellation
      // and gives one CancelledError, by await and by result().
      for (const [i, task] of tasks.entries()) {
        const own = log.find((e) => e.task === i);
        assert.ok(own !== undefined, `task ${i} settled`);
        if (own.outcome === "value") {
          assert.equal(task.result(), i);
        } else if (own.outcome === "failure") {
          assert.equal(task.cancelled(), false);
          assert.deepEqual(task.error(), { error: own.error });
        } else {
          assert.ok(task.cancelled(), `task ${i} re-threw ${String(own.error)} and is cancelled`);
          let viaResult: unknown;
          try {
            task.result();
          } catch (e) {
            viaResult = e;
          }
          assert.ok(viaResult instanceof CancelledError);
          assert.equal(await task.then(undefined, (e: unknown) => e), viaResult);
        }
      }

      const expected = [...failures];
      if (blockThrew === blockError) expected.push(blockError);
      if (expected.length > 0) {
        assert.ok(!outcome.ok && outcome.error instanceof AggregateError);
        assert.deepEqual(outcome.error.errors, expected, "each failure once, in completion order, the block's last");
        return;
      }
      if (blockThrew instanceof CancelledError) {
        assert.ok(!outcome.ok && outcome.error === blockThrew, "the block's own CancelledError propagates");
        return;
      }
      assert.ok(outcome.ok, `unexpected failure: ${String(!outcome.ok && outcome.error)}`);
    }),
    { numRuns: 300 },
  );
});
