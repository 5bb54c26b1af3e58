/**
 * A held lock or semaphore permit as a TC39 disposable: `await using _ = await lock.held()`.
 *
 * Releasing a lock does not depend on how the block ended, so a hold needs no exit that sees
 * the error: it is safe as an `AsyncDisposable` (and a `Disposable`, release being
 * synchronous). Managers whose exit must see the error (a transaction that commits or rolls
 * back, `suppress`, `timeout`, `TaskGroup`) are not disposables on purpose: `using` would
 * give them no error to look at.
 *
 * @module
 */

import { shareIdentity } from "../identity.js";
import { asyncDisposeSymbol, disposeSymbol } from "../protocol.js";
import type { WaitOptions } from "./waiters.js";

/** What `held()` needs of a lock or semaphore: Python's `acquire()` and `release()`. */
interface Acquirable {
  acquire(options?: WaitOptions): Promise<true>;
  release(): void;
}

/**
 * One acquisition of a `Lock` or a `Semaphore` permit, released by `await using` / `using` at
 * the end of the scope, or by `release()`; released at most once, whichever comes first.
 *
 * @example
 * ```ts
 * const lock = new Lock();
 * {
 *   await using _ = await lock.held({ timeoutMs: 1_000 });
 *   await write(file); // one writer at a time
 * } // released here, whatever happened
 * ```
 */
export class Held implements AsyncDisposable, Disposable {
  #owner: Acquirable | undefined;

  /** @internal Made by `held()`, once the acquisition succeeded. */
  constructor(owner: Acquirable) {
    this.#owner = owner;
  }

  /** Whether this hold was released already. */
  get released(): boolean {
    return this.#owner === undefined;
  }

  /** Releases the lock or permit now; later calls, and the disposal at the end of the scope, do nothing. */
  release(): void {
    const owner = this.#owner;
    if (owner === undefined) return;
    this.#owner = undefined;
    owner.release();
  }

  /** `using`: releases (once). */
  [disposeSymbol](): void {
    this.release();
  }

  /** `await using`: releases (once); the release itself is synchronous. */
  async [asyncDisposeSymbol](): Promise<void> {
    this.release();
  }
}

/** @internal Acquires `owner` with `options` and gives the hold; an aborted wait acquires nothing. */
export async function acquireHeld(owner: Acquirable, options?: WaitOptions): Promise<Held> {
  await owner.acquire(options);
  return new Held(owner);
}

// `instanceof` holds across the ESM and CJS copies of the library (src/identity.ts).
shareIdentity({ Held });
