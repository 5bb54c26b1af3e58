// The built output, not the sources: `npm test` runs the suites on src/ through tsx, whose
// transpiler differs from tsc's. A generator manager's static steps once worked from src/ and
// failed from dist/ (tsc binds the class's name after its static blocks run), seen only by the
// runtime matrix; this runs the same path on both builds in every `npm test`.
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { test } from "node:test";

const require = createRequire(import.meta.url);

for (const [format, load] of [
  ["esm", () => import("../dist/esm/index.js")],
  ["cjs", async () => require("../dist/cjs/index.js")],
] as const) {
  test(`regression: the ${format} build runs generator managers through asyncWith and syncWith`, async () => {
    const lib = (await load()) as typeof import("../src/index.js");
    const events: string[] = [];
    const asyncManager = lib.asyncContextManager(async function* () {
      events.push("enter");
      try {
        yield 1;
      } finally {
        events.push("exit");
      }
    });
    assert.equal(await lib.asyncWith(asyncManager(), async (value) => value + 1), 2);
    const boom = new Error("boom");
    await assert.rejects(
      lib.asyncWith(asyncManager(), async () => {
        throw boom;
      }),
      (error) => error === boom,
    );
    assert.equal(await lib.asyncWith([asyncManager(), asyncManager()], async (a, b) => a + b), 2);
    const syncManager = lib.contextManager(function* () {
      yield "value";
    });
    assert.equal(
      lib.syncWith(syncManager(), (value) => value.length),
      5,
    );
    assert.deepEqual(events, ["enter", "exit", "enter", "exit", "enter", "enter", "exit", "exit"]);
  });
}
