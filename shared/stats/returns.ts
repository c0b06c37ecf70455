// Per-bar returns and the risk-adjusted ratios built on them (risk-free rate 0). A ratio
// that is undefined (too few bars, zero dispersion) is null, never NaN or Infinity.

/** r_i = e_i / e_{i−1} − 1, starting from the initial equity (one return per bar). */
export function barReturns(initialEquity: number, equities: readonly number[]): number[] {
  const out: number[] = [];
  let prev = initialEquity;
  for (const e of equities) {
    out.push(prev > 0 ? e / prev - 1 : 0);
    prev = e;
  }
  return out;
}

export function mean(xs: readonly number[]): number {
  return xs.reduce((s, x) => s + x, 0) / xs.length;
}

/** Sample standard deviation (n − 1). */
export function sampleStd(xs: readonly number[]): number {
  const m = mean(xs);
  return Math.sqrt(xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1));
}

/** mean / sample std × √periodsPerYear; null with fewer than 2 returns or zero std. */
export function sharpeRatio(returns: readonly number[], periodsPerYear: number): number | null {
  if (returns.length < 2) return null;
  const sd = sampleStd(returns);
  return finiteOrNull(sd > 0 ? (mean(returns) / sd) * Math.sqrt(periodsPerYear) : NaN);
}

/**
 * mean / downside deviation × √periodsPerYear, where the downside deviation is
 * √(Σ min(r, 0)² / n) over all n returns (target 0). null with fewer than 2 returns or
 * no negative return.
 */
export function sortinoRatio(returns: readonly number[], periodsPerYear: number): number | null {
  if (returns.length < 2) return null;
  const dd = Math.sqrt(returns.reduce((s, r) => s + Math.min(r, 0) ** 2, 0) / returns.length);
  return finiteOrNull(dd > 0 ? (mean(returns) / dd) * Math.sqrt(periodsPerYear) : NaN);
}

/** Compound annual growth over `bars` bars: (final / initial)^(periodsPerYear / bars) − 1. */
export function cagr(
  initialEquity: number,
  finalEquity: number,
  bars: number,
  periodsPerYear: number,
): number | null {
  if (bars === 0) return null;
  const growth = finalEquity / initialEquity;
  return finiteOrNull(growth <= 0 ? -1 : growth ** (periodsPerYear / bars) - 1);
}

export const finiteOrNull = (x: number): number | null => Number.isFinite(x) ? x : null;
