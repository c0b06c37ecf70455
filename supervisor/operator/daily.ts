// The daily summary's schedule and text, and the loss watch: pure functions of the clock
// and of what the view returned.
import { localDate, localMinuteOfDay } from "./local_time.ts";
import { money, qty, signedMoney, signedPct } from "./format.ts";
import type { Pnl } from "./pnl.ts";
import type { PositionLine, StatusView } from "./view.ts";

/**
 * Whether the summary of the local day is due: the local time is at or past `atMin` and
 * no summary was sent that local day. `last` is the local date of the last one sent.
 */
export function summaryDue(
  now: number,
  tz: string,
  atMin: number,
  last: string | null,
): { due: boolean; today: string } {
  const today = localDate(now, tz);
  return { due: localMinuteOfDay(now, tz) >= atMin && last !== today, today };
}

export interface HeldBack {
  quiet_hours: number;
  rate_limit: number;
  duplicate: number;
}

export function summaryText(
  today: string,
  s: StatusView,
  positions: readonly PositionLine[],
  held: HeldBack,
): string {
  const p = s.pnl;
  const parts = [
    `Daily ${today}: ${s.tradingState} (${s.mode}).`,
    p.equity === null ? "No equity yet." : `Equity ${money(p.equity)}.`,
    `P&L day ${signedMoney(p.day)}, week ${signedMoney(p.week)}, total ${signedMoney(p.total)} (${
      signedPct(p.total === null ? null : p.total / p.initial)
    }).`,
    positions.length === 0
      ? "No open positions."
      : `Open ${positions.length}: ${
        positions.map((x) => `${x.symbol} ${qty(x.quantity)}`).join(", ")
      }.`,
    `Agents ${s.agentsUp}/${s.agentsTotal} up.`,
  ];
  const heldTotal = held.quiet_hours + held.rate_limit;
  if (heldTotal > 0) {
    parts.push(`Held back: ${held.quiet_hours} quiet-hours, ${held.rate_limit} rate-limited.`);
  }
  return parts.join(" ");
}

/**
 * The day's loss as a fraction of the equity the day opened with, when it is at least
 * `fraction`; null otherwise (or without data).
 */
export function lossBreach(p: Pnl, fraction: number): number | null {
  if (p.equity === null || p.day === null || fraction <= 0) return null;
  const open = p.equity - p.day;
  if (open <= 0) return null;
  const loss = -p.day / open;
  return loss >= fraction ? loss : null;
}
