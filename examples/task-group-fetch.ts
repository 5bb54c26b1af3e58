// A `TaskGroup` fetching from a local HTTP server under a `timeout`: the requests run together,
// the first failure or the deadline aborts the rest through their signals, and nothing is
// left running when the block ends.
//
// Run: npx tsx examples/task-group-fetch.ts   (in your project, import from "contextlib-ts")
import { once } from "node:events";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { asyncContextManager, asyncWith, TaskGroup, TimeoutError, timeout } from "../src/index.js";

/** A local HTTP server: `/item/N` answers at once; `/stuck` never answers. */
const httpServer = asyncContextManager(async function* () {
  const server = http.createServer((req, res) => {
    if (req.url?.startsWith("/item/")) {
      res.writeHead(200, { "content-type": "text/plain", connection: "close" });
      res.end(`item ${req.url.slice("/item/".length)}`);
    }
    // `/stuck`: no answer; the client's abort closes the connection.
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  try {
    yield `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  } finally {
    server.closeAllConnections();
    server.close();
    await once(server, "close");
  }
});

async function get(url: string, signal: AbortSignal): Promise<string> {
  const response = await fetch(url, { signal });
  return response.text();
}

/**
 * Fetches every path together, all under one deadline of `ms` milliseconds. As in Python, the
 * results are read once the group has finished: by then every task has succeeded.
 */
async function fetchAll(base: string, paths: string[], ms: number): Promise<string[]> {
  const tasks = await asyncWith(timeout(ms), (deadline) =>
    asyncWith(new TaskGroup({ signal: deadline.signal }), (tg) =>
      paths.map((path) => tg.createTask((signal) => get(base + path, signal))),
    ),
  );
  // `undefined` only when the group is cancelled with `tg.cancel()`, which this code never does.
  return (tasks ?? []).map((task) => task.result());
}

await asyncWith(httpServer(), async (base) => {
  console.log("three quick requests:");
  console.log(`  got ${JSON.stringify(await fetchAll(base, ["/item/1", "/item/2", "/item/3"], 5_000))}`);

  console.log("one request that never answers:");
  try {
    await fetchAll(base, ["/item/4", "/stuck"], 100);
  } catch (error) {
    const timedOut = error instanceof TimeoutError;
    console.log(`  caller caught ${timedOut ? "TimeoutError" : String(error)}: ${(error as Error).message}`);
  }
});
console.log("server closed");
