// Prepares everything the suite imports:
// - the library, compiled exactly as dist/esm is (tsconfig.build.json: the output users run),
//   but into .cache/bench/lib, so that a build or test run deleting dist/ meanwhile cannot
//   pull it from under a benchmark;
// - the `using` fixtures, compiled by TypeScript for ES2022 (down-levelled) and for ESNext
//   (the syntax kept, for the runtimes that parse it);
// - a bundle of the npm `contextlib` peer, whose published ESM cannot be imported as is
//   (extensionless relative imports and a bare `utils` import).
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { ensureDeps } from "../scripts/ensure-deps.mjs";
import { peers } from "./lib/load.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
export const outDir = `${root}.cache/bench`;

const run = (file, args) => execFileSync(process.execPath, [file, ...args], { cwd: root, stdio: "inherit" });

export async function buildBench() {
  ensureDeps("bench");
  mkdirSync(outDir, { recursive: true });
  const tsc = "node_modules/typescript/bin/tsc";
  rmSync(`${outDir}/lib`, { recursive: true, force: true });
  const noMaps = ["--declaration", "false", "--declarationMap", "false", "--sourceMap", "false"];
  try {
    run(tsc, ["-p", "tsconfig.build.json", "--outDir", `${outDir}/lib`, ...noMaps]);
  } catch {
    // tsc still emits when the types do not check; measure that output, but say so.
    if (!existsSync(`${outDir}/lib/index.js`)) throw new Error("the library did not build");
    console.warn("bench: the library has type errors (above); measuring its emitted output anyway");
  }
  const common = [
    "--module",
    "ESNext",
    "--moduleResolution",
    "bundler",
    "--lib",
    "ES2022,ESNext.Disposable",
    "--skipLibCheck",
    "--strict",
  ];
  run(tsc, [...common, "--target", "ES2022", "--outDir", `${outDir}/downlevel`, "bench/fixtures/using.ts"]);
  run(tsc, [...common, "--target", "ESNext", "--outDir", `${outDir}/native`, "bench/fixtures/using.ts"]);
  const esbuild = await import("esbuild");
  const src = `${peers}contextlib/dist/javascript/src`;
  await esbuild.build({
    entryPoints: [`${src}/index.js`],
    bundle: true,
    format: "esm",
    platform: "neutral",
    outfile: `${outDir}/contextlib.mjs`,
    alias: { utils: `${src}/utils.js` },
    resolveExtensions: [".js"],
    logLevel: "warning",
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await buildBench();
