// The library's one rule for arguments: TypeError for the wrong type, RangeError for a number
// out of range; messages name the parameter, what was expected and what was got.
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  checkFunction,
  checkInteger,
  checkOptions,
  checkSignal,
  checkTimeoutMs,
  describeValue,
  isAbortSignal,
} from "../src/validate.js";

test("checkInteger: TypeError for a non-number, RangeError for NaN, fractions, Infinity and values below min", () => {
  for (const bad of ["3", null, undefined, 3n, {}, [], () => 3, Symbol("n")]) {
    assert.throws(() => checkInteger(bad, "n", 0), { name: "TypeError", message: /^n must be a number, got / });
  }
  for (const bad of [Number.NaN, 1.5, Infinity, -Infinity]) {
    assert.throws(() => checkInteger(bad, "n", 0), { name: "RangeError", message: /^n must be an integer, got / });
  }
  assert.throws(() => checkInteger(-1, "n", 0), { name: "RangeError", message: "n must be an integer >= 0, got -1" });
  assert.throws(() => checkInteger(0, "parties", 1, "parties must be > 0"), {
    name: "RangeError",
    message: "parties must be > 0",
  });
  assert.equal(checkInteger(0, "n", 0), 0);
  assert.equal(checkInteger(7, "n", 1), 7);
});

test("checkTimeoutMs: undefined, zero, fractions and Infinity pass; NaN and negatives are RangeErrors", () => {
  for (const good of [undefined, 0, 0.5, 10, Infinity]) assert.equal(checkTimeoutMs(good), good);
  for (const bad of [-1, -0.1, -Infinity, Number.NaN]) {
    assert.throws(() => checkTimeoutMs(bad), {
      name: "RangeError",
      message: /^timeoutMs must be a non-negative number of milliseconds, got /,
    });
  }
  for (const bad of ["10", null, {}, true]) {
    assert.throws(() => checkTimeoutMs(bad, "idleTimeoutMs"), {
      name: "TypeError",
      message: /^idleTimeoutMs must be a number of milliseconds or undefined, got /,
    });
  }
});

test("checkSignal: an AbortSignal or undefined; null, {}, an AbortController are TypeErrors", () => {
  const signal = new AbortController().signal;
  assert.equal(checkSignal(signal), signal);
  assert.equal(checkSignal(undefined), undefined);
  assert.throws(() => checkSignal(null), {
    name: "TypeError",
    message: "signal must be an AbortSignal or undefined, got null",
  });
  assert.throws(() => checkSignal({}), {
    name: "TypeError",
    message: "signal must be an AbortSignal or undefined, got an object of type Object",
  });
  assert.throws(() => checkSignal(new AbortController()), {
    name: "TypeError",
    message: "signal must be an AbortSignal or undefined, got an object of type AbortController",
  });
  assert.throws(() => checkSignal(true), { name: "TypeError" });
});

test("isAbortSignal accepts a signal-shaped object from another realm or a polyfill", () => {
  const foreign = { aborted: false, reason: undefined, addEventListener() {}, removeEventListener() {} };
  assert.equal(isAbortSignal(foreign), true);
  assert.equal(isAbortSignal({ aborted: false }), false);
  assert.equal(isAbortSignal("signal"), false);
});

test("checkOptions and checkFunction", () => {
  assert.deepEqual(checkOptions({ a: 1 }), { a: 1 });
  assert.equal(checkOptions(undefined), undefined);
  for (const bad of [50, null, "x", () => {}]) {
    assert.throws(() => checkOptions(bad as never), {
      name: "TypeError",
      message: /^options must be an object or undefined, got /,
    });
  }
  const f = () => 1;
  assert.equal(checkFunction(f, "destroy"), f);
  assert.equal(checkFunction(undefined, "destroy"), undefined);
  assert.throws(() => checkFunction("nope" as never, "destroy"), {
    name: "TypeError",
    message: 'destroy must be a function or undefined, got "nope"',
  });
});

test("describeValue shows primitives by value and objects by type", () => {
  assert.equal(describeValue("x".repeat(50)), JSON.stringify(`${"x".repeat(40)}…`));
  assert.equal(describeValue(3n), "3n");
  assert.equal(describeValue(Symbol("s")), "Symbol(s)");
  assert.equal(describeValue([1]), "an array");
  assert.equal(
    describeValue(() => 1),
    "a function",
  );
  assert.equal(describeValue(Object.create(null)), "an object of type Object");
  assert.equal(describeValue(-1), "-1");
});
