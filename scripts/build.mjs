// Builds the ESM and CJS outputs (with declarations and declaration maps) from one source.
// The runtime-agnostic part of src/ is first type-checked without Node's types, so that
// nothing outside src/node can lean on a Node-only API by accident.
import { execFileSync } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";

const tsc = (...args) =>
  execFileSync(process.execPath, ["node_modules/typescript/bin/tsc", ...args], { stdio: "inherit" });

rmSync("dist", { recursive: true, force: true });
tsc("-p", "tsconfig.build.json", "--noEmit");
tsc("-p", "tsconfig.node.json");
tsc(
  "-p",
  "tsconfig.node.json",
  "--outDir",
  "dist/cjs",
  "--module",
  "commonjs",
  "--moduleResolution",
  "node10",
  "--verbatimModuleSyntax",
  "false",
);
writeFileSync("dist/cjs/package.json", '{\n  "type": "commonjs"\n}\n');
console.log("built dist/esm and dist/cjs");
