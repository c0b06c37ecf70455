// Format detection and symbol inference, checked on the heads of the real data files
// (../shared/data: sp500_daily, etf_daily, crypto_daily, intraday_5m).
import assert from "node:assert/strict";
import {
  barsFromCsvText,
  CsvLayoutError,
  detectCsvLayout,
  devDataPath,
  readBarFileText,
  symbolFromFileName,
  UnrecognizedFormatError,
} from "../../shared/data/mod.ts";

const head = async (relative: string) =>
  (await readBarFileText(devDataPath(relative))).split("\n").slice(0, 3);

Deno.test("symbol from file name: AAPL.csv.gz, BTCUSD_1d.csv, QQQ_5min.csv, SPY.csv", () => {
  assert.deepEqual(symbolFromFileName("/x/sp500_daily/AAPL.csv.gz"), {
    symbol: "AAPL",
    timeframeHint: undefined,
  });
  assert.deepEqual(symbolFromFileName("BTCUSD_1d.csv"), { symbol: "BTCUSD", timeframeHint: "1d" });
  assert.deepEqual(symbolFromFileName("a/QQQ_5min.csv"), { symbol: "QQQ", timeframeHint: "5m" });
  assert.deepEqual(symbolFromFileName("IWM_15min.csv"), { symbol: "IWM", timeframeHint: "15m" });
  assert.deepEqual(symbolFromFileName("SPY.csv"), { symbol: "SPY", timeframeHint: undefined });
  assert.deepEqual(symbolFromFileName("C:\\d\\brk.b_daily.CSV"), {
    symbol: "BRK.B",
    timeframeHint: "1d",
  });
  assert.throws(() => symbolFromFileName("notes.txt"), /cannot infer a symbol from 'notes.txt'/);
  assert.throws(() => symbolFromFileName("bad name.csv"), /'bad name' has characters/);
});

Deno.test("Alpha Vantage daily adjusted header maps every column", async () => {
  const layout = detectCsvLayout(await head("sp500_daily/AAPL.csv.gz"));
  assert.equal(layout.format, "alphavantage-daily-adjusted");
  assert.equal(layout.headerLines, 1);
  assert.deepEqual(layout.columns, {
    time: 0,
    open: 1,
    high: 2,
    low: 3,
    close: 4,
    adjustedClose: 5,
    volume: 6,
    dividend: 7,
    split: 8,
  });
});

Deno.test("yfinance 3-line header: Close,High,Low,Open,Volume order, data from line 4", async () => {
  const layout = detectCsvLayout(await head("etf_daily/SPY.csv"));
  assert.equal(layout.format, "yfinance");
  assert.equal(layout.headerLines, 3);
  assert.deepEqual(layout.columns, { time: 0, close: 1, high: 2, low: 3, open: 4, volume: 5 });
  // First data row of SPY.csv (line 4): 2010-01-04, close 84.796..., open 84.078...
  const spy = barsFromCsvText(
    "SPY.csv",
    await readBarFileText(devDataPath("etf_daily/SPY.csv")),
  );
  assert.equal(spy.bars[0].time, Date.UTC(2010, 0, 4));
  assert.equal(spy.bars[0].close, 84.79637145996094);
  assert.equal(spy.bars[0].open, 84.07807588374169);
  assert.equal(spy.bars[0].high, 84.84126314956657);
  assert.equal(spy.bars[0].low, 83.43460169303377);
  assert.equal(spy.bars[0].volume, 118944600);
});

Deno.test("BTC file: open,close,volume,unix_timestamp,high,low read by name", async () => {
  const layout = detectCsvLayout(await head("crypto_daily/BTCUSD_1d.csv"));
  assert.equal(layout.format, "ohlcv-unix");
  assert.deepEqual(layout.columns, {
    time: 0,
    open: 1,
    close: 2,
    volume: 3,
    unixSeconds: 4,
    high: 5,
    low: 6,
  });
  const btc = barsFromCsvText(
    "BTCUSD_1d.csv",
    await readBarFileText(devDataPath("crypto_daily/BTCUSD_1d.csv")),
  );
  // Line 3: 2011-08-19 00:00:00,10.9,11.69,1.9265781400000002,1313712000,11.85,10.9
  assert.deepEqual(btc.bars[1], {
    symbol: "BTCUSD",
    timeframe: "1d",
    time: 1313712000 * 1000,
    open: 10.9,
    high: 11.85,
    low: 10.9,
    close: 11.69,
    volume: 1.9265781400000002,
  });
  assert.equal(btc.report.assetClass, "crypto");
  assert.equal(btc.report.counts.gap, undefined, "BTC file has every calendar day");
});

Deno.test("plain intraday header; the -0400 suffix is ignored by default", async () => {
  const layout = detectCsvLayout(await head("intraday_5m/QQQ_5min.csv"));
  assert.equal(layout.format, "ohlcv");
  const text = await readBarFileText(devDataPath("intraday_5m/QQQ_5min.csv"));
  const qqq = barsFromCsvText("QQQ_5min.csv", text);
  assert.equal(qqq.timeframe, "5m");
  // 2023-07-10 09:35:00-0400 → 09:35 UTC (README: the clock is really UTC).
  assert.equal(qqq.bars[0].time, Date.UTC(2023, 6, 10, 9, 35));
  const honored = barsFromCsvText("QQQ_5min.csv", text, { offsetPolicy: "honor-offset" });
  assert.equal(honored.bars[0].time, Date.UTC(2023, 6, 10, 13, 35));
});

Deno.test("unknown headers fail with the list of known formats", () => {
  assert.throws(
    () => detectCsvLayout(["Symbol,Name,Sector", "AAPL,Apple Inc.,IT"]),
    (e: Error) =>
      e instanceof CsvLayoutError && /no timestamp column/.test(e.message) &&
      /known formats: Alpha Vantage/.test(e.message),
  );
  assert.throws(
    () => detectCsvLayout(["timestamp,open,high,low,close"]),
    /missing column\(s\) volume/,
  );
  assert.throws(
    () => detectCsvLayout(["timestamp,open,high,low,close,adjusted_close,volume"]),
    /lacks dividend_amount, split_coefficient/,
  );
  assert.throws(
    () => detectCsvLayout(["timestamp,open,open,high,low,close,volume"]),
    /repeats column 'open'/,
  );
  assert.throws(
    () => barsFromCsvText("constituents.csv", "Symbol,Name,Sector\nAAPL,Apple,IT\n"),
    (e: Error) => e instanceof UnrecognizedFormatError && e.message.startsWith("constituents.csv:"),
  );
});
