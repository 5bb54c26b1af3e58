// Property-based tests of `syncWith`/`asyncWith` against a small reference model of Python's
// `with` semantics (Python's documented semantics rules 3–16 and 18–21), on random nests of 1–5 sync and
// async managers and TC39 disposables whose enter, body and exit each succeed, throw any value,
// or (exit) suppress or re-throw. Every nest is driven through the array form and through
// literally nested calls; all drivers must produce the model's trace, outcome and context chain.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { asyncWith, type ExcInfo, errorContext, hasErrorContext, syncWith } from "../src/index.js";

// -- scenarios --------------------------------------------------------------------------------

type Thrown =
  | { kind: "error" }
  | { kind: "undefined" }
  | { kind: "null" }
  | { kind: "number"; n: number }
  | { kind: "string"; s: string };
type Step = { type: "ok" } | { type: "throw"; value: Thrown };
/** `ok` returns a value that is not exactly `true` (so never suppresses, rule 8 deviation). */
type ExitStep =
  | { type: "ok"; returns: unknown }
  | { type: "throw"; value: Thrown }
  | { type: "suppress" }
  | { type: "rethrow" };
type Kind = "sync" | "async" | "disposable" | "asyncDisposable";
/** `promise`: async methods return promises; `plain`: they return values or throw synchronously. */
type Style = "promise" | "plain";
interface ManagerSpec {
  kind: Kind;
  style: Style;
  enter: Step;
  exit: ExitStep;
}
interface Scenario {
  managers: ManagerSpec[];
  body: Step;
  asyncBody: boolean;
}

const thrownArb: fc.Arbitrary<Thrown> = fc.oneof(
  { weight: 3, arbitrary: fc.constant({ kind: "error" as const }) },
  fc.constant({ kind: "undefined" as const }),
  fc.constant({ kind: "null" as const }),
  fc.integer({ min: 0, max: 1 }).map((n) => ({ kind: "number" as const, n })),
  fc.constantFrom("a", "").map((s) => ({ kind: "string" as const, s })),
);
const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 3, arbitrary: fc.constant({ type: "ok" as const }) },
  { weight: 1, arbitrary: thrownArb.map((value) => ({ type: "throw" as const, value })) },
);
const exitArb: fc.Arbitrary<ExitStep> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc
      .constantFrom(undefined, false, 1, "yes", {}, "true")
      .map((returns) => ({ type: "ok" as const, returns })),
  },
  { weight: 1, arbitrary: thrownArb.map((value) => ({ type: "throw" as const, value })) },
  { weight: 1, arbitrary: fc.constant({ type: "suppress" as const }) },
  { weight: 1, arbitrary: fc.constant({ type: "rethrow" as const }) },
);
const managerArb = (kinds: readonly Kind[]): fc.Arbitrary<ManagerSpec> =>
  fc.record({
    kind: fc.constantFrom(...kinds),
    style: fc.constantFrom<Style>("promise", "plain"),
    enter: stepArb,
    exit: exitArb,
  });
const scenarioArb = (kinds: readonly Kind[]): fc.Arbitrary<Scenario> =>
  fc.record({
    managers: fc.array(managerArb(kinds), { minLength: 1, maxLength: 5 }),
    body: stepArb,
    asyncBody: fc.boolean(),
  });

// -- the reference model --------------------------------------------------------------------

/** What a run shows: the events in order, the outcome, and the final error's context chain. */
interface Trace {
  events: string[];
  outcome: { result: unknown } | { error: string };
  chain: string[];
}

function primitiveLabel(value: unknown): string {
  return `${typeof value}:${String(value)}`;
}

/** The label of what a throw site throws: its site name for a fresh Error, else the primitive. */
function thrownLabel(thrown: Thrown, site: string): string {
  switch (thrown.kind) {
    case "error":
      return site;
    case "undefined":
      return primitiveLabel(undefined);
    case "null":
      return primitiveLabel(null);
    case "number":
      return primitiveLabel(thrown.n);
    case "string":
      return primitiveLabel(thrown.s);
  }
}

const isDisposable = (kind: Kind) => kind === "disposable" || kind === "asyncDisposable";

/**
 * Python's expansion of nested `with` statements (rules 3–16), with the library's two
 * deliberate differences: only exactly `true` suppresses, and disposables get no enter and
 * never see or suppress the error.
 */
function model(scenario: Scenario): Trace {
  const events: string[] = [];
  // Context links between labels; only fresh Error objects (labels without a colon) carry one.
  const contexts = new Map<string, string>();
  const carries = (label: string) => !label.includes(":");
  type Outcome = { result: unknown } | { error: string };
  const raise = (raised: string, pending: string | undefined): Outcome => {
    if (pending !== undefined && carries(raised) && raised !== pending) contexts.set(raised, pending);
    return { error: raised };
  };

  const run = (index: number, values: string[]): Outcome => {
    if (index === scenario.managers.length) {
      events.push(`body ${values.join(",")}`);
      if (scenario.body.type === "throw") return { error: thrownLabel(scenario.body.value, "body") };
      return { result: "result" };
    }
    const spec = scenario.managers[index] as ManagerSpec;
    if (isDisposable(spec.kind)) {
      const inner = run(index + 1, [...values, `self ${index}`]);
      events.push(`dispose ${index}`);
      if (spec.exit.type === "throw") {
        return raise(thrownLabel(spec.exit.value, `exit ${index}`), "error" in inner ? inner.error : undefined);
      }
      return inner;
    }
    events.push(`enter ${index}`);
    if (spec.enter.type === "throw") return { error: thrownLabel(spec.enter.value, `enter ${index}`) };
    const inner = run(index + 1, [...values, `value ${index}`]);
    if ("error" in inner) {
      events.push(`exit ${index} error ${inner.error}`);
      switch (spec.exit.type) {
        case "suppress":
          return { result: undefined };
        case "throw":
          return raise(thrownLabel(spec.exit.value, `exit ${index}`), inner.error);
        default:
          return inner;
      }
    }
    events.push(`exit ${index} ok`);
    if (spec.exit.type === "throw") return raise(thrownLabel(spec.exit.value, `exit ${index}`), undefined);
    return inner;
  };

  const outcome = run(0, []);
  const chain: string[] = [];
  if ("error" in outcome) {
    for (let label = contexts.get(outcome.error); label !== undefined; label = contexts.get(label)) chain.push(label);
  }
  return { events, outcome, chain };
}

// -- the real thing ---------------------------------------------------------------------------

/** Builds the managers and body of a scenario, recording into one trace. */
function materialize(scenario: Scenario) {
  const events: string[] = [];
  const labels = new Map<unknown, string>();
  const label = (value: unknown) =>
    (typeof value === "object" && value !== null) || typeof value === "function"
      ? (labels.get(value) ?? "unknown object")
      : primitiveLabel(value);
  const make = (thrown: Thrown, site: string): unknown => {
    switch (thrown.kind) {
      case "error": {
        const error = new Error(site);
        labels.set(error, site);
        return error;
      }
      case "undefined":
        return undefined;
      case "null":
        return null;
      case "number":
        return thrown.n;
      case "string":
        return thrown.s;
    }
  };

  const managers = scenario.managers.map((spec, index) => {
    const enter = (): unknown => {
      events.push(`enter ${index}`);
      if (spec.enter.type === "throw") throw make(spec.enter.value, `enter ${index}`);
      return `value ${index}`;
    };
    const exit = (args: unknown[]): unknown => {
      assert.ok(args.length <= 1, "exit gets at most one argument");
      if (args.length === 0) events.push(`exit ${index} ok`);
      else events.push(`exit ${index} error ${label((args[0] as ExcInfo).error)}`);
      switch (spec.exit.type) {
        case "ok":
          return spec.exit.returns;
        case "suppress":
          return true;
        case "throw":
          throw make(spec.exit.value, `exit ${index}`);
        case "rethrow":
          if (args.length === 1) throw (args[0] as ExcInfo).error;
          return undefined;
      }
    };
    const dispose = (): void => {
      events.push(`dispose ${index}`);
      if (spec.exit.type === "throw") throw make(spec.exit.value, `exit ${index}`);
    };
    const later = <T>(fn: () => T): Promise<T> => Promise.resolve().then(fn);
    let manager: object;
    switch (spec.kind) {
      case "sync":
        manager = { enter, exit: (...args: unknown[]) => exit(args) };
        break;
      case "async":
        manager =
          spec.style === "promise"
            ? { aenter: () => later(enter), aexit: (...args: unknown[]) => later(() => exit(args)) }
            : { aenter: enter, aexit: (...args: unknown[]) => exit(args) };
        break;
      case "disposable":
        manager = { [Symbol.dispose]: dispose };
        break;
      case "asyncDisposable":
        manager = { [Symbol.asyncDispose]: spec.style === "promise" ? () => later(dispose) : dispose };
        break;
    }
    labels.set(manager, `self ${index}`);
    return manager;
  });

  const bodyEffect = (values: unknown[]): string => {
    events.push(`body ${values.map((v) => (typeof v === "string" ? v : label(v))).join(",")}`);
    if (scenario.body.type === "throw") throw make(scenario.body.value, "body");
    return "result";
  };
  const syncBody = (...values: unknown[]) => bodyEffect(values);
  const asyncBody: (...values: unknown[]) => unknown = scenario.asyncBody
    ? async (...values: unknown[]) => bodyEffect(values)
    : syncBody;

  const trace = (outcome: Trace["outcome"], error?: unknown): Trace => {
    const chain: string[] = [];
    let current = error;
    while ("error" in outcome && hasErrorContext(current) && chain.length < 50) {
      current = errorContext(current);
      chain.push(label(current));
    }
    return { events, outcome, chain };
  };
  return { managers, syncBody, asyncBody, label, trace };
}

type Driver = "syncWith array" | "syncWith nested" | "asyncWith array" | "asyncWith nested";

function nestedSync(
  managers: object[],
  index: number,
  values: unknown[],
  body: (...values: unknown[]) => unknown,
): unknown {
  if (index === managers.length) return body(...values);
  return syncWith(managers[index] as Disposable, (value: unknown) =>
    nestedSync(managers, index + 1, [...values, value], body),
  );
}

function nestedAsync(
  managers: object[],
  index: number,
  values: unknown[],
  body: (...values: unknown[]) => unknown,
): Promise<unknown> {
  if (index === managers.length) return Promise.resolve(body(...values));
  return asyncWith(managers[index] as AsyncDisposable, (value: unknown) =>
    nestedAsync(managers, index + 1, [...values, value], body),
  );
}

async function drive(scenario: Scenario, driver: Driver): Promise<Trace> {
  const { managers, syncBody, asyncBody, label, trace } = materialize(scenario);
  try {
    let result: unknown;
    switch (driver) {
      case "syncWith array":
        result = syncWith(managers as Disposable[], syncBody);
        break;
      case "syncWith nested":
        result = nestedSync(managers, 0, [], syncBody);
        break;
      case "asyncWith array":
        result = await asyncWith(managers as AsyncDisposable[], asyncBody);
        break;
      case "asyncWith nested":
        result = await nestedAsync(managers, 0, [], asyncBody);
        break;
    }
    return trace({ result });
  } catch (error) {
    return trace({ error: label(error) }, error);
  }
}

function check(scenario: Scenario, drivers: readonly Driver[]): Promise<void> {
  const expected = model(scenario);
  return Promise.all(drivers.map((driver) => drive(scenario, driver))).then((traces) => {
    traces.forEach((actual, i) => {
      assert.deepEqual(actual, expected, `${drivers[i]} differs from the model`);
    });
  });
}

// -- properties -------------------------------------------------------------------------------

describe("syncWith and asyncWith against the reference model", () => {
  test("sync managers and disposables: both runners, array form and nested calls, match the model", async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb(["sync", "disposable"]), (scenario) =>
        check(scenario, ["syncWith array", "syncWith nested", "asyncWith array", "asyncWith nested"]),
      ),
      { numRuns: 400 },
    );
  });

  test("async, sync and disposable managers mixed: asyncWith's array form and nested calls match the model", async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb(["sync", "async", "disposable", "asyncDisposable"]), (scenario) =>
        check(scenario, ["asyncWith array", "asyncWith nested"]),
      ),
      { numRuns: 400 },
    );
  });

  test("the model itself: a known nest gives Python's trace and chain", () => {
    // with A, B: body raises E; B's exit raises X; A's exit sees X and does not suppress.
    const trace = model({
      managers: [
        { kind: "sync", style: "plain", enter: { type: "ok" }, exit: { type: "ok", returns: undefined } },
        { kind: "sync", style: "plain", enter: { type: "ok" }, exit: { type: "throw", value: { kind: "error" } } },
      ],
      body: { type: "throw", value: { kind: "error" } },
      asyncBody: false,
    });
    assert.deepEqual(trace, {
      events: ["enter 0", "enter 1", "body value 0,value 1", "exit 1 error body", "exit 0 error exit 1"],
      outcome: { error: "exit 1" },
      chain: ["body"],
    });
  });
});
