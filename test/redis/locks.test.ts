// RedisLock and RedisSemaphore within one process, against a real redis-server: the in-process
// managers' API and errors, FIFO hand-off through pub/sub, leases and fencing tokens, and the
// faults a client sees (commands failing mid-acquire, renewals that stop, a lost hold, Redis
// restarted). The multi-process tests are in processes.test.ts.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { asyncWith, currentSignal, Event, moveOnAfter, RuntimeError, TimeoutError, timeout } from "../../src/index.js";
import { hubOf, SUBSCRIPTION_GRACE_MS } from "../../src/redis/client.js";
import { LeaseLostError, RedisLock, RedisSemaphore } from "../../src/redis/index.js";
import { sleep } from "../support/async.js";
import { FaultyClient, type Fixture, freshKey, keysOf, skipReason, useRedis } from "./fixture.js";

let redis: Fixture;

/** Waits until `count` waiters are queued on `key` (the test's own view of the queue). */
async function queued(key: string, count: number): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if ((await redis.raw.zCard(`${key}:queue`)) >= count) return;
    await sleep(5);
  }
  throw new Error(`never saw ${count} waiters on ${key}`);
}

describe("RedisLock and RedisSemaphore", { skip: skipReason }, () => {
  redis = useRedis();

  test("a lock is held by one block at a time, and nothing is left in Redis afterwards", async () => {
    const key = freshKey("mutex");
    const clients = [await redis.client(), await redis.client("ioredis")];
    let inside = 0;
    let most = 0;
    const tokens: number[] = [];
    await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        asyncWith(new RedisLock(clients[i % 2] as never, key), async (hold) => {
          tokens.push(hold.token);
          inside++;
          most = Math.max(most, inside);
          await sleep(2);
          inside--;
        }),
      ),
    );
    assert.equal(most, 1);
    assert.deepEqual(
      tokens,
      [...tokens].sort((a, b) => a - b),
      "one holder at a time: tokens increase",
    );
    assert.equal(new Set(tokens).size, tokens.length);
    assert.deepEqual(await keysOf(redis.raw, key), []);
  });

  test("waiters are served first come, first served, across clients of both kinds", async () => {
    const key = freshKey("fifo");
    const clients = [await redis.client(), await redis.client("ioredis"), await redis.client()];
    const first = await new RedisLock(clients[0] as never, key).acquire();
    const order: number[] = [];
    const waits: Promise<void>[] = [];
    for (let i = 0; i < 6; i++) {
      const lock = new RedisLock(clients[i % 3] as never, key);
      waits.push(asyncWith(lock.hold(), async () => void order.push(i)));
      await queued(key, i + 1);
    }
    await first.release();
    await Promise.all(waits);
    assert.deepEqual(order, [0, 1, 2, 3, 4, 5]);
  });

  test("a semaphore never has more holders than permits, and its tokens only increase", async () => {
    const key = freshKey("semaphore");
    const semaphore = new RedisSemaphore(await redis.client(), key, 3);
    const other = new RedisSemaphore(await redis.client("ioredis"), key, 3);
    let inside = 0;
    let most = 0;
    const tokens: number[] = [];
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        asyncWith((i % 2 ? semaphore : other).hold(), async (hold) => {
          tokens.push(hold.token);
          inside++;
          most = Math.max(most, inside);
          await sleep((i * 7) % 11);
          inside--;
        }),
      ),
    );
    assert.equal(most, 3);
    // Grants reach different clients in their own time, so only uniqueness is checked here.
    assert.equal(new Set(tokens).size, tokens.length);
    assert.deepEqual(await keysOf(redis.raw, key), []);
  });

  test("a fencing token is larger than every earlier one on the key, even after the key went idle", async () => {
    const key = freshKey("fence");
    const lock = new RedisLock(await redis.client(), key);
    let last = 0;
    for (let i = 0; i < 5; i++) {
      const token = await asyncWith(lock.hold(), async (hold) => hold.token);
      assert.ok(token > last, `${token} > ${last}`);
      assert.ok(Number.isSafeInteger(token));
      last = token;
    }
  });

  test("the block receives the hold; asyncWith(lock) and asyncWith(semaphore) enter directly", async () => {
    const key = freshKey("direct");
    const client = await redis.client();
    const lock = new RedisLock(client, key);
    const held = await asyncWith(lock, async (hold) => {
      assert.ok(hold.held);
      assert.equal(hold.signal.aborted, false);
      return hold;
    });
    assert.equal(held.held, false);
    const semaphore = new RedisSemaphore(client, freshKey("direct-sem"), 2);
    assert.equal(semaphore.permits, 2);
    await asyncWith(semaphore, async (hold) => {
      assert.ok(hold.token > 0);
      // One direct entry at a time per semaphore object: its exit could not tell blocks apart.
      await assert.rejects(
        asyncWith(semaphore, async () => {}),
        RuntimeError,
      );
    });
    // Several tasks entering one lock object directly take turns.
    let inside = 0;
    await Promise.all(
      [1, 2, 3].map(() =>
        asyncWith(lock, async () => {
          inside++;
          assert.equal(inside, 1);
          await sleep(5);
          inside--;
        }),
      ),
    );
  });

  test("timeoutMs: TimeoutError with the in-process message, the waiter leaves the queue at once", async () => {
    const key = freshKey("timeout");
    const client = await redis.client();
    const lock = new RedisLock(client, key);
    const first = await lock.acquire();
    const started = performance.now();
    await assert.rejects(lock.acquire({ timeoutMs: 100 }), (error: unknown) => {
      assert.ok(error instanceof TimeoutError);
      assert.equal(error.message, "RedisLock acquire timed out after 100 ms");
      return true;
    });
    assert.ok(performance.now() - started >= 95);
    assert.equal(await redis.raw.zCard(`${key}:queue`), 0);
    const semaphore = new RedisSemaphore(client, freshKey("timeout-sem"), 1);
    const taken = await semaphore.acquire();
    await assert.rejects(semaphore.acquire({ timeoutMs: 10 }), /RedisSemaphore acquire timed out after 10 ms/);
    await taken.release();
    await first.release();
    assert.deepEqual(await keysOf(redis.raw, key), []);
  });

  test("abort: rejects with the signal's very reason and serves the next waiter; an aborted signal sends nothing", async () => {
    const key = freshKey("abort");
    const faulty = new FaultyClient(await redis.client());
    const lock = new RedisLock(faulty, key);
    const reason = new Error("caller gave up");
    const already = AbortSignal.abort(reason);
    await assert.rejects(lock.acquire({ signal: already }), (e) => e === reason);
    assert.deepEqual(faulty.calls, []);

    const first = await lock.acquire();
    const controller = new AbortController();
    const abandoned = lock.acquire({ signal: controller.signal });
    await queued(key, 1);
    const next = lock.acquire();
    await queued(key, 2);
    controller.abort(reason);
    await assert.rejects(abandoned, (e) => e === reason);
    await first.release();
    const second = await next;
    assert.ok(second.token > first.token);
    await second.release();
    assert.deepEqual(await keysOf(redis.raw, key), []);
  });

  test("wrong arguments are TypeErrors and RangeErrors", async () => {
    const client = await redis.client();
    assert.throws(() => new RedisLock({} as never, "k"), TypeError);
    assert.throws(() => new RedisLock(client, ""), TypeError);
    assert.throws(() => new RedisLock(client, "k", { leaseMs: "5" as never }), TypeError);
    assert.throws(() => new RedisLock(client, "k", { leaseMs: 0 }), RangeError);
    assert.throws(() => new RedisLock(client, "k", { leaseMs: 9 }), RangeError);
    assert.throws(() => new RedisLock(client, "k", { leaseMs: 1.5 }), RangeError);
    assert.throws(() => new RedisLock(client, "k", null as never), TypeError);
    assert.throws(() => new RedisSemaphore(client, "k", Number.NaN), RangeError);
    assert.throws(() => new RedisSemaphore(client, "k", 0), RangeError);
    assert.throws(() => new RedisSemaphore(client, "k", "2" as never), TypeError);
    assert.equal(new RedisLock(client, "k", { leaseMs: 1234 }).leaseMs, 1234);
    assert.equal(new RedisLock(client, "k", {}).key, "k");
    const lock = new RedisLock(client, freshKey("bad-timeout"));
    await assert.rejects(lock.acquire({ timeoutMs: -1 }), RangeError);
    await assert.rejects(lock.acquire({ timeoutMs: "1" as never }), TypeError);
    assert.throws(() => lock.hold({ signal: null as never }), TypeError);
    assert.throws(() => lock.hold(5 as never), TypeError);
    const hold = lock.hold();
    await asyncWith(hold, async () => {});
    await assert.rejects(hold.aenter(), /entered once/);
  });

  test("the lease is renewed while the block runs longer than the lease", async () => {
    const key = freshKey("renewed");
    const lock = new RedisLock(await redis.client(), key, { leaseMs: 600 });
    await asyncWith(lock.hold(), async (hold) => {
      await sleep(1500);
      assert.equal(hold.signal.aborted, false);
      assert.ok(hold.held);
    });
    assert.deepEqual(await keysOf(redis.raw, key), []);
  });

  test("lease lost (the hold vanished from Redis): the signal aborts with LeaseLostError, exit reports it", async () => {
    const key = freshKey("vanished");
    const lock = new RedisLock(await redis.client(), key, { leaseMs: 150 });
    let seen: unknown;
    const error = await asyncWith(lock.hold(), async (hold) => {
      await redis.raw.del(`${key}:holders`);
      await new Promise((resolve) => hold.signal.addEventListener("abort", resolve));
      seen = hold.signal.reason;
      assert.equal(hold.held, false);
    }).catch((e: unknown) => e);
    assert.ok(seen instanceof LeaseLostError);
    assert.equal(error, seen, "the block ignored the loss, so the exit throws it");
    assert.match(String(error), /lease on ".*" lost: the hold was gone when its lease was renewed/);

    // A block that failed because of the loss gets its own error through, not the loss twice.
    const thrown = await asyncWith(lock.hold(), async (hold) => {
      await redis.raw.del(`${key}:holders`);
      await sleep(10_000, hold.signal);
    }).catch((e: unknown) => e);
    assert.ok(thrown instanceof LeaseLostError);
  });

  test("a lost lease cancels the block's current scope: library waits and currentSignal() see it", async () => {
    const key = freshKey("ambient-lost");
    const lock = new RedisLock(await redis.client(), key, { leaseMs: 150 });
    const event = new Event();
    let ambient: AbortSignal | undefined;
    const error = await asyncWith(lock.hold(), async (hold) => {
      ambient = currentSignal();
      await redis.raw.del(`${key}:holders`);
      await event.wait(); // given no signal: the lease's scope ends it
      assert.fail(`the wait outlived the lease (${String(hold.signal.reason)})`);
    }).catch((e: unknown) => e);
    assert.ok(error instanceof LeaseLostError);
    assert.equal(ambient?.reason, error);

    // A direct entry runs its block under the lease too, and an enclosing scope still reaches it.
    const outer = await asyncWith(moveOnAfter(50), () =>
      asyncWith(lock, async () => {
        await event.wait();
        return "not reached";
      }),
    );
    assert.equal(outer, undefined);
    assert.deepEqual(await keysOf(redis.raw, key), []);
  });

  test("a wait for a Redis permit observes the current scope", async () => {
    const key = freshKey("ambient-wait");
    const lock = new RedisLock(await redis.client(), key, { leaseMs: 1_000 });
    await asyncWith(lock, async () => {
      const started = performance.now();
      await assert.rejects(
        asyncWith(timeout(50), () => asyncWith(lock.hold(), () => "not reached")),
        TimeoutError,
      );
      assert.ok(performance.now() - started < 5_000);
    });
    assert.deepEqual(await keysOf(redis.raw, key), []);
  });

  test("a release that finds the lease expired throws LeaseLostError", async () => {
    const key = freshKey("expired-at-release");
    const faulty = new FaultyClient(await redis.client());
    const lock = new RedisLock(faulty, key, { leaseMs: 60_000 });
    const hold = await lock.acquire();
    await redis.raw.del(`${key}:holders`);
    await assert.rejects(hold.release(), LeaseLostError);
    await hold.release(); // a second release does nothing
  });

  test("network pause longer than the lease (renewals stop): the signal aborts when the lease may have run out", async () => {
    const key = freshKey("pause");
    const faulty = new FaultyClient(await redis.client());
    const lock = new RedisLock(faulty, key, { leaseMs: 200 });
    const other = new RedisLock(await redis.client(), key, { leaseMs: 200 });
    const started = performance.now();
    const outcome = await asyncWith(lock.hold(), async (hold) => {
      faulty.hang.add("renew");
      faulty.hang.add("release");
      await new Promise((resolve) => hold.signal.addEventListener("abort", resolve));
      const lostAfter = performance.now() - started;
      // Lost no later than the lease (plus timer slack), and never before the server could expire it.
      assert.ok(lostAfter >= 190 && lostAfter < 2000, `lost after ${lostAfter} ms`);
      // The server gave the permit to someone else only after the lease: no overlap with us.
      const next = await other.acquire({ timeoutMs: 5000 });
      assert.ok(next.token > hold.token);
      await next.release();
      faulty.hang.delete("release");
      return hold.signal.reason;
    }).catch((e: unknown) => e);
    assert.ok(outcome instanceof LeaseLostError);
    assert.match(outcome.message, /no renewal succeeded before the lease ran out/);
  });

  test("renewals that fail now and then, within the lease, keep the hold", async () => {
    const key = freshKey("flaky-renew");
    const faulty = new FaultyClient(await redis.client());
    const lock = new RedisLock(faulty, key, { leaseMs: 600 });
    await asyncWith(lock.hold(), async (hold) => {
      faulty.failures.set("renew", 1);
      await sleep(900);
      assert.equal(hold.signal.aborted, false);
    });
    assert.ok(faulty.calls.filter((op) => op === "renew").length >= 2);
  });

  test("renewals that keep failing: LeaseLostError with the last failure as its cause", async () => {
    const key = freshKey("failing-renew");
    const faulty = new FaultyClient(await redis.client());
    const lock = new RedisLock(faulty, key, { leaseMs: 150 });
    const error = await asyncWith(lock.hold(), async (hold) => {
      faulty.failures.set("renew", 1000);
      await sleep(5000, hold.signal);
    }).catch((e: unknown) => e);
    assert.ok(error instanceof LeaseLostError);
    assert.match(String((error.cause as Error).message), /injected failure of renew/);
    faulty.failures.clear();
  });

  test("commands failing mid-acquire: the acquire rejects with the failure and leaves nothing queued", async () => {
    const key = freshKey("failing-acquire");
    const faulty = new FaultyClient(await redis.client());
    const lock = new RedisLock(faulty, key, { leaseMs: 300 });
    faulty.failures.set("acquire", 1);
    await assert.rejects(lock.acquire(), /injected failure of acquire/);

    // Queued, then the heartbeat fails: the waiter leaves the queue, the holder is unaffected.
    const holder = await new RedisLock(await redis.client(), key, { leaseMs: 300 }).acquire();
    const waiting = lock.acquire();
    await queued(key, 1);
    faulty.failures.set("acquire", 1);
    await assert.rejects(waiting, /injected failure of acquire/);
    assert.equal(await redis.raw.zCard(`${key}:queue`), 0);
    await holder.release();

    // The release after a failure fails too: the waiter entry expires after one lease.
    const holder2 = await new RedisLock(await redis.client(), key, { leaseMs: 300 }).acquire();
    const waiting2 = lock.acquire();
    await queued(key, 1);
    faulty.failures.set("acquire", 1);
    faulty.failures.set("release", 1);
    await assert.rejects(waiting2, /injected failure of acquire/);
    assert.equal(await redis.raw.zCard(`${key}:queue`), 1, "the entry stays until it expires");
    await sleep(400);
    await holder2.release();
    assert.deepEqual(await keysOf(redis.raw, key), []);
  });

  test("a release whose command fails throws that failure; the permit returns after its lease", async () => {
    const key = freshKey("failing-release");
    const faulty = new FaultyClient(await redis.client());
    const lock = new RedisLock(faulty, key, { leaseMs: 200 });
    faulty.failures.set("release", 1);
    await assert.rejects(
      asyncWith(lock.hold(), async () => {}),
      /injected failure of release/,
    );
    const started = performance.now();
    const next = await new RedisLock(await redis.client(), key, { leaseMs: 200 }).acquire();
    assert.ok(performance.now() - started >= 100);
    await next.release();
    // When the block failed, its own error wins over the release's.
    faulty.failures.set("release", 1);
    await assert.rejects(
      asyncWith(lock.hold(), async () => {
        throw new Error("block failed");
      }),
      /block failed/,
    );
    // Nobody touches the key again: Redis drops it by itself one second after the last lease.
    await sleep(1500);
    assert.deepEqual(await keysOf(redis.raw, key), []);
  });

  test("a process that freezes while queued (no heartbeat, no renewal) blocks the queue for one lease at most", async () => {
    const key = freshKey("dead-waiter");
    const faulty = new FaultyClient(await redis.client());
    const holder = await new RedisLock(await redis.client(), key, { leaseMs: 200 }).acquire();
    const frozen = new RedisLock(faulty, key, { leaseMs: 200 });
    const frozenWait = frozen.acquire().catch((e: unknown) => e);
    await queued(key, 1);
    for (const op of ["acquire", "renew", "release"]) faulty.hang.add(op);
    const live = new RedisLock(await redis.client(), key, { leaseMs: 200 }).acquire({ timeoutMs: 5000 });
    await queued(key, 2);
    await holder.release();
    const started = performance.now();
    const next = await live;
    const waited = performance.now() - started;
    assert.ok(waited < 1500, `served ${waited} ms after the release`);
    // The frozen waiter may still have heard of its grant (pub/sub is not frozen here): then its
    // lease was counted as lost before the next holder got the lock.
    const frozenOutcome = await frozenWait;
    if (frozenOutcome instanceof Object && "signal" in frozenOutcome) {
      const hold = frozenOutcome as { signal: AbortSignal; token: number };
      assert.ok(hold.signal.reason instanceof LeaseLostError);
      assert.ok(next.token > hold.token);
    }
    await next.release();
    assert.deepEqual(await keysOf(redis.raw, key), []);
  });

  test("an abort that lands as the grant arrives wins: the permit goes on to the next waiter", async () => {
    const key = freshKey("abort-at-grant");
    const client = await redis.client();
    const lock = new RedisLock(client, key);
    const first = await lock.acquire();
    const controller = new AbortController();
    const reason = new Error("aborted as granted");
    const waiting = lock.acquire({ signal: controller.signal });
    await queued(key, 1);
    // Heard after the waiter's own listener, in the same turn as the grant.
    const abortOnGrant = (): void => controller.abort(reason);
    await hubOf(client).subscribe(`${key}:wake`, abortOnGrant);
    const next = lock.acquire();
    await queued(key, 2);
    await first.release();
    await assert.rejects(waiting, (e) => e === reason);
    hubOf(client).unsubscribe(`${key}:wake`, abortOnGrant);
    const second = await next;
    await second.release();
    assert.deepEqual(await keysOf(redis.raw, key), []);
  });

  test("waiting on two keys through one client shares its subscriber connection", async () => {
    const client = await redis.client("ioredis");
    const [a, b] = [freshKey("shared-a"), freshKey("shared-b")];
    const holdA = await new RedisLock(client, a).acquire();
    const holdB = await new RedisLock(client, b).acquire();
    const waitA = new RedisLock(client, a).acquire();
    const waitB = new RedisLock(client, b).acquire();
    await queued(a, 1);
    await queued(b, 1);
    await holdA.release();
    await (await waitA).release();
    await holdB.release();
    await (await waitB).release();
  });

  for (const kind of ["node-redis", "ioredis"] as const) {
    test(`contended waits of one client reuse its subscription for a grace period (${kind}), then close it`, async () => {
      const key = freshKey(`grace-${kind}`);
      const client = new FaultyClient(await redis.client(kind));
      const lock = new RedisLock(client, key);
      const other = new RedisLock(await redis.client(), key);
      for (let round = 0; round < 3; round++) {
        const held = await other.acquire();
        const waiting = lock.acquire();
        await queued(key, 1);
        await held.release();
        await (await waiting).release();
      }
      // One connection, and from the second wait on one script call per wait: the channel was
      // still subscribed, so the waiter listened before asking.
      assert.equal(client.subscribersOpened, 1);
      assert.deepEqual(client.calls, ["acquire", "acquire", "release", "acquire", "release", "acquire", "release"]);
      assert.equal(hubOf(client).isSubscribed(`${key}:wake`), true);
      await hubOf(client).settled();
      assert.equal(hubOf(client).isSubscribed(`${key}:wake`), false);
      // After the grace period a wait opens a new connection again.
      const held = await other.acquire();
      const waiting = lock.acquire();
      await queued(key, 1);
      await held.release();
      await (await waiting).release();
      assert.equal(client.subscribersOpened, 2);
      assert.deepEqual(await keysOf(redis.raw, key), []);
    });
  }

  test("an unused subscription ends by itself after the grace period", async () => {
    const key = freshKey("grace-timer");
    const client = await redis.client();
    const lock = new RedisLock(client, key);
    const held = await lock.acquire();
    const waiting = lock.acquire();
    await queued(key, 1);
    await held.release();
    await (await waiting).release();
    assert.equal(hubOf(client).isSubscribed(`${key}:wake`), true);
    await sleep(SUBSCRIPTION_GRACE_MS + 200);
    await hubOf(client).settled();
    assert.equal(hubOf(client).isSubscribed(`${key}:wake`), false);
  });

  test("a broken reply, or a subscriber connection that cannot open, rejects the acquire", async () => {
    const key = freshKey("broken");
    const faulty = new FaultyClient(await redis.client());
    const lock = new RedisLock(faulty, key);
    faulty.replies.set("acquire", "OK");
    await assert.rejects(lock.acquire(), /unexpected reply from the Redis script: OK/);
    faulty.replies.clear();
    const holder = await new RedisLock(await redis.client(), key).acquire();
    faulty.subscriberFailure = new Error("no connection for pub/sub");
    await assert.rejects(
      asyncWith(lock, async () => {}),
      /no connection for pub\/sub/,
    );
    faulty.subscriberFailure = undefined;
    // The direct entry that failed is forgotten: the next one works.
    const waiting = asyncWith(lock, async (hold) => hold.token);
    await queued(key, 1);
    await holder.release();
    assert.ok((await waiting) > holder.token);
    assert.deepEqual(await keysOf(redis.raw, key), []);
  });

  test("a direct entry whose lease was lost: the exit throws LeaseLostError", async () => {
    const key = freshKey("direct-lost");
    const lock = new RedisLock(await redis.client(), key, { leaseMs: 150 });
    await assert.rejects(
      asyncWith(lock, async (hold) => {
        await redis.raw.del(`${key}:holders`);
        await new Promise((resolve) => hold.signal.addEventListener("abort", resolve));
      }),
      LeaseLostError,
    );
  });

  test("answers that arrive after the wait or the hold ended change nothing", async () => {
    const key = freshKey("late-answers");
    const faulty = new FaultyClient(await redis.client());
    const lock = new RedisLock(faulty, key, { leaseMs: 60 });
    // An acquire that fails after the caller gave up: the abort already decided.
    const holder = await new RedisLock(await redis.client(), key).acquire();
    const controller = new AbortController();
    const reason = new Error("gave up");
    faulty.delays.set("acquire", 100);
    faulty.failures.set("acquire", 1);
    const waiting = lock.acquire({ signal: controller.signal });
    await sleep(20);
    controller.abort(reason);
    await assert.rejects(waiting, (e) => e === reason);
    await sleep(150);
    faulty.delays.clear();
    faulty.failures.clear();
    await holder.release();
    // Renewals answered, or failed, after the hold was released.
    for (const failing of [false, true]) {
      const hold = await lock.acquire();
      faulty.delays.set("renew", 100);
      if (failing) faulty.failures.set("renew", 1);
      await sleep(30); // a renewal is in flight
      await hold.release();
      await sleep(120);
      faulty.delays.clear();
      faulty.failures.clear();
      assert.equal(hold.signal.aborted, false);
    }
    assert.deepEqual(await keysOf(redis.raw, key), []);
  });

  test("a script forgotten by the server (SCRIPT FLUSH) is loaded again", async () => {
    const key = freshKey("flush");
    const lock = new RedisLock(await redis.client("ioredis"), key);
    await asyncWith(lock.hold(), async () => {});
    await redis.raw.scriptFlush();
    await asyncWith(lock.hold(), async () => {});
  });

  test("Redis restarted during holds: every hold learns its lease is lost, no double grant afterwards", async (t) => {
    if (process.env.REDIS_URL) return t.skip("the server at REDIS_URL is not ours to restart");
    const key = freshKey("restart");
    const lockKey = freshKey("restart-lock");
    const clients = [await redis.client(), await redis.client("ioredis")];
    const semaphores = clients.map((c) => new RedisSemaphore(c, key, 2, { leaseMs: 300 }));
    const locks = clients.map((c) => new RedisLock(c, lockKey, { leaseMs: 300 }));
    const holds = await Promise.all([semaphores[0]?.acquire(), semaphores[1]?.acquire(), locks[0]?.acquire()]);
    const tokensBefore = holds.map((h) => h?.token ?? 0);
    await redis.server.restart();
    for (const hold of holds) {
      await new Promise((resolve) => {
        if (hold?.signal.aborted) resolve(undefined);
        else hold?.signal.addEventListener("abort", resolve);
      });
      assert.ok(hold?.signal.reason instanceof LeaseLostError);
    }
    // The permits are free again; a new round never exceeds them and its tokens are larger.
    let inside = 0;
    let most = 0;
    const tokens: number[] = [];
    await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        asyncWith((semaphores[i % 2] as RedisSemaphore).hold({ timeoutMs: 5000 }), async (hold) => {
          tokens.push(hold.token);
          inside++;
          most = Math.max(most, inside);
          await sleep(10);
          inside--;
        }),
      ),
    );
    assert.equal(most, 2);
    assert.ok(Math.min(...tokens) > Math.max(...tokensBefore));
    for (const hold of holds) await assert.rejects(hold?.release() as Promise<void>, LeaseLostError);
    assert.deepEqual(await keysOf(redis.raw, key), []);
  });
});
