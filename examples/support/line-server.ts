// The small local TCP server the connection and pool examples talk to: one request per line,
// answered with one line (`ping` → `pong`, anything else echoed upper-cased). Served as an async
// context manager, so the examples cannot leave it listening.
import { once } from "node:events";
import net from "node:net";
import { type AsyncContextManager, asyncContextManager } from "../../src/index.js";

export interface LineServer {
  readonly port: number;
  /** How many connections the server has accepted so far. */
  readonly accepted: () => number;
}

/** `async with lineServer() as server:` — listens on 127.0.0.1, closes every connection on exit. */
export const lineServer: () => AsyncContextManager<LineServer> = asyncContextManager(async function* () {
  const sockets = new Set<net.Socket>();
  let accepted = 0;
  const server = net.createServer((socket) => {
    accepted++;
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => {});
    let buffered = "";
    socket.setEncoding("utf8").on("data", (chunk: string) => {
      buffered += chunk;
      for (let end = buffered.indexOf("\n"); end >= 0; end = buffered.indexOf("\n")) {
        const line = buffered.slice(0, end);
        buffered = buffered.slice(end + 1);
        socket.write(`${line === "ping" ? "pong" : line.toUpperCase()}\n`);
      }
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  try {
    yield { port: (server.address() as net.AddressInfo).port, accepted: () => accepted };
  } finally {
    for (const socket of sockets) socket.destroy();
    server.close();
    await once(server, "close");
  }
});

/** Sends one line on `socket` and resolves with the one-line reply. */
export function request(socket: net.Socket, line: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let reply = "";
    const onData = (chunk: Buffer) => {
      reply += chunk.toString("utf8");
      if (reply.endsWith("\n")) {
        done();
        resolve(reply.slice(0, -1));
      }
    };
    const onClose = () => {
      done();
      reject(new Error("connection closed before the reply"));
    };
    const done = () => {
      socket.off("data", onData);
      socket.off("close", onClose);
    };
    socket.on("data", onData);
    socket.on("close", onClose);
    socket.write(`${line}\n`);
  });
}
