// The statistics as a plain two-column text table, in the manner of backtesting.py.
import type { ReplayStats } from "./summary.ts";

type Row = [label: string, value: string];

const pct = (x: number | null) => (x === null ? "n/a" : (x * 100).toFixed(2));
const num = (x: number | null, digits: number) => (x === null ? "n/a" : x.toFixed(digits));

export function statsRows(s: ReplayStats): Row[] {
  return [
    ["Bars", String(s.bars)],
    ["Exposure Time [%]", pct(s.exposure)],
    ["Equity Start", num(s.initial_equity, 2)],
    ["Equity Final", num(s.final_equity, 2)],
    ["Return [%]", pct(s.total_return)],
    ["Buy & Hold Return [%]", pct(s.buy_hold_return)],
    ["Max. Drawdown [%]", pct(s.max_drawdown)],
    ["Sharpe Ratio", num(s.sharpe, 3)],
    ["Sortino Ratio", num(s.sortino, 3)],
    ["Calmar Ratio", num(s.calmar, 3)],
    ["# Trades", String(s.trades)],
    ["Win Rate [%]", pct(s.win_rate)],
    ["Profit Factor", num(s.profit_factor, 3)],
    ["Fees Paid", num(s.fees, 2)],
  ];
}

/** Labels left-aligned, values right-aligned, one statistic per line. */
export function formatStatsTable(s: ReplayStats): string {
  const rows = statsRows(s);
  const left = Math.max(...rows.map(([l]) => l.length));
  const right = Math.max(...rows.map(([, v]) => v.length));
  return rows.map(([l, v]) => `${l.padEnd(left)}  ${v.padStart(right)}`).join("\n") + "\n";
}

/** Several runs side by side: one column of values per run, under its title. */
export function formatStatsColumns(columns: { title: string; stats: ReplayStats }[]): string {
  if (columns.length === 0) throw new RangeError("formatStatsColumns: no runs to show");
  const rows = columns.map((c) => statsRows(c.stats));
  const labels = rows[0].map(([l]) => l);
  const left = Math.max(0, ...labels.map((l) => l.length));
  const widths = columns.map((c, i) =>
    Math.max(c.title.length, ...rows[i].map(([, v]) => v.length))
  );
  const line = (label: string, cells: string[]) =>
    `${label.padEnd(left)}  ${cells.map((v, i) => v.padStart(widths[i])).join("  ")}`;
  return [
    line("", columns.map((c) => c.title)),
    ...labels.map((l, r) => line(l, rows.map((cells) => cells[r][1]))),
  ].join("\n") + "\n";
}
