// The Redis server the redis tests run against: the one at REDIS_URL, or a redis-server started
// here on a free port with persistence off (no RDB, no AOF) when the binary is on PATH. In CI
// (CI=true) a missing Redis fails the run; elsewhere the tests are skipped, saying why.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:net";

export interface RedisServer {
  readonly url: string;
  readonly port: number;
  /** Stops the server (SIGKILL: its state is lost, as after a crash) and starts it again on the same port. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** Why the redis tests cannot run here, or `undefined` when they can. */
export function missingRedis(): string | undefined {
  if (process.env.REDIS_URL) return undefined;
  try {
    execFileSync("redis-server", ["--version"], { stdio: "ignore" });
    return undefined;
  } catch {
    const why = "redis-server is not on PATH and REDIS_URL is not set (apt-get install redis-server)";
    if (process.env.CI) throw new Error(`CI needs Redis for the redis tests: ${why}`);
    return why;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function startOn(port: number): Promise<ChildProcess> {
  const child = spawn(
    "redis-server",
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--logfile", ""],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  let out = "";
  child.stdout?.setEncoding("utf8");
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: string): void => {
      out += chunk;
      if (out.includes("Ready to accept connections")) {
        child.stdout?.off("data", onData);
        child.stdout?.resume();
        resolve();
      }
    };
    child.stdout?.on("data", onData);
    child.once("exit", (code) => reject(new Error(`redis-server exited (${code}): ${out}`)));
  });
  return child;
}

/** Starts a private redis-server, or points at REDIS_URL (whose restart is then not possible). */
export async function startRedis(): Promise<RedisServer> {
  if (process.env.REDIS_URL) {
    const url = process.env.REDIS_URL;
    return {
      url,
      port: Number(new URL(url).port || 6379),
      restart: () => Promise.reject(new Error("cannot restart the Redis at REDIS_URL")),
      stop: async () => {},
    };
  }
  const port = await freePort();
  let child = await startOn(port);
  const kill = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, "exit");
    child.kill("SIGKILL");
    await exited;
  };
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    async restart() {
      await kill();
      child = await startOn(port);
    },
    stop: kill,
  };
}
