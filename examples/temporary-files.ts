// A temporary directory removed on exit, and a file handle closed on exit, even when the block
// fails: Python's `tempfile.TemporaryDirectory()` and `open()` as async context managers.
//
// Run: npx tsx examples/temporary-files.ts   (in your project, import from "contextlib-ts")
import { existsSync } from "node:fs";
import { type FileHandle, mkdtemp, open, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { asyncContextManager, asyncWith } from "../src/index.js";

/** `async with temporaryDirectory() as path:` — the directory and all it holds go on exit. */
const temporaryDirectory = asyncContextManager(async function* (prefix: string = "contextlib-ts-") {
  const path = await mkdtemp(join(tmpdir(), prefix));
  try {
    yield path;
  } finally {
    await rm(path, { recursive: true, force: true });
  }
});

/** `async with openFile(path, "w") as handle:` — the handle is closed on exit, whatever happened. */
const openFile = asyncContextManager(async function* (path: string, flags: string) {
  const handle: FileHandle = await open(path, flags);
  try {
    yield handle;
  } finally {
    await handle.close();
    console.log(`  closed ${path.slice(path.lastIndexOf("/") + 1)}`);
  }
});

let directory = "";
await asyncWith(temporaryDirectory(), async (path) => {
  directory = path;
  const notes = join(path, "notes.txt");
  await asyncWith(openFile(notes, "w"), async (handle) => {
    await handle.write("written inside the block\n");
  });
  console.log(`read back: ${JSON.stringify(await readFile(notes, "utf8"))}`);

  try {
    await asyncWith(openFile(join(path, "half.txt"), "w"), async (handle) => {
      await handle.write("half a record");
      throw new Error("the block failed half-way");
    });
  } catch (error) {
    console.log(`caller caught: ${(error as Error).message}`);
  }
  console.log(`directory exists inside the block: ${existsSync(path)}`);
});
console.log(`directory exists after the block: ${existsSync(directory)}`);
