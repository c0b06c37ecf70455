// Opening a Store from DATABASE_URL: SQLite through node:sqlite, PostgreSQL through pg.
import { DatabaseSync } from "node:sqlite";
import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { Kysely, PostgresDialect, sql, SqliteDialect } from "kysely";
import { logger } from "../util/log.ts";
import { adaptNodeSqlite } from "./node_sqlite_adapter.ts";
import { createPgPool } from "./pg_pool.ts";
import type { DatabaseSchema } from "./schema.ts";
import { parseDatabaseUrl, redactDatabaseUrl, SQLITE_MEMORY } from "./url.ts";

export type StoreKind = "sqlite" | "postgres";

export interface Store {
  readonly db: Kysely<DatabaseSchema>;
  /** Reported by the admin API as `db`. */
  readonly kind: StoreKind;
  /** PostgreSQL schema in use (search_path), or null (SQLite, or the server's default). */
  readonly schema: string | null;
  /** Releases the connection(s); calling it again is a no-op. */
  close(): Promise<void>;
}

export interface OpenOptions {
  /** SQLite: how long a writer waits for a lock before SQLITE_BUSY (ms). */
  busyTimeoutMs?: number;
  /** PostgreSQL: maximum pool size. */
  poolSize?: number;
}

const log = logger("storage");

export class StorageOpenError extends Error {
  override name = "StorageOpenError";
}

/** `sqlite:PATH`, `sqlite::memory:` or `postgres://…[?schema=NAME]`. Does not migrate. */
export async function openDatabase(url: string, options: OpenOptions = {}): Promise<Store> {
  const target = parseDatabaseUrl(url);
  const busyTimeoutMs = options.busyTimeoutMs ?? 5_000;
  const poolSize = options.poolSize ?? 10;
  if (!Number.isSafeInteger(busyTimeoutMs) || busyTimeoutMs < 0) {
    throw new RangeError(`busyTimeoutMs must be a non-negative integer, got ${busyTimeoutMs}`);
  }
  if (!Number.isSafeInteger(poolSize) || poolSize < 1) {
    throw new RangeError(`poolSize must be a positive integer, got ${poolSize}`);
  }
  return target.kind === "sqlite"
    ? openSqlite(target.path, busyTimeoutMs)
    : await openPostgres(target.connectionString, target.schema, poolSize);
}

function openSqlite(path: string, busyTimeoutMs: number): Store {
  const memory = path === SQLITE_MEMORY;
  let raw: DatabaseSync;
  try {
    if (!memory) mkdirSync(dirname(resolve(path)), { recursive: true });
    raw = new DatabaseSync(path);
  } catch (e) {
    throw new StorageOpenError(`cannot open sqlite database '${path}': ${(e as Error).message}`);
  }
  try {
    raw.exec(`PRAGMA busy_timeout = ${busyTimeoutMs}`);
    if (!memory) {
      // WAL lets the admin API read while the ledger writes. synchronous stays at its
      // default (FULL): an acknowledged message's effect must survive a power cut.
      const row = raw.prepare("PRAGMA journal_mode = WAL").get() as { journal_mode?: unknown };
      if (row?.journal_mode !== "wal") {
        log.warn("sqlite did not switch to WAL", { path, journalMode: row?.journal_mode });
      }
    }
  } catch (e) {
    raw.close();
    throw new StorageOpenError(
      `cannot configure sqlite database '${path}': ${(e as Error).message}`,
    );
  }
  const adapter = adaptNodeSqlite(raw);
  const db = new Kysely<DatabaseSchema>({ dialect: new SqliteDialect({ database: adapter }) });
  let closed = false;
  return {
    db,
    kind: "sqlite",
    schema: null,
    async close() {
      if (closed) return;
      closed = true;
      await db.destroy();
      adapter.close(); // destroy() only closes it if a query ever ran
    },
  };
}

async function openPostgres(
  connectionString: string,
  schema: string | null,
  poolSize: number,
): Promise<Store> {
  const pool = createPgPool({
    connectionString,
    max: poolSize,
    // search_path is set at connection start-up, so no query can run before it applies.
    ...(schema === null ? {} : { options: `-c search_path=${schema}` }),
  });
  // An idle client losing its connection emits 'error'; unhandled, it would kill the process.
  pool.on("error", (e) => log.warn("postgres idle client error", { error: e.message }));
  const db = new Kysely<DatabaseSchema>({ dialect: new PostgresDialect({ pool }) });
  try {
    if (schema !== null) {
      await sql`create schema if not exists ${sql.id(schema)}`.execute(db);
    }
    await sql`select 1`.execute(db);
  } catch (e) {
    await db.destroy().catch(() => {});
    throw new StorageOpenError(
      `cannot open postgres database ${redactDatabaseUrl(connectionString)}: ${
        (e as Error).message
      }`,
    );
  }
  let closed = false;
  return {
    db,
    kind: "postgres",
    schema,
    async close() {
      if (closed) return;
      closed = true;
      await db.destroy();
    },
  };
}
