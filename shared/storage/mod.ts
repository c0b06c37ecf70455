// Storage: one Store over SQLite (node:sqlite) or PostgreSQL (pg), its migrations, and the
// repository of idempotent writes and admin queries.
export {
  openDatabase,
  type OpenOptions,
  StorageOpenError,
  type Store,
  type StoreKind,
} from "./open.ts";
export { appliedMigrations, migrate, MigrationError, migrationsFor, TABLES } from "./migrations.ts";
export { DatabaseUrlError, parseDatabaseUrl, redactDatabaseUrl } from "./url.ts";
export type { DatabaseTarget } from "./url.ts";
export { StorageInputError, StorageValueError } from "./convert.ts";
export type { DatabaseSchema } from "./schema.ts";
export * from "./repository.ts";
