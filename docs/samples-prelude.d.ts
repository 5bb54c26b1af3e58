// The declarations the documentation's samples assume without showing them: the resources
// they manage (a connection, a database, a file) and a few values. `npm test` type-checks every
// ```ts block of README.md and docs/ against the built package with this file beside it
// (test/doc-samples.test.ts). They are declarations only: a sample that uses one is checked,
// not run.

type ContextManager<T> = import("contextlib-ts").ContextManager<T>;

/** A network connection (the Python article's `conn`). */
interface Conn {
  send(message: string): Promise<void>;
  query(sql: string, options?: { signal?: AbortSignal }): Promise<unknown[]>;
  close(): Promise<void>;
}
/** The article's `get_conn(host, port)`. */
declare function getConn(host: string, port: number): Promise<Conn>;
/** The same connection as a generator manager (README, "Generator-based managers"). */
declare const connection: (host: string, port: number) => import("contextlib-ts").AsyncGeneratorContextManager<Conn>;
declare function connect(): Promise<Conn>;
declare const pool: import("contextlib-ts").Pool<Conn>;
declare const lock: import("contextlib-ts").Lock;
declare const urls: string[];

/** A database with a synchronous API (SQLite-like): `exec` returns the number of changed rows. */
interface Database {
  exec(sql: string): number;
}
declare const db: Database;
interface Row {
  id: number;
}
interface Ledger {
  sum(): number;
}
declare function openLedger(): ContextManager<Ledger>;

/** Files and streams. */
interface File {
  read(): string;
  close(): void;
}
declare function openFile(name: string): File;
declare function openReader(path: string): File;
declare function copy(from: File, to: File): void;
declare function readText(path: string): string;
declare const path: string;
declare function stream(): AsyncGenerator<{ done: boolean }>;
declare const fileHandle: AsyncDisposable;
declare const logFile: import("contextlib-ts/node").WriteTarget;
declare const cache: { evict(key: string): void };
declare const key: string;

/** Error classes a sample tells apart. */
declare class NotFoundError extends Error {}
declare class AbortError extends Error {}
declare class QueryError extends Error {}

/** Managers and work. */
declare const maybeLock: ContextManager<unknown> | undefined;
declare function work(): void;
declare function run(): void;
declare function log(message: string): void;

/** contextlib-ts/redis: a lock on a shared Redis, the work it guards, a store that checks fencing tokens. */
declare const redisLock: import("contextlib-ts/redis").RedisLock;
declare function migrate(options: { signal: AbortSignal; fencingToken: number }): Promise<void>;
declare function callPaymentApi(options: { signal: AbortSignal; fencingToken: number }): Promise<void>;
declare const storage: {
  put(path: string, data: Uint8Array, options: { fencingToken: number }): Promise<void>;
};
declare const data: Uint8Array;

/** docs/cancellation.md: a request with its own signal, a download, a server to start and ask. */
declare const url: string;
declare const request: { readonly signal: AbortSignal };
declare function download(url: string, options?: { signal?: AbortSignal }): Promise<Uint8Array>;
interface Server {
  readonly port: number;
}
declare const server: Server;
declare function ask(server: Server): Promise<string>;
declare const finished: boolean;
declare function listen(port: number): Promise<Server>;
declare function serveUntil(server: Server, signal: AbortSignal): Promise<void>;
declare function talkTo(port: number): Promise<void>;
