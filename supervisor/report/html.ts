// The replay summary as one self-contained HTML file: the statistics, equity and drawdown
// (inline SVG), monthly returns, the round trips, and each agent's contribution. The
// figures are also embedded as JSON (`<script type="application/json" id="report-data">`).
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { type ReplayStats, type RoundTrip, roundTrips } from "../../shared/stats/mod.ts";
import type { Store } from "../../shared/storage/mod.ts";
import { allDecisions, allOrders, allSignals } from "../../shared/storage/queries.ts";
import { fillsInMatchingOrder, type ReplaySummary } from "../summary.ts";
import { type AgentContribution, agentContributions } from "./contribution.ts";
import { byYear, monthlyReturns, type YearRow } from "./monthly.ts";
import { esc, svgChart } from "./svg.ts";

export interface ReportData {
  title: string;
  stats: ReplayStats;
  symbols: string[];
  timeframe: string;
  equityCurve: [number, number][];
  drawdown: [number, number][];
  years: YearRow[];
  trips: RoundTrip[];
  agents: AgentContribution[];
  riskEvents: ReplaySummary["risk_events"];
}

export function drawdownCurve(
  initialEquity: number,
  curve: readonly (readonly [number, number])[],
): [number, number][] {
  let peak = initialEquity;
  return curve.map(([t, e]) => {
    peak = Math.max(peak, e);
    return [t, e / peak - 1];
  });
}

const pct = (x: number | null, d = 2) => x === null ? "–" : `${(x * 100).toFixed(d)}%`;
const num = (x: number | null, d = 2) =>
  x === null
    ? "–"
    : x.toLocaleString("en-US", { minimumFractionDigits: d, maximumFractionDigits: d });
const day = (t: number) => new Date(t).toISOString().slice(0, 10);
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const signClass = (x: number | null) => x === null ? "" : x > 0 ? "pos" : x < 0 ? "neg" : "";

function statsTable(s: ReplayStats): string {
  const rows: [string, string][] = [
    ["Bars", String(s.bars)],
    ["Trades (round trips)", String(s.trades)],
    ["Initial equity", num(s.initial_equity)],
    ["Final equity", num(s.final_equity)],
    ["Total return", pct(s.total_return)],
    ["Buy and hold", pct(s.buy_hold_return)],
    ["Max drawdown", pct(s.max_drawdown)],
    ["Sharpe", num(s.sharpe)],
    ["Sortino", num(s.sortino)],
    ["Calmar", num(s.calmar)],
    ["Win rate", pct(s.win_rate, 1)],
    ["Profit factor", num(s.profit_factor)],
    ["Exposure", pct(s.exposure, 1)],
    ["Fees", num(s.fees)],
  ];
  return `<table class="stats">${
    rows.map(([k, v]) => `<tr><th>${esc(k)}</th><td class="num">${esc(v)}</td></tr>`).join("")
  }</table>`;
}

function monthlyTable(years: YearRow[]): string {
  const head = `<tr><th>Year</th>${MONTHS.map((m) => `<th>${m}</th>`).join("")}<th>Year</th></tr>`;
  const body = years.map((y) =>
    `<tr><th>${y.year}</th>${
      y.months.map((r) => `<td class="num ${signClass(r)}">${r === null ? "" : pct(r, 1)}</td>`)
        .join("")
    }<td class="num ${signClass(y.total)}"><b>${pct(y.total, 1)}</b></td></tr>`
  ).join("");
  return `<table class="monthly">${head}${body}</table>`;
}

function tripsTable(trips: RoundTrip[]): string {
  const head = "<tr><th>#</th><th>Symbol</th><th>Entry</th><th>Exit</th><th>Quantity</th>" +
    "<th>Entry price</th><th>Exit price</th><th>P&amp;L (net)</th><th>Return</th></tr>";
  const body = trips.map((t, i) =>
    `<tr class="trip"><td>${i + 1}</td><td>${esc(t.symbol)}</td><td>${day(t.entryTime)}</td>` +
    `<td>${day(t.exitTime)}</td><td class="num">${num(t.quantity, 6)}</td>` +
    `<td class="num">${num(t.entryPrice)}</td><td class="num">${num(t.exitPrice)}</td>` +
    `<td class="num ${signClass(t.pnl)}">${num(t.pnl)}</td>` +
    `<td class="num ${signClass(t.pnl)}">${pct(t.pnl / (t.entryPrice * t.quantity))}</td></tr>`
  ).join("");
  return `<table class="trips">${head}${body}</table>`;
}

function agentsTable(agents: AgentContribution[]): string {
  const head = "<tr><th>Agent</th><th>Signals</th><th>Mean confidence</th><th>Judged calls</th>" +
    "<th>Hit rate</th><th>Trades agreed</th><th>P&amp;L agreed</th><th>Trades against</th>" +
    "<th>P&amp;L against</th></tr>";
  const body = agents.map((a) =>
    `<tr><td>${esc(a.agent)}</td><td class="num">${a.signals}</td>` +
    `<td class="num">${num(a.meanConfidence, 3)}</td><td class="num">${a.judged}</td>` +
    `<td class="num">${pct(a.hitRate, 1)}</td><td class="num">${a.tradesAgreed}</td>` +
    `<td class="num ${signClass(a.pnlAgreed)}">${num(a.pnlAgreed)}</td>` +
    `<td class="num">${a.tradesAgainst}</td>` +
    `<td class="num ${signClass(a.pnlAgainst)}">${num(a.pnlAgainst)}</td></tr>`
  ).join("");
  return `<table class="agents">${head}${body}</table>`;
}

/** The report page; pure. */
export function renderReport(r: ReportData): string {
  const data = {
    total_return: r.stats.total_return,
    trades: r.trips.length,
    stats: r.stats,
    monthly: r.years,
    agents: r.agents,
  };
  // "</" inside JSON could close the script element early.
  const json = JSON.stringify(data).replace(/<\//g, "<\\/");
  const events = r.riskEvents.length === 0
    ? "<p>None: trading stayed ACTIVE.</p>"
    : `<ul>${
      r.riskEvents.map((e) =>
        `<li>${esc(new Date(e.time).toISOString().slice(0, 16))} ${esc(e.severity)} ` +
        `${esc(e.code)}: ${esc(e.message)}</li>`
      ).join("")
    }</ul>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(r.title)}</title>
<style>
body { font: 14px/1.45 system-ui, sans-serif; margin: 24px auto; max-width: 1000px; color: #222; }
h1 { font-size: 20px; } h2 { font-size: 16px; margin-top: 28px; border-bottom: 1px solid #ddd; }
table { border-collapse: collapse; font-size: 13px; }
th, td { padding: 3px 8px; border-bottom: 1px solid #eee; text-align: left; white-space: nowrap; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.pos { color: #137333; } .neg { color: #b3261e; }
.definitions { color: #555; font-size: 12px; }
</style></head><body>
<h1>${esc(r.title)}</h1>
<p>${esc(r.symbols.join(", "))} · ${esc(r.timeframe)} · ${
    r.equityCurve.length > 0
      ? `${day(r.equityCurve[0][0])} – ${day(r.equityCurve[r.equityCurve.length - 1][0])}`
      : "no bars"
  }</p>
<h2>Summary</h2>
${statsTable(r.stats)}
<h2>Equity</h2>
${svgChart(r.equityCurve, { title: "Equity", stroke: "#1a73e8", format: (v) => num(v, 0) })}
<h2>Drawdown</h2>
${
    svgChart(r.drawdown, {
      title: "Drawdown",
      stroke: "#b3261e",
      fillTo: 0,
      format: (v) => pct(v, 1),
    })
  }
<h2>Monthly returns</h2>
${monthlyTable(r.years)}
<h2>Trades (${r.trips.length} round trips)</h2>
${tripsTable(r.trips)}
<h2>Per-agent contribution</h2>
${agentsTable(r.agents)}
<p class="definitions">Hit rate: share of an agent's up/down calls (argmax of its
probabilities) that matched the next close-to-close move; flat calls and unchanged closes are
not judged. Trades agreed / against: round trips whose opening decision carried the agent's
vote for up / for down, with the net P&amp;L of those trades.</p>
<h2>Risk events</h2>
${events}
<script type="application/json" id="report-data">${json}</script>
</body></html>
`;
}

/** Gathers the report's figures from the store and the replay summary. */
export async function replayReportData(store: Store, summary: ReplaySummary): Promise<ReportData> {
  const { stored, fills } = await fillsInMatchingOrder(store);
  const trips = roundTrips(fills);
  const [signals, decisions, orders] = await Promise.all([
    allSignals(store.db),
    allDecisions(store.db),
    allOrders(store.db),
  ]);
  const { symbols, timeframe, risk_events, fills: _f, equity_curve, ...stats } = summary;
  return {
    title: `Replay report: ${symbols.join(", ")} (${timeframe})`,
    stats,
    symbols,
    timeframe,
    equityCurve: equity_curve,
    drawdown: drawdownCurve(summary.initial_equity, equity_curve),
    years: byYear(monthlyReturns(summary.initial_equity, equity_curve)),
    trips,
    agents: agentContributions({ signals, decisions, fills: stored, orders, trips }),
    riskEvents: risk_events,
  };
}

/** Writes the HTML report of a finished replay to `file` (folders created as needed). */
export async function writeReplayReport(
  store: Store,
  file: string,
  summary: ReplaySummary,
): Promise<void> {
  const html = renderReport(await replayReportData(store, summary));
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, html);
}
