/**
 * One hold of a Redis lock or semaphore: the wait for a permit, the lease renewed in the
 * background while the block runs, and the release.
 *
 * The wait: subscribe to the key's wake-up channel, then run the script once. When queued, the
 * grant arrives as a pub/sub message naming this waiter (no polling); a heartbeat re-runs the
 * script every third of the lease, which keeps the waiter's entry alive (a waiter whose process
 * died drops out of the queue after one lease) and catches a grant whose message was lost.
 *
 * The lease: renewed every third of its length. A renewal that finds the hold gone aborts the
 * hold's signal with a {@link LeaseLostError} at once; when renewals fail (Redis unreachable),
 * a local deadline, kept no later than the server's own expiry, aborts it when the lease may
 * have run out. Nothing here ever rejects unobserved: every background failure ends as the
 * signal's reason and, if the block did not see it, as the error its exit throws.
 *
 * @module
 */

import { runBlockSymbol, runInScope, withCurrentSignal } from "../asyncio/ambient.js";
import { CancelScope, parentFor } from "../asyncio/cancel-scope.js";
import { TimeoutError } from "../asyncio/errors.js";
import { startTimer, stopTimer, type Timer } from "../asyncio/timer.js";
import type { WaitOptions } from "../asyncio/waiters.js";
import type { AsyncContextManager, ExcInfo } from "../protocol.js";
import { isAbortSignal } from "../validate.js";
import { hubOf, type RedisClient, runScript } from "./client.js";
import { LeaseLostError } from "./errors.js";
import { SCRIPT, scriptKeys, wakeChannel } from "./script.js";

/** What a hold needs to know of the lock or semaphore it belongs to. @internal */
export interface HoldTarget {
  readonly client: RedisClient;
  readonly key: string;
  readonly keys: readonly string[];
  readonly channel: string;
  readonly permits: number;
  readonly leaseMs: number;
  /** Names the wait in a timeout's message: "RedisLock acquire". */
  readonly what: string;
}

/** @internal */
export function holdTarget(
  client: RedisClient,
  key: string,
  permits: number,
  leaseMs: number,
  what: string,
): HoldTarget {
  return { client, key, keys: scriptKeys(key), channel: wakeChannel(key), permits, leaseMs, what };
}

const now = (): number => performance.now();

/**
 * How much earlier than `sent + lease` a hold counts its lease as possibly gone: Redlock's
 * allowance for clock drift (1% of the lease plus 2 ms), which also covers the pub/sub delivery
 * delay of a grant to a queued waiter (whose lease starts on the server when granted).
 */
function validity(leaseMs: number): number {
  return leaseMs - Math.ceil(leaseMs / 100) - 2;
}

function newId(): string {
  return globalThis.crypto.randomUUID();
}

function run(target: HoldTarget, op: string, id: string): Promise<unknown> {
  const args = [op, id, String(target.permits), String(target.leaseMs), String(target.leaseMs), target.channel];
  return runScript(target.client, SCRIPT, target.keys, args);
}

/** The token in an acquire reply `[1, token]`, or `undefined` for `[0]` (queued). */
function grantedToken(reply: unknown): number | undefined {
  if (!Array.isArray(reply)) throw new TypeError(`unexpected reply from the Redis script: ${String(reply)}`);
  return Number(reply[0]) === 1 ? Number(reply[1]) : undefined;
}

/** The token granted to `id` in a wake-up message `id=token id=token …`, if it names `id`. */
function tokenIn(message: string, id: string): number | undefined {
  const prefix = `${id}=`;
  for (const part of message.split(" ")) {
    if (part.startsWith(prefix)) return Number(part.slice(prefix.length));
  }
  return undefined;
}

const IDLE = 0;
const WAITING = 1;
const HELD = 2;
const DONE = 3;

/**
 * The async manager `hold(options)` returns, and what `acquire(options)` resolves to: entering
 * it waits for a permit (with `options`: `signal`, `timeoutMs`) and gives the block the hold
 * itself, with its fencing {@link RedisHold.token} and its {@link RedisHold.signal}; exiting
 * releases the permit and never suppresses. A hold is used once.
 *
 * @example
 * ```ts
 * await asyncWith(redisLock.hold({ timeoutMs: 5000 }), async (hold) => {
 *   await storage.put("reports/daily.csv", data, { fencingToken: hold.token });
 * });
 * ```
 */
export class RedisHold implements AsyncContextManager<RedisHold, void> {
  readonly #target: HoldTarget;
  #options: WaitOptions | undefined;
  readonly #id = newId();
  readonly #scope = new CancelScope();
  #state: typeof IDLE | typeof WAITING | typeof HELD | typeof DONE = IDLE;
  #token = Number.NaN;
  /** Local time by which the server's expiry has certainly not passed yet, unless renewed. */
  #deadline = 0;
  #renewTimer: Timer | undefined;
  #deadlineTimer: Timer | undefined;
  #renewing = false;
  #lastRenewError: unknown;

  /** @internal Made by `hold()` and `acquire()`. */
  constructor(target: HoldTarget, options: WaitOptions | undefined) {
    this.#target = target;
    this.#options = options;
  }

  /**
   * The fencing token of this hold: larger than every token given before on the same key, so
   * the protected resource can refuse a writer with an older token. `NaN` before the grant.
   */
  get token(): number {
    return this.#token;
  }

  /**
   * Aborts, with a {@link LeaseLostError}, when the lease is lost while the block runs; hand it
   * to the block's work so that it stops when it no longer holds the permit.
   */
  get signal(): AbortSignal {
    return this.#scope.signal;
  }

  /**
   * @internal `asyncWith` runs the block through this: with the lease's signal current, combined
   * with the enclosing scope's (src/asyncio/ambient.ts), so that a lost lease cancels every wait
   * of the library in the block, and whatever reads `currentSignal()`, as a cancelled scope does.
   */
  [runBlockSymbol]<R>(block: () => R): R {
    // The lease's signal and the enclosing scope's, combined as an entered scope combines its
    // `signal` option with the current scope.
    const own = this.#scope.signal;
    const parent = parentFor(own) ?? own;
    return runInScope(isAbortSignal(parent) ? { signal: parent } : parent, block);
  }

  /** Whether the permit is held now: granted, not released and not known to be lost. */
  get held(): boolean {
    return this.#state === HELD && !this.#scope.aborted;
  }

  /**
   * Waits for the permit. Rejects with the signal's reason when aborted, a `TimeoutError`
   * after `timeoutMs`, or a Redis command's error; in each case nothing stays queued or held
   * (as far as Redis can be reached: otherwise the entry expires after one lease).
   */
  async aenter(): Promise<RedisHold> {
    if (this.#state !== IDLE) throw new TypeError("a RedisHold is entered once; call hold() again");
    this.#state = WAITING;
    // Given no signal, the wait observes the current cancel scope, as the in-process waits do.
    this.#options = withCurrentSignal(this.#options);
    const signal = this.#options?.signal;
    if (signal?.aborted) {
      this.#state = DONE;
      throw signal.reason;
    }
    try {
      await this.#wait();
    } catch (error) {
      this.#state = DONE;
      throw error;
    }
    this.#state = HELD;
    // An abort that landed with the grant wins, as in the in-process locks: the permit goes on.
    if (signal?.aborted) {
      this.#state = DONE;
      await run(this.#target, "release", this.#id).catch(() => {});
      throw signal.reason;
    }
    this.#scheduleRenewal(this.#target.leaseMs / 3);
    return this;
  }

  /**
   * Releases the permit. Throws the {@link LeaseLostError} when the lease was lost and the
   * block did not fail because of it, and a release command's error when the block succeeded
   * (the permit then comes back when its lease expires). Never suppresses.
   */
  async aexit(exc?: ExcInfo): Promise<void> {
    await this.release(exc === undefined ? undefined : { error: exc.error });
  }

  /**
   * Releases the permit taken by `acquire()`: what the manager's exit does. Calling it again,
   * or on a hold that was never granted, does nothing.
   *
   * @example
   * ```ts
   * const hold = await redisSemaphore.acquire();
   * try { await callPaymentApi({ signal: hold.signal, fencingToken: hold.token }); } finally { await hold.release(); }
   * ```
   */
  async release(failed?: { error: unknown }): Promise<void> {
    if (this.#state !== HELD) return;
    this.#state = DONE;
    this.#stopTimers();
    let released: unknown;
    let releaseError: unknown;
    let releaseFailed = false;
    try {
      released = await run(this.#target, "release", this.#id);
    } catch (error) {
      releaseFailed = true;
      releaseError = error;
    }
    if (!this.#scope.aborted && !releaseFailed && Number(released) !== 1) {
      this.#lose("the lease had expired when the hold was released");
    }
    if (this.#scope.aborted) {
      const lost = this.#scope.signal.reason;
      if (failed === undefined || !this.#scope.isAbort(failed.error)) throw lost;
      return;
    }
    if (releaseFailed && failed === undefined) throw releaseError;
  }

  /** The wait: resolves once granted (setting the token and deadline), rejects otherwise. */
  #wait(): Promise<void> {
    const target = this.#target;
    const id = this.#id;
    const hub = hubOf(target.client);
    const { signal, timeoutMs } = this.#options ?? {};
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      let subscribed = false;
      let heartbeat: Timer | undefined;
      let timer: Timer | undefined;
      const onMessage = (message: string): void => {
        const token = tokenIn(message, id);
        if (token !== undefined) grant(token, now());
      };
      const cleanup = (): void => {
        settled = true;
        if (heartbeat !== undefined) stopTimer(heartbeat);
        if (timer !== undefined) stopTimer(timer);
        signal?.removeEventListener("abort", onAbort);
        if (subscribed) hub.unsubscribe(target.channel, onMessage);
      };
      const grant = (token: number, sentAt: number): void => {
        if (settled) return;
        cleanup();
        this.#token = token;
        this.#deadline = sentAt + validity(target.leaseMs);
        resolve();
      };
      const fail = (reason: unknown): void => {
        if (settled) return;
        cleanup();
        // Leave the queue, or give back a grant that raced with the abort, before rejecting,
        // so that the next waiter is served at once and nothing of ours stays in Redis.
        run(target, "release", id).then(
          () => reject(reason),
          () => reject(reason),
        );
      };
      const onAbort = (): void => fail((signal as AbortSignal).reason);
      signal?.addEventListener("abort", onAbort);
      if (timeoutMs !== undefined) {
        timer = startTimer(() => fail(new TimeoutError(`${target.what} timed out after ${timeoutMs} ms`)), timeoutMs);
      }
      // Uncontended, the first answer is the grant, and no subscription is needed. Queued, the
      // waiter subscribes and asks again: a grant announced before the subscription was in
      // place is then in the answer. When the channel is still subscribed from an earlier wait
      // of this client, the waiter listens before asking, and one answer is enough.
      if (hub.isSubscribed(target.channel)) {
        subscribed = true;
        hub.subscribe(target.channel, onMessage).catch(fail);
      }
      const ask = (): void => {
        const sentAt = now();
        run(target, "acquire", id).then((reply) => {
          if (settled) return;
          let token: number | undefined;
          try {
            token = grantedToken(reply);
          } catch (error) {
            fail(error);
            return;
          }
          if (token !== undefined) grant(token, sentAt);
          else if (subscribed) heartbeat = startTimer(ask, target.leaseMs / 3);
          else {
            subscribed = true;
            hub.subscribe(target.channel, onMessage).then(() => {
              if (!settled) ask();
            }, fail);
          }
        }, fail);
      };
      ask();
    });
  }

  #scheduleRenewal(delayMs: number): void {
    this.#renewTimer = startTimer(() => this.#renew(), delayMs);
    this.#armDeadline();
  }

  #armDeadline(): void {
    if (this.#deadlineTimer !== undefined) stopTimer(this.#deadlineTimer);
    this.#deadlineTimer = startTimer(
      () => {
        this.#deadlineTimer = undefined;
        this.#lose("no renewal succeeded before the lease ran out", this.#lastRenewError);
      },
      Math.max(0, this.#deadline - now()),
    );
  }

  #renew(): void {
    this.#renewTimer = undefined;
    if (this.#renewing || this.#state !== HELD || this.#scope.aborted) return;
    this.#renewing = true;
    const sentAt = now();
    run(this.#target, "renew", this.#id).then(
      (renewed) => {
        this.#renewing = false;
        if (this.#state !== HELD || this.#scope.aborted) return;
        if (Number(renewed) !== 1) {
          this.#lose("the hold was gone when its lease was renewed");
          return;
        }
        this.#lastRenewError = undefined;
        this.#deadline = sentAt + validity(this.#target.leaseMs);
        this.#scheduleRenewal(this.#target.leaseMs / 3);
      },
      (error: unknown) => {
        this.#renewing = false;
        if (this.#state !== HELD || this.#scope.aborted) return;
        // Try again soon; the deadline timer decides when the lease counts as lost.
        this.#lastRenewError = error;
        this.#renewTimer = startTimer(() => this.#renew(), Math.min(this.#target.leaseMs / 10, 1000));
      },
    );
  }

  #lose(why: string, cause?: unknown): void {
    this.#stopTimers();
    const message = `lease on "${this.#target.key}" lost: ${why}`;
    this.#scope.abort(new LeaseLostError(message, cause === undefined ? undefined : { cause }));
  }

  #stopTimers(): void {
    if (this.#renewTimer !== undefined) stopTimer(this.#renewTimer);
    if (this.#deadlineTimer !== undefined) stopTimer(this.#deadlineTimer);
    this.#renewTimer = this.#deadlineTimer = undefined;
  }
}
