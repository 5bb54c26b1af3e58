// Measurement primitives shared by every benchmark group: microtask ticks, time per operation
// over interleaved rounds, and heap growth.
//
// Time is taken in rounds. In each round every case of a group runs one batch, in an order that
// rotates from round to round, so that a case and its baseline share the machine's state (CPU
// frequency, other processes, GC pressure) and their ratio is taken within the same round.
//
// Every case runs in a measuring loop of its own, compiled for it alone (see compileLoop): a
// loop shared by every case has one call site for all their operations, which goes
// megamorphic, and then what is measured depends on which cases ran before. With a loop of its
// own, a one-nanosecond operation (hand-written try/finally) is timed as such, not as the cost
// of a megamorphic call; the "empty operation" row of the sync groups shows the loop's own cost.

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

let loops = 0;
/**
 * A fresh measuring loop: `(op, n) => time per op in ms` (a promise of it when `sync` is
 * false). Compiled from source with a unique comment, so that V8 gives it a function of its
 * own, with its own type feedback and optimised code, rather than one shared with the loops
 * of the other cases (closures made by one function literal share both).
 */
export function compileLoop(sync, label = "") {
  const id = `measuring loop ${++loops}: ${String(label).replace(/[^\w ,()×.:-]/g, "")}`;
  const body = sync
    ? `let sink = 0;
       const start = now();
       for (let i = 0; i < n; i++) {
         try {
           if (op() !== undefined) sink++;
         } catch {
           sink--;
         }
       }
       const perOp = (now() - start) / n;
       if (sink === 0.5) console.log("unreachable"); // keeps the results alive
       return perOp;`
    : `return (async () => {
         const start = now();
         for (let i = 0; i < n; i++) {
           try {
             await op();
           } catch {}
         }
         return (now() - start) / n;
       })();`;
  return new Function("now", `/* ${id} */ "use strict"; return (op, n) => { ${body} };`)(now);
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
 * several of the operations being reported (a contended round of many acquisitions). After a
 * warm-up that also sizes the batch (about `batchMs` per batch), `rounds` rounds run every
 * case once (batches of at least `minBatch` operations); the result per case is the median time per operation in nanoseconds, its min
 * and max, the median of the per-round ratios to the baseline, and the exact tick count.
 *
 * With `collect` (and `--expose-gc`), a full collection and then half a batch of the same case
 * run before every batch, outside its timing, so that each batch starts from a heap holding
 * only that case's garbage and pays only for its own. Without
 * it, a case that leaves much garbage behind (a peer built on generator-based `__awaiter`
 * helpers promotes megabytes per batch) starts incremental marking in the old generation, and
 * the case measured next runs under marking's write barriers and pays its steps: on Node 20
 * that made `asyncWith(lock)` contended look 1.5–2.3× its own cost.
 *
 * @example
 * ```js
 * const rows = await measureGroup([{ name: "raw", op: raw }, { name: "asyncWith", op }]);
 * ```
 */
export async function measureGroup(
  cases,
  { rounds = 15, batchMs = 8, warmupMs = 150, minBatch = 16, collect: collectFirst = false } = {},
) {
  const live = [];
  const results = new Map();
  for (const c of cases) {
    const result = { name: c.name, note: c.note ?? "", ticks: null, times: [], ratios: [], failed: null };
    results.set(c, result);
    try {
      c.loop = compileLoop(Boolean(c.sync), c.name);
      result.ticks = c.sync ? 0 : (await countTicks(c.op)) / (c.per ?? 1);
      // Warm up (lets the optimiser settle: error paths need long) and size the batch.
      let n = minBatch;
      const warmEnd = now() + warmupMs;
      let perOp = 0;
      do {
        perOp = await c.loop(c.op, n);
        if (perOp * n < batchMs / 4) n *= 2;
      } while (now() < warmEnd);
      c.batch = Math.max(minBatch, Math.round(batchMs / Math.max(perOp, 1e-6)));
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
      if (collectFirst) {
        collect();
        // The first milliseconds after a full collection run slower (every case, the floor
        // included: about 2× for 100 ns operations); half a batch, not timed, gets past them.
        await c.loop(c.op, Math.max(1, c.batch >> 1));
      }
      perOp.set(c, await c.loop(c.op, c.batch));
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

/**
 * Cold cost of one case: the mean time per operation of its first `n` operations, in a process
 * that has run nothing else (the suite starts one per case, see suite.mjs). Error paths are
 * measured this way as well as warm: a function that always throws is never optimised, so
 * in a shared process their cost depends on what ran before.
 */
export async function measureCold(c, n = 200) {
  const loop = compileLoop(Boolean(c.sync), c.name);
  return ((await loop(c.op, n)) * 1e6) / (c.per ?? 1);
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
