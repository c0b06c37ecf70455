// Split and dividend back-adjustment: synthetic cases with hand-computed factors, then the
// real Alpha Vantage files (../shared/data/sp500_daily) against their own adjusted_close.
import assert from "node:assert/strict";
import {
  adjustmentFactors,
  barsFromCsvText,
  type CorporateAction,
  DataValidationError,
  detectCsvLayout,
  devDataPath,
  type LoadOptions,
  parseCsvRows,
  readBarFileText,
} from "../../shared/data/mod.ts";

const AV_HEADER =
  "timestamp,open,high,low,close,adjusted_close,volume,dividend_amount,split_coefficient";
const av = (...rows: string[]) => [AV_HEADER, ...rows].join("\n");
const load = (text: string, opts: LoadOptions = {}) =>
  barsFromCsvText("X.csv", text, { timeframe: "1d", ...opts });
const close = (a: number, b: number, rel = 1e-12) =>
  assert.ok(Math.abs(a / b - 1) <= rel, `${a} vs ${b}`);

Deno.test("a 2:1 split halves earlier prices and doubles earlier volume", () => {
  const got = load(av(
    "2021-01-04,100,110,90,100,0,1000,0,1",
    "2021-01-05,102,104,98,100,0,2000,0,1",
    "2021-01-06,50,55,45,51,0,5000,0,2",
    "2021-01-07,51,52,50,51.5,0,4000,0,1",
  ));
  assert.deepEqual(got.bars.map((b) => [b.open, b.high, b.low, b.close, b.volume]), [
    [50, 55, 45, 50, 2000],
    [51, 52, 49, 50, 4000],
    [50, 55, 45, 51, 5000],
    [51, 52, 50, 51.5, 4000],
  ]);
  assert.match(got.report.notes.join(" "), /back-adjusted over 1 corporate action/);
});

Deno.test("dividend factor: ex-close C/(C+D) by default, 1 - D/P with prev-close", () => {
  const text = av(
    "2021-01-04,48,50,47,49,0,10,0,1",
    "2021-01-05,49,51,48,50,0,10,0,1",
    "2021-01-06,49,50,48,49.5,0,10,0.5,1", // ex-day: D 0.5, C 49.5, previous close 50
    "2021-01-07,50,51,49,50,0,10,0,1",
  );
  const ex = load(text).bars;
  close(ex[0].close, 49 * (49.5 / 50));
  close(ex[1].close, 50 * (49.5 / 50));
  assert.equal(ex[2].close, 49.5);
  assert.equal(ex[0].volume, 10, "dividends do not scale volume");
  const prev = load(text, { dividendBasis: "prev-close" }).bars;
  close(prev[1].close, 50 * (1 - 0.5 / 50));
  const splitOnly = load(text, { adjust: "split-only" }).bars;
  assert.equal(splitOnly[1].close, 50);
  const none = load(text, { adjust: "none" }).bars;
  assert.equal(none[0].close, 49);
});

Deno.test("split and dividend on one day: the dividend is in post-split shares", () => {
  const bars = [{ time: 1, close: 100 }, { time: 2, close: 51 }];
  const action: CorporateAction = { line: 3, time: 2, split: 2, dividend: 1, close: 51 };
  const ex = adjustmentFactors(bars, [action], "split-dividend", "ex-close");
  close(ex.priceFactor[0], (1 / 2) * (51 / 52));
  assert.equal(ex.volumeFactor[0], 2);
  const prev = adjustmentFactors(bars, [action], "split-dividend", "prev-close");
  close(prev.priceFactor[0], (1 / 2) * (1 - (1 * 2) / 100));
  assert.deepEqual([ex.priceFactor[1], ex.volumeFactor[1]], [1, 1]);
});

Deno.test("factors compound; an action on a dropped row still adjusts earlier bars", () => {
  const text = av(
    "2021-01-04,10,11,9,10,0,100,0,1",
    "2021-01-05,10,11,9,10,0,100,0,3",
    "2021-01-06,10,11,-9,10,0,100,0,2", // bad low: dropped, its 2:1 split still counts
    "2021-01-07,10,11,9,10,0,100,0,1",
  );
  assert.throws(() => load(text), DataValidationError);
  const got = load(text, { policy: "drop" });
  assert.deepEqual(got.bars.map((b) => b.volume), [600, 200, 100]);
  close(got.bars[0].close, 10 / 6);
  close(got.bars[1].close, 5);
  assert.equal(got.bars[2].close, 10);
  assert.deepEqual(got.report.issues.map((i) => [i.line, i.kind]), [[4, "non-positive-price"]]);
});

Deno.test("a dividend that is not a fraction of the price is reported, never applied", () => {
  const bars = [{ time: 1, close: 10 }, { time: 2, close: 10 }];
  const bad: CorporateAction = { line: 3, time: 2, split: 1, dividend: 12, close: 10 };
  const prev = adjustmentFactors(bars, [bad], "split-dividend", "prev-close");
  assert.equal(prev.priceFactor[0], 1);
  assert.equal(prev.rejected.length, 1);
  assert.equal(prev.rejected[0].line, 3);
  const text = av(
    "2021-01-04,10,11,9,10,0,100,0,1",
    "2021-01-05,10,11,9,10,0,100,12,1",
  );
  assert.throws(
    () => load(text, { dividendBasis: "prev-close" }),
    /X\.csv:3 bad-corporate-action: dividend 12 cannot be applied/,
  );
  assert.throws(() => load(av("2021-01-04,10,11,9,10,0,100,0,0")), /split_coefficient > 0/);
});

async function avFile(symbol: string) {
  const path = devDataPath(`sp500_daily/${symbol}.csv.gz`);
  const text = await readBarFileText(path);
  const lines = text.split("\n");
  const rows = parseCsvRows(path, lines, detectCsvLayout(lines), "wallclock-utc").rows;
  return { text, path, rows };
}

const maxRelError = (a: readonly number[], b: readonly number[]) => {
  assert.equal(a.length, b.length);
  return a.reduce((m, x, i) => Math.max(m, Math.abs(x / b[i] - 1)), 0);
};

Deno.test("AAPL: adjusted close equals the file's adjusted_close over its whole history", async () => {
  const { text, path, rows } = await avFile("AAPL");
  const got = barsFromCsvText(path, text);
  assert.equal(got.bars.length, 5402);
  const adjustedClose = rows.map((r) => r.adjustedClose!);
  // adjusted_close carries 12 significant digits; the residual is that rounding.
  assert.ok(maxRelError(got.bars.map((b) => b.close), adjustedClose) < 1e-10);
  // The tolerance means something: other conventions miss by far more.
  const prev = barsFromCsvText(path, text, { dividendBasis: "prev-close" });
  assert.ok(maxRelError(prev.bars.map((b) => b.close), adjustedClose) > 1e-5);
  const splitOnly = barsFromCsvText(path, text, { adjust: "split-only" });
  assert.ok(maxRelError(splitOnly.bars.map((b) => b.close), adjustedClose) > 1e-2);
});

Deno.test("AAPL and TSLA splits: prices step by exactly the ratio, volume by its inverse", async () => {
  const cases = [
    ["AAPL", "2000-06-21", 2],
    ["AAPL", "2005-02-28", 2],
    ["AAPL", "2014-06-09", 7.00000700001],
    ["AAPL", "2020-08-31", 4],
    ["TSLA", "2020-08-31", 5],
  ] as const;
  for (const [symbol, date, ratio] of cases) {
    const { text, path, rows } = await avFile(symbol);
    const splitOnly = barsFromCsvText(path, text, { adjust: "split-only" }).bars;
    const i = rows.findIndex((r) => r.time === Date.parse(date));
    assert.ok(i > 0, `${symbol} ${date} present`);
    assert.equal(rows[i].split, ratio);
    const before = splitOnly[i - 1].close / rows[i - 1].close;
    const after = splitOnly[i].close / rows[i].close;
    close(before, after / ratio, 1e-12);
    close(
      splitOnly[i - 1].volume / rows[i - 1].volume,
      (splitOnly[i].volume / rows[i].volume) * ratio,
    );
  }
  // AAPL's last split is 4:1 on 2020-08-31: the day before trades 4x the shares, at 1/4 price.
  const { text, path, rows } = await avFile("AAPL");
  const bars = barsFromCsvText(path, text, { adjust: "split-only" }).bars;
  const i = rows.findIndex((r) => r.time === Date.parse("2020-08-28"));
  assert.equal(bars[i].volume, rows[i].volume * 4);
  assert.equal(bars[i].close, rows[i].close / 4);
});

Deno.test("all 46 Alpha Vantage files reproduce adjusted_close within 2e-5", async () => {
  const worst: [string, number][] = [];
  for await (const entry of Deno.readDir(devDataPath("sp500_daily"))) {
    if (!entry.name.endsWith(".csv.gz")) continue;
    const symbol = entry.name.replace(".csv.gz", "");
    const { text, path, rows } = await avFile(symbol);
    const got = barsFromCsvText(path, text);
    worst.push([
      symbol,
      maxRelError(got.bars.map((b) => b.close), rows.map((r) => r.adjustedClose!)),
    ]);
  }
  assert.equal(worst.length, 46);
  for (const [symbol, err] of worst) assert.ok(err < 2e-5, `${symbol}: ${err}`);
});
