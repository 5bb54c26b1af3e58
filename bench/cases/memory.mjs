// Heap over a million sequential cycles: a manager that leaks a few bytes per use (a closure
// kept in a list, an error context never dropped, a listener never removed) shows up here as
// growth, long before it shows up in production.
//
// The heap is read after a full collection (the suite runs with --expose-gc) once after a
// warm-up and again at the end; growth per cycle is the difference over the cycles between.
import { collect, heapUsed } from "../lib/measure.mjs";

const CYCLES = 1_000_000;
const WARMUP = 50_000;

class ManagedResource {
  open = false;
  async aenter() {
    this.open = true;
    return this;
  }
  async aexit() {
    this.open = false;
  }
}

const body = async (r) => r.open;
const noop = async () => {};
const failure = new Error("body failed");

async function heapGrowth(name, op) {
  for (let i = 0; i < WARMUP; i++) await op(i);
  collect();
  const before = heapUsed();
  let peak = before;
  const started = performance.now();
  for (let i = 0; i < CYCLES; i++) {
    await op(i);
    if ((i & 0xffff) === 0) peak = Math.max(peak, heapUsed());
  }
  const seconds = (performance.now() - started) / 1000;
  collect();
  const after = heapUsed();
  return {
    name,
    cycles: CYCLES,
    growthBytes: after - before,
    bytesPerCycle: (after - before) / CYCLES,
    peakAboveStartBytes: peak - before,
    ns: (seconds * 1e9) / CYCLES,
  };
}

/** The memory groups that the library's current exports allow. */
export function groups(env) {
  const { lib } = env;
  return [
    {
      name: "memory: 1,000,000 sequential cycles",
      kind: "memory",
      run: async () => {
        const rows = [];
        rows.push(await heapGrowth("asyncWith, class manager", () => lib.asyncWith(new ManagedResource(), body)));
        rows.push(
          await heapGrowth("asyncWith, class manager, every 10th body throws", async (i) => {
            try {
              await lib.asyncWith(new ManagedResource(), i % 10 === 0 ? () => Promise.reject(failure) : body);
            } catch {}
          }),
        );
        if (typeof lib.asyncContextManager === "function") {
          const managed = lib.asyncContextManager(async function* () {
            yield 1;
          });
          rows.push(await heapGrowth("asyncWith, asyncContextManager generator", () => lib.asyncWith(managed(), noop)));
        }
        if (typeof lib.AsyncExitStack === "function") {
          rows.push(
            await heapGrowth("AsyncExitStack, one callback, aclose", async () => {
              const stack = new lib.AsyncExitStack();
              stack.pushAsyncCallback(noop);
              await stack.aclose();
            }),
          );
          rows.push(
            await heapGrowth("AsyncExitStack via asyncWith, enterAsyncContext", () =>
              lib.asyncWith(new lib.AsyncExitStack(), async (stack) => {
                await stack.enterAsyncContext(new ManagedResource());
              }),
            ),
          );
        }
        if (typeof lib.ExitStack === "function") {
          rows.push(
            await heapGrowth("ExitStack, one callback, close", () => {
              const stack = new lib.ExitStack();
              stack.callback(() => {});
              stack.close();
            }),
          );
        }
        return rows;
      },
    },
  ];
}
