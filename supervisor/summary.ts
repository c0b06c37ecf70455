// The replay summary: statistics recomputable by anyone from the fills and the data.
import {
  buyHoldReturn,
  compareFillsForMatching,
  computeStats,
  inferPeriodsPerYear,
  type ReplayStats,
} from "../shared/stats/mod.ts";
import { equityCurve, type Store, type StoredFill } from "../shared/storage/mod.ts";
import { allFills } from "../shared/storage/queries.ts";
import type { FeedDone } from "./system.ts";
import type { Bus } from "../shared/bus/types.ts";
import { decode, STREAMS } from "../shared/messages/mod.ts";

export interface SummaryFill {
  time: number;
  symbol: string;
  side: "buy" | "sell";
  quantity: number;
  price: number;
  fee: number;
}

export interface RiskEvent {
  time: number;
  severity: string;
  code: string;
  message: string;
}

export interface ReplaySummary extends ReplayStats {
  symbols: string[];
  timeframe: string;
  /** Open times of the first and last bar of the common clock. */
  first_time: number;
  last_time: number;
  /** Which agents produced it: "placeholder rules" or "models: DIR". */
  agents: string;
  /** Trading-state changes and other alerts during the run, in order. */
  risk_events: RiskEvent[];
  fills: SummaryFill[];
  equity_curve: [number, number][];
}

/**
 * Every stored fill, and the same fills as the round-trip matcher wants them (time, symbol, buys
 * before sells): the summary and the HTML report share this so their round trips are the same.
 */
export async function fillsInMatchingOrder(
  store: Store,
): Promise<{ stored: StoredFill[]; fills: SummaryFill[] }> {
  const stored = await allFills(store.db);
  const fills: SummaryFill[] = stored
    .map((f) => ({
      time: f.barTime,
      symbol: f.symbol,
      side: f.side,
      quantity: f.quantity,
      price: f.price,
      fee: f.fee,
    }))
    .sort(compareFillsForMatching);
  return { stored, fills };
}

/** The alerts published during the run (ops.alerts), oldest first. */
export async function riskEvents(bus: Bus): Promise<RiskEvent[]> {
  const out: RiskEvent[] = [];
  for (const e of await bus.range(STREAMS.alerts)) {
    const d = decode(e.raw, STREAMS.alerts);
    if (!d.ok || d.msg.type !== "alert") continue;
    const { severity, code, message } = d.msg.data;
    out.push({ time: d.msg.time, severity, code, message });
  }
  return out;
}

export function formatRiskEvents(events: RiskEvent[]): string {
  if (events.length === 0) return "Risk events: none (trading stayed ACTIVE)";
  return [
    "Risk events:",
    ...events.map((e) =>
      `  ${new Date(e.time).toISOString().slice(0, 16).replace("T", " ")}  ${
        e.severity.padEnd(8)
      } ${e.code}: ${e.message}`
    ),
  ].join("\n");
}

export async function replaySummary(
  store: Store,
  bus: Bus,
  feed: FeedDone,
  initialEquity: number,
  agents = "placeholder rules",
): Promise<ReplaySummary> {
  const curve = (await equityCurve(store.db)).map((p) => [p.barTime, p.equity] as [number, number]);
  const { fills } = await fillsInMatchingOrder(store);
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
    first_time: feed.firstTime,
    last_time: feed.lastTime,
    agents,
    risk_events: await riskEvents(bus),
    fills,
    equity_curve: curve,
  };
}
