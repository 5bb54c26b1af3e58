// The portable suite: every module outside `contextlib-ts/node`, checked against the built ESM
// output with nothing but the language, so each runtime of the matrix runs exactly this file.
import { run, skip } from "./runner.mjs";
import "./with.mjs";
import "./contextlib.mjs";
import "./asyncio.mjs";
import "./ambient.mjs";

// Tests written with the real `using` / `await using` syntax run wherever the runtime parses it.
try {
  await import("./native-using.mjs");
} catch (error) {
  if (!(error instanceof SyntaxError)) throw error;
  skip("native using syntax", `this runtime cannot parse \`await using\` (${error.message})`);
}

export { run };
