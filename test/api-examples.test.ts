// Every ```ts block of an `@example` in the BUILT declarations (dist/esm/**/*.d.ts, the hovers a
// user's editor shows, the node and redis subpaths included) is type-checked as a module of its
// own against the built package: strict, skipLibCheck false, `contextlib-ts` resolved by its own
// package.json "exports" as a user's project resolves it.
//
// What an example assumes without showing it is supplied in plain sight:
// - the names of the package itself: an example gets `import { … } from "contextlib-ts"` (or
//   `/node`, `/redis`) for the exported names it uses and does not import or declare itself,
//   as the hover sits next to the very names it documents;
// - the values and resources it works with (a `db`, a `conn`), declared in
//   docs/samples-prelude.d.ts (shared with the README's samples) and docs/api-examples-prelude.d.ts.
//
// All blocks are checked in one compiler program over virtual files, not one tsc per block.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, test } from "node:test";
import ts from "typescript";

const root = process.cwd();
const dist = join(root, "dist", "esm");
const preludes = ["docs/samples-prelude.d.ts", "docs/api-examples-prelude.d.ts"].map((p) => join(root, p));

/** The entry points whose exported names an example may use without importing them, in lookup order. */
const entryPoints: Record<string, string> = {
  "contextlib-ts": "index.d.ts",
  "contextlib-ts/node": "node/index.d.ts",
  "contextlib-ts/redis": "redis/index.d.ts",
};

interface Example {
  /** The documented symbol and where it is: `SyncEntry (src/with.ts, dist/esm/with.d.ts:83)`. */
  readonly where: string;
  /** The virtual module the example is checked as. */
  readonly file: string;
  readonly code: string;
}

function declarationFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return declarationFiles(path);
    return entry.name.endsWith(".d.ts") ? [path] : [];
  });
}

/** `Class.member`, `function`, or `(module)`: the name a doc comment documents. */
function symbolName(node: ts.Node): string {
  const names: string[] = [];
  for (let at: ts.Node | undefined = node; at !== undefined && !ts.isSourceFile(at); at = at.parent) {
    const name = ts.isVariableStatement(at)
      ? at.declarationList.declarations[0]?.name
      : ts.getNameOfDeclaration(at as ts.Declaration);
    if (name !== undefined && (ts.isIdentifier(name) || ts.isStringLiteral(name))) names.unshift(name.text);
  }
  return names.length > 0 ? names.join(".") : "(module)";
}

/** The ```ts blocks of every `@example` tag of a declaration file. */
function examplesOf(path: string): Example[] {
  const text = readFileSync(path, "utf8");
  const source = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true);
  const seen = new Set<number>();
  const examples: Example[] = [];
  const visit = (node: ts.Node): void => {
    for (const tag of ts.getJSDocTags(node)) {
      if (tag.tagName.text !== "example" || seen.has(tag.pos)) continue;
      seen.add(tag.pos);
      // The raw text from the tag to the end of its doc comment (not the tag's own end: a line
      // with a word starting with `@` inside the code ends the tag there, see cutInHovers),
      // with each line's leading ` * ` taken off.
      const lines = text
        .slice(tag.pos, tag.parent.end)
        .split("\n")
        .map((line) => line.replace(/^\s*\*(?: |$)/, "").replace(/\*\/\s*$/, ""));
      const tagLine = source.getLineAndCharacterOfPosition(tag.pos).line;
      for (let i = 1; i < lines.length; i++) {
        if (/^@\w/.test(lines[i] ?? "")) break; // the next tag: this one has no code block
        if (lines[i]?.trim() !== "```ts") continue;
        let end = i + 1;
        while (end < lines.length && lines[end]?.trim() !== "```") end++;
        const line = tagLine + i + 2;
        const dts = relative(root, path);
        const src = `src/${relative(dist, path).replace(/\.d\.ts$/, ".ts")}`;
        examples.push({
          where: `${symbolName(node)} (${src}, ${dts}:${line})`,
          file: join(root, ".api-examples", `${relative(dist, path).replaceAll(/[/.]/g, "_")}_${line}.mts`),
          code: lines.slice(i + 1, end).join("\n"),
        });
        break; // the first block of the tag is its example
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return examples;
}

const options: ts.CompilerOptions = {
  strict: true,
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  lib: ["lib.es2022.d.ts", "lib.esnext.disposable.d.ts", "lib.dom.d.ts"],
  types: ["node"],
  skipLibCheck: false,
  noEmit: true,
};

/** The names each entry point exports, read from the built declarations. */
function exportedNames(): Map<string, string> {
  const program = ts.createProgram(
    Object.values(entryPoints).map((p) => join(dist, p)),
    options,
  );
  const checker = program.getTypeChecker();
  const owner = new Map<string, string>();
  for (const [specifier, path] of Object.entries(entryPoints)) {
    const source = program.getSourceFile(join(dist, path));
    assert.ok(source, `${path} is not built`);
    const moduleSymbol = checker.getSymbolAtLocation(source);
    assert.ok(moduleSymbol, `${path} is not a module`);
    for (const symbol of checker.getExportsOfModule(moduleSymbol)) {
      if (!owner.has(symbol.name)) owner.set(symbol.name, specifier);
    }
  }
  return owner;
}

/** The example as checked: with an import of the package's names it uses, unless it imports from the package itself. */
function asModule(code: string, owner: Map<string, string>): string {
  const bySpecifier = new Map<string, string[]>();
  for (const [name, specifier] of owner) {
    if (!new RegExp(`(?<![\\w.$])${name}(?![\\w$])`).test(code)) continue;
    // A name the example declares itself is the example's own.
    if (new RegExp(`(?:const|let|var|function|class|interface|type)\\s+${name}(?![\\w$])`).test(code)) continue;
    // A name the example imports itself needs no import.
    if (new RegExp(`import\\s*(?:type\\s*)?\\{[^}]*(?<![\\w$])${name}(?![\\w$])[^}]*\\}`).test(code)) continue;
    bySpecifier.set(specifier, [...(bySpecifier.get(specifier) ?? []), name]);
  }
  const imports = [...bySpecifier].map(([specifier, names]) => `import { ${names.join(", ")} } from "${specifier}";`);
  // One line, so that an error's line number in the example is off by exactly one.
  return `${imports.join(" ")}\n${code}\nexport {};\n`;
}

/** Type-checks every example in one program: the diagnostics, by example file. */
function typeCheck(examples: readonly Example[], owner: Map<string, string>): Map<string, string[]> {
  const virtual = new Map(examples.map((e) => [e.file, asModule(e.code, owner)]));
  const host = ts.createCompilerHost(options);
  const { fileExists, readFile, getSourceFile } = host;
  host.fileExists = (f) => virtual.has(f) || fileExists.call(host, f);
  host.readFile = (f) => virtual.get(f) ?? readFile.call(host, f);
  host.getSourceFile = (f, language, ...rest) => {
    const code = virtual.get(f);
    return code === undefined
      ? getSourceFile.call(host, f, language, ...rest)
      : ts.createSourceFile(f, code, language, true, ts.ScriptKind.TS);
  };
  const program = ts.createProgram([...preludes, ...virtual.keys()], options, host);
  const errors = new Map<string, string[]>();
  for (const diagnostic of ts.getPreEmitDiagnostics(program)) {
    const file = diagnostic.file?.fileName ?? "(options)";
    const line =
      diagnostic.file && diagnostic.start !== undefined
        ? diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start).line + (virtual.has(file) ? 0 : 1)
        : 0;
    const message = `line ${line}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n    ")}`;
    errors.set(file, [...(errors.get(file) ?? []), message]);
  }
  return errors;
}

const examples = declarationFiles(dist).flatMap(examplesOf);

/**
 * Whether TypeScript's doc-comment parser ends the example early: it reads a word starting
 * with `@` after whitespace as a new tag, even inside a code fence, so the hover shows the code
 * cut in two (a method decorator, a `// @ts-expect-error`).
 */
function cutInHovers(code: string): boolean {
  return /(?:^|\s)@[A-Za-z]/m.test(code);
}

describe("API documentation examples (the @example blocks of the built .d.ts files)", () => {
  test("there are examples to check, in the node and redis subpaths too", () => {
    assert.ok(examples.length >= 150, `only ${examples.length} examples found`);
    for (const sub of ["src/node/", "src/redis/"]) {
      assert.ok(
        examples.some((e) => e.where.includes(sub)),
        `no example found under ${sub}`,
      );
    }
  });

  test("no example is cut in two in hovers by a word starting with @", () => {
    const cut = examples.filter((e) => cutInHovers(e.code)).map((e) => e.where);
    assert.deepEqual(cut, []);
  });

  test("every example type-checks against the built package", () => {
    const errors = typeCheck(examples, exportedNames());
    for (const prelude of preludes) {
      assert.deepEqual(errors.get(prelude) ?? [], [], relative(root, prelude));
      errors.delete(prelude);
    }
    const failing = examples.filter((e) => errors.has(e.file) || cutInHovers(e.code));
    const report = failing.map((e) => `${e.where}\n  ${errors.get(e.file)?.join("\n  ")}`);
    for (const e of examples) errors.delete(e.file);
    assert.deepEqual([...errors], [], "diagnostics outside the examples");
    assert.deepEqual(report, [], `${report.length} of ${examples.length} examples fail`);
  });
});
