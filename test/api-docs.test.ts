// The API reference is complete: every name `contextlib-ts`, `contextlib-ts/node` and `contextlib-ts/redis` export,
// however it is re-exported (`export *`, `export { … } from`, `export type`), carries a doc
// comment with an `@example`. The exports are listed by the TypeScript compiler itself, so a
// name added to any module behind the entry points is checked without touching this file.
import assert from "node:assert/strict";
import { resolve } from "node:path";
import { test } from "node:test";
import ts from "typescript";

const entryPoints = {
  "contextlib-ts": "src/index.ts",
  "contextlib-ts/node": "src/node/index.ts",
  "contextlib-ts/redis": "src/redis/index.ts",
};

const program = (() => {
  const config = ts.getParsedCommandLineOfConfigFile(
    "tsconfig.json",
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
        throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n"));
      },
    },
  );
  assert.ok(config, "tsconfig.json could not be read");
  return ts.createProgram(Object.values(entryPoints), config.options);
})();
const checker = program.getTypeChecker();

/** The declaration an export's documentation lives on: the first one (an overload's first signature). */
function documentedDeclaration(symbol: ts.Symbol): ts.Declaration | undefined {
  const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
  return target.declarations?.[0];
}

/** Why the declaration's documentation falls short, or `undefined` when it has a doc comment with an example. */
function problem(declaration: ts.Declaration | undefined): string | undefined {
  if (declaration === undefined) return "no declaration";
  if (ts.getJSDocCommentsAndTags(declaration).length === 0) return "no doc comment";
  const example = ts.getJSDocTags(declaration).find((tag) => tag.tagName.text === "example");
  if (example === undefined) return "no @example";
  if (ts.getTextOfJSDocComment(example.comment)?.trim() === "") return "an empty @example";
  return undefined;
}

/** Every export of the entry point as `name: problem`, for those whose documentation falls short. */
function undocumentedExports(path: string): { names: string[]; missing: string[] } {
  const source = program.getSourceFile(resolve(path));
  assert.ok(source, `${path} is not in the program`);
  const moduleSymbol = checker.getSymbolAtLocation(source);
  assert.ok(moduleSymbol, `${path} is not a module`);
  const exports = checker.getExportsOfModule(moduleSymbol);
  const missing: string[] = [];
  for (const symbol of exports) {
    const why = problem(documentedDeclaration(symbol));
    if (why !== undefined) missing.push(`${symbol.name}: ${why}`);
  }
  return { names: exports.map((symbol) => symbol.name), missing };
}

for (const [specifier, path] of Object.entries(entryPoints)) {
  test(`every export of ${specifier} (${path}) has a doc comment with an @example`, () => {
    const { names, missing } = undocumentedExports(path);
    assert.ok(names.length > 0, `${path} exports nothing`);
    assert.deepEqual(missing, []);
  });
}

test("the export listing sees through every form of re-export", () => {
  const { names } = undocumentedExports("src/index.ts");
  // `export { … } from`, `export type { … }`, `export *` and a value/type export respectively.
  for (const name of ["syncWith", "WaitOptions", "ExitStack", "contextManager", "ExcInfo", "SuppressedError"]) {
    assert.ok(names.includes(name), name);
  }
  assert.ok(!names.includes("hasMethod") && !names.includes("protocolError"), "internal helpers are not exported");
  assert.ok(undocumentedExports("src/node/index.ts").names.includes("redirectStdout"));
});
