// A fake setTimeout/clearTimeout/performance.now for tests of long delays: time moves only when
// the test says so, and every armed delay is recorded, so a 30-day wait is checked in
// microseconds. Restore with the returned function (in a finally).

export interface FakeClock {
  /** Delays given to setTimeout, in order. */
  readonly armed: number[];
  /** Timers armed and neither fired nor cleared. */
  pending(): number;
  /** Moves time forward by `ms`, firing due timers in order (and those they arm, if due). */
  advance(ms: number): void;
  restore(): void;
}

interface FakeTimer {
  at: number;
  callback: () => void;
  cleared: boolean;
  fired: boolean;
  unref(): FakeTimer;
}

export function installFakeClock(): FakeClock {
  const real = { setTimeout: globalThis.setTimeout, clearTimeout: globalThis.clearTimeout };
  const realNow = Object.getOwnPropertyDescriptor(performance, "now");
  let now = 1_000;
  const timers: FakeTimer[] = [];
  const armed: number[] = [];
  const fakeSetTimeout = (callback: () => void, delay = 0): FakeTimer => {
    // setTimeout's own rule: a delay above 2**31-1 ms becomes 1 ms.
    const effective = delay > 2_147_483_647 || !(delay >= 1) ? 1 : delay;
    armed.push(delay);
    const timer: FakeTimer = {
      at: now + effective,
      callback,
      cleared: false,
      fired: false,
      unref: () => timer,
    };
    timers.push(timer);
    return timer;
  };
  const fakeClearTimeout = (timer: FakeTimer | undefined) => {
    if (timer !== undefined) timer.cleared = true;
  };
  Object.assign(globalThis, { setTimeout: fakeSetTimeout, clearTimeout: fakeClearTimeout });
  Object.defineProperty(performance, "now", { configurable: true, value: () => now });
  const live = () => timers.filter((t) => !t.cleared && !t.fired);
  return {
    armed,
    pending: () => live().length,
    advance(ms) {
      const end = now + ms;
      for (;;) {
        const due = live()
          .filter((t) => t.at <= end)
          .sort((a, b) => a.at - b.at)[0];
        if (due === undefined) break;
        now = Math.max(now, due.at);
        due.fired = true;
        due.callback();
      }
      now = end;
    },
    restore() {
      Object.assign(globalThis, real);
      if (realNow === undefined) delete (performance as { now?: unknown }).now;
      else Object.defineProperty(performance, "now", realNow);
    },
  };
}
