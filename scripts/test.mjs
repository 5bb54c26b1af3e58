// Runs every test file under test/ with Node's own test runner, TypeScript loaded by tsx.
// test/harness.ts is preloaded into every test process: it fails the run on an unhandled
// rejection and on any handle (socket, timer, server) a test file leaves open.
//
//   node scripts/test.mjs [substring …]              only the test files whose path contains one
//   node scripts/test.mjs --coverage [substring …]   the same under c8 (what `npm test` runs)
//
// The output ends with a summary: the failed tests by name, the counts, and a last line
// `N passed, N failed` (the form `npm run matrix` prints for each runtime too).
import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";

const argv = process.argv.slice(2);
const coverage = argv.includes("--coverage");
const only = argv.filter((a) => !a.startsWith("--"));
const tap = join(".tmp", `test-${process.pid}.tap`);
mkdirSync(".tmp", { recursive: true });

const files = readdirSync("test", { recursive: true })
  .map((f) => join("test", String(f)))
  .filter((f) => f.endsWith(".test.ts"))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort();

// What is shown (TAP, or the spec reporter under CI), and a TAP copy in a file for the summary.
const reporters = ["--test-reporter", process.env.CI ? "spec" : "tap", "--test-reporter-destination", "stdout"];
reporters.push("--test-reporter", "tap", "--test-reporter-destination", tap);
const nodeArgs = ["--import", "tsx", "--import", "./test/harness.ts", "--test", ...reporters, ...files];
// c8 runs its report and the coverage floor (.c8rc.json) after the tests, before the summary.
const command = coverage ? [process.execPath, "node_modules/c8/bin/c8.js", process.execPath] : [process.execPath];
const result = spawnSync(command[0], [...command.slice(1), ...nodeArgs], { stdio: "inherit" });

let text = "";
try {
  text = readFileSync(tap, "utf8");
  rmSync(tap);
} catch {
  // No TAP at all: the runner did not start; the status says so below.
}
const count = (name) => Number(text.match(new RegExp(`^# ${name} (\\d+)$`, "m"))?.[1] ?? 0);
const passed = count("pass");
const failed = count("fail") + count("cancelled");
const skipped = count("skipped") + count("todo");
// A failed test at any depth, with the names of the tests around it, e.g. "file › suite › case".
const failures = [];
const path = [];
for (const line of text.split("\n")) {
  const m = line.match(/^( *)(ok|not ok) \d+ - (.*?)(?: # (?:SKIP|TODO).*)?$/);
  if (m === null) {
    const named = line.match(/^( *)# Subtest: (.*)$/);
    if (named) path[named[1].length / 4] = named[2];
    continue;
  }
  const depth = m[1].length / 4;
  path.length = depth + 1;
  path[depth] = m[3];
  // Report the innermost failures only: a parent fails because its child did.
  if (m[2] === "not ok" && !failures.some((f) => f.startsWith(`${path.join(" › ")} › `))) {
    failures.push(path.join(" › "));
  }
}
const innermost = failures.filter((f) => !failures.some((g) => g !== f && g.startsWith(`${f} › `)));

console.log(`\n${"─".repeat(60)}`);
if (innermost.length > 0) {
  console.log("failed:");
  for (const name of innermost) console.log(`  ✗ ${name}`);
}
console.log(`test files: ${files.length}   tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
if (result.status !== 0 && failed === 0) {
  console.log(`the run failed (exit status ${result.status ?? result.signal}) outside any test: see above`);
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(result.status ?? 1);
