/**
 * The demo behind `npm start`: the example of a short article on Python's asynchronous context
 * managers ("async with"), made real. The article's `Connection` class awaits
 * `get_conn(host, port)` in `__aenter__` and `conn.close()` in `__aexit__`:
 *
 *     async with Connection('localhost', 500) as conn:
 *         ...
 *
 * becomes `await asyncWith(new Connection(host, port), async (conn) => …)`, over a real TCP
 * socket to a small line-based server that the demo starts on 127.0.0.1 (an ephemeral port,
 * unless `--host`/`--port` say otherwise). It shows a clean block, a block that throws, a
 * manager that suppresses an error, and the same connection written as a generator.
 */
import net from "node:net";
import { parseArgs } from "node:util";
import { asyncContextManager, asyncWith, type ExcInfo } from "../src/index.js";

const { values: options } = parseArgs({
  options: { host: { type: "string", default: "127.0.0.1" }, port: { type: "string", default: "0" } },
});

function say(line: string): void {
  console.log(line);
}

// -- a tiny server: answers each line; "ping" gets "pong", anything else is echoed upper-cased --

function startServer(host: string, port: number): Promise<net.Server> {
  const server = net.createServer((socket) => {
    socket.setEncoding("utf8");
    let buffered = "";
    socket.on("data", (chunk: string) => {
      buffered += chunk;
      for (let end = buffered.indexOf("\n"); end >= 0; end = buffered.indexOf("\n")) {
        const line = buffered.slice(0, end);
        buffered = buffered.slice(end + 1);
        socket.write(`${line === "ping" ? "pong" : line.toUpperCase()}\n`);
      }
    });
    socket.on("error", () => socket.destroy());
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve(server));
  });
}

// -- the client side: a socket that sends a line and reads the answer --

/** An open connection: one request at a time, one line each way. */
class Conn {
  readonly #socket: net.Socket;
  #buffered = "";
  #waiting: ((line: string) => void) | undefined;

  constructor(socket: net.Socket) {
    this.#socket = socket;
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => {
      this.#buffered += chunk;
      const end = this.#buffered.indexOf("\n");
      if (end >= 0 && this.#waiting) {
        const line = this.#buffered.slice(0, end);
        this.#buffered = this.#buffered.slice(end + 1);
        const waiting = this.#waiting;
        this.#waiting = undefined;
        waiting(line);
      }
    });
  }

  get local(): string {
    return `${this.#socket.localAddress}:${this.#socket.localPort}`;
  }

  request(line: string): Promise<string> {
    return new Promise((resolve) => {
      this.#waiting = resolve;
      this.#socket.write(`${line}\n`);
    });
  }

  /** Ends the socket and resolves once it is fully closed. */
  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.#socket.destroyed) return resolve();
      this.#socket.once("close", () => resolve());
      this.#socket.end();
    });
  }
}

function getConn(host: string, port: number): Promise<Conn> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    socket.once("error", reject);
    socket.once("connect", () => {
      socket.off("error", reject);
      resolve(new Conn(socket));
    });
  });
}

/** The article's `Connection` (Python's async context manager example): aenter opens, aexit closes and sees any error. */
class Connection {
  #conn: Conn | undefined;

  constructor(
    readonly host: string,
    readonly port: number,
  ) {}

  async aenter(): Promise<Conn> {
    this.#conn = await getConn(this.host, this.port);
    say(`  aenter: connected to ${this.host}:${this.port} from ${this.#conn.local}`);
    return this.#conn;
  }

  async aexit(exc?: ExcInfo): Promise<boolean | void> {
    say(exc ? `  aexit: the block threw ${describe(exc.error)}; closing` : "  aexit: the block completed; closing");
    await this.#conn?.close();
    say("  aexit: closed");
  }
}

class QuotaExceeded extends Error {
  override name = "QuotaExceeded";
}

/** A connection that treats a QuotaExceeded error as handled: its aexit returns `true`. */
class ForgivingConnection extends Connection {
  override async aexit(exc?: ExcInfo): Promise<boolean> {
    await super.aexit(exc);
    const handled = exc?.error instanceof QuotaExceeded;
    if (handled) say("  aexit: QuotaExceeded is expected here: returning true suppresses it");
    return handled;
  }
}

/** The same connection as a generator: code before `yield` is aenter, code after it is aexit. */
const connection = asyncContextManager(async function* (host: string, port: number) {
  const conn = await getConn(host, port);
  say(`  generator: connected from ${conn.local}; yielding the connection`);
  try {
    yield conn;
  } finally {
    await conn.close();
    say("  generator: closed in finally");
  }
});

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

async function main(): Promise<void> {
  const server = await startServer(options.host, Number(options.port));
  const address = server.address() as net.AddressInfo;
  const { address: host, port } = address;
  say(`server listening on ${host}:${port}`);
  try {
    say("\n1. a clean block: connect, exchange, close");
    const answer = await asyncWith(new Connection(host, port), async (conn) => {
      const reply = await conn.request("ping");
      say(`  body: sent "ping", got "${reply}"`);
      return reply;
    });
    say(`  asyncWith returned "${answer}"`);

    say("\n2. a block that throws: aexit sees the error, closes, and the error reaches the caller");
    try {
      await asyncWith(new Connection(host, port), async (conn) => {
        say(`  body: sent "hello", got "${await conn.request("hello")}"`);
        throw new Error("the reply was not what we wanted");
      });
    } catch (error) {
      say(`  caller caught ${describe(error)}`);
    }

    say("\n3. a manager that suppresses an error");
    const result = await asyncWith(new ForgivingConnection(host, port), async (conn) => {
      say(`  body: sent "quota?", got "${await conn.request("quota?")}"`);
      throw new QuotaExceeded("daily quota used up");
    });
    say(`  asyncWith returned ${String(result)}: the block's error was suppressed, the program goes on`);

    say("\n4. the same connection written with asyncContextManager");
    const echoed = await asyncWith(connection(host, port), async (conn) => {
      const reply = await conn.request("generators too");
      say(`  body: sent "generators too", got "${reply}"`);
      return reply;
    });
    say(`  asyncWith returned "${echoed}"`);
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    say("\nserver closed");
  }
  // Handles still open here would keep the process alive: there must be none. A closed handle
  // leaves the list only when the event loop has run its close callback, a few turns later.
  const stillOpen = () =>
    process.getActiveResourcesInfo().filter((kind) => !["TTYWrap", "PipeWrap", "FSReqCallback"].includes(kind));
  for (let turn = 0; turn < 10 && stillOpen().length > 0; turn++) {
    await new Promise((resolve) => setImmediate(resolve));
  }
  const open = stillOpen();
  say(`open handles left: ${open.length === 0 ? "none" : open.join(", ")}`);
  if (open.length > 0) process.exitCode = 1;
}

await main();
