// Exit levels of a long position: the risk agent decides them, the executor works them.
// Stop candidates (each off when its setting is 0):
//   fixed %      entry × (1 − stopPct)
//   ATR multiple highest high since entry − stopAtrMult × ATR   (a chandelier: it trails)
//   trailing %   highest high since entry × (1 − trailingPct)
// The stop is the highest (tightest) candidate and never goes below the previous stop.
// Take-profit is fixed at entry × (1 + takeProfitPct). Pure.
import type { Protection } from "../../shared/messages/mod.ts";

export interface ExitOptions {
  stopPct: number;
  stopAtrMult: number;
  trailingPct: number;
  takeProfitPct: number;
}

export interface Tracked {
  entryPrice: number;
  /** Bar time the position was first seen open, and bars judged since. */
  openedAt: number;
  barsHeld: number;
  highest: number;
  stopLoss: number | null;
  takeProfit: number | null;
  basis: string;
}

/** The tightest enabled stop for a position with this entry and high-water mark. */
export function stopCandidate(
  entry: number,
  highest: number,
  atr: number | null,
  o: ExitOptions,
): { level: number; basis: string } | null {
  const c: { level: number; basis: string }[] = [];
  if (o.stopPct > 0) c.push({ level: entry * (1 - o.stopPct), basis: "fixed_pct_stop" });
  if (o.stopAtrMult > 0 && atr !== null && atr > 0) {
    c.push({ level: highest - o.stopAtrMult * atr, basis: "atr_stop" });
  }
  if (o.trailingPct > 0) c.push({ level: highest * (1 - o.trailingPct), basis: "trailing_stop" });
  let best: { level: number; basis: string } | null = null;
  for (const x of c) if (x.level > 0 && (best === null || x.level > best.level)) best = x;
  return best;
}

/** Levels for a new entry at `price` (the bracket of the entry order). */
export function entryProtection(price: number, atr: number | null, o: ExitOptions): Protection {
  const stop = stopCandidate(price, price, atr, o);
  return {
    stopLoss: stop?.level ?? null,
    takeProfit: o.takeProfitPct > 0 ? price * (1 + o.takeProfitPct) : null,
    basis: stop?.basis ?? "no_stop",
  };
}

/**
 * The tracked position after one more bar (high `high`, ATR `atr`): the high-water mark and
 * the stop move up, never down. `tightened` says whether the stop rose.
 */
export function trail(
  t: Tracked,
  high: number,
  atr: number | null,
  o: ExitOptions,
): { tracked: Tracked; tightened: boolean } {
  const highest = Math.max(t.highest, high);
  const c = stopCandidate(t.entryPrice, highest, atr, o);
  const next: Tracked = { ...t, highest, barsHeld: t.barsHeld + 1 };
  if (c !== null && (t.stopLoss === null || c.level > t.stopLoss)) {
    next.stopLoss = c.level;
    next.basis = c.basis;
    return { tracked: next, tightened: true };
  }
  return { tracked: next, tightened: false };
}

export const protectionOf = (t: Tracked): Protection => ({
  stopLoss: t.stopLoss,
  takeProfit: t.takeProfit,
  basis: t.basis,
});
