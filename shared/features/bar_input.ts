// The part of a bar the feature engine reads, and the checks it makes before touching any
// state: a bad bar is rejected with a message naming the field, never folded into a window.

export interface FeatureBar {
  /** Bar open time, ms since epoch (UTC). */
  time: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

/**
 * Relative slack for open/close outside [low, high]: adjusted-price sources round each
 * column separately (etf_daily SPY 2013-01-22 has close one ulp above high).
 */
export const CONTAINMENT_TOLERANCE = 1e-9;

/** Returns a description of what is wrong with `bar`, or null when it is usable. */
export function checkFeatureBar(bar: FeatureBar, lastTime: number | null): string | null {
  if (typeof bar !== "object" || bar === null) return `bar: expected an object (got ${bar})`;
  if (typeof bar.time !== "number" || !Number.isSafeInteger(bar.time) || bar.time < 0) {
    return `time: expected a non-negative integer of ms (got ${bar.time})`;
  }
  if (lastTime !== null && bar.time <= lastTime) {
    return `time: ${bar.time} is not after the previous bar's ${lastTime}`;
  }
  for (const field of ["open", "high", "low", "close"] as const) {
    const v = bar[field];
    if (typeof v !== "number" || !Number.isFinite(v) || v <= 0) {
      return `${field}: expected a finite price > 0 (got ${v})`;
    }
  }
  if (typeof bar.volume !== "number" || !Number.isFinite(bar.volume) || bar.volume < 0) {
    return `volume: expected a finite number >= 0 (got ${bar.volume})`;
  }
  if (bar.high < bar.low) return `high: ${bar.high} is below low ${bar.low}`;
  const hi = bar.high * (1 + CONTAINMENT_TOLERANCE);
  const lo = bar.low * (1 - CONTAINMENT_TOLERANCE);
  for (const field of ["open", "close"] as const) {
    if (bar[field] > hi || bar[field] < lo) {
      return `${field}: ${bar[field]} lies outside [low ${bar.low}, high ${bar.high}]`;
    }
  }
  return null;
}
