// Schema migrations, defined in code (no directory scanning) and run by Kysely's Migrator,
// which records applied ones in `kysely_migration`. Running `migrate` again is a no-op.
//
// Column types: money and quantities are float64 (`double precision`: REAL in SQLite), so
// every JS number the bot computes is stored and read back bit for bit, and `pg` hands
// float8 back as a number. `numeric` would come back as a string and its decimal rounding
// would not be the bot's binary arithmetic. Times are ms-epoch `bigint`.
//
// No foreign keys: messages arrive at least once and in any order across streams (a fill
// may be stored before its order's status update), so rows must not depend on each other.
import { type Kysely, sql } from "kysely";
import { type Migration, type MigrationProvider, Migrator } from "kysely/migration";
import type { Store, StoreKind } from "./open.ts";

export type MigrationNames = readonly string[];

/** Tables of every migration, in the order the migrations create them. */
export const TABLES = [
  "signals",
  "decisions",
  "vetoes",
  "veto_reasons",
  "orders",
  "fills",
  "positions",
  "equity_snapshots",
  "audit_log",
  "order_events",
] as const;

// Migrations take Kysely<unknown>: they must not depend on the current DatabaseSchema type,
// which describes the latest schema, not the one a migration starts from.
function initial(kind: StoreKind): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      const s = db.schema;
      await s.createTable("signals").ifNotExists()
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("agent", "text", (c) => c.notNull())
        .addColumn("symbol", "text", (c) => c.notNull())
        .addColumn("bar_time", "bigint", (c) => c.notNull())
        .addColumn("kind", "text", (c) => c.notNull())
        .addColumn("payload", "text", (c) => c.notNull())
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .execute();
      await s.createIndex("signals_symbol_bar_time").ifNotExists()
        .on("signals").columns(["symbol", "bar_time"]).execute();

      await s.createTable("decisions").ifNotExists()
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("symbol", "text", (c) => c.notNull())
        .addColumn("bar_time", "bigint", (c) => c.notNull())
        .addColumn("target", "text", (c) => c.notNull())
        .addColumn("confidence", "double precision", (c) => c.notNull())
        .addColumn("disagreement", "double precision", (c) => c.notNull())
        .addColumn("payload", "text", (c) => c.notNull())
        .execute();
      await s.createIndex("decisions_bar_time").ifNotExists()
        .on("decisions").columns(["bar_time", "id"]).execute();

      await s.createTable("vetoes").ifNotExists()
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("decision_id", "text", (c) => c.notNull())
        .addColumn("symbol", "text", (c) => c.notNull())
        .addColumn("bar_time", "bigint", (c) => c.notNull())
        .addColumn("reasons", "text", (c) => c.notNull())
        .addColumn("trading_state", "text", (c) => c.notNull())
        .execute();
      await s.createIndex("vetoes_decision_id").ifNotExists()
        .on("vetoes").column("decision_id").execute();

      await s.createTable("veto_reasons").ifNotExists()
        .addColumn("veto_id", "text", (c) => c.notNull())
        .addColumn("position", "bigint", (c) => c.notNull())
        .addColumn("code", "text", (c) => c.notNull())
        .addPrimaryKeyConstraint("veto_reasons_pk", ["veto_id", "position"])
        .execute();
      await s.createIndex("veto_reasons_code").ifNotExists()
        .on("veto_reasons").column("code").execute();

      await s.createTable("orders").ifNotExists()
        .addColumn("client_order_id", "text", (c) => c.primaryKey())
        .addColumn("decision_id", "text", (c) => c.notNull())
        .addColumn("symbol", "text", (c) => c.notNull())
        .addColumn("side", "text", (c) => c.notNull())
        .addColumn("quantity", "double precision", (c) => c.notNull())
        .addColumn("type", "text", (c) => c.notNull())
        .addColumn("status", "text", (c) => c.notNull())
        .addColumn("reason", "text")
        .addColumn("updated_at", "bigint", (c) => c.notNull())
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .execute();
      await s.createIndex("orders_updated_at").ifNotExists()
        .on("orders").columns(["updated_at", "client_order_id"]).execute();
      await s.createIndex("orders_symbol_updated_at").ifNotExists()
        .on("orders").columns(["symbol", "updated_at"]).execute();

      await s.createTable("fills").ifNotExists()
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("client_order_id", "text", (c) => c.notNull())
        .addColumn("symbol", "text", (c) => c.notNull())
        .addColumn("side", "text", (c) => c.notNull())
        .addColumn("quantity", "double precision", (c) => c.notNull())
        .addColumn("price", "double precision", (c) => c.notNull())
        .addColumn("fee", "double precision", (c) => c.notNull())
        .addColumn("bar_time", "bigint", (c) => c.notNull())
        .execute();
      await s.createIndex("fills_bar_time").ifNotExists()
        .on("fills").columns(["bar_time", "id"]).execute();
      await s.createIndex("fills_symbol_bar_time").ifNotExists()
        .on("fills").columns(["symbol", "bar_time"]).execute();
      await s.createIndex("fills_client_order_id").ifNotExists()
        .on("fills").column("client_order_id").execute();

      await s.createTable("positions").ifNotExists()
        .addColumn("symbol", "text", (c) => c.primaryKey())
        .addColumn("quantity", "double precision", (c) => c.notNull())
        .addColumn("avg_price", "double precision", (c) => c.notNull())
        .addColumn("last_price", "double precision", (c) => c.notNull())
        .addColumn("updated_at", "bigint", (c) => c.notNull())
        .execute();

      await s.createTable("equity_snapshots").ifNotExists()
        .addColumn("bar_time", "bigint", (c) => c.primaryKey())
        .addColumn("cash", "double precision", (c) => c.notNull())
        .addColumn("equity", "double precision", (c) => c.notNull())
        .addColumn("fees", "double precision", (c) => c.notNull())
        .addColumn("positions", "text", (c) => c.notNull())
        .execute();

      await s.createTable("audit_log").ifNotExists()
        .addColumn(
          "id",
          kind === "sqlite" ? "integer" : "bigint",
          // AUTOINCREMENT: SQLite never reuses an id, so ids order entries by insertion.
          (c) =>
            kind === "sqlite"
              ? c.primaryKey().autoIncrement()
              : c.primaryKey().generatedAlwaysAsIdentity(),
        )
        .addColumn("event_id", "text", (c) => c.unique())
        .addColumn("time", "bigint", (c) => c.notNull())
        .addColumn("actor", "text", (c) => c.notNull())
        .addColumn("channel", "text", (c) => c.notNull())
        .addColumn("command", "text", (c) => c.notNull())
        .addColumn("args", "text", (c) => c.notNull())
        .addColumn("effect", "text", (c) => c.notNull())
        .execute();
      await forbidAuditChanges(db, kind);
    },
  };
}

/** The repository offers no update or delete on audit_log; the database refuses them too. */
async function forbidAuditChanges(db: Kysely<unknown>, kind: StoreKind): Promise<void> {
  if (kind === "sqlite") {
    for (const op of ["UPDATE", "DELETE"]) {
      await sql.raw(
        `CREATE TRIGGER IF NOT EXISTS audit_log_no_${op.toLowerCase()} BEFORE ${op} ON audit_log ` +
          `BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END`,
      ).execute(db);
    }
    return;
  }
  await sql.raw(
    `CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ ` +
      `BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$`,
  ).execute(db);
  await sql.raw(
    `CREATE OR REPLACE TRIGGER audit_log_no_update_delete BEFORE UPDATE OR DELETE ON audit_log ` +
      `FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()`,
  ).execute(db);
  await sql.raw(
    `CREATE OR REPLACE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log ` +
      `FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()`,
  ).execute(db);
}

/**
 * `orders` keeps an order's latest status; `order_events` keeps every transition, so an
 * order's whole life (submitted, partially filled, cancelled by the kill switch…) is on record.
 */
function orderEvents(kind: StoreKind): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.createTable("order_events").ifNotExists()
        .addColumn(
          "seq",
          kind === "sqlite" ? "integer" : "bigint",
          (c) =>
            kind === "sqlite"
              ? c.primaryKey().autoIncrement()
              : c.primaryKey().generatedAlwaysAsIdentity(),
        )
        .addColumn("event_id", "text", (c) => c.notNull().unique())
        .addColumn("client_order_id", "text", (c) => c.notNull())
        .addColumn("decision_id", "text", (c) => c.notNull())
        .addColumn("symbol", "text", (c) => c.notNull())
        .addColumn("side", "text", (c) => c.notNull())
        .addColumn("type", "text", (c) => c.notNull())
        .addColumn("quantity", "double precision", (c) => c.notNull())
        .addColumn("filled_quantity", "double precision")
        .addColumn("status", "text", (c) => c.notNull())
        .addColumn("reason", "text")
        .addColumn("time", "bigint", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("order_events_client_order_id").ifNotExists()
        .on("order_events").columns(["client_order_id", "seq"]).execute();
    },
  };
}

/** Applied in name order; a new migration is appended, never an old one edited. */
export function migrationsFor(kind: StoreKind): Record<string, Migration> {
  return { "0001_initial": initial(kind), "0002_order_events": orderEvents(kind) };
}

export class MigrationError extends Error {
  override name = "MigrationError";
}

function migratorFor(store: Store): Migrator {
  const provider: MigrationProvider = {
    getMigrations: () => Promise.resolve(migrationsFor(store.kind)),
  };
  return new Migrator({
    db: store.db,
    provider,
    // With a per-run schema, name it: otherwise the Migrator would find another schema's
    // kysely_migration table on the server and believe this one is migrated.
    ...(store.schema === null ? {} : { migrationTableSchema: store.schema }),
  });
}

/** Brings the store to the latest schema; returns the names of the migrations it applied. */
export async function migrate(store: Store): Promise<MigrationNames> {
  const { error, results } = await migratorFor(store).migrateToLatest();
  if (error !== undefined) {
    const failed = results?.find((r) => r.status === "Error")?.migrationName;
    const cause = error instanceof Error ? error.message : String(error);
    throw new MigrationError(
      `migration ${failed ? `'${failed}' ` : ""}failed on ${store.kind}: ${cause}`,
      { cause: error },
    );
  }
  return (results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName);
}

/** Names of the migrations recorded as applied, oldest first. */
export async function appliedMigrations(store: Store): Promise<MigrationNames> {
  const all = await migratorFor(store).getMigrations();
  return all.filter((m) => m.executedAt !== undefined).map((m) => m.name);
}
