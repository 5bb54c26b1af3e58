/**
 * Errors of the asyncio-style managers.
 *
 * @module
 */
import { shareIdentity } from "../identity.js";

/**
 * Python's `TimeoutError`, raised by `timeout()`/`timeoutAt()` when their own deadline expired
 * (its `cause` is the abort reason), and by waits given a `timeoutMs`.
 *
 * Not the DOM's `DOMException` named "TimeoutError": `instanceof TimeoutError` with this class
 * tells a deadline of ours from any other abort.
 *
 * @example
 * ```ts
 * const ready = new Event();
 * try {
 *   await ready.wait({ timeoutMs: 50 }); // nobody sets it
 * } catch (e) {
 *   e instanceof TimeoutError; // true: "Event wait timed out after 50 ms"
 * }
 * ```
 */
export class TimeoutError extends Error {
  constructor(message = "the operation timed out", options?: ErrorOptions) {
    super(message, options);
    this.name = "TimeoutError";
  }
}

/**
 * The abort reason the library's own cancel scopes use (Python's `CancelledError`): a real
 * error whose message says who aborted and why, such as "timeout of 50 ms expired" or
 * "TaskGroup aborted because a task failed: disk full". When the abort was caused by an
 * error, that error is its `cause`.
 *
 * JavaScript cannot interrupt an `await`, so nothing throws this by itself: it is the
 * `signal.reason` that signal-aware work (`fetch`, `timers/promises`, `signal.throwIfAborted()`)
 * rejects with, directly or as the `cause` of its own `AbortError`.
 *
 * @example
 * ```ts
 * await asyncWith(timeout(10), async (t) => {
 *   await sleep(1000, undefined, { signal: t.signal }); // rejects: cause is a CancelledError
 * }); // throws TimeoutError, whose cause is that CancelledError
 * ```
 */
export class CancelledError extends Error {
  constructor(message = "the operation was aborted", options?: ErrorOptions) {
    super(message, options);
    this.name = "CancelledError";
  }
}

// `instanceof` holds across the ESM and CJS copies of the library (src/identity.ts).
shareIdentity({ TimeoutError, CancelledError });
