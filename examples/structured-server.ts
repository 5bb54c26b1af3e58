// Structured concurrency as trio and anyio users write it: a TCP server started in a
// `TaskGroup` with `tg.start` (the caller goes on once the server listens), requests bounded by
// `moveOnAfter` (a slow reply is given up quietly), a second server that fails before it is
// started (its error goes to the caller of `start`, not to the group), and `tg.cancel()` to stop
// it all, with the server's graceful close shielded from that cancellation. No signal is
// passed by hand: every wait observes the scope it runs in.
//
// Run: npx tsx examples/structured-server.ts   (in your project, import from "contextlib-ts")
import { once } from "node:events";
import net from "node:net";
import { asyncWith, CancelScope, currentSignal, moveOnAfter, sleep, TaskGroup } from "../src/index.js";

/**
 * Serves one-line requests on `port` until cancelled: `ping` → `pong`, `slow` → `done` after
 * half a second. Calls `started(port)` once it listens.
 */
async function serve(started: (port: number) => void, port = 0): Promise<void> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => {});
    socket.setEncoding("utf8").on("data", (line: string) => {
      const answer = () => {
        if (socket.writable) socket.write(line.trim() === "ping" ? "pong\n" : "done\n");
      };
      if (line.trim() === "slow") setTimeout(answer, 500);
      else answer();
    });
  });
  server.listen(port, "127.0.0.1");
  await Promise.race([once(server, "listening"), once(server, "error").then(([error]) => Promise.reject(error))]);
  started((server.address() as net.AddressInfo).port);
  try {
    await sleep(Infinity); // serve until the group is cancelled
  } finally {
    // A graceful close that must finish even though the scope around it is cancelled.
    await asyncWith(new CancelScope({ shield: true }), async () => {
      for (const socket of sockets) socket.end();
      server.close();
      await once(server, "close");
      console.log("server closed gracefully");
    });
  }
}

/** Sends one line and resolves with the reply; gives up when the current scope is cancelled. */
function ask(socket: net.Socket, line: string): Promise<string> {
  const signal = currentSignal();
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      socket.off("data", onData);
      reject(signal?.reason);
    };
    const onData = (reply: string) => {
      signal?.removeEventListener("abort", onAbort);
      resolve(reply.trim());
    };
    if (signal?.aborted) return onAbort();
    signal?.addEventListener("abort", onAbort, { once: true });
    socket.setEncoding("utf8").once("data", onData);
    socket.write(`${line}\n`);
  });
}

const outcome = await asyncWith(new TaskGroup(), async (tg) => {
  const port = await tg.start<number>((started) => serve(started));
  console.log(`server listening on port ${port}`);

  const socket = net.connect(port, "127.0.0.1");
  await once(socket, "connect");
  console.log(`ping -> ${await asyncWith(moveOnAfter(1000), () => ask(socket, "ping"))}`);
  const slow = moveOnAfter(100);
  const reply = await asyncWith(slow, () => ask(socket, "slow"));
  console.log(`slow -> ${reply ?? "gave up"} (cancelledCaught: ${slow.cancelledCaught})`);
  socket.destroy();

  try {
    await tg.start<number>((started) => serve(started, port));
  } catch (error) {
    console.log(`a second server on the same port: ${(error as NodeJS.ErrnoException).code}; the group goes on`);
  }

  tg.cancel(); // stop the server; the group ends quietly once it has closed
  await sleep(Infinity);
  return "never reached";
});
console.log(`the group exited quietly: ${outcome}`);
