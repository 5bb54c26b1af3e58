// A tiny test runner and assertion set that needs nothing but the language itself, so the same
// suite runs unchanged on Node, Deno, Bun and in a browser page. Tests register with `test()`;
// `run()` executes them one after another and returns the counts and the failures.

const registered = [];

/** Registers a test. `fn` may be async. */
export function test(name, fn) {
  registered.push({ name, fn });
}

/** Registers a test that is not run here, with the reason (shown in the report). */
export function skip(name, reason) {
  registered.push({ name, reason });
}

class AssertionError extends Error {
  constructor(message) {
    super(message);
    this.name = "AssertionError";
  }
}

function show(value) {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "bigint") return `${value}n`;
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

function deepEqual(a, b) {
  if (Object.is(a, b)) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  const keysA = Object.keys(a);
  const keysB = Object.keys(b);
  if (keysA.length !== keysB.length) return false;
  return keysA.every((key) => Object.hasOwn(b, key) && deepEqual(a[key], b[key]));
}

/** Checks a caught value against an expectation: a class (instanceof), or an object of expected properties. */
function matches(error, expected) {
  if (expected === undefined) return true;
  if (typeof expected === "function") return error instanceof expected;
  if (typeof error !== "object" || error === null) return false;
  return Object.entries(expected).every(([key, value]) =>
    value instanceof RegExp ? value.test(String(error[key])) : Object.is(error[key], value),
  );
}

const NOT_THROWN = Symbol("not thrown");

export const assert = {
  ok(value, message = `expected a truthy value, got ${show(value)}`) {
    if (!value) throw new AssertionError(message);
  },
  equal(actual, expected, message) {
    if (!Object.is(actual, expected)) {
      throw new AssertionError(message ?? `expected ${show(expected)}, got ${show(actual)}`);
    }
  },
  deepEqual(actual, expected, message) {
    if (!deepEqual(actual, expected)) {
      throw new AssertionError(message ?? `expected ${show(expected)}, got ${show(actual)}`);
    }
  },
  /** Runs `fn`, which must throw a value matching `expected`; returns that value. */
  throws(fn, expected) {
    let caught = NOT_THROWN;
    try {
      fn();
    } catch (error) {
      caught = error;
    }
    if (caught === NOT_THROWN) throw new AssertionError("expected a throw, none happened");
    if (!matches(caught, expected)) throw new AssertionError(`unexpected error thrown: ${show(caught)}`);
    return caught;
  },
  /** Awaits `fn()`, which must reject with a value matching `expected`; returns that value. */
  async rejects(fn, expected) {
    let caught = NOT_THROWN;
    try {
      await fn();
    } catch (error) {
      caught = error;
    }
    if (caught === NOT_THROWN) throw new AssertionError("expected a rejection, none happened");
    if (!matches(caught, expected)) throw new AssertionError(`unexpected rejection: ${show(caught)}`);
    return caught;
  },
};

/** Runs every registered test in order; `log` receives one line per failure or skip. */
export async function run(log = () => {}) {
  const result = { passed: 0, failed: 0, skipped: 0, failures: [] };
  for (const { name, fn, reason } of registered) {
    if (fn === undefined) {
      result.skipped++;
      log(`skip ${name}: ${reason}`);
      continue;
    }
    if (globalThis.portableTrace) log(`start ${name}`);
    try {
      await fn();
      result.passed++;
    } catch (error) {
      result.failed++;
      const detail = error instanceof Error ? `${error.name}: ${error.message}` : show(error);
      result.failures.push({ name, detail });
      log(`FAIL ${name}: ${detail}`);
    }
  }
  return result;
}
