// One copy of the truth: an ES module app that imports the library and a CommonJS dependency
// that requires it loads both builds (dist/esm and dist/cjs) in one process. Errors chained by
// one copy keep their context for the other, and `instanceof` answers the same for instances
// made by either copy. A real app on disk, run by node, with the package linked as installed.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { CancelledError, ExitStack, RuntimeError } from "../src/index.js";

const app = mkdtempSync(join(tmpdir(), "contextlib-ts-dual-"));
after(() => rmSync(app, { recursive: true, force: true }));

mkdirSync(join(app, "node_modules", "legacy-dep"), { recursive: true });
symlinkSync(process.cwd(), join(app, "node_modules", "contextlib-ts"), "dir");
writeFileSync(join(app, "package.json"), '{ "name": "app", "private": true, "type": "module" }\n');
writeFileSync(
  join(app, "node_modules", "legacy-dep", "package.json"),
  '{ "name": "legacy-dep", "main": "index.js" }\n',
);
// The CommonJS dependency: it requires the library and makes errors and managers with it.
writeFileSync(
  join(app, "node_modules", "legacy-dep", "index.js"),
  `"use strict";
const lib = require("contextlib-ts");
exports.lib = lib;
exports.chainedError = () => {
  try {
    lib.syncWith({ enter() {}, exit() { throw new Error("exit failed"); } }, () => { throw new Error("body failed"); });
  } catch (error) {
    return error;
  }
};
exports.instances = async () => {
  const barrier = new lib.Barrier(1);
  const sem = new lib.BoundedSemaphore(1);
  return {
    RuntimeError: new lib.RuntimeError("x"),
    TimeoutError: new lib.TimeoutError("x"),
    CancelledError: new lib.CancelledError("x"),
    BrokenBarrierError: new lib.BrokenBarrierError(),
    ExitStack: new lib.ExitStack(),
    AsyncExitStack: new lib.AsyncExitStack(),
    Lock: new lib.Lock(),
    Semaphore: sem,
    BoundedSemaphore: sem,
    Condition: new lib.Condition(),
    Event: new lib.Event(),
    Barrier: barrier,
    Pool: new lib.Pool({ create: () => 1 }),
    Timeout: lib.timeout(null),
    TaskGroup: new lib.TaskGroup(),
    Suppress: lib.suppress(Error),
    NullContext: lib.nullContext(),
    Closing: lib.closing({ close() {} }),
    AClosing: lib.aclosing({ async aclose() {} }),
    GeneratorContextManager: lib.contextManager(function* () { yield; })(),
    AsyncGeneratorContextManager: lib.asyncContextManager(async function* () { yield; })(),
    ContextDecorator: lib.contextManager(function* () { yield; })(),
    SuppressedError: new lib.SuppressedError(1, 2),
    Held: await new lib.Lock().held(),
  };
};
`,
);
writeFileSync(
  join(app, "main.mjs"),
  `import * as esm from "contextlib-ts";
import dep from "legacy-dep";
const report = { twoCopies: esm.syncWith !== dep.lib.syncWith };

// errorContext across copies, both ways.
const fromCjs = dep.chainedError();
report.esmSeesCjsContext = esm.errorContext(fromCjs)?.message ?? null;
let fromEsm;
try {
  esm.syncWith({ enter() {}, exit() { throw new Error("exit failed"); } }, () => { throw new Error("body failed"); });
} catch (error) {
  fromEsm = error;
}
report.cjsSeesEsmContext = dep.lib.errorContext(fromEsm)?.message ?? null;
esm.setErrorContext(fromEsm, null);
report.cjsSeesExplicitNone = dep.lib.hasErrorContext(fromEsm);

// instanceof across copies: every class the CJS copy made, checked with the ESM copy's class.
const instances = await dep.instances();
report.instanceofAcross = Object.fromEntries(Object.entries(instances).map(([name, value]) => [name, value instanceof esm[name]]));
// Not everything: a brand only answers for its own class.
report.lockIsNotSemaphore = instances.Lock instanceof esm.Semaphore;
report.plainErrorIsNotRuntimeError = new Error("x") instanceof esm.RuntimeError;
report.brokenBarrierIsRuntimeError = instances.BrokenBarrierError instanceof esm.RuntimeError;
class Mine extends esm.RuntimeError {}
report.otherCopyIsNotSubclass = instances.RuntimeError instanceof Mine;
report.subclassIsStillInstance = new Mine("y") instanceof Mine && new Mine("y") instanceof dep.lib.RuntimeError;
// A manager of the other copy works with this copy's statements and stacks.
const stack = new esm.ExitStack();
report.crossManager = esm.syncWith(dep.lib.nullContext(7), (n) => n) + stack.enterContext(dep.lib.nullContext(1));
stack.close();
await instances.Pool.close();
console.log(JSON.stringify(report));
`,
);

test("an ESM app with a CJS dependency: errorContext and instanceof hold across the two copies", () => {
  const report = JSON.parse(execFileSync(process.execPath, ["main.mjs"], { cwd: app, encoding: "utf8" }));
  assert.equal(report.twoCopies, true, "both builds are loaded: the test would prove nothing otherwise");
  assert.equal(report.esmSeesCjsContext, "body failed");
  assert.equal(report.cjsSeesEsmContext, "body failed");
  assert.equal(report.cjsSeesExplicitNone, false);
  for (const [name, ok] of Object.entries(report.instanceofAcross)) assert.equal(ok, true, `${name} instanceof`);
  assert.equal(Object.keys(report.instanceofAcross).length, 24);
  assert.equal(report.lockIsNotSemaphore, false);
  assert.equal(report.plainErrorIsNotRuntimeError, false);
  assert.equal(report.brokenBarrierIsRuntimeError, true);
  assert.equal(report.otherCopyIsNotSubclass, false);
  assert.equal(report.subclassIsStillInstance, true);
  assert.equal(report.crossManager, 8);
});

test("regression: instanceof a library class never reads the value's own properties (a hostile Proxy)", () => {
  const hostile = new Proxy(new Error("hostile"), {
    get() {
      throw new Error("getter");
    },
    has() {
      throw new Error("has");
    },
  });
  assert.equal(hostile instanceof CancelledError, false);
  assert.equal(hostile instanceof RuntimeError, false);
  assert.equal((42 as unknown as object) instanceof ExitStack, false);
  class Local extends RuntimeError {}
  assert.equal(new Local() instanceof RuntimeError, true);
  assert.equal(Object.create(RuntimeError.prototype) instanceof RuntimeError, true);
});
