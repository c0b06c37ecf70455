// Position sizing: what order (if any) brings the book to the decision's target, within the
// position, gross exposure and cash limits of the account it is sized on. Pure.
//
// Every quantity is the largest grid value (quantity step) that passes the exact check the
// limit names, evaluated in doubles the way a test would evaluate it, so rounding never
// lets an approved order exceed a limit by an ulp.
import type { Account, Decision, Reason } from "../../shared/messages/mod.ts";
import { buyCost, executionPrice, floorToStep, stepDown } from "../executor/paper.ts";

export interface SizingOptions {
  /** Largest position value of one symbol, as a fraction of equity. */
  maxPositionFraction: number;
  /** Largest Σ |quantity| × price over all positions, as a multiple of equity. */
  maxGrossExposure: number;
  feeBps: number;
  slippageBps: number;
  quantityStep: number;
  /** Smallest buy worth sending, in quote currency: below it the order is dust. */
  minNotional: number;
  /**
   * A top-up of an existing position smaller than this fraction of the target position's
   * value is skipped: chasing the target every bar only pays fees.
   */
  rebalanceBand: number;
}

export type Sizing =
  | { kind: "order"; side: "buy" | "sell"; quantity: number; reasons: Reason[] }
  | { kind: "none"; reasons: Reason[] }
  | { kind: "veto"; reasons: Reason[] };

export const heldQuantity = (account: Account, symbol: string): number =>
  account.positions.find((p) => p.symbol === symbol)?.quantity ?? 0;

/** Σ |quantity| × last price of every position except `symbol`'s. */
export function grossOtherThan(account: Account, symbol: string): number {
  let gross = 0;
  for (const p of account.positions) {
    if (p.symbol !== symbol) gross += Math.abs(p.quantity) * p.lastPrice;
  }
  return gross;
}

/** The order a decision asks for, before the trading state is applied. */
export function sizeDecision(decision: Decision, account: Account, o: SizingOptions): Sizing {
  const held = heldQuantity(account, decision.symbol);
  switch (decision.target) {
    case "hold":
      return { kind: "none", reasons: [reason("hold", "the decision is to hold", {})] };
    case "short":
      return {
        kind: "veto",
        reasons: [reason("shorting_disabled", "long-only spot: no short positions", {
          target: "short",
          held,
        })],
      };
    case "flat":
      return held > 0
        ? {
          kind: "order",
          side: "sell",
          quantity: held,
          reasons: [reason("exit", `sell the whole position of ${held}`, { held })],
        }
        : { kind: "none", reasons: [reason("already_flat", "no position to exit", { held })] };
    case "long":
      return sizeLong(decision, account, held, o);
  }
}

function sizeLong(decision: Decision, account: Account, held: number, o: SizingOptions): Sizing {
  const { equity, cash } = account;
  const price = decision.refPrice;
  const step = o.quantityStep;
  if (!(equity > 0)) {
    return { kind: "veto", reasons: [reason("no_equity", `equity is ${equity}`, { equity })] };
  }
  const positionLimit = o.maxPositionFraction * equity;
  const targetQty = largestOnGrid(positionLimit / price, step, (q) => q * price <= positionLimit);
  const wanted = largestOnGrid(
    targetQty - held,
    step,
    (q) => (held + q) * price <= positionLimit,
  );
  const sizing = {
    equity,
    refPrice: price,
    held,
    targetQuantity: targetQty,
    maxPositionFraction: o.maxPositionFraction,
  };
  if (wanted <= 0) {
    return {
      kind: "none",
      reasons: [reason("at_target", `held ${held} already meets the target ${targetQty}`, sizing)],
    };
  }
  if (held > 0 && wanted * price < o.rebalanceBand * positionLimit) {
    return {
      kind: "none",
      reasons: [reason("within_rebalance_band", `a top-up of ${wanted} is within the band`, {
        ...sizing,
        wanted,
        rebalanceBand: o.rebalanceBand,
      })],
    };
  }
  const reasons: Reason[] = [
    reason("target_long", `buy ${wanted} toward the target ${targetQty}`, { ...sizing, wanted }),
  ];
  let quantity = wanted;

  const grossOther = grossOtherThan(account, decision.symbol);
  const grossLimit = o.maxGrossExposure * equity;
  const byGross = largestOnGrid(
    (grossLimit - grossOther) / price - held,
    step,
    (q) => grossOther + (held + q) * price <= grossLimit,
  );
  if (byGross < quantity) {
    reasons.push(reason("size_capped_gross", `gross exposure cap allows ${byGross}`, {
      requested: quantity,
      allowed: byGross,
      grossBefore: grossOther + held * price,
      maxGrossExposure: o.maxGrossExposure,
      grossLimit,
      equity,
    }));
    quantity = byGross;
  }

  const estPrice = executionPrice(price, "buy", o.slippageBps);
  const byCash = largestOnGrid(
    cash / (estPrice * (1 + o.feeBps / 1e4)),
    step,
    (q) => buyCost(q, estPrice, o.feeBps).cost <= cash,
  );
  if (byCash < quantity) {
    reasons.push(reason("size_capped_cash", `cash allows ${byCash} at ${estPrice} incl. fee`, {
      requested: quantity,
      allowed: byCash,
      cash,
      estimatedPrice: estPrice,
      feeBps: o.feeBps,
      slippageBps: o.slippageBps,
    }));
    quantity = byCash;
  }
  if (quantity <= 0) return { kind: "veto", reasons };
  if (quantity * price < o.minNotional) {
    reasons.push(reason("below_min_notional", `${quantity} × ${price} is below the minimum`, {
      quantity,
      notional: quantity * price,
      minNotional: o.minNotional,
    }));
    return { kind: "none", reasons };
  }
  return { kind: "order", side: "buy", quantity, reasons };
}

/**
 * The largest grid value in [0, estimate] satisfying `ok` (0 if none). `ok` must be monotone
 * (true below some point); `estimate` is within a few ulps of that point, so few steps run.
 */
export function largestOnGrid(estimate: number, step: number, ok: (q: number) => boolean): number {
  if (!(estimate > 0)) return 0;
  let q = floorToStep(estimate, step);
  for (let i = 0; q > 0 && !ok(q); i++) {
    if (i >= 1000) throw new Error(`sizing did not converge near ${estimate} (step ${step})`);
    q = stepDown(q, step);
  }
  return Math.max(q, 0);
}

function reason(code: string, detail: string, values: Reason["values"]): Reason {
  return { code, detail, values };
}
