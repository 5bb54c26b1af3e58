// Preloaded into every test process by scripts/test.mjs. It makes two mistakes fail the run
// instead of passing silently: an unhandled rejection (Node's test runner already reports it
// as a failure of the running test) and a handle (socket, server, timer, child process) that a
// test file leaves open, found here once all of the file's tests have finished.
import { after } from "node:test";

// Handles the runner itself owns: the pipes to the parent process and terminals.
const runnerOwned = new Set(["PipeWrap", "TTYWrap", "SignalWrap", "SimpleWriteWrap"]);

after(async () => {
  // Let handles that were closed at the very end of the last test finish closing.
  await new Promise((resolve) => setImmediate(resolve));
  await new Promise((resolve) => setImmediate(resolve));
  const open = process.getActiveResourcesInfo().filter((kind) => !runnerOwned.has(kind));
  if (open.length > 0) {
    // The leaked handle would keep this process alive for good: end it once the failure has
    // been reported. (Not --test-force-exit: it can exit before the report is written out.)
    setTimeout(() => process.exit(1), 1000).unref();
    throw new Error(`test file left open handles behind: ${open.join(", ")}`);
  }
});
