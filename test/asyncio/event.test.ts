// Event: set/clear/isSet/wait with Python's behaviour, abortable waits, and the races.
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { asyncWith, Event, TimeoutError } from "../../src/index.js";
import { flush } from "../support/async.js";

test("wait resolves true at once when set; set wakes every waiter; clear lowers the flag", async () => {
  const event = new Event();
  assert.equal(event.isSet(), false);
  const woken: number[] = [];
  const waiters = [0, 1, 2].map(async (n) => {
    assert.equal(await event.wait(), true);
    woken.push(n);
  });
  await flush();
  assert.deepEqual(woken, []);
  event.set();
  assert.equal(event.isSet(), true);
  await Promise.all(waiters);
  assert.deepEqual(woken, [0, 1, 2]);
  assert.equal(await event.wait(), true);
  event.clear();
  assert.equal(event.isSet(), false);
  let late = false;
  const waiting = event.wait().then(() => (late = true));
  await flush();
  assert.equal(late, false);
  event.set();
  await waiting;
  assert.equal(late, true);
});

test("a set then clear in one step still wakes the waiters that were queued", async () => {
  const event = new Event();
  const waiting = event.wait();
  event.set();
  event.clear();
  assert.equal(await waiting, true);
});

test("abort while waiting rejects with the very reason; an already-aborted signal rejects even when set", async () => {
  const event = new Event();
  const controller = new AbortController();
  const waiting = event.wait({ signal: controller.signal });
  const reason = new Error("stop");
  controller.abort(reason);
  await assert.rejects(waiting, (error) => error === reason);
  event.set();
  await assert.rejects(event.wait({ signal: AbortSignal.abort(reason) }), (error) => error === reason);
});

test("abort at the moment of set: the aborted waiter rejects, the others are woken", async () => {
  const event = new Event();
  const controller = new AbortController();
  const aborted = event.wait({ signal: controller.signal });
  const other = event.wait();
  event.set();
  controller.abort();
  await assert.rejects(aborted, (error) => error === controller.signal.reason);
  assert.equal(await other, true);
});

test("timeoutMs: a TimeoutError naming the wait", async () => {
  const event = new Event();
  await assert.rejects(
    event.wait({ timeoutMs: 1 }),
    (error) => error instanceof TimeoutError && error.message === "Event wait timed out after 1 ms",
  );
});

test("Event is not a context manager, as in Python", async () => {
  await assert.rejects(
    // @ts-expect-error: not an async manager, so asyncWith refuses it at compile time too.
    asyncWith(new Event(), () => {}),
    TypeError,
  );
});

test("random waits, aborts, sets and clears: every waiter ends woken or aborted, never both", async () => {
  type Step = { kind: "wait" | "set" | "clear" | "flush" } | { kind: "abort"; pick: number };
  const step: fc.Arbitrary<Step> = fc.oneof(
    fc.constantFrom<Step>({ kind: "wait" }, { kind: "set" }, { kind: "clear" }, { kind: "flush" }),
    fc.nat(30).map((pick): Step => ({ kind: "abort", pick })),
  );
  await fc.assert(
    fc.asyncProperty(fc.array(step, { maxLength: 40 }), async (steps) => {
      const event = new Event();
      const waiters: {
        controller: AbortController;
        outcome: string;
        setWhenQueued: boolean;
        abortedWhilePending: boolean;
      }[] = [];
      for (const s of steps) {
        if (s.kind === "wait") {
          const w = {
            controller: new AbortController(),
            outcome: "pending",
            setWhenQueued: event.isSet(),
            abortedWhilePending: false,
          };
          waiters.push(w);
          event.wait({ signal: w.controller.signal }).then(
            () => {
              assert.equal(w.outcome, "pending");
              w.outcome = "woken";
            },
            (reason: unknown) => {
              assert.equal(w.outcome, "pending");
              assert.equal(reason, w.controller.signal.reason);
              w.outcome = "aborted";
            },
          );
        } else if (s.kind === "set") event.set();
        else if (s.kind === "clear") event.clear();
        else if (s.kind === "abort") {
          const w = waiters[s.pick % Math.max(1, waiters.length)];
          if (w !== undefined && w.outcome === "pending" && !w.setWhenQueued) w.abortedWhilePending = true;
          w?.controller.abort();
        } else await flush();
      }
      event.set();
      await flush();
      for (const w of waiters) {
        assert.ok(w.outcome === "woken" || w.outcome === "aborted");
        // An abort before the waiter resumed wins, even when set() had already woken it.
        if (w.abortedWhilePending) assert.equal(w.outcome, "aborted");
      }
    }),
    { numRuns: 150 },
  );
});
