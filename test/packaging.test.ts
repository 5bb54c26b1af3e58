// The package as a user receives it: the tarball `npm pack` makes from the built output. It must
// pass publint and Are The Types Wrong with no problem reported, hold exactly the files a user
// needs, declare no runtime dependency, and load through `require` and `import`, for `.` and
// `./node`, both by self-reference and once installed into a fresh project.
// Needs a current build (`npm test` builds first).
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { after, before, describe, test } from "node:test";
import { promisify } from "node:util";

const run = promisify(execFile);
const root = process.cwd();
const workDir = mkdtempSync(join(tmpdir(), "contextlib-ts-pack-"));
let tarball = "";
/** The files `npm pack` put in the tarball. */
let packed: string[] = [];

before(async () => {
  assert.ok(existsSync("dist/esm/index.js") && existsSync("dist/cjs/index.js"), "build first: npm run build");
  const { stdout } = await run("npm", ["pack", "--json", "--pack-destination", workDir]);
  const [{ filename, files }] = JSON.parse(stdout) as [{ filename: string; files: { path: string }[] }];
  tarball = join(workDir, filename);
  packed = files.map((f) => f.path).sort();
});

after(() => rmSync(workDir, { recursive: true, force: true }));

/** Runs a script with this Node in `cwd`, as an ES module or a CommonJS one; resolves with its stdout. */
async function node(cwd: string, type: "module" | "commonjs", source: string): Promise<string> {
  const { stdout } = await run(process.execPath, [`--input-type=${type}`, "-e", source], { cwd });
  return stdout.trim();
}

function sourceModules(): string[] {
  return readdirSync("src", { recursive: true })
    .map(String)
    .filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts"))
    .map((f) => f.replaceAll("\\", "/").replace(/\.ts$/, ""));
}

describe("packaging", { concurrency: true }, () => {
  test("publint reports no problem, not even a suggestion", async () => {
    const { stdout, stderr } = await run("node_modules/.bin/publint", ["run", "--level", "suggestion", tarball]);
    const output = stdout + stderr;
    assert.doesNotMatch(output, /Errors:|Warnings:|Suggestions:/, output);
    assert.match(output, /All good!/, output);
  });

  // Every resolution mode, TypeScript's old `node10` included: it predates "exports", so the
  // `./node` subpath reaches it through "typesVersions".
  test("Are The Types Wrong reports no problem in any resolution mode", async () => {
    // attw exits non-zero when it finds a problem; its JSON still lists every problem.
    const { stdout } = await run("node_modules/.bin/attw", ["--format", "json", tarball]);
    const report = JSON.parse(stdout) as {
      analysis: { problems: unknown[]; entrypoints: Record<string, unknown> };
    };
    assert.deepEqual(report.analysis.problems, []);
    assert.deepEqual(Object.keys(report.analysis.entrypoints).sort(), [".", "./node", "./package.json", "./redis"]);
  });

  test("the tarball holds exactly the built output, its sources and the package documents", async () => {
    // The README's relative links resolve on the package page too: the files they name are shipped.
    const expected = [
      "LICENSE",
      "README.md",
      "package.json",
      "dist/cjs/package.json",
      "BENCHMARKS.md",
      "docs/cancellation.md",
      "docs/redis.md",
      "docs/runtimes.md",
      "docs/samples-prelude.d.ts",
    ];
    for (const module of sourceModules()) {
      expected.push(`src/${module}.ts`);
      for (const format of ["esm", "cjs"]) {
        for (const ext of [".js", ".js.map", ".d.ts", ".d.ts.map"]) expected.push(`dist/${format}/${module}${ext}`);
      }
    }
    assert.deepEqual(packed, expected.sort());
  });

  test("every relative link of the README names a file in the tarball", () => {
    const readme = readFileSync("README.md", "utf8");
    const links = [...readme.matchAll(/\]\(([^)#]+)(?:#[^)]*)?\)/g)]
      .map((m) => m[1] ?? "")
      .filter((l) => !/^[a-z]+:/.test(l));
    assert.ok(links.length > 0);
    for (const link of links) assert.ok(packed.includes(link), `README links to ${link}, which is not packed`);
  });

  test("declaration maps and source maps point at sources that are in the tarball", () => {
    for (const map of packed.filter((f) => f.endsWith(".map"))) {
      const { sources } = JSON.parse(readFileSync(map, "utf8")) as { sources: string[] };
      for (const source of sources) {
        const target = join(map, "..", source).replaceAll("\\", "/");
        assert.ok(packed.includes(target), `${map} points at ${target}, which is not packed`);
      }
    }
  });

  test("zero runtime dependencies, side-effect free, both formats for both entry points", () => {
    const pkg = JSON.parse(readFileSync("package.json", "utf8")) as Record<string, unknown>;
    for (const key of ["dependencies", "optionalDependencies", "bundleDependencies"]) {
      assert.equal(pkg[key], undefined, `package.json has ${key}`);
    }
    // The Redis clients are peers of the ./redis subpath only, and optional: never installed for the user.
    assert.deepEqual(Object.keys(pkg.peerDependencies as object).sort(), ["ioredis", "redis"]);
    assert.deepEqual(pkg.peerDependenciesMeta, { ioredis: { optional: true }, redis: { optional: true } });
    assert.equal(pkg.sideEffects, false);
    const exports = pkg.exports as Record<string, Record<string, { types: string; default: string }>>;
    for (const entry of [".", "./node", "./redis"]) {
      for (const condition of ["import", "require"]) {
        const target = exports[entry]?.[condition];
        assert.ok(target, `exports["${entry}"].${condition}`);
        assert.ok(existsSync(target.types) && existsSync(target.default), `${entry} ${condition}`);
      }
    }
  });

  test("self-reference: require and import of . and ./node load the built output", async () => {
    const probe = (m: string) => `[typeof ${m}.syncWith, typeof ${m}.asyncWith, Object.keys(${m}).length > 0].join()`;
    assert.equal(
      await node(root, "commonjs", `const m = require("contextlib-ts"); console.log(${probe("m")})`),
      "function,function,true",
    );
    assert.equal(
      await node(root, "module", `const m = await import("contextlib-ts"); console.log(${probe("m")})`),
      "function,function,true",
    );
    const nodeProbe = "Object.keys(n).filter((k) => typeof n[k] === 'function').length > 0";
    assert.equal(
      await node(root, "commonjs", `const n = require("contextlib-ts/node"); console.log(${nodeProbe})`),
      "true",
    );
    assert.equal(
      await node(root, "module", `const n = await import("contextlib-ts/node"); console.log(${nodeProbe})`),
      "true",
    );
  });

  test("the root entry point never reaches the ./redis subpath", () => {
    for (const format of ["esm", "cjs"]) {
      const seen = new Set<string>();
      const walk = (file: string): void => {
        if (seen.has(file)) return;
        seen.add(file);
        const text = readFileSync(file, "utf8");
        for (const [, spec] of text.matchAll(/(?:from |require\(|import\()"(\.{1,2}\/[^"]+)"/g)) {
          walk(join(file, "..", spec as string));
        }
      };
      walk(`dist/${format}/index.js`);
      assert.ok(seen.size > 10, `${format}: followed the imports (${seen.size} files)`);
      for (const file of seen) assert.doesNotMatch(file, /[\\/]redis[\\/]/, `${format}: ${file}`);
      for (const file of seen) assert.doesNotMatch(readFileSync(file, "utf8"), /from "(redis|ioredis)"/);
    }
  });

  test("the ESM and CJS builds export the same names", async () => {
    for (const entry of ["contextlib-ts", "contextlib-ts/node", "contextlib-ts/redis"]) {
      const cjs = await node(root, "commonjs", `console.log(Object.keys(require("${entry}")).sort().join())`);
      const esm = await node(
        root,
        "module",
        `console.log(Object.keys(await import("${entry}")).filter((k) => k !== "default").sort().join())`,
      );
      assert.equal(cjs, esm, entry);
    }
  });

  test("installed from the tarball into a fresh project, both formats load and type-check", async () => {
    const project = join(workDir, "consumer");
    rmSync(project, { recursive: true, force: true });
    await run("mkdir", ["-p", project]);
    writeFileSync(join(project, "package.json"), '{ "name": "consumer", "private": true }\n');
    await run(
      "npm",
      ["install", "--offline", "--no-audit", "--no-fund", "--ignore-scripts", relative(project, tarball)],
      { cwd: project },
    );
    const installed = JSON.parse(readFileSync(join(project, "package-lock.json"), "utf8")) as {
      packages: Record<string, unknown>;
    };
    assert.deepEqual(
      Object.keys(installed.packages).sort(),
      ["", "node_modules/contextlib-ts"],
      "nothing else installed",
    );
    assert.equal(await node(project, "commonjs", 'console.log(typeof require("contextlib-ts").syncWith)'), "function");
    assert.equal(
      await node(project, "module", 'console.log(typeof (await import("contextlib-ts")).asyncWith)'),
      "function",
    );
    assert.equal(await node(project, "commonjs", 'console.log(typeof require("contextlib-ts/node"))'), "object");
    // The ./redis subpath loads without either Redis client installed.
    assert.equal(
      await node(project, "module", 'console.log(typeof (await import("contextlib-ts/redis")).RedisLock)'),
      "function",
    );

    // The published declarations compile in a strict consumer that checks libraries too
    // (no skipLibCheck) and has no DOM types, from an ES module and from a CommonJS one.
    writeFileSync(
      join(project, "esm.mts"),
      [
        'import { asyncWith, ExitStack, syncWith, timeout } from "contextlib-ts";',
        'import { chdir } from "contextlib-ts/node";',
        'import { RedisLock, type RedisClient } from "contextlib-ts/redis";',
        "declare const client: RedisClient;",
        'await asyncWith(new RedisLock(client, "k").hold({ timeoutMs: 5 }), async (hold) => hold.token + 1);',
        "const n: number = syncWith({ enter: () => 1, exit: () => {} }, (v) => v + 1);",
        "// @ts-expect-error syncWith body returns a promise: use asyncWith for an asynchronous body",
        "const p: number = syncWith({ enter: () => 1, exit: () => {} }, async (v) => v);",
        "await asyncWith(timeout(10), async (t) => t.signal);",
        "{ using stack = new ExitStack(); stack.callback(() => {}); }",
        'syncWith(chdir("."), () => n);',
        "",
      ].join("\n"),
    );
    writeFileSync(
      join(project, "cjs.cts"),
      'import { ExitStack, syncWith } from "contextlib-ts";\nimport node = require("contextlib-ts/node");\nsyncWith(new ExitStack(), () => node.chdir);\n',
    );
    const flags = [
      "--noEmit",
      "--strict",
      "--exactOptionalPropertyTypes",
      "--module",
      "nodenext",
      "--target",
      "es2022",
    ];
    const types = [
      "--lib",
      "es2022,esnext.disposable",
      "--types",
      "node",
      "--typeRoots",
      join(root, "node_modules/@types"),
    ];
    await run(
      process.execPath,
      [join(root, "node_modules/typescript/bin/tsc"), ...flags, ...types, "esm.mts", "cjs.cts"],
      {
        cwd: project,
      },
    ).catch((failure: { stdout: string }) => assert.fail(failure.stdout));

    // The README's minimal settings for a project without @types/node: the two libraries the
    // declarations name (ESNext.Disposable for Symbol.dispose and the stacks, DOM for AbortSignal).
    writeFileSync(
      join(project, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          target: "ES2022",
          lib: ["ES2022", "ESNext.Disposable", "DOM"],
          types: [],
          module: "nodenext",
          skipLibCheck: false,
          noEmit: true,
        },
        files: ["browser.mts"],
      }),
    );
    writeFileSync(
      join(project, "browser.mts"),
      [
        'import { asyncWith, ExitStack, syncWith, timeout, type ContextManager } from "contextlib-ts";',
        "const m: ContextManager<number> = { enter: () => 1, exit() {} };",
        "export const n: number = syncWith(m, (v) => v + 1);",
        "await asyncWith(timeout(10), async (t) => t.signal.aborted);",
        "{ using stack = new ExitStack(); stack.callback(() => {}); }",
        "",
      ].join("\n"),
    );
    await run(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", "."], { cwd: project }).catch(
      (failure: { stdout: string }) => assert.fail(failure.stdout),
    );
  });
});
