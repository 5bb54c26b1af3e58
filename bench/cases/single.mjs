// One resource, one block: the hand-written try/finally against every way of writing the same
// thing with the library and with its peers, on the happy path and on the error path.
//
// Every async variant does the same work: one awaited acquire that allocates the resource, one
// awaited body, one awaited release. The error path throws one preallocated error, so that
// building a stack trace does not drown the difference being measured.

class Resource {
  open = true;
}

/** A class manager: aenter is the acquire, aexit the release. */
class ManagedResource {
  open = false;
  async aenter() {
    this.open = true;
    return this;
  }
  async aexit() {
    this.open = false;
  }
}

class SyncManagedResource {
  open = false;
  enter() {
    this.open = true;
    return this;
  }
  exit() {
    this.open = false;
  }
}

class AsyncDisposableResource {
  open = true;
  async [Symbol.asyncDispose]() {
    this.open = false;
  }
}

class DisposableResource {
  open = true;
  [Symbol.dispose]() {
    this.open = false;
  }
}

/** The npm `contextlib` shape: async enter()/exit() on the class. */
class ContextlibResource {
  open = false;
  async enter() {
    this.open = true;
    return this;
  }
  async exit() {
    this.open = false;
  }
}

const acquire = async () => new Resource();
const release = async (resource) => {
  resource.open = false;
};
const acquireDisposable = async () => new AsyncDisposableResource();
const acquireSync = () => new Resource();
const releaseSync = (resource) => {
  resource.open = false;
};

const failure = new Error("body failed");
const bodies = {
  happy: { async: async (r) => r.open, sync: (r) => r.open },
  error: {
    async: async () => {
      throw failure;
    },
    sync: () => {
      throw failure;
    },
  },
};

/** The async single-manager cases for one path (`happy` or `error`); the first is the baseline. */
export function asyncCases(env, path) {
  const { lib, nativeUsing, downlevel, native, esShims, whatwg, coreJs, effect, contextlib } = env;
  const body = bodies[path].async;
  const cases = [
    {
      name: "hand-written try/finally",
      op: async () => {
        const r = await acquire();
        try {
          await body(r);
        } finally {
          await release(r);
        }
      },
    },
    { name: "asyncWith, class manager", op: () => lib.asyncWith(new ManagedResource(), body) },
  ];
  if (typeof lib.asyncContextManager === "function") {
    const managed = lib.asyncContextManager(async function* () {
      const r = await acquire();
      try {
        yield r;
      } finally {
        await release(r);
      }
    });
    cases.push({ name: "asyncWith, asyncContextManager generator", op: () => lib.asyncWith(managed(), body) });
  }
  // The floor of any generator manager: the same generator stepped inline, one await a step.
  async function* lease() {
    const r = await acquire();
    try {
      yield r;
    } finally {
      await release(r);
    }
  }
  cases.push({
    name: "async generator stepped by hand",
    note: "the floor for generator managers: next(), the body, next() or throw(), inline",
    op: async () => {
      const generator = lease();
      const step = await generator.next();
      try {
        await body(step.value);
      } catch (error) {
        // Not `.catch(() => {})`: that costs a tick of its own.
        try {
          await generator.throw(error);
        } catch {}
        throw error;
      }
      await generator.next();
    },
  });
  cases.push({
    name: "asyncWith, AsyncDisposable",
    note: "wrapped in an async function that awaits acquire, as the `await using` forms do",
    op: async () => {
      await lib.asyncWith(await acquireDisposable(), body);
    },
  });
  if (nativeUsing)
    cases.push({ name: "native `await using`", op: () => nativeUsing.awaitUsing(acquireDisposable, body) });
  cases.push({ name: "TypeScript ES2022 `await using`", op: () => downlevel.awaitUsing(acquireDisposable, body) });
  const stackCase = (name, Stack, note) => ({
    name,
    note,
    op: async () => {
      const stack = new Stack();
      try {
        const r = stack.use(await acquireDisposable());
        await body(r);
      } finally {
        await stack.disposeAsync();
      }
    },
  });
  if (native.AsyncDisposableStack) cases.push(stackCase("native AsyncDisposableStack", native.AsyncDisposableStack));
  cases.push(stackCase("disposablestack (es-shims)", esShims.AsyncDisposableStack));
  cases.push(stackCase("@whatwg-node/disposablestack", whatwg.AsyncDisposableStack));
  if (!coreJs.isNative) cases.push(stackCase("core-js AsyncDisposableStack", coreJs.AsyncDisposableStack));
  const { Effect } = effect;
  const program = Effect.acquireUseRelease(
    Effect.promise(acquire),
    (r) => Effect.promise(() => body(r)),
    (r) => Effect.promise(() => release(r)),
  );
  cases.push({ name: "effect acquireUseRelease + runPromise", op: () => Effect.runPromise(program) });
  cases.push({
    name: "npm contextlib AsyncWith, class",
    op: () => contextlib.AsyncWith(new ContextlibResource(), body),
  });
  let contextlibFactory;
  cases.push({
    name: "npm contextlib AsyncWith, generator",
    note: "its factory is async, so one more await is part of its API",
    op: async () => {
      contextlibFactory ??= await contextlib.asynccontextmanager(async function* () {
        const r = await acquire();
        try {
          yield r;
        } finally {
          await release(r);
        }
      });
      await contextlib.AsyncWith(await contextlibFactory(), body);
    },
  });
  return cases;
}

/**
 * The sync single-manager cases for one path; the first is the baseline: Python's `with`
 * written by hand (catch, exit with the error, re-throw unless exit returned true), the floor
 * for Python semantics. A bare try/finally, whose exit never sees the error, is shown too.
 */
export function syncCases(env, path) {
  const { lib, nativeUsing, downlevel } = env;
  const body = bodies[path].sync;
  const cases = [
    {
      name: "hand-written with: catch + exit({ error }) + rethrow",
      sync: true,
      op: () => {
        const manager = new SyncManagedResource();
        const r = manager.enter();
        let result;
        try {
          result = body(r);
        } catch (error) {
          if (manager.exit({ error }) !== true) throw error;
          return undefined;
        }
        manager.exit();
        return result;
      },
    },
    {
      name: "hand-written try/finally (sync)",
      note: "exit never sees the error: less than Python's `with` does",
      sync: true,
      op: () => {
        const r = acquireSync();
        try {
          return body(r);
        } finally {
          releaseSync(r);
        }
      },
    },
    {
      name: "empty operation",
      note: "the measuring loop's own cost: `() => undefined`",
      sync: true,
      op: () => undefined,
    },
    { name: "syncWith, class manager", sync: true, op: () => lib.syncWith(new SyncManagedResource(), body) },
  ];
  if (typeof lib.contextManager === "function") {
    const managed = lib.contextManager(function* () {
      const r = acquireSync();
      try {
        yield r;
      } finally {
        releaseSync(r);
      }
    });
    cases.push({ name: "syncWith, contextManager generator", sync: true, op: () => lib.syncWith(managed(), body) });
  }
  cases.push({ name: "syncWith, Disposable", sync: true, op: () => lib.syncWith(new DisposableResource(), body) });
  const acquireDisposableSync = () => new DisposableResource();
  if (nativeUsing)
    cases.push({ name: "native `using`", sync: true, op: () => nativeUsing.syncUsing(acquireDisposableSync, body) });
  cases.push({
    name: "TypeScript ES2022 `using`",
    sync: true,
    op: () => downlevel.syncUsing(acquireDisposableSync, body),
  });
  return cases;
}

/**
 * Two async managers, one inside the other: nested hand-written blocks in one function (the
 * floor), the array form, and literally nested calls.
 */
export function nestedCases(env, path) {
  const { lib } = env;
  const body = bodies[path].async;
  return [
    {
      name: "hand-written nested try/finally",
      op: async () => {
        const a = new ManagedResource();
        const b = new ManagedResource();
        const ra = await a.aenter();
        try {
          const rb = await b.aenter();
          try {
            await body(rb, ra);
          } finally {
            await b.aexit();
          }
        } finally {
          await a.aexit();
        }
      },
    },
    {
      name: "asyncWith([a, b])",
      op: () => lib.asyncWith([new ManagedResource(), new ManagedResource()], body),
    },
    {
      name: "asyncWith(a, () => asyncWith(b))",
      op: () => lib.asyncWith(new ManagedResource(), () => lib.asyncWith(new ManagedResource(), body)),
    },
  ];
}
