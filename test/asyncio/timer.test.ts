// The long-delay timer helper: one setTimeout for a short delay, steps of at most 2**31-1 ms
// towards a fixed deadline for a longer one, and never early. Checked with a fake clock.
import assert from "node:assert/strict";
import { test } from "node:test";
import { MAX_TIMER_DELAY, startTimer, stopTimer } from "../../src/asyncio/timer.js";
import { installFakeClock } from "../support/fake-clock.js";

const DAY = 24 * 60 * 60 * 1000;

test("a short delay is one setTimeout, rounded up to whole milliseconds", () => {
  const clock = installFakeClock();
  try {
    let fired = 0;
    startTimer(() => fired++, 10.2);
    assert.deepEqual(clock.armed, [11]);
    clock.advance(10);
    assert.equal(fired, 0);
    clock.advance(1);
    assert.equal(fired, 1);
    assert.equal(clock.pending(), 0);
  } finally {
    clock.restore();
  }
});

test("Infinity arms nothing", () => {
  const clock = installFakeClock();
  try {
    assert.equal(
      startTimer(() => assert.fail("must not fire"), Infinity),
      undefined,
    );
    assert.equal(clock.armed.length, 0);
  } finally {
    clock.restore();
  }
});

test("a 30-day delay fires after 30 days, in steps no longer than setTimeout takes", () => {
  const clock = installFakeClock();
  try {
    let fired = 0;
    startTimer(() => fired++, 30 * DAY);
    assert.ok(clock.armed.every((delay) => delay <= MAX_TIMER_DELAY));
    clock.advance(30 * DAY - 1);
    assert.equal(fired, 0, "not before the deadline");
    clock.advance(1);
    assert.equal(fired, 1);
    assert.equal(clock.armed.length, 2);
    assert.equal(clock.armed[0], MAX_TIMER_DELAY);
    assert.equal(clock.armed[1], 30 * DAY - MAX_TIMER_DELAY);
    assert.equal(clock.pending(), 0);
  } finally {
    clock.restore();
  }
});

test("a 100-day delay takes as many steps as it needs; a late step does not shorten the wait", () => {
  const clock = installFakeClock();
  try {
    let fired = 0;
    startTimer(() => fired++, 100 * DAY);
    clock.advance(100 * DAY - 1);
    assert.equal(fired, 0);
    clock.advance(1);
    assert.equal(fired, 1);
    assert.equal(clock.armed.length, Math.ceil((100 * DAY) / MAX_TIMER_DELAY));
  } finally {
    clock.restore();
  }
});

test("stopTimer disarms a long timer at whichever step it is", () => {
  const clock = installFakeClock();
  try {
    let fired = 0;
    const timer = startTimer(() => fired++, 60 * DAY);
    assert.ok(timer !== undefined);
    clock.advance(MAX_TIMER_DELAY + 5); // into the second step
    stopTimer(timer);
    assert.equal(clock.pending(), 0);
    clock.advance(60 * DAY);
    assert.equal(fired, 0);
  } finally {
    clock.restore();
  }
});

test("unref reaches every step's handle on Node", async () => {
  // Real timers here: an unref'd timer of 30 days must not keep the process alive, and a
  // ref'd one must show up as an active handle until stopped.
  const long = startTimer(() => assert.fail("must not fire"), 30 * DAY, true);
  const short = startTimer(() => assert.fail("must not fire"), DAY, true);
  assert.ok(long !== undefined && short !== undefined);
  const before = process.getActiveResourcesInfo().filter((kind) => kind === "Timeout").length;
  const kept = startTimer(() => assert.fail("must not fire"), 30 * DAY);
  assert.ok(kept !== undefined);
  const after = process.getActiveResourcesInfo().filter((kind) => kind === "Timeout").length;
  assert.equal(after, before + 1);
  stopTimer(kept);
  stopTimer(long);
  stopTimer(short);
});
