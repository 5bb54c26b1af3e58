// Interop with a runtime that has native explicit resource management (Node 24: `using`,
// `await using`, DisposableStack, AsyncDisposableStack, SuppressedError). A script runs under
// Node 24 against our built ESM: the same scenarios on the native stacks and on ours must give
// the same calls, microtask order and errors, and the two nest inside each other both ways.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";

const root = process.cwd();
const built = join(root, "dist", "esm", "index.js");

const script = `
const lib = await import(process.argv.at(-1));
const { ExitStack, AsyncExitStack } = lib;
const results = [];
const record = (name, native, ours) => results.push({ name, native, ours });
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));
function ticks(log, n) {
  let p = Promise.resolve();
  for (let i = 1; i <= n; i++) p = p.then(() => void log.push("t" + i));
}
function shape(error) {
  if (error instanceof SuppressedError) return { SE: [shape(error.error), shape(error.suppressed)] };
  if (error instanceof Error) return error.message;
  return String(error);
}

// A small deterministic generator, so that both kinds see the very same scenarios.
let seed = 12345;
const random = (n) => ((seed = (seed * 1103515245 + 12345) % 2147483648), seed % n);

// 1. Random mixes of use/adopt/defer, sync and async, failing or not: same calls, same ticks, same error.
for (let round = 0; round < 150; round++) {
  const ops = Array.from({ length: random(7) }, () => ({ kind: random(7), fails: random(3) === 0 }));
  const runAsync = async (Stack) => {
    const log = [];
    const stack = new Stack();
    ops.forEach(({ kind, fails }, i) => {
      const act = () => { log.push("d" + i); if (fails) throw new Error("e" + i); };
      const later = async () => { log.push("d" + i); await null; if (fails) throw new Error("e" + i); };
      switch (kind) {
        case 0: stack.use({ [Symbol.asyncDispose]: later }); break;
        case 1: stack.use({ [Symbol.dispose]: act }); break;
        case 2: stack.use(i % 2 ? null : undefined); break;
        case 3: stack.defer(act); break;
        case 4: stack.defer(later); break;
        case 5: stack.adopt(i, later); break;
        default: stack.use({ [Symbol.asyncDispose]: () => ({ then(resolve, reject) { log.push("then" + i); fails ? reject(new Error("e" + i)) : resolve(); } }) });
      }
    });
    const done = stack.disposeAsync().then(() => log.push("resolved"), (e) => log.push({ rejected: shape(e) }));
    log.push("returned");
    ticks(log, 12);
    await done;
    await settle();
    return log;
  };
  record("AsyncDisposableStack round " + round, await runAsync(AsyncDisposableStack), await runAsync(AsyncExitStack));
  const runSync = (Stack) => {
    const log = [];
    const stack = new Stack();
    ops.forEach(({ kind, fails }, i) => {
      const act = () => { log.push("d" + i); if (fails) throw new Error("e" + i); };
      if (kind % 3 === 0) stack.use({ [Symbol.dispose]: act });
      else if (kind % 3 === 1) stack.adopt(i, act);
      else stack.defer(act);
    });
    try { stack.dispose(); log.push("ok"); } catch (e) { log.push({ threw: shape(e) }); }
    return log;
  };
  record("DisposableStack round " + round, runSync(DisposableStack), runSync(ExitStack));
}

// 2. Under the language's own using / await using, with a failing body.
async function underAwaitUsing(Stack) {
  const log = [];
  try {
    await using stack = new Stack();
    stack.defer(async () => { log.push("disposer"); throw new Error("dispose"); });
    log.push("body");
    throw new Error("body");
  } catch (e) {
    log.push(shape(e));
  }
  return log;
}
record("await using, failing body and disposer", await underAwaitUsing(AsyncDisposableStack), await underAwaitUsing(AsyncExitStack));
function underUsing(Stack) {
  const log = [];
  try {
    using stack = new Stack();
    stack.defer(() => { log.push("disposer"); throw new Error("dispose"); });
    throw new Error("body");
  } catch (e) {
    log.push(shape(e));
  }
  return log;
}
record("using, failing body and disposer", underUsing(DisposableStack), underUsing(ExitStack));

// 3. Nesting both ways: a native stack inside ours and ours inside a native one give the same
//    order and the same error as native inside native.
async function nest(Outer, Inner) {
  const log = [];
  const outer = new Outer();
  outer.defer(async () => { log.push("outer defer"); throw new Error("outer"); });
  const inner = outer.use(new Inner());
  inner.defer(async () => { log.push("inner defer 1"); });
  inner.defer(() => { log.push("inner defer 2"); throw new Error("inner"); });
  outer.defer(() => log.push("outer last"));
  try { await outer.disposeAsync(); } catch (e) { log.push(shape(e)); }
  log.push(inner.disposed);
  return log;
}
const reference = await nest(AsyncDisposableStack, AsyncDisposableStack);
record("ours inside native", reference, await nest(AsyncDisposableStack, AsyncExitStack));
record("native inside ours", reference, await nest(AsyncExitStack, AsyncDisposableStack));
record("ours inside ours", reference, await nest(AsyncExitStack, AsyncExitStack));
const syncNest = (Outer, Inner) => {
  const log = [];
  const outer = new Outer();
  outer.defer(() => { log.push("outer"); throw new Error("outer"); });
  const inner = outer.use(new Inner());
  inner.defer(() => { log.push("inner"); throw new Error("inner"); });
  try { outer.dispose(); } catch (e) { log.push(shape(e)); }
  return log;
};
const syncReference = syncNest(DisposableStack, DisposableStack);
record("sync: ours inside native", syncReference, syncNest(DisposableStack, ExitStack));
record("sync: native inside ours", syncReference, syncNest(ExitStack, DisposableStack));

// 4. Python-shaped entries on our stack under native await using: the exit callback sees the
//    disposal error, and the stack's errors reach the language's SuppressedError.
async function pythonUnderAwaitUsing() {
  const log = [];
  try {
    await using stack = new AsyncExitStack();
    stack.pushAsyncExit(async (exc) => { log.push("exit saw " + (exc ? shape(exc.error) : "none")); });
    await stack.enterAsyncContext({ async aenter() { log.push("aenter"); }, async aexit() { throw new Error("aexit"); } });
    const native = stack.enterContext(new DisposableStack());
    native.defer(() => log.push("native stack disposed"));
    throw new Error("body");
  } catch (e) {
    log.push(shape(e));
  }
  return log;
}
record("Python entries under await using", [
  "aenter",
  "native stack disposed",
  "exit saw aexit",
  { SE: ["aexit", "body"] },
], await pythonUnderAwaitUsing());

record("SuppressedError is the native one", true, lib.SuppressedError === globalThis.SuppressedError);
process.stdout.write(JSON.stringify(results));
`;

// Run by `npm run matrix` (never by `npm test`, which downloads nothing): the Node 24 binary's
// path is the first argument. Prints one line per difference and the matrix's count line.
const node24 = process.argv[2];
assert.ok(node24, "usage: node scripts/runtimes/native-stacks.mjs <path to node 24>");
assert.ok(existsSync(built), "dist/esm/index.js is missing: build first (node scripts/build.mjs)");
assert.match(execFileSync(node24, ["--version"], { encoding: "utf8" }), /^v24\./);
const output = execFileSync(node24, ["--input-type=module", "-e", script, built], {
  encoding: "utf8",
  timeout: 120_000,
});
const results = JSON.parse(output);
assert.ok(results.length > 300, `only ${results.length} scenarios ran`);
let failed = 0;
for (const { name, native, ours } of results) {
  try {
    assert.deepEqual(ours, native, name);
  } catch (error) {
    failed++;
    console.log(`not ok: ${error.message}`);
  }
}
console.log(`${results.length - failed} passed, ${failed} failed`);
process.exitCode = failed === 0 ? 0 : 1;
