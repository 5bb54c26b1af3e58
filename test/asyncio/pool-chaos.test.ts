// Chaos: random borrowers (with signals and timeouts), releases, fatal errors, creates that
// fail or hang until told to stop, destroys that fail, odd validate answers, an onError that
// throws, idle eviction, and a close() at a random point. Invariants: never more than `max`
// resources; every resource made is destroyed exactly once after close(); every borrower ends;
// every failure ends up somewhere (a borrower, onError, or close()); no timer left behind (and
// no unhandled rejection: the harness fails the file on one).
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { asyncWith, Pool } from "../../src/index.js";
import { flush } from "../support/async.js";

type CreateMode = "ok" | "fail" | "hang" | "slow" | "stuck";
type Step =
  | { kind: "borrow"; timeoutMs: number | undefined; abortable: boolean }
  | { kind: "release" | "fatal" | "abort"; pick: number }
  | { kind: "nextCreate"; mode: CreateMode }
  | { kind: "nextDestroyFails" | "flush" | "closeNow" }
  | { kind: "validateAnswer"; answer: unknown }
  | { kind: "onErrorThrows"; throws: boolean };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({
    kind: fc.constant("borrow" as const),
    timeoutMs: fc.option(fc.constantFrom(0, 1, 5), { nil: undefined }),
    abortable: fc.boolean(),
  }),
  fc.record({ kind: fc.constantFrom("release" as const, "fatal" as const, "abort" as const), pick: fc.nat(20) }),
  fc.record({
    kind: fc.constant("nextCreate" as const),
    mode: fc.constantFrom<CreateMode>("ok", "fail", "hang", "slow", "stuck"),
  }),
  fc.record({ kind: fc.constantFrom("nextDestroyFails" as const, "flush" as const, "closeNow" as const) }),
  fc.record({
    kind: fc.constant("validateAnswer" as const),
    answer: fc.constantFrom(true, false, 1, undefined, "yes"),
  }),
  fc.record({ kind: fc.constant("onErrorThrows" as const), throws: fc.boolean() }),
);

class Fatal extends Error {}
const timers = () => process.getActiveResourcesInfo().filter((kind) => kind === "Timeout").length;

test("Pool under chaos keeps every invariant", async () => {
  const timersBefore = timers();
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 1, max: 3 }),
      fc.integer({ min: 0, max: 1 }),
      fc.array(step, { maxLength: 50 }),
      async (max, min, steps) => {
        let nextMode: CreateMode = "ok";
        let destroyFails = false;
        let validateAnswer: unknown = true;
        let onErrorThrows = false;
        let made = 0;
        let live = 0;
        /** Creates called and not settled yet: with `live`, never more than `max`. */
        let making = 0;
        /** Creates that ignore their signal and settle only when the test winds down. */
        const stuck: (() => void)[] = [];
        const destroyedTimes = new Map<number, number>();
        const pool = new Pool<number>({
          min,
          max,
          idleTimeoutMs: 2,
          create: (signal) => {
            const mode = nextMode;
            nextMode = "ok";
            if (mode === "fail") throw new Error("create failed");
            const make = () => {
              live++;
              assert.ok(live <= max, `${live} resources exist, max ${max}`);
              return made++;
            };
            if (mode === "ok") return make();
            making++;
            assert.ok(making + live <= max, `${making} creates running and ${live} resources, max ${max}`);
            if (mode === "stuck") {
              return new Promise<number>((resolve) => {
                stuck.push(() => {
                  making--;
                  resolve(make());
                });
              });
            }
            return new Promise<number>((resolve, reject) => {
              const later =
                mode === "slow"
                  ? setImmediate(() => {
                      signal.removeEventListener("abort", onAbort);
                      making--;
                      resolve(make());
                    })
                  : undefined;
              // A hanging (or slow) create stops when told to, as a well-behaved one does.
              const onAbort = () => {
                if (later !== undefined) clearImmediate(later);
                making--;
                reject(signal.reason);
              };
              signal.addEventListener("abort", onAbort, { once: true });
            });
          },
          destroy: (n) => {
            destroyedTimes.set(n, (destroyedTimes.get(n) ?? 0) + 1);
            live--;
            if (destroyFails) {
              destroyFails = false;
              throw new Error("destroy failed");
            }
          },
          validate: () => validateAnswer as boolean,
          isFatal: (error) => error instanceof Fatal,
          onError: (error) => {
            assert.match((error as Error).message, /create failed|destroy failed/);
            if (onErrorThrows) throw new Error("onError failed");
          },
        });
        const entered = await asyncWith(pool, async () => {
          const borrowers: {
            controller: AbortController;
            finish: (error?: unknown) => void;
            holding: boolean;
            done: Promise<unknown>;
            ended: boolean;
          }[] = [];
          for (const s of steps) {
            switch (s.kind) {
              case "borrow": {
                const controller = new AbortController();
                let finish!: (error?: unknown) => void;
                const released = new Promise<unknown>((resolve) => (finish = resolve));
                const borrower = { controller, finish, holding: false, done: Promise.resolve(), ended: false };
                borrower.done = asyncWith(
                  pool.acquire({ timeoutMs: s.timeoutMs, signal: s.abortable ? controller.signal : undefined }),
                  async () => {
                    borrower.holding = true;
                    const error = await released;
                    borrower.holding = false;
                    if (error !== undefined) throw error;
                  },
                )
                  .catch(() => {})
                  .finally(() => {
                    borrower.ended = true;
                  });
                borrowers.push(borrower);
                break;
              }
              case "release":
              case "fatal": {
                const holders = borrowers.filter((b) => b.holding);
                holders[s.pick % Math.max(1, holders.length)]?.finish(s.kind === "fatal" ? new Fatal() : undefined);
                break;
              }
              case "abort":
                borrowers[s.pick % Math.max(1, borrowers.length)]?.controller.abort();
                break;
              case "nextCreate":
                nextMode = s.mode;
                break;
              case "nextDestroyFails":
                destroyFails = true;
                break;
              case "validateAnswer":
                validateAnswer = s.answer;
                break;
              case "onErrorThrows":
                onErrorThrows = s.throws;
                break;
              case "closeNow":
                void pool.close().catch(() => {});
                break;
              case "flush":
                await flush();
                break;
            }
            assert.ok(pool.size <= max, `size ${pool.size} > max ${max}`);
            assert.ok(pool.borrowed + pool.available <= pool.size);
          }
          // Wind down: every borrower gives back or gives up, and closing the pool ends the
          // waits nothing else would end (a borrower without a limit behind a hanging create).
          for (const b of borrowers) {
            b.controller.abort();
            b.finish();
          }
          const closing = pool.close();
          // A stuck create holds its slot until it settles: only then can the pool drain.
          for (const settle of stuck.splice(0)) settle();
          await Promise.all(borrowers.map((b) => b.done));
          await closing;
          for (const b of borrowers) assert.ok(b.ended, "a borrower was left hanging");
          return true;
        }).catch((error: unknown) => {
          // Only reported failures reach here: a failing destroy, a throwing onError, a failed
          // create for min, or the pool closed early (then a min create may find it closed).
          const messages = (error instanceof AggregateError ? error.errors : [error]).map((e) => (e as Error).message);
          for (const message of messages) {
            assert.match(message, /create failed|destroy failed|onError failed|Pool is closed/);
          }
          return false;
        });
        assert.equal(typeof entered, "boolean");
        // The pool is closed by now (the exit, or the entry's failure, closed it).
        for (const settle of stuck.splice(0)) settle();
        await pool.close().catch(() => {});
        assert.equal(pool.size, 0, "every slot came back");
        assert.equal(live, 0, "every resource made was destroyed");
        for (const [n, times] of destroyedTimes) assert.equal(times, 1, `resource ${n} destroyed ${times} times`);
        assert.equal(destroyedTimes.size, made);
      },
    ),
    // A run that hangs fails with its counterexample instead of leaving the loop empty.
    { numRuns: 150, timeout: 10_000 },
  );
  await flush();
  assert.equal(timers(), timersBefore, "no timer left behind");
});
