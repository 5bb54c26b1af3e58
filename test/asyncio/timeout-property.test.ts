// Property-based test of nested, linked timeouts with short real timers: an abort that reaches
// the innermost block comes out as exactly one TimeoutError, converted by the outermost timeout
// that expired (Python's uncancel() <= _cancelling: an inner expired scope leaves the decision to
// an enclosing one that expired too), and every timeout ends finished or expired with its timer
// cleared (the harness fails the file on a timer left behind).
import assert from "node:assert/strict";
import { getEventListeners } from "node:events";
import { test } from "node:test";
import fc from "fast-check";
import { asyncWith, CancelledError, type Timeout, TimeoutError, timeout } from "../../src/index.js";
import { sleep } from "../support/async.js";

async function nest(
  delays: readonly (number | null)[],
  depth: number,
  parent: AbortSignal,
  made: Timeout[],
  innermost: { signal?: AbortSignal },
  bodyMs: number,
): Promise<void> {
  if (depth === delays.length) {
    innermost.signal = parent;
    await sleep(bodyMs, parent);
    return;
  }
  const cm = timeout(delays[depth] ?? null, { signal: parent });
  made.push(cm);
  await asyncWith(cm, (t) => nest(delays, depth + 1, t.signal, made, innermost, bodyMs));
}

test("nested linked timeouts: the outermost expired scope converts, exactly once", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.option(fc.integer({ min: 0, max: 4 })), { minLength: 1, maxLength: 4 }),
      fc.integer({ min: 0, max: 6 }),
      async (delays, bodyMs) => {
        const caller = new AbortController();
        const made: Timeout[] = [];
        const innermost: { signal?: AbortSignal } = {};
        let outcome: { ok: true } | { ok: false; error: unknown };
        try {
          await nest(delays, 0, caller.signal, made, innermost, bodyMs);
          outcome = { ok: true };
        } catch (error) {
          outcome = { ok: false, error };
        }
        assert.equal(getEventListeners(caller.signal, "abort").length, 0);
        for (const cm of made) assert.match(String(cm), /^<Timeout \[(finished|expired)\]>$/);
        const signal = innermost.signal;
        assert.ok(signal !== undefined);
        if (!signal.aborted) {
          assert.ok(outcome.ok, "no abort reached the block, so it completed");
          return;
        }
        assert.ok(!outcome.ok && outcome.error instanceof TimeoutError, "an abort reached the block: TimeoutError");
        assert.ok(signal.reason instanceof CancelledError);
        // Python's rule (uncancel() <= _cancelling): an expired scope converts only when no
        // enclosing scope has expired too, so the outermost expired timeout is the one that
        // converts, with its own reason; every timeout around it finished without expiring.
        const converter = made.findIndex((cm) => cm.expired());
        assert.ok(converter >= 0, "some deadline aborted the block");
        assert.equal(outcome.error.cause, made[converter]?.signal.reason);
        for (const cm of made.slice(0, converter)) assert.equal(String(cm), "<Timeout [finished]>");
      },
    ),
    { numRuns: 60 },
  );
});
