// Streaming features equal the package's batch `calculate` over the same history (real
// SPY daily bars from shared/data/etf_daily), warm-up offsets aligned, within 1e-9 relative.
import assert from "node:assert/strict";
import {
  ADX,
  ATR,
  BollingerBands,
  EMA,
  MACD,
  OBV,
  ROC,
  RSI,
  SMA,
  Stochastic,
  VWAP,
  WilliamsR,
} from "technicalindicators";
import {
  DAY_MS,
  FeatureEngine,
  type FeatureVector,
  percentileRank,
  resolveFeatureConfig,
} from "../../shared/features/mod.ts";
import { closeRel, type DatedBar, readEtfDaily, readIntraday5m } from "./features_fixtures.ts";

type Batch = readonly (number | null | undefined)[];

/** The batch output covers the last batch.length bars; every earlier streamed value is null. */
function assertAligned(name: string, streamed: readonly (number | null)[], batch: Batch): void {
  const offset = streamed.length - batch.length;
  assert.ok(offset >= 0, `${name}: batch longer than history`);
  for (let i = 0; i < offset; i++) {
    assert.equal(streamed[i], null, `${name}[${i}] should be null during warm-up`);
  }
  let compared = 0;
  for (let i = offset; i < streamed.length; i++) {
    const want = batch[i - offset];
    const got = streamed[i];
    if (want === undefined || want === null || !Number.isFinite(want)) {
      assert.equal(got, null, `${name}[${i}]: batch has ${want}, stream ${got}`);
      continue;
    }
    assert.ok(got !== null && closeRel(got, want), `${name}[${i}]: stream ${got} != batch ${want}`);
    compared++;
  }
  assert.ok(compared > streamed.length / 2, `${name}: only ${compared} values compared`);
}

function checkAgainstBatch(
  bars: DatedBar[],
  overrides: Parameters<typeof resolveFeatureConfig>[0],
) {
  const cfg = resolveFeatureConfig({ ...overrides, vwapAnchor: null });
  const engine = new FeatureEngine(cfg);
  const vs: FeatureVector[] = bars.map((b) => engine.update(b));
  const col = (k: keyof FeatureVector) => vs.map((v) => v[k]);
  const close = bars.map((b) => b.close);
  const high = bars.map((b) => b.high);
  const low = bars.map((b) => b.low);
  const volume = bars.map((b) => b.volume);

  assertAligned("sma", col("sma"), SMA.calculate({ period: cfg.smaPeriod, values: close }));
  assertAligned(
    "emaFast",
    col("emaFast"),
    EMA.calculate({ period: cfg.emaFastPeriod, values: close }),
  );
  assertAligned(
    "emaSlow",
    col("emaSlow"),
    EMA.calculate({ period: cfg.emaSlowPeriod, values: close }),
  );
  assertAligned("rsi", col("rsi"), RSI.calculate({ period: cfg.rsiPeriod, values: close }));

  const macd = MACD.calculate({
    values: close,
    fastPeriod: cfg.macdFastPeriod,
    slowPeriod: cfg.macdSlowPeriod,
    signalPeriod: cfg.macdSignalPeriod,
    SimpleMAOscillator: false,
    SimpleMASignal: false,
  });
  assertAligned("macd", col("macd"), macd.map((m) => m.MACD));
  assertAligned("macdSignal", col("macdSignal"), macd.map((m) => m.signal));
  assertAligned("macdHistogram", col("macdHistogram"), macd.map((m) => m.histogram));

  const bb = BollingerBands.calculate({
    period: cfg.bbPeriod,
    stdDev: cfg.bbStdDev,
    values: close,
  });
  assertAligned("bbUpper", col("bbUpper"), bb.map((b) => b.upper));
  assertAligned("bbMiddle", col("bbMiddle"), bb.map((b) => b.middle));
  assertAligned("bbLower", col("bbLower"), bb.map((b) => b.lower));
  assertAligned("bbPercentB", col("bbPercentB"), bb.map((b) => b.pb));

  assertAligned("atr", col("atr"), ATR.calculate({ period: cfg.atrPeriod, high, low, close }));

  const adx = ADX.calculate({ period: cfg.adxPeriod, high, low, close });
  assertAligned("adx", col("adx"), adx.map((a) => a.adx));
  assertAligned("plusDi", col("plusDi"), adx.map((a) => a.pdi));
  assertAligned("minusDi", col("minusDi"), adx.map((a) => a.mdi));

  const stoch = Stochastic.calculate({
    period: cfg.stochPeriod,
    signalPeriod: cfg.stochSignalPeriod,
    high,
    low,
    close,
  });
  assertAligned("stochK", col("stochK"), stoch.map((s) => s.k));
  assertAligned("stochD", col("stochD"), stoch.map((s) => s.d));

  assertAligned("roc", col("roc"), ROC.calculate({ period: cfg.rocPeriod, values: close }));
  assertAligned(
    "williamsR",
    col("williamsR"),
    WilliamsR.calculate({ period: cfg.williamsRPeriod, high, low, close }),
  );
  assertAligned("obv", col("obv"), OBV.calculate({ close, volume }));
  assertAligned("vwap", col("vwap"), VWAP.calculate({ high, low, close, volume }));
  return { cfg, vs };
}

const spy = readEtfDaily("SPY");

Deno.test("SPY daily fixture is the expected file", () => {
  assert.equal(spy.length, 3021);
  assert.equal(spy[0].date, "2010-01-04");
  assert.equal(spy.at(-1)!.date, "2021-12-31");
});

Deno.test("streaming indicators equal technicalindicators batch values on SPY (defaults)", () => {
  const { vs } = checkAgainstBatch(spy, {});
  // Spot value: the first SMA(20) is the mean of the first 20 closes.
  const mean20 = spy.slice(0, 20).reduce((s, b) => s + b.close, 0) / 20;
  assert.ok(closeRel(vs[19].sma!, mean20));
  assert.equal(vs[18].sma, null);
});

Deno.test("streaming indicators equal batch values on SPY (non-default periods)", () => {
  checkAgainstBatch(spy, {
    smaPeriod: 7,
    emaFastPeriod: 5,
    emaSlowPeriod: 40,
    rsiPeriod: 9,
    macdFastPeriod: 8,
    macdSlowPeriod: 21,
    macdSignalPeriod: 5,
    bbPeriod: 10,
    bbStdDev: 1.5,
    atrPeriod: 10,
    adxPeriod: 20,
    stochPeriod: 9,
    stochSignalPeriod: 4,
    rocPeriod: 3,
    williamsRPeriod: 21,
  });
});

Deno.test("volatility features equal a direct computation over the trailing window (SPY)", () => {
  const cfg = resolveFeatureConfig({ volWindow: 15, volRankWindow: 60, volRankMinSamples: 10 });
  const engine = new FeatureEngine(cfg);
  const vs = spy.map((b) => engine.update(b));
  const n = cfg.volWindow;
  const lr = spy.map((b, i) => (i === 0 ? null : Math.log(b.close / spy[i - 1].close)));
  const realized: (number | null)[] = [];
  for (let t = 0; t < spy.length; t++) {
    assert.equal(vs[t].logReturn, lr[t]);
    // Realized: sample stdev of returns t-n+1..t (needs t >= n since r_0 does not exist).
    let want: number | null = null;
    if (t >= n) {
      const w = lr.slice(t - n + 1, t + 1) as number[];
      const m = w.reduce((s, x) => s + x, 0) / n;
      want = Math.sqrt(w.reduce((s, x) => s + (x - m) ** 2, 0) / (n - 1));
      assert.ok(closeRel(vs[t].realizedVol!, want), `realizedVol[${t}]`);
    } else assert.equal(vs[t].realizedVol, null);
    realized.push(want);

    if (t >= n - 1) {
      const w = spy.slice(t - n + 1, t + 1).map((b) => Math.log(b.high / b.low) ** 2);
      const park = Math.sqrt(w.reduce((s, x) => s + x, 0) / n / (4 * Math.LN2));
      assert.ok(closeRel(vs[t].parkinsonVol!, park), `parkinsonVol[${t}]`);
    } else assert.equal(vs[t].parkinsonVol, null);

    const ranked = realized.filter((x): x is number => x !== null).slice(-cfg.volRankWindow);
    if (want !== null && ranked.length >= cfg.volRankMinSamples) {
      assert.equal(vs[t].realizedVolRank, percentileRank(ranked, want), `rank[${t}]`);
    } else assert.equal(vs[t].realizedVolRank, null);
  }
  // EWMA: seeded with the mean square of the first n returns, then the RiskMetrics recursion.
  let variance = (lr.slice(1, n + 1) as number[]).reduce((s, x) => s + x * x, 0) / n;
  assert.equal(vs[n - 1].ewmaVol, null);
  assert.ok(closeRel(vs[n].ewmaVol!, Math.sqrt(variance)));
  for (let t = n + 1; t < spy.length; t++) {
    variance = cfg.ewmaLambda * variance + (1 - cfg.ewmaLambda) * lr[t]! ** 2;
    assert.ok(closeRel(vs[t].ewmaVol!, Math.sqrt(variance)), `ewmaVol[${t}]`);
  }
});

Deno.test("session VWAP equals the batch VWAP of each UTC day (QQQ 5-minute bars)", () => {
  const bars = readIntraday5m("QQQ");
  assert.ok(bars.length > 3000);
  const engine = new FeatureEngine({ vwapAnchor: { periodMs: DAY_MS, offsetMs: 0 } });
  const streamed = bars.map((b) => engine.update(b).vwap);
  const days = new Map<string, number[]>();
  bars.forEach((b, i) => days.set(b.date, [...(days.get(b.date) ?? []), i]));
  assert.ok(days.size > 30);
  for (const [day, idx] of days) {
    const pick = (k: "high" | "low" | "close" | "volume") => idx.map((i) => bars[i][k]);
    const batch = VWAP.calculate({
      high: pick("high"),
      low: pick("low"),
      close: pick("close"),
      volume: pick("volume"),
    });
    assert.equal(batch.length, idx.length, day);
    idx.forEach((i, j) => {
      const want = batch[j];
      if (!Number.isFinite(want)) assert.equal(streamed[i], null, `${day} bar ${j}`);
      else assert.ok(closeRel(streamed[i]!, want), `${day} bar ${j}: ${streamed[i]} != ${want}`);
    });
    // First bar of a session: VWAP is that bar's typical price (when it traded).
    const first = bars[idx[0]];
    if (first.volume > 0) {
      assert.ok(closeRel(streamed[idx[0]]!, (first.high + first.low + first.close) / 3));
    }
  }
});
