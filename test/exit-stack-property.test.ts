// Property-based tests: random mixes of registrations, failures and suppressions.
// - Python semantics: an exit stack must behave exactly as the same callbacks written as nested
//   `with` statements (syncWith / asyncWith over an array of managers): same calls, same errors
//   seen, same outcome, same errorContext chain.
// - TC39 semantics: dispose / disposeAsync must match a direct transcription of ECMA-262
//   DisposeResources (LIFO, SuppressedError(newer, pending) nesting).
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import {
  type AsyncContextManager,
  AsyncExitStack,
  asyncDisposeSymbol,
  asyncWith,
  type ContextManager,
  disposeSymbol,
  type ExcInfo,
  ExitStack,
  errorContext,
  hasErrorContext,
  SuppressedError,
  syncWith,
} from "../src/index.js";

type Registration = "callback" | "exit" | "defer" | "use" | "adopt";
type Outcome = "ok" | "throw" | "throwUndefined" | "suppress";
interface Op {
  via: Registration;
  outcome: Outcome;
  /** async stacks only: the callback is async (awaited) rather than sync. */
  async: boolean;
}

const opArb = fc
  .record({
    via: fc.constantFrom<Registration>("callback", "exit", "defer", "use", "adopt"),
    outcome: fc.constantFrom<Outcome>("ok", "throw", "throwUndefined", "suppress"),
    async: fc.boolean(),
  })
  // Only exit callbacks can suppress.
  .map((op) => (op.outcome === "suppress" && op.via !== "exit" ? { ...op, outcome: "ok" as const } : op));
const scenarioArb = fc.record({ ops: fc.array(opArb, { maxLength: 9 }), bodyThrows: fc.boolean() });

class Labelled extends Error {}

/** A readable name for a thrown value and, for Python semantics, its context chain. */
function describeError(error: unknown): string {
  if (error === undefined) return "undefined";
  if (error instanceof SuppressedError) return `SE(${describeError(error.error)}, ${describeError(error.suppressed)})`;
  if (error instanceof Labelled) return error.message;
  return `unexpected ${String(error)}`;
}
function describeChain(error: unknown): string {
  const parts = [describeError(error)];
  let current = error;
  for (let i = 0; i < 20 && hasErrorContext(current); i++) {
    current = errorContext(current);
    parts.push(describeError(current));
  }
  return parts.join(" <- ");
}

/** One run's observable behaviour: which callbacks ran, what each saw, and how it ended. */
class Trace {
  readonly calls: string[] = [];
  /** What callback `i` does when run: logs, then returns true / throws / returns nothing. */
  act(i: number, op: Op, exc?: ExcInfo): boolean | undefined {
    this.calls.push(op.via === "exit" ? `${i} saw ${exc ? describeError(exc.error) : "none"}` : `${i}`);
    if (op.outcome === "throw") throw new Labelled(`e${i}`);
    if (op.outcome === "throwUndefined") throw undefined;
    return op.outcome === "suppress" ? true : undefined;
  }
}

// Python has no block result: both "the body's value" and "suppressed" mean execution goes on
// after the statement. (Nested syncWith returns undefined when an inner exit's error was
// suppressed further out; the stack returns the body's value: the same outcome in Python.)
function settleSync(fn: () => unknown): string {
  try {
    fn();
    return "continued";
  } catch (error) {
    return `threw ${describeChain(error)}`;
  }
}
async function settleAsync(promise: Promise<unknown>): Promise<string> {
  return promise.then(
    () => "continued",
    (error: unknown) => `threw ${describeChain(error)}`,
  );
}

function register(stack: ExitStack, ops: Op[], trace: Trace): void {
  ops.forEach((op, i) => {
    const run = () => void trace.act(i, op);
    switch (op.via) {
      case "callback":
        stack.callback(run);
        break;
      case "exit":
        stack.push((exc) => trace.act(i, op, exc));
        break;
      case "defer":
        stack.defer(run);
        break;
      case "use":
        stack.use({ [disposeSymbol]: run });
        break;
      case "adopt":
        stack.adopt(i, run);
        break;
    }
  });
}

function registerAsync(stack: AsyncExitStack, ops: Op[], trace: Trace): void {
  ops.forEach((op, i) => {
    const later = async (exc?: ExcInfo) => {
      await Promise.resolve();
      return trace.act(i, op, exc);
    };
    const now = () => void trace.act(i, op);
    switch (op.via) {
      case "callback":
        if (op.async) stack.pushAsyncCallback(() => later());
        else stack.callback(now);
        break;
      case "exit":
        if (op.async) stack.pushAsyncExit(later);
        else stack.push((exc) => trace.act(i, op, exc));
        break;
      case "defer":
        stack.defer(op.async ? async () => void (await later()) : now);
        break;
      case "use":
        stack.use(op.async ? { [asyncDisposeSymbol]: async () => void (await later()) } : { [disposeSymbol]: now });
        break;
      case "adopt":
        stack.adopt(i, op.async ? async () => void (await later()) : now);
        break;
    }
  });
}

const body = (bodyThrows: boolean) => {
  if (bodyThrows) throw new Labelled("body");
  return "value";
};

test("Python semantics: ExitStack behaves as the same callbacks in nested with statements", () => {
  fc.assert(
    fc.property(scenarioArb, ({ ops, bodyThrows }) => {
      const viaStack = new Trace();
      const stackOutcome = settleSync(() =>
        syncWith(new ExitStack(), (stack) => {
          register(stack, ops, viaStack);
          return body(bodyThrows);
        }),
      );
      const nested = new Trace();
      const managers = ops.map(
        (op, i): ContextManager<void, boolean | undefined> => ({
          enter() {},
          exit: (exc) => nested.act(i, op, op.via === "exit" ? exc : undefined),
        }),
      );
      const nestedOutcome = settleSync(() => syncWith(managers, () => body(bodyThrows)));
      assert.deepEqual(viaStack.calls, nested.calls);
      assert.equal(stackOutcome, nestedOutcome);
    }),
    { numRuns: 300 },
  );
});

test("Python semantics: AsyncExitStack behaves as the same callbacks in nested async with statements", async () => {
  await fc.assert(
    fc.asyncProperty(scenarioArb, async ({ ops, bodyThrows }) => {
      const viaStack = new Trace();
      const stackOutcome = await settleAsync(
        asyncWith(new AsyncExitStack(), async (stack) => {
          registerAsync(stack, ops, viaStack);
          return body(bodyThrows);
        }),
      );
      const nested = new Trace();
      const managers = ops.map(
        (op, i): AsyncContextManager<void, boolean | undefined> | ContextManager<void, boolean | undefined> => {
          const sees = (exc?: ExcInfo) => (op.via === "exit" ? exc : undefined);
          return op.async
            ? {
                async aenter() {},
                aexit: async (exc) => {
                  await Promise.resolve();
                  return nested.act(i, op, sees(exc));
                },
              }
            : { enter() {}, exit: (exc) => nested.act(i, op, sees(exc)) };
        },
      );
      const nestedOutcome = await settleAsync(asyncWith(managers, async () => body(bodyThrows)));
      assert.deepEqual(viaStack.calls, nested.calls);
      assert.equal(stackOutcome, nestedOutcome);
    }),
    { numRuns: 300 },
  );
});

/** ECMA-262 DisposeResources, transcribed: what dispose() must call and throw for `ops`. */
function specModel(ops: Op[]): { calls: string[]; outcome: string } {
  const trace = new Trace();
  let failed = false;
  let error: unknown;
  for (let i = ops.length - 1; i >= 0; i--) {
    const op = ops[i] as Op;
    try {
      // Python exit callbacks on the same stack see the pending error and may suppress it.
      const suppress = trace.act(i, op, op.via === "exit" && failed ? { error } : undefined);
      if (op.via === "exit" && suppress === true && failed) {
        failed = false;
        error = undefined;
      }
    } catch (thrown) {
      error = failed ? new SuppressedError(thrown, error) : thrown;
      failed = true;
    }
  }
  return { calls: trace.calls, outcome: failed ? `threw ${describeError(error)}` : "suppressed" };
}

test("TC39 semantics: dispose() matches ECMA-262 DisposeResources", () => {
  fc.assert(
    fc.property(scenarioArb, ({ ops }) => {
      const trace = new Trace();
      const stack = new ExitStack();
      register(stack, ops, trace);
      let outcome = "suppressed";
      try {
        stack.dispose();
      } catch (error) {
        outcome = `threw ${describeError(error)}`;
      }
      const model = specModel(ops);
      assert.deepEqual(trace.calls, model.calls);
      assert.equal(outcome, model.outcome);
      assert.equal(stack.disposed, true);
    }),
    { numRuns: 300 },
  );
});

test("TC39 semantics: disposeAsync() matches ECMA-262 DisposeResources", async () => {
  await fc.assert(
    fc.asyncProperty(scenarioArb, async ({ ops }) => {
      const trace = new Trace();
      const stack = new AsyncExitStack();
      registerAsync(stack, ops, trace);
      const outcome = await stack.disposeAsync().then(
        () => "suppressed",
        (error: unknown) => `threw ${describeError(error)}`,
      );
      const model = specModel(ops);
      assert.deepEqual(trace.calls, model.calls);
      assert.equal(outcome, model.outcome);
    }),
    { numRuns: 300 },
  );
});

test("popAll / move split at a random point: every callback runs exactly once, in LIFO order", () => {
  fc.assert(
    fc.property(fc.nat({ max: 30 }), fc.nat({ max: 30 }), fc.boolean(), (before, after, useMove) => {
      const ran: number[] = [];
      const stack = new ExitStack();
      for (let i = 0; i < before; i++) stack.callback(() => void ran.push(i));
      const moved = useMove ? stack.move() : stack.popAll();
      if (!useMove) for (let i = before; i < before + after; i++) stack.callback(() => void ran.push(i));
      stack.close();
      stack.dispose();
      moved.dispose();
      moved.close();
      const expectedLeft = useMove ? [] : Array.from({ length: after }, (_, k) => before + after - 1 - k);
      const expectedMoved = Array.from({ length: before }, (_, k) => before - 1 - k);
      assert.deepEqual(ran, [...expectedLeft, ...expectedMoved]);
    }),
    { numRuns: 200 },
  );
});
