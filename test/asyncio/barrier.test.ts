// Barrier: CPython's case 293 (CPython's Lib/test/test_contextlib*.py §F) plus Python's documented behaviour
// (abort, reset, broken state, messages), abortable waits and their races.
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { asyncWith, Barrier, BrokenBarrierError, RuntimeError } from "../../src/index.js";
import { flush, track } from "../support/async.js";

const isBroken = (message: string) => (error: unknown) =>
  error instanceof BrokenBarrierError && error instanceof RuntimeError && error.message === message;

test("case 293 BarrierTests.test_context_manager: the value of asyncWith(barrier) is the arrival index", async () => {
  const barrier = new Barrier(3);
  const results: number[] = [];
  await Promise.all(
    [0, 1, 2].map(() =>
      asyncWith(barrier, (index) => {
        results.push(index);
      }),
    ),
  );
  assert.deepEqual([...results].sort(), [0, 1, 2]);
  assert.equal(barrier.nWaiting, 0);
  assert.equal(barrier.broken, false);
});

test("parties must be > 0 (Python's ValueError as a RangeError)", () => {
  assert.throws(() => new Barrier(0), { name: "RangeError", message: "parties must be > 0" });
  assert.throws(() => new Barrier(-1), RangeError);
  assert.throws(() => new Barrier(1.5), RangeError);
  assert.equal(new Barrier(4).parties, 4);
});

test("wait releases everybody once the last party arrives, with indices in arrival order, and the barrier is reusable", async () => {
  const barrier = new Barrier(3);
  for (let cycle = 0; cycle < 3; cycle++) {
    const first = track(barrier.wait());
    const second = track(barrier.wait());
    await flush();
    assert.equal(barrier.nWaiting, 2);
    assert.equal(first.status, "pending");
    assert.equal(await barrier.wait(), 2);
    await flush();
    assert.equal(first.value, 0);
    assert.equal(second.value, 1);
    assert.equal(barrier.nWaiting, 0);
  }
  assert.equal(await new Barrier(1).wait(), 0);
});

test("abort breaks the barrier: waiters get 'Abort or reset of barrier', later waits 'Barrier aborted'; reset mends it", async () => {
  const barrier = new Barrier(3);
  const waiting = [barrier.wait(), barrier.wait()];
  await barrier.abort();
  assert.equal(barrier.broken, true);
  assert.equal(barrier.nWaiting, 0);
  for (const w of waiting) await assert.rejects(w, isBroken("Abort or reset of barrier"));
  await assert.rejects(barrier.wait(), isBroken("Barrier aborted"));
  await assert.rejects(
    asyncWith(barrier, () => assert.fail("entered")),
    isBroken("Barrier aborted"),
  );
  await barrier.reset();
  assert.equal(barrier.broken, false);
  const results = await Promise.all([barrier.wait(), barrier.wait(), barrier.wait()]);
  assert.deepEqual(results, [0, 1, 2]);
});

test("reset with waiters fails them and leaves the barrier usable", async () => {
  const barrier = new Barrier(2);
  const waiting = barrier.wait();
  await barrier.reset();
  await assert.rejects(waiting, isBroken("Abort or reset of barrier"));
  assert.equal(barrier.broken, false);
  assert.deepEqual(await Promise.all([barrier.wait(), barrier.wait()]), [0, 1]);
});

test("a waiter whose signal aborts frees its place; as in Python the next arrival takes that index", async () => {
  // CPython 3.11: a, b wait; a is cancelled; c and d arrive -> b=1, c=1, d=2 (checked with python3).
  const barrier = new Barrier(3);
  const a = new AbortController();
  const ta = barrier.wait({ signal: a.signal });
  const tb = barrier.wait();
  const reason = new Error("a leaves");
  a.abort(reason);
  await assert.rejects(ta, (error) => error === reason);
  assert.equal(barrier.nWaiting, 1);
  const [b, c, d] = await Promise.all([tb, barrier.wait(), barrier.wait()]);
  assert.deepEqual({ b, c, d }, { b: 1, c: 1, d: 2 });
});

test("an abort at the moment of the trip: the trip stands, the aborted waiter rejects with its reason", async () => {
  const barrier = new Barrier(3);
  const controller = new AbortController();
  const first = barrier.wait({ signal: controller.signal });
  const second = barrier.wait();
  const third = barrier.wait();
  controller.abort();
  await assert.rejects(first, (error) => error === controller.signal.reason);
  assert.deepEqual(await Promise.all([second, third]), [1, 2]);
  assert.equal(barrier.nWaiting, 0);
});

test("an already-aborted signal rejects without taking a place", async () => {
  const barrier = new Barrier(2);
  const reason = new Error("no");
  await assert.rejects(barrier.wait({ signal: AbortSignal.abort(reason) }), (error) => error === reason);
  assert.equal(barrier.nWaiting, 0);
});

test("random arrivals and aborts: nWaiting counts exactly the queued callers, and every waiter ends released, aborted or broken", async () => {
  type Step = { kind: "arrive" | "flush" } | { kind: "abort"; pick: number };
  const step: fc.Arbitrary<Step> = fc.oneof(
    fc.constantFrom<Step>({ kind: "arrive" }, { kind: "flush" }),
    fc.nat(30).map((pick): Step => ({ kind: "abort", pick })),
  );
  await fc.assert(
    fc.asyncProperty(fc.integer({ min: 1, max: 4 }), fc.array(step, { maxLength: 40 }), async (parties, steps) => {
      const barrier = new Barrier(parties);
      const waiters: { controller: AbortController; outcome: "pending" | "released" | "aborted" | "broken" }[] = [];
      for (const s of steps) {
        if (s.kind === "arrive") {
          const w = {
            controller: new AbortController(),
            outcome: "pending" as "pending" | "released" | "aborted" | "broken",
          };
          waiters.push(w);
          barrier.wait({ signal: w.controller.signal }).then(
            () => (w.outcome = "released"),
            (reason: unknown) => {
              if (reason instanceof BrokenBarrierError) w.outcome = "broken";
              else {
                assert.equal(reason, w.controller.signal.reason);
                w.outcome = "aborted";
              }
            },
          );
        } else if (s.kind === "abort") {
          waiters[s.pick % Math.max(1, waiters.length)]?.controller.abort();
        } else {
          await flush();
          const pending = waiters.filter((w) => w.outcome === "pending").length;
          assert.equal(barrier.nWaiting, pending);
          assert.ok(pending < parties);
        }
      }
      await barrier.abort();
      await flush();
      for (const w of waiters) assert.notEqual(w.outcome, "pending");
    }),
    { numRuns: 150 },
  );
});
