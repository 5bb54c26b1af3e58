/**
 * contextlib-ts: Python's context managers (`with`, `async with`, `contextlib`) for TypeScript,
 * interoperable with TC39's `using` / `await using`.
 *
 * @module
 */
export { errorContext, hasErrorContext, RuntimeError, setErrorContext } from "./errors.js";
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
export { type AsyncEnterValues, asyncWith, type NotThenable, type SyncEnterValues, syncWith, type WithResult } from "./with.js";
export * from "./asyncio/errors.js";
export { AClosing, type AsyncCloseable, type Closeable, Closing, type ErrorClass, aclosing, closing, NullContext, nullContext, Suppress, suppress } from "./utilities.js";
export { CancelScope } from "./asyncio/cancel-scope.js";
export { type CreateTaskOptions, Task, TaskGroup, type TaskGroupOptions } from "./asyncio/task-group.js";
export { Timeout, type TimeoutOptions, timeout, timeoutAt } from "./asyncio/timeout.js";
export * from "./generator.js";
export * from "./decorator.js";
export * from "./abstract.js";
export { type WaitOptions } from "./asyncio/waiters.js";
export { BoundedSemaphore, Holding, Lock, Semaphore } from "./asyncio/locks.js";
export { Condition } from "./asyncio/condition.js";
export { Event } from "./asyncio/event.js";
export { Barrier, BrokenBarrierError } from "./asyncio/barrier.js";
export { Pool, PoolLease, type PoolOptions } from "./asyncio/pool.js";
export * from "./exit-stack.js";
export { SuppressedError } from "./suppressed-error.js";
