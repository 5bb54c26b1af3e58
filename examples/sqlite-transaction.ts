// A SQLite transaction as a context manager: it commits when the block completes and rolls back
// when the block throws, on a real SQLite database file.
//
// SQLite comes from `node-sqlite3-wasm`: SQLite compiled to WebAssembly and shipped inside the
// npm package, with a file-system layer that reads and writes an ordinary database file. It
// installs from the npm registry alone, on any platform, with no compiler and no download of a
// prebuilt native binary (which `better-sqlite3` and `sqlite3` need), and unlike `sql.js` it
// works on a file on disk rather than an in-memory copy.
//
// Run: npx tsx examples/sqlite-transaction.ts   (in your project, import from "contextlib-ts")
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sqlite from "node-sqlite3-wasm";
import { closing, contextManager, ExitStack, syncWith } from "../src/index.js";

type Database = InstanceType<typeof sqlite.Database>;

/** `with transaction(db):` — Python's sqlite3 connection manager, written as a generator. */
const transaction = contextManager(function* (db: Database) {
  db.exec("BEGIN");
  try {
    yield db;
  } catch (error) {
    db.exec("ROLLBACK");
    console.log("  rolled back");
    throw error;
  }
  db.exec("COMMIT");
  console.log("  committed");
});

function balances(db: Database): string {
  return db
    .all("SELECT name, balance FROM accounts ORDER BY name")
    .map((row) => `${row.name}=${row.balance}`)
    .join(" ");
}

function transfer(db: Database, from: string, to: string, amount: number): void {
  db.run("UPDATE accounts SET balance = balance - ? WHERE name = ?", [amount, from]);
  const row = db.get("SELECT balance FROM accounts WHERE name = ?", [from]);
  if (row === null || Number(row.balance) < 0) throw new RangeError(`${from} cannot pay ${amount}`);
  db.run("UPDATE accounts SET balance = balance + ? WHERE name = ?", [amount, to]);
}

// The stack removes the scratch directory last, after the database is closed.
const directory = mkdtempSync(join(tmpdir(), "contextlib-ts-sqlite-"));
syncWith(new ExitStack(), (stack) => {
  stack.callback(() => rmSync(directory, { recursive: true, force: true }));
  const db = stack.enterContext(closing(new sqlite.Database(join(directory, "bank.db"))));

  db.exec("CREATE TABLE accounts (name TEXT PRIMARY KEY, balance INTEGER NOT NULL)");
  db.run("INSERT INTO accounts VALUES ('alice', 100), ('bob', 20)");
  console.log(`start: ${balances(db)}`);

  console.log("transfer 30 from alice to bob:");
  syncWith(transaction(db), (tx) => transfer(tx, "alice", "bob", 30));
  console.log(`after: ${balances(db)}`);

  console.log("transfer 500 from bob to alice:");
  try {
    syncWith(transaction(db), (tx) => transfer(tx, "bob", "alice", 500));
  } catch (error) {
    console.log(`  caller caught ${(error as Error).name}: ${(error as Error).message}`);
  }
  console.log(`after: ${balances(db)}`);
  console.log(`in a transaction: ${db.inTransaction}`);
});
console.log(`database closed, its directory removed: ${!existsSync(directory)}`);
