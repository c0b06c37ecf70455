// Parsing of DATABASE_URL into a typed target. Pure: no file system, no network.

export type DatabaseTarget =
  | { kind: "sqlite"; /** ":memory:" or a file path. */ path: string }
  | {
    kind: "postgres";
    /** The URL handed to `pg`, without our own `schema` parameter. */
    connectionString: string;
    /** Schema to create (if missing) and use as search_path; null = server default. */
    schema: string | null;
  };

export const SQLITE_MEMORY = ":memory:";

/** Unquoted PostgreSQL identifier: safe to splice into `search_path` and DDL. */
const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

export class DatabaseUrlError extends Error {
  override name = "DatabaseUrlError";
}

/**
 * `sqlite:PATH`, `sqlite::memory:`, or `postgres://…` / `postgresql://…` with an optional
 * `?schema=NAME`. Errors never echo the URL: it may carry a password.
 */
export function parseDatabaseUrl(url: string): DatabaseTarget {
  if (typeof url !== "string" || url.trim() === "") {
    throw new DatabaseUrlError(
      "database url is empty: expected sqlite:PATH, sqlite::memory: or postgres://…",
    );
  }
  if (url.startsWith("sqlite:")) {
    const path = url.slice("sqlite:".length);
    if (path.trim() === "") {
      throw new DatabaseUrlError("sqlite url has no path: expected sqlite:PATH or sqlite::memory:");
    }
    if (path.includes("\0")) throw new DatabaseUrlError("sqlite path contains a NUL character");
    return { kind: "sqlite", path };
  }
  if (url.startsWith("postgres://") || url.startsWith("postgresql://")) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new DatabaseUrlError("postgres url is not a valid URL");
    }
    if (parsed.hostname === "") throw new DatabaseUrlError("postgres url has no host");
    const schemas = parsed.searchParams.getAll("schema");
    if (schemas.length > 1) {
      throw new DatabaseUrlError("postgres url has more than one 'schema' parameter");
    }
    const schema = schemas[0] ?? null;
    if (schema !== null && !SCHEMA_NAME.test(schema)) {
      throw new DatabaseUrlError(
        `postgres url parameter 'schema' must match ${SCHEMA_NAME.source}, got '${schema}'`,
      );
    }
    parsed.searchParams.delete("schema");
    return { kind: "postgres", connectionString: parsed.toString(), schema };
  }
  const scheme = /^[A-Za-z][A-Za-z0-9+.-]*:/.exec(url)?.[0] ?? "(none)";
  throw new DatabaseUrlError(
    `unsupported database url scheme '${scheme}': expected sqlite:PATH, sqlite::memory: or postgres://…`,
  );
}

/** The URL with its password replaced, for logs and error messages. */
export function redactDatabaseUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return url.startsWith("sqlite:") ? url : "(unparseable url)";
  }
}
