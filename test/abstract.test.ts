// Tests of `AbstractContextManager` / `AbstractAsyncContextManager`: CPython's
// TestAbstractContextManager and TestAbstractAsyncContextManager (cases 1–4, 86–90 of
// CPython's Lib/test/test_contextlib*.py) ported to our API, and Python's documented semantics rules 55–56. Case-by-case
// notes are in test/CASES-generator.md.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  AbstractAsyncContextManager,
  AbstractContextManager,
  asyncWith,
  contextManager,
  type ExcInfo,
  syncWith,
} from "../src/index.js";

describe("TestAbstractContextManager (cases 1–4)", () => {
  class DefaultEnter extends AbstractContextManager {
    override exit(_exc?: ExcInfo): void {}
  }

  test("case 1 test_enter", () => {
    const manager = new DefaultEnter();
    assert.equal(manager.enter(), manager);
    syncWith(manager, (context) => assert.equal(context, manager));
  });

  test("case 3 test_exit_is_abstract", () => {
    // @ts-expect-error the missing exit is a compile error too
    class MissingExit extends AbstractContextManager {}
    assert.throws(() => new (MissingExit as unknown as new () => unknown)(), {
      name: "TypeError",
      message: "Can't instantiate abstract class MissingExit without an implementation for abstract method 'exit'",
    });
    // The base class itself is abstract as well.
    assert.throws(() => new (AbstractContextManager as unknown as new () => unknown)(), {
      message:
        "Can't instantiate abstract class AbstractContextManager without an implementation for abstract method 'exit'",
    });
  });

  test("case 4 test_structural_subclassing", () => {
    class ManagerFromScratch {
      enter() {
        return this;
      }
      exit(_exc?: ExcInfo) {
        return undefined;
      }
    }
    assert.ok(new ManagerFromScratch() instanceof AbstractContextManager);
    assert.ok(new DefaultEnter() instanceof AbstractContextManager);

    class NoEnter extends ManagerFromScratch {}
    (NoEnter.prototype as unknown as { enter: null }).enter = null;
    assert.equal(new NoEnter() instanceof AbstractContextManager, false);

    class NoExit extends ManagerFromScratch {}
    (NoExit.prototype as unknown as { exit: null }).exit = null;
    assert.equal(new NoExit() instanceof AbstractContextManager, false);
  });
});

describe("rules 55–56, sync", () => {
  test("structural instanceof: plain objects with both methods, opt-out by null on the object", () => {
    assert.ok({ enter() {}, exit() {} } instanceof AbstractContextManager);
    assert.equal({ enter() {} } instanceof AbstractContextManager, false);
    assert.equal({ enter: () => 1, exit: 5 } instanceof AbstractContextManager, false);
    const optedOut = Object.assign(
      new (class {
        enter() {}
        exit() {}
      })(),
      { exit: null },
    );
    assert.equal((optedOut as unknown) instanceof AbstractContextManager, false);
    for (const value of [null, undefined, 0, "enter", Symbol("exit")]) {
      assert.equal((value as unknown) instanceof AbstractContextManager, false);
    }
    // Generator managers have the protocol, so they count.
    const gen = contextManager(function* () {
      yield;
    });
    assert.ok(gen() instanceof AbstractContextManager);
  });

  test("a real subclass stays an instance even when it hides a method (ordinary instanceof)", () => {
    class Hidden extends AbstractContextManager {
      override exit(): void {}
    }
    const hidden = Object.assign(new Hidden(), { enter: null });
    assert.ok((hidden as unknown) instanceof AbstractContextManager);
  });

  test("subclasses keep the ordinary instanceof: no structural match", () => {
    class Sub extends AbstractContextManager {
      override exit(): void {}
    }
    assert.equal({ enter() {}, exit() {} } instanceof Sub, false);
    assert.ok(new Sub() instanceof Sub);
    class Grand extends Sub {}
    assert.ok(new Grand() instanceof Sub);
    assert.ok(new Grand() instanceof AbstractContextManager);
  });

  test("an exit inherited from an intermediate class counts as implemented", () => {
    abstract class Base extends AbstractContextManager {
      override exit(): boolean {
        return true;
      }
    }
    class Leaf extends Base {}
    const leaf = new Leaf();
    assert.equal(
      syncWith(leaf, () => {
        throw new Error("suppressed by exit");
      }),
      undefined,
    );
  });

  test("instanceof narrows to the protocol", () => {
    const value: unknown = { enter: () => 3, exit: () => undefined };
    if (value instanceof AbstractContextManager) {
      assert.equal(value.exit(), undefined);
    } else {
      assert.fail("expected a structural instance");
    }
  });
});

describe("TestAbstractAsyncContextManager (cases 86–90)", () => {
  class DefaultEnter extends AbstractAsyncContextManager {
    override async aexit(_exc?: ExcInfo): Promise<void> {}
  }

  test("case 86 test_enter", async () => {
    const manager = new DefaultEnter();
    assert.equal(await manager.aenter(), manager);
    await asyncWith(manager, (context) => assert.equal(context, manager));
  });

  test("case 89 test_exit_is_abstract", () => {
    // @ts-expect-error the missing aexit is a compile error too
    class MissingAexit extends AbstractAsyncContextManager {}
    assert.throws(() => new (MissingAexit as unknown as new () => unknown)(), {
      name: "TypeError",
      message: "Can't instantiate abstract class MissingAexit without an implementation for abstract method 'aexit'",
    });
  });

  test("case 90 test_structural_subclassing", () => {
    class ManagerFromScratch {
      async aenter() {
        return this;
      }
      async aexit(_exc?: ExcInfo) {
        return undefined;
      }
    }
    assert.ok(new ManagerFromScratch() instanceof AbstractAsyncContextManager);
    assert.ok(new DefaultEnter() instanceof AbstractAsyncContextManager);

    class NoneAenter extends ManagerFromScratch {}
    (NoneAenter.prototype as unknown as { aenter: null }).aenter = null;
    assert.equal(new NoneAenter() instanceof AbstractAsyncContextManager, false);

    class NoneAexit extends ManagerFromScratch {}
    (NoneAexit.prototype as unknown as { aexit: null }).aexit = null;
    assert.equal(new NoneAexit() instanceof AbstractAsyncContextManager, false);

    // A sync manager is not an async one.
    assert.equal({ enter() {}, exit() {} } instanceof AbstractAsyncContextManager, false);
  });

  test("subclasses keep the ordinary instanceof", () => {
    assert.equal({ async aenter() {}, async aexit() {} } instanceof DefaultEnter, false);
    assert.ok(new DefaultEnter() instanceof DefaultEnter);
  });
});
