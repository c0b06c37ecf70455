// Monthly returns from an equity curve: each calendar month (UTC) from the equity at the end
// of the month before (the initial equity for the first) to the equity at its last bar.
export interface MonthlyReturn {
  year: number;
  /** 1..12 */
  month: number;
  return: number;
}

export interface YearRow {
  year: number;
  /** Index 0 = January; null for months without a bar. */
  months: (number | null)[];
  /** Compounded over the year's months. */
  total: number;
}

export function monthlyReturns(
  initialEquity: number,
  curve: readonly (readonly [number, number])[],
): MonthlyReturn[] {
  if (!(Number.isFinite(initialEquity) && initialEquity > 0)) {
    throw new RangeError(`initialEquity must be > 0 (got ${initialEquity})`);
  }
  const out: MonthlyReturn[] = [];
  let base = initialEquity;
  for (let i = 0; i < curve.length; i++) {
    const d = new Date(curve[i][0]);
    const next = i + 1 < curve.length ? new Date(curve[i + 1][0]) : null;
    const monthEnds = next === null || next.getUTCFullYear() !== d.getUTCFullYear() ||
      next.getUTCMonth() !== d.getUTCMonth();
    if (!monthEnds) continue;
    const equity = curve[i][1];
    out.push({ year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, return: equity / base - 1 });
    base = equity;
  }
  return out;
}

export function byYear(months: readonly MonthlyReturn[]): YearRow[] {
  const rows = new Map<number, YearRow>();
  for (const m of months) {
    let row = rows.get(m.year);
    if (row === undefined) {
      row = { year: m.year, months: Array(12).fill(null), total: 0 };
      rows.set(m.year, row);
    }
    row.months[m.month - 1] = m.return;
  }
  for (const row of rows.values()) {
    row.total = row.months.reduce<number>((g, r) => g * (1 + (r ?? 0)), 1) - 1;
  }
  return [...rows.values()].sort((a, b) => a.year - b.year);
}
