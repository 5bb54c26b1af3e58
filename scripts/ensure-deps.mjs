// Installs a tool set that the root install leaves out, the first time it is needed: the
// runtimes of `npm run matrix` (scripts/runtimes), the peers of `npm run bench` (bench), and
// the linter and API reference generator (scripts/tools). Each set has its own package.json
// and lockfile; `npm ci` runs again only when that lockfile changes. The root `npm install`
// thus holds only what building, testing and the demo need.
//
//   node scripts/ensure-deps.mjs <dir> [<dir> …]        (as a module: ensureDeps(dir))
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(fileURLToPath(new URL("..", import.meta.url)));

/** Makes `<dir>/node_modules` match `<dir>/package-lock.json`; returns that node_modules path. */
export function ensureDeps(dir) {
  const base = resolve(root, dir);
  const lockfile = join(base, "package-lock.json");
  const stamp = join(base, "node_modules", ".installed-lockfile-sha256");
  const digest = createHash("sha256").update(readFileSync(lockfile)).digest("hex");
  if (existsSync(stamp) && readFileSync(stamp, "utf8") === digest) return join(base, "node_modules");
  console.error(`installing ${dir}'s own dependencies (${lockfile}) …`);
  // Under `npm run`, use the very npm that runs us; otherwise the one on PATH.
  const npm = process.env.npm_execpath ? [process.execPath, process.env.npm_execpath] : ["npm"];
  execFileSync(npm[0], [...npm.slice(1), "ci", "--no-audit", "--no-fund", "--loglevel=error"], {
    cwd: base,
    // Our stdout may be parsed by the caller (a path, a report): npm's output goes to stderr.
    stdio: ["ignore", process.stderr, process.stderr],
  });
  writeFileSync(stamp, digest);
  return join(base, "node_modules");
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const dir of process.argv.slice(2)) ensureDeps(dir);
}
