// What ambient cancel scopes cost (src/asyncio/ambient.ts), on this Node and on Node 24:
//
// 1. Whole process: a promise-heavy workload that never touches a scope, timed in fresh
//    processes that (a) never enter a scope, so no AsyncLocalStorage exists; (b) entered one
//    scope earlier, so the storage exists (on Node 20 that switches promise hooks on for the
//    whole process); (c) run the workload inside a scope. (a) is what the lazy design gives a
//    program that never uses scopes; (b) is what creating the storage at import would cost it.
// 2. Entering a scope: asyncWith over timeout / CancelScope / TaskGroup, next to the same work
//    written by hand with an AbortController and a timer, and AsyncLocalStorage.run alone.
// 3. A TaskGroup's tasks, at 1,000 and 100,000 per group, with the async context and without
//    it: each task runs in a context of its own (as each Python task gets a copy of its
//    context), and this shows what that costs next to the rest of a task.
//
// Self-contained (it compiles the library into .cache/bench-ambient); `npm run bench` runs it
// after the main suite, or alone: `node bench/ambient.mjs [--runs N]`. Prints Markdown.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, rmSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { handWrittenGroup } from "./cases/concurrency.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const outDir = `${root}.cache/bench-ambient`;
const args = process.argv.slice(2);

// -- child process: one measurement ------------------------------------------------------------

async function child(mode) {
  if (mode === "enter-off" || mode === "tasks-off") {
    // The library then sees no async context, as in a browser: scopes work, nothing is ambient.
    globalThis[Symbol.for("contextlib-ts.ambient-scope")] = { store: undefined, unavailable: true, active: 0 };
  }
  const lib = await import(pathToFileURL(`${outDir}/lib/index.js`).href);
  const { asyncWith, timeout, CancelScope, TaskGroup, Lock } = lib;
  const lock = new Lock();
  const body = async () => {};
  // The workload: the library's hottest path and plain promise code, neither in a scope.
  const workload = async () => {
    const start = performance.now();
    for (let i = 0; i < 200_000; i++) await asyncWith(lock, body);
    for (let i = 0; i < 200_000; i++) {
      await (async () => {
        await null;
        await null;
      })();
    }
    return ((performance.now() - start) * 1e6) / 400_000; // ns per operation
  };
  const report = (value) => process.stdout.write(`${JSON.stringify(value)}\n`);

  if (mode === "tasks" || mode === "tasks-off") {
    report(await timeTasks(lib));
    return;
  }

  if (mode === "never" || mode === "after" || mode === "inside") {
    if (mode === "after") await asyncWith(timeout(1000), body);
    await workload(); // warm-up
    const ns = mode === "inside" ? await asyncWith(timeout(1e9), workload) : await workload();
    report({ ns });
    return;
  }

  // mode "enter": per-scope costs, each scope entered and exited in turn (so on Node 20 each
  // entry also switches the storage's promise hooks on and off); mode "als": a bare
  // AsyncLocalStorage.run, in a process of its own so that its storage stays out of the others.
  const signal = new AbortController().signal;
  if (mode === "als") {
    const { AsyncLocalStorage } = await import("node:async_hooks");
    const als = new AsyncLocalStorage();
    report(await timeCases({ "AsyncLocalStorage.run(signal, body) alone": () => als.run(signal, body) }));
    return;
  }
  const cases = {
    "hand-written: AbortController + setTimeout + clearTimeout": async () => {
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), 10_000);
      try {
        await body(controller.signal);
      } finally {
        clearTimeout(timer);
      }
    },
    "asyncWith(timeout(10_000), body)": () => asyncWith(timeout(10_000), body),
    "asyncWith(new CancelScope(), body)": () => asyncWith(new CancelScope(), body),
    "asyncWith(new TaskGroup(), one empty task)": () =>
      asyncWith(new TaskGroup(), (tg) => {
        tg.createTask(body);
      }),
  };
  if (mode === "enter-kept") {
    // Another storage that stays enabled keeps Node 20's promise hooks on for good: what a
    // design that never lets the storage idle would cost per scope.
    const { AsyncLocalStorage } = await import("node:async_hooks");
    new AsyncLocalStorage().enterWith(1);
  }
  delete cases[mode === "enter" ? "" : "hand-written: AbortController + setTimeout + clearTimeout"];
  await asyncWith(timeout(1000), body); // the storage exists from here on (unless "enter-off")
  report(await timeCases(cases));
}

/** ns per task of a hand-written group and of a TaskGroup, at 1,000 and 100,000 tasks (best of 3). */
async function timeTasks(lib) {
  const task = async () => {};
  const hand = handWrittenGroup; // the same floor as the suite's TaskGroup groups
  const ours = (size) =>
    lib.asyncWith(new lib.TaskGroup(), (tg) => {
      for (let i = 0; i < size; i++) tg.createTask(task);
    });
  const results = {};
  for (const size of [1_000, 100_000]) {
    const reps = Math.max(2, 200_000 / size);
    for (const [name, op] of [
      ["hand-written group", hand],
      ["TaskGroup", ours],
    ]) {
      let best = Infinity;
      for (let round = 0; round < 3; round++) {
        const start = performance.now();
        for (let i = 0; i < reps; i++) await op(size);
        best = Math.min(best, ((performance.now() - start) * 1e6) / (reps * size));
      }
      results[`${name}, ${size.toLocaleString("en-US")} tasks`] = best;
    }
  }
  return results;
}

async function timeCases(cases) {
  const results = {};
  const n = 50_000;
  for (let round = 0; round < 7; round++) {
    for (const [name, op] of Object.entries(cases)) {
      const start = performance.now();
      for (let i = 0; i < n; i++) await op();
      const ns = ((performance.now() - start) * 1e6) / n;
      if (round < 2) continue; // warm-up rounds
      results[name] ??= [];
      results[name].push(ns);
    }
  }
  return Object.fromEntries(Object.entries(results).map(([k, v]) => [k, median(v)]));
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

// -- parent: build, run every mode in fresh processes, print --------------------------------------

function node24() {
  try {
    const printed = execFileSync(process.execPath, [`${root}scripts/node24.mjs`], { cwd: root, encoding: "utf8" });
    const path = printed.trim().split("\n").pop();
    return path && existsSync(path) ? path : null;
  } catch {
    return null;
  }
}

function measure(runtime, mode) {
  const result = spawnSync(runtime, [fileURLToPath(import.meta.url), "--child", mode], {
    cwd: root,
    encoding: "utf8",
  });
  if (result.status !== 0) throw new Error(`${runtime} ${mode}: ${result.stderr}`);
  return JSON.parse(result.stdout.trim().split("\n").pop());
}

async function parent() {
  const runsIndex = args.indexOf("--runs");
  const runs = runsIndex >= 0 ? Number(args[runsIndex + 1]) : 5;
  rmSync(`${outDir}/lib`, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  execFileSync(
    process.execPath,
    [
      "node_modules/typescript/bin/tsc",
      "-p",
      "tsconfig.build.json",
      "--outDir",
      `${outDir}/lib`,
      "--declaration",
      "false",
      "--declarationMap",
      "false",
      "--sourceMap",
      "false",
    ],
    { cwd: root, stdio: "inherit" },
  );
  const runtimes = [process.execPath, node24()].filter((r) => r !== null);
  const lines = ["### Ambient cancel scopes", ""];
  for (const runtime of runtimes) {
    const version = execFileSync(runtime, ["--version"], { encoding: "utf8" }).trim();
    const samples = { never: [], after: [], inside: [] };
    // Interleaved, so that the three modes share the machine's state run by run.
    for (let run = 0; run < runs; run++) {
      for (const mode of Object.keys(samples)) samples[mode].push(measure(runtime, mode).ns);
    }
    const never = median(samples.never);
    lines.push(
      `#### Node ${version}: a promise-heavy workload outside every scope (ns per operation, median of ${runs} processes)`,
    );
    lines.push("", "| process | ns/op | vs never |", "| --- | ---: | ---: |");
    const label = {
      never: "never entered a scope (no storage: the lazy design)",
      after: "entered one scope earlier (storage live: what an eager design costs everyone)",
      inside: "the workload inside a scope",
    };
    for (const mode of Object.keys(samples)) {
      const ns = median(samples[mode]);
      lines.push(`| ${label[mode]} | ${ns.toFixed(0)} | ${(ns / never).toFixed(2)}× |`);
    }
    const enter = { ...measure(runtime, "enter"), ...measure(runtime, "als") };
    const off = measure(runtime, "enter-off");
    const kept = measure(runtime, "enter-kept");
    const base = enter["hand-written: AbortController + setTimeout + clearTimeout"];
    lines.push("", `#### Node ${version}: entering a scope (ns per enter–exit, one scope at a time)`, "");
    lines.push(
      "| operation | ns/op (chosen: storage idles between scopes) | vs hand-written | ns/op, storage kept on | ns/op, no async context (as in a browser) |",
      "| --- | ---: | ---: | ---: | ---: |",
    );
    for (const [name, ns] of Object.entries(enter)) {
      const other = (table) => (table[name] === undefined ? "" : table[name].toFixed(0));
      lines.push(`| ${name} | ${ns.toFixed(0)} | ${(ns / base).toFixed(2)}× | ${other(kept)} | ${other(off)} |`);
    }
    const withContext = measure(runtime, "tasks");
    const withoutContext = measure(runtime, "tasks-off");
    lines.push("", `#### Node ${version}: a TaskGroup's tasks (ns per task, best of 3 rounds)`, "");
    lines.push("| group | with async context (Node) | without (as in a browser) |", "| --- | ---: | ---: |");
    for (const [name, ns] of Object.entries(withContext)) {
      lines.push(`| ${name} | ${ns.toFixed(0)} | ${withoutContext[name].toFixed(0)} |`);
    }
    lines.push("");
  }
  console.log(lines.join("\n"));
}

const childIndex = args.indexOf("--child");
if (childIndex >= 0) await child(args[childIndex + 1]);
else await parent();
