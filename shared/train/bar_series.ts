// The bar series a volatility or regime model is trained on: checks that it is one clean
// series, its fingerprint, and the per-bar inputs both models read. Sample i describes bar
// i + 1 (the first bar has no return).
import type { RawBar } from "../data/mod.ts";
import { checkFeatureBar } from "../features/mod.ts";
import { fingerprint } from "../learn/mod.ts";

/** Throws naming the first bar that is unusable, or a second symbol or timeframe. */
export function checkTrainingBars(bars: readonly RawBar[], who: string): void {
  if (!Array.isArray(bars) || bars.length < 2) {
    throw new RangeError(`${who}: needs an array of at least 2 bars (got ${describe(bars)})`);
  }
  const { symbol, timeframe } = bars[0];
  let lastTime: number | null = null;
  bars.forEach((bar, i) => {
    if (bar.symbol !== symbol || bar.timeframe !== timeframe) {
      throw new RangeError(
        `${who}: bar ${i} is ${bar.symbol} ${bar.timeframe}, but bar 0 is ${symbol} ` +
          `${timeframe}; train on one series at a time`,
      );
    }
    const problem = checkFeatureBar(bar, lastTime);
    if (problem !== null) throw new RangeError(`${who}: bar ${i} (${bar.time}): ${problem}`);
    lastTime = bar.time;
  });
}

/** SHA-256 of every field of every bar (the card's data_sha256). */
export function barsFingerprint(bars: readonly RawBar[]): string {
  const column = (f: "time" | "open" | "high" | "low" | "close" | "volume") =>
    bars.map((b) => b[f]);
  return fingerprint([
    { name: "symbol", data: bars[0]?.symbol ?? "" },
    { name: "timeframe", data: bars[0]?.timeframe ?? "" },
    { name: "time", data: column("time") },
    { name: "open", data: column("open") },
    { name: "high", data: column("high") },
    { name: "low", data: column("low") },
    { name: "close", data: column("close") },
    { name: "volume", data: column("volume") },
  ]);
}

export interface ReturnSeries {
  /** returns[i] = ln(close[i+1] / close[i]). */
  returns: number[];
  /** ranges[i] = ln(high[i+1] / low[i+1]), the log high/low range of the same bar. */
  ranges: number[];
  /** times[i] = open time of bar i + 1, the bar sample i describes. */
  times: number[];
}

export function returnSeries(bars: readonly RawBar[]): ReturnSeries {
  const out: ReturnSeries = { returns: [], ranges: [], times: [] };
  for (let i = 1; i < bars.length; i++) {
    out.returns.push(Math.log(bars[i].close / bars[i - 1].close));
    out.ranges.push(Math.log(bars[i].high / bars[i].low));
    out.times.push(bars[i].time);
  }
  return out;
}

/** The standard metric keys of a card's MetricSet, all null: none applies to these models. */
export function nullDirectionMetrics(n: number) {
  return {
    accuracy: null,
    balanced_accuracy: null,
    log_loss: null,
    brier: null,
    auc: null,
    rank_ic: null,
    n,
  };
}

/** Checks an ISO-8601 timestamp given by the caller (training reads no clock). */
export function checkIsoTime(value: string, field: string, who: string): void {
  if (typeof value !== "string" || !/^\d{4}-\d\d-\d\dT/.test(value) || isNaN(Date.parse(value))) {
    throw new RangeError(`${who}: ${field} must be an ISO-8601 date-time (got ${value})`);
  }
}

function describe(x: unknown): string {
  return Array.isArray(x) ? `${x.length} bars` : String(x);
}
