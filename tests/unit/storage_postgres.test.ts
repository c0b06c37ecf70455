// The storage contract on PostgreSQL. Each test gets its own schema, dropped afterwards.
// TEST_POSTGRES_URL overrides the server (default: the local test database).
import assert from "node:assert/strict";
import { sql } from "kysely";
import { storageContract } from "../contract/storage_contract.ts";
import {
  insertFill,
  listFills,
  migrate,
  openDatabase,
  StorageOpenError,
  type Store,
} from "../../shared/storage/mod.ts";

const BASE = Deno.env.get("TEST_POSTGRES_URL") ?? "postgres://postgres@127.0.0.1:5432/test";
const RUN = crypto.randomUUID().replaceAll("-", "").slice(0, 12);
let n = 0;

function schemaUrl(): { url: string; schema: string } {
  const schema = `storage_test_${RUN}_${n++}`;
  const sep = BASE.includes("?") ? "&" : "?";
  return { url: `${BASE}${sep}schema=${schema}`, schema };
}

async function dropAndClose(store: Store): Promise<void> {
  try {
    if (store.schema !== null) {
      await sql`drop schema if exists ${sql.id(store.schema)} cascade`.execute(store.db);
    }
  } finally {
    await store.close();
  }
}

storageContract("postgres", async () => {
  const store = await openDatabase(schemaUrl().url, { poolSize: 2 });
  return { store, dispose: () => dropAndClose(store) };
});

Deno.test("postgres: the store works in its own schema via search_path", async () => {
  const { url, schema } = schemaUrl();
  const store = await openDatabase(url, { poolSize: 3 });
  try {
    assert.equal(store.kind, "postgres");
    assert.equal(store.schema, schema);
    // Every pooled connection has the search_path, not only the first one.
    const paths = await Promise.all(
      [0, 1, 2].map(() =>
        store.db.connection().execute((c) =>
          sql<{ p: string }>`select current_setting('search_path') as p, pg_sleep(0.05)`.execute(c)
        )
      ),
    );
    for (const p of paths) assert.equal(p.rows[0].p, schema);
    await migrate(store);
    const tables = await sql<{ table_schema: string }>`
      select table_schema from information_schema.tables where table_name = 'fills'
        and table_schema = ${schema}`.execute(store.db);
    assert.equal(tables.rows.length, 1);
  } finally {
    await dropAndClose(store);
  }
});

Deno.test("postgres: schemas are isolated, including their migration records", async () => {
  const a = await openDatabase(schemaUrl().url, { poolSize: 1 });
  const b = await openDatabase(schemaUrl().url, { poolSize: 1 });
  try {
    assert.deepEqual(await migrate(a), ["0001_initial", "0002_order_events"]);
    // b must not take a's kysely_migration table for its own.
    assert.deepEqual(await migrate(b), ["0001_initial", "0002_order_events"]);
    await insertFill(a.db, "f1", {
      clientOrderId: "o1",
      symbol: "BTC/USDT",
      side: "sell",
      quantity: 1e-8,
      price: 0.1 + 0.2,
      fee: 0,
      barTime: 2 ** 45,
    });
    assert.equal((await listFills(a.db, { limit: 5 })).length, 1);
    assert.equal((await listFills(b.db, { limit: 5 })).length, 0);
  } finally {
    await dropAndClose(a);
    await dropAndClose(b);
  }
});

Deno.test("postgres: int8 arrives as a string from pg and is converted exactly", async () => {
  const store = await openDatabase(schemaUrl().url, { poolSize: 1 });
  try {
    await migrate(store);
    await insertFill(store.db, "f1", {
      clientOrderId: "o1",
      symbol: "BTC/USDT",
      side: "buy",
      quantity: 1,
      price: 1,
      fee: 0,
      barTime: Number.MAX_SAFE_INTEGER,
    });
    const raw = await sql<{ bar_time: unknown }>`select bar_time from fills`.execute(store.db);
    assert.equal(raw.rows[0].bar_time, String(Number.MAX_SAFE_INTEGER));
    const [f] = await listFills(store.db, { limit: 1 });
    assert.equal(f.barTime, Number.MAX_SAFE_INTEGER);
    // A value beyond 2^53 written behind the repository's back is refused, not rounded.
    await sql`update fills set bar_time = 9007199254740993`.execute(store.db);
    await assert.rejects(
      listFills(store.db, { limit: 1 }),
      /9007199254740993 is outside the safe integer range/,
    );
  } finally {
    await dropAndClose(store);
  }
});

Deno.test("postgres: bad urls and unreachable servers fail clearly without leaking the password", async () => {
  await assert.rejects(
    openDatabase("postgres://postgres:s3cret-pw@127.0.0.1:1/test"),
    (e: Error) =>
      e instanceof StorageOpenError && e.message.includes("cannot open postgres database") &&
      !e.message.includes("s3cret-pw"),
  );
  await assert.rejects(openDatabase(`${BASE}?schema=bad;drop`), /parameter 'schema' must match/);
  await assert.rejects(openDatabase(`${BASE}?schema=a&schema=b`), /more than one 'schema'/);
  await assert.rejects(openDatabase(BASE, { poolSize: 0 }), /poolSize/);
});
