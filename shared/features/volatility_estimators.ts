// Streaming volatility estimators, all in per-bar units of log returns (not annualised).
import { percentileRank, RollingWindow, sampleStdDev } from "./rolling.ts";
import type { Streaming } from "./indicators.ts";

/** ln(close_t / close_{t-1}); null for the first bar. */
export function streamingLogReturn(): Streaming<number, number | null> {
  let prev: number | null = null;
  return (close) => {
    const r = prev === null ? null : Math.log(close / prev);
    prev = close;
    return r;
  };
}

/** Sample standard deviation of the last `window` log returns. */
export function streamingRealizedVol(window: number): Streaming<number | null, number | null> {
  const returns = new RollingWindow(window);
  return (logReturn) => {
    if (logReturn === null) return null;
    returns.push(logReturn);
    return returns.full ? sampleStdDev(returns.values()) : null;
  };
}

const PARKINSON_FACTOR = 1 / (4 * Math.LN2);

/**
 * Parkinson (1980) range estimator over the last `window` bars:
 * sqrt(mean(ln(high/low)^2) / (4 ln 2)). It ignores gaps between bars, so on daily equity
 * data it runs below close-to-close volatility.
 */
export function streamingParkinsonVol(
  window: number,
): Streaming<{ high: number; low: number }, number | null> {
  const squaredRanges = new RollingWindow(window);
  return (bar) => {
    const r = Math.log(bar.high / bar.low);
    squaredRanges.push(r * r);
    if (!squaredRanges.full) return null;
    let s = 0;
    for (const v of squaredRanges.values()) s += v;
    return Math.sqrt((s / window) * PARKINSON_FACTOR);
  };
}

/**
 * RiskMetrics forecast of the next bar's volatility: var_{t+1} = λ var_t + (1 - λ) r_t².
 * Seeded with the mean squared return of the first `seedCount` returns (zero-mean, as
 * RiskMetrics assumes); reported from the bar that completes the seed.
 */
export function streamingEwmaVol(
  lambda: number,
  seedCount: number,
): Streaming<number | null, number | null> {
  let variance: number | null = null;
  let seedSum = 0;
  let seen = 0;
  return (logReturn) => {
    if (logReturn === null) return null;
    const sq = logReturn * logReturn;
    seen++;
    if (variance === null) {
      seedSum += sq;
      if (seen < seedCount) return null;
      variance = seedSum / seedCount;
    } else {
      variance = lambda * variance + (1 - lambda) * sq;
    }
    return Math.sqrt(variance);
  };
}

/** Effective sample size of an EWMA with decay λ: (1 + λ) / (1 - λ). */
export const ewmaEffectiveSamples = (lambda: number): number => (1 + lambda) / (1 - lambda);

/** Percentile rank of each value among the last `window` values (itself included). */
export function streamingPercentileRank(
  window: number,
  minSamples: number,
): Streaming<number | null, number | null> {
  const history = new RollingWindow(window);
  return (x) => {
    if (x === null) return null;
    history.push(x);
    return history.length >= minSamples ? percentileRank(history.values(), x) : null;
  };
}
