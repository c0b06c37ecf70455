import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { formatStatsColumns, type ReplayStats } from "../../shared/stats/mod.ts";
import { readComparable } from "../../supervisor/main.ts";
import type { ReplaySummary } from "../../supervisor/summary.ts";

const stats = (total: number, trades: number): ReplayStats => ({
  bars: 100,
  trades,
  fees: 12.5,
  initial_equity: 10_000,
  final_equity: 10_000 * (1 + total),
  total_return: total,
  buy_hold_return: 0.3,
  max_drawdown: -0.1,
  sharpe: 1.2,
  sortino: null,
  calmar: 0.5,
  win_rate: 0.5,
  profit_factor: 1.1,
  exposure: 0.4,
});

const summary = (total: number, agents: string, over: Partial<ReplaySummary> = {}) => ({
  ...stats(total, 7),
  symbols: ["SPY"],
  timeframe: "1d",
  first_time: 1_000,
  last_time: 2_000,
  agents,
  risk_events: [],
  fills: [],
  equity_curve: [],
  ...over,
});

Deno.test("formatStatsColumns puts each run's values under its title, row by row", () => {
  const text = formatStatsColumns([
    { title: "placeholder rules", stats: stats(0.1234, 3) },
    { title: "models: m", stats: stats(-0.05, 11) },
  ]);
  const lines = text.trimEnd().split("\n");
  assert.match(lines[0], /placeholder rules\s+models: m$/);
  const ret = lines.find((l) => l.startsWith("Return [%]"));
  assert.match(ret!, /\s12\.34\s+-5\.00$/);
  const trades = lines.find((l) => l.startsWith("# Trades"));
  assert.match(trades!, /\s3\s+11$/);
  assert.equal(lines.length, 15);
  assert.throws(() => formatStatsColumns([]), RangeError);
});

Deno.test("readComparable accepts a summary of the same bars and refuses other data", () => {
  const dir = mkdtempSync("/tmp/compare-");
  const same = join(dir, "same.json");
  writeFileSync(same, JSON.stringify(summary(0.2, "placeholder rules")));
  const now = summary(0.1, "models: m") as ReplaySummary;
  const ok = readComparable(same, now);
  assert.ok(typeof ok !== "string");
  assert.equal(ok.agents, "placeholder rules");
  assert.equal(ok.total_return, 0.2);

  const other = join(dir, "other.json");
  writeFileSync(other, JSON.stringify(summary(0.2, "rules", { last_time: 3_000 })));
  const refused = readComparable(other, now);
  assert.equal(typeof refused, "string");
  assert.match(refused as string, /last bar: 3000 vs 2000/);
  assert.match(readComparable(join(dir, "missing.json"), now) as string, /cannot read it/);
});
