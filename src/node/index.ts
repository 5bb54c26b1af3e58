/**
 * `contextlib-ts/node`: the managers that need Node's process (Python's `contextlib.chdir`,
 * `redirect_stdout` and `redirect_stderr`): `chdir`, `redirectStdout` and `redirectStderr`.
 *
 * They change process-wide state, so, like Python's, they are not safe to overlap with other
 * code running at the same time: an `asyncWith` block that awaits lets other tasks run while
 * the directory or the stream is changed for them too.
 *
 * @module
 */

import { fileURLToPath } from "node:url";
import { shareIdentity } from "../identity.js";
import type { ContextManager, ExcInfo } from "../index.js";

// -- chdir ------------------------------------------------------------------------------------

/**
 * The manager {@link chdir} returns: enter changes the working directory, exit changes it back.
 *
 * @example
 * ```ts
 * const inBuild: Chdir = chdir("build");
 * syncWith(inBuild, () => fs.readdirSync("."));
 * ```
 */
export class Chdir implements ContextManager<undefined, void> {
  readonly #directory: string;
  // Rule 53: one saved directory per active entry, so the same instance can be nested in itself.
  readonly #previous: string[] = [];

  /** Use {@link chdir}. */
  constructor(directory: string | URL) {
    if (typeof directory !== "string" && !(directory instanceof URL)) {
      throw new TypeError(`chdir() expects a path string or a file: URL, got '${typeof directory}'`);
    }
    this.#directory = typeof directory === "string" ? directory : fileURLToPath(directory);
  }

  /** The directory this manager changes to, as given (a URL converted to a path). */
  get directory(): string {
    return this.#directory;
  }

  /** Remembers the current working directory, then changes to the target one. */
  enter(): undefined {
    const previous = process.cwd();
    // Saved only once the change succeeded: a failed enter has no exit, so nothing may be left
    // on the stack for a later exit to pop by mistake.
    process.chdir(this.#directory);
    this.#previous.push(previous);
    return undefined;
  }

  /** Changes back to the directory saved by the matching enter, whatever happened in the block. */
  exit(_exc?: ExcInfo): void {
    const previous = this.#previous.pop();
    if (previous !== undefined) process.chdir(previous);
  }
}

/**
 * Python's `contextlib.chdir`: runs the block in another working directory and changes back
 * afterwards, whatever happens. Reusable and re-entrant; never suppresses.
 *
 * `process.chdir()` is not available in worker threads: there, enter throws Node's
 * `ERR_WORKER_UNSUPPORTED_OPERATION` and the block does not run.
 *
 * @example
 * ```ts
 * import { chdir } from "contextlib-ts/node";
 * syncWith(chdir(buildDir), () => execFileSync("make"));
 * ```
 */
export function chdir(directory: string | URL): Chdir {
  return new Chdir(directory);
}

// -- redirectStdout / redirectStderr ----------------------------------------------------------

/**
 * Where redirected output goes: any object with a `write` method, such as a Writable stream,
 * or `null` to discard it. It receives `write`'s arguments as given (chunk, then the optional
 * encoding and callback).
 *
 * @example
 * ```ts
 * const collector: WriteTarget = { write: (chunk: string) => chunks.push(chunk) };
 * ```
 */
export type WriteTarget = {
  /**
   * Called for every write to the redirected stream while the block runs, with `write`'s
   * arguments as given (chunk, then the optional encoding and callback); its result is returned
   * to the writer.
   */
  write(chunk: any, ...rest: any[]): unknown;
} | null;

/**
 * Which of the process's streams a {@link RedirectStream} redirects: `process.stdout`
 * ({@link redirectStdout}) or `process.stderr` ({@link redirectStderr}).
 *
 * @example
 * ```ts
 * const name: StreamName = "stderr";
 * const quiet = new RedirectStream(name, null); // the same as redirectStderr(null)
 * syncWith(quiet, () => console.error("dropped"));
 * ```
 */
export type StreamName = "stdout" | "stderr";

/** `process.stdout.write` as it was before an enter: an own property, or none (inherited). */
type SavedWrite = PropertyDescriptor | undefined;

/** A `write` that drops the output, still calling a callback, as a stream would once written. */
function discardingWrite(...args: unknown[]): boolean {
  const callback = args[args.length - 1];
  if (typeof callback === "function") queueMicrotask(() => callback());
  return true;
}

/**
 * The manager {@link redirectStdout} and {@link redirectStderr} return: enter sends the
 * process's stream to the target, exit sends it back where it went before.
 *
 * Python rebinds `sys.stdout`. Node's `process.stdout` is a getter-backed global that cannot be
 * rebound, and `console` holds the stream object itself, so the only place every writer goes
 * through is the stream's `write` method: that is what enter replaces (as an own property of
 * the stream object) and exit restores.
 *
 * @example
 * ```ts
 * const quiet: RedirectStream<null> = redirectStdout(null);
 * syncWith(quiet, () => chattyLibrary.run()); // its console.log output is dropped
 * ```
 */
export class RedirectStream<T extends WriteTarget> implements ContextManager<T, void> {
  readonly #streamName: StreamName;
  readonly #target: T;
  // Rule 54: one saved `write` per active entry, so the same instance can be nested in itself.
  readonly #saved: SavedWrite[] = [];

  /** Use {@link redirectStdout} or {@link redirectStderr}; constructing redirects nothing. */
  constructor(streamName: StreamName, target: T) {
    if (target !== null && (typeof target !== "object" || typeof target.write !== "function")) {
      throw new TypeError(
        `redirect${streamName === "stdout" ? "Stdout" : "Stderr"}() expects an object with a write() method or null`,
      );
    }
    this.#streamName = streamName;
    this.#target = target;
  }

  /** The target given at construction. */
  get target(): T {
    return this.#target;
  }

  /** Sends the stream's writes to the target from now on, and returns the target. */
  enter(): T {
    const stream = process[this.#streamName];
    this.#saved.push(Object.getOwnPropertyDescriptor(stream, "write"));
    const target = this.#target;
    const write =
      target === null
        ? discardingWrite
        : (...args: unknown[]): unknown => (target.write as (...a: unknown[]) => unknown)(...args);
    Object.defineProperty(stream, "write", { value: write, writable: true, configurable: true, enumerable: false });
    return target;
  }

  /** Puts back the `write` that was in place at the matching enter, whatever happened in the block. */
  exit(_exc?: ExcInfo): void {
    if (this.#saved.length === 0) return;
    const saved = this.#saved.pop();
    const stream = process[this.#streamName];
    if (saved === undefined) delete (stream as { write?: unknown }).write;
    else Object.defineProperty(stream, "write", saved);
  }
}

/**
 * Python's `contextlib.redirect_stdout`: while the block runs, `process.stdout.write` (and so
 * `console.log`, `console.info`, …) writes to `target` instead, or nowhere for `null`. Output
 * goes back to where it went before when the block ends. Constructing the manager redirects
 * nothing; the block receives `target`. Reusable and re-entrant; never suppresses.
 *
 * Only JavaScript writes through `process.stdout` are redirected: output a child process or
 * native code writes to file descriptor 1 is not, as in Python.
 *
 * @example
 * ```ts
 * import { redirectStdout } from "contextlib-ts/node";
 * const lines: string[] = [];
 * syncWith(redirectStdout({ write: (chunk: string) => lines.push(chunk) }), () => {
 *   console.log("captured");
 * });
 * lines; // ["captured\n"]
 * ```
 */
export function redirectStdout<T extends WriteTarget>(target: T): RedirectStream<T> {
  return new RedirectStream("stdout", target);
}

/**
 * Python's `contextlib.redirect_stderr`: like {@link redirectStdout}, for `process.stderr`
 * (`console.error`, `console.warn`, …).
 *
 * @example
 * ```ts
 * import { redirectStderr } from "contextlib-ts/node";
 * const log = fs.createWriteStream("warnings.log");
 * syncWith(redirectStderr(log), () => runNoisyTool());
 * ```
 */
export function redirectStderr<T extends WriteTarget>(target: T): RedirectStream<T> {
  return new RedirectStream("stderr", target);
}

// `instanceof` holds across the ESM and CJS copies of the library (src/identity.ts).
shareIdentity({ Chdir, RedirectStream });
