/**
 * Errors of the asyncio-style managers.
 *
 * @module
 */

/**
 * Python's `TimeoutError`, raised by `timeout()`/`timeoutAt()` when their own deadline expired
 * (its `cause` is the abort reason), and by waits given a `timeoutMs`.
 *
 * Not the DOM's `DOMException` named "TimeoutError": `instanceof TimeoutError` with this class
 * tells a deadline of ours from any other abort.
 */
export class TimeoutError extends Error {
  constructor(message = "the operation timed out", options?: ErrorOptions) {
    super(message, options);
    this.name = "TimeoutError";
  }
}
