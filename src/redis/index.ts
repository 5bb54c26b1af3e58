/**
 * `contextlib-ts/redis`: `RedisLock` and `RedisSemaphore`, asyncio's `Lock` and `Semaphore`
 * across processes, on one Redis server, with leases and fencing tokens. Works with node-redis
 * v5 (`fromNodeRedis`) and ioredis (`fromIoredis`), neither of which this package depends on.
 *
 * @module
 */

export { TimeoutError } from "../asyncio/errors.js";
export {
  fromIoredis,
  fromNodeRedis,
  type IoredisLike,
  type IoredisSubscriberLike,
  type NodeRedisLike,
  type NodeRedisSubscriberLike,
} from "./adapters.js";
export type { RedisClient, RedisSubscriber } from "./client.js";
export { LeaseLostError } from "./errors.js";
export { RedisHold } from "./hold.js";
export { RedisLock, type RedisLockOptions, RedisSemaphore } from "./managers.js";
