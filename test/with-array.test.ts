// `asyncWith([a, b, …], body)` runs the managers in one async function (fewer ticks than one
// per level); it must behave exactly as the literally nested calls
// `asyncWith(a, () => asyncWith(b, body))` (python-semantics.md rule 13): same order of
// enters and exits, same errors seen by each exit, same result or error and error context.
// Checked on random arrays of every manager kind, generator managers' misuse included.
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { asyncContextManager, asyncWith, errorContext, hasErrorContext } from "../src/index.js";

type Log = string[];
type Make = (log: Log, name: string) => unknown;

const describeError = (error: unknown): string => (error instanceof Error ? error.message : String(error));

const kinds: Record<string, Make> = {
  "async class": (log, name) => ({
    async aenter() {
      log.push(`aenter ${name}`);
      return name;
    },
    async aexit(exc?: { error: unknown }) {
      log.push(`aexit ${name} ${exc ? describeError(exc.error) : "-"}`);
    },
  }),
  "async class, suppresses": (log, name) => ({
    aenter() {
      log.push(`aenter ${name}`);
      return name; // answered synchronously
    },
    async aexit(exc?: { error: unknown }) {
      log.push(`aexit ${name} ${exc ? describeError(exc.error) : "-"}`);
      return true;
    },
  }),
  "async class, aexit rejects": (log, name) => ({
    async aenter() {
      log.push(`aenter ${name}`);
    },
    async aexit() {
      log.push(`aexit ${name}`);
      throw new Error(`aexit ${name} failed`);
    },
  }),
  "async class, aenter rejects": (log, name) => ({
    async aenter() {
      log.push(`aenter ${name}`);
      throw new Error(`aenter ${name} failed`);
    },
    async aexit() {
      log.push(`aexit ${name}`);
    },
  }),
  "sync class, exit throws": (log, name) => ({
    enter() {
      log.push(`enter ${name}`);
      return name;
    },
    exit(exc?: { error: unknown }) {
      log.push(`exit ${name} ${exc ? describeError(exc.error) : "-"}`);
      throw new Error(`exit ${name} failed`);
    },
  }),
  "sync class, suppresses": (log, name) => ({
    enter() {
      log.push(`enter ${name}`);
    },
    exit(exc?: { error: unknown }) {
      log.push(`exit ${name} ${exc ? describeError(exc.error) : "-"}`);
      return true;
    },
  }),
  "async disposable": (log, name) => ({
    async [Symbol.asyncDispose]() {
      log.push(`asyncDispose ${name}`);
    },
  }),
  "sync disposable, throws": (log, name) => ({
    [Symbol.dispose]() {
      log.push(`dispose ${name}`);
      throw new Error(`dispose ${name} failed`);
    },
  }),
  "not a manager": () => 42,
  "generator, finally": (log, name) =>
    asyncContextManager(async function* () {
      log.push(`start ${name}`);
      try {
        yield name;
      } finally {
        log.push(`finally ${name}`);
      }
    })(),
  "generator, suppresses": (log, name) =>
    asyncContextManager(async function* () {
      try {
        yield name;
      } catch (error) {
        log.push(`caught ${name} ${describeError(error)}`);
      }
    })(),
  "generator, replaces": (log, name) =>
    asyncContextManager(async function* () {
      try {
        yield name;
      } catch (error) {
        log.push(`replacing ${name}`);
        throw new Error(`${name} replaced ${describeError(error)}`);
      }
    })(),
  "generator, raises after": (log, name) =>
    asyncContextManager(async function* () {
      yield name;
      log.push(`after ${name}`);
      throw new Error(`after ${name}`);
    })(),
  "generator, does not stop": (log, name) =>
    asyncContextManager(async function* () {
      try {
        yield name;
      } catch {}
      log.push(`yields again ${name}`);
      yield name;
    })(),
  "generator, does not yield": (log, name) =>
    // biome-ignore lint/correctness/useYield: the misuse under test
    asyncContextManager(async function* () {
      log.push(`no yield ${name}`);
    })(),
};

/** The outcome as plain data: the log, and the result or the error with its context chain. */
async function outcome(run: (log: Log) => Promise<unknown>): Promise<unknown> {
  const log: Log = [];
  try {
    return { log, result: await run(log) };
  } catch (error) {
    const chain: string[] = [];
    let current: unknown = error;
    for (let i = 0; i < 10; i++) {
      chain.push(`${(current as Error)?.constructor?.name}: ${describeError(current)}`);
      if (!hasErrorContext(current)) break;
      current = errorContext(current);
    }
    return { log, chain };
  }
}

function nested(managers: unknown[], index: number, values: unknown[], body: (...v: unknown[]) => unknown): unknown {
  if (index === managers.length) return body(...values);
  // @ts-expect-error any value, managers or not
  return asyncWith(managers[index], (value: unknown) => nested(managers, index + 1, [...values, value], body));
}

test("asyncWith([...]) behaves as the nested asyncWith calls, for every kind of manager", async () => {
  const names = Object.keys(kinds);
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.constantFrom(...names), { minLength: 1, maxLength: 4 }),
      fc.constantFrom("returns", "throws", "rejects"),
      async (chosen, bodyKind) => {
        const make = (log: Log) => chosen.map((kind, i) => (kinds[kind] as Make)(log, `m${i}`));
        const body =
          (log: Log) =>
          (...values: unknown[]) => {
            log.push(`body ${values.map(String).join(",")}`);
            if (bodyKind === "throws") throw new Error("body failed");
            if (bodyKind === "rejects") return Promise.reject(new Error("body rejected"));
            return "result";
          };
        const asArray = await outcome((log) => asyncWith(make(log) as never[], body(log)));
        const asNested = await outcome((log) => Promise.resolve(nested(make(log), 0, [], body(log))));
        assert.deepEqual(asArray, asNested);
      },
    ),
    { numRuns: 400 },
  );
});
