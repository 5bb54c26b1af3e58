// Microtask ticks of the hot paths, asserted exactly: a tick added to `asyncWith` (an extra
// await, a promise wrapped in a promise) slows every user's request path, so it fails here
// before it ships. Each count is compared with the hand-written code doing the same work,
// measured in the same test, so the assertions say "as cheap as writing it by hand".
//
// The counter is the one `npm run bench` uses: a queueMicrotask callback that re-queues itself
// until the awaited operation resumes. `await` of a settled promise costs one turn.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  AsyncGeneratorContextManager,
  asyncContextManager,
  asyncWith,
  contextManager,
  type ExcInfo,
  Lock,
  Semaphore,
  syncWith,
} from "../src/index.js";

async function countTicks(op: () => unknown): Promise<number> {
  let ticks = 0;
  let done = false;
  const counter = (): void => {
    if (done) return;
    ticks++;
    queueMicrotask(counter);
  };
  queueMicrotask(counter);
  try {
    await op();
  } catch {
    // The error path is counted like the happy path.
  }
  done = true;
  return ticks;
}

class Resource {
  open = true;
}

class ManagedResource {
  open = false;
  async aenter(): Promise<this> {
    this.open = true;
    return this;
  }
  async aexit(): Promise<void> {
    this.open = false;
  }
}

class SyncManagedResource {
  open = false;
  enter(): this {
    this.open = true;
    return this;
  }
  exit(): void {
    this.open = false;
  }
}

class AsyncDisposableResource {
  open = true;
  async [Symbol.asyncDispose](): Promise<void> {
    this.open = false;
  }
}

const acquire = async (): Promise<Resource> => new Resource();
const release = async (resource: Resource): Promise<void> => {
  resource.open = false;
};
const body = async (resource: { open: boolean }): Promise<boolean> => resource.open;
const failure = new Error("body failed");
const failingBody = async (_resource: unknown): Promise<never> => {
  throw failure;
};

/** The generator manager's body: acquire, yield, release in `finally`. */
async function* lease(): AsyncGenerator<Resource, void, undefined> {
  const resource = await acquire();
  try {
    yield resource;
  } finally {
    await release(resource);
  }
}

function handWritten(use: (resource: Resource) => Promise<unknown>): () => Promise<void> {
  return async () => {
    const resource = await acquire();
    try {
      await use(resource);
    } finally {
      await release(resource);
    }
  };
}

describe("asyncWith with a class manager", () => {
  test("happy path: 4 ticks, the hand-written try/finally's count", async () => {
    const expected = await countTicks(handWritten(body));
    assert.equal(expected, 4);
    assert.equal(await countTicks(() => asyncWith(new ManagedResource(), body)), expected);
  });

  test("error path: the hand-written try/finally's count", async () => {
    const expected = await countTicks(handWritten(failingBody));
    assert.equal(expected, 4);
    const manager = new ManagedResource();
    await assert.rejects(asyncWith(manager, failingBody), (e) => e === failure);
    assert.equal(await countTicks(() => asyncWith(new ManagedResource(), failingBody)), expected);
  });
});

describe("asyncWith with an array of managers", () => {
  test("[a, b]: 6 ticks, the count of nested hand-written blocks in one function", async () => {
    const byHand = await countTicks(async () => {
      const a = new ManagedResource();
      const b = new ManagedResource();
      await a.aenter();
      try {
        await b.aenter();
        try {
          await body(b);
        } finally {
          await b.aexit();
        }
      } finally {
        await a.aexit();
      }
    });
    assert.equal(byHand, 6);
    // Was 7: asyncWith(a, () => asyncWith(b, body)), one async function per level.
    assert.equal(await countTicks(() => asyncWith([new ManagedResource(), new ManagedResource()], body)), byHand);
    const failing = await countTicks(() => asyncWith([new ManagedResource(), new ManagedResource()], failingBody));
    assert.equal(failing, byHand);
  });

  test("[generator, generator]: one await per generator step, as stepping both by hand", async () => {
    const byHand = await countTicks(async () => {
      const a = lease();
      const b = lease();
      await a.next();
      try {
        const step = await b.next();
        try {
          await body(step.value as Resource);
        } finally {
          await b.next();
        }
      } finally {
        await a.next();
      }
    });
    const managed = asyncContextManager(lease);
    assert.equal(await countTicks(() => asyncWith([managed(), managed()], body)), byHand);
  });
});

describe("asyncWith with an AsyncDisposable", () => {
  const handWrittenDispose = (use: (resource: AsyncDisposableResource) => Promise<unknown>) => async () => {
    const resource = new AsyncDisposableResource();
    try {
      await use(resource);
    } finally {
      await resource[Symbol.asyncDispose]();
    }
  };

  test("happy path: 3 ticks, the hand-written try/finally's count", async () => {
    const expected = await countTicks(handWrittenDispose(body));
    assert.equal(expected, 3);
    assert.equal(await countTicks(() => asyncWith(new AsyncDisposableResource(), body)), expected);
  });

  test("error path: the hand-written try/finally's count", async () => {
    const expected = await countTicks(handWrittenDispose(failingBody));
    assert.equal(await countTicks(() => asyncWith(new AsyncDisposableResource(), failingBody)), expected);
  });
});

describe("asyncWith with a sync manager", () => {
  test("exit is not awaited: 2 ticks, the hand-written count", async () => {
    const expected = await countTicks(async () => {
      const resource = new SyncManagedResource().enter();
      try {
        await body(resource);
      } finally {
        resource.exit();
      }
    });
    assert.equal(expected, 2);
    assert.equal(await countTicks(() => asyncWith(new SyncManagedResource(), body)), expected);
  });
});

describe("syncWith", () => {
  test("adds no tick: it enters, runs and exits before returning", async () => {
    const manager = new SyncManagedResource();
    let openInBody = false;
    const result = syncWith(manager, (resource) => {
      openInBody = resource.open;
      return 42;
    });
    assert.equal(result, 42);
    assert.equal(openInBody, true);
    assert.equal(manager.open, false);
    // Awaiting its plain result costs the single turn any `await` of a value costs.
    assert.equal(await countTicks(() => syncWith(new SyncManagedResource(), (r) => r.open)), 1);
    assert.equal(
      await countTicks(() => {
        try {
          syncWith(new SyncManagedResource(), () => {
            throw failure;
          });
        } catch {}
      }),
      1,
    );
  });
});

describe("generator managers", () => {
  test("asyncContextManager: 7 ticks, the count of driving the generator by hand", async () => {
    // The floor: the same generator, stepped inline with one await per step.
    const byHand = await countTicks(async () => {
      const generator = lease();
      const step = await generator.next();
      try {
        await body(step.value as Resource);
      } finally {
        await generator.next();
      }
    });
    assert.equal(byHand, 7);
    // asyncWith steps the generator itself instead of awaiting async aenter/aexit wrappers.
    const managed = asyncContextManager(lease);
    assert.equal(await countTicks(() => asyncWith(managed(), body)), byHand);
  });

  test("asyncContextManager, error path: the count of driving the generator by hand", async () => {
    // The floor: the error thrown in at the yield, inline. Not `.catch(() => {})`, which
    // would cost a tick of its own.
    const byHand = await countTicks(async () => {
      const generator = lease();
      const step = await generator.next();
      try {
        await failingBody(step.value);
      } catch (error) {
        try {
          await generator.throw(error);
        } catch {}
        throw error;
      }
      await generator.next();
    });
    assert.equal(byHand, 7);
    const managed = asyncContextManager(lease);
    await assert.rejects(asyncWith(managed(), failingBody), (e) => e === failure);
    // Was 8: the error path awaited aexit's promise, which awaited generator.throw().
    assert.equal(await countTicks(() => asyncWith(managed(), failingBody)), byHand);
  });

  test("regression: a subclass overriding aexit is not bypassed by the generator fast path", async () => {
    const seen: string[] = [];
    class Audited<T> extends AsyncGeneratorContextManager<T, boolean> {
      override async aexit(exc?: ExcInfo): Promise<boolean> {
        seen.push(exc === undefined ? "clean" : "error");
        return super.aexit(exc);
      }
    }
    const value = await asyncWith(new Audited(lease, undefined, []), async (r) => r.open);
    assert.equal(value, true);
    assert.deepEqual(seen, ["clean"]);
  });

  test("contextManager in syncWith adds no tick", async () => {
    const managed = contextManager(function* () {
      const resource = new Resource();
      try {
        yield resource;
      } finally {
        resource.open = false;
      }
    });
    assert.equal(await countTicks(() => syncWith(managed(), (r) => r.open)), 1);
  });
});

describe("Lock and Semaphore", () => {
  /**
   * The floor: a count of free permits and a FIFO of resolvers, a release handing its permit
   * straight to the first waiter (no cancellation, nothing else).
   */
  class MinimalSemaphore {
    readonly #waiters: Array<() => void> = [];
    constructor(private free: number) {}
    acquire(): Promise<void> | undefined {
      if (this.free > 0) {
        this.free--;
        return undefined;
      }
      return new Promise((resolve) => this.#waiters.push(resolve));
    }
    release(): void {
      const next = this.#waiters.shift();
      if (next === undefined) this.free++;
      else next();
    }
  }

  const yieldOnce = async (): Promise<void> => {
    await null;
  };

  /** `tasks` concurrent tasks taking `acquisition` `rounds` times each; every holder yields once. */
  function contended(tasks: number, rounds: number, acquisition: () => Promise<unknown>): () => Promise<unknown> {
    const task = async (): Promise<void> => {
      for (let i = 0; i < rounds; i++) await acquisition();
    };
    return () => Promise.all(Array.from({ length: tasks }, task));
  }

  function byHand(permits: number): () => Promise<void> {
    const floor = new MinimalSemaphore(permits);
    return async () => {
      const pending = floor.acquire();
      if (pending !== undefined) await pending;
      try {
        await yieldOnce();
      } finally {
        floor.release();
      }
    };
  }

  test("uncontended asyncWith(lock): 3 ticks with a body that yields once, the minimal hand-written lock's count", async () => {
    const expected = await countTicks(byHand(1));
    assert.equal(expected, 3);
    const lock = new Lock();
    assert.equal(await countTicks(() => asyncWith(lock, yieldOnce)), expected);
    assert.equal(lock.locked(), false);
  });

  test("contended asyncWith(lock): the minimal hand-written lock's count, a resolve per hand-off", async () => {
    const expected = await countTicks(contended(8, 16, byHand(1)));
    assert.equal(expected, 8 * 16 * 3 + 2);
    const lock = new Lock();
    assert.equal(await countTicks(contended(8, 16, () => asyncWith(lock, yieldOnce))), expected);
    assert.equal(lock.locked(), false);
  });

  test("contended asyncWith(semaphore): the minimal hand-written semaphore's count", async () => {
    const expected = await countTicks(contended(8, 16, byHand(4)));
    const semaphore = new Semaphore(4);
    assert.equal(await countTicks(contended(8, 16, () => asyncWith(semaphore, yieldOnce))), expected);
    assert.equal(semaphore.locked(), false);
  });
});
