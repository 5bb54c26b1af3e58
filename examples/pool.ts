// A `Pool` of TCP connections to a local server: asyncpg's and aiohttp's
// `async with pool.acquire() as conn`. Many tasks share a few connections; a connection that
// failed fatally is destroyed instead of going back to the pool.
//
// Run: npx tsx examples/pool.ts   (in your project, import from "contextlib-ts")
import { once } from "node:events";
import net from "node:net";
import { asyncWith, Pool, TaskGroup } from "../src/index.js";
import { lineServer, request } from "./support/line-server.js";

class BrokenConnection extends Error {
  override name = "BrokenConnection";
}

await asyncWith(lineServer(), async (server) => {
  const pool = new Pool<net.Socket>({
    create: async () => {
      const socket = net.connect(server.port, "127.0.0.1");
      await once(socket, "connect");
      return socket;
    },
    destroy: async (socket) => {
      socket.end();
      if (!socket.closed) await once(socket, "close");
    },
    isFatal: (error) => error instanceof BrokenConnection,
    max: 2,
  });

  await asyncWith(pool, async () => {
    // Six requests at once, never more than two connections.
    const replies = await asyncWith(new TaskGroup(), async (tg) => {
      const tasks = ["a", "b", "c", "d", "e", "f"].map((word) =>
        tg.createTask((signal) => asyncWith(pool.acquire({ signal }), (conn) => request(conn, word))),
      );
      return Promise.all(tasks);
    });
    console.log(`replies: ${replies?.join(" ")}`); // undefined only after a tg.cancel()
    console.log(`connections opened: ${server.accepted()}, in the pool: ${pool.size}`);

    try {
      await asyncWith(pool.acquire(), async (conn) => {
        await request(conn, "ping");
        throw new BrokenConnection("the protocol went out of sync");
      });
    } catch (error) {
      console.log(`caller caught ${String(error)}`);
    }
    console.log(`after a fatal error, in the pool: ${pool.size}`);
    const reply = await asyncWith(pool.acquire({ timeoutMs: 1000 }), (conn) => request(conn, "ping"));
    console.log(`a later borrower still gets an answer: ${reply}`);
  });
  console.log(`pool closed: ${pool.closed}, connections left: ${pool.size}`);
});
