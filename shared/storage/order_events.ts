// The order event log: one row per order_update message, i.e. per state-machine transition.
// Append-only and idempotent on the message id, read back in the order it was written.
import { z } from "zod";
import { ORDER_TYPES, type OrderUpdate, OrderUpdateSchema } from "../messages/schemas.ts";
import {
  requireEpochMs,
  StorageInputError,
  toFiniteNumber,
  toNullableText,
  toSafeInteger,
  toText,
} from "./convert.ts";
import { checkId, checkInput, checkRow } from "./validate.ts";
import type { Db } from "./writes.ts";

export const StoredOrderEventSchema = OrderUpdateSchema.extend({
  eventId: z.string().min(1),
  seq: z.number().int().positive(),
  type: z.enum(ORDER_TYPES),
  filledQuantity: z.number().finite().nonnegative().nullable(),
  time: z.number().int().nonnegative(),
});
export type StoredOrderEvent = z.infer<typeof StoredOrderEventSchema>;

/** Stores one transition under its envelope id; false when it was already there. */
export async function insertOrderEvent(
  db: Db,
  eventId: string,
  update: OrderUpdate,
  time: number,
): Promise<boolean> {
  checkId(eventId, "insertOrderEvent");
  const u = checkInput(OrderUpdateSchema, update, `insertOrderEvent ${eventId}`);
  const at = requireEpochMs(time, `insertOrderEvent ${eventId}: time`);
  const r = await db.insertInto("order_events").values({
    event_id: eventId,
    client_order_id: u.clientOrderId,
    decision_id: u.decisionId,
    symbol: u.symbol,
    side: u.side,
    type: u.type ?? "market",
    quantity: u.quantity,
    filled_quantity: u.filledQuantity ?? null,
    status: u.status,
    reason: u.reason,
    time: at,
  }).onConflict((oc) => oc.column("event_id").doNothing()).executeTakeFirst();
  return r.numInsertedOrUpdatedRows !== undefined && r.numInsertedOrUpdatedRows > 0n;
}

export interface OrderEventQuery {
  /** One order's events; without it, every order's. */
  clientOrderId?: string;
  limit: number;
}

/** Events in the order they were stored (oldest first). */
export async function listOrderEvents(
  db: Db,
  opts: OrderEventQuery,
): Promise<StoredOrderEvent[]> {
  if (!Number.isSafeInteger(opts.limit) || opts.limit < 1 || opts.limit > 100_000) {
    throw new StorageInputError(
      `listOrderEvents: limit must be an integer in 1..100000, got ${opts.limit}`,
    );
  }
  if (opts.clientOrderId !== undefined && opts.clientOrderId.length === 0) {
    throw new StorageInputError("listOrderEvents: clientOrderId must not be empty when given");
  }
  let q = db.selectFrom("order_events").selectAll().orderBy("seq", "asc").limit(opts.limit);
  if (opts.clientOrderId !== undefined) q = q.where("client_order_id", "=", opts.clientOrderId);
  const rows = await q.execute();
  return rows.map((r) => {
    const what = `order_events row '${r.event_id}'`;
    const filled = r.filled_quantity === null
      ? null
      : toFiniteNumber(r.filled_quantity, `${what} filled_quantity`);
    return checkRow(StoredOrderEventSchema, {
      seq: toSafeInteger(r.seq, `${what} seq`),
      eventId: toText(r.event_id, `${what} event_id`),
      clientOrderId: toText(r.client_order_id, `${what} client_order_id`),
      decisionId: toText(r.decision_id, `${what} decision_id`),
      symbol: toText(r.symbol, `${what} symbol`),
      side: r.side,
      type: r.type,
      quantity: toFiniteNumber(r.quantity, `${what} quantity`),
      filledQuantity: filled,
      status: r.status,
      reason: toNullableText(r.reason, `${what} reason`),
      time: toSafeInteger(r.time, `${what} time`),
    }, what);
  });
}
