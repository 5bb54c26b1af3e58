// One benchmark process for one runtime: runs every group and writes the results as JSON to
// the file named by the first argument. Started by bench/run.mjs with `--expose-gc`, once per
// runtime. Progress goes to stderr.
//
//   node --expose-gc bench/suite.mjs out.json [group-name-substring…]
import { writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { asyncCases, syncCases } from "./cases/single.mjs";
import { loadAll, versions } from "./lib/load.mjs";
import { measureGroup } from "./lib/measure.mjs";

const [outFile, ...only] = process.argv.slice(2);
const env = await loadAll();
const selected = (name) => only.length === 0 || only.some((o) => name.includes(o));
const log = (message) => process.stderr.write(`[${process.version}] ${message}\n`);

const groups = [];
async function group(name, kind, run) {
  if (!selected(name)) return;
  log(name);
  const started = performance.now();
  const rows = await run();
  groups.push({ name, kind, rows, seconds: (performance.now() - started) / 1000 });
}

for (const path of ["happy", "error"]) {
  await group(`single async manager, ${path} path`, "ops", () => measureGroup(asyncCases(env, path)));
  await group(`single sync manager, ${path} path`, "ops", () => measureGroup(syncCases(env, path)));
}

const stacks = await import("./cases/stacks.mjs").catch(() => null);
if (stacks) {
  for (const spec of stacks.groups(env)) await group(spec.name, spec.kind, spec.run);
}
const concurrency = await import("./cases/concurrency.mjs").catch(() => null);
if (concurrency) {
  for (const spec of concurrency.groups(env)) await group(spec.name, spec.kind, spec.run);
}
const memory = await import("./cases/memory.mjs").catch(() => null);
if (memory) {
  for (const spec of memory.groups(env)) await group(spec.name, spec.kind, spec.run);
}

const cpu = cpus()[0]?.model ?? "unknown CPU";
writeFileSync(
  outFile,
  JSON.stringify(
    {
      runtime: `Node ${process.version}`,
      versions: versions(),
      machine: `${cpus().length} × ${cpu}, ${Math.round(totalmem() / 2 ** 30)} GiB`,
      date: new Date().toISOString(),
      groups,
    },
    null,
    2,
  ),
);
// The AbortSignal.timeout timers do not hold the process, but a peer's stray handle would.
process.exit(0);
