// The part of `pg` this module uses, typed here. `pg` ships no types; `@types/pg` would add
// a dependency on `@types/node` and tie the typing of every `node:` import to whichever
// version the lockfile resolves for it (an old v6 pin broke them when this was written).
import pgModule from "pg";
import type { PostgresPool } from "kysely";

export interface PgPoolConfig {
  connectionString: string;
  max: number;
  /** Server start-up options, e.g. `-c search_path=name`. */
  options?: string;
}

export interface PgPool extends PostgresPool {
  on(event: "error", listener: (error: Error) => void): unknown;
}

const pg = pgModule as { Pool: new (config: PgPoolConfig) => PgPool };

export function createPgPool(config: PgPoolConfig): PgPool {
  return new pg.Pool(config);
}
