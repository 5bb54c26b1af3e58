// Loads what the suite compares: the library's built output and each peer, in an order that
// keeps the peers from changing what the others see.
//
// The native stacks are read before anything else is loaded, because core-js installs its own
// globals where the runtime has none (Node 20) and keeps the native ones where they exist
// (Node 24); the @whatwg-node ponyfill class is loaded by file, since its package entry hands
// out the native class whenever there is one.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = fileURLToPath(new URL("../..", import.meta.url));
/**
 * Where the peers are installed: bench/node_modules, from bench/package-lock.json, on demand
 * (scripts/ensure-deps.mjs), so the root install stays lean. Every peer path is read from here.
 */
export const peers = `${root}bench/node_modules/`;
const require = createRequire(`${root}bench/package.json`);
const cache = `${root}.cache/bench`;
// BENCH_LIB points the suite at another compiled copy of the library (a scratch experiment).
const libDir = process.env.BENCH_LIB ?? `${cache}/lib`;

async function importOptional(specifier) {
  try {
    return await import(specifier);
  } catch (error) {
    if (error?.code === "ERR_MODULE_NOT_FOUND" || error instanceof SyntaxError) return null;
    throw error;
  }
}

/** Everything the benchmark groups use, keyed by what it is. */
export async function loadAll() {
  const native = {
    AsyncDisposableStack: globalThis.AsyncDisposableStack ?? null,
    DisposableStack: globalThis.DisposableStack ?? null,
  };
  // Through the public entry point, as users import it.
  const lib = await import(pathToFileURL(`${libDir}/index.js`).href);
  const whatwgAsync = await import(
    pathToFileURL(`${peers}@whatwg-node/disposablestack/esm/AsyncDisposableStack.js`).href
  );
  const whatwgSync = await import(pathToFileURL(`${peers}@whatwg-node/disposablestack/esm/DisposableStack.js`).href);
  const esShimsAsync = require("disposablestack/AsyncDisposableStack/implementation");
  const esShimsSync = require("disposablestack/DisposableStack/implementation");
  require("core-js/actual/async-disposable-stack");
  require("core-js/actual/disposable-stack");
  const coreJs = {
    AsyncDisposableStack: globalThis.AsyncDisposableStack,
    DisposableStack: globalThis.DisposableStack,
    isNative: native.AsyncDisposableStack !== null && globalThis.AsyncDisposableStack === native.AsyncDisposableStack,
  };
  const effect = await import("effect");
  const contextlib = await import(pathToFileURL(`${cache}/contextlib.mjs`).href);
  const downlevel = await import(pathToFileURL(`${cache}/downlevel/using.js`).href);
  // Only runtimes that parse `await using` can load the untouched syntax.
  const nativeUsing = await importOptional(pathToFileURL(`${cache}/native/using.js`).href);
  const asyncMutex = await import("async-mutex");
  const genericPool = require("generic-pool");
  return {
    lib,
    native,
    nativeUsing,
    downlevel,
    esShims: { AsyncDisposableStack: esShimsAsync, DisposableStack: esShimsSync },
    whatwg: {
      AsyncDisposableStack: whatwgAsync.PonyfillAsyncDisposableStack,
      DisposableStack: whatwgSync.PonyfillDisposableStack,
    },
    coreJs,
    effect,
    contextlib,
    asyncMutex,
    genericPool,
  };
}

/** Versions of the runtime and the peers, for the report. */
export function versions() {
  const version = (name) => {
    try {
      return JSON.parse(
        readFileSync(`${name === "typescript" ? `${root}node_modules/` : peers}${name}/package.json`, "utf8"),
      ).version;
    } catch {
      return "?";
    }
  };
  return {
    node: process.version,
    v8: process.versions.v8,
    typescript: version("typescript"),
    disposablestack: version("disposablestack"),
    "core-js": version("core-js"),
    "@whatwg-node/disposablestack": version("@whatwg-node/disposablestack"),
    effect: version("effect"),
    contextlib: version("contextlib"),
    "async-mutex": version("async-mutex"),
    "generic-pool": version("generic-pool"),
  };
}
