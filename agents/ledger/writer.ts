// The ledger: the one writer of trading records. Every write is idempotent (keyed by the
// message id or client order id), so a redelivered message never duplicates a row.
import type { AnyEnvelope } from "../../shared/messages/mod.ts";
import {
  type Db,
  insertDecision,
  insertFill,
  insertOrderEvent,
  insertSignal,
  insertVeto,
  upsertEquity,
  upsertOrder,
  upsertPosition,
} from "../../shared/storage/mod.ts";

/** One transaction per delivered batch: all of it is stored, or none of it. */
export async function recordBatch(db: Db, msgs: AnyEnvelope[]): Promise<void> {
  if (msgs.length === 0) return;
  await db.transaction().execute(async (trx) => {
    for (const msg of msgs) await recordMessage(trx, msg);
  });
}

export async function recordMessage(db: Db, msg: AnyEnvelope): Promise<void> {
  switch (msg.type) {
    case "signal":
      await insertSignal(db, msg.id, msg.data, msg.time);
      return;
    case "decision":
      await insertDecision(db, msg.id, msg.data);
      return;
    case "veto":
      await insertVeto(db, msg.id, msg.data);
      return;
    case "fill":
      await insertFill(db, msg.id, msg.data);
      return;
    case "order_update":
      // Every transition, and the order's latest status.
      await insertOrderEvent(db, msg.id, msg.data, msg.time);
      await upsertOrder(db, msg.data, msg.time, msg.data.type ?? "market");
      return;
    case "account":
      await upsertEquity(db, msg.data);
      for (const p of msg.data.positions) await upsertPosition(db, p, msg.data.barTime);
      return;
    default:
      return;
  }
}
