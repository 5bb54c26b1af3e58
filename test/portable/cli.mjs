// Runs the portable suite on a command-line runtime (Node, Deno, Bun) and prints its counts as
// one closing line, `N passed, N failed`; the exit code is 1 when any test failed.
import { run } from "./suite.mjs";

const result = await run((line) => console.log(line));
console.log(`${result.passed} passed, ${result.failed} failed, ${result.skipped} skipped`);
if (result.failed > 0 || result.passed === 0) {
  if (typeof Deno === "object") Deno.exitCode = 1;
  else process.exitCode = 1;
}
