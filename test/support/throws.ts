// Shared fixtures that capture what a block throws or a promise rejects with, so that a test
// can assert on exactly that value; each fails the test when nothing is thrown.
import assert from "node:assert/strict";

/** Runs `fn`, expecting it to throw, and returns exactly what was thrown. */
export function thrownBy(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  assert.fail("expected a throw");
}

/** Awaits `promise`, expecting a rejection, and returns exactly the rejection value. */
export async function rejectionOf(promise: PromiseLike<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  assert.fail("expected a rejection");
}

/**
 * Runs the async `fn`, expecting it to fail, and returns exactly what it threw, whether it threw
 * synchronously or its promise rejected.
 */
export async function thrownByAsync(fn: () => Promise<unknown>): Promise<unknown> {
  try {
    await fn();
  } catch (error) {
    return error;
  }
  assert.fail("expected the block to throw");
}
