// The declarations the API reference's `@example` blocks assume without showing them, beside
// docs/samples-prelude.d.ts (test/api-examples.test.ts type-checks every example with both).
// A member's example uses the instance by its class's name in lower case (`condition.wait()`,
// `stack.enterContext(…)`) and the caller's `signal`; its work is declared here. Declarations
// only.

type Lib = typeof import("contextlib-ts");

/** The caller's abort signal, which an example passes on. */
declare const signal: AbortSignal;
// `url`, `request` and `download` are declared in docs/samples-prelude.d.ts, loaded beside this file.
declare const callerSignal: AbortSignal;

/** The instance a member's example is about. */
declare const condition: import("contextlib-ts").Condition;
declare const semaphore: import("contextlib-ts").Semaphore;
declare const barrier: import("contextlib-ts").Barrier;
declare const stack: import("contextlib-ts").AsyncExitStack;
declare const tg: import("contextlib-ts").TaskGroup;
declare const ready: import("contextlib-ts").Event;

/** Node's file system, as most examples import it. */
declare const fs: typeof import("node:fs");

/** A client of a network service, managed by a pool. */
declare class Client {
  static connect(url: string): Promise<Client>;
  end(): Promise<void>;
  isHealthy(): boolean;
  query(sql: string): Promise<unknown[]>;
}
declare class ConnectionLostError extends Error {}
declare const id: string;
interface User {
  name: string;
}
declare function fetchUser(id: string, options?: { signal?: AbortSignal }): Promise<User>;
declare function fetchPosts(id: string, options?: { signal?: AbortSignal }): Promise<string[]>;
declare function render(user: User, posts: string[]): void;
declare function poll(signal: AbortSignal): Promise<void>;

/** A queue of jobs, shared by producers and consumers. */
declare const jobs: string[];
declare const queue: string[];
declare const job: string;
declare function handle(item: string | undefined): void;

/** Resources an example opens and the work it does with them. */
interface Reader {
  readAll(): string;
  close(): void;
}
declare function openA(): Disposable;
declare function openB(): Disposable;
declare function first(): import("contextlib-ts").ContextManager<unknown>;
declare function second(): import("contextlib-ts").ContextManager<unknown>;
declare function critical(): Promise<void>;
declare function flush(): Promise<void>;
declare function write(file: string): Promise<void>;
declare const file: string;
declare function longJob(): Promise<void>;
declare function ping(): void;
declare function retry(): void;
declare const sql: string;
declare function step1(signal: AbortSignal): Promise<void>;
declare function step2(signal: AbortSignal): Promise<void>;
declare function slow(response: Response): boolean;
declare function shutdown(): Promise<void>;
declare function sendReport(error: unknown): Promise<void>;
declare function save(): void;
declare const host: string;
declare const port: number;
declare const tmp: string;
declare const buildDir: string;
declare const existingFile: { write(text: string): void };

/** Node's functions, as the examples of contextlib-ts/node use them. */
declare const openSync: typeof import("node:fs").openSync;
declare const closeSync: typeof import("node:fs").closeSync;
declare const readSync: typeof import("node:fs").readSync;
declare const writeSync: typeof import("node:fs").writeSync;
declare const readFileSync: typeof import("node:fs").readFileSync;
declare const rmSync: typeof import("node:fs").rmSync;
declare const mkdtempSync: typeof import("node:fs").mkdtempSync;
declare const tmpdir: typeof import("node:os").tmpdir;
declare const execFileSync: typeof import("node:child_process").execFileSync;
declare const sleep: typeof import("node:timers/promises").setTimeout;

/** A manager class an example defines elsewhere (see ContextDecorator, AsyncContextDecorator). */
type Traced = import("contextlib-ts").ContextDecorator;
declare const Traced: new () => Traced;
type Timed = import("contextlib-ts").AsyncContextDecorator;
declare const Timed: new () => Timed;

/** An open connection and a file descriptor an example releases. */
declare const conn: Conn;
declare const fd: number;
declare function releaseHandle(): void;
interface Config {
  port: number;
}
declare const config: Config;
declare const shared: boolean;
declare const record: Row;
declare function update(record: Row): Promise<void>;
declare const text: string;
declare function fetchPages(url: string): AsyncGenerator<string>;
declare function queryRows(sql: string): AsyncGenerator<Row>;
declare function readRecords(url: string): AsyncGenerator<{ last: boolean }>;
declare const chunks: string[];
declare const chattyLibrary: { run(): void };
declare function runNoisyTool(): void;

/** The Redis side (contextlib-ts/redis), beside samples-prelude.d.ts's redisLock, migrate, storage. */
declare const client: import("contextlib-ts/redis").RedisClient;
declare const nodeRedis: import("contextlib-ts/redis").NodeRedisLike;
declare const ioredis: import("contextlib-ts/redis").IoredisLike;
declare const redisSemaphore: import("contextlib-ts/redis").RedisSemaphore;
interface Fenced {
  fencingToken?: number;
  signal?: AbortSignal;
}
declare function runMigrations(options: Fenced): Promise<void>;

/** Work that takes the block's signal (timeout, exit-stack and generator examples). */
declare function work(signal: AbortSignal): Promise<void>;
declare function report(error: unknown): Promise<void>;
declare const timer: ReturnType<typeof setInterval>;
declare function done(): void;
declare function openHandle(): Disposable;
declare function acquireLock(): Disposable;
declare function isNotFound(error: unknown): boolean;
declare const buffer: Uint8Array;
declare let level: number;
interface Db {
  query(sql: string): Promise<unknown[]>;
}
/** A connection class with its own async manager methods (asyncWith(new Connection(…), …)). */
declare class Connection {
  constructor(host: string, port: number);
  aenter(): Promise<Conn>;
  aexit(): Promise<void>;
}
/** The file names an exit-stack example opens, and the queue a cancel-scope example drains. */
declare const names: string[];
declare function drain(queue: string[]): Promise<void>;
