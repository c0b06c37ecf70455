// Timeframe strings use ccxt's notation ("1m", "5m", "1h", "1d", "1w") so live and replay agree.
const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;
type Unit = keyof typeof UNIT_MS;
const UNITS_LARGEST_FIRST: readonly Unit[] = ["w", "d", "h", "m"];

export const DAY_MS = UNIT_MS.d;

/** "5m" → 300000. Throws on anything that is not <positive integer><m|h|d|w>. */
export function parseTimeframe(timeframe: string): number {
  const match = /^([1-9]\d{0,5})([mhdw])$/.exec(timeframe);
  if (!match) {
    throw new Error(
      `invalid timeframe '${timeframe}': expected <n><unit> with unit m, h, d or w (e.g. 5m, 1h, 1d)`,
    );
  }
  return Number(match[1]) * UNIT_MS[match[2] as Unit];
}

/** 300000 → "5m"; uses the largest unit that divides the span exactly (86400000 → "1d"). */
export function formatTimeframe(ms: number): string {
  if (!Number.isSafeInteger(ms) || ms <= 0 || ms % UNIT_MS.m !== 0) {
    throw new Error(
      `cannot express ${ms} ms as a timeframe: it must be a positive whole number of minutes`,
    );
  }
  for (const unit of UNITS_LARGEST_FIRST) {
    if (ms % UNIT_MS[unit] === 0) return `${ms / UNIT_MS[unit]}${unit}`;
  }
  throw new Error(`unreachable: ${ms} ms is a whole number of minutes`);
}

/**
 * The bar spacing of a series: the median of the positive differences between consecutive
 * timestamps (ascending input). The median ignores weekends and overnight breaks as long as
 * they are the minority of steps, which holds for daily stock and intraday data.
 */
export function inferTimeframeMs(ascendingTimes: readonly number[]): number {
  const steps: number[] = [];
  for (let i = 1; i < ascendingTimes.length; i++) {
    const step = ascendingTimes[i] - ascendingTimes[i - 1];
    if (step > 0) steps.push(step);
  }
  if (steps.length === 0) {
    throw new Error(
      "cannot infer the timeframe from fewer than 2 distinct timestamps; pass it explicitly",
    );
  }
  steps.sort((a, b) => a - b);
  return steps[(steps.length - 1) >> 1];
}
