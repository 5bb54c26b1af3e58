/**
 * The error a Redis-backed hold reports when its lease ends before the block does.
 *
 * @module
 */

/**
 * A lease was lost while its block ran: a renewal found the hold gone (the key expired during a
 * pause longer than the lease, Redis restarted without persistence, another client deleted it),
 * or no renewal succeeded before the lease's time ran out (Redis unreachable). It is the reason
 * the hold's `signal` aborts with, the moment the loss is known, and what the hold's exit throws
 * when the block finished without seeing it. Its `cause` is the renewal's own error, if any.
 *
 * Once it is raised, another process may already hold the permit: work guarded by the lease
 * must stop, and the resource must reject the stale holder's fencing token (docs/redis.md).
 *
 * @example
 * ```ts
 * await asyncWith(redisLock.hold(), async (hold) => {
 *   await migrate({ signal: hold.signal, fencingToken: hold.token }); // rejects with a LeaseLostError if the lease ends
 * });
 * ```
 */
export class LeaseLostError extends Error {
  constructor(message = "the lease was lost", options?: ErrorOptions) {
    super(message, options);
    this.name = "LeaseLostError";
  }
}
