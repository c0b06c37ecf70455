// The training datasets are built with the agents' own feature code, use no bar after t,
// pool symbols on shared bar times, and normalise with training-window statistics only.
import assert from "node:assert/strict";
import fc from "fast-check";
import { SymbolEngines } from "../../shared/features/mod.ts";
import { directionLabels, walkForwardSplits } from "../../shared/learn/mod.ts";
import { candleWindows } from "../../shared/nn/candle_windows.ts";
import { windowBatch } from "../../shared/nn/window_batch.ts";
import {
  buildPatternDataset,
  buildTrendDataset,
  fitNormalisation,
  normaliseBatch,
  normaliseRows,
  sampleFolds,
  TREND_FEATURE_CONFIG,
  TREND_FEATURES,
  trendFeatureRow,
} from "../../shared/train/datasets.ts";
import {
  barMessages,
  DATASET_OPTIONS,
  LABELS,
  loadSeries,
  spySeries,
} from "./train_nn_fixtures.ts";

const K = DATASET_OPTIONS.window;
const F = TREND_FEATURES.length;

Deno.test("trend dataset: the row of bar t is what the agent's SymbolEngines gives at bar t", async () => {
  const spy = await spySeries();
  const ds = buildTrendDataset([spy], DATASET_OPTIONS);
  // the agent's path: bar messages through SymbolEngines, then trendFeatureRow
  const engines = new SymbolEngines(TREND_FEATURE_CONFIG);
  const agentRows = new Map<number, number[] | null>();
  for (const msg of barMessages(spy)) {
    if (msg.type !== "bar") continue;
    const f = engines.accept(msg.data);
    assert.ok(f !== null);
    agentRows.set(msg.data.time, trendFeatureRow(f));
  }
  assert.ok(ds.times.length > 2900, `${ds.times.length} samples`);
  const byTime = spy.bars.map((b) => b.time);
  ds.times.forEach((time, i) => {
    const t = byTime.indexOf(time);
    for (let s = 0; s < K; s++) {
      const want = agentRows.get(byTime[t - K + 1 + s]);
      assert.ok(want, `bar ${t - K + 1 + s} has a defined row`);
      const got = Array.from(ds.x.data.subarray((i * K + s) * F, (i * K + s + 1) * F));
      assert.deepEqual(got, want.map(Math.fround), `sample ${i}, step ${s}`);
    }
  });
  // the first sample is the first bar with K consecutive defined rows
  const firstFull = spy.bars.findIndex((_, t) =>
    t >= K - 1 && [...Array(K).keys()].every((s) => agentRows.get(byTime[t - s]) !== null)
  );
  assert.equal(ds.times[0], byTime[firstFull]);
});

Deno.test("trend dataset: labels are directionLabels of the same bar", async () => {
  const spy = await spySeries();
  const ds = buildTrendDataset([spy], DATASET_OPTIONS);
  const labels = directionLabels(spy.bars.map((b) => b.close), LABELS);
  const index = new Map(spy.bars.map((b, t) => [b.time, t]));
  ds.times.forEach((time, i) => assert.deepEqual(ds.labels[i], labels[index.get(time) as number]));
  assert.equal(ds.labels.at(-1), null, "the last bar's label looks past the data");
});

Deno.test("pattern dataset: window of bar t is candleWindows of bars t-K+1..t alone", async () => {
  const spy = await spySeries();
  const ds = buildPatternDataset([spy], DATASET_OPTIONS);
  assert.equal(ds.times.length, spy.bars.length - K + 1);
  for (const i of [0, 1, 500, ds.times.length - 1]) {
    const t = i + K - 1;
    const alone = candleWindows(spy.bars.slice(t - K + 1, t + 1), K);
    assert.deepEqual(ds.x.data.subarray(i * K * 5, (i + 1) * K * 5), alone.data);
  }
});

Deno.test("datasets: truncating the bars never changes an earlier sample (no look-ahead)", async () => {
  const spy = await spySeries();
  const bars = spy.bars.slice(0, 400);
  const full = {
    trend: buildTrendDataset([{ symbol: "SPY", bars }], DATASET_OPTIONS),
    pattern: buildPatternDataset([{ symbol: "SPY", bars }], DATASET_OPTIONS),
  };
  fc.assert(
    fc.property(fc.integer({ min: 60, max: 399 }), (m) => {
      for (const kind of ["trend", "pattern"] as const) {
        const build = kind === "trend" ? buildTrendDataset : buildPatternDataset;
        const cut = build([{ symbol: "SPY", bars: bars.slice(0, m) }], DATASET_OPTIONS);
        const size = cut.x.data.length;
        assert.deepEqual(cut.times, full[kind].times.slice(0, cut.times.length));
        assert.deepEqual(cut.x.data, full[kind].x.data.subarray(0, size));
      }
    }),
    { numRuns: 15 },
  );
});

Deno.test("datasets: pooled symbols share bar times, sample i = time index · S + symbol", async () => {
  const [spy, qqq] = [await spySeries(), await loadSeries("QQQ.csv")];
  // drop one SPY bar: that time must disappear from the pool
  const gapTime = spy.bars[1000].time;
  const spyGap = { symbol: "SPY", bars: spy.bars.filter((b) => b.time !== gapTime) };
  const pooled = buildTrendDataset([spyGap, qqq], DATASET_OPTIONS);
  const alone = buildTrendDataset([qqq], DATASET_OPTIONS);
  assert.equal(pooled.symbolsPerTime, 2);
  assert.equal(pooled.times.length, 2 * pooled.barTimes.length);
  assert.ok(!pooled.barTimes.includes(gapTime));
  pooled.barTimes.forEach((time, ti) => {
    assert.equal(pooled.times[2 * ti], time);
    assert.equal(pooled.times[2 * ti + 1], time);
  });
  // QQQ's samples in the pool are QQQ's own windows and labels
  const size = K * F;
  for (const ti of [0, 700, pooled.barTimes.length - 1]) {
    const j = alone.times.indexOf(pooled.barTimes[ti]);
    const i = 2 * ti + 1;
    assert.deepEqual(
      pooled.x.data.subarray(i * size, (i + 1) * size),
      alone.x.data.subarray(j * size, (j + 1) * size),
    );
    assert.deepEqual(pooled.labels[i], alone.labels[j]);
  }
});

Deno.test("sampleFolds scales every range by the symbols per time (purge ≥ horizon · S)", () => {
  const folds = walkForwardSplits({
    n: 100,
    trainSize: 50,
    testSize: 20,
    mode: "rolling",
    horizon: 2,
    embargo: 2,
  });
  const scaled = sampleFolds(folds, 3);
  assert.deepEqual(scaled[0].train, [0, 150]);
  assert.deepEqual(scaled[0].purged, [150, 156]);
  assert.deepEqual(scaled[0].test, [156, 216]);
  assert.equal(scaled.length, folds.length);
});

Deno.test("fitNormalisation reads only the last rows of the training samples", () => {
  fc.assert(
    fc.property(
      fc.array(fc.float({ min: -100, max: 100, noNaN: true }), {
        minLength: 6 * 3 * 2,
        maxLength: 6 * 3 * 2,
      }),
      fc.float({ min: -1e3, max: 1e3, noNaN: true }),
      (values, junk) => {
        const data = Float32Array.from(values);
        // make each feature vary in the training range [1, 4)
        for (let i = 1; i < 4; i++) {
          for (let j = 0; j < 2; j++) data[(i * 3 + 2) * 2 + j] = i * (j + 1);
        }
        const x = windowBatch(data, [6, 3, 2]);
        const a = fitNormalisation(x, 1, 4);
        const changed = Float32Array.from(data);
        for (const i of [0, 4, 5]) for (let k = 0; k < 6; k++) changed[i * 6 + k] = junk;
        for (const i of [1, 2, 3]) for (let k = 0; k < 4; k++) changed[i * 6 + k] = junk; // earlier steps
        const b = fitNormalisation(windowBatch(changed, [6, 3, 2]), 1, 4);
        assert.deepEqual(a, b);
        assert.deepEqual(a.mean, [2, 4]);
        assert.ok(Math.abs(a.std[0] - Math.sqrt(2 / 3)) < 1e-12);
      },
    ),
    { numRuns: 50 },
  );
});

Deno.test("normaliseRows (agent) and normaliseBatch (training) give the same float32 values", async () => {
  const spy = await spySeries();
  const ds = buildTrendDataset([spy], DATASET_OPTIONS);
  const norm = fitNormalisation(ds.x, 0, 600);
  const batch = normaliseBatch(ds.x, norm);
  const engines = new SymbolEngines(TREND_FEATURE_CONFIG);
  const rows = new Map<number, number[]>();
  for (const msg of barMessages(spy)) {
    if (msg.type !== "bar") continue;
    const row = trendFeatureRow(engines.accept(msg.data)!);
    if (row !== null) rows.set(msg.data.time, normaliseRows([row], norm)[0]);
  }
  for (const i of [0, 10, 1234, ds.times.length - 1]) {
    const last = Array.from(batch.data.subarray((i * K + K - 1) * F, (i * K + K) * F));
    assert.deepEqual(last, rows.get(ds.times[i]));
  }
});

Deno.test("datasets refuse bad input with errors naming it", async () => {
  const spy = await spySeries();
  const bars = spy.bars.slice(0, 100);
  assert.throws(() => buildTrendDataset([], DATASET_OPTIONS), /no symbol series/);
  assert.throws(
    () => buildTrendDataset([{ symbol: "A", bars }, { symbol: "A", bars }], DATASET_OPTIONS),
    /'A' given twice/,
  );
  assert.throws(
    () => buildPatternDataset([{ symbol: "A", bars: [bars[1], bars[0]] }], DATASET_OPTIONS),
    /A bar 1 .* is not after bar 0/,
  );
  assert.throws(
    () => buildTrendDataset([{ symbol: "A", bars }], { ...DATASET_OPTIONS, window: 0 }),
    /window/,
  );
  assert.throws(
    () =>
      buildPatternDataset([{ symbol: "A", bars: [{ ...bars[0], close: -1 }] }], DATASET_OPTIONS),
    /close must be a positive/,
  );
  const flat = windowBatch(new Float32Array(12), [3, 2, 2]);
  assert.throws(() => fitNormalisation(flat, 0, 3), /feature 0 is constant/);
  assert.throws(() => fitNormalisation(flat, 2, 2), /empty/);
});
