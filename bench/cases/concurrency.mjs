// The asyncio-style managers against the packages people use for the same job: Lock and
// Semaphore against async-mutex, Pool against generic-pool, timeout against an AbortSignal
// with a timer cleared by hand. Each group's baseline (its first case) is the peer.
// `AbortSignal.timeout(ms)` alone is not measured: its timer cannot be cleared, so each
// operation would leave one pending until it fires and slow every later measurement.
//
// Uncontended: one task acquires and releases in a loop. Contended: TASKS tasks each take the
// lock ROUNDS times and yield inside (`await null`), so that every acquisition but the first
// of a round queues behind another; time is reported per acquisition.
import { contended as contendedDriver, yieldOnce } from "../lib/contended.mjs";
import { measureGroup } from "../lib/measure.mjs";

const TASKS = 8;
const ROUNDS = 64;
const PER_OP = TASKS * ROUNDS;

const noop = async () => {};
/** Runs `acquisition` TASKS × ROUNDS times, in TASKS concurrent tasks, with a driver of its own. */
function contended(acquisition) {
  return contendedDriver(acquisition, TASKS, ROUNDS);
}

/**
 * The least a lock can do: a flag and a FIFO of waiters' resolvers, the lock handed straight
 * to the next waiter on release. No cancellation, no fairness beyond FIFO: the floor for Lock.
 */
class MinimalLock {
  locked = false;
  waiters = [];
  acquire() {
    if (!this.locked) {
      this.locked = true;
      return undefined;
    }
    return new Promise((resolve) => this.waiters.push(resolve));
  }
  release() {
    const next = this.waiters.shift();
    if (next === undefined) this.locked = false;
    else next();
  }
}

function lockCases(env, body) {
  const { lib, asyncMutex } = env;
  const floor = new MinimalLock();
  const mutex = new asyncMutex.Mutex();
  const semaphore1 = new asyncMutex.Semaphore(1);
  const lock = new lib.Lock();
  return [
    {
      name: "minimal hand-written lock",
      note: "a flag and a FIFO of resolvers, nothing else: the floor",
      op: async () => {
        const pending = floor.acquire();
        if (pending !== undefined) await pending;
        try {
          await body();
        } finally {
          floor.release();
        }
      },
    },
    {
      name: "async-mutex Semaphore(1) acquire/release",
      note: "async-mutex at its best: its Mutex wraps this Semaphore in ES5 helper code",
      op: async () => {
        const [, release] = await semaphore1.acquire();
        try {
          await body();
        } finally {
          release();
        }
      },
    },
    {
      name: "async-mutex Mutex acquire/release",
      op: async () => {
        const release = await mutex.acquire();
        try {
          await body();
        } finally {
          release();
        }
      },
    },
    { name: "async-mutex Mutex runExclusive", op: () => mutex.runExclusive(body) },
    { name: "asyncWith(lock)", op: () => lib.asyncWith(lock, body) },
    {
      name: "lock.acquire() / release()",
      op: async () => {
        await lock.acquire();
        try {
          await body();
        } finally {
          lock.release();
        }
      },
    },
  ];
}

function semaphoreCases(env, body) {
  const { lib, asyncMutex } = env;
  const peer = new asyncMutex.Semaphore(4);
  const semaphore = new lib.Semaphore(4);
  return [
    {
      name: "async-mutex Semaphore(4) acquire/release",
      op: async () => {
        const [, release] = await peer.acquire();
        try {
          await body();
        } finally {
          release();
        }
      },
    },
    { name: "async-mutex Semaphore(4) runExclusive", op: () => peer.runExclusive(body) },
    { name: "asyncWith(semaphore)", op: () => lib.asyncWith(semaphore, body) },
    {
      name: "semaphore.acquire() / release()",
      op: async () => {
        await semaphore.acquire();
        try {
          await body();
        } finally {
          semaphore.release();
        }
      },
    },
  ];
}

function contend(cases) {
  return cases.map((c) => ({ ...c, op: contended(c.op), per: PER_OP }));
}

function poolCases(env, body) {
  const { lib, genericPool } = env;
  const peer = genericPool.createPool(
    { create: async () => ({ open: true }), destroy: async () => {} },
    { max: 4, min: 0 },
  );
  const pool = new lib.Pool({ create: async () => ({ open: true }), destroy: async () => {}, max: 4 });
  return [
    {
      name: "generic-pool acquire/release",
      op: async () => {
        const resource = await peer.acquire();
        try {
          await body(resource);
        } finally {
          await peer.release(resource);
        }
      },
    },
    { name: "generic-pool use()", op: () => peer.use(body) },
    { name: "asyncWith(pool.acquire())", op: () => lib.asyncWith(pool.acquire(), body) },
  ];
}

function timeoutCases(env) {
  const { lib } = env;
  const body = async (signal) => signal.aborted;
  return [
    {
      name: "AbortController + setTimeout, cleared in finally",
      op: async () => {
        const controller = new AbortController();
        const timer = setTimeout(() => controller.abort(), 60_000);
        try {
          await body(controller.signal);
        } finally {
          clearTimeout(timer);
        }
      },
    },
    { name: "asyncWith(timeout(ms))", op: () => lib.asyncWith(lib.timeout(60_000), (scope) => body(scope.signal)) },
  ];
}

const taskBody = async () => {};
const taskTakingSignal = async (signal) => {
  if (signal.aborted) throw signal.reason;
};

/**
 * A TaskGroup's floor: one AbortController for the group, each task's failure aborting it
 * (the first one only), `Promise.allSettled` waiting for all, the failures thrown together.
 */
export async function handWrittenGroup(size) {
  const controller = new AbortController();
  const failures = [];
  const onFailure = (error) => {
    if (failures.length === 0) controller.abort(error);
    failures.push(error);
    throw error;
  };
  const tasks = new Array(size);
  for (let i = 0; i < size; i++) tasks[i] = taskBody(controller.signal).then(undefined, onFailure);
  await Promise.allSettled(tasks);
  if (failures.length > 0) throw new AggregateError(failures, "unhandled errors in a task group");
}

function taskGroupCases(env, size) {
  const { lib } = env;
  return [
    {
      name: "AbortController + Promise.allSettled, abort on first failure",
      note: "written by hand: the floor",
      op: () => handWrittenGroup(size),
      per: size,
    },
    {
      name: "asyncWith(new TaskGroup()), createTask",
      op: () =>
        lib.asyncWith(new lib.TaskGroup(), (tg) => {
          for (let i = 0; i < size; i++) tg.createTask(taskBody);
        }),
      per: size,
    },
    {
      // The same task declaring its signal parameter: one AbortSignal per task (about 4 µs
      // on Node 20), where a parameterless function gets one only when it asks.
      name: "asyncWith(new TaskGroup()), createTask((signal) => …)",
      note: "each task takes its own signal",
      op: () =>
        lib.asyncWith(new lib.TaskGroup(), (tg) => {
          for (let i = 0; i < size; i++) tg.createTask(taskTakingSignal);
        }),
      per: size,
    },
  ];
}

const BUDGET_MS = 5_000;

/** Wall time of one group of `size` tasks run by `c`'s operation at that size. */
async function timeGroupOf(env, index, size) {
  const started = performance.now();
  await taskGroupCases(env, size)[index].op();
  return performance.now() - started;
}

/**
 * The large groups, each case measured unless one group of `size` tasks is projected (from
 * size/100 and size/10, as for the stacks) beyond the budget: a cost that grows faster than
 * linearly must not take the whole run. The floor is never skipped.
 */
async function largeTaskGroups(env, size) {
  const cases = taskGroupCases(env, size);
  const skipped = new Map();
  for (let index = 1; index < cases.length; index++) {
    const small = await timeGroupOf(env, index, size / 100);
    const large = await timeGroupOf(env, index, size / 10);
    const exponent = Math.max(1, Math.log10(large / Math.max(small, 1e-3)));
    const projectedMs = large * 10 ** exponent;
    if (projectedMs > BUDGET_MS) {
      skipped.set(
        index,
        `skipped: one group of ${size.toLocaleString("en-US")} projected at ${Math.round(projectedMs / 1000)} s (cost grows as n^${exponent.toFixed(1)})`,
      );
    }
  }
  const measured = cases.filter((_, i) => !skipped.has(i));
  const rows = await measureGroup(measured, { rounds: 5, batchMs: 1, warmupMs: 1, minBatch: 1 });
  return cases.map((c, i) =>
    skipped.has(i) ? { name: c.name, note: c.note ?? "", failed: skipped.get(i) } : rows.shift(),
  );
}

/** The concurrency groups the library's current exports allow. */
export function groups(env) {
  const { lib } = env;
  const specs = [];
  const group = (name, cases, options) => specs.push({ name, kind: "ops", run: () => measureGroup(cases(), options) });
  // The lock, semaphore and pool groups start every batch from a clean heap (see measureGroup's
  // `collect`): async-mutex's Mutex and runExclusive (generator-based helpers) promote enough
  // garbage to put the next case measured under the old generation's incremental marking,
  // which a program using only that case never pays.
  const clean = { collect: true };
  if (typeof lib.Lock === "function") {
    group("Lock, uncontended", () => lockCases(env, noop), clean);
    group(`Lock, contended (${TASKS} tasks), per acquisition`, () => contend(lockCases(env, yieldOnce)), clean);
  }
  if (typeof lib.Semaphore === "function") {
    group("Semaphore(4), uncontended", () => semaphoreCases(env, noop), clean);
    group(
      `Semaphore(4), contended (${TASKS} tasks), per acquisition`,
      () => contend(semaphoreCases(env, yieldOnce)),
      clean,
    );
  }
  if (typeof lib.Pool === "function") {
    group("Pool(max 4), uncontended", () => poolCases(env, noop), clean);
    group(`Pool(max 4), contended (${TASKS} tasks), per acquisition`, () => contend(poolCases(env, yieldOnce)), clean);
  }
  if (typeof lib.timeout === "function") group("timeout enter–exit", () => timeoutCases(env));
  if (typeof lib.TaskGroup === "function") {
    group("TaskGroup, 1,000 tasks, per task", () => taskGroupCases(env, 1_000));
    specs.push({
      name: "TaskGroup, 100,000 tasks, per task",
      kind: "ops",
      run: () => largeTaskGroups(env, 100_000),
    });
  }
  return specs;
}
