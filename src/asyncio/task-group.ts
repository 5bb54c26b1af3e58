/**
 * `TaskGroup`: Python's `asyncio.TaskGroup` (Python's asyncio documentation, "Task Groups") on the cancel-scope model.
 *
 * The group is a cancel scope: its `signal` goes to the block and, through a child scope of its own,
 * to every task. The first task failure aborts the group; exit waits for every task and throws
 * the failures as one `AggregateError`. Task scopes are children of the group's scope, reached
 * through a set rather than one `abort` listener each, so a group is linear in its tasks.
 *
 * @module
 */

import { chainErrorContext, RuntimeError } from "../errors.js";
import { shareIdentity } from "../identity.js";
import { type AsyncContextManager, type ExcInfo, isObject, typeName } from "../protocol.js";
import { checkOptions, checkSignal } from "../validate.js";
import { runBlockSymbol, runInScope } from "./ambient.js";
import { type CancelScope, childScope, describeError, markTaskScope, parentFor } from "./cancel-scope.js";
import { CancelledError } from "./errors.js";

/**
 * Options of the {@link TaskGroup} constructor.
 *
 * @example
 * ```ts
 * new TaskGroup({ signal: request.signal }); // the request's abort aborts the group's tasks
 * ```
 */
export interface TaskGroupOptions {
  /** A signal from the enclosing scope: its abort aborts the group (and is never reported as a task failure). */
  readonly signal?: AbortSignal | undefined;
}

/**
 * Options of {@link TaskGroup.createTask}.
 *
 * @example
 * ```ts
 * tg.createTask((signal) => poll(signal), { name: "poller" });
 * ```
 */
export interface CreateTaskOptions {
  /** A name for the task, shown by `toString()` (Python's `name=`). */
  readonly name?: string | undefined;
}

type TaskStatus = "running" | "fulfilled" | "failed" | "cancelled";

let taskCounter = 0;

/** The group's access to a task's private bookkeeping (set by {@link Task}'s static block). */
let settleTask: (task: Task<unknown>, fulfilled: boolean, outcome: unknown, echo: boolean) => boolean;

/**
 * A task of a {@link TaskGroup}: a promise-like handle on one `createTask` call.
 *
 * Awaiting it gives the task's result or throws its error, like Python's `await task`. The
 * group always observes the task, so a task never causes an unhandled rejection by itself
 * (a `task.then(f)` without a rejection handler is a new promise, and that one is yours).
 *
 * A task is *cancelled*, not failed, when it rejected with a {@link CancelledError} (as awaiting a
 * cancelled sibling does), or when its signal was aborted (by the group, by its own
 * {@link Task.abort}, or from outside the group) and it rejected with that abort (see
 * {@link CancelScope.isAbort}) or with a failure the group has already reported (it awaited the
 * failed sibling). Cancelled tasks are never reported as failures (rule 70), and awaiting one,
 * or its `result()`, throws a `CancelledError`, as Python's `await task` does.
 *
 * @example
 * ```ts
 * await asyncWith(new TaskGroup(), async (tg) => {
 *   const user = tg.createTask((signal) => fetchUser(id, { signal }));
 *   const posts = tg.createTask((signal) => fetchPosts(id, { signal }));
 *   render(await user, await posts);
 * });
 * ```
 */
export class Task<T> implements PromiseLike<T> {
  readonly #scope: CancelScope;
  readonly #promise: Promise<T>;
  #status: TaskStatus = "running";
  #value: T | undefined;
  #error: unknown;
  #cancelledError: CancelledError | undefined;

  /** The name given to `createTask`, or the task's number until `name` is first read. */
  #name: string | number;

  /** @internal Created by {@link TaskGroup.createTask}. */
  constructor(scope: CancelScope, promise: Promise<T>, name: string | undefined) {
    this.#scope = scope;
    this.#promise = promise;
    this.#name = name ?? ++taskCounter;
  }

  /** The task's name: the one given to `createTask`, or `Task-<n>`. */
  get name(): string {
    // Spelled out on first use: a string per task is a cost a group of 100,000 feels.
    if (typeof this.#name === "number") this.#name = `Task-${this.#name}`;
    return this.#name;
  }

  /**
   * The task's signal (made on first use): the one its function received, aborted with the
   * group or by {@link Task.abort}.
   */
  get signal(): AbortSignal {
    return this.#scope.signal;
  }

  /** Whether the task has finished: fulfilled, failed or cancelled. */
  done(): boolean {
    return this.#status !== "running";
  }

  /** Whether the task ended because its signal was aborted (it rejected with that abort). */
  cancelled(): boolean {
    return this.#status === "cancelled";
  }

  /**
   * The task's value. Throws its error when it failed or was cancelled, and a `RuntimeError`
   * (`Result is not set.`) while it runs (Python's `Task.result()`).
   */
  result(): T {
    if (this.#status === "running") throw new RuntimeError("Result is not set.");
    if (this.#status === "cancelled") throw this.#cancellation();
    if (this.#status === "failed") throw this.#error;
    return this.#value as T;
  }

  /**
   * The task's failure as `{ error }`, or `undefined` when it fulfilled. Throws a
   * {@link CancelledError} when it was cancelled and a `RuntimeError` while it runs (Python's
   * `Task.exception()`).
   */
  error(): ExcInfo | undefined {
    if (this.#status === "running") throw new RuntimeError("Exception is not set.");
    if (this.#status === "cancelled") throw this.#cancellation();
    return this.#status === "failed" ? { error: this.#error } : undefined;
  }

  /**
   * Aborts this task alone (Python's `Task.cancel()`): its signal aborts with `reason` (a
   * {@link CancelledError} by default). Returns `false` when the task is done or its signal was
   * already aborted. A task that then rejects with that abort is cancelled, not failed.
   */
  abort(reason: unknown = new CancelledError(`task ${this.name} aborted`)): boolean {
    if (this.#status !== "running") return false;
    return this.#scope.abort(reason);
  }

  // biome-ignore lint/suspicious/noThenProperty: a task is promise-like on purpose.
  then<R1 = T, R2 = never>(
    onFulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onRejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    // The group's own reaction was registered first (in createTask), so the status is known
    // here: a cancelled task gives its CancelledError, as Python's `await task` raises one.
    return this.#promise.then(onFulfilled, (error: unknown) => {
      const rejection = this.#status === "cancelled" ? this.#cancellation() : error;
      if (onRejected == null) throw rejection;
      return onRejected(rejection);
    });
  }

  /** `<Task name running>`, `<Task name fulfilled>`, … */
  toString(): string {
    return `<Task ${this.name} ${this.#status}>`;
  }

  static {
    settleTask = (task, fulfilled, outcome, echo) => task.#settle(fulfilled, outcome, echo);
  }

  /**
   * Records the outcome; returns whether it was a failure to report. `echo`: the task rejected
   * with a failure the group already reported (it awaited the failed task); Python would have
   * cancelled it first, as the group's abort reaches a task before the failure it awaits.
   */
  #settle(fulfilled: boolean, outcome: unknown, echo: boolean): boolean {
    this.#scope.close();
    if (fulfilled) {
      this.#status = "fulfilled";
      this.#value = outcome as T;
      return false;
    }
    this.#error = outcome;
    const cancelled = echo || outcome instanceof CancelledError || this.#scope.isAbort(outcome);
    this.#status = cancelled ? "cancelled" : "failed";
    return !cancelled;
  }

  /**
   * The `CancelledError` a cancelled task gives, always the same one: the one it threw, else
   * its signal's reason when that is one, else a new one caused by that reason.
   */
  #cancellation(): CancelledError {
    if (this.#cancelledError === undefined) {
      const reason = this.#scope.signal.reason;
      this.#cancelledError =
        this.#error instanceof CancelledError
          ? this.#error
          : reason instanceof CancelledError
            ? reason
            : new CancelledError(`task ${this.name} was cancelled`, { cause: reason });
    }
    return this.#cancelledError;
  }
}

/**
 * Python's `asyncio.TaskGroup`: an async manager that runs tasks alongside its block and does
 * not let the block finish before every task has.
 *
 * - `createTask(fn)` calls `fn(signal)` at once with a signal linked to the group's; tasks may
 *   add siblings, even while exit waits.
 * - The first failing task aborts the group: every task's signal and the block's `tg.signal`
 *   abort with a {@link CancelledError} ("TaskGroup aborted because a task failed: …") whose
 *   `cause` is the failure. An error thrown by the block aborts the tasks the same way.
 * - Exit waits for every task, whatever aborts happen meanwhile. Then failures are thrown as
 *   one `AggregateError("unhandled errors in a TaskGroup")`, in completion order, with the
 *   block's own error last (its {@link errorContext} is the block's error). Aborts are not
 *   failures: a task or block that rejects with its signal's abort, or with a
 *   {@link CancelledError}, is left out, and so is one that re-throws a failure the group
 *   already reported (a task or block that awaited the failed task): each failure is reported
 *   once.
 * - A block that throws a `CancelledError` of its own (say from awaiting a task aborted with
 *   {@link Task.abort}) aborts the tasks; with no failures, that `CancelledError` propagates.
 * - With no failures, an abort from outside (the `signal` option) propagates as that abort:
 *   the block's own error when it threw one, else the outer reason. Failures beat aborts.
 * - It never suppresses. A group is single use.
 *
 * @example
 * ```ts
 * await asyncWith(new TaskGroup({ signal: request.signal }), async (tg) => {
 *   for (const url of urls) tg.createTask((signal) => download(url, { signal }));
 * }); // all downloaded, or AggregateError of the failures (the rest aborted)
 * ```
 */
export class TaskGroup implements AsyncContextManager<TaskGroup, boolean> {
  readonly #parent: AbortSignal | undefined;
  #scope: CancelScope | undefined;
  #entered = false;
  #exiting = false;
  #aborting = false;
  /** Whether the group's abort came from {@link TaskGroup.cancel}. */
  #cancelled = false;
  /** A {@link TaskGroup.cancel} made before entry, applied on entry. */
  #cancelOnEntry: { reason: unknown } | undefined;
  #running = 0;
  readonly #errors: unknown[] = [];
  /** The reported failures that are objects, to tell a re-thrown one (an echo) from a new one. */
  #reported: Set<object> | undefined;
  #wakeExit: (() => void) | undefined;

  constructor(options?: TaskGroupOptions) {
    this.#parent = checkSignal(checkOptions(options)?.signal);
  }

  /** The group's signal (the block's): aborts when a task fails, the block throws, or the outer signal aborts. */
  get signal(): AbortSignal {
    if (this.#scope === undefined) throw new RuntimeError(`TaskGroup ${this} has not been entered`);
    return this.#scope.signal;
  }

  /** Enters the group. Single use (rule 67). */
  aenter(): this {
    if (this.#entered) throw new RuntimeError(`TaskGroup ${this} has already been entered`);
    this.#entered = true;
    this.#scope = childScope(parentFor(this.#parent));
    if (this.#cancelOnEntry !== undefined) this.cancel(this.#cancelOnEntry.reason);
    return this;
  }

  /** @internal Runs the block with the group's scope current (see src/asyncio/ambient.ts). */
  [runBlockSymbol]<R>(block: () => R): R {
    return runInScope(this.#scope as CancelScope, block);
  }

  /**
   * Starts `fn(signal)` as a task of the group and returns its handle (rule 69). The function
   * runs at once, up to its first `await`, with the task's scope current (its waits, and
   * `currentSignal()`, observe the task's cancellation); a synchronous throw counts as the
   * task's failure.
   *
   * The signal argument is made only for a function that declares a parameter (`fn.length`
   * of 1 or more, as Express and mocha read a function's arity): a function declared with
   * none, `() => work()`, is called with no argument, and its task's signal is made only if
   * something asks for it (`task.signal`, `currentSignal()`, a wait of the library). An
   * `AbortSignal` is the largest cost of a task (about 4 µs each on Node 20). A wrapper with
   * rest parameters, `(...args) => inner(...args)`, declares none: write
   * `(signal) => inner(signal)`, or read `currentSignal()` inside.
   *
   * @throws RuntimeError `TaskGroup … has not been entered`, `… is finished` (exit is done
   *   waiting) or `… is shutting down` (the group aborted); `fn` is then not called.
   */
  createTask<T>(fn: (signal: AbortSignal) => PromiseLike<T> | T, options?: CreateTaskOptions): Task<T> {
    if (typeof fn !== "function") throw new TypeError(`createTask expects a function, got '${typeName(fn)}'`);
    checkOptions(options);
    const groupScope = this.#scope;
    if (groupScope === undefined) throw new RuntimeError(`TaskGroup ${this} has not been entered`);
    if (this.#exiting && this.#running === 0) throw new RuntimeError(`TaskGroup ${this} is finished`);
    if (this.#shuttingDown()) throw new RuntimeError(`TaskGroup ${this} is shutting down`);
    const scope = childScope(groupScope);
    markTaskScope(scope);
    let promise: Promise<T>;
    try {
      // The task runs with its own scope current, so its waits end with it (ambient.ts).
      promise = Promise.resolve(runInScope(scope, fn.length === 0 ? (fn as () => T) : () => fn(scope.signal)));
    } catch (error) {
      promise = Promise.reject(error);
    }
    const task = new Task<T>(scope, promise, options?.name);
    this.#running++;
    promise.then(
      (value: T) => this.#onTaskDone(task, true, value),
      (error: unknown) => this.#onTaskDone(task, false, error),
    );
    return task;
  }

  // Rule 70: cancelled tasks are ignored; the first failure aborts everything.
  #onTaskDone(task: Task<unknown>, fulfilled: boolean, outcome: unknown): void {
    const failed = settleTask(task, fulfilled, outcome, !fulfilled && this.#isReported(outcome));
    this.#running--;
    if (failed) {
      this.#errors.push(outcome);
      if (isObject(outcome)) {
        this.#reported ??= new Set();
        this.#reported.add(outcome);
      }
      if (!this.#aborting) {
        this.#abort(
          new CancelledError(`TaskGroup aborted because a task failed: ${describeError(outcome)}`, { cause: outcome }),
        );
      }
    }
    if (this.#running === 0 && this.#wakeExit !== undefined) this.#wakeExit();
  }

  /** Whether `error` is a failure already reported (an object: a thrown primitive cannot be told apart). */
  #isReported(error: unknown): boolean {
    return this.#reported !== undefined && isObject(error) && this.#reported.has(error);
  }

  /** Python's `_aborting`: the group aborted itself, or exit runs under an outer abort. */
  #shuttingDown(): boolean {
    return this.#aborting || (this.#exiting && this.#scope?.aborted === true);
  }

  #abort(reason: unknown): void {
    this.#aborting = true;
    this.#scope?.abort(reason);
  }

  /**
   * Leaves the group: aborts the tasks when the block threw, waits for every task, then throws
   * the failures as one `AggregateError`, or the outer abort (rule 71).
   */
  async aexit(exc?: ExcInfo): Promise<boolean> {
    const scope = this.#scope;
    if (scope === undefined) throw new RuntimeError(`TaskGroup ${this} has not been entered`);
    if (this.#exiting) throw new RuntimeError(`TaskGroup ${this} has already been exited`);
    this.#exiting = true;
    // Step 2: the block's cancellation (its signal's abort, or a CancelledError) is not a
    // failure, and neither is a failure it re-throws after awaiting the failed task.
    const blockCancelled =
      exc !== undefined &&
      (scope.isAbort(exc.error) || exc.error instanceof CancelledError || this.#isReported(exc.error));
    if (exc !== undefined && !this.#aborting) {
      const why = blockCancelled ? "the block was aborted" : `the block failed: ${describeError(exc.error)}`;
      this.#abort(new CancelledError(`TaskGroup aborted because ${why}`, { cause: exc.error }));
    }
    if (this.#running > 0) {
      // Step 4: wait until every task is done; aborts meanwhile (ours or from outside) reach
      // the tasks through their linked signals and never interrupt the wait itself.
      await new Promise<void>((resolve) => {
        this.#wakeExit = resolve;
      });
      this.#wakeExit = undefined;
    }
    scope.close();

    const errors = this.#errors.slice();
    // Step 8 (re-checked: a task may have reported the very error the block threw meanwhile).
    if (exc !== undefined && !blockCancelled && !this.#isReported(exc.error)) errors.push(exc.error);
    if (errors.length > 0) {
      const group = new AggregateError(errors, "unhandled errors in a TaskGroup");
      if (exc !== undefined) chainErrorContext(group, exc.error);
      throw group;
    }
    // No failures: an abort from outside propagates as that abort (steps 6–7).
    if (exc === undefined && scope.abortedFromOutside) throw scope.signal.reason;
    // The group's own cancel() ends the block quietly, as a trio/anyio cancel scope does.
    return blockCancelled && this.#cancelled && scope.abortedByOwn;
  }

  /**
   * Cancels the group from inside or outside its block (Python 3.15's `TaskGroup.cancel()`,
   * anyio's `tg.cancel_scope.cancel()`): every task's signal and the block's abort with `reason`
   * (a {@link CancelledError} by default), no task can be added any more, and exit still waits
   * for every task. When the block then rejects with that abort, the group swallows it: the
   * `asyncWith` resolves to `undefined`. Failures of tasks are still thrown. Called before the
   * group is entered, it cancels the group on entry; it does nothing once the group has aborted
   * for another reason or has finished.
   */
  cancel(reason: unknown = new CancelledError("TaskGroup cancelled")): void {
    if (this.#scope === undefined) {
      this.#cancelOnEntry = { reason };
      return;
    }
    if (this.#aborting || this.#scope.aborted || (this.#exiting && this.#running === 0)) return;
    this.#cancelled = true;
    this.#abort(reason);
  }

  /**
   * Starts `fn(started, signal)` as a task of the group and resolves with the value the task
   * passes to `started(value)`: a server that is listening, a worker that is ready (trio's and
   * anyio's `nursery.start` / `tg.start`). Until it calls `started`, a failure of the task
   * rejects `start` with that failure and is not a failure of the group; a task that ends
   * without calling `started` rejects it with a `RuntimeError`. Once started, the task lives on
   * in the group like any other: its failure aborts the group and is reported on exit.
   *
   * @example
   * ```ts
   * await asyncWith(new TaskGroup(), async (tg) => {
   *   const port = await tg.start<number>(async (started, signal) => {
   *     const server = await listen(0);
   *     started(server.port);
   *     await serveUntil(server, signal);
   *   });
   *   await talkTo(port);
   *   tg.cancel(); // stop the server; the group ends quietly
   * });
   * ```
   *
   * @throws RuntimeError (as a rejection) when the group cannot take a task (see createTask).
   */
  start<T = void>(
    fn: (started: (value: T) => void, signal: AbortSignal) => unknown,
    options?: CreateTaskOptions,
  ): Promise<T> {
    if (typeof fn !== "function")
      return Promise.reject(new TypeError(`start expects a function, got '${typeName(fn)}'`));
    return new Promise<T>((resolve, reject) => {
      let phase: "starting" | "started" | "ended" = "starting";
      const started = (value: T): void => {
        if (phase !== "starting") throw new RuntimeError("called 'started' twice on the same task status");
        phase = "started";
        resolve(value);
      };
      this.createTask(async (signal) => {
        try {
          await fn(started, signal);
        } catch (error) {
          // Before `started`, the failure belongs to the caller of start(), not to the group.
          if (phase !== "starting") throw error;
          phase = "ended";
          reject(error);
          return;
        }
        if (phase === "starting") {
          phase = "ended";
          reject(new RuntimeError("child exited without calling task_status.started()"));
        }
      }, options);
    });
  }

  /** Python's repr: `<TaskGroup tasks=2 errors=1 cancelling>`, `<TaskGroup entered>`, … (rule 68). */
  toString(): string {
    let info = "";
    if (this.#running > 0) info += ` tasks=${this.#running}`;
    if (this.#errors.length > 0) info += ` errors=${this.#errors.length}`;
    if (this.#shuttingDown()) info += " cancelling";
    else if (this.#entered) info += " entered";
    return `<TaskGroup${info}>`;
  }
}

// `instanceof` holds across the ESM and CJS copies of the library (src/identity.ts).
shareIdentity({ Task, TaskGroup });
