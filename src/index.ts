/**
 * contextlib-ts: Python's context managers (`with`, `async with`, `contextlib`) for TypeScript,
 * interoperable with TC39's `using` / `await using`.
 *
 * @module
 */
export * from "./errors.js";
export * from "./protocol.js";
export * from "./with.js";
export * from "./asyncio/errors.js";
