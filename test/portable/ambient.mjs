// Portable checks of cancel scopes: ambient where the runtime has async context (Node, Deno and
// Bun through node:async_hooks, or a native AsyncContext), explicit signals everywhere, and
// trio/anyio's CancelScope, moveOnAfter and TaskGroup.start/cancel. Short real timers only.
import * as lib from "../../dist/esm/index.js";
import { assert, skip, test } from "./runner.mjs";

const { asyncWith, CancelScope, currentSignal, moveOnAfter, sleep, TaskGroup, TimeoutError, timeout } = lib;

/** Whether scopes flow here: Node, Deno and Bun say yes; a browser without AsyncContext says no. */
const ambient =
  typeof globalThis.AsyncContext?.Variable === "function" ||
  typeof globalThis.process?.getBuiltinModule?.("node:async_hooks")?.AsyncLocalStorage === "function";

test(`ambient scopes are ${ambient ? "" : "not "}available on this runtime, as documented`, async () => {
  const seen = await asyncWith(timeout(10_000), async (t) => {
    await sleep(0);
    return currentSignal() === t.signal;
  });
  assert.equal(seen, ambient);
  assert.equal(currentSignal(), undefined);
});

test("explicit signals work everywhere: sleep and a lock wait under timeout", async () => {
  const caught = await assert.rejects(
    () => asyncWith(timeout(5), (t) => sleep(10_000, undefined, { signal: t.signal })),
    TimeoutError,
  );
  assert.ok(caught.cause !== undefined);
  const lock = new lib.Lock();
  await lock.acquire();
  await assert.rejects(() => asyncWith(timeout(5), (t) => lock.acquire({ signal: t.signal })), TimeoutError);
  lock.release();
  assert.equal(lock.locked(), false);
});

if (ambient) {
  test("ambient: timeout around a TaskGroup gives TimeoutError, tasks cancelled with no signal passed", async () => {
    await assert.rejects(
      () =>
        asyncWith(timeout(20), () =>
          asyncWith(new TaskGroup(), (tg) => {
            tg.createTask(() => sleep(10_000));
          }),
        ),
      TimeoutError,
    );
  });

  test("ambient: a lock wait and an event wait under a timeout", async () => {
    const lock = new lib.Lock();
    await lock.acquire();
    await assert.rejects(() => asyncWith(timeout(5), () => asyncWith(lock, async () => {})), TimeoutError);
    await assert.rejects(() => asyncWith(timeout(5), () => new lib.Event().wait()), TimeoutError);
    lock.release();
  });

  test("ambient: a shielded cleanup finishes under a cancelled scope", async () => {
    const steps = [];
    await assert.rejects(
      () =>
        asyncWith(timeout(5), async () => {
          try {
            await sleep(10_000);
          } finally {
            await asyncWith(new CancelScope({ shield: true }), async () => {
              await sleep(5);
              steps.push("cleaned up");
            });
          }
        }),
      TimeoutError,
    );
    assert.deepEqual(steps, ["cleaned up"]);
  });
} else {
  skip(
    "ambient scopes (3 tests)",
    "this runtime has no async context: explicit signals only, as docs/cancellation.md says",
  );
}

test("moveOnAfter ends the block quietly (explicit signal)", async () => {
  const scope = moveOnAfter(5);
  const result = await asyncWith(scope, (s) => sleep(10_000, "late", { signal: s.signal }));
  assert.equal(result, undefined);
  assert.equal(scope.cancelledCaught, true);
});

test("CancelScope.cancel and a moved deadline", async () => {
  const scope = new CancelScope();
  assert.equal(
    await asyncWith(scope, async (s) => {
      s.cancel();
      await sleep(10_000, undefined, { signal: s.signal });
    }),
    undefined,
  );
  assert.equal(scope.cancelCalled, true);
  const extended = moveOnAfter(5);
  assert.equal(
    await asyncWith(extended, (s) => {
      s.deadline = performance.now() + 10_000;
      return sleep(10, "kept", { signal: s.signal });
    }),
    "kept",
  );
});

test("TaskGroup.start resolves with started(value); a failure before it rejects start", async () => {
  await asyncWith(new TaskGroup(), async (tg) => {
    const value = await tg.start(async (started, signal) => {
      started("ready");
      await sleep(5, undefined, { signal });
    });
    assert.equal(value, "ready");
    const failure = new Error("could not start");
    const caught = await assert.rejects(() =>
      tg.start(async () => {
        throw failure;
      }),
    );
    assert.equal(caught, failure);
  });
});

test("TaskGroup.cancel ends the group quietly", async () => {
  const result = await asyncWith(new TaskGroup(), async (tg) => {
    tg.createTask((signal) => sleep(10_000, undefined, { signal }));
    tg.cancel();
    await sleep(10_000, undefined, { signal: tg.signal });
  });
  assert.equal(result, undefined);
});
