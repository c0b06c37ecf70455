// loadReplaySources over the real data folders (../shared/data).
import assert from "node:assert/strict";
import {
  devDataPath,
  loadReplaySources,
  ROW_ERROR_KINDS,
  summarizeReport,
} from "../../shared/data/mod.ts";
import { BarSchema } from "../../shared/messages/schemas.ts";

Deno.test("the 46-stock folder loads, skipping constituents.csv with a note", async () => {
  // Load time is reported, not asserted: a test suite on a busy 2-core machine is no
  // benchmark (0.6-1.7 s measured when quiet; target < 3 s).
  const started = performance.now();
  const { series, notes } = await loadReplaySources([devDataPath("sp500_daily")]);
  console.log(`loaded 46 sp500_daily files in ${(performance.now() - started).toFixed(0)} ms`);
  assert.equal(series.length, 46);
  assert.deepEqual(series.map((s) => s.symbol), [...series.map((s) => s.symbol)].sort());
  assert.equal(notes.length, 1);
  assert.match(notes[0], /constituents\.csv: not a bar file/);
  for (const s of series) {
    assert.equal(s.timeframe, "1d");
    assert.equal(s.report.assetClass, "equity");
    assert.equal(s.report.droppedRows, 0, summarizeReport(s.report));
    assert.ok(!s.report.issues.some((i) => ROW_ERROR_KINDS.has(i.kind)));
  }
  const first = series.find((s) => s.symbol === "FB")!.bars[0];
  assert.equal(first.time, Date.UTC(2012, 4, 18));
  assert.equal(series.find((s) => s.symbol === "UPS")!.bars.length, 5395);
});

Deno.test("real gaps are reported: the 2001-09-11 closure in AAPL, none in BTC", async () => {
  const { series } = await loadReplaySources([
    devDataPath("sp500_daily/AAPL.csv.gz"),
    devDataPath("crypto_daily"),
  ]);
  assert.deepEqual(series.map((s) => [s.symbol, s.report.format]), [
    ["AAPL", "alphavantage-daily-adjusted"],
    ["BTCUSD", "ohlcv-unix"],
  ]);
  const gaps = series[0].report.issues.filter((i) => i.kind === "gap");
  assert.ok(gaps.some((g) => /2001-09-10.*2001-09-17/.test(g.message)), JSON.stringify(gaps));
  assert.equal(series[1].report.assetClass, "crypto");
  assert.equal(series[1].bars.length, 4519);
  assert.equal(series[1].report.issues.length, 0);
});

Deno.test("ETF folder: yfinance files, float-noise repairs reported, every bar schema-valid", async () => {
  const { series, notes } = await loadReplaySources([devDataPath("etf_daily")]);
  assert.deepEqual(notes, []);
  assert.deepEqual(series.map((s) => s.symbol), [
    "GLD",
    "GOOG",
    "HYG",
    "IWM",
    "QQQ",
    "SPY",
    "TLT",
    "TNX",
    "USO",
    "VIX",
  ]);
  const byName = new Map(series.map((s) => [s.symbol, s]));
  assert.equal(byName.get("HYG")!.report.counts["rounding-repaired"], 10);
  assert.equal(byName.get("TLT")!.report.counts["rounding-repaired"], 7);
  assert.equal(byName.get("SPY")!.report.counts["rounding-repaired"], 1);
  // TNX misses two days the others have.
  assert.equal(byName.get("TNX")!.bars.length, byName.get("SPY")!.bars.length - 2);
  assert.equal(byName.get("VIX")!.bars[0].volume, 0);
  for (const s of series) {
    s.bars.forEach((b, i) =>
      assert.ok(BarSchema.safeParse({ ...b, seq: i }).success, `${s.symbol} ${i}`)
    );
  }
});

Deno.test("the same symbol at two timeframes loads; the same symbol twice is refused", async () => {
  const both = await loadReplaySources([
    devDataPath("intraday_5m/TSLA_5min.csv"),
    devDataPath("sp500_daily/TSLA.csv.gz"),
  ]);
  assert.deepEqual(both.series.map((s) => `${s.symbol} ${s.timeframe}`), ["TSLA 5m", "TSLA 1d"]);
  await assert.rejects(
    loadReplaySources([devDataPath("etf_daily/QQQ.csv"), devDataPath("etf_daily")]),
    /QQQ 1d is loaded twice/,
  );
});

Deno.test("explicit non-bar files and missing paths fail with the path named", async () => {
  await assert.rejects(
    loadReplaySources([devDataPath("sp500_daily/constituents.csv")]),
    /constituents\.csv: unrecognized header 'symbol,name,sector'/,
  );
  await assert.rejects(loadReplaySources([devDataPath("nope")]), /replay source .*nope/);
  await assert.rejects(loadReplaySources([]), /no paths given/);
  await assert.rejects(
    // deno-lint-ignore no-explicit-any
    loadReplaySources([devDataPath("etf_daily")], { policy: "lenient" as any }),
    /invalid load option policy='lenient'/,
  );
});

Deno.test("a folder of non-bar files is skipped with a note per file", async () => {
  const { series, notes } = await loadReplaySources([
    devDataPath("news"),
    devDataPath("crypto_daily"),
  ]);
  assert.deepEqual(series.map((s) => s.symbol), ["BTCUSD"]);
  assert.equal(notes.length, 3);
  assert.ok(
    notes.every((n) => /news\/GOOG_news_.*\.json\.gz: not a \.csv or \.csv\.gz file/.test(n)),
  );
});
