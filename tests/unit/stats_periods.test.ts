// Periods per year and buy-and-hold, checked on the real data in ../shared/data
// (etf_daily/SPY.csv, crypto_daily/BTCUSD_1d.csv, intraday_5m/QQQ_5min.csv).
import assert from "node:assert/strict";
import { buyHoldReturn, firstLastCloses, inferPeriodsPerYear } from "../../shared/stats/mod.ts";

const DATA = new URL("../../../shared/data/", import.meta.url);
const rows = (path: string, skip: number) =>
  Deno.readTextFileSync(new URL(path, DATA)).trim().split("\n").slice(skip).map((l) =>
    l.split(",")
  );

Deno.test("inferPeriodsPerYear: ≈252 for stock days, 365.25 for crypto days, ≈78×252 for 5 minutes", () => {
  // SPY (etf_daily, yfinance: three header lines, dates only)
  const spy = rows("etf_daily/SPY.csv", 3).map((r) => Date.parse(`${r[0]}T00:00:00Z`));
  const stock = inferPeriodsPerYear(spy);
  assert.ok(Math.abs(stock - 252) < 1, String(stock));
  // BTC (crypto_daily: every calendar day)
  const btc = rows("crypto_daily/BTCUSD_1d.csv", 1).map((r) =>
    Date.parse(`${r[0].replace(" ", "T")}Z`)
  );
  assert.equal(inferPeriodsPerYear(btc), 365.25);
  // QQQ 5-minute bars, 78 a weekday; the constant clock offset cancels in the intervals
  const qqq = rows("intraday_5m/QQQ_5min.csv", 1).map((r) =>
    Date.parse(`${r[0].slice(0, 19).replace(" ", "T")}Z`)
  );
  const intraday = inferPeriodsPerYear(qqq);
  assert.ok(Math.abs(intraday / (78 * 252) - 1) < 0.05, String(intraday));
});

Deno.test("inferPeriodsPerYear: refuses too few or unordered times", () => {
  assert.throws(() => inferPeriodsPerYear([1]), /at least 2 bar times \(got 1\)/);
  assert.throws(() => inferPeriodsPerYear([1, 3, 3]), /index 2: 3 after 3/);
});

Deno.test("buyHoldReturn: equal-weighted first-to-last close (SPY and GLD, 2010..2021)", () => {
  const closes = ["SPY", "GLD"].flatMap((symbol) =>
    rows(`etf_daily/${symbol}.csv`, 3).map((r) => ({
      symbol,
      time: Date.parse(`${r[0]}T00:00:00Z`),
      close: Number(r[1]),
    }))
  );
  const fl = firstLastCloses(closes);
  assert.deepEqual(fl.map((c) => c.symbol), ["GLD", "SPY"]);
  const spy = fl[1];
  assert.equal(spy.firstClose, 84.79637145996094); // 2010-01-04 close in etf_daily/SPY.csv
  const expected = (fl[0].lastClose / fl[0].firstClose - 1 + spy.lastClose / spy.firstClose - 1) /
    2;
  assert.equal(buyHoldReturn(fl), expected);
  assert.equal(
    buyHoldReturn([{ symbol: "X", firstClose: 10, lastClose: 15 }, {
      symbol: "Y",
      firstClose: 4,
      lastClose: 3,
    }]),
    0.125,
  );
  assert.equal(buyHoldReturn([]), null);
  assert.throws(
    () => buyHoldReturn([{ symbol: "X", firstClose: 0, lastClose: 1 }]),
    /buy-and-hold X: firstClose must be > 0/,
  );
});
