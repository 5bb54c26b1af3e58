// Contended Semaphore(4) against async-mutex's, in one process: TASKS tasks each take a permit
// ROUNDS times and yield once while holding it, so most acquisitions queue. The cases run
// interleaved, RUNS times each after a warm-up, and the median CPU time per acquisition is
// printed. `node bench/contended-semaphore.mjs [path/to/lib/index.js]` (default: dist/esm,
// so run `npm run build` first). Never part of `npm test`.
//
// It agrees with the suite's "Semaphore(4), contended" group now that the suite starts each
// batch from a clean heap. Before, the suite charged our cases for the garbage of its
// `runExclusive` peer (generator-based helpers, megabytes promoted per batch): the old
// generation's incremental marking then ran during our batches, 1.2–1.4× on Node 20 there
// against 0.8× here, where the collection before each sample already kept them apart.
import { Semaphore as PeerSemaphore } from "async-mutex";
import { contended as contendedDriver, yieldOnce } from "./lib/contended.mjs";

const libPath = process.argv[2] ?? new URL("../dist/esm/index.js", import.meta.url).href;
const lib = await import(libPath.startsWith("file:") ? libPath : new URL(libPath, `file://${process.cwd()}/`).href);

const TASKS = 8;
const ROUNDS = 64;
const REPEAT = 40; // contended batches per sample
const RUNS = 15;

function contended(acquisition) {
  return contendedDriver(acquisition, TASKS, ROUNDS);
}

const peer = new PeerSemaphore(4);
const semaphore = new lib.Semaphore(4);
const cases = {
  "async-mutex Semaphore(4) acquire/release": contended(async () => {
    const [, release] = await peer.acquire();
    try {
      await yieldOnce();
    } finally {
      release();
    }
  }),
  "semaphore.acquire() / release()": contended(async () => {
    await semaphore.acquire();
    try {
      await yieldOnce();
    } finally {
      semaphore.release();
    }
  }),
  "asyncWith(semaphore)": contended(() => lib.asyncWith(semaphore, yieldOnce)),
};

// CPU time of this process (user + system), not wall time: on a shared machine, wall time
// also counts the time other processes held the CPU.
const sampler = `
  return async (run) => {
    const start = process.cpuUsage();
    for (let i = 0; i < REPEAT; i++) await run();
    const { user, system } = process.cpuUsage(start);
    return ((user + system) * 1e3) / (REPEAT * PER_OP); // ns per acquisition
  };`;
const samplers = new Map(
  Object.keys(cases).map((name) => [
    name,
    new Function("process", "REPEAT", "PER_OP", sampler)(process, REPEAT, TASKS * ROUNDS),
  ]),
);

const samples = Object.fromEntries(Object.keys(cases).map((name) => [name, []]));
for (const [name, run] of Object.entries(cases)) for (let i = 0; i < 5; i++) await samplers.get(name)(run); // warm-up
for (let r = 0; r < RUNS; r++) {
  for (const [name, run] of Object.entries(cases)) {
    globalThis.gc?.();
    samples[name].push(await samplers.get(name)(run));
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const base = median(samples["async-mutex Semaphore(4) acquire/release"]);
console.log(`Node ${process.version}, ${RUNS} interleaved runs, median CPU ns per acquisition`);
for (const [name, xs] of Object.entries(samples)) {
  const m = median(xs);
  console.log(`${name.padEnd(42)} ${m.toFixed(0).padStart(6)} ns  ${(m / base).toFixed(2)}×`);
}
