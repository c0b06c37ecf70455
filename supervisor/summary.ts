// The replay summary: statistics recomputable by anyone from the fills and the data.
import {
  buyHoldReturn,
  computeStats,
  inferPeriodsPerYear,
  type ReplayStats,
} from "../shared/stats/mod.ts";
import { equityCurve, listFills, type Store } from "../shared/storage/mod.ts";
import type { FeedDone } from "./system.ts";

export interface SummaryFill {
  time: number;
  symbol: string;
  side: "buy" | "sell";
  quantity: number;
  price: number;
  fee: number;
}

export interface ReplaySummary extends ReplayStats {
  symbols: string[];
  timeframe: string;
  fills: SummaryFill[];
  equity_curve: [number, number][];
}

export async function replaySummary(
  store: Store,
  feed: FeedDone,
  initialEquity: number,
): Promise<ReplaySummary> {
  const curve = (await equityCurve(store.db)).map((p) => [p.barTime, p.equity] as [number, number]);
  const stored = await listFills(store.db, { limit: 10_000 });
  const fills: SummaryFill[] = stored
    .map((f) => ({
      time: f.barTime,
      symbol: f.symbol,
      side: f.side,
      quantity: f.quantity,
      price: f.price,
      fee: f.fee,
    }))
    .sort((a, b) => a.time - b.time || (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0));
  if (stored.length >= 10_000) throw new Error("more than 10,000 fills: page through listFills");
  const stats = computeStats({
    equityCurve: curve,
    fills,
    initialEquity,
    buyHoldReturn: buyHoldReturn(feed.symbols.map((symbol) => ({
      symbol,
      firstClose: feed.firstClose[symbol],
      lastClose: feed.lastClose[symbol],
    }))),
    periodsPerYear: inferPeriodsPerYear(curve.map(([t]) => t)),
  });
  return {
    ...stats,
    symbols: feed.symbols,
    timeframe: feed.timeframe,
    fills,
    equity_curve: curve,
  };
}
