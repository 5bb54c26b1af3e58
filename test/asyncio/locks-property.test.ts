// Property tests: many waiters on a Lock / Semaphore / BoundedSemaphore under random schedules
// of arrivals, aborts and releases, including an abort in the same step as a release (before or
// after it), waiters sharing a signal (one abort ends them all), and calls with malformed options
// (refused, with nothing queued). Invariants: holders never exceed the bound, a permit is never
// lost or granted twice, every waiter ends granted or aborted (with its signal's reason), and
// FIFO order holds.
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { BoundedSemaphore, Condition, Lock, Semaphore } from "../../src/index.js";
import { flush } from "../support/async.js";

interface Primitive {
  acquire(options?: { signal?: AbortSignal; timeoutMs?: number }): Promise<true>;
  release(): void;
  locked(): boolean;
}

type Step =
  | { kind: "arrive" }
  | { kind: "arriveShared"; group: number }
  | { kind: "abortShared"; group: number }
  | { kind: "arriveBad"; which: number }
  | { kind: "abort"; pick: number }
  | { kind: "release"; pick: number }
  | { kind: "releaseThenAbort"; pick: number }
  | { kind: "abortThenRelease"; pick: number }
  | { kind: "flush" };

const stepArbitrary: fc.Arbitrary<Step> = fc.oneof(
  fc.constant<Step>({ kind: "arrive" }),
  fc.nat(2).map((group): Step => ({ kind: "arriveShared", group })),
  fc.nat(2).map((group): Step => ({ kind: "abortShared", group })),
  fc.nat(5).map((which): Step => ({ kind: "arriveBad", which })),
  fc.nat(50).map((pick): Step => ({ kind: "abort", pick })),
  fc.nat(50).map((pick): Step => ({ kind: "release", pick })),
  fc.nat(50).map((pick): Step => ({ kind: "releaseThenAbort", pick })),
  fc.nat(50).map((pick): Step => ({ kind: "abortThenRelease", pick })),
  fc.constant<Step>({ kind: "flush" }),
);

interface Waiter {
  id: number;
  controller: AbortController;
  status: "pending" | "holding" | "released" | "aborted";
  everGranted: boolean;
}

async function runSchedule(make: () => Primitive, bound: number, steps: Step[]): Promise<void> {
  const primitive = make();
  const waiters: Waiter[] = [];
  const shared = [new AbortController(), new AbortController(), new AbortController()];
  const badOptions: unknown[] = [
    null,
    7,
    { signal: {} },
    { signal: new AbortController() },
    { timeoutMs: -1 },
    { timeoutMs: Number.NaN },
  ];
  let refused = 0;
  let badCalls = 0;
  const pick = <T>(list: T[], n: number): T | undefined => (list.length === 0 ? undefined : list[n % list.length]);
  const holding = () => waiters.filter((w) => w.status === "holding");
  const pending = () => waiters.filter((w) => w.status === "pending");

  const check = () => {
    assert.ok(holding().length <= bound, `holders ${holding().length} exceed the bound ${bound}`);
    // FIFO: while a waiter is still queued, nobody who arrived after it has been granted.
    const firstPending = pending()[0];
    if (firstPending !== undefined) {
      for (const w of waiters)
        if (w.id > firstPending.id) assert.ok(!w.everGranted, `waiter ${w.id} jumped ahead of ${firstPending.id}`);
      // And the queue only exists when every permit is taken.
      assert.equal(holding().length, bound, "a waiter is queued while a permit is free");
      assert.equal(primitive.locked(), true);
    }
  };

  const releaseOne = (n: number) => {
    const holder = pick(holding(), n);
    if (holder === undefined) return;
    holder.status = "released";
    primitive.release();
  };
  const abortOne = (n: number) => {
    pick(
      waiters.filter((w) => w.status === "pending"),
      n,
    )?.controller.abort(new Error(`abort ${n}`));
  };

  for (const step of steps) {
    switch (step.kind) {
      case "arriveBad":
        badCalls++;
        primitive.acquire(badOptions[step.which] as never).then(
          () => assert.fail("malformed options were accepted"),
          (error: unknown) => {
            assert.ok(error instanceof TypeError || error instanceof RangeError);
            refused++;
          },
        );
        break;
      case "abortShared":
        shared[step.group]?.abort(new Error(`shared abort ${step.group}`));
        shared[step.group] = new AbortController();
        break;
      case "arrive":
      case "arriveShared": {
        const waiter: Waiter = {
          id: waiters.length,
          controller: step.kind === "arrive" ? new AbortController() : (shared[step.group] as AbortController),
          status: "pending",
          everGranted: false,
        };
        waiters.push(waiter);
        primitive.acquire({ signal: waiter.controller.signal }).then(
          () => {
            assert.equal(waiter.status, "pending");
            waiter.status = "holding";
            waiter.everGranted = true;
          },
          (reason: unknown) => {
            assert.equal(waiter.status, "pending");
            assert.equal(reason, waiter.controller.signal.reason, "rejected with its own reason");
            waiter.status = "aborted";
          },
        );
        break;
      }
      case "abort":
        abortOne(step.pick);
        break;
      case "release":
        releaseOne(step.pick);
        break;
      case "releaseThenAbort": {
        // Abort the waiter at the head of the queue right after the release granted it.
        const head = pending()[0];
        releaseOne(step.pick);
        head?.controller.abort(new Error("late"));
        break;
      }
      case "abortThenRelease":
        abortOne(step.pick);
        releaseOne(step.pick);
        break;
      case "flush":
        await flush();
        check();
        break;
    }
  }
  await flush();
  check();
  assert.equal(refused, badCalls, "every malformed call was refused");
  // Wind down: abort everyone still queued, release every holder.
  for (const w of pending()) if (!w.controller.signal.aborted) w.controller.abort(new Error("wind down"));
  await flush();
  for (const w of holding()) {
    w.status = "released";
    primitive.release();
  }
  await flush();
  for (const w of waiters)
    assert.ok(w.status === "released" || w.status === "aborted", `waiter ${w.id} ended ${w.status}`);
  // No permit leaked or was duplicated: exactly `bound` acquires succeed at once.
  for (let i = 0; i < bound; i++) {
    assert.equal(primitive.locked(), false, `permit ${i} missing`);
    await primitive.acquire();
  }
  assert.equal(primitive.locked(), true, "an extra permit appeared");
}

const kinds: Array<[string, number, () => Primitive]> = [
  ["Lock", 1, () => new Lock()],
  ["Semaphore(1)", 1, () => new Semaphore(1)],
  ["Semaphore(3)", 3, () => new Semaphore(3)],
  ["BoundedSemaphore(2)", 2, () => new BoundedSemaphore(2)],
  ["Condition (its lock)", 1, () => new Condition()],
];

for (const [name, bound, make] of kinds) {
  test(`${name}: random arrivals, aborts and releases keep every invariant`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(stepArbitrary, { minLength: 1, maxLength: 60 }), (steps) =>
        runSchedule(make, bound, steps),
      ),
      { numRuns: 150 },
    );
  });
}
