// FeatureEngine: configuration errors, rejected bars, hand-checked values and the handling
// of the package's degenerate cases (NaN never reaches a feature vector).
import assert from "node:assert/strict";
import { ADX } from "technicalindicators";
import {
  type FeatureBar,
  FeatureConfigError,
  FeatureEngine,
  FeatureError,
  type FeatureVector,
  resolveFeatureConfig,
  streamingSessionVwap,
  vwapSession,
} from "../../shared/features/mod.ts";
import { closeRel, readEtfDaily, syntheticBars } from "./features_fixtures.ts";

const bar = (time: number, close: number, extra: Partial<FeatureBar> = {}): FeatureBar => ({
  time,
  open: close,
  high: close * 1.01,
  low: close * 0.99,
  close,
  volume: 1000,
  ...extra,
});

function assertNoNaN(v: FeatureVector): void {
  for (const [k, x] of Object.entries(v)) {
    assert.ok(x === null || Number.isFinite(x), `${k} is ${x}`);
  }
}

Deno.test("config: defaults resolve and every bad field is named with accepted values", () => {
  const cfg = resolveFeatureConfig();
  assert.equal(cfg.smaPeriod, 20);
  assert.equal(cfg.ewmaLambda, 0.94);
  assert.equal(resolveFeatureConfig({ smaPeriod: undefined }).smaPeriod, 20);
  try {
    resolveFeatureConfig(
      {
        smaPeriod: 0,
        ewmaLambda: 1,
        macdFastPeriod: 30,
        bbStdDev: Number.NaN,
        vwapAnchor: { periodMs: -5, offsetMs: 0.5 },
        // deno-lint-ignore no-explicit-any
        bogus: 3 as any,
      } as Parameters<typeof resolveFeatureConfig>[0],
    );
    assert.fail("expected FeatureConfigError");
  } catch (e) {
    assert.ok(e instanceof FeatureConfigError);
    const text = e.problems.join("\n");
    assert.match(text, /smaPeriod: expected an integer in \[2, 100000\] \(got 0\)/);
    assert.match(text, /ewmaLambda: expected a number in \(0, 1\) \(got 1\)/);
    assert.match(text, /macdFastPeriod: must be below macdSlowPeriod \(got 30 >= 26\)/);
    assert.match(text, /bbStdDev: expected a finite number > 0 \(got NaN\)/);
    assert.match(text, /vwapAnchor.periodMs: expected an integer > 0 \(got -5\)/);
    assert.match(text, /vwapAnchor.offsetMs: expected an integer \(got 0.5\)/);
    assert.match(text, /bogus: unknown field/);
    assert.equal(e.problems.length, 7);
  }
  assert.throws(
    () => resolveFeatureConfig({ volRankWindow: 10, volRankMinSamples: 11 }),
    /volRankMinSamples: must not exceed volRankWindow \(got 11 > 10\)/,
  );
});

Deno.test("bad bars are rejected with the field named, and leave the engine unchanged", () => {
  const cases: [Partial<FeatureBar>, RegExp][] = [
    [{ close: Number.NaN }, /close: expected a finite price > 0 \(got NaN\)/],
    [{ open: 0 }, /open: expected a finite price > 0 \(got 0\)/],
    [{ volume: -1 }, /volume: expected a finite number >= 0 \(got -1\)/],
    [{ volume: Infinity }, /volume: expected a finite number >= 0/],
    [{ high: 90, low: 95, close: 92, open: 92 }, /high: 90 is below low 95/],
    [{ close: 120 }, /close: 120 lies outside \[low 99, high 101\]/],
    [{ time: 1.5 }, /time: expected a non-negative integer of ms/],
    [{ time: 2_000 }, /time: 2000 is not after the previous bar's 2000/],
    [{ time: 1_000 }, /time: 1000 is not after the previous bar's 2000/],
  ];
  const history = [bar(1_000, 100), bar(2_000, 101)];
  const next = bar(3_000, 102);
  const reference = new FeatureEngine();
  history.forEach((b) => reference.update(b));
  const want = reference.update(next);
  for (const [patch, pattern] of cases) {
    const e = new FeatureEngine();
    history.forEach((b) => e.update(b));
    const bad = { ...bar(3_000, 100), high: 101, low: 99, ...patch };
    assert.throws(() => e.update(bad), (err: unknown) => {
      assert.ok(err instanceof FeatureError);
      assert.match(err.message, pattern);
      return true;
    });
    assert.equal(e.count, 2);
    assert.equal(e.lastTime, 2_000);
    assert.deepEqual(e.update(next), want, `after rejecting ${JSON.stringify(patch)}`);
  }
});

Deno.test("close one ulp above high (etf_daily SPY 2013-01-22) is accepted", () => {
  const spy = readEtfDaily("SPY");
  const odd = spy.find((b) => b.date === "2013-01-22")!;
  assert.ok(odd.close > odd.high, "fixture no longer has the rounding quirk");
  const e = new FeatureEngine();
  assert.equal(e.update(odd).close, odd.close);
});

Deno.test("log return, warm-up nulls and the first values of a hand-made series", () => {
  const e = new FeatureEngine();
  const v0 = e.update(bar(0, 100));
  const v1 = e.update(bar(1, 110));
  assert.equal(v0.index, 0);
  assert.equal(v0.logReturn, null);
  assert.equal(v0.sma, null);
  assert.equal(v0.obv, null);
  assert.equal(v1.index, 1);
  assert.equal(v1.logReturn, Math.log(110 / 100));
  assert.equal(v1.obv, 1000); // up close: + volume
  assert.equal(e.update(bar(2, 105)).obv, 0); // down close: - volume
});

Deno.test("volatility estimators on a series with known answers", () => {
  // Log returns alternate +r, -r; every bar has ln(high/low) = k.
  const r = 0.01;
  const k = 0.02;
  const n = 10;
  const e = new FeatureEngine({ volWindow: n, ewmaLambda: 0.9 });
  let close = 100;
  let last: FeatureVector | null = null;
  for (let i = 0; i < 40; i++) {
    if (i > 0) close *= Math.exp(i % 2 === 1 ? r : -r);
    const low = close * Math.exp(-k / 2);
    last = e.update({ time: i, open: close, close, high: low * Math.exp(k), low, volume: 1 });
    if (i < n - 1) assert.equal(last.parkinsonVol, null);
    if (i < n) assert.equal(last.realizedVol, null);
  }
  // n (even) returns of ±r: mean 0, sample variance n r² / (n - 1).
  assert.ok(closeRel(last!.realizedVol!, r * Math.sqrt(n / (n - 1)), 1e-6));
  assert.ok(closeRel(last!.parkinsonVol!, k / Math.sqrt(4 * Math.LN2), 1e-9));
  // Constant squared returns: the EWMA stays at r.
  assert.ok(closeRel(last!.ewmaVol!, r, 1e-6));
});

Deno.test("ADX recovers from the package's permanent NaN after a flat start", () => {
  const closes = Array.from({ length: 90 }, (_, i) => (i < 30 ? 100 : 100 + (i - 30)));
  const bars = closes.map((c, i) => bar(i, c, c === 100 ? { high: 100, low: 100 } : {}));
  const raw = ADX.calculate({
    period: 14,
    high: bars.map((b) => b.high),
    low: bars.map((b) => b.low),
    close: closes,
  });
  assert.ok(raw.length > 0 && raw.every((x) => Number.isNaN(x.adx)), "package quirk changed");
  const e = new FeatureEngine();
  const vs = bars.map((b) => e.update(b));
  vs.forEach(assertNoNaN);
  const adx = vs.map((v) => v.adx);
  assert.ok(adx.slice(0, 30).every((x) => x === null));
  // A steady rise with no down moves: DX = 100 on every bar once ADX has warmed up again.
  assert.equal(adx.at(-1), 100);
});

Deno.test("degenerate windows give null, never NaN (flat prices, zero volume)", () => {
  const e = new FeatureEngine({ vwapAnchor: null });
  const vs = Array.from(
    { length: 60 },
    (_, i) => e.update({ time: i, open: 50, high: 50, low: 50, close: 50, volume: 0 }),
  );
  vs.forEach(assertNoNaN);
  const last = vs.at(-1)!;
  assert.equal(last.williamsR, null); // 0 / 0 range
  assert.equal(last.bbPercentB, null); // zero band width
  assert.equal(last.vwap, null); // no volume yet
  assert.equal(last.stochK, 0); // the package maps its 0 / 0 to 0
  assert.equal(last.sma, 50);
  assert.equal(last.realizedVol, 0);
  assert.equal(last.parkinsonVol, 0);
  // MACD of a constant is 0; the package drops its zero signal, the engine recovers it.
  assert.equal(last.macd, 0);
  assert.equal(last.macdSignal, 0);
  assert.equal(last.macdHistogram, 0);
});

Deno.test("VWAP resets at each anchor boundary and is cumulative without one", () => {
  const day = 86_400_000;
  assert.equal(vwapSession(day - 1, { periodMs: day, offsetMs: 0 }), 0);
  assert.equal(vwapSession(day, { periodMs: day, offsetMs: 0 }), 1);
  assert.equal(vwapSession(day + 5, { periodMs: day, offsetMs: 10 }), 0);
  assert.equal(vwapSession(123_456_789, null), 0);
  const bars = [
    { time: 0, high: 12, low: 9, close: 9, volume: 100 }, // typical 10
    { time: day / 2, high: 21, low: 18, close: 21, volume: 300 }, // typical 20
    { time: day, high: 33, low: 27, close: 30, volume: 50 }, // typical 30, next day
  ];
  const session = streamingSessionVwap({ periodMs: day, offsetMs: 0 });
  assert.deepEqual(bars.map(session), [10, (10 * 100 + 20 * 300) / 400, 30]);
  const cumulative = streamingSessionVwap(null);
  assert.deepEqual(
    bars.map(cumulative).map((x) => Math.round(x! * 1e9) / 1e9),
    [10, 17.5, Math.round(((1000 + 6000 + 1500) / 450) * 1e9) / 1e9],
  );
});

Deno.test("synthetic series never produce NaN and ranges hold", () => {
  for (const shape of ["up", "down", "flat", "zigzag"] as const) {
    const e = new FeatureEngine();
    for (const b of syntheticBars(shape, 300, 7)) {
      const v = e.update(b);
      assertNoNaN(v);
      if (v.rsi !== null) assert.ok(v.rsi >= 0 && v.rsi <= 100, `${shape} rsi ${v.rsi}`);
      if (v.williamsR !== null) assert.ok(v.williamsR >= -100 && v.williamsR <= 0);
      if (v.realizedVolRank !== null) assert.ok(v.realizedVolRank > 0 && v.realizedVolRank < 1);
    }
  }
});
