// Kysely's SqliteDialect talks to a better-sqlite3-shaped object. This adapts Node's
// built-in `node:sqlite` (`DatabaseSync`), which Deno implements, to that shape:
// positional parameters are passed as an array there and spread here, `reader` is whether
// the statement yields columns (SELECT, PRAGMA, … RETURNING).
import type { DatabaseSync, SQLInputValue } from "node:sqlite";
import type { SqliteDatabase, SqliteStatement } from "kysely";

export class SqliteParameterError extends TypeError {
  override name = "SqliteParameterError";
}

/** node:sqlite binds only these; anything else (boolean, undefined, object) is rejected. */
function checkParameters(sql: string, parameters: ReadonlyArray<unknown>): SQLInputValue[] {
  return parameters.map((p, i) => {
    if (
      p === null || typeof p === "string" || typeof p === "bigint" ||
      (typeof p === "number" && Number.isFinite(p)) || p instanceof Uint8Array
    ) {
      return p as SQLInputValue;
    }
    // NaN would be stored as NULL by SQLite: refuse it instead of losing it silently.
    const shown = typeof p === "number" ? String(p) : p === undefined ? "undefined" : typeof p;
    throw new SqliteParameterError(
      `sqlite parameter ${i + 1} cannot be bound (${shown}) in: ${sql.slice(0, 120)}`,
    );
  });
}

export interface NodeSqliteAdapter extends SqliteDatabase {
  /** True until `close()` ran; closing twice is a no-op. */
  readonly isOpen: boolean;
}

export function adaptNodeSqlite(db: DatabaseSync): NodeSqliteAdapter {
  let open = true;
  return {
    get isOpen() {
      return open;
    },
    close() {
      if (!open) return;
      open = false;
      db.close();
    },
    prepare(sql: string): SqliteStatement {
      const stmt = db.prepare(sql);
      return {
        reader: stmt.columns().length > 0,
        all: (parameters) => stmt.all(...checkParameters(sql, parameters)),
        run: (parameters) => {
          const { changes, lastInsertRowid } = stmt.run(...checkParameters(sql, parameters));
          return { changes, lastInsertRowid };
        },
        iterate: (parameters) => stmt.iterate(...checkParameters(sql, parameters)),
      };
    },
  };
}
