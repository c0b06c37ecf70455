// Idempotent writes. Messages are delivered at least once, so writing the same message
// again must leave the database as it was: inserts keyed by the message id do nothing on
// conflict, upserts only move a row forward. Each returns whether a row changed.
import { type Kysely, sql } from "kysely";
import {
  type Account,
  AccountSchema,
  type Decision,
  DecisionSchema,
  type Fill,
  FillSchema,
  type OrderUpdate,
  OrderUpdateSchema,
  type Position,
  PositionSchema,
  type Signal,
  SignalSchema,
  type Veto,
  VetoSchema,
} from "../messages/schemas.ts";
import { requireEpochMs, StorageInputError, toJsonText, toSafeInteger } from "./convert.ts";
import {
  type AuditEntry,
  AuditEntrySchema,
  type OrderStatus,
  type OrderType,
  StoredOrderSchema,
} from "./records.ts";
import type { DatabaseSchema } from "./schema.ts";
import { checkId, checkInput } from "./validate.ts";

export type Db = Kysely<DatabaseSchema>;

const changed = (n: bigint | undefined): boolean => n !== undefined && n > 0n;

/** An upsert that would rewrite identical values is skipped, so it reports no change. */
function differs(table: string, columns: readonly string[]) {
  return sql<boolean>`${
    sql.join(
      columns.map((c) =>
        sql`${sql.ref(`excluded.${c}`)} is distinct from ${sql.ref(`${table}.${c}`)}`
      ),
      sql` or `,
    )
  }`;
}

/** Stores a signal under its envelope id; `createdAt` is the envelope's time. */
export async function insertSignal(
  db: Db,
  id: string,
  signal: Signal,
  createdAt: number,
): Promise<boolean> {
  checkId(id, "insertSignal");
  const s = checkInput(SignalSchema, signal, `insertSignal ${id}`);
  const created = requireEpochMs(createdAt, `insertSignal ${id}: createdAt`);
  const r = await db.insertInto("signals").values({
    id,
    agent: s.agent,
    symbol: s.symbol,
    bar_time: s.barTime,
    kind: s.kind,
    payload: toJsonText(s, `insertSignal ${id}: payload`),
    created_at: created,
  }).onConflict((oc) => oc.column("id").doNothing()).executeTakeFirst();
  return changed(r.numInsertedOrUpdatedRows);
}

export async function insertDecision(db: Db, id: string, decision: Decision): Promise<boolean> {
  checkId(id, "insertDecision");
  const d = checkInput(DecisionSchema, decision, `insertDecision ${id}`);
  const r = await db.insertInto("decisions").values({
    id,
    symbol: d.symbol,
    bar_time: d.barTime,
    target: d.target,
    confidence: d.confidence,
    disagreement: d.disagreement,
    payload: toJsonText(d, `insertDecision ${id}: payload`),
  }).onConflict((oc) => oc.column("id").doNothing()).executeTakeFirst();
  return changed(r.numInsertedOrUpdatedRows);
}

/** Stores a veto and one `veto_reasons` row per reason, in one transaction. */
export async function insertVeto(db: Db, id: string, veto: Veto): Promise<boolean> {
  checkId(id, "insertVeto");
  const v = checkInput(VetoSchema, veto, `insertVeto ${id}`);
  const reasons = toJsonText(v.reasons, `insertVeto ${id}: reasons`);
  return await inTransaction(db, async (trx) => {
    const r = await trx.insertInto("vetoes").values({
      id,
      decision_id: v.decisionId,
      symbol: v.symbol,
      bar_time: v.barTime,
      reasons,
      trading_state: v.tradingState,
    }).onConflict((oc) => oc.column("id").doNothing()).executeTakeFirst();
    if (!changed(r.numInsertedOrUpdatedRows)) return false;
    await trx.insertInto("veto_reasons")
      .values(v.reasons.map((reason, position) => ({ veto_id: id, position, code: reason.code })))
      .onConflict((oc) => oc.columns(["veto_id", "position"]).doNothing())
      .execute();
    return true;
  });
}

/**
 * Status only moves forward: new → submitted → partially_filled → a final status. A
 * redelivered older update never overwrites a newer one; at the same rank the later
 * (or equal) `updated_at` wins, so repeated partial fills keep the latest reason.
 */
export const ORDER_STATUS_RANK: Readonly<Record<OrderStatus, number>> = {
  new: 0,
  submitted: 1,
  partially_filled: 2,
  filled: 3,
  cancelled: 3,
  rejected: 3,
  expired: 3,
};

function statusRank(column: string) {
  const cases = Object.entries(ORDER_STATUS_RANK).map(([status, rank]) =>
    sql`when ${sql.lit(status)} then ${sql.lit(rank)}`
  );
  return sql<number>`(case ${sql.ref(column)} ${sql.join(cases, sql` `)} else -1 end)`;
}

/**
 * Inserts the order on its first update, then applies later status updates. `time` is the
 * update's event time; `created_at`, side, symbol and quantity keep their first values.
 */
export async function upsertOrder(
  db: Db,
  update: OrderUpdate,
  time: number,
  type: OrderType = "market",
): Promise<boolean> {
  const u = checkInput(OrderUpdateSchema, update, "upsertOrder");
  const at = requireEpochMs(time, `upsertOrder ${u.clientOrderId}: time`);
  checkInput(StoredOrderSchema.shape.type, type, `upsertOrder ${u.clientOrderId}: type`);
  const r = await db.insertInto("orders").values({
    client_order_id: u.clientOrderId,
    decision_id: u.decisionId,
    symbol: u.symbol,
    side: u.side,
    quantity: u.quantity,
    type,
    status: u.status,
    reason: u.reason,
    updated_at: at,
    created_at: at,
  }).onConflict((oc) =>
    oc.column("client_order_id").doUpdateSet((eb) => ({
      status: eb.ref("excluded.status"),
      reason: eb.ref("excluded.reason"),
      updated_at: eb.ref("excluded.updated_at"),
    })).where(() =>
      sql<boolean>`(${statusRank("excluded.status")} > ${statusRank("orders.status")} or (${
        statusRank("excluded.status")
      } = ${statusRank("orders.status")} and ${sql.ref("excluded.updated_at")} >= ${
        sql.ref("orders.updated_at")
      })) and (${differs("orders", ["status", "reason", "updated_at"])})`
    )
  ).executeTakeFirst();
  return changed(r.numInsertedOrUpdatedRows);
}

export async function insertFill(db: Db, id: string, fill: Fill): Promise<boolean> {
  checkId(id, "insertFill");
  const f = checkInput(FillSchema, fill, `insertFill ${id}`);
  const r = await db.insertInto("fills").values({
    id,
    client_order_id: f.clientOrderId,
    symbol: f.symbol,
    side: f.side,
    quantity: f.quantity,
    price: f.price,
    fee: f.fee,
    bar_time: f.barTime,
  }).onConflict((oc) => oc.column("id").doNothing()).executeTakeFirst();
  return changed(r.numInsertedOrUpdatedRows);
}

/** Latest position per symbol; an update older than the stored one is ignored. */
export async function upsertPosition(db: Db, position: Position, time: number): Promise<boolean> {
  const p = checkInput(PositionSchema, position, "upsertPosition");
  if (p.symbol.length === 0) {
    throw new StorageInputError("upsertPosition: symbol must not be empty");
  }
  const at = requireEpochMs(time, `upsertPosition ${p.symbol}: time`);
  const r = await db.insertInto("positions").values({
    symbol: p.symbol,
    quantity: p.quantity,
    avg_price: p.avgPrice,
    last_price: p.lastPrice,
    updated_at: at,
  }).onConflict((oc) =>
    oc.column("symbol").doUpdateSet((eb) => ({
      quantity: eb.ref("excluded.quantity"),
      avg_price: eb.ref("excluded.avg_price"),
      last_price: eb.ref("excluded.last_price"),
      updated_at: eb.ref("excluded.updated_at"),
    })).where(() =>
      sql<boolean>`${sql.ref("excluded.updated_at")} >= ${sql.ref("positions.updated_at")} and (${
        differs("positions", ["quantity", "avg_price", "last_price", "updated_at"])
      })`
    )
  ).executeTakeFirst();
  return changed(r.numInsertedOrUpdatedRows);
}

/** One equity point per bar time; the last write for a bar time wins. */
export async function upsertEquity(db: Db, account: Account): Promise<boolean> {
  const a = checkInput(AccountSchema, account, "upsertEquity");
  const r = await db.insertInto("equity_snapshots").values({
    bar_time: a.barTime,
    cash: a.cash,
    equity: a.equity,
    fees: a.fees,
    positions: toJsonText(a.positions, `upsertEquity ${a.barTime}: positions`),
  }).onConflict((oc) =>
    oc.column("bar_time").doUpdateSet((eb) => ({
      cash: eb.ref("excluded.cash"),
      equity: eb.ref("excluded.equity"),
      fees: eb.ref("excluded.fees"),
      positions: eb.ref("excluded.positions"),
    })).where(() => differs("equity_snapshots", ["cash", "equity", "fees", "positions"]))
  ).executeTakeFirst();
  return changed(r.numInsertedOrUpdatedRows);
}

/**
 * Appends to the audit log and returns the new entry's id, or null when an entry with the
 * same `eventId` is already there. There is no update or delete: the log is append-only.
 */
export async function appendAudit(db: Db, entry: AuditEntry): Promise<number | null> {
  const e = checkInput(AuditEntrySchema, entry, "appendAudit");
  const args = toJsonText(e.args, `appendAudit ${e.command}: args`);
  const row = await db.insertInto("audit_log").values({
    event_id: e.eventId ?? null,
    time: e.time,
    actor: e.actor,
    channel: e.channel,
    command: e.command,
    args,
    effect: e.effect,
  }).onConflict((oc) => oc.column("event_id").doNothing())
    .returning("id").executeTakeFirst();
  return row === undefined ? null : toSafeInteger(row.id, "audit_log.id");
}

async function inTransaction<T>(db: Db, fn: (trx: Db) => Promise<T>): Promise<T> {
  return db.isTransaction ? await fn(db) : await db.transaction().execute(fn);
}
