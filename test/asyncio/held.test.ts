// A hold of a lock or a semaphore permit as a TC39 disposable: `await using _ = await lock.held()`.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { asyncWith, BoundedSemaphore, Held, Lock, Semaphore } from "../../src/index.js";

describe("held(): a lock or permit released by await using / using", () => {
  test("await using releases at the end of the scope, also when the block throws", async () => {
    const lock = new Lock();
    {
      await using hold = await lock.held();
      assert.ok(hold instanceof Held);
      assert.equal(lock.locked(), true);
    }
    assert.equal(lock.locked(), false);
    const failure = new Error("block failed");
    await assert.rejects(
      async () => {
        await using _ = await lock.held();
        throw failure;
      },
      (e) => e === failure,
    );
    assert.equal(lock.locked(), false);
  });

  test("using (sync) releases too; release() first makes the disposal a no-op, never a double release", async () => {
    const semaphore = new BoundedSemaphore(1);
    {
      using hold = await semaphore.held();
      assert.equal(semaphore.locked(), true);
      hold.release();
      assert.equal(hold.released, true);
      assert.equal(semaphore.locked(), false);
    } // a second release of a BoundedSemaphore would throw: it did not happen
    assert.equal(semaphore.locked(), false);
  });

  test("holders queue in FIFO order, like asyncWith(lock, …)", async () => {
    const lock = new Lock();
    const order: string[] = [];
    const worker = async (name: string) => {
      await using _ = await lock.held();
      order.push(`${name} in`);
      await new Promise((resolve) => setImmediate(resolve));
      order.push(`${name} out`);
    };
    await Promise.all([worker("a"), worker("b"), asyncWith(lock, async () => void order.push("c"))]);
    assert.deepEqual(order, ["a in", "a out", "b in", "b out", "c"]);
  });

  test("an aborted wait acquires nothing and gives no hold", async () => {
    const semaphore = new Semaphore(1);
    const first = await semaphore.held();
    const controller = new AbortController();
    const waiting = semaphore.held({ signal: controller.signal });
    controller.abort(new Error("gave up"));
    await assert.rejects(waiting, /gave up/);
    first.release();
    assert.equal(semaphore.locked(), false);
  });
});
