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
 * Waits that share a signal, in any queue, share one abort listener (a `SignalWatch`), so any
 * number of them cost linear time, and a wait's `timeoutMs` may exceed `setTimeout`'s limit
 * (timer.ts). Options are checked before a waiter is queued (validate.ts).
 *
 * @module
 */

import { checkOptions, checkSignal, checkTimeoutMs } from "../validate.js";
import { TimeoutError } from "./errors.js";
import { startTimer, stopTimer, type Timer } from "./timer.js";

/**
 * How a wait may end early: `signal` aborts it (rejecting with `signal.reason`, the very
 * object), `timeoutMs` gives up after that many milliseconds with a {@link TimeoutError}.
 * Neither matters when the wait can be satisfied at once, except an already-aborted signal,
 * which rejects without taking anything.
 *
 * Options are checked before anything is queued: options that are not an object, a `signal`
 * that is not an `AbortSignal`, or a `timeoutMs` that is not a number are a `TypeError`; a
 * negative or `NaN` `timeoutMs` is a `RangeError` (`Infinity` means no limit). The promise-returning
 * methods reject with that error; the methods that return a manager (`hold()`,
 * `Pool.acquire()`) throw it.
 *
 * @example
 * ```ts
 * await lock.acquire({ signal: AbortSignal.timeout(100) });
 * await ready.wait({ timeoutMs: 50 }); // TimeoutError after 50 ms
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
  /** The neighbours among the waiters (of any queue) that share this waiter's signal. */
  signalPrev: Waiter<V> | undefined = undefined;
  signalNext: Waiter<V> | undefined = undefined;
  timer: Timer | undefined = undefined;

  constructor(
    readonly queue: WaiterQueue<V>,
    /** What the waiter resolves with when granted without an explicit value. */
    public value: V,
  ) {}
}

/**
 * The waiters of every queue that wait on one signal, and the single abort listener they
 * share: a signal shared by 50,000 waits carries one listener, not 50,000 (adding a listener
 * is linear in the listeners already there, and Node warns past 10), and its abort rejects
 * them all in linear time, oldest first.
 */
class SignalWatch {
  head: Waiter<unknown> | undefined = undefined;
  tail: Waiter<unknown> | undefined = undefined;

  constructor(readonly signal: AbortSignal) {}

  /** The abort listener: the watch itself, so no closure is allocated. */
  handleEvent(): void {
    const reason = this.signal.reason;
    for (let waiter = this.head; waiter !== undefined; waiter = this.head) {
      waiter.queue.abandon(waiter, reason);
    }
  }
}

const watches = new WeakMap<AbortSignal, SignalWatch>();

function watchSignal(waiter: Waiter<unknown>, signal: AbortSignal): void {
  let watch = watches.get(signal);
  if (watch === undefined) {
    watch = new SignalWatch(signal);
    watches.set(signal, watch);
    signal.addEventListener("abort", watch);
    watch.head = waiter;
  } else {
    (watch.tail as Waiter<unknown>).signalNext = waiter;
    waiter.signalPrev = watch.tail;
  }
  watch.tail = waiter;
  waiter.signal = signal;
}

function unwatchSignal(waiter: Waiter<unknown>, signal: AbortSignal): void {
  const watch = watches.get(signal) as SignalWatch;
  const { signalPrev: prev, signalNext: next } = waiter;
  if (prev === undefined) watch.head = next;
  else prev.signalNext = next;
  if (next === undefined) watch.tail = prev;
  else next.signalPrev = prev;
  waiter.signalPrev = waiter.signalNext = undefined;
  waiter.signal = undefined;
  if (watch.head === undefined) {
    watches.delete(signal);
    signal.removeEventListener("abort", watch);
  }
}

/**
 * The reason a wait must not start: malformed options (a `TypeError` or `RangeError`, see
 * {@link WaitOptions}) or an aborted signal (its reason, the very object). `undefined` when
 * the wait may go on. Nothing is queued before this answered.
 *
 * @internal
 */
export function refusal(options: WaitOptions | undefined): { reason: unknown } | undefined {
  if (options === undefined) return undefined;
  try {
    checkWaitOptions(options);
  } catch (error) {
    return { reason: error };
  }
  const signal = options.signal;
  if (signal?.aborted) return { reason: signal.reason };
  return undefined;
}

/**
 * Throws the `TypeError` or `RangeError` for malformed wait options (see {@link WaitOptions}).
 *
 * @internal
 */
export function checkWaitOptions(options: WaitOptions | undefined): void {
  const checked = checkOptions(options);
  if (checked === undefined) return;
  checkSignal(checked.signal);
  checkTimeoutMs(checked.timeoutMs);
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

  /** The waiter queued last (the one the latest `wait()` queued, right after that call). */
  get last(): Waiter<V> | undefined {
    return this.#tail;
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
    if (timeoutMs !== undefined) {
      waiter.timer = startTimer(() => {
        waiter.timer = undefined;
        this.abandon(waiter, new TimeoutError(`${what} timed out after ${timeoutMs} ms`));
      }, timeoutMs);
    }
    if (signal === undefined) return promise;
    watchSignal(waiter as Waiter<unknown>, signal);
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
      stopTimer(waiter.timer);
      waiter.timer = undefined;
    }
    if (waiter.signal !== undefined) unwatchSignal(waiter as Waiter<unknown>, waiter.signal);
  }
}

/**
 * One waiter kept alive for the life of the module, so that its hidden class is too.
 *
 * A full garbage collection at a moment when no wait is queued would otherwise find no
 * `Waiter` alive, clear the hidden classes (V8 holds them weakly) and throw away every
 * optimized function that was specialised on them ("weak objects" deoptimizations): the next
 * few thousand contended acquisitions then ran 4–8 times slower while they were re-optimized.
 * Exported so that it is held by the module (a module-local constant nothing reads is not).
 *
 * @internal
 */
export const shapeKeeper: Waiter<unknown> = new Waiter<unknown>(new WaiterQueue<unknown>(), undefined);
shapeKeeper.state = ABANDONED;

/**
 * The shared, already-settled result of an uncontended `acquire()`: no allocation per call.
 *
 * @internal
 */
export const RESOLVED_TRUE: Promise<true> = Promise.resolve(true);
