// Protective levels of an open (long) position: a stop-loss and a take-profit, each with the
// decision it came from (its client order id derives from that). Pure.
import { clientOrderIdFor, type Protection } from "../../shared/messages/mod.ts";

export interface Level {
  price: number;
  /** The decision that set this level: the protective order's id derives from it. */
  decisionId: string;
}

export interface ProtectionLevels {
  stopLoss: Level | null;
  takeProfit: Level | null;
  basis: string;
}

/**
 * New levels over the current ones. A stop never loosens: a lower stop, or none, keeps the
 * current one (long-only spot: a stop-loss sits below the price). The take-profit is what the
 * newest protection says (null removes it); an unchanged level keeps its decision, so its
 * order is not replaced.
 */
export function mergeProtection(
  current: ProtectionLevels | undefined,
  next: Protection,
  decisionId: string,
): ProtectionLevels {
  const old = current?.stopLoss ?? null;
  const stopLoss = next.stopLoss !== null && (old === null || next.stopLoss > old.price)
    ? { price: next.stopLoss, decisionId }
    : old;
  const oldTp = current?.takeProfit ?? null;
  const takeProfit = next.takeProfit === null
    ? null
    : oldTp !== null && oldTp.price === next.takeProfit
    ? oldTp
    : { price: next.takeProfit, decisionId };
  return { stopLoss, takeProfit, basis: next.basis };
}

/**
 * The client order id of a new protective order for a level: derived from the level's
 * decision and the role, with a counter when that id already named an order (`taken`). A
 * level can need a second order (the first was cancelled when the position closed, or filled
 * while an entry kept the level alive); under a reused id its fill and updates would look
 * like redeliveries to every consumer, which drop them. Deterministic for a given `taken`.
 */
export function protectiveIdFor(
  decisionId: string,
  role: "stop_loss" | "take_profit",
  taken: (clientOrderId: string) => boolean,
): string {
  for (let k = 1;; k++) {
    const id = clientOrderIdFor(k === 1 ? `${decisionId}:${role}` : `${decisionId}:${role}:${k}`);
    if (!taken(id)) return id;
  }
}
