// Closed round trips from fills, matched FIFO per symbol (long-only).
//
// Each buy fill opens a lot; sells consume the oldest lots first. A lot is one trade, closed
// when fully sold. Its profit is Σ (sell price − buy price) × matched quantity, net of the
// lot's whole buy fee and of the sold share of each sell fill's fee.
import type { StatsFill } from "./inputs.ts";

export interface RoundTrip {
  symbol: string;
  entryTime: number;
  exitTime: number;
  quantity: number;
  entryPrice: number;
  /** Quantity-weighted average exit price. */
  exitPrice: number;
  /** Net of fees. */
  pnl: number;
}

interface Lot {
  time: number;
  quantity: number;
  remaining: number;
  price: number;
  fee: number;
  gross: number;
  exitFees: number;
  exitValue: number;
  lastExit: number;
}

/** A lot whose remaining quantity is below this share of its size counts as closed. */
const CLOSE_TOLERANCE = 1e-9;

/**
 * The order fills are matched in: by bar time, then symbol, then buys before sells. Fills of
 * one bar carry no sequence of their own (a bar's entry and its stop-out share its time), and
 * buying first is exact for FIFO long-only as long as a bar holds at most one buy and one
 * sell per symbol (one decision and one exit per symbol and bar): a sell that really came first
 * never exceeds the older lots, which FIFO consumes first anyway.
 */
export function compareFillsForMatching(
  a: Pick<StatsFill, "time" | "symbol" | "side">,
  b: Pick<StatsFill, "time" | "symbol" | "side">,
): number {
  if (a.time !== b.time) return a.time - b.time;
  if (a.symbol !== b.symbol) return a.symbol < b.symbol ? -1 : 1;
  if (a.side !== b.side) return a.side === "buy" ? -1 : 1;
  return 0;
}

/** Fills must be in time order (checkFills); a sell beyond the held lots is an error. */
export function roundTrips(fills: readonly StatsFill[]): RoundTrip[] {
  const lots = new Map<string, Lot[]>();
  const trips: RoundTrip[] = [];
  fills.forEach((f, i) => {
    const open = lots.get(f.symbol) ?? [];
    lots.set(f.symbol, open);
    if (f.side === "buy") {
      open.push({
        time: f.time,
        quantity: f.quantity,
        remaining: f.quantity,
        price: f.price,
        fee: f.fee,
        gross: 0,
        exitFees: 0,
        exitValue: 0,
        lastExit: f.time,
      });
      return;
    }
    let left = f.quantity;
    while (left > CLOSE_TOLERANCE * f.quantity) {
      const lot = open[0];
      if (lot === undefined) {
        throw new RangeError(
          `fills[${i}]: sell of ${f.quantity} ${f.symbol} exceeds the held quantity by ${left}`,
        );
      }
      const q = Math.min(left, lot.remaining);
      lot.remaining -= q;
      left -= q;
      lot.gross += (f.price - lot.price) * q;
      lot.exitValue += f.price * q;
      lot.exitFees += f.fee * (q / f.quantity);
      lot.lastExit = f.time;
      if (lot.remaining <= CLOSE_TOLERANCE * lot.quantity) {
        open.shift();
        trips.push({
          symbol: f.symbol,
          entryTime: lot.time,
          exitTime: lot.lastExit,
          quantity: lot.quantity,
          entryPrice: lot.price,
          exitPrice: lot.exitValue / (lot.quantity - lot.remaining),
          pnl: lot.gross - lot.fee - lot.exitFees,
        });
      }
    }
  });
  return trips;
}

/** Share of trades with a positive net profit; null without trades. */
export function winRate(trips: readonly RoundTrip[]): number | null {
  if (trips.length === 0) return null;
  return trips.filter((t) => t.pnl > 0).length / trips.length;
}

/** Σ profits / |Σ losses|; null without a losing trade. */
export function profitFactor(trips: readonly RoundTrip[]): number | null {
  const wins = trips.filter((t) => t.pnl > 0).reduce((s, t) => s + t.pnl, 0);
  const losses = trips.filter((t) => t.pnl < 0).reduce((s, t) => s + t.pnl, 0);
  return losses < 0 ? wins / -losses : null;
}
