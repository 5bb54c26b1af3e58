// SuppressedError (ecma-disposable-stacks.md §I, rules 39–41): the exported constructor, and
// the library's own implementation even on a runtime that has a native one.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { SuppressedError as Exported } from "../src/index.js";
import { suppressedErrorImplementation } from "../src/suppressed-error.js";

const native = (globalThis as { SuppressedError?: unknown }).SuppressedError;

test("the export is the runtime's own constructor where there is one", () => {
  if (native === undefined) assert.notEqual(Exported, undefined);
  else assert.equal(Exported, native);
  assert.equal((globalThis as { SuppressedError?: unknown }).SuppressedError, native, "no global is installed");
});

for (const [label, SE] of [
  ["exported", Exported],
  ["library implementation", suppressedErrorImplementation()],
] as const) {
  describe(`SuppressedError (${label})`, () => {
    test("rule 39: callable with or without new (test262 is-a-constructor.js)", () => {
      const error = new Error("e");
      const withNew = new SE(error, 1, "m");
      const without = (SE as unknown as (...args: unknown[]) => SuppressedError)(error, 1, "m");
      for (const e of [withNew, without]) {
        assert.ok(e instanceof SE);
        assert.ok(e instanceof Error);
        assert.equal(Object.getPrototypeOf(e), SE.prototype);
        assert.equal(e.error, error);
        assert.equal(e.suppressed, 1);
        assert.equal(e.message, "m");
      }
    });

    test("rule 39: length, name, [[Prototype]] and the prototype's shape", () => {
      assert.equal(SE.length, 3);
      assert.equal(SE.name, "SuppressedError");
      assert.equal(Object.getPrototypeOf(SE), Error);
      const protoDesc = Object.getOwnPropertyDescriptor(SE, "prototype");
      assert.deepEqual([protoDesc?.writable, protoDesc?.enumerable, protoDesc?.configurable], [false, false, false]);
      assert.equal(Object.getPrototypeOf(SE.prototype), Error.prototype);
      for (const [key, value] of [
        ["constructor", SE],
        ["message", ""],
        ["name", "SuppressedError"],
      ] as const) {
        assert.deepEqual(Object.getOwnPropertyDescriptor(SE.prototype, key), {
          value,
          writable: true,
          enumerable: false,
          configurable: true,
        });
      }
      assert.equal(Object.hasOwn(SE.prototype, "error"), false);
      assert.equal(Object.hasOwn(SE.prototype, "suppressed"), false);
    });

    test("rule 40: message is ToString(message) and defined before error and suppressed (test262 order-of-args-evaluation.js)", () => {
      let stringified = false;
      const e = new SE({}, {}, {
        toString() {
          stringified = true;
          return "";
        },
      } as never);
      assert.equal(stringified, true);
      // The runtime's own puts `stack` first (allowed); ours puts the specified keys first.
      const all = Object.getOwnPropertyNames(e);
      const keys = SE === native ? all.filter((k) => k !== "stack") : all;
      assert.deepEqual(keys.slice(0, 3), ["message", "error", "suppressed"]);
      for (const key of keys) {
        const d = Object.getOwnPropertyDescriptor(e, key);
        assert.deepEqual([d?.writable, d?.enumerable, d?.configurable], [true, false, true]);
      }
    });

    test("rule 40: ToPrimitive order for the message; a symbol message is a TypeError", () => {
      const order: string[] = [];
      const message = {
        toString() {
          order.push("toString");
          return {};
        },
        valueOf() {
          order.push("valueOf");
          return "from valueOf";
        },
      };
      assert.equal(new SE(1, 2, message as never).message, "from valueOf");
      assert.deepEqual(order, ["toString", "valueOf"]);
      const primitive = { [Symbol.toPrimitive]: () => "from toPrimitive", toString: () => "no" };
      assert.equal(new SE(1, 2, primitive as never).message, "from toPrimitive");
      assert.throws(() => new SE(1, 2, Symbol() as never), TypeError);
    });

    test("rule 40: no own message when it is undefined; error and suppressed are own even when undefined", () => {
      const e = new SE(undefined, undefined);
      assert.equal(Object.hasOwn(e, "message"), false);
      assert.equal(e.message, "");
      assert.ok(Object.hasOwn(e, "error"));
      assert.ok(Object.hasOwn(e, "suppressed"));
    });

    test("rule 41: no cause option; an Error object underneath", () => {
      const e = new (SE as unknown as new (...args: unknown[]) => object)(1, 2, "m", { cause: 3 });
      assert.equal(Object.hasOwn(e, "cause"), false);
      assert.equal(Object.prototype.toString.call(e), "[object Error]");
      assert.equal(String(e), "SuppressedError: m");
      assert.match(String((e as { stack?: unknown }).stack), /^SuppressedError: m\n/);
    });

    test("rule 39: the prototype comes from NewTarget (subclassing), falling back to SuppressedError.prototype", () => {
      class Sub extends (SE as unknown as new (...args: unknown[]) => Error) {}
      const sub = new Sub(1, 2);
      assert.equal(Object.getPrototypeOf(sub), Sub.prototype);
      assert.ok(sub instanceof SE);
      // biome-ignore lint/complexity/useArrowFunction: NewTarget must be a constructor
      const target = function () {}.bind(null);
      Object.defineProperty(target, "prototype", { value: null });
      const fallback = Reflect.construct(SE, [1, 2], target);
      assert.equal(Object.getPrototypeOf(fallback), SE.prototype);
    });
  });
}
