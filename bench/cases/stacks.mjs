// Stacks of N callbacks, N = 10 … 1,000,000: time per callback (filling the stack plus
// unwinding it) and heap per callback at full stack, for the library's stacks (Python-shaped
// and TC39-shaped methods), the native stacks where the runtime has them, and the ponyfills.
// The floor is a hand-written array of callbacks called in reverse.
//
// Every entry is the same shared no-op callback (async for the async stacks), so the numbers
// are the stacks' own cost. Per-callback time that stays flat from 1,000 to 1,000,000 is
// linear behaviour; memory is read after a full collection with the stack filled.
import { collect, heapUsed, median } from "../lib/measure.mjs";

const SIZES = [10, 1_000, 100_000, 1_000_000];
const asyncNoop = async () => {};
const syncNoop = () => {};

/** Timed rounds and the stacks per timed batch, by size: small stacks run in batches. */
function plan(n) {
  if (n <= 10) return { rounds: 9, batch: 2_000 };
  if (n <= 1_000) return { rounds: 9, batch: 20 };
  if (n <= 100_000) return { rounds: 3, batch: 1 };
  return { rounds: 2, batch: 1 };
}

let compiled = 0;
/**
 * One implementation: `fill(n, callback)` makes a stack and pushes `callback` n times;
 * `close(stack)` unwinds it. Both are compiled from source for this implementation alone (a
 * unique comment keeps V8 from sharing them), so each has its own type feedback: a fill loop
 * shared by every implementation would measure a megamorphic call per callback.
 */
function impl(name, scope, { make, add, close, ours = false }) {
  const id = `${++compiled} ${name.replace(/[^\w ,()/.-]/g, "")}`;
  const names = Object.keys(scope);
  const fill = new Function(
    ...names,
    `/* fill ${id} */ "use strict"; return (n, cb) => { const s = ${make}; for (let i = 0; i < n; i++) ${add}; return s; };`,
  )(...Object.values(scope));
  const closeFn = new Function(...names, `/* close ${id} */ "use strict"; return ${close};`)(...Object.values(scope));
  return { name, fill, close: closeFn, ours };
}

function asyncImpls(env) {
  const { lib, native, esShims, whatwg, coreJs } = env;
  const impls = [
    impl(
      "hand-written array, awaited in reverse",
      {},
      {
        make: "[]",
        add: "s.push(cb)",
        close: "async (s) => { for (let i = s.length - 1; i >= 0; i--) await s[i](); }",
      },
    ),
  ];
  if (typeof lib.AsyncExitStack === "function") {
    const scope = { AsyncExitStack: lib.AsyncExitStack };
    impls.push(
      impl("AsyncExitStack pushAsyncCallback / aclose", scope, {
        make: "new AsyncExitStack()",
        add: "s.pushAsyncCallback(cb)",
        ours: true,
        close: "(s) => s.aclose()",
      }),
      impl("AsyncExitStack defer / disposeAsync", scope, {
        make: "new AsyncExitStack()",
        add: "s.defer(cb)",
        ours: true,
        close: "(s) => s.disposeAsync()",
      }),
    );
  }
  const tc39 = (name, Stack) =>
    impl(name, { Stack }, { make: "new Stack()", add: "s.defer(cb)", close: "(s) => s.disposeAsync()" });
  if (native.AsyncDisposableStack) impls.push(tc39("native AsyncDisposableStack", native.AsyncDisposableStack));
  impls.push(tc39("disposablestack (es-shims)", esShims.AsyncDisposableStack));
  impls.push(tc39("@whatwg-node/disposablestack", whatwg.AsyncDisposableStack));
  if (!coreJs.isNative) impls.push(tc39("core-js AsyncDisposableStack", coreJs.AsyncDisposableStack));
  return impls;
}

function syncImpls(env) {
  const { lib, native, esShims, whatwg, coreJs } = env;
  const impls = [
    impl(
      "hand-written array, called in reverse",
      {},
      {
        make: "[]",
        add: "s.push(cb)",
        close: "(s) => { for (let i = s.length - 1; i >= 0; i--) s[i](); }",
      },
    ),
  ];
  if (typeof lib.ExitStack === "function") {
    const scope = { ExitStack: lib.ExitStack };
    impls.push(
      impl("ExitStack callback / close", scope, {
        make: "new ExitStack()",
        add: "s.callback(cb)",
        ours: true,
        close: "(s) => s.close()",
      }),
      impl("ExitStack defer / dispose", scope, {
        make: "new ExitStack()",
        add: "s.defer(cb)",
        ours: true,
        close: "(s) => s.dispose()",
      }),
    );
  }
  const tc39 = (name, Stack) =>
    impl(name, { Stack }, { make: "new Stack()", add: "s.defer(cb)", close: "(s) => s.dispose()" });
  if (native.DisposableStack) impls.push(tc39("native DisposableStack", native.DisposableStack));
  impls.push(tc39("disposablestack (es-shims)", esShims.DisposableStack));
  impls.push(tc39("@whatwg-node/disposablestack", whatwg.DisposableStack));
  if (!coreJs.isNative) impls.push(tc39("core-js DisposableStack", coreJs.DisposableStack));
  return impls;
}

async function cycle(impl, n, callback) {
  await impl.close(impl.fill(n, callback));
}

/** Heap per callback with `n` callbacks on the stack, after a full collection. */
async function heapPerCallback(impl, n, callback) {
  collect();
  const before = heapUsed();
  const stack = impl.fill(n, callback);
  collect();
  const full = heapUsed();
  await impl.close(stack);
  return (full - before) / n;
}

/** Implementations skipped at some size, by group kind and name: larger sizes skip them too. */
const skipped = new Map();
const BUDGET_MS = 5_000;

async function timeCycle(impl, n, callback) {
  const started = performance.now();
  await cycle(impl, n, callback);
  return performance.now() - started;
}

/**
 * Why size `n` is not run for `impl`, or null. For the large sizes, one cycle at n/100 and one
 * at n/10 give the growth exponent (1 when linear, 2 when quadratic); a cycle at n projected
 * from them beyond the budget is skipped, so that one quadratic peer cannot take the whole run.
 */
async function overBudget(key, impl, n, callback, isFloor) {
  // The floor is never skipped (every ratio of its size is taken against it), nor the
  // library's own stacks (what is measured): only peers are, whose projection a pause of the
  // machine could inflate.
  if (isFloor || impl.ours) return null;
  if (skipped.has(key)) return skipped.get(key);
  if (n < 100_000) return null;
  const small = await timeCycle(impl, n / 100, callback);
  const large = await timeCycle(impl, n / 10, callback);
  const exponent = Math.max(1, Math.log10(large / Math.max(small, 1e-3)));
  const projectedMs = large * 10 ** exponent;
  if (projectedMs <= BUDGET_MS) return null;
  const reason = `skipped: one stack of ${n.toLocaleString("en-US")} projected at ${Math.round(projectedMs / 1000)} s (cost grows as n^${exponent.toFixed(1)})`;
  skipped.set(key, reason.replace(/of [\d,]+ projected.*/, `(from ${n.toLocaleString("en-US")} on)`));
  return reason;
}

async function measureSize(impls, n, callback) {
  const { rounds, batch } = plan(n);
  const rows = impls.map((impl) => ({ name: impl.name, n, times: [], ratios: [], bytes: null, failed: null }));
  for (const [i, impl] of impls.entries()) {
    try {
      const key = `${callback === syncNoop ? "sync" : "async"} ${impl.name}`;
      rows[i].failed = await overBudget(key, impl, n, callback, i === 0);
      if (rows[i].failed !== null) continue;
      // Warm-up (small sizes) or the memory pass (large ones), which also proves it works.
      if (n <= 1_000) for (let k = 0; k < 200; k++) await cycle(impl, n, callback);
      if (n >= 1_000) rows[i].bytes = await heapPerCallback(impl, n, callback);
    } catch (error) {
      rows[i].failed = `${error?.name ?? "Error"}: ${String(error?.message ?? error).split("\n")[0]}`;
    }
  }
  for (let round = 0; round < rounds; round++) {
    const perCallback = new Array(impls.length).fill(null);
    for (let k = 0; k < impls.length; k++) {
      const i = (k + round) % impls.length;
      if (rows[i].failed !== null) continue;
      if (n >= 100_000) collect();
      const started = performance.now();
      for (let b = 0; b < batch; b++) await cycle(impls[i], n, callback);
      perCallback[i] = ((performance.now() - started) * 1e6) / (batch * n);
    }
    for (const [i, row] of rows.entries()) {
      if (perCallback[i] === null) continue;
      row.times.push(perCallback[i]);
      if (perCallback[0] !== null) row.ratios.push(perCallback[i] / perCallback[0]);
    }
  }
  return rows.map((r) =>
    r.failed !== null
      ? { name: r.name, n, failed: r.failed }
      : {
          name: r.name,
          n,
          ns: median(r.times),
          min: Math.min(...r.times),
          max: Math.max(...r.times),
          ratio: median(r.ratios),
          bytesPerCallback: r.bytes,
        },
  );
}

/** One group per stack kind and size. */
export function groups(env) {
  const specs = [];
  for (const n of SIZES) {
    const label = n.toLocaleString("en-US");
    specs.push({
      name: `async stacks, ${label} callbacks, per callback`,
      kind: "stack",
      run: () => measureSize(asyncImpls(env), n, asyncNoop),
    });
  }
  for (const n of SIZES) {
    const label = n.toLocaleString("en-US");
    specs.push({
      name: `sync stacks, ${label} callbacks, per callback`,
      kind: "stack",
      run: () => measureSize(syncImpls(env), n, syncNoop),
    });
  }
  return specs;
}
