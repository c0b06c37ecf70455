// The risk agent's own record of closed trades, built from the executor's fills: a trade
// opens when a symbol's position leaves zero and closes when it returns to zero. Its result
// is the cash it made after fees, and its return that result over the cash it cost. Feeds
// half-Kelly sizing (rolling win rate and payoff) and the consecutive-losses breaker. Pure.
import type { Fill } from "../../shared/messages/mod.ts";
import { roundToStep } from "../executor/paper.ts";

export interface OpenTrade {
  quantity: number;
  /** Cash paid for what is still held (notional + fees), pro rata after partial sells. */
  cost: number;
  /** Cash paid for everything bought in this trade. */
  invested: number;
  realized: number;
}

export interface ClosedTrade {
  symbol: string;
  closedAt: number;
  pnl: number;
  /** pnl / invested. */
  ret: number;
}

export interface TradeRecord {
  open: Record<string, OpenTrade>;
  /** Newest last, at most `window` long. */
  closed: ClosedTrade[];
  /** Losing trades in a row, up to the newest. */
  lossStreak: number;
}

export const emptyTradeRecord = (): TradeRecord => ({ open: {}, closed: [], lossStreak: 0 });

/** Applies one fill (in place); returns the trade it closed, if any. */
export function applyFill(
  r: TradeRecord,
  f: Fill,
  quantityStep: number,
  window: number,
): ClosedTrade | null {
  const t = r.open[f.symbol] ?? { quantity: 0, cost: 0, invested: 0, realized: 0 };
  if (f.side === "buy") {
    const paid = f.quantity * f.price + f.fee;
    r.open[f.symbol] = {
      quantity: roundToStep(t.quantity + f.quantity, quantityStep),
      cost: t.cost + paid,
      invested: t.invested + paid,
      realized: t.realized,
    };
    return null;
  }
  if (t.quantity <= 0) return null; // a sell of nothing we saw bought: not a trade of ours
  const sold = Math.min(f.quantity, t.quantity);
  const costOut = t.cost * (sold / t.quantity);
  const realized = t.realized + sold * f.price - f.fee - costOut;
  const left = roundToStep(t.quantity - sold, quantityStep);
  if (left > 0) {
    r.open[f.symbol] = { ...t, quantity: left, cost: t.cost - costOut, realized };
    return null;
  }
  delete r.open[f.symbol];
  const closed: ClosedTrade = {
    symbol: f.symbol,
    closedAt: f.barTime,
    pnl: realized,
    ret: t.invested > 0 ? realized / t.invested : 0,
  };
  r.closed.push(closed);
  if (r.closed.length > window) r.closed.splice(0, r.closed.length - window);
  r.lossStreak = realized < 0 ? r.lossStreak + 1 : 0;
  return closed;
}

export interface KellyStats {
  trades: number;
  winRate: number;
  /** Mean return of the winners and mean |return| of the losers. */
  avgWin: number;
  avgLoss: number;
  /** Kelly stake as a fraction of equity (may be ≤ 0: no edge, or > 1). */
  kelly: number;
}

/**
 * Kelly stake for a two-outcome bet that gains avgWin or loses avgLoss per unit staked with
 * probability W: f* = W / avgLoss − (1 − W) / avgWin (the maximiser of E log(1 + f·r)), which
 * is the textbook W − (1 − W) / R scaled by the loss per unit staked. Null without both a win
 * and a loss, where the formula has no finite answer.
 */
export function kellyStats(closed: readonly ClosedTrade[]): KellyStats | null {
  const wins = closed.filter((t) => t.ret > 0);
  const losses = closed.filter((t) => t.ret <= 0);
  if (wins.length === 0 || losses.length === 0) return null;
  const avgWin = wins.reduce((s, t) => s + t.ret, 0) / wins.length;
  const avgLoss = -losses.reduce((s, t) => s + t.ret, 0) / losses.length;
  if (!(avgLoss > 0)) return null;
  const w = wins.length / closed.length;
  return {
    trades: closed.length,
    winRate: w,
    avgWin,
    avgLoss,
    kelly: w / avgLoss - (1 - w) / avgWin,
  };
}
