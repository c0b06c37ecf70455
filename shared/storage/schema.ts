// Row types of every table, as Kysely sees them. Column names are snake_case.
//
// Selected int8 values are typed `number | string | bigint` on purpose: `pg` returns int8 as
// a string and node:sqlite returns INTEGER as a number, so every read goes through
// `toSafeInteger` (convert.ts) instead of trusting one representation.
import type { ColumnType } from "kysely";

/** bigint column: ms-epoch times and counters. Written as a JS safe integer. */
export type Int8 = ColumnType<number | string | bigint, number, number>;
/**
 * float64 column (SQLite REAL, PostgreSQL double precision): JS numbers round-trip
 * exactly, and `pg` parses float8 to a number, so no numeric-as-string surprises.
 */
export type Float8 = number;
/** JSON document stored as text in both databases (parsed and validated on read). */
export type JsonText = string;

export interface SignalsTable {
  id: string;
  agent: string;
  symbol: string;
  bar_time: Int8;
  kind: string;
  payload: JsonText;
  created_at: Int8;
}

export interface DecisionsTable {
  id: string;
  symbol: string;
  bar_time: Int8;
  target: string;
  confidence: Float8;
  disagreement: Float8;
  payload: JsonText;
}

export interface VetoesTable {
  id: string;
  decision_id: string;
  symbol: string;
  bar_time: Int8;
  reasons: JsonText;
  trading_state: string;
}

/** One row per reason of a veto, so reason codes can be counted with GROUP BY. */
export interface VetoReasonsTable {
  veto_id: string;
  position: Int8;
  code: string;
}

export interface OrdersTable {
  client_order_id: string;
  decision_id: string;
  symbol: string;
  side: string;
  quantity: Float8;
  type: string;
  status: string;
  reason: string | null;
  updated_at: Int8;
  created_at: Int8;
}

export interface FillsTable {
  id: string;
  client_order_id: string;
  symbol: string;
  side: string;
  quantity: Float8;
  price: Float8;
  fee: Float8;
  bar_time: Int8;
}

export interface PositionsTable {
  symbol: string;
  quantity: Float8;
  avg_price: Float8;
  last_price: Float8;
  updated_at: Int8;
}

export interface EquitySnapshotsTable {
  bar_time: Int8;
  cash: Float8;
  equity: Float8;
  fees: Float8;
  positions: JsonText;
}

export interface AuditLogTable {
  /** Assigned by the database (identity / autoincrement); never written by the app. */
  id: ColumnType<number | string | bigint, never, never>;
  /** Optional id of the event that caused the entry (e.g. the command's envelope id). */
  event_id: string | null;
  time: Int8;
  actor: string;
  channel: string;
  command: string;
  args: JsonText;
  effect: string;
}

/** Every transition of every order, in the order the ledger received them (append-only). */
export interface OrderEventsTable {
  /** Assigned by the database: the events' order. */
  seq: ColumnType<number | string | bigint, never, never>;
  /** The order_update envelope id: a redelivery is stored once. */
  event_id: string;
  client_order_id: string;
  decision_id: string;
  symbol: string;
  side: string;
  type: string;
  quantity: Float8;
  filled_quantity: Float8 | null;
  status: string;
  reason: string | null;
  time: Int8;
}

export interface DatabaseSchema {
  signals: SignalsTable;
  decisions: DecisionsTable;
  vetoes: VetoesTable;
  veto_reasons: VetoReasonsTable;
  orders: OrdersTable;
  fills: FillsTable;
  positions: PositionsTable;
  equity_snapshots: EquitySnapshotsTable;
  audit_log: AuditLogTable;
  order_events: OrderEventsTable;
}
