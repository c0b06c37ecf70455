// Protective levels of an open (long) position: a stop-loss and a take-profit, each with the
// decision it came from (its client order id derives from that). Pure.
import type { Protection } from "../../shared/messages/mod.ts";

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
