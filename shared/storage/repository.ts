// The repository: plain functions over `Kysely<DatabaseSchema>` (a Store's `db`, or a
// transaction of it). Writes are idempotent; queries serve the admin API.
export {
  appendAudit,
  type Db,
  insertDecision,
  insertFill,
  insertSignal,
  insertVeto,
  ORDER_STATUS_RANK,
  upsertEquity,
  upsertOrder,
  upsertPosition,
} from "./writes.ts";
export {
  countVetoesByReason,
  equityCurve,
  type EquityCurveOptions,
  listAudit,
  listDecisions,
  listFills,
  type ListOptions,
  listOrders,
  listPositions,
  listSignals,
  listVetoes,
  MAX_LIST_LIMIT,
} from "./queries.ts";
export {
  insertOrderEvent,
  listOrderEvents,
  type OrderEventQuery,
  type StoredOrderEvent,
  StoredOrderEventSchema,
} from "./order_events.ts";
export type {
  AuditEntry,
  AuditRecord,
  EquityPoint,
  JsonValue,
  OrderStatus,
  OrderType,
  ReasonCount,
  StoredDecision,
  StoredFill,
  StoredOrder,
  StoredPosition,
  StoredSignal,
  StoredVeto,
} from "./records.ts";
