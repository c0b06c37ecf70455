// The replay summary: backtesting.py's honest statistics, from an equity curve and fills.
import { maxDrawdown } from "./drawdown.ts";
import { exposure } from "./exposure.ts";
import {
  checkEquityCurve,
  checkFills,
  checkPositive,
  type EquityPoint,
  type StatsFill,
} from "./inputs.ts";
import { barReturns, cagr, finiteOrNull, sharpeRatio, sortinoRatio } from "./returns.ts";
import { profitFactor, roundTrips, winRate } from "./round_trips.ts";

export interface StatsInput {
  equityCurve: readonly EquityPoint[];
  fills: readonly StatsFill[];
  initialEquity: number;
  /** From `buyHoldReturn`; null when there is no benchmark. */
  buyHoldReturn: number | null;
  /** From `inferPeriodsPerYear`, or known (252 for stock days). */
  periodsPerYear: number;
}

export interface ReplayStats {
  bars: number;
  trades: number;
  fees: number;
  initial_equity: number;
  final_equity: number;
  total_return: number;
  buy_hold_return: number | null;
  /** ≤ 0: the worst fall from a peak, as a fraction. */
  max_drawdown: number;
  sharpe: number | null;
  sortino: number | null;
  calmar: number | null;
  win_rate: number | null;
  profit_factor: number | null;
  exposure: number;
}

export function computeStats(input: StatsInput): ReplayStats {
  const { equityCurve, fills, initialEquity, periodsPerYear } = input;
  checkPositive(initialEquity, "initialEquity");
  checkPositive(periodsPerYear, "periodsPerYear");
  if (input.buyHoldReturn !== null && !Number.isFinite(input.buyHoldReturn)) {
    throw new RangeError(`buyHoldReturn must be finite or null (got ${input.buyHoldReturn})`);
  }
  checkEquityCurve(equityCurve);
  checkFills(fills);
  const equities = equityCurve.map(([, e]) => e);
  const finalEquity = equities.length > 0 ? equities[equities.length - 1] : initialEquity;
  const returns = barReturns(initialEquity, equities);
  const dd = maxDrawdown(initialEquity, equities);
  const growth = cagr(initialEquity, finalEquity, equities.length, periodsPerYear);
  const trips = roundTrips(fills);
  return {
    bars: equities.length,
    trades: trips.length,
    fees: fills.reduce((s, f) => s + f.fee, 0),
    initial_equity: initialEquity,
    final_equity: finalEquity,
    total_return: finalEquity / initialEquity - 1,
    buy_hold_return: input.buyHoldReturn,
    max_drawdown: dd,
    sharpe: sharpeRatio(returns, periodsPerYear),
    sortino: sortinoRatio(returns, periodsPerYear),
    calmar: dd < 0 && growth !== null ? finiteOrNull(growth / Math.abs(dd)) : null,
    win_rate: winRate(trips),
    profit_factor: profitFactor(trips),
    exposure: exposure(equityCurve, fills),
  };
}
