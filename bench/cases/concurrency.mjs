// The asyncio-style managers against the packages people use for the same job: Lock and
// Semaphore against async-mutex, Pool against generic-pool, timeout against an AbortSignal
// with a timer cleared by hand. Each group's baseline (its first case) is the peer.
// `AbortSignal.timeout(ms)` alone is not measured: its timer cannot be cleared, so each
// operation would leave one pending until it fires and slow every later measurement.
//
// Uncontended: one task acquires and releases in a loop. Contended: TASKS tasks each take the
// lock ROUNDS times and yield inside (`await null`), so that every acquisition but the first
// of a round queues behind another; time is reported per acquisition.
import { measureGroup } from "../lib/measure.mjs";

const TASKS = 8;
const ROUNDS = 64;
const PER_OP = TASKS * ROUNDS;

const noop = async () => {};
const yieldOnce = async () => {
  await null;
};

/** Runs `acquisition` TASKS × ROUNDS times, in TASKS concurrent tasks. */
function contended(acquisition) {
  const task = async () => {
    for (let i = 0; i < ROUNDS; i++) await acquisition();
  };
  return () => {
    const tasks = [];
    for (let t = 0; t < TASKS; t++) tasks.push(task());
    return Promise.all(tasks);
  };
}

function lockCases(env, body) {
  const { lib, asyncMutex } = env;
  const mutex = new asyncMutex.Mutex();
  const lock = new lib.Lock();
  return [
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

/** The concurrency groups the library's current exports allow. */
export function groups(env) {
  const { lib } = env;
  const specs = [];
  const group = (name, cases) => specs.push({ name, kind: "ops", run: () => measureGroup(cases()) });
  if (typeof lib.Lock === "function") {
    group("Lock, uncontended", () => lockCases(env, noop));
    group(`Lock, contended (${TASKS} tasks), per acquisition`, () => contend(lockCases(env, yieldOnce)));
  }
  if (typeof lib.Semaphore === "function") {
    group("Semaphore(4), uncontended", () => semaphoreCases(env, noop));
    group(`Semaphore(4), contended (${TASKS} tasks), per acquisition`, () => contend(semaphoreCases(env, yieldOnce)));
  }
  if (typeof lib.Pool === "function") {
    group("Pool(max 4), uncontended", () => poolCases(env, noop));
    group(`Pool(max 4), contended (${TASKS} tasks), per acquisition`, () => contend(poolCases(env, yieldOnce)));
  }
  if (typeof lib.timeout === "function") group("timeout enter–exit", () => timeoutCases(env));
  return specs;
}
