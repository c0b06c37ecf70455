// Exposure: the share of bars during which any position was open.
import type { EquityPoint, StatsFill } from "./inputs.ts";

/**
 * The position after bar t includes every fill with time ≤ t (a fill's time is the open
 * time of the bar whose open filled it, so that bar already holds the position).
 */
export function exposure(curve: readonly EquityPoint[], fills: readonly StatsFill[]): number {
  if (curve.length === 0) return 0;
  const held = new Map<string, number>();
  const sizes = new Map<string, number>();
  let next = 0;
  let exposed = 0;
  for (const [time] of curve) {
    while (next < fills.length && fills[next].time <= time) {
      const f = fills[next++];
      const q = (held.get(f.symbol) ?? 0) + (f.side === "buy" ? f.quantity : -f.quantity);
      held.set(f.symbol, q);
      sizes.set(f.symbol, Math.max(sizes.get(f.symbol) ?? 0, f.quantity));
    }
    // A residue below a billionth of the symbol's largest fill is rounding, not a position.
    const open = [...held].some(([s, q]) => q > 1e-9 * (sizes.get(s) ?? 0));
    if (open) exposed++;
  }
  return exposed / curve.length;
}
