// The error-context side table (Python's `__context__`): the public readers and setter, and the
// internal `chainErrorContext` that every runner uses to record a replaced error.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { chainErrorContext } from "../src/errors.js";
import { errorContext, hasErrorContext, RuntimeError, setErrorContext } from "../src/index.js";

/** The context chain of `error`, newest first, as far as it is recorded. */
function chainOf(error: unknown): unknown[] {
  const chain: unknown[] = [];
  let current = error;
  while (hasErrorContext(current) && chain.length < 100) {
    current = errorContext(current);
    chain.push(current);
  }
  return chain;
}

describe("RuntimeError", () => {
  test("is an Error named RuntimeError, with message and cause", () => {
    const cause = new Error("cause");
    const error = new RuntimeError("generator didn't yield", { cause });
    assert.ok(error instanceof Error);
    assert.ok(error instanceof RuntimeError);
    assert.equal(error.name, "RuntimeError");
    assert.equal(error.message, "generator didn't yield");
    assert.equal(error.cause, cause);
    assert.equal(String(error), "RuntimeError: generator didn't yield");
  });
});

describe("errorContext / hasErrorContext / setErrorContext", () => {
  test("a fresh error has no context", () => {
    const error = new Error("fresh");
    assert.equal(hasErrorContext(error), false);
    assert.equal(errorContext(error), undefined);
  });

  test("primitives never have a context, and setting one is a no-op", () => {
    for (const value of [undefined, null, 0, "s", true, Symbol("s"), 1n]) {
      assert.doesNotThrow(() => setErrorContext(value, new Error("ctx")));
      assert.equal(hasErrorContext(value), false);
      assert.equal(errorContext(value), undefined);
    }
  });

  test("a context set by hand is read back, for objects and functions", () => {
    const context = new Error("context");
    const error = new Error("error");
    setErrorContext(error, context);
    assert.equal(errorContext(error), context);
    assert.equal(hasErrorContext(error), true);
    const fn = () => {};
    setErrorContext(fn, context);
    assert.equal(errorContext(fn), context);
  });

  test("the context may be a primitive, including undefined: hasErrorContext tells it from none", () => {
    for (const context of [undefined, 0, "", false]) {
      const error = new Error("error");
      setErrorContext(error, context);
      assert.equal(hasErrorContext(error), true);
      assert.ok(Object.is(errorContext(error), context));
    }
  });

  test("null records explicitly none, and replaces an earlier context", () => {
    const error = new Error("error");
    setErrorContext(error, new Error("earlier"));
    setErrorContext(error, null);
    assert.equal(hasErrorContext(error), false);
    assert.equal(errorContext(error), undefined);
  });

  test("setting a context that would close a cycle cuts the old link", () => {
    const a = new Error("a");
    const b = new Error("b");
    setErrorContext(a, b);
    setErrorContext(b, a);
    assert.equal(errorContext(b), a);
    assert.equal(hasErrorContext(a), false);
    assert.deepEqual(chainOf(b), [a]);
  });

  test("a longer cycle is cut at the link that points back", () => {
    const [a, b, c] = [new Error("a"), new Error("b"), new Error("c")];
    setErrorContext(a, b);
    setErrorContext(b, c);
    setErrorContext(c, a);
    assert.deepEqual(chainOf(c), [a, b]);
    assert.equal(hasErrorContext(b), false);
  });

  test("an error given itself as context gets none: the self-link is a cycle, and cut", () => {
    const a = new Error("a");
    setErrorContext(a, new Error("earlier"));
    setErrorContext(a, a);
    assert.equal(hasErrorContext(a), false);
    assert.deepEqual(chainOf(a), []);
  });

  test("the side table never touches the error objects", () => {
    const error = Object.freeze(new Error("frozen"));
    const context = new Error("context");
    const before = Reflect.ownKeys(error);
    setErrorContext(error, context);
    assert.equal(errorContext(error), context);
    assert.deepEqual(Reflect.ownKeys(error), before);
  });
});

describe("chainErrorContext (rules 9 and 45)", () => {
  test("a fresh raised error gets the pending one as its context", () => {
    const raised = new Error("raised");
    const pending = new Error("pending");
    chainErrorContext(raised, pending);
    assert.equal(errorContext(raised), pending);
    assert.equal(hasErrorContext(pending), false);
  });

  test("the same object re-raised gets no self-link", () => {
    const error = new Error("same");
    chainErrorContext(error, error);
    assert.equal(hasErrorContext(error), false);
  });

  test("a primitive raised value cannot carry a context and is left alone", () => {
    assert.doesNotThrow(() => chainErrorContext(42, new Error("pending")));
    assert.equal(hasErrorContext(42), false);
  });

  test("any pending value is recorded, including undefined and null", () => {
    for (const pending of [undefined, null, 0, "s", Symbol("s")]) {
      const raised = new Error("raised");
      chainErrorContext(raised, pending);
      assert.equal(hasErrorContext(raised), true);
      assert.ok(Object.is(errorContext(raised), pending));
    }
  });

  test("a raised error with a chain keeps it; the pending error is appended at its end", () => {
    const raised = new Error("raised");
    const middle = new Error("middle");
    const pending = new Error("pending");
    setErrorContext(raised, middle);
    chainErrorContext(raised, pending);
    assert.deepEqual(chainOf(raised), [middle, pending]);
  });

  test("a chain that already reaches the pending error is left unchanged", () => {
    const raised = new Error("raised");
    const middle = new Error("middle");
    const pending = new Error("pending");
    const older = new Error("older");
    setErrorContext(raised, middle);
    setErrorContext(middle, pending);
    setErrorContext(pending, older);
    chainErrorContext(raised, pending);
    assert.deepEqual(chainOf(raised), [middle, pending, older]);
  });

  test("a chain that ends in an explicit none stops there (bpo-44594)", () => {
    const raised = new Error("raised");
    setErrorContext(raised, null);
    chainErrorContext(raised, new Error("pending"));
    assert.equal(hasErrorContext(raised), false);

    const outer = new Error("outer");
    const inner = new Error("inner");
    setErrorContext(outer, inner);
    setErrorContext(inner, null);
    chainErrorContext(outer, new Error("pending"));
    assert.deepEqual(chainOf(outer), [inner]);
  });

  test("a chain that ends in a primitive context cannot be extended", () => {
    const raised = new Error("raised");
    setErrorContext(raised, 7);
    chainErrorContext(raised, new Error("pending"));
    assert.deepEqual(chainOf(raised), [7]);
  });

  test("no cycle: when the pending error's chain leads to the raised one, that link is cut", () => {
    const raised = new Error("raised");
    const pending = new Error("pending");
    setErrorContext(pending, raised);
    chainErrorContext(raised, pending);
    assert.equal(errorContext(raised), pending);
    assert.equal(hasErrorContext(pending), false);
    assert.deepEqual(chainOf(raised), [pending]);
  });

  test("no cycle: the pending error's chain leading into the middle of the raised chain is cut", () => {
    const raised = new Error("raised");
    const middle = new Error("middle");
    const pending = new Error("pending");
    const between = new Error("between");
    setErrorContext(raised, middle);
    setErrorContext(pending, between);
    setErrorContext(between, middle);
    chainErrorContext(raised, pending);
    assert.deepEqual(chainOf(raised), [middle, pending, between]);
  });

  test("no cycle: an error from the end of the pending chain, raised again, cuts the link to it", () => {
    // The raised error has no context of its own, yet the pending chain leads to it.
    const pending = new Error("pending");
    const middle = new Error("middle");
    const raised = new Error("raised");
    setErrorContext(pending, middle);
    setErrorContext(middle, raised);
    chainErrorContext(raised, pending);
    assert.deepEqual(chainOf(raised), [pending, middle]);
    assert.equal(hasErrorContext(middle), false);
  });

  test("frozen errors chain: the context lives outside the objects", () => {
    const raised = Object.freeze(new Error("raised"));
    const pending = Object.freeze(new TypeError("pending"));
    const keysRaised = Reflect.ownKeys(raised);
    const keysPending = Reflect.ownKeys(pending);
    chainErrorContext(raised, pending);
    assert.ok(Object.isFrozen(raised) && Object.isFrozen(pending));
    assert.equal(errorContext(raised), pending);
    assert.deepEqual(Reflect.ownKeys(raised), keysRaised);
    assert.deepEqual(Reflect.ownKeys(pending), keysPending);
    assert.equal(raised.cause, undefined);
  });

  test("no own property is added to either error", () => {
    const raised = new Error("raised");
    const pending = { plain: "object" };
    chainErrorContext(raised, pending);
    assert.deepEqual(Reflect.ownKeys(raised).sort(), Reflect.ownKeys(new Error("x")).sort());
    assert.deepEqual(Reflect.ownKeys(pending), ["plain"]);
    assert.equal(Object.hasOwn(raised, "cause"), false);
  });

  test("long chains are walked without recursion", () => {
    const errors = Array.from({ length: 10_000 }, (_, i) => new Error(String(i)));
    for (let i = 0; i + 1 < errors.length; i++) setErrorContext(errors[i], errors[i + 1]);
    const pending = new Error("pending");
    chainErrorContext(errors[0], pending);
    assert.equal(errorContext(errors.at(-1)), pending);
  });
});
