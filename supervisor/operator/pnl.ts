// Profit and loss from the equity curve: pure, so /pnl, /status and the daily summary agree.
import { startOfLocalDay, startOfLocalWeek } from "./local_time.ts";

export interface EquityAt {
  barTime: number;
  equity: number;
}

export interface Pnl {
  /** Bar time of the latest equity point (the figures are "as of" it); null: no data yet. */
  asOf: number | null;
  equity: number | null;
  initial: number;
  day: number | null;
  week: number | null;
  total: number | null;
  /** Fraction below the running peak now (≤ 0), and the worst such fraction so far. */
  drawdown: number | null;
  maxDrawdown: number | null;
  peak: number | null;
}

/**
 * `curve` in ascending bar time. A window's P&L is the latest equity minus the last equity
 * before the window began (the initial cash when the curve starts inside the window).
 */
export function computePnl(curve: readonly EquityAt[], initial: number, tz: string): Pnl {
  const last = curve.at(-1);
  if (last === undefined) {
    return {
      asOf: null,
      equity: null,
      initial,
      day: null,
      week: null,
      total: null,
      drawdown: null,
      maxDrawdown: null,
      peak: null,
    };
  }
  const dayStart = startOfLocalDay(last.barTime, tz);
  const weekStart = startOfLocalWeek(last.barTime, tz);
  let dayBase = initial;
  let weekBase = initial;
  let peak = initial;
  let maxDrawdown = 0;
  for (const p of curve) {
    if (p.barTime < dayStart) dayBase = p.equity;
    if (p.barTime < weekStart) weekBase = p.equity;
    peak = Math.max(peak, p.equity);
    if (peak > 0) maxDrawdown = Math.min(maxDrawdown, p.equity / peak - 1);
  }
  return {
    asOf: last.barTime,
    equity: last.equity,
    initial,
    day: last.equity - dayBase,
    week: last.equity - weekBase,
    total: last.equity - initial,
    drawdown: peak > 0 ? last.equity / peak - 1 : null,
    maxDrawdown,
    peak,
  };
}
