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
