import assert from "node:assert/strict";
import { computeStats, formatStatsTable, type StatsFill } from "../../shared/stats/mod.ts";

const DAY = 86_400_000;
const near = (a: number | null, b: number, tol = 1e-12) =>
  assert.ok(
    a !== null && Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)),
    `expected ${b}, got ${a}`,
  );

// Three bars after an initial equity of 100: 110, 99, 121.
const curve = [[DAY, 110], [2 * DAY, 99], [3 * DAY, 121]] as const;
const fills: StatsFill[] = [
  { time: DAY, symbol: "AAA", side: "buy", quantity: 1, price: 100, fee: 1 },
  { time: DAY, symbol: "BBB", side: "buy", quantity: 2, price: 10, fee: 0.2 },
  { time: 2 * DAY, symbol: "BBB", side: "sell", quantity: 1, price: 8, fee: 0.1 },
  { time: 3 * DAY, symbol: "AAA", side: "sell", quantity: 1, price: 120, fee: 1 },
  { time: 3 * DAY, symbol: "BBB", side: "sell", quantity: 1, price: 9, fee: 0.1 },
];

Deno.test("stats: every figure of a tiny replay, computed by hand", () => {
  const s = computeStats({
    equityCurve: curve,
    fills,
    initialEquity: 100,
    buyHoldReturn: 0.15,
    periodsPerYear: 3, // three bars make one year: CAGR = total return
  });
  assert.equal(s.bars, 3);
  // AAA: (120 − 100) − 1 − 1 = 18; BBB lot of 2: (8 − 10) + (9 − 10) − 0.2 − 0.1 − 0.1 = −3.4
  assert.equal(s.trades, 2);
  near(s.fees, 2.4);
  assert.equal(s.initial_equity, 100);
  assert.equal(s.final_equity, 121);
  near(s.total_return, 0.21);
  assert.equal(s.buy_hold_return, 0.15);
  // peak 110, trough 99
  near(s.max_drawdown, -0.1);
  // returns 0.1, −0.1, 2/9: mean 2/27; deviations 0.7/27, −4.7/27, 4/27
  const mean = 2 / 27;
  const sd = Math.sqrt((0.7 ** 2 + 4.7 ** 2 + 4 ** 2) / 27 ** 2 / 2);
  near(s.sharpe, (mean / sd) * Math.sqrt(3), 1e-9);
  near(s.sharpe, 0.788723, 1e-6);
  // downside deviation √(0.1² / 3)
  near(s.sortino, (mean / Math.sqrt(0.01 / 3)) * Math.sqrt(3), 1e-9);
  near(s.sortino, 60 / 27, 1e-12); // mean / (0.1 / √3) × √3 = 30 × mean
  // CAGR 0.21 over one year / |−0.1|
  near(s.calmar, 2.1, 1e-9);
  assert.equal(s.win_rate, 0.5);
  near(s.profit_factor, 18 / 3.4, 1e-12);
  // positions open after bars 1 and 2, none after bar 3
  near(s.exposure, 2 / 3);
});

Deno.test("stats: undefined ratios are null, never NaN or Infinity", () => {
  const flat = computeStats({
    equityCurve: [[1, 100], [2, 100], [3, 100]],
    fills: [],
    initialEquity: 100,
    buyHoldReturn: null,
    periodsPerYear: 252,
  });
  assert.deepEqual(flat, {
    bars: 3,
    trades: 0,
    fees: 0,
    initial_equity: 100,
    final_equity: 100,
    total_return: 0,
    buy_hold_return: null,
    max_drawdown: 0,
    sharpe: null,
    sortino: null,
    calmar: null,
    win_rate: null,
    profit_factor: null,
    exposure: 0,
  });
  // only winners: profit factor undefined; only gains: sortino undefined
  const up = computeStats({
    equityCurve: [[1, 101], [2, 103]],
    fills: [
      { time: 1, symbol: "A", side: "buy", quantity: 1, price: 1, fee: 0 },
      { time: 2, symbol: "A", side: "sell", quantity: 1, price: 2, fee: 0 },
    ],
    initialEquity: 100,
    buyHoldReturn: null,
    periodsPerYear: 252,
  });
  assert.equal(up.win_rate, 1);
  assert.equal(up.profit_factor, null);
  assert.equal(up.sortino, null);
  assert.equal(up.calmar, null);
  assert.ok(up.sharpe !== null && up.sharpe > 0);
  const empty = computeStats({
    equityCurve: [],
    fills: [],
    initialEquity: 5,
    buyHoldReturn: null,
    periodsPerYear: 1,
  });
  assert.equal(empty.final_equity, 5);
  assert.equal(empty.exposure, 0);
});

Deno.test("stats: bad input is refused with the element named", () => {
  const base = {
    equityCurve: curve,
    fills,
    initialEquity: 100,
    buyHoldReturn: null,
    periodsPerYear: 252,
  };
  assert.throws(
    () => computeStats({ ...base, initialEquity: 0 }),
    /initialEquity must be a finite number > 0 \(got 0\)/,
  );
  assert.throws(
    () => computeStats({ ...base, equityCurve: [[2, 1], [1, 1]] }),
    /equityCurve\[1\]: times must increase strictly \(1 after 2\)/,
  );
  assert.throws(
    () => computeStats({ ...base, equityCurve: [[1, NaN]] }),
    /equityCurve\[0\]: equity must be finite/,
  );
  assert.throws(
    () => computeStats({ ...base, fills: [{ ...fills[0], quantity: -1 }] }),
    /fills\[0\]: quantity must be > 0 \(got -1\)/,
  );
  assert.throws(
    () => computeStats({ ...base, fills: [fills[2]] }),
    /fills\[0\]: sell of 1 BBB exceeds the held quantity by 1/,
  );
  assert.throws(
    () => computeStats({ ...base, periodsPerYear: NaN }),
    /periodsPerYear must be a finite number > 0/,
  );
});

Deno.test("formatStatsTable: a plain two-column table", () => {
  const s = computeStats({
    equityCurve: curve,
    fills,
    initialEquity: 100,
    buyHoldReturn: 0.15,
    periodsPerYear: 3,
  });
  assert.equal(
    formatStatsTable(s),
    [
      "Bars                        3",
      "Exposure Time [%]       66.67",
      "Equity Start           100.00",
      "Equity Final           121.00",
      "Return [%]              21.00",
      "Buy & Hold Return [%]   15.00",
      "Max. Drawdown [%]      -10.00",
      "Sharpe Ratio            0.789",
      "Sortino Ratio           2.222",
      "Calmar Ratio            2.100",
      "# Trades                    2",
      "Win Rate [%]            50.00",
      "Profit Factor           5.294",
      "Fees Paid                2.40",
      "",
    ].join("\n"),
  );
  assert.match(
    formatStatsTable({ ...s, sharpe: null, buy_hold_return: null }),
    /Sharpe Ratio +n\/a\n/,
  );
});
