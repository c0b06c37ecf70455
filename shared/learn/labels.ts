// Direction labels for supervised training: the class of the forward log return over the
// next `horizon` bars, with a dead zone that scales with the volatility known at the bar.
//
// Look-ahead, stated once: the LABEL of bar t uses closes up to t + horizon (that is what a
// label is). Its dead zone uses only closes up to t. Features must never use anything
// after t; a label is known, and may be trained on, only from bar t + horizon on
// (`labelKnownAt`).
import type { Direction } from "./direction.ts";

export interface LabelOptions {
  /** N ≥ 1: how many bars ahead the label looks. */
  horizon: number;
  /** W ≥ 2: how many one-bar log returns, ending at t, estimate σ_t. */
  volWindow: number;
  /** k ≥ 0: half-width of the flat zone in units of σ_t·√N. */
  deadZone: number;
}

export interface DirectionLabel {
  direction: Direction;
  /** ln(close[t+N] / close[t]). */
  forwardReturn: number;
  /** σ_t: sample standard deviation of the W log returns ending at t. */
  sigma: number;
  /** k·σ_t·√N: |forwardReturn| ≤ threshold is flat. */
  threshold: number;
}

/**
 * One label per bar. null where the label is undefined: the last N bars (their horizon runs
 * past the data) and the first W bars (σ_t needs W returns). Never a guess.
 */
export function directionLabels(
  closes: readonly number[],
  opts: LabelOptions,
): (DirectionLabel | null)[] {
  checkLabelOptions(opts);
  const forward = forwardLogReturns(closes, opts.horizon);
  const sigmas = trailingVolatility(closes, opts.volWindow);
  const scale = opts.deadZone * Math.sqrt(opts.horizon);
  return closes.map((_, t) => {
    const r = forward[t];
    const sigma = sigmas[t];
    if (r === null || sigma === null) return null;
    const threshold = scale * sigma;
    return { direction: classifyReturn(r, threshold), forwardReturn: r, sigma, threshold };
  });
}

/** up when r > threshold, down when r < −threshold, flat otherwise (boundary is flat). */
export function classifyReturn(r: number, threshold: number): Direction {
  if (!Number.isFinite(r)) throw new RangeError(`classifyReturn: return must be finite (got ${r})`);
  if (!(threshold >= 0) || !Number.isFinite(threshold)) {
    throw new RangeError(`classifyReturn: threshold must be finite and >= 0 (got ${threshold})`);
  }
  if (r > threshold) return "up";
  if (r < -threshold) return "down";
  return "flat";
}

/** ln(close[t+N] / close[t]) per bar; null for the last N bars. Uses data up to t + N. */
export function forwardLogReturns(closes: readonly number[], horizon: number): (number | null)[] {
  checkPositiveInteger("horizon", horizon, 1);
  checkCloses(closes);
  return closes.map((c, t) =>
    t + horizon < closes.length ? Math.log(closes[t + horizon] / c) : null
  );
}

/**
 * σ_t = sample standard deviation (n − 1) of the `window` log returns ln(c_i / c_{i−1}) for
 * i in (t − window, t]: uses closes up to t only. null for t < window. Each value is
 * recomputed from its window (two-pass), so it does not depend on bars outside it.
 */
export function trailingVolatility(closes: readonly number[], window: number): (number | null)[] {
  checkPositiveInteger("volWindow", window, 2);
  checkCloses(closes);
  const returns = closes.map((c, i) => i === 0 ? NaN : Math.log(c / closes[i - 1]));
  return closes.map((_, t) => {
    if (t < window) return null;
    let mean = 0;
    for (let i = t - window + 1; i <= t; i++) mean += returns[i];
    mean /= window;
    let ss = 0;
    for (let i = t - window + 1; i <= t; i++) ss += (returns[i] - mean) ** 2;
    return Math.sqrt(ss / (window - 1));
  });
}

/**
 * Whether the label of bar `labelIndex` is known at the close of bar t: it needs
 * close[labelIndex + N], so labelIndex + N ≤ t. With N > 1 the label of t − 1 is NOT known
 * at t; the newest known label is that of t − N.
 */
export function labelKnownAt(labelIndex: number, t: number, horizon: number): boolean {
  checkPositiveInteger("horizon", horizon, 1);
  return labelIndex >= 0 && labelIndex + horizon <= t;
}

function checkLabelOptions(opts: LabelOptions): void {
  checkPositiveInteger("horizon", opts.horizon, 1);
  checkPositiveInteger("volWindow", opts.volWindow, 2);
  if (!Number.isFinite(opts.deadZone) || opts.deadZone < 0) {
    throw new RangeError(`deadZone: expected a finite number >= 0 (got ${opts.deadZone})`);
  }
}

function checkPositiveInteger(name: string, value: number, min: number): void {
  if (!Number.isSafeInteger(value) || value < min) {
    throw new RangeError(`${name}: expected an integer >= ${min} (got ${value})`);
  }
}

function checkCloses(closes: readonly number[]): void {
  for (let i = 0; i < closes.length; i++) {
    const c = closes[i];
    if (typeof c !== "number" || !Number.isFinite(c) || c <= 0) {
      throw new RangeError(`closes[${i}]: expected a finite price > 0 (got ${c})`);
    }
  }
}
