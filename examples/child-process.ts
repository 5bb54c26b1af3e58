// A child process that is terminated when the block ends, whether it completed or threw: no
// orphaned worker survives a failure in the code that started it.
//
// Run: npx tsx examples/child-process.ts   (in your project, import from "contextlib-ts")
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { type AsyncContextManager, asyncWith, type ExcInfo } from "../src/index.js";

/** A running child process: enter starts it, exit terminates it and waits until it is gone. */
class Subprocess implements AsyncContextManager<ChildProcess, void> {
  #child: ChildProcess | undefined;

  constructor(
    readonly command: string,
    readonly args: readonly string[],
  ) {}

  async aenter(): Promise<ChildProcess> {
    const child = spawn(this.command, this.args, { stdio: ["ignore", "pipe", "inherit"] });
    await once(child, "spawn");
    this.#child = child;
    console.log(`  started pid ${child.pid}`);
    return child;
  }

  async aexit(exc?: ExcInfo): Promise<void> {
    const child = this.#child as ChildProcess;
    if (child.exitCode === null && child.signalCode === null) {
      const exited = once(child, "exit");
      child.kill("SIGTERM");
      const [code, signal] = await exited;
      console.log(`  terminated (${signal ?? code})${exc ? " after the block threw" : ""}`);
    }
  }
}

/** A worker that would run for ever: it prints a line a tick. */
const worker = () =>
  new Subprocess(process.execPath, ["-e", 'let n = 0; setInterval(() => console.log("tick", ++n), 5);']);

async function firstLines(child: ChildProcess, count: number): Promise<string[]> {
  const lines: string[] = [];
  if (child.stdout === null) throw new Error("the child has no stdout pipe");
  const reader = createInterface({ input: child.stdout });
  for await (const line of reader) {
    lines.push(line);
    if (lines.length === count) break;
  }
  return lines;
}

console.log("a block that completes:");
const lines = await asyncWith(worker(), (child) => firstLines(child, 3));
console.log(`  the block read ${JSON.stringify(lines)}`);

console.log("a block that throws:");
let pid: number | undefined;
try {
  await asyncWith(worker(), async (child) => {
    pid = child.pid;
    await firstLines(child, 1);
    throw new Error("the parent gave up");
  });
} catch (error) {
  console.log(`  caller caught: ${(error as Error).message}`);
}
let alive = true;
try {
  process.kill(pid as number, 0);
} catch {
  alive = false;
}
console.log(`  child still running: ${alive}`);
