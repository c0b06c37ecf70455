// The storage contract on SQLite (node:sqlite), plus what only a file database has.
import assert from "node:assert/strict";
import { join } from "node:path";
import { sql } from "kysely";
import { storageContract } from "../contract/storage_contract.ts";
import {
  insertFill,
  listFills,
  migrate,
  openDatabase,
  StorageOpenError,
} from "../../shared/storage/mod.ts";

storageContract("sqlite", async () => {
  const store = await openDatabase("sqlite::memory:");
  return { store, dispose: () => store.close() };
});

const FILL = {
  clientOrderId: "o1",
  symbol: "BTC/USDT",
  side: "buy" as const,
  quantity: 0.1 + 0.2,
  price: 123456789.123456789,
  fee: 1e-8,
  barTime: 2 ** 40,
};

Deno.test("sqlite file: parent folders are created, WAL is on, data survives a reopen", async () => {
  const dir = await Deno.makeTempDir({ prefix: "storage_sqlite_" });
  try {
    const path = join(dir, "nested", "deeper", "bot.db");
    const store = await openDatabase(`sqlite:${path}`);
    assert.equal(store.kind, "sqlite");
    assert.equal(store.schema, null);
    const mode = await sql<{ journal_mode: string }>`pragma journal_mode`.execute(store.db);
    assert.equal(mode.rows[0].journal_mode, "wal");
    const busy = await sql<{ timeout: number }>`pragma busy_timeout`.execute(store.db);
    assert.equal(busy.rows[0].timeout, 5000);
    assert.deepEqual(await migrate(store), ["0001_initial", "0002_order_events"]);
    assert.equal(await insertFill(store.db, "f1", FILL), true);
    await store.close();
    await store.close(); // idempotent

    const again = await openDatabase(`sqlite:${path}`, { busyTimeoutMs: 250 });
    const busy2 = await sql<{ timeout: number }>`pragma busy_timeout`.execute(again.db);
    assert.equal(busy2.rows[0].timeout, 250);
    assert.deepEqual(await migrate(again), []);
    assert.equal(await insertFill(again.db, "f1", FILL), false);
    assert.deepEqual(await listFills(again.db, { limit: 10 }), [{ ...FILL, id: "f1" }]);
    await again.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("sqlite file: two stores on one file see each other's writes", async () => {
  const dir = await Deno.makeTempDir({ prefix: "storage_sqlite_" });
  try {
    const url = `sqlite:${join(dir, "shared.db")}`;
    const writer = await openDatabase(url);
    await migrate(writer);
    const reader = await openDatabase(url);
    assert.deepEqual(await migrate(reader), []);
    await insertFill(writer.db, "f1", FILL);
    assert.deepEqual((await listFills(reader.db, { limit: 1 })).map((f) => f.id), ["f1"]);
    await writer.close();
    await reader.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("sqlite: a store closed before any query closes its file", async () => {
  const dir = await Deno.makeTempDir({ prefix: "storage_sqlite_" });
  try {
    const store = await openDatabase(`sqlite:${join(dir, "x.db")}`);
    await store.close();
    await assert.rejects(listFills(store.db, { limit: 1 }));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("sqlite: an unopenable path or bad option is a clear error", async () => {
  const dir = await Deno.makeTempDir({ prefix: "storage_sqlite_" });
  try {
    const file = join(dir, "a-file");
    await Deno.writeTextFile(file, "x");
    // The parent "folder" is a regular file: neither mkdir nor open can succeed.
    await assert.rejects(
      openDatabase(`sqlite:${join(file, "db.sqlite")}`),
      (e: Error) =>
        e instanceof StorageOpenError && e.message.includes("cannot open sqlite database"),
    );
    await assert.rejects(openDatabase("sqlite::memory:", { busyTimeoutMs: -1 }), /busyTimeoutMs/);
    await assert.rejects(openDatabase("sqlite:"), /sqlite url has no path/);
    await assert.rejects(openDatabase("mysql://x"), /unsupported database url scheme 'mysql:'/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
