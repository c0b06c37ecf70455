// Bars per year, inferred from bar times: (n − 1) intervals over the span in years of
// 365.25 days. Stock daily bars give ≈ 252, crypto daily ≈ 365, 5-minute bars of a 78-bar
// trading day ≈ 78 × 252 over a span of whole weeks.
const YEAR_MS = 365.25 * 86_400_000;

export function inferPeriodsPerYear(times: readonly number[]): number {
  if (times.length < 2) {
    throw new RangeError(`periods per year need at least 2 bar times (got ${times.length})`);
  }
  for (let i = 1; i < times.length; i++) {
    if (!(times[i] > times[i - 1])) {
      throw new RangeError(
        `bar times must increase strictly (index ${i}: ${times[i]} after ${times[i - 1]})`,
      );
    }
  }
  const span = times[times.length - 1] - times[0];
  return (times.length - 1) / (span / YEAR_MS);
}
