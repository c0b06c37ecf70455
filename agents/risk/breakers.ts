// Circuit breakers: conditions that stop new exposure for a while. Each fires as a reason
// with its numbers; the core turns a firing into a trip (REDUCING until it has not fired for
// breakerCooldownBars bars, or HALTED where configured) and an alert. Pure.
//
// Time is bar time throughout, so a replay and a live run trip at the same bars:
//   stale market data   the decision's bar is more than staleBars bar intervals behind the
//                       newest bar the executor has processed (its account events);
//   volatility spike    the forecast ≥ volSpikeRatio × the median of the symbol's previous
//                       forecasts (at least half a window of them);
//   disagreement        the mean disagreement of the symbol's last disagreementWindow
//                       decisions ≥ maxDisagreement (a full window);
//   consecutive losses  maxConsecutiveLosses losing closed trades in a row (trades.ts);
//   drawdown size zero  the drawdown reached drawdownScaleEnd, where every buy sizes to
//                       nothing (tripped from the executor's accounts in core.ts).
import type { Decision, Reason } from "../../shared/messages/mod.ts";
import type { RiskOptions } from "./options.ts";

export type BreakerOptions = Pick<
  RiskOptions,
  | "volSpikeRatio"
  | "volSpikeWindow"
  | "staleBars"
  | "maxDisagreement"
  | "disagreementWindow"
  | "breakerCooldownBars"
>;

export interface Trip {
  code: string;
  symbol: string | null;
  /** Bar time it last fired. */
  firedAt: number;
}

export interface BreakerState {
  /** Tripped breakers by key (code, or code:symbol). */
  trips: Record<string, Trip>;
  /** Per symbol: recent volatility forecasts and disagreements, newest last. */
  forecasts: Record<string, number[]>;
  disagreements: Record<string, number[]>;
  /** Newest bar time the executor has processed, and the shortest bar interval seen. */
  newestBarTime: number | null;
  barInterval: number | null;
}

export const emptyBreakers = (): BreakerState => ({
  trips: {},
  forecasts: {},
  disagreements: {},
  newestBarTime: null,
  barInterval: null,
});

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const push = (xs: number[], x: number, max: number) => {
  xs.push(x);
  if (xs.length > max) xs.splice(0, xs.length - max);
};

/**
 * The breakers this decision fires (updating the per-symbol histories in place). Call once
 * per decision, in bar-time order per symbol.
 */
export function checkDecision(b: BreakerState, d: Decision, o: BreakerOptions): Reason[] {
  const fired: Reason[] = [];
  if (o.staleBars > 0 && b.newestBarTime !== null && b.barInterval !== null) {
    const lagBars = (b.newestBarTime - d.barTime) / b.barInterval;
    if (lagBars > o.staleBars) {
      fired.push({
        code: "stale_market_data",
        detail: `decision ${lagBars} bars behind the newest bar`,
        values: {
          barTime: d.barTime,
          newestBarTime: b.newestBarTime,
          barInterval: b.barInterval,
          lagBars,
          staleBars: o.staleBars,
        },
      });
    }
  }
  const f = d.volatilityForecast;
  if (f !== null && Number.isFinite(f)) {
    const hist = (b.forecasts[d.symbol] ??= []);
    if (o.volSpikeRatio > 0 && hist.length >= Math.ceil(o.volSpikeWindow / 2)) {
      const med = median(hist);
      if (med > 0 && f >= o.volSpikeRatio * med) {
        fired.push({
          code: "volatility_spike",
          detail: `forecast ${f} is ${f / med}× the median ${med}`,
          values: { forecast: f, median: med, ratio: f / med, limit: o.volSpikeRatio },
        });
      }
    }
    push(hist, f, o.volSpikeWindow);
  }
  if (o.maxDisagreement < 1) {
    const hist = (b.disagreements[d.symbol] ??= []);
    push(hist, d.disagreement, o.disagreementWindow);
    if (hist.length >= o.disagreementWindow) {
      const mean = hist.reduce((s, x) => s + x, 0) / hist.length;
      if (mean >= o.maxDisagreement) {
        fired.push({
          code: "agent_disagreement",
          detail: `mean disagreement ${mean} over ${hist.length} decisions`,
          values: { mean, window: hist.length, limit: o.maxDisagreement },
        });
      }
    }
  }
  return fired;
}

/** Key of a trip: stale data is one market-wide breaker, the others are per symbol. */
export const tripKey = (code: string, symbol: string | null): string =>
  symbol === null ? code : `${code}:${symbol}`;

/** Trips whose cooldown has run out at bar time `now` (removed in place), oldest first. */
export function expireTrips(b: BreakerState, now: number, o: BreakerOptions): Trip[] {
  if (b.barInterval === null) return [];
  const horizon = o.breakerCooldownBars * b.barInterval;
  const gone: Trip[] = [];
  for (const key of Object.keys(b.trips).sort()) {
    const t = b.trips[key];
    if (now - t.firedAt >= horizon) {
      gone.push(t);
      delete b.trips[key];
    }
  }
  return gone;
}

/** Notes a bar of `symbol` at `time` after `prev` (its previous bar): the bar interval. */
export function observeInterval(b: BreakerState, prev: number | null, time: number): void {
  if (prev === null || !(time > prev)) return;
  const dt = time - prev;
  if (b.barInterval === null || dt < b.barInterval) b.barInterval = dt;
}
