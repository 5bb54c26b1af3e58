/**
 * Exit stacks: `ExitStack` and `AsyncExitStack`, each Python's `contextlib` stack and an
 * ECMA-262 `DisposableStack` / `AsyncDisposableStack` in one class.
 *
 * @module
 */
export { type AsyncExitCallback, AsyncExitStack, type HasAsyncExit } from "./exit-stack/async-exit-stack.js";
export {
  type ExitCallback,
  ExitStack,
  type HasExit,
  type NotAsync,
  type SyncFunction,
} from "./exit-stack/exit-stack.js";
