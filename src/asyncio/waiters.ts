/**
 * The FIFO queue of waiters that every synchronisation primitive of this package shares.
 *
 * A waiter leaves the queue in exactly one of two ways, decided synchronously:
 * - **granted** by the primitive (a permit, a notification, a resource is handed over directly,
 *   so nothing can take it in between and strict FIFO order holds, as asyncio's locks guarantee);
 * - **abandoned** because its signal aborted or its `timeoutMs` expired (it rejects with the
 *   signal's reason, the very object, or a {@link TimeoutError}).
 *
 * An abort that lands after the grant but before the waiter resumes wins, as a cancellation
 * between wake-up and resumption does in Python (rule 75–76): the waiter rejects with the
 * reason and the primitive gets the granted value back to pass on (`onLateAbort`), so a permit
 * is never lost and never granted twice.
 *
 * @module
 */

import { TimeoutError } from "./errors.js";

/**
 * How a wait may end early: `signal` aborts it (rejecting with `signal.reason`, the very
 * object), `timeoutMs` gives up after that many milliseconds with a {@link TimeoutError}.
 * Neither matters when the wait can be satisfied at once, except an already-aborted signal,
 * which rejects without taking anything.
 *
 * @example
 * ```ts
 * await lock.acquire({ signal: AbortSignal.timeout(100) });
 * await event.wait({ timeoutMs: 50 }); // TimeoutError after 50 ms
 * ```
 */
export interface WaitOptions {
  readonly signal?: AbortSignal | undefined;
  readonly timeoutMs?: number | undefined;
}

const QUEUED = 0;
const GRANTED = 1;
const ABANDONED = 2;

/**
 * One queued wait: a node of the intrusive list, so leaving it on abort costs O(1).
 *
 * @internal
 */
export class Waiter<V> {
  prev: Waiter<V> | undefined = undefined;
  next: Waiter<V> | undefined = undefined;
  state: typeof QUEUED | typeof GRANTED | typeof ABANDONED = QUEUED;
  resolve!: (value: V) => void;
  reject!: (reason: unknown) => void;
  signal: AbortSignal | undefined = undefined;
  timer: ReturnType<typeof setTimeout> | undefined = undefined;

  constructor(
    readonly queue: WaiterQueue<V>,
    /** What the waiter resolves with when granted without an explicit value. */
    public value: V,
  ) {}

  /** The abort listener: the waiter object itself, so no closure is allocated per wait. */
  handleEvent(): void {
    this.queue.abandon(this, (this.signal as AbortSignal).reason);
  }
}

/**
 * Checks a `timeoutMs` option: a non-negative number, `Infinity` meaning no limit.
 *
 * @internal
 */
export function checkTimeout(timeoutMs: number | undefined): RangeError | undefined {
  if (timeoutMs === undefined) return undefined;
  if (typeof timeoutMs !== "number" || !(timeoutMs >= 0)) {
    return new RangeError(`timeoutMs must be a non-negative number, got ${String(timeoutMs)}`);
  }
  return undefined;
}

/**
 * The reason an already-finished wait must not start: an aborted signal (its reason) or a
 * malformed `timeoutMs`. `undefined` when the wait may go on.
 *
 * @internal
 */
export function refusal(options: WaitOptions | undefined): { reason: unknown } | undefined {
  if (options === undefined) return undefined;
  const signal = options.signal;
  if (signal?.aborted) return { reason: (signal as AbortSignal).reason };
  const invalid = checkTimeout(options.timeoutMs);
  return invalid === undefined ? undefined : { reason: invalid };
}

/**
 * A strict FIFO queue of {@link Waiter}s.
 *
 * @internal
 */
export class WaiterQueue<V> {
  #head: Waiter<V> | undefined = undefined;
  #tail: Waiter<V> | undefined = undefined;
  #length = 0;

  /** @param onAbandon runs when a waiter leaves by abort or timeout (not on a grant). */
  constructor(private readonly onAbandon?: (waiter: Waiter<V>) => void) {}

  get length(): number {
    return this.#length;
  }

  isEmpty(): boolean {
    return this.#length === 0;
  }

  /**
   * Queues a waiter at the back and returns the promise the caller awaits. `what` names the
   * wait in a timeout's message. `onLateAbort` receives the granted value when the signal
   * aborts after the grant but before the waiter resumed (see the module comment).
   */
  wait(options: WaitOptions | undefined, value: V, what: string, onLateAbort?: (value: V) => void): Promise<V> {
    const waiter = new Waiter(this, value);
    const promise = new Promise<V>((resolve, reject) => {
      waiter.resolve = resolve;
      waiter.reject = reject;
    });
    if (this.#tail === undefined) {
      this.#head = waiter;
    } else {
      this.#tail.next = waiter;
      waiter.prev = this.#tail;
    }
    this.#tail = waiter;
    this.#length++;
    if (options === undefined) return promise;
    const { signal, timeoutMs } = options;
    if (timeoutMs !== undefined && timeoutMs !== Infinity) {
      waiter.timer = setTimeout(() => {
        waiter.timer = undefined;
        this.abandon(waiter, new TimeoutError(`${what} timed out after ${timeoutMs} ms`));
      }, timeoutMs);
    }
    if (signal === undefined) return promise;
    waiter.signal = signal;
    signal.addEventListener("abort", waiter);
    return promise.then((granted) => {
      if (signal.aborted) {
        onLateAbort?.(granted);
        throw signal.reason;
      }
      return granted;
    });
  }

  /** Grants the first waiter the value it was queued with; `false` if there is none. */
  grantFirst(): boolean {
    const waiter = this.#head;
    if (waiter === undefined) return false;
    this.#settle(waiter, GRANTED);
    waiter.resolve(waiter.value);
    return true;
  }

  /** Grants the first waiter `value` (a resource handed over); `false` if there is none. */
  grantFirstWith(value: V): boolean {
    const waiter = this.#head;
    if (waiter === undefined) return false;
    this.#settle(waiter, GRANTED);
    waiter.resolve(value);
    return true;
  }

  /** Rejects the first waiter with `reason` (a failure meant for the oldest wait); `false` if none. */
  rejectFirst(reason: unknown): boolean {
    const waiter = this.#head;
    if (waiter === undefined) return false;
    this.#settle(waiter, ABANDONED);
    waiter.reject(reason);
    this.onAbandon?.(waiter);
    return true;
  }

  /** Removes `waiter` if it is still queued and rejects it with `reason`. */
  abandon(waiter: Waiter<V>, reason: unknown): void {
    if (waiter.state !== QUEUED) return;
    this.#settle(waiter, ABANDONED);
    waiter.reject(reason);
    this.onAbandon?.(waiter);
  }

  #settle(waiter: Waiter<V>, state: typeof GRANTED | typeof ABANDONED): void {
    waiter.state = state;
    const { prev, next } = waiter;
    if (prev === undefined) this.#head = next;
    else prev.next = next;
    if (next === undefined) this.#tail = prev;
    else next.prev = prev;
    waiter.prev = waiter.next = undefined;
    this.#length--;
    if (waiter.timer !== undefined) {
      clearTimeout(waiter.timer);
      waiter.timer = undefined;
    }
    if (waiter.signal !== undefined) waiter.signal.removeEventListener("abort", waiter);
  }
}

/**
 * The shared, already-settled result of an uncontended `acquire()`: no allocation per call.
 *
 * @internal
 */
export const RESOLVED_TRUE: Promise<true> = Promise.resolve(true);
