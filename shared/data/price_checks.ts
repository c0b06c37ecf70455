// OHLC sanity: prices positive, low <= open,close <= high. Real exports break the ordering by
// one float ulp (yfinance's adjusted HYG/SPY/TLT: high = close - 1e-16 relative); such misses
// within a relative tolerance are snapped and reported as "rounding-repaired", larger ones
// are errors.
import type { IssueKind } from "./load_report.ts";

export interface Ohlc {
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
}

export type OhlcCheck =
  | { ok: true; high: number; low: number; repaired?: string }
  | { ok: false; kind: IssueKind; message: string };

export const DEFAULT_ROUNDING_TOLERANCE = 1e-9;

export function checkOhlc(bar: Ohlc, relTolerance: number): OhlcCheck {
  const { open, high, low, close } = bar;
  if (!(open > 0 && high > 0 && low > 0 && close > 0)) {
    return {
      ok: false,
      kind: "non-positive-price",
      message: `prices must be > 0: open ${open}, high ${high}, low ${low}, close ${close}`,
    };
  }
  if (high < low) {
    return { ok: false, kind: "high-below-low", message: `high ${high} is below low ${low}` };
  }
  const top = Math.max(open, close);
  const bottom = Math.min(open, close);
  const highMiss = (top - high) / top;
  const lowMiss = (low - bottom) / bottom;
  if (highMiss > relTolerance || lowMiss > relTolerance) {
    return {
      ok: false,
      kind: "high-low-outside-open-close",
      message: `high ${high} / low ${low} do not contain open ${open} and close ${close}`,
    };
  }
  if (highMiss > 0 || lowMiss > 0) {
    const newHigh = Math.max(high, top);
    const newLow = Math.min(low, bottom);
    return {
      ok: true,
      high: newHigh,
      low: newLow,
      repaired: `high/low ${high}/${low} missed open ${open}/close ${close} by float rounding; ` +
        `set to ${newHigh}/${newLow}`,
    };
  }
  return { ok: true, high, low };
}
