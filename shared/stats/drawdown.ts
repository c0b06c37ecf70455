// Maximum drawdown: the worst fall from a running peak, as a negative fraction.

/** min over bars of equity / running peak − 1 (peak starts at the initial equity); 0 if none. */
export function maxDrawdown(initialEquity: number, equities: readonly number[]): number {
  let peak = initialEquity;
  let worst = 0;
  for (const e of equities) {
    if (e > peak) peak = e;
    if (peak > 0) worst = Math.min(worst, e / peak - 1);
  }
  return Math.max(-1, worst);
}
