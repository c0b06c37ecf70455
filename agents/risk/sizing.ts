// Position sizing: what order (if any) brings the book toward the decision's target, within
// every limit of the account it is sized on: position fraction (via the planned fraction),
// gross and net exposure, sector exposure, open positions, orders per day, cash, and the
// venue's quantity step, minimum quantity and minimum notional. Pure.
//
// Every quantity is the largest grid value (quantity step) that passes the exact check the
// limit names, evaluated in doubles the way a test would evaluate it, so rounding never
// lets an approved order exceed a limit by an ulp.
import type { Account, Decision, Reason } from "../../shared/messages/mod.ts";
import { buyCost, executionPrice, floorToStep, stepDown } from "../executor/paper.ts";
import type { RiskOptions } from "./options.ts";

export type SizingOptions = Pick<
  RiskOptions,
  | "maxPositionFraction"
  | "maxGrossExposure"
  | "maxNetExposure"
  | "maxSectorFraction"
  | "sectors"
  | "maxOpenPositions"
  | "maxOrdersPerDay"
  | "feeBps"
  | "slippageBps"
  | "quantityStep"
  | "minQuantity"
  | "minNotional"
  | "rebalanceBand"
>;

/** What the sizing mode planned for this decision, and the book-keeping limits need. */
export interface SizingPlan {
  /** Target position value over equity (≤ maxPositionFraction), with why. */
  fraction: number;
  reasons: Reason[];
  /** Exposure-increasing orders already approved on this UTC day. */
  ordersToday: number;
}

export type Sizing =
  | { kind: "order"; side: "buy" | "sell"; quantity: number; reasons: Reason[] }
  | { kind: "none"; reasons: Reason[] }
  | { kind: "veto"; reasons: Reason[] };

export const heldQuantity = (account: Account, symbol: string): number =>
  account.positions.find((p) => p.symbol === symbol)?.quantity ?? 0;

/** A buy risk approved that the executor has not reported on yet (it fills at the next bar). */
export interface PendingBuy {
  /** Bar time of the decision; the symbol's next account settles it (filled or rejected). */
  decidedAt: number;
  quantity: number;
  price: number;
  /** Estimated cash it takes: quantity at the price with slippage, plus the fee. */
  cost: number;
}

/**
 * The account as the next buy must see it: other symbols' approved, unsettled buys already
 * spend their cash and count as positions. Without this, buys approved on one bar each see the
 * whole cash and the whole exposure room, and together break the caps when they fill.
 */
export function withPendingBuys(
  account: Account,
  pending: Record<string, PendingBuy>,
  symbol: string,
): { account: Account; reservedFor: string[] } {
  const others = Object.entries(pending).filter(([s]) => s !== symbol)
    .sort(([a], [c]) => (a < c ? -1 : a > c ? 1 : 0));
  if (others.length === 0) return { account, reservedFor: [] };
  let cash = account.cash;
  const positions = account.positions.map((p) => ({ ...p }));
  for (const [s, b] of others) {
    cash -= b.cost;
    const held = positions.find((p) => p.symbol === s);
    if (held !== undefined) held.quantity += b.quantity;
    else positions.push({ symbol: s, quantity: b.quantity, avgPrice: b.price, lastPrice: b.price });
  }
  return {
    account: { ...account, cash: Math.max(0, cash), positions },
    reservedFor: others.map(([s]) => s),
  };
}

/** The group a symbol's exposure counts against: its sector, else a group of its own. */
export const sectorOf = (sectors: Record<string, string>, symbol: string): string =>
  sectors[symbol] ?? `symbol:${symbol}`;

/** Σ |quantity| × last price of every position except `symbol`'s. */
export function grossOtherThan(account: Account, symbol: string): number {
  let gross = 0;
  for (const p of account.positions) {
    if (p.symbol !== symbol) gross += Math.abs(p.quantity) * p.lastPrice;
  }
  return gross;
}

/** Σ quantity × last price (signed) of every position except `symbol`'s. */
export function netOtherThan(account: Account, symbol: string): number {
  let net = 0;
  for (const p of account.positions) if (p.symbol !== symbol) net += p.quantity * p.lastPrice;
  return net;
}

/** Σ |quantity| × last price of the other positions in `symbol`'s sector. */
export function sectorOtherThan(
  account: Account,
  symbol: string,
  sectors: Record<string, string>,
): number {
  const sector = sectorOf(sectors, symbol);
  let sum = 0;
  for (const p of account.positions) {
    if (p.symbol !== symbol && sectorOf(sectors, p.symbol) === sector) {
      sum += Math.abs(p.quantity) * p.lastPrice;
    }
  }
  return sum;
}

export const openPositionCount = (account: Account): number =>
  account.positions.filter((p) => p.quantity !== 0).length;

/** The order a decision asks for, before the trading state is applied. */
export function sizeDecision(
  decision: Decision,
  account: Account,
  o: SizingOptions,
  plan: SizingPlan = { fraction: o.maxPositionFraction, reasons: [], ordersToday: 0 },
): Sizing {
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
      return sizeLong(decision, account, held, o, plan);
  }
}

function sizeLong(
  decision: Decision,
  account: Account,
  held: number,
  o: SizingOptions,
  plan: SizingPlan,
): Sizing {
  const { equity, cash } = account;
  const symbol = decision.symbol;
  const price = decision.refPrice;
  const step = o.quantityStep;
  if (!(equity > 0)) {
    return { kind: "veto", reasons: [reason("no_equity", `equity is ${equity}`, { equity })] };
  }
  const fraction = Math.min(plan.fraction, o.maxPositionFraction);
  const targetValue = fraction * equity;
  const targetQty = largestOnGrid(targetValue / price, step, (q) => q * price <= targetValue);
  const wanted = largestOnGrid(
    targetQty - held,
    step,
    (q) => (held + q) * price <= targetValue,
  );
  const sizing = {
    equity,
    refPrice: price,
    held,
    targetQuantity: targetQty,
    targetFraction: fraction,
    maxPositionFraction: o.maxPositionFraction,
  };
  const reasons: Reason[] = [...plan.reasons];
  if (wanted <= 0) {
    reasons.push(reason("at_target", `held ${held} already meets the target ${targetQty}`, sizing));
    return { kind: "none", reasons };
  }
  if (held > 0 && wanted * price < o.rebalanceBand * targetValue) {
    reasons.push(reason("within_rebalance_band", `a top-up of ${wanted} is within the band`, {
      ...sizing,
      wanted,
      rebalanceBand: o.rebalanceBand,
    }));
    return { kind: "none", reasons };
  }
  reasons.push(
    reason("target_long", `buy ${wanted} toward the target ${targetQty}`, { ...sizing, wanted }),
  );
  const open = openPositionCount(account);
  if (held <= 0 && open >= o.maxOpenPositions) {
    reasons.push(reason("max_open_positions", `${open} positions are open already`, {
      openPositions: open,
      maxOpenPositions: o.maxOpenPositions,
    }));
    return { kind: "veto", reasons };
  }
  if (plan.ordersToday >= o.maxOrdersPerDay) {
    reasons.push(reason("max_orders_per_day", `${plan.ordersToday} orders approved today`, {
      ordersToday: plan.ordersToday,
      maxOrdersPerDay: o.maxOrdersPerDay,
    }));
    return { kind: "veto", reasons };
  }
  let quantity = wanted;

  /** Caps the quantity so that other + (held + q) × price ≤ limit. */
  const capAt = (code: string, name: string, other: number, limit: number, setting: number) => {
    // Never above the quantity so far: only a tighter cap matters.
    const allowed = largestOnGrid(
      Math.min((limit - other) / price - held, quantity),
      step,
      (q) => other + (held + q) * price <= limit,
    );
    if (allowed < quantity) {
      reasons.push(reason(code, `${name} cap allows ${allowed}`, {
        requested: quantity,
        allowed,
        [`${name}Before`]: other + held * price,
        [`${name}Limit`]: limit,
        setting,
        equity,
      }));
      quantity = allowed;
    }
  };
  capAt(
    "size_capped_gross",
    "gross",
    grossOtherThan(account, symbol),
    o.maxGrossExposure * equity,
    o.maxGrossExposure,
  );
  capAt(
    "size_capped_net",
    "net",
    netOtherThan(account, symbol),
    o.maxNetExposure * equity,
    o.maxNetExposure,
  );
  capAt(
    "size_capped_sector",
    "sector",
    sectorOtherThan(account, symbol, o.sectors),
    o.maxSectorFraction * equity,
    o.maxSectorFraction,
  );
  if (quantity > 0) {
    const estPrice = executionPrice(price, "buy", o.slippageBps);
    const byCash = largestOnGrid(
      Math.min(cash / (estPrice * (1 + o.feeBps / 1e4)), quantity),
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
  }
  if (quantity <= 0) return { kind: "veto", reasons };
  if (quantity < o.minQuantity) {
    reasons.push(reason("below_min_quantity", `${quantity} is below the venue minimum`, {
      quantity,
      minQuantity: o.minQuantity,
    }));
    return { kind: "none", reasons };
  }
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
