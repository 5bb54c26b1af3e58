// Every ```ts block of README.md, docs/ and examples/README.md is type-checked against the BUILT
// package, as a user's project would see it: `contextlib-ts` resolved through node_modules to
// dist/ (package.json "exports"), strict, the README's documented compiler settings. The
// declarations a sample assumes but does not show (a `db`, a `getConn`) are in
// docs/samples-prelude.d.ts, in plain sight. A sample that uses none of the prelude's names
// needs nothing undeclared, so it is also run.
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { pathToFileURL } from "node:url";

const root = process.cwd();
const documents = [
  "README.md",
  ...readdirSync("docs")
    .filter((f) => f.endsWith(".md"))
    .map((f) => `docs/${f}`),
  "examples/README.md",
];

interface Sample {
  /** Where the block starts, as `file:line`. */
  readonly where: string;
  readonly file: string;
  readonly code: string;
}

/** The ```ts blocks of a Markdown document, with the line each starts on. */
function samplesOf(document: string): Sample[] {
  const lines = readFileSync(document, "utf8").split("\n");
  const samples: Sample[] = [];
  for (let i = 0; i < lines.length; i++) {
    // Both spellings of the language tag are TypeScript samples.
    if (lines[i]?.trim() !== "```ts" && lines[i]?.trim() !== "```typescript") continue;
    const start = i + 1;
    let end = start;
    while (end < lines.length && lines[end]?.trim() !== "```") end++;
    const name = `${document.replaceAll(/[/.]/g, "_")}_${start + 1}`;
    samples.push({ where: `${document}:${start + 1}`, file: `${name}.mts`, code: lines.slice(start, end).join("\n") });
    i = end;
  }
  return samples;
}

const samples = documents.flatMap(samplesOf);
const project = mkdtempSync(join(tmpdir(), "contextlib-ts-samples-"));
after(() => rmSync(project, { recursive: true, force: true }));

mkdirSync(join(project, "node_modules"));
symlinkSync(root, join(project, "node_modules", "contextlib-ts"), "dir");
// The Redis clients the contextlib-ts/redis samples import, as a user's project has them.
for (const client of ["redis", "ioredis"]) {
  symlinkSync(join(root, "node_modules", client), join(project, "node_modules", client), "dir");
}
writeFileSync(join(project, "package.json"), '{ "name": "samples", "private": true, "type": "module" }\n');
copyFileSync(join(root, "docs", "samples-prelude.d.ts"), join(project, "samples-prelude.d.ts"));
// Each sample is a module of its own (top-level await, imports), so names do not collide.
for (const sample of samples) writeFileSync(join(project, sample.file), `${sample.code}\nexport {};\n`);

/** tsc over the samples and the prelude: the error lines, by sample file. */
function typeCheck(): Map<string, string[]> {
  const config = {
    compilerOptions: {
      strict: true,
      target: "ES2022",
      module: "nodenext",
      lib: ["ES2022", "ESNext.Disposable", "DOM"],
      types: ["node"],
      typeRoots: [join(root, "node_modules", "@types")],
      skipLibCheck: false,
      noEmit: true,
    },
    files: ["samples-prelude.d.ts", ...samples.map((s) => s.file)],
  };
  writeFileSync(join(project, "tsconfig.json"), JSON.stringify(config));
  const ran = spawnSync(process.execPath, [join(root, "node_modules", "typescript", "bin", "tsc"), "-p", "."], {
    cwd: project,
    encoding: "utf8",
  });
  const errors = new Map<string, string[]>();
  for (const line of ran.stdout.split("\n")) {
    const file = line.match(/^([^(]+\.(?:mts|ts))\(/)?.[1];
    if (file === undefined) continue;
    errors.set(file, [...(errors.get(file) ?? []), line]);
  }
  if (ran.status !== 0 && errors.size === 0) throw new Error(`tsc failed: ${ran.stdout}${ran.stderr}`);
  return errors;
}

/** The names the prelude declares: a sample that uses one cannot run. */
const preludeNames = [
  ...readFileSync(join(root, "docs", "samples-prelude.d.ts"), "utf8").matchAll(
    /^(?:declare (?:const|function|class)|interface|type) (\w+)/gm,
  ),
].map((m) => m[1]);
const standalone = samples.filter(
  (s) => !preludeNames.some((name) => new RegExp(`(?<![\\w.])${name}\\b`).test(s.code)),
);

describe("documentation samples", () => {
  test("there are samples to check", () => {
    assert.ok(samples.length >= 9, `only ${samples.length} samples found`);
  });

  test("every ts sample type-checks against the built package (docs/samples-prelude.d.ts for what it assumes)", () => {
    const errors = typeCheck();
    const report = samples
      .filter((s) => errors.has(s.file))
      .map((s) => `${s.where}\n  ${errors.get(s.file)?.join("\n  ")}`);
    assert.deepEqual(errors.get("samples-prelude.d.ts") ?? [], [], "the prelude itself");
    assert.deepEqual(report, []);
  });

  test("the samples that use nothing from the prelude run, against the built package", () => {
    assert.ok(standalone.length >= 1, "no sample stands alone");
    const tsx = pathToFileURL(join(root, "node_modules", "tsx", "dist", "loader.mjs")).href;
    for (const sample of standalone) {
      try {
        execFileSync(process.execPath, ["--import", tsx, sample.file], {
          cwd: project,
          encoding: "utf8",
          stdio: "pipe",
        });
      } catch (error) {
        assert.fail(`${sample.where} failed when run:\n${(error as { stderr?: string }).stderr ?? error}`);
      }
    }
  });
});
