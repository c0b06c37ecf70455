// Read side for the admin API. Every row is converted explicitly (int8 may arrive as a
// string from `pg`) and checked against its schema, so a corrupt row is an error naming
// the table and key, never a half-valid object.
import type { ExpressionBuilder, Selectable } from "kysely";
import {
  parseJsonText,
  StorageInputError,
  StorageValueError,
  toFiniteNumber,
  toNullableText,
  toSafeInteger,
  toText,
} from "./convert.ts";
import {
  type AuditRecord,
  type EquityPoint,
  EquityPointSchema,
  type JsonValue,
  type ReasonCount,
  type StoredDecision,
  StoredDecisionSchema,
  type StoredFill,
  StoredFillSchema,
  type StoredOrder,
  StoredOrderSchema,
  type StoredPosition,
  StoredPositionSchema,
  type StoredSignal,
  StoredSignalSchema,
  type StoredVeto,
  StoredVetoSchema,
} from "./records.ts";
import type {
  AuditLogTable,
  DecisionsTable,
  EquitySnapshotsTable,
  FillsTable,
  OrdersTable,
  PositionsTable,
  SignalsTable,
  VetoesTable,
} from "./schema.ts";
import { checkRow } from "./validate.ts";
import type { Db } from "./writes.ts";

/** Upper bound of any `limit`: an admin page, not a bulk export. */
export const MAX_LIST_LIMIT = 10_000;

function checkLimit(limit: number, what: string): number {
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_LIST_LIMIT) {
    throw new StorageInputError(
      `${what}: limit must be an integer in 1..${MAX_LIST_LIMIT}, got ${limit}`,
    );
  }
  return limit;
}

function checkFilter(value: string | undefined, what: string): string | undefined {
  if (value !== undefined && (typeof value !== "string" || value.length === 0)) {
    throw new StorageInputError(`${what} must be a non-empty string when given`);
  }
  return value;
}

function checkTimeBound(value: number | undefined, what: string): number | undefined {
  if (value !== undefined && (!Number.isSafeInteger(value) || value < 0)) {
    throw new StorageInputError(`${what} must be a ms-epoch integer ≥ 0 when given, got ${value}`);
  }
  return value;
}

export interface ListOptions {
  limit: number;
  symbol?: string;
}

/** Newest first (bar time, then id, descending). */
export async function listSignals(
  db: Db,
  opts: ListOptions & { agent?: string },
): Promise<StoredSignal[]> {
  const limit = checkLimit(opts.limit, "listSignals");
  const symbol = checkFilter(opts.symbol, "listSignals: symbol");
  const agent = checkFilter(opts.agent, "listSignals: agent");
  let q = db.selectFrom("signals").selectAll();
  if (symbol !== undefined) q = q.where("symbol", "=", symbol);
  if (agent !== undefined) q = q.where("agent", "=", agent);
  const rows = await q.orderBy("bar_time", "desc").orderBy("id", "desc").limit(limit).execute();
  return rows.map(signalFromRow);
}

/** Newest first (bar time, then id, descending). */
export async function listDecisions(db: Db, opts: ListOptions): Promise<StoredDecision[]> {
  const limit = checkLimit(opts.limit, "listDecisions");
  const symbol = checkFilter(opts.symbol, "listDecisions: symbol");
  let q = db.selectFrom("decisions").selectAll();
  if (symbol !== undefined) q = q.where("symbol", "=", symbol);
  const rows = await q.orderBy("bar_time", "desc").orderBy("id", "desc").limit(limit).execute();
  return rows.map(decisionFromRow);
}

/** Newest first (bar time, then id, descending). */
export async function listVetoes(db: Db, opts: ListOptions): Promise<StoredVeto[]> {
  const limit = checkLimit(opts.limit, "listVetoes");
  const symbol = checkFilter(opts.symbol, "listVetoes: symbol");
  let q = db.selectFrom("vetoes").selectAll();
  if (symbol !== undefined) q = q.where("symbol", "=", symbol);
  const rows = await q.orderBy("bar_time", "desc").orderBy("id", "desc").limit(limit).execute();
  return rows.map(vetoFromRow);
}

/** How many vetoes named each reason code; most frequent first, then by code. */
export async function countVetoesByReason(db: Db): Promise<ReasonCount[]> {
  const rows = await db.selectFrom("veto_reasons")
    .select((eb) => ["code", eb.fn.count("veto_id").distinct().as("count")])
    .groupBy("code")
    .execute();
  return rows
    .map((r) => ({
      code: toText(r.code, "veto_reasons.code"),
      count: toSafeInteger(r.count, `veto_reasons count for ${r.code}`),
    }))
    .sort((a, b) => b.count - a.count || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
}

/** Most recently updated first (then client order id, descending). */
export async function listOrders(
  db: Db,
  opts: ListOptions & { status?: string },
): Promise<StoredOrder[]> {
  const limit = checkLimit(opts.limit, "listOrders");
  const symbol = checkFilter(opts.symbol, "listOrders: symbol");
  const status = checkFilter(opts.status, "listOrders: status");
  let q = db.selectFrom("orders").selectAll();
  if (symbol !== undefined) q = q.where("symbol", "=", symbol);
  if (status !== undefined) q = q.where("status", "=", status);
  const rows = await q.orderBy("updated_at", "desc").orderBy("client_order_id", "desc")
    .limit(limit).execute();
  return rows.map(orderFromRow);
}

/** Newest first (bar time, then id, descending). */
export async function listFills(
  db: Db,
  opts: ListOptions & { clientOrderId?: string },
): Promise<StoredFill[]> {
  const limit = checkLimit(opts.limit, "listFills");
  const symbol = checkFilter(opts.symbol, "listFills: symbol");
  const clientOrderId = checkFilter(opts.clientOrderId, "listFills: clientOrderId");
  let q = db.selectFrom("fills").selectAll();
  if (symbol !== undefined) q = q.where("symbol", "=", symbol);
  if (clientOrderId !== undefined) q = q.where("client_order_id", "=", clientOrderId);
  const rows = await q.orderBy("bar_time", "desc").orderBy("id", "desc").limit(limit).execute();
  return rows.map(fillFromRow);
}

/** Every stored position, by symbol. */
export async function listPositions(db: Db): Promise<StoredPosition[]> {
  const rows = await db.selectFrom("positions").selectAll().orderBy("symbol", "asc").execute();
  return rows.map(positionFromRow);
}

export interface EquityCurveOptions {
  /** Inclusive bounds on bar time (ms epoch). */
  from?: number;
  to?: number;
  /** Keep only the latest `limit` points of the range. */
  limit?: number;
}

/** Equity points in ascending bar time. */
export async function equityCurve(db: Db, opts: EquityCurveOptions = {}): Promise<EquityPoint[]> {
  const from = checkTimeBound(opts.from, "equityCurve: from");
  const to = checkTimeBound(opts.to, "equityCurve: to");
  const limit = opts.limit === undefined ? undefined : checkLimit(opts.limit, "equityCurve");
  if (from !== undefined && to !== undefined && from > to) {
    throw new StorageInputError(`equityCurve: from (${from}) is after to (${to})`);
  }
  let q = db.selectFrom("equity_snapshots").selectAll();
  if (from !== undefined) q = q.where("bar_time", ">=", from);
  if (to !== undefined) q = q.where("bar_time", "<=", to);
  if (limit === undefined) {
    return (await q.orderBy("bar_time", "asc").execute()).map(equityFromRow);
  }
  const latest = await q.orderBy("bar_time", "desc").limit(limit).execute();
  return latest.map(equityFromRow).reverse();
}

/** Newest first; `beforeId` pages back through older entries. */
export async function listAudit(
  db: Db,
  opts: { limit: number; beforeId?: number },
): Promise<AuditRecord[]> {
  const limit = checkLimit(opts.limit, "listAudit");
  if (opts.beforeId !== undefined && !Number.isSafeInteger(opts.beforeId)) {
    throw new StorageInputError(`listAudit: beforeId must be an integer, got ${opts.beforeId}`);
  }
  let q = db.selectFrom("audit_log").selectAll();
  if (opts.beforeId !== undefined) q = q.where("id", "<", opts.beforeId);
  const rows = await q.orderBy("id", "desc").limit(limit).execute();
  return rows.map(auditFromRow);
}

function signalFromRow(r: Selectable<SignalsTable>): StoredSignal {
  const what = `signals row '${r.id}'`;
  const stored = checkRow(StoredSignalSchema, {
    id: toText(r.id, "signals.id"),
    createdAt: toSafeInteger(r.created_at, `${what} created_at`),
    signal: parseJsonText(r.payload, `${what} payload`),
  }, what);
  const barTime = toSafeInteger(r.bar_time, `${what} bar_time`);
  if (stored.signal.barTime !== barTime || stored.signal.symbol !== r.symbol) {
    throw new StorageValueError(`${what}: payload disagrees with its symbol/bar_time columns`);
  }
  return stored;
}

function decisionFromRow(r: Selectable<DecisionsTable>): StoredDecision {
  const what = `decisions row '${r.id}'`;
  const payload = parseJsonText(r.payload, `${what} payload`);
  if (typeof payload !== "object" || payload === null || Array.isArray(payload)) {
    throw new StorageValueError(`${what}: payload is not an object`);
  }
  const stored = checkRow(
    StoredDecisionSchema,
    { ...payload, id: toText(r.id, "decisions.id") },
    what,
  );
  const barTime = toSafeInteger(r.bar_time, `${what} bar_time`);
  if (stored.barTime !== barTime || stored.symbol !== r.symbol) {
    throw new StorageValueError(`${what}: payload disagrees with its symbol/bar_time columns`);
  }
  return stored;
}

function vetoFromRow(r: Selectable<VetoesTable>): StoredVeto {
  const what = `vetoes row '${r.id}'`;
  return checkRow(StoredVetoSchema, {
    id: toText(r.id, "vetoes.id"),
    decisionId: toText(r.decision_id, `${what} decision_id`),
    symbol: toText(r.symbol, `${what} symbol`),
    barTime: toSafeInteger(r.bar_time, `${what} bar_time`),
    reasons: parseJsonText(r.reasons, `${what} reasons`),
    tradingState: toText(r.trading_state, `${what} trading_state`),
  }, what);
}

function orderFromRow(r: Selectable<OrdersTable>): StoredOrder {
  const what = `orders row '${r.client_order_id}'`;
  return checkRow(StoredOrderSchema, {
    clientOrderId: toText(r.client_order_id, "orders.client_order_id"),
    decisionId: toText(r.decision_id, `${what} decision_id`),
    symbol: toText(r.symbol, `${what} symbol`),
    side: toText(r.side, `${what} side`),
    quantity: toFiniteNumber(r.quantity, `${what} quantity`),
    type: toText(r.type, `${what} type`),
    status: toText(r.status, `${what} status`),
    reason: toNullableText(r.reason, `${what} reason`),
    updatedAt: toSafeInteger(r.updated_at, `${what} updated_at`),
    createdAt: toSafeInteger(r.created_at, `${what} created_at`),
  }, what);
}

function fillFromRow(r: Selectable<FillsTable>): StoredFill {
  const what = `fills row '${r.id}'`;
  return checkRow(StoredFillSchema, {
    id: toText(r.id, "fills.id"),
    clientOrderId: toText(r.client_order_id, `${what} client_order_id`),
    symbol: toText(r.symbol, `${what} symbol`),
    side: toText(r.side, `${what} side`),
    quantity: toFiniteNumber(r.quantity, `${what} quantity`),
    price: toFiniteNumber(r.price, `${what} price`),
    fee: toFiniteNumber(r.fee, `${what} fee`),
    barTime: toSafeInteger(r.bar_time, `${what} bar_time`),
  }, what);
}

function positionFromRow(r: Selectable<PositionsTable>): StoredPosition {
  const what = `positions row '${r.symbol}'`;
  return checkRow(StoredPositionSchema, {
    symbol: toText(r.symbol, "positions.symbol"),
    quantity: toFiniteNumber(r.quantity, `${what} quantity`),
    avgPrice: toFiniteNumber(r.avg_price, `${what} avg_price`),
    lastPrice: toFiniteNumber(r.last_price, `${what} last_price`),
    updatedAt: toSafeInteger(r.updated_at, `${what} updated_at`),
  }, what);
}

function equityFromRow(r: Selectable<EquitySnapshotsTable>): EquityPoint {
  const barTime = toSafeInteger(r.bar_time, "equity_snapshots.bar_time");
  const what = `equity_snapshots row ${barTime}`;
  return checkRow(EquityPointSchema, {
    barTime,
    cash: toFiniteNumber(r.cash, `${what} cash`),
    equity: toFiniteNumber(r.equity, `${what} equity`),
    fees: toFiniteNumber(r.fees, `${what} fees`),
    positions: parseJsonText(r.positions, `${what} positions`),
  }, what);
}

function auditFromRow(r: Selectable<AuditLogTable>): AuditRecord {
  const id = toSafeInteger(r.id, "audit_log.id");
  const what = `audit_log row ${id}`;
  return {
    id,
    eventId: toNullableText(r.event_id, `${what} event_id`),
    time: toSafeInteger(r.time, `${what} time`),
    actor: toText(r.actor, `${what} actor`),
    channel: toText(r.channel, `${what} channel`),
    command: toText(r.command, `${what} command`),
    // Written by toJsonText, so it parses to JSON values only.
    args: parseJsonText(r.args, `${what} args`) as JsonValue,
    effect: toText(r.effect, `${what} effect`),
  };
}

/** A decision with what risk made of it (one verdict per decision). */
export interface DecisionVerdict {
  decision: StoredDecision;
  /**
   * "order": risk sent an order (`orders` holds its updates); "veto": risk refused (the
   * veto and its reasons); "none": neither is recorded — risk had nothing to do (hold, or
   * already at the target), or the verdict has not reached the ledger yet.
   */
  outcome: "order" | "veto" | "none";
  orders: StoredOrder[];
  veto: StoredVeto | null;
}

/** Newest decisions first, each joined with its orders and veto (by decision id). */
export async function listDecisionVerdicts(
  db: Db,
  opts: ListOptions,
): Promise<DecisionVerdict[]> {
  const decisions = await listDecisions(db, opts);
  if (decisions.length === 0) return [];
  const ids = decisions.map((d) => d.id);
  const orderRows = await db.selectFrom("orders").selectAll()
    .where("decision_id", "in", ids).orderBy("created_at", "asc")
    .orderBy("client_order_id", "asc").execute();
  const vetoRows = await db.selectFrom("vetoes").selectAll()
    .where("decision_id", "in", ids).orderBy("id", "asc").execute();
  const orders = new Map<string, StoredOrder[]>();
  for (const o of orderRows.map(orderFromRow)) {
    orders.set(o.decisionId, [...(orders.get(o.decisionId) ?? []), o]);
  }
  const vetoes = new Map<string, StoredVeto>();
  for (const v of vetoRows.map(vetoFromRow)) vetoes.set(v.decisionId, v);
  return decisions.map((decision) => {
    const own = orders.get(decision.id) ?? [];
    const veto = vetoes.get(decision.id) ?? null;
    return {
      decision,
      outcome: own.length > 0 ? "order" : veto !== null ? "veto" : "none",
      orders: own,
      veto,
    };
  });
}

export interface StatusCount {
  status: string;
  count: number;
}

/** How many orders are in each status, by status. */
export async function countOrdersByStatus(db: Db): Promise<StatusCount[]> {
  const rows = await db.selectFrom("orders")
    .select((eb) => ["status", eb.fn.countAll().as("count")])
    .groupBy("status")
    .execute();
  return rows
    .map((r) => ({
      status: toText(r.status, "orders.status"),
      count: toSafeInteger(r.count, `orders count for ${r.status}`),
    }))
    .sort((a, b) => (a.status < b.status ? -1 : a.status > b.status ? 1 : 0));
}

/** Number of stored fills. */
export async function countFills(db: Db): Promise<number> {
  const row = await db.selectFrom("fills").select((eb) => eb.fn.countAll().as("n"))
    .executeTakeFirstOrThrow();
  return toSafeInteger(row.n, "fills count");
}

type Key = { t: number | bigint | string; id: string };

/**
 * Every row of a bulk read, page by page after the last row's key (keyset, not OFFSET: each
 * page costs the same). `read` returns the rows after `after` (all from the start when null)
 * in key order, at most `page` of them.
 */
async function readAllByKey<R, T>(
  page: number,
  read: (after: Key | null) => Promise<R[]>,
  keyOf: (row: R) => Key,
  map: (row: R) => T,
): Promise<T[]> {
  const out: T[] = [];
  let after: Key | null = null;
  for (;;) {
    const rows = await read(after);
    out.push(...rows.map(map));
    if (rows.length < page) return out;
    after = keyOf(rows[rows.length - 1]);
  }
}

/** `(time, id) > after` for a keyset page. */
function afterKey(
  // deno-lint-ignore no-explicit-any
  eb: ExpressionBuilder<any, any>,
  timeColumn: string,
  idColumn: string,
  after: Key,
) {
  return eb.or([
    eb(timeColumn, ">", after.t),
    eb.and([eb(timeColumn, "=", after.t), eb(idColumn, ">", after.id)]),
  ]);
}

/**
 * Every decision in ascending bar time (then id): a bulk read for reports, not for the
 * admin API's pages. Paged internally so no single query is unbounded.
 */
export async function allDecisions(db: Db, page = 10_000): Promise<StoredDecision[]> {
  checkLimit(page, "allDecisions: page");
  return await readAllByKey(
    page,
    (after) => {
      let q = db.selectFrom("decisions").selectAll();
      if (after !== null) q = q.where((eb) => afterKey(eb, "bar_time", "id", after));
      return q.orderBy("bar_time", "asc").orderBy("id", "asc").limit(page).execute();
    },
    (r) => ({ t: r.bar_time, id: r.id }),
    decisionFromRow,
  );
}

/** Every signal in ascending bar time (then id), optionally of one agent; a bulk read. */
export async function allSignals(
  db: Db,
  opts: { agent?: string; page?: number } = {},
): Promise<StoredSignal[]> {
  const agent = checkFilter(opts.agent, "allSignals: agent");
  const page = checkLimit(opts.page ?? 10_000, "allSignals: page");
  return await readAllByKey(
    page,
    (after) => {
      let q = db.selectFrom("signals").selectAll();
      if (agent !== undefined) q = q.where("agent", "=", agent);
      if (after !== null) q = q.where((eb) => afterKey(eb, "bar_time", "id", after));
      return q.orderBy("bar_time", "asc").orderBy("id", "asc").limit(page).execute();
    },
    (r) => ({ t: r.bar_time, id: r.id }),
    signalFromRow,
  );
}

/** Every fill in ascending bar time (then id); a bulk read for replay summaries and reports. */
export async function allFills(db: Db, page = 10_000): Promise<StoredFill[]> {
  checkLimit(page, "allFills: page");
  return await readAllByKey(
    page,
    (after) => {
      let q = db.selectFrom("fills").selectAll();
      if (after !== null) q = q.where((eb) => afterKey(eb, "bar_time", "id", after));
      return q.orderBy("bar_time", "asc").orderBy("id", "asc").limit(page).execute();
    },
    (r) => ({ t: r.bar_time, id: r.id }),
    fillFromRow,
  );
}

/** Every order in ascending creation time (then client order id); a bulk read. */
export async function allOrders(db: Db, page = 10_000): Promise<StoredOrder[]> {
  checkLimit(page, "allOrders: page");
  return await readAllByKey(
    page,
    (after) => {
      let q = db.selectFrom("orders").selectAll();
      if (after !== null) {
        q = q.where((eb) => afterKey(eb, "created_at", "client_order_id", after));
      }
      return q.orderBy("created_at", "asc").orderBy("client_order_id", "asc").limit(page).execute();
    },
    (r) => ({ t: r.created_at, id: r.client_order_id }),
    orderFromRow,
  );
}

/** The highest equity ever recorded, or null without any equity point. */
export async function equityPeak(db: Db): Promise<number | null> {
  const row = await db.selectFrom("equity_snapshots").select((eb) => eb.fn.max("equity").as("peak"))
    .executeTakeFirst();
  return row?.peak === null || row?.peak === undefined
    ? null
    : toFiniteNumber(row.peak, "equity_snapshots max(equity)");
}
