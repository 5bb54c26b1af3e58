// One benchmark process for one runtime: runs every group and writes the results as JSON to
// the file named by the first argument. Started by bench/run.mjs with `--expose-gc`, once per
// runtime and run. Progress goes to stderr.
//
//   node --expose-gc bench/suite.mjs out.json [group-name-substring…]
//   node --expose-gc bench/suite.mjs --cold <path> <sync|async> <case index>   (one cold case)
//
// The error-path groups are also measured cold: each case in a process of its own that has
// run nothing else (see measureCold), started from here.
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { fileURLToPath } from "node:url";
import { asyncCases, nestedCases, syncCases } from "./cases/single.mjs";
import { loadAll, versions } from "./lib/load.mjs";
import { measureCold, measureGroup } from "./lib/measure.mjs";

const env = await loadAll();

if (process.argv[2] === "--cold") {
  const [, , , path, kind, index] = process.argv;
  const cases = kind === "sync" ? syncCases(env, path) : asyncCases(env, path);
  process.stdout.write(`${JSON.stringify({ ns: await measureCold(cases[Number(index)]) })}\n`);
  process.exit(0);
}

const [outFile, ...only] = process.argv.slice(2);
const selected = (name) => only.length === 0 || only.some((o) => name.includes(o));
const log = (message) => process.stderr.write(`[${process.version}] ${message}\n`);
const load = [loadavg()[0]];

/** Each case of a group, cold: one fresh process per case. */
function coldRows(path, kind, cases) {
  const self = fileURLToPath(import.meta.url);
  return cases.map((c, index) => {
    try {
      const out = execFileSync(process.execPath, ["--expose-gc", self, "--cold", path, kind, String(index)], {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "inherit"],
      });
      return { name: c.name, ns: JSON.parse(out.trim().split("\n").pop()).ns };
    } catch (error) {
      return { name: c.name, failed: String(error?.message ?? error).split("\n")[0] };
    }
  });
}

const groups = [];
async function group(name, kind, run, extra) {
  if (!selected(name)) return;
  log(name);
  const started = performance.now();
  const rows = await run();
  const record = { name, kind, rows, seconds: (performance.now() - started) / 1000 };
  if (extra) Object.assign(record, extra());
  groups.push(record);
}

for (const path of ["happy", "error"]) {
  const cold = path === "error";
  await group(
    `single async manager, ${path} path`,
    "ops",
    () => measureGroup(asyncCases(env, path)),
    cold ? () => ({ cold: coldRows(path, "async", asyncCases(env, path)) }) : undefined,
  );
  await group(
    `single sync manager, ${path} path`,
    "ops",
    () => measureGroup(syncCases(env, path)),
    cold ? () => ({ cold: coldRows(path, "sync", syncCases(env, path)) }) : undefined,
  );
  await group(`two async managers nested, ${path} path`, "ops", () => measureGroup(nestedCases(env, path)));
}

const stacks = await import("./cases/stacks.mjs");
for (const spec of stacks.groups(env)) await group(spec.name, spec.kind, spec.run);
const concurrency = await import("./cases/concurrency.mjs");
for (const spec of concurrency.groups(env)) await group(spec.name, spec.kind, spec.run);
const memory = await import("./cases/memory.mjs");
for (const spec of memory.groups(env)) await group(spec.name, spec.kind, spec.run);
load.push(loadavg()[0]);

const cpu = cpus()[0]?.model ?? "unknown CPU";
writeFileSync(
  outFile,
  JSON.stringify(
    {
      runtime: `Node ${process.version}`,
      versions: versions(),
      machine: `${cpus().length} × ${cpu}, ${Math.round(totalmem() / 2 ** 30)} GiB`,
      date: new Date().toISOString(),
      load,
      groups,
    },
    null,
    2,
  ),
);
// The AbortSignal.timeout timers do not hold the process, but a peer's stray handle would.
process.exit(0);
