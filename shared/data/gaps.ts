// Gap detection. A gap is spacing between consecutive bars larger than N × timeframe. What
// counts depends on the market: crypto trades every day, stocks skip weekends and holidays,
// and intraday stock data stops overnight.
import { DAY_MS } from "./timeframe.ts";

export type AssetClass = "crypto" | "equity";
export const ASSET_CLASSES: readonly AssetClass[] = ["crypto", "equity"];

export interface GapPolicy {
  /** A step longer than this many timeframes is a gap. */
  readonly maxSpacingFactor: number;
  /** Only steps between bars of the same UTC calendar day count (intraday sessions). */
  readonly withinSessionDayOnly: boolean;
}

/**
 * Crypto: any missing bar. Business-daily (or slower) equity: more than 4 calendar days,
 * so weekends and a holiday next to one are not gaps. Intraday equity: any missing bar
 * inside a session day; the overnight break is not a gap.
 */
export function defaultGapPolicy(assetClass: AssetClass, timeframeMs: number): GapPolicy {
  if (assetClass === "crypto") return { maxSpacingFactor: 1, withinSessionDayOnly: false };
  if (timeframeMs >= DAY_MS) return { maxSpacingFactor: 4, withinSessionDayOnly: false };
  return { maxSpacingFactor: 1, withinSessionDayOnly: true };
}

export interface Gap {
  readonly prevTime: number;
  readonly time: number;
  /** Index (in the input) of the bar after the gap. */
  readonly index: number;
}

export function findGaps(
  ascendingTimes: readonly number[],
  timeframeMs: number,
  policy: GapPolicy,
): Gap[] {
  if (!(policy.maxSpacingFactor >= 1) || !Number.isFinite(policy.maxSpacingFactor)) {
    throw new Error(
      `gap policy maxSpacingFactor must be a finite number >= 1, got ${policy.maxSpacingFactor}`,
    );
  }
  const limit = policy.maxSpacingFactor * timeframeMs;
  const gaps: Gap[] = [];
  for (let i = 1; i < ascendingTimes.length; i++) {
    const prev = ascendingTimes[i - 1];
    const time = ascendingTimes[i];
    if (time - prev <= limit) continue;
    if (policy.withinSessionDayOnly && Math.floor(prev / DAY_MS) !== Math.floor(time / DAY_MS)) {
      continue;
    }
    gaps.push({ prevTime: prev, time, index: i });
  }
  return gaps;
}

/** True when any timestamp falls on a Saturday or Sunday (UTC): a calendar-daily market. */
export function tradesOnWeekends(times: readonly number[]): boolean {
  return times.some((t) => {
    const weekday = (Math.floor(t / DAY_MS) + 4) % 7; // 1970-01-01 was a Thursday (4)
    return weekday === 0 || weekday === 6;
  });
}
