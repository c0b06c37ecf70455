// The risk agent's trading state machine and the loss limits that drive it. Pure functions.
//
//   ACTIVE ──pause──▶ REDUCING ──resume──▶ ACTIVE
//   any ──kill / daily loss limit / max drawdown──▶ HALTED ──resume──▶ ACTIVE
//
// `pause` only acts on ACTIVE: it must never loosen a HALTED state. `resume` rebases the
// drawdown peak and the day-start equity to the current equity: the operator accepted the
// losses so far, and without the rebase the next account would halt trading again at once.
// A halt does not lift itself on a new day; only an operator's resume does.
import type { Command, Reason, TradingState } from "../../shared/messages/mod.ts";

export interface LossLimits {
  /** Fraction of the day-start equity whose loss halts trading (0.05 = −5 %). */
  dailyLossLimit: number;
  /** Fraction below the peak equity at which trading halts. */
  maxDrawdown: number;
}

export interface EquityWatch {
  peakEquity: number | null;
  /** UTC day (days since epoch) of the newest account seen. */
  day: number | null;
  dayStartEquity: number | null;
  lastEquity: number | null;
}

export const emptyEquityWatch = (): EquityWatch => ({
  peakEquity: null,
  day: null,
  dayStartEquity: null,
  lastEquity: null,
});

const DAY_MS = 86_400_000;
export const utcDay = (barTime: number) => Math.floor(barTime / DAY_MS);

/**
 * Takes one account equity (at `barTime`) into the watch and reports the limits it breaks.
 * The day-start equity is the first equity seen on that UTC day of bar time; an account of
 * an older day than the newest seen updates the peak but not the day.
 */
export function observeEquity(
  w: EquityWatch,
  equity: number,
  barTime: number,
  limits: LossLimits,
): { watch: EquityWatch; breaches: Reason[] } {
  const day = utcDay(barTime);
  const next: EquityWatch = { ...w, lastEquity: equity };
  if (next.day === null || day > next.day) {
    next.day = day;
    next.dayStartEquity = equity;
  }
  next.peakEquity = next.peakEquity === null ? equity : Math.max(next.peakEquity, equity);
  const breaches: Reason[] = [];
  const dayStart = next.dayStartEquity;
  if (day === next.day && dayStart !== null && dayStart > 0) {
    const dayReturn = equity / dayStart - 1;
    if (dayReturn <= -limits.dailyLossLimit) {
      breaches.push({
        code: "daily_loss_limit",
        detail: `equity ${equity} is ${fmtPct(-dayReturn)} below the day start ${dayStart}`,
        values: { equity, dayStartEquity: dayStart, dayReturn, limit: limits.dailyLossLimit, day },
      });
    }
  }
  const peak = next.peakEquity;
  if (peak > 0) {
    const drawdown = 1 - equity / peak;
    if (drawdown >= limits.maxDrawdown) {
      breaches.push({
        code: "max_drawdown",
        detail: `equity ${equity} is ${fmtPct(drawdown)} below the peak ${peak}`,
        values: { equity, peakEquity: peak, drawdown, limit: limits.maxDrawdown },
      });
    }
  }
  return { watch: next, breaches };
}

/** The watch after an operator's resume: peak and day start rebased to the current equity. */
export function rebase(w: EquityWatch): EquityWatch {
  return { ...w, peakEquity: w.lastEquity, dayStartEquity: w.lastEquity };
}

export type Transition = { to: TradingState; code: string } | null;

/** What an operator command does to the trading state (null: nothing). */
export function commandTransition(from: TradingState, command: Command["command"]): Transition {
  switch (command) {
    case "kill":
      return from === "HALTED" ? null : { to: "HALTED", code: "kill_switch" };
    case "pause":
      return from === "ACTIVE" ? { to: "REDUCING", code: "operator_pause" } : null;
    case "resume":
      return from === "ACTIVE" ? null : { to: "ACTIVE", code: "operator_resume" };
    case "restart":
      return null;
  }
}

export const alertSeverity = (to: TradingState): "critical" | "warning" | "info" =>
  to === "HALTED" ? "critical" : to === "REDUCING" ? "warning" : "info";

const fmtPct = (x: number) => `${(x * 100).toFixed(2)}%`;
