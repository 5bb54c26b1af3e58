// Shared async fixtures for the test files: waiting a turn, sleeping (abortably), following a
// promise's outcome without an unhandled rejection, and counting microtask ticks.

/** Runs every pending microtask (and the promise jobs they queue) to completion. */
export const flush = (): Promise<void> => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Sleeps `ms` milliseconds. With a `signal`, it rejects with the signal's very reason as soon
 * as the signal aborts (at once when it already has), as `signal.throwIfAborted()` and `fetch`
 * do, and clears its timer, so no timer is left behind.
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** Resolves when `signal` aborts (never rejects). */
export function aborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener("abort", () => resolve(), { once: true });
  });
}

/** How a promise followed by {@link track} has ended so far. */
export interface Outcome<T> {
  status: "pending" | "fulfilled" | "rejected";
  value?: T;
  reason?: unknown;
}

/** Starts following `promise` and records how it ends, without an unhandled rejection. */
export function track<T>(promise: Promise<T>): Outcome<T> {
  const outcome: Outcome<T> = { status: "pending" };
  promise.then(
    (value) => Object.assign(outcome, { status: "fulfilled", value }),
    (reason: unknown) => Object.assign(outcome, { status: "rejected", reason }),
  );
  return outcome;
}

/**
 * Microtask turns (`await Promise.resolve()`) until `run()` settles: compares the tick cost of
 * two ways of doing a thing.
 */
export async function ticksToSettle(run: () => Promise<unknown>): Promise<number> {
  let settled = false;
  const done = run().then(() => {
    settled = true;
  });
  let count = 0;
  while (!settled) {
    await Promise.resolve();
    count++;
  }
  await done;
  return count;
}
