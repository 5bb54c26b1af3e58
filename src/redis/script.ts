/**
 * The Lua script behind every state change of a Redis lock or semaphore: each call is one
 * atomic step on the server, timed by the server's own clock, so the clocks of the clients
 * never matter.
 *
 * The state of a key `K` (all of it removed once nobody holds or waits):
 * - `K:holders`: sorted set, holder id → the lease's expiry (server ms);
 * - `K:queue`:   sorted set, waiter id → its ticket, the arrival order (FIFO across processes);
 * - `K:waiters`: sorted set, waiter id → the waiter entry's expiry (a dead waiter drops out);
 * - `K:tokens`:  hash, holder id → its fencing token;
 * - `K:leases`:  hash, waiter id → the lease length it asked for (used when it is granted);
 * - `K:fence`:   the last fencing token given;
 * - `K:ticket`:  the last ticket given.
 *
 * Every call first drops expired holders and waiters, then grants free permits to the head of
 * the queue (publishing `id=token` for each on the channel `K:wake`, which is how a waiter
 * learns of its grant without polling), then does its own step. A new arrival is granted at
 * once only when nobody is queued, so nobody jumps the queue.
 *
 * A fencing token is `max(last + 1, server time in µs)`: it increases on every grant, and
 * keeps increasing after the state was dropped (idle key, Redis restarted without
 * persistence), as long as the server's clock does not step back.
 *
 * @module
 */

/** The keys of the script, in its KEYS order, for the lock or semaphore named `key`. */
export function scriptKeys(key: string): string[] {
  return [
    `${key}:holders`,
    `${key}:queue`,
    `${key}:waiters`,
    `${key}:tokens`,
    `${key}:leases`,
    `${key}:fence`,
    `${key}:ticket`,
  ];
}

/** The pub/sub channel on which grants to queued waiters are announced. */
export function wakeChannel(key: string): string {
  return `${key}:wake`;
}

/**
 * ARGV: op ("acquire" | "renew" | "release"), id, permits, leaseMs, waiterTtlMs, channel.
 *
 * Replies: acquire → `{1, token}` when held, `{0}` when queued; renew → 1 when the lease was
 * extended, 0 when the hold is gone; release → 1 when it held or waited, 0 when it was gone.
 */
export const SCRIPT = `
local H, Q, W, T, L, F, N = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7]
local op, id = ARGV[1], ARGV[2]
local permits, leaseMs, waitMs = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local channel = ARGV[6]
local clock = redis.call('TIME')
local nowUs = tonumber(clock[1]) * 1000000 + tonumber(clock[2])
local now = math.floor(nowUs / 1000)

local function nextToken()
  local token = tonumber(redis.call('GET', F) or '0') + 1
  if token < nowUs then token = nowUs end
  token = string.format('%.0f', token)
  redis.call('SET', F, token)
  return token
end

local function hold(who, lease)
  local token = nextToken()
  redis.call('ZADD', H, now + lease, who)
  redis.call('HSET', T, who, token)
  return token
end

local function forgetWaiter(who)
  redis.call('ZREM', Q, who)
  redis.call('ZREM', W, who)
  redis.call('HDEL', L, who)
end

for _, who in ipairs(redis.call('ZRANGEBYSCORE', H, '-inf', now)) do
  redis.call('ZREM', H, who)
  redis.call('HDEL', T, who)
end
for _, who in ipairs(redis.call('ZRANGEBYSCORE', W, '-inf', now)) do
  forgetWaiter(who)
end

-- Grants free permits to the head of the queue and announces them; returns how many stay free.
local function grantQueue()
  local granted = {}
  local free = permits - redis.call('ZCARD', H)
  while free > 0 do
    local head = redis.call('ZRANGE', Q, 0, 0)[1]
    if not head then break end
    local lease = tonumber(redis.call('HGET', L, head) or leaseMs)
    forgetWaiter(head)
    granted[#granted + 1] = head .. '=' .. hold(head, lease)
    free = free - 1
  end
  if #granted > 0 then redis.call('PUBLISH', channel, table.concat(granted, ' ')) end
  return free
end

local free = grantQueue()
local reply
if op == 'acquire' then
  local token = redis.call('HGET', T, id)
  if token then
    reply = {1, token}
  elseif redis.call('ZSCORE', Q, id) then
    redis.call('ZADD', W, now + waitMs, id)
    reply = {0}
  elseif free > 0 and redis.call('ZCARD', Q) == 0 then
    reply = {1, hold(id, leaseMs)}
  else
    redis.call('ZADD', Q, redis.call('INCR', N), id)
    redis.call('ZADD', W, now + waitMs, id)
    redis.call('HSET', L, id, leaseMs)
    reply = {0}
  end
elseif op == 'renew' then
  if redis.call('ZSCORE', H, id) then
    redis.call('ZADD', H, now + leaseMs, id)
    reply = 1
  else
    reply = 0
  end
else
  reply = redis.call('ZREM', H, id) + redis.call('ZREM', Q, id)
  redis.call('HDEL', T, id)
  forgetWaiter(id)
  grantQueue()
end
if redis.call('ZCARD', H) == 0 and redis.call('ZCARD', Q) == 0 then
  -- Idle: drop everything. The last token survives only if the clock has not yet passed it.
  local last = tonumber(redis.call('GET', F) or '0')
  redis.call('DEL', H, Q, W, T, L, N)
  if last >= nowUs then
    redis.call('PEXPIRE', F, math.floor((last - nowUs) / 1000) + 2)
  else
    redis.call('DEL', F)
  end
else
  -- Keys outlive the latest expiry by a margin, so a state nobody touches again still goes away.
  local horizon = now
  local h = redis.call('ZRANGE', H, -1, -1, 'WITHSCORES')
  local w = redis.call('ZRANGE', W, -1, -1, 'WITHSCORES')
  if h[2] and tonumber(h[2]) > horizon then horizon = tonumber(h[2]) end
  if w[2] and tonumber(w[2]) > horizon then horizon = tonumber(w[2]) end
  local ttl = horizon - now + 1000
  for _, k in ipairs({H, Q, W, T, L, F, N}) do redis.call('PEXPIRE', k, ttl) end
end
return reply
`;
