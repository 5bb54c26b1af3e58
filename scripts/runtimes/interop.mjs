// The transpiler interop check: test/portable/interop/source.mjs, which uses `using` and
// `await using` with the library's stacks, is compiled by TypeScript (`await using`
// down-levelled to its helpers), by Babel (@babel/plugin-transform-explicit-resource-management)
// and by esbuild, and each output is run against the built ESM:
//   - as a module on Node 20 (runtime symbols `Symbol(nodejs.dispose)`), and on Node 24
//     (native symbols), next to the uncompiled source run natively there;
//   - bundled into a fresh `vm` context, whose realm has no `Symbol.dispose`, no
//     `Symbol.asyncDispose` and no `SuppressedError`: the library and Babel's and esbuild's
//     helpers then meet on `Symbol.for("Symbol.asyncDispose")`; TypeScript's helpers need the
//     polyfill TypeScript documents, installed before anything else runs.
// Usage: node scripts/runtimes/interop.mjs [path of a Node 24 binary]
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import vm from "node:vm";
import { transformSync as babel } from "@babel/core";
import { buildSync, transformSync as esbuild } from "esbuild";
import ts from "typescript";

const node24 = process.argv[2];
const sourcePath = "test/portable/interop/source.mjs";
const source = readFileSync(sourcePath, "utf8");
const out = resolve(".cache/interop");
mkdirSync(out, { recursive: true });

const compilers = {
  tsc: (code) =>
    ts.transpileModule(code, {
      fileName: "source.ts",
      compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext },
    }).outputText,
  babel: (code) =>
    babel(code, {
      babelrc: false,
      configFile: false,
      sourceType: "module",
      // Resolved from this directory, where the matrix installs it: Babel resolves a plugin's
      // name from the working directory, the root, whose install leaves Babel out.
      plugins: [createRequire(import.meta.url).resolve("@babel/plugin-transform-explicit-resource-management")],
    }).code,
  esbuild: (code) => esbuild(code, { format: "esm", target: "es2022", loader: "js" }).code,
};

const runnerPath = resolve("test/portable/runner.mjs");
const libraryPath = resolve("dist/esm/index.js");
const results = [];

function record(name, output, status) {
  const counts = /^(\d+) passed, (\d+) failed/m.exec(output);
  const passed = counts ? Number(counts[1]) : 0;
  const failed = counts ? Number(counts[2]) : 1;
  const ok = status === 0 && failed === 0 && passed > 0;
  results.push({ passed, failed: ok ? 0 : Math.max(failed, 1) });
  console.log(`${ok ? "ok    " : "FAILED"} ${name}: ${counts ? counts[0] : "no result"}`);
  if (!ok) console.log(output);
}

/**
 * Writes the compiled tests as `<name>.tests.mjs`, and two entry points: `<name>.mjs`, a module
 * that runs them and prints the counts, and `<name>.bare.mjs`, for the bundle of the bare realm.
 */
function writeModule(name, code) {
  writeFileSync(join(out, `${name}.tests.mjs`), code.replaceAll('"../runner.mjs"', JSON.stringify(runnerPath)));
  const tests = JSON.stringify(`./${name}.tests.mjs`);
  const runner = JSON.stringify(runnerPath);
  writeFileSync(
    join(out, `${name}.mjs`),
    `import ${tests};\nimport { run } from ${runner};\nconst r = await run(console.log);\nconsole.log(\`\${r.passed} passed, \${r.failed} failed\`);\nif (r.failed) process.exitCode = 1;\n`,
  );
  writeFileSync(join(out, `${name}.bare.mjs`), `import ${tests};\nexport { run } from ${runner};\n`);
  return join(out, `${name}.mjs`);
}

function runModule(label, binary, file) {
  const ran = spawnSync(binary, [file], { encoding: "utf8" });
  record(label, `${ran.stdout}${ran.stderr}`, ran.status);
}

/** Bundles one tool's tests with the library into a script for a `vm` realm. */
function bundleFor(name) {
  return buildSync({
    entryPoints: [join(out, `${name}.bare.mjs`)],
    bundle: true,
    write: false,
    format: "iife",
    globalName: "interop",
    target: "es2022",
    platform: "neutral",
    alias: { "contextlib-ts": libraryPath },
    // The files sit inside this package, whose `"sideEffects": false` would drop the tests' import.
    ignoreAnnotations: true,
    logLevel: "silent",
  }).outputFiles[0].text;
}

/** Runs a bundle of the tests (library included) in a new realm without the disposal symbols. */
async function runInBareRealm(label, name, prelude) {
  let bundle;
  try {
    bundle = bundleFor(name);
  } catch (error) {
    record(label, String(error), 1);
    return;
  }
  const lines = [];
  const context = vm.createContext({
    console: { log: (...args) => lines.push(args.join(" ")) },
    setTimeout,
    clearTimeout,
  });
  const realm = vm.runInContext(
    "({ dispose: typeof Symbol.dispose, asyncDispose: typeof Symbol.asyncDispose, suppressed: typeof SuppressedError })",
    context,
  );
  if (realm.dispose !== "undefined" || realm.asyncDispose !== "undefined" || realm.suppressed !== "undefined") {
    record(label, `the new realm is not bare: ${JSON.stringify(realm)}`, 1);
    return;
  }
  let status = 0;
  try {
    vm.runInContext(`${prelude}\n${bundle}`, context);
    const counts = await vm.runInContext("interop.run((line) => console.log(line))", context);
    lines.push(`${counts.passed} passed, ${counts.failed} failed`);
  } catch (error) {
    lines.push(String(error?.stack ?? error));
    status = 1;
  }
  record(label, lines.join("\n"), status);
}

for (const [tool, compile] of Object.entries(compilers)) {
  const file = writeModule(tool, compile(source));
  runModule(`${tool}, Node ${process.versions.node}`, process.execPath, file);
  if (node24) runModule(`${tool}, Node 24`, node24, file);
  // TypeScript's helpers throw without Symbol.asyncDispose; TypeScript's documented polyfill
  // installs a fresh symbol before the library loads, which the library then adopts.
  const prelude =
    tool === "tsc"
      ? 'Symbol.dispose ??= Symbol("Symbol.dispose"); Symbol.asyncDispose ??= Symbol("Symbol.asyncDispose");'
      : "";
  await runInBareRealm(
    `${tool}, a realm without the symbols${prelude ? " (TypeScript's polyfill)" : ""}`,
    tool,
    prelude,
  );
}
if (node24) runModule("native syntax, Node 24", node24, writeModule("native", source));

const total = results.reduce((sum, r) => ({ passed: sum.passed + r.passed, failed: sum.failed + r.failed }), {
  passed: 0,
  failed: 0,
});
console.log(`${total.passed} passed, ${total.failed} failed`);
process.exitCode = total.failed > 0 ? 1 : 0;
