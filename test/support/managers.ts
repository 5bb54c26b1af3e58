// Shared probe managers: context managers that log every call into a shared log (for order
// assertions), record what exit received, and enter, exit or fail as each test configures.
import type { AsyncContextManager, ContextManager, ExcInfo } from "../../src/index.js";

/** What a probe's exit does: return a value, or throw one. */
export type ExitBehaviour = { returns: unknown } | { throws: unknown };

/** What an async probe's aexit does: also reject (after a tick) with a value. */
export type AsyncExitBehaviour = ExitBehaviour | { rejects: unknown };

/**
 * A sync manager that logs `enter NAME` and `exit NAME` (or `exit NAME with error`). Its value
 * is `options.value` when given, else its name.
 */
export class Probe implements ContextManager<unknown, any> {
  enterCalls = 0;
  /** exit's arguments, one entry a call: `[]` for "no error", `[{ error }]` otherwise. */
  readonly exitCalls: unknown[][] = [];
  constructor(
    readonly name: string,
    readonly log: string[],
    readonly options: { value?: unknown; enterThrows?: { error: unknown }; exit?: ExitBehaviour } = {},
  ) {}

  enter(): unknown {
    this.enterCalls++;
    this.log.push(`enter ${this.name}`);
    if (this.options.enterThrows) throw this.options.enterThrows.error;
    return "value" in this.options ? this.options.value : this.name;
  }

  // Typed as any exit may be (the library's types reject others); at run time it returns
  // whatever the test asks for, `1` or `"yes"` included, to check that only `true` suppresses.
  exit(...args: [ExcInfo?]): boolean | void {
    this.exitCalls.push(args);
    this.log.push(args.length === 0 ? `exit ${this.name}` : `exit ${this.name} with error`);
    const behaviour = this.options.exit;
    if (behaviour && "throws" in behaviour) throw behaviour.throws;
    return behaviour?.returns as boolean | void;
  }
}

/**
 * An async manager that logs `aenter NAME`, `aexit NAME` (or `aexit NAME with error`) and, a
 * tick later, `aexit NAME done`. aenter settles a tick late; its value is `options.value` when
 * given, else its name.
 */
export class AsyncProbe implements AsyncContextManager<unknown, any> {
  enterCalls = 0;
  /** aexit's arguments, one entry a call: `[]` for "no error", `[{ error }]` otherwise. */
  readonly exitCalls: unknown[][] = [];
  constructor(
    readonly name: string,
    readonly log: string[],
    readonly options: { value?: unknown; enterRejects?: { error: unknown }; exit?: AsyncExitBehaviour } = {},
  ) {}

  async aenter(): Promise<unknown> {
    this.enterCalls++;
    this.log.push(`aenter ${this.name}`);
    await null;
    if (this.options.enterRejects) throw this.options.enterRejects.error;
    return "value" in this.options ? this.options.value : this.name;
  }

  aexit(...args: [ExcInfo?]): Promise<boolean | void> {
    this.exitCalls.push(args);
    this.log.push(args.length === 0 ? `aexit ${this.name}` : `aexit ${this.name} with error`);
    const behaviour = this.options.exit;
    // A synchronous throw from aexit, and a rejection after a tick: both are exit failing.
    if (behaviour && "throws" in behaviour) throw behaviour.throws;
    return (async () => {
      await null;
      this.log.push(`aexit ${this.name} done`);
      if (behaviour && "rejects" in behaviour) throw behaviour.rejects;
      return (behaviour && "returns" in behaviour ? behaviour.returns : undefined) as boolean | void;
    })();
  }
}
