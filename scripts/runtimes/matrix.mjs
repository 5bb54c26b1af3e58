// `npm run matrix`: builds the package, then runs the portable suite (test/portable/) against
// the built ESM on every runtime the library supports, plus the transpiler interop check, and
// prints each runtime's result and a closing total. Exits 1 if any runtime failed.
//
// The runtimes and transpilers are not part of the root install: they are installed on demand
// into scripts/runtimes/node_modules from scripts/runtimes/package-lock.json, and Node 24 into
// .cache/node24 (scripts/node24.mjs).
//
//   node scripts/runtimes/matrix.mjs [--no-build] [name …]
//   (names: node20 node24 native-stacks deno bun chromium interop)
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { ensureDeps } from "../ensure-deps.mjs";

const argv = process.argv.slice(2);
const build = !argv.includes("--no-build");
const only = argv.filter((a) => !a.startsWith("--"));

const bin = (name) => `scripts/runtimes/node_modules/.bin/${name}`;
const node24 = () => {
  const found = spawnSync(process.execPath, ["scripts/node24.mjs"], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  });
  if (found.status !== 0) throw new Error("scripts/node24.mjs could not provide Node 24");
  return found.stdout.trim().split("\n").at(-1);
};

/** Each runtime: how to run the suite there. `command` is resolved lazily (Node 24 may need installing). */
const runtimes = [
  { name: "node20", command: () => [process.execPath, "test/portable/cli.mjs"] },
  { name: "node24", command: () => [node24(), "test/portable/cli.mjs"] },
  // The interop check that used to download Node 24 during `npm test`: native stacks vs ours.
  { name: "native-stacks", command: () => [process.execPath, "scripts/runtimes/native-stacks.mjs", node24()] },
  { name: "deno", command: () => [bin("deno"), "run", "--allow-read", "--no-prompt", "test/portable/cli.mjs"] },
  { name: "bun", command: () => [bin("bun"), "test/portable/cli.mjs"] },
  { name: "chromium", command: () => [process.execPath, "scripts/runtimes/chromium.mjs"] },
  { name: "interop", command: () => [process.execPath, "scripts/runtimes/interop.mjs", node24()] },
].filter((r) => only.length === 0 || only.includes(r.name));

ensureDeps("scripts/runtimes");

if (build) {
  const built = spawnSync(process.execPath, ["scripts/build.mjs"], { stdio: "inherit" });
  if (built.status !== 0) process.exit(built.status ?? 1);
} else if (!existsSync("dist/esm/index.js")) {
  console.error("dist/esm/index.js is missing: run `npm run build` first");
  process.exit(1);
}

const rows = [];
for (const runtime of runtimes) {
  console.log(`\n=== ${runtime.name} ===`);
  let output = "";
  let status = 1;
  try {
    const [command, ...args] = runtime.command();
    const ran = spawnSync(command, args, {
      encoding: "utf8",
      env: { ...process.env, NO_COLOR: "1" },
      timeout: 300_000,
    });
    output = `${ran.stdout ?? ""}${ran.stderr ?? ""}${ran.error ? `\n${ran.error}` : ""}`;
    status = ran.status ?? 1;
  } catch (error) {
    output = String(error?.stack ?? error);
  }
  process.stdout.write(output.endsWith("\n") || output === "" ? output : `${output}\n`);
  const counts = [...output.matchAll(/^(\d+) passed, (\d+) failed(?:, (\d+) skipped)?$/gm)].at(-1);
  const [passed, failed, skipped] = counts ? counts.slice(1).map((n) => Number(n ?? 0)) : [0, 1, 0];
  rows.push({
    name: runtime.name,
    passed,
    failed: status === 0 ? failed : Math.max(failed, 1),
    skipped,
    ok: status === 0 && failed === 0 && passed > 0,
  });
}

console.log("\nruntime         passed  failed  skipped  result");
for (const row of rows) {
  console.log(
    `${row.name.padEnd(15)} ${String(row.passed).padStart(6)}  ${String(row.failed).padStart(6)}  ${String(row.skipped).padStart(7)}  ${row.ok ? "ok" : "FAILED"}`,
  );
}
const total = rows.reduce((sum, row) => ({ passed: sum.passed + row.passed, failed: sum.failed + row.failed }), {
  passed: 0,
  failed: 0,
});
console.log(`matrix: ${total.passed} passed, ${total.failed} failed`);
process.exitCode = rows.every((row) => row.ok) ? 0 : 1;
