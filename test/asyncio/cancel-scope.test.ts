import assert from "node:assert/strict";
import { getEventListeners } from "node:events";
import { describe, test } from "node:test";
import { setTimeout as nodeSleep } from "node:timers/promises";
import { CancelScope } from "../../src/index.js";

describe("CancelScope", () => {
  test("regression: a parent that is not an AbortSignal is a TypeError naming what was expected", () => {
    // It used to fail by accident inside the constructor ("parent.addEventListener is not a
    // function", "Cannot read properties of null").
    // A plain object is CancelScope's options (a manager's deadline and shield), not a mistake.
    for (const parent of [null, new AbortController(), 5, "signal", () => {}]) {
      assert.throws(() => new CancelScope(parent as never), {
        name: "TypeError",
        message: /^parent must be an AbortSignal, CancelScope options or undefined, got /,
      });
    }
    const scope = new CancelScope(new AbortController().signal);
    assert.equal(scope.aborted, false);
    scope.close();
  });

  test("its own abort is recorded as its own", () => {
    const scope = new CancelScope();
    const reason = new Error("mine");
    assert.equal(scope.aborted, false);
    assert.equal(scope.abort(reason), true);
    assert.equal(scope.signal.reason, reason);
    assert.ok(scope.aborted);
    assert.ok(scope.abortedByOwn);
    assert.equal(scope.abortedFromOutside, false);
  });

  test("only the first abort counts", () => {
    const scope = new CancelScope();
    const first = new Error("first");
    scope.abort(first);
    assert.equal(scope.abort(new Error("second")), false);
    assert.equal(scope.signal.reason, first);
  });

  test("a parent abort reaches the child with the very same reason, and is not the child's own", () => {
    const parent = new AbortController();
    const child = new CancelScope(parent.signal);
    const grandchild = new CancelScope(child.signal);
    const reason = new Error("from above");
    parent.abort(reason);
    for (const scope of [child, grandchild]) {
      assert.equal(scope.signal.reason, reason);
      assert.ok(scope.abortedFromOutside);
      assert.equal(scope.abortedByOwn, false);
      assert.equal(scope.abort(new Error("too late")), false);
    }
  });

  test("a child's own abort does not reach the parent", () => {
    const parent = new CancelScope();
    const child = new CancelScope(parent.signal);
    child.abort(new Error("child only"));
    assert.equal(parent.aborted, false);
    assert.equal(getEventListeners(parent.signal, "abort").length, 0, "an aborted child unlinks itself");
  });

  test("a parent already aborted aborts the child at once, without a listener", () => {
    const parent = new AbortController();
    const reason = new Error("already");
    parent.abort(reason);
    const child = new CancelScope(parent.signal);
    assert.equal(child.signal.reason, reason);
    assert.ok(child.abortedFromOutside);
    assert.equal(getEventListeners(parent.signal, "abort").length, 0);
  });

  test("close removes the link: a later parent abort no longer reaches the scope", () => {
    const parent = new AbortController();
    const scope = new CancelScope(parent.signal);
    assert.equal(getEventListeners(parent.signal, "abort").length, 1);
    scope.close();
    scope.close();
    assert.equal(getEventListeners(parent.signal, "abort").length, 0);
    parent.abort(new Error("late"));
    assert.equal(scope.aborted, false);
  });

  test("isAbort: the reason itself, an error caused by it, or an AbortError, only once aborted", async () => {
    const scope = new CancelScope();
    const generic = new DOMException("aborted", "AbortError");
    assert.equal(scope.isAbort(generic), false, "nothing is an abort before the signal aborts");
    const reason = new Error("stop");
    scope.abort(reason);
    assert.ok(scope.isAbort(reason));
    assert.ok(scope.isAbort(new Error("wrapper", { cause: new Error("inner", { cause: reason }) })));
    assert.ok(scope.isAbort(generic));
    const nodeAbort = await nodeSleep(10_000, undefined, { signal: scope.signal }).catch((e: unknown) => e);
    assert.ok(scope.isAbort(nodeAbort));
    assert.equal(scope.isAbort(new Error("unrelated")), false);
    assert.equal(scope.isAbort(undefined), false);
    assert.equal(scope.isAbort("stop"), false);
  });

  test("isAbort handles primitive reasons and cyclic cause chains", () => {
    const scope = new CancelScope();
    scope.abort("a string reason");
    assert.ok(scope.isAbort("a string reason"));
    const a = new Error("a");
    const b = new Error("b", { cause: a });
    (a as { cause?: unknown }).cause = b;
    assert.equal(scope.isAbort(a), false);
  });
});

describe("CancelScope: the tree of scopes", () => {
  test("a scope given a library-made signal links to its scope, without a listener", () => {
    const parent = new CancelScope();
    const child = new CancelScope(parent.signal);
    const grandchild = new CancelScope(child.signal);
    assert.equal(getEventListeners(parent.signal, "abort").length, 0);
    assert.equal(getEventListeners(child.signal, "abort").length, 0);
    const reason = new Error("top");
    parent.abort(reason);
    assert.equal(grandchild.signal.reason, reason);
    assert.ok(grandchild.abortedFromOutside);
  });

  test("the signal is made on first use, and carries an abort that came before", () => {
    const parent = new CancelScope();
    const child = new CancelScope(parent.signal);
    const reason = new Error("early");
    parent.abort(reason);
    // child.signal was never asked for until now
    assert.ok(child.aborted);
    assert.ok(child.signal.aborted);
    assert.equal(child.signal.reason, reason);
    assert.ok(child.isAbort(reason));
  });

  test("abort() with no reason aborts with an AbortError, as AbortController.abort() does", () => {
    const scope = new CancelScope();
    scope.abort(undefined);
    assert.equal((scope.signal.reason as Error).name, "AbortError");
    assert.ok(scope.isAbort(scope.signal.reason));
  });

  test("enclosingAborted: the parent signal's state, also after the scope's own abort", () => {
    const caller = new AbortController();
    const scope = new CancelScope(caller.signal);
    assert.equal(scope.enclosingAborted(), false);
    scope.abort(new Error("own"));
    assert.equal(scope.enclosingAborted(), false);
    caller.abort(new Error("caller"));
    assert.equal(scope.enclosingAborted(), true, "the caller aborted after the scope's own abort");
    assert.equal(new CancelScope().enclosingAborted(), false, "no parent, nothing above");

    const outer = new CancelScope();
    const inner = new CancelScope(outer.signal);
    inner.abort(new Error("inner"));
    assert.equal(inner.enclosingAborted(), false);
    outer.abort(new Error("outer"));
    assert.equal(inner.enclosingAborted(), true);
    assert.equal((inner.signal.reason as Error).message, "inner", "only the first abort counts");
  });

  test("a child created under an aborted library scope is aborted at once and not linked", () => {
    const parent = new CancelScope();
    const reason = new Error("gone");
    parent.abort(reason);
    const child = new CancelScope(parent.signal);
    assert.ok(child.abortedFromOutside);
    assert.equal(child.signal.reason, reason);
    child.close();
  });
});
