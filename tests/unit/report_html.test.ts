// The HTML report's pure parts: monthly returns, per-agent contribution, and the page.
import assert from "node:assert/strict";
import fc from "fast-check";
import { byYear, monthlyReturns } from "../../supervisor/report/monthly.ts";
import { agentContributions } from "../../supervisor/report/contribution.ts";
import { drawdownCurve, renderReport } from "../../supervisor/report/html.ts";
import { computeStats, roundTrips } from "../../shared/stats/mod.ts";
import type { Decision } from "../../shared/messages/mod.ts";
import type { StoredDecision, StoredSignal } from "../../shared/storage/mod.ts";

const D = (s: string) => Date.parse(`${s}T00:00:00Z`);
const DAY = 86_400_000;

Deno.test("monthly returns chain month-end equities, starting from the initial equity", () => {
  const curve: [number, number][] = [
    [D("2024-01-10"), 100],
    [D("2024-01-31"), 110],
    [D("2024-02-15"), 99],
    [D("2024-04-01"), 121],
  ];
  const months = monthlyReturns(100, curve);
  assert.deepEqual(months.map((m) => [m.year, m.month]), [[2024, 1], [2024, 2], [2024, 4]]);
  assert.ok(Math.abs(months[0].return - 0.1) < 1e-12);
  assert.ok(Math.abs(months[1].return - (99 / 110 - 1)) < 1e-12);
  assert.ok(Math.abs(months[2].return - (121 / 99 - 1)) < 1e-12);
  const [year] = byYear(months);
  assert.equal(year.months[2], null);
  assert.ok(Math.abs(year.total - 0.21) < 1e-12);
  assert.throws(() => monthlyReturns(0, curve), /initialEquity/);
});

Deno.test("property: compounding the monthly returns gives the total return", () => {
  fc.assert(fc.property(
    fc.array(fc.double({ min: 1, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 200 }),
    fc.integer({ min: 1, max: 40 }),
    (equities, step) => {
      const curve = equities.map((e, i) =>
        [D("2020-01-01") + i * step * DAY, e] as [number, number]
      );
      const total = monthlyReturns(1000, curve).reduce((g, m) => g * (1 + m.return), 1) - 1;
      const expected = equities[equities.length - 1] / 1000 - 1;
      return Math.abs(total - expected) <= 1e-9 * Math.max(1, Math.abs(expected));
    },
  ));
});

function decision(id: string, barTime: number, close: number, trendUp: boolean): StoredDecision {
  const probs = trendUp ? { down: 0.1, flat: 0.2, up: 0.7 } : { down: 0.7, flat: 0.2, up: 0.1 };
  const d: Decision = {
    symbol: "X",
    barTime,
    refPrice: close,
    target: trendUp ? "long" : "flat",
    probs,
    confidence: 0.5,
    disagreement: 0,
    votes: [
      { agent: "trend", probs, confidence: 0.5, weight: 1 },
      { agent: "pattern", probs: { down: 0.1, flat: 0.8, up: 0.1 }, confidence: 0.5, weight: 1 },
    ],
    missing: [],
    volatilityForecast: null,
    regime: "trend",
    reason: "",
  };
  return { ...d, id };
}

function signal(
  agent: "trend" | "pattern",
  barTime: number,
  up: number,
  down: number,
): StoredSignal {
  return {
    id: `${agent}:${barTime}`,
    createdAt: barTime,
    signal: {
      kind: "direction",
      agent,
      symbol: "X",
      barTime,
      confidence: 0.4,
      latencyMs: 1,
      model: "m",
      probs: { up, down, flat: 1 - up - down },
    },
  };
}

Deno.test("agent contribution: hit rate on the next close, P&L of the trades each agent voted for", () => {
  const t = (i: number) => D("2024-01-01") + i * DAY;
  // Closes 100, 110, 105, 120.
  const decisions = [
    decision("d0", t(0), 100, true),
    decision("d1", t(1), 110, false),
    decision("d2", t(2), 105, true),
    decision("d3", t(3), 120, false),
  ];
  const signals = [
    signal("trend", t(0), 0.7, 0.1), // up, next +10 → hit
    signal("trend", t(1), 0.1, 0.7), // down, next −5 → hit
    signal("trend", t(2), 0.1, 0.7), // down, next +15 → miss
    signal("trend", t(3), 0.7, 0.1), // no next close → not judged
    signal("pattern", t(0), 0.2, 0.2), // flat → not judged
  ];
  const fills = [
    {
      id: "f0",
      clientOrderId: "o0",
      symbol: "X",
      side: "buy" as const,
      quantity: 1,
      price: 110,
      fee: 0,
      barTime: t(1),
    },
    {
      id: "f1",
      clientOrderId: "o1",
      symbol: "X",
      side: "sell" as const,
      quantity: 1,
      price: 105,
      fee: 0,
      barTime: t(2),
    },
    {
      id: "f2",
      clientOrderId: "o2",
      symbol: "X",
      side: "buy" as const,
      quantity: 2,
      price: 120,
      fee: 0,
      barTime: t(3),
    },
    {
      id: "f3",
      clientOrderId: "o3",
      symbol: "X",
      side: "sell" as const,
      quantity: 2,
      price: 130,
      fee: 0,
      barTime: t(4),
    },
  ];
  const order = (id: string, decisionId: string, side: "buy" | "sell") => ({
    clientOrderId: id,
    decisionId,
    symbol: "X",
    side,
    quantity: 1,
    status: "filled" as const,
    reason: null,
    type: "market" as const,
    updatedAt: 0,
    createdAt: 0,
  });
  const orders = [
    order("o0", "d0", "buy"),
    order("o1", "d1", "sell"),
    order("o2", "d2", "buy"),
    order("o3", "d3", "sell"),
  ];
  const trips = roundTrips(fills.map((f) => ({ ...f, time: f.barTime })));
  assert.deepEqual(trips.map((x) => x.pnl), [-5, 20]);
  const byAgent = Object.fromEntries(
    agentContributions({ signals, decisions, fills, orders, trips }).map((a) => [a.agent, a]),
  );
  assert.equal(byAgent.trend.signals, 4);
  assert.equal(byAgent.trend.judged, 3);
  assert.ok(Math.abs((byAgent.trend.hitRate ?? NaN) - 2 / 3) < 1e-12);
  assert.equal(byAgent.trend.tradesAgreed, 2);
  assert.equal(byAgent.trend.pnlAgreed, 15);
  assert.equal(byAgent.trend.tradesAgainst, 0);
  assert.equal(byAgent.pattern.judged, 0);
  assert.equal(byAgent.pattern.hitRate, null);
  assert.equal(byAgent.pattern.tradesAgreed, 0, "a flat vote neither agrees nor opposes");
});

Deno.test("renderReport: one row per round trip, the summary's total return, escaped text", () => {
  const fills = [
    { time: D("2024-01-02"), symbol: "A<b>", side: "buy" as const, quantity: 1, price: 10, fee: 0 },
    {
      time: D("2024-02-02"),
      symbol: "A<b>",
      side: "sell" as const,
      quantity: 1,
      price: 12,
      fee: 0,
    },
  ];
  const curve: [number, number][] = [[D("2024-01-02"), 100], [D("2024-02-02"), 102]];
  const stats = computeStats({
    equityCurve: curve,
    fills,
    initialEquity: 100,
    buyHoldReturn: null,
    periodsPerYear: 252,
  });
  const html = renderReport({
    title: "t",
    stats,
    symbols: ["A<b>"],
    timeframe: "1d",
    equityCurve: curve,
    drawdown: drawdownCurve(100, curve),
    years: byYear(monthlyReturns(100, curve)),
    trips: roundTrips(fills),
    agents: [],
    riskEvents: [],
  });
  assert.equal(html.match(/<tr class="trip">/g)?.length, 1);
  assert.ok(!html.includes("<b>A"), "unescaped symbol");
  assert.ok(html.includes("A&lt;b&gt;"));
  const data = JSON.parse(html.match(/id="report-data">(.*?)<\/script>/s)![1]);
  assert.equal(data.total_return, stats.total_return);
  assert.equal(data.trades, 1);
  assert.match(html, /<svg /);
});
