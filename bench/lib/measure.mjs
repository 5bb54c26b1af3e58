// Measurement primitives shared by every benchmark group: microtask ticks, time per operation
// over interleaved rounds, and heap growth.
//
// Time is taken in rounds. In each round every case of a group runs one batch, in an order that
// rotates from round to round, so that a case and its baseline share the machine's state (CPU
// frequency, other processes, GC pressure) and their ratio is taken within the same round.

/**
 * Counts the microtask turns an operation takes: the number of times a self-re-queueing
 * `queueMicrotask` callback runs between the call and the moment `await op()` resumes.
 * Deterministic: it depends only on the promise jobs the operation queues, never on time.
 * `await` of a plain value costs 1, so an async function that awaits three settled promises
 * counts 4 (three awaits plus the caller's await of its result).
 *
 * @example
 * ```js
 * await countTicks(async () => { await null; }); // 2
 * ```
 */
export async function countTicks(op) {
  let ticks = 0;
  let done = false;
  const counter = () => {
    if (done) return;
    ticks++;
    queueMicrotask(counter);
  };
  queueMicrotask(counter);
  try {
    await op();
  } catch {
    // The error path of an operation counts like the happy path.
  }
  done = true;
  return ticks;
}

const now = () => performance.now();

async function runAsyncBatch(op, n) {
  const start = now();
  for (let i = 0; i < n; i++) {
    try {
      await op();
    } catch {}
  }
  return (now() - start) / n;
}

function runSyncBatch(op, n) {
  let sink = 0;
  const start = now();
  for (let i = 0; i < n; i++) {
    try {
      if (op() !== undefined) sink++;
    } catch {
      sink--;
    }
  }
  const perOp = (now() - start) / n;
  if (sink === 0.5) console.log("unreachable"); // keeps the results alive for the optimiser
  return perOp;
}

/** The median of a numeric array (not mutated). */
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Measures a group of cases against the group's baseline (its first case).
 *
 * Each case is `{ name, op, sync?, per?, note? }`: `op` is one operation (a function returning a
 * promise, or a plain value when `sync`); `per` divides its time and ticks when one `op` does
 * several of the operations being reported (a contended round of many acquisitions). After a warm-up that also sizes the batch (about
 * `batchMs` per batch), `rounds` rounds run every case once; the result per case is the median
 * time per operation in nanoseconds, its min and max, the median of the per-round ratios to the
 * baseline, and the exact tick count.
 *
 * @example
 * ```js
 * const rows = await measureGroup("single", [{ name: "raw", op: raw }, { name: "asyncWith", op }]);
 * ```
 */
export async function measureGroup(cases, { rounds = 21, batchMs = 8, warmupMs = 60 } = {}) {
  const live = [];
  const results = new Map();
  for (const c of cases) {
    const result = { name: c.name, note: c.note ?? "", ticks: null, times: [], ratios: [], failed: null };
    results.set(c, result);
    try {
      result.ticks = c.sync ? 0 : (await countTicks(c.op)) / (c.per ?? 1);
      // Warm up (lets the optimiser settle) and size the batch.
      let n = 16;
      const warmEnd = now() + warmupMs;
      let perOp = 0;
      while (now() < warmEnd) {
        perOp = c.sync ? runSyncBatch(c.op, n) : await runAsyncBatch(c.op, n);
        if (perOp * n < batchMs / 4) n *= 2;
      }
      c.batch = Math.max(16, Math.round(batchMs / Math.max(perOp, 1e-6)));
      live.push(c);
    } catch (error) {
      result.failed = String(error?.message ?? error).split("\n")[0];
    }
  }
  const baseline = cases[0];
  for (let round = 0; round < rounds; round++) {
    const order = live.map((_, i) => live[(i + round) % live.length]);
    const perOp = new Map();
    for (const c of order) {
      perOp.set(c, c.sync ? runSyncBatch(c.op, c.batch) : await runAsyncBatch(c.op, c.batch));
    }
    for (const c of live) {
      const r = results.get(c);
      r.times.push((perOp.get(c) * 1e6) / (c.per ?? 1));
      if (perOp.has(baseline)) r.ratios.push(perOp.get(c) / perOp.get(baseline));
    }
  }
  return cases.map((c) => {
    const r = results.get(c);
    if (r.failed !== null) return { name: r.name, note: r.note, failed: r.failed };
    return {
      name: r.name,
      note: r.note,
      ticks: r.ticks,
      ns: median(r.times),
      min: Math.min(...r.times),
      max: Math.max(...r.times),
      ratio: r.ratios.length ? median(r.ratios) : null,
    };
  });
}

/** Runs a full collection when the process was started with `--expose-gc`. */
export function collect() {
  if (typeof globalThis.gc === "function") {
    globalThis.gc();
    globalThis.gc();
  }
}

/** Heap in use, in bytes. */
export function heapUsed() {
  return process.memoryUsage().heapUsed;
}
