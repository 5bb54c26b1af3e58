// Runs every test file under test/ with Node's own test runner, TypeScript loaded by tsx.
// test/harness.ts is preloaded into every test process: it fails the run on an unhandled
// rejection and on any handle (socket, timer, server) a test file leaves open.
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";

const only = process.argv.slice(2);
const files = readdirSync("test", { recursive: true })
  .map((f) => join("test", String(f)))
  .filter((f) => f.endsWith(".test.ts"))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort();

const args = ["--import", "tsx", "--import", "./test/harness.ts", "--test"];
if (process.env.CI) args.push("--test-reporter=spec");
const result = spawnSync(process.execPath, [...args, ...files], { stdio: "inherit" });
process.exit(result.status ?? 1);
