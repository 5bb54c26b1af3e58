/**
 * contextlib-ts: Python's context managers (`with`, `async with`, `contextlib`, asyncio's
 * managers) for TypeScript, interoperable with TC39's `using` / `await using`.
 *
 * This module is the public surface; each concept lives in its own module and is re-exported
 * here. Node-only helpers (`chdir`, `redirectStdout`, `redirectStderr`) are in
 * `contextlib-ts/node`, so that this entry point runs on every runtime.
 *
 * @module
 */

// The protocol: what a manager is.
export {
  type AsyncCanSuppress,
  type AsyncContextManager,
  type AsyncDisposableLike,
  type AsyncEnterValue,
  type AsyncManagerLike,
  asyncDisposeSymbol,
  type ContextManager,
  type DisposableLike,
  disposeSymbol,
  type ExcInfo,
  isAsyncContextManager,
  isContextManager,
  type SyncCanSuppress,
  type SyncEnterValue,
  type SyncManagerLike,
} from "./protocol.js";

// Errors and Python's implicit error context.
export { errorContext, hasErrorContext, RuntimeError, setErrorContext } from "./errors.js";

// The statements: `with` and `async with`.
export {
  type AnyAsync,
  type AnySync,
  type AsyncBodyInSyncWith,
  type AsyncEnterValues,
  type AsyncEntry,
  asyncWith,
  type EntryManager,
  type NotThenable,
  type SyncEnterValues,
  type SyncEntry,
  syncWith,
  type WithResult,
} from "./with.js";

// Managers written as generators, decorators, and the abstract base classes.
export * from "./generator.js";
export * from "./decorator.js";
export * from "./abstract.js";

// contextlib's utilities.
export {
  AClosing,
  type AsyncCloseable,
  aclosing,
  type Closeable,
  Closing,
  closing,
  type ErrorClass,
  NullContext,
  nullContext,
  Suppress,
  suppress,
} from "./utilities.js";

// Exit stacks, which are also ECMA-262 DisposableStack / AsyncDisposableStack.
export * from "./exit-stack.js";
export { SuppressedError } from "./suppressed-error.js";

// asyncio's managers: cancellation, timeouts, task groups, synchronisation, pools.
export { CancelledError, TimeoutError } from "./asyncio/errors.js";
export { CancelScope, type CancelScopeOptions, moveOnAfter, moveOnAt } from "./asyncio/cancel-scope.js";
export { currentSignal } from "./asyncio/ambient.js";
export { type SleepOptions, sleep } from "./asyncio/sleep.js";
export { Timeout, type TimeoutOptions, timeout, timeoutAt } from "./asyncio/timeout.js";
export { type CreateTaskOptions, Task, TaskGroup, type TaskGroupOptions } from "./asyncio/task-group.js";
export type { WaitOptions } from "./asyncio/waiters.js";
export { BoundedSemaphore, Holding, Lock, Semaphore } from "./asyncio/locks.js";
export { Held } from "./asyncio/held.js";
export { Condition } from "./asyncio/condition.js";
export { Event } from "./asyncio/event.js";
export { Barrier, BrokenBarrierError } from "./asyncio/barrier.js";
export { Pool, type PoolCloseOptions, PoolLease, type PoolOptions } from "./asyncio/pool.js";
