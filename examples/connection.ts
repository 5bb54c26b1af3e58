// The `Connection` of a short article on Python's asynchronous context managers (its
// `__aenter__` awaits `get_conn(host, port)`, its `__aexit__` awaits `conn.close()`): an async
// context manager that opens a TCP connection on entry and closes it on exit, whether the block
// completed or threw, here against a local server.
//
// Run: npx tsx examples/connection.ts   (in your project, import from "contextlib-ts")
import { once } from "node:events";
import net from "node:net";
import { type AsyncContextManager, asyncWith, type ExcInfo } from "../src/index.js";
import { lineServer, request } from "./support/line-server.js";

class Connection implements AsyncContextManager<net.Socket, void> {
  #socket: net.Socket | undefined;

  constructor(
    readonly host: string,
    readonly port: number,
  ) {}

  async aenter(): Promise<net.Socket> {
    const socket = net.connect(this.port, this.host);
    await once(socket, "connect");
    this.#socket = socket;
    return socket;
  }

  async aexit(exc?: ExcInfo): Promise<void> {
    const socket = this.#socket as net.Socket;
    console.log(`  aexit: ${exc ? `the block threw ${String(exc.error)}` : "the block completed"}; closing`);
    socket.end();
    if (!socket.closed) await once(socket, "close");
  }
}

await asyncWith(lineServer(), async (server) => {
  console.log("a block that completes:");
  const reply = await asyncWith(new Connection("127.0.0.1", server.port), (conn) => request(conn, "ping"));
  console.log(`  returned ${JSON.stringify(reply)}`);

  console.log("a block that throws:");
  try {
    await asyncWith(new Connection("127.0.0.1", server.port), async (conn) => {
      const answer = await request(conn, "hello");
      throw new Error(`unexpected reply ${answer}`);
    });
  } catch (error) {
    console.log(`  caller caught ${String(error)}`);
  }
});
console.log("server closed");
