// No look-ahead: the features of bar t are identical whether the history stops at t or
// continues with any future bars.
import assert from "node:assert/strict";
import fc from "fast-check";
import { type FeatureBar, FeatureEngine, type FeatureVector } from "../../shared/features/mod.ts";
import { readEtfDaily } from "../unit/features_fixtures.ts";

/** One bar's shape: log return, wicks (fractions), volume, gap to the next bar. */
const barStep = fc.record({
  ret: fc.oneof(fc.double({ min: -0.1, max: 0.1, noNaN: true }), fc.constant(0)),
  upWick: fc.oneof(fc.double({ min: 0, max: 0.05, noNaN: true }), fc.constant(0)),
  downWick: fc.oneof(fc.double({ min: 0, max: 0.05, noNaN: true }), fc.constant(0)),
  volume: fc.oneof(fc.integer({ min: 0, max: 1_000_000 }), fc.constant(0)),
  gapMs: fc.integer({ min: 1, max: 3 * 86_400_000 }),
});
type BarStep = { ret: number; upWick: number; downWick: number; volume: number; gapMs: number };

function build(steps: readonly BarStep[], start = 100): FeatureBar[] {
  let close = start;
  let time = 1_600_000_000_000;
  return steps.map((s) => {
    const open = close;
    close = open * Math.exp(s.ret);
    const bar = {
      time,
      open,
      close,
      high: Math.max(open, close) * (1 + s.upWick),
      low: Math.min(open, close) * (1 - s.downWick),
      volume: s.volume,
    };
    time += s.gapMs;
    return bar;
  });
}

const run = (bars: readonly FeatureBar[], cfg = {}): FeatureVector[] => {
  const e = new FeatureEngine(cfg);
  return bars.map((b) => e.update(b));
};

const smallConfig = {
  smaPeriod: 5,
  emaFastPeriod: 3,
  emaSlowPeriod: 8,
  macdFastPeriod: 3,
  macdSlowPeriod: 8,
  macdSignalPeriod: 3,
  bbPeriod: 5,
  atrPeriod: 4,
  adxPeriod: 4,
  stochPeriod: 5,
  rocPeriod: 3,
  williamsRPeriod: 5,
  volWindow: 4,
  volRankWindow: 10,
  volRankMinSamples: 3,
};

Deno.test("synthetic OHLC: past features do not depend on future bars", () => {
  fc.assert(
    fc.property(
      fc.array(barStep, { minLength: 1, maxLength: 80 }),
      fc.array(barStep, { maxLength: 40 }),
      fc.array(barStep, { maxLength: 40 }),
      (prefix, futureA, futureB) => {
        const past = run(build(prefix), smallConfig);
        const a = run(build([...prefix, ...futureA]), smallConfig);
        const b = run(build([...prefix, ...futureB]), smallConfig);
        assert.deepEqual(a.slice(0, prefix.length), past);
        assert.deepEqual(b.slice(0, prefix.length), past);
        for (const v of a) {
          for (const [k, x] of Object.entries(v)) {
            assert.ok(x === null || Number.isFinite(x), `${k} = ${x}`);
          }
        }
      },
    ),
    { numRuns: 150 },
  );
});

Deno.test("synthetic OHLC with default periods: truncation invariance at random cuts", () => {
  fc.assert(
    fc.property(
      fc.array(barStep, { minLength: 2, maxLength: 160 }),
      fc.nat(),
      (steps, seed) => {
        const bars = build(steps);
        const cut = 1 + (seed % bars.length);
        assert.deepEqual(run(bars).slice(0, cut), run(bars.slice(0, cut)));
      },
    ),
    { numRuns: 60 },
  );
});

Deno.test("SPY daily: features at a random cut equal those of the full history", () => {
  const spy = readEtfDaily("SPY");
  const full = run(spy);
  fc.assert(
    fc.property(fc.integer({ min: 1, max: spy.length }), (cut) => {
      assert.deepEqual(run(spy.slice(0, cut)), full.slice(0, cut));
    }),
    { numRuns: 25, examples: [[1], [spy.length], [40]] },
  );
});
