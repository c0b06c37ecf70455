// GARCH training on real daily data (../shared/data: etf_daily/SPY.csv, a yfinance export,
// and crypto_daily/BTCUSD_1d.csv), its scores and its card.
import assert from "node:assert/strict";
import fc from "fast-check";
import { devDataPath, loadBarFile, type RawBar } from "../../shared/data/mod.ts";
import { readCard } from "../../shared/learn/mod.ts";
import {
  ewmaVarianceForecasts,
  GARCH_OUTPUT_UNITS,
  rollingVarianceForecasts,
  trainGarch,
  varianceScores,
  writeVolatilityCard,
} from "../../shared/train/mod.ts";

const STAMP = { createdAt: "2026-01-02T03:04:05.000Z", codeVersion: "test" };
const load = async (file: string) => (await loadBarFile(devDataPath(file))).bars;

Deno.test("trainGarch on SPY: a valid card that round-trips, beating both baselines", async () => {
  const bars = await load("etf_daily/SPY.csv");
  const { card, folds, oos } = trainGarch(bars, STAMP);
  const dir = await Deno.makeTempDir();
  try {
    const path = await writeVolatilityCard(dir, card);
    assert.equal(path, `${dir}/volatility.card.json`);
    assert.deepEqual(await readCard(path), card);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  assert.equal(card.agent, "volatility");
  assert.deepEqual(card.inputs, { features: ["log_return"], window: 1, normalisation: null });
  assert.deepEqual(card.outputs, { units: GARCH_OUTPUT_UNITS });
  assert.equal(card.created_at, STAMP.createdAt);
  assert.equal(card.train_windows.length, folds.length);
  // Expanding folds of 250 from 1000 over 3020 returns: 9 folds, the last one short.
  assert.equal(folds.length, 9);
  assert.equal(card.oos.n, 3020 - 1001);
  assert.equal(oos.forecast.length, card.oos.n);
  // The card serves the last fold's fit.
  const last = folds[folds.length - 1].params;
  assert.equal(card.params.omega, last.omega);
  assert.equal(card.params.beta, last.beta);
  assert.equal(card.params.initial_variance, last.initialVariance);
  assert.equal(card.params.timeframe, "1d");
  assert.ok(typeof card.params.nu === "number" && card.params.nu > 2);
  // Measured: QLIKE -8.662 vs rolling-20 -8.460 and EWMA -8.553 (lower is better).
  const q = card.oos.qlike as number;
  assert.ok(q < (card.baselines.rolling_variance_20.qlike as number), `${q}`);
  assert.ok(q < (card.baselines["ewma_0.94"].qlike as number), `${q}`);
  assert.ok((card.oos.mse as number) < (card.baselines["ewma_0.94"].mse as number));
  assert.ok((card.oos.rank_ic as number) > 0.2);
});

Deno.test("trainGarch on BTC: valid card; QLIKE beats both baselines", async () => {
  const bars = await load("crypto_daily/BTCUSD_1d.csv");
  const { card } = trainGarch(bars, { ...STAMP, testSize: 500 });
  const dir = await Deno.makeTempDir();
  try {
    assert.deepEqual(await readCard(await writeVolatilityCard(dir, card)), card);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  assert.equal(card.params.symbol, "BTCUSD");
  const q = card.oos.qlike as number;
  assert.ok(q < (card.baselines.rolling_variance_20.qlike as number), `${q}`);
  assert.ok(q < (card.baselines["ewma_0.94"].qlike as number), `${q}`);
});

Deno.test("trainGarch: no fold trains on a test index, and test data never moves a fit", async () => {
  const bars = (await load("etf_daily/SPY.csv")).slice(0, 900);
  const opts = { ...STAMP, trainSize: 500, testSize: 150 };
  const a = trainGarch(bars, opts);
  const testIdx = new Set(a.oos.index);
  for (const { fold } of a.folds) {
    for (let i = fold.train[0]; i < fold.train[1]; i++) {
      assert.ok(i < fold.test[0], `fold ${fold.index} trains on ${i}`);
      if (testIdx.has(i)) {
        // a later fold may train on an earlier fold's test window, never on its own
        assert.ok(a.folds.some((f) => f.fold.index < fold.index && i >= f.fold.test[0]));
      }
    }
    assert.equal(fold.train[1], fold.test[0] - 1, "purge of one sample");
  }
  // Scramble every bar after the first fold's training window (and its purged sample):
  // the first fold's parameters and its first test forecast must not change.
  const first = a.folds[0].fold;
  const cut = first.test[0] + 1; // bar index of the first test return
  const scrambled: RawBar[] = bars.map((b, i) =>
    i < cut
      ? b
      : { ...b, close: b.close * (i % 2 ? 1.05 : 0.97), high: b.high * 1.05, low: b.low * 0.97 }
  );
  const b = trainGarch(scrambled, opts);
  assert.deepEqual(b.folds[0].params, a.folds[0].params);
  assert.equal(b.oos.forecast[0], a.oos.forecast[0]);
  assert.notEqual(b.oos.squaredReturn[0], a.oos.squaredReturn[0]);
});

Deno.test("varianceScores: known answers and refusals", () => {
  const s = varianceScores([1, 2], [1, 0]);
  assert.equal(s.n, 2);
  assert.ok(Math.abs(s.qlike - (0 + 1 + Math.log(2) + 0) / 2) < 1e-15);
  assert.equal(s.mse, (0 + 4) / 2);
  assert.throws(() => varianceScores([0], [1]), /forecast 0 must be finite and > 0/);
  assert.throws(() => varianceScores([1], [-1]), /squared return 0/);
  assert.throws(() => varianceScores([1, 2], [1]), /equal non-empty/);
});

Deno.test("baseline forecasts: known answers and no look-ahead", () => {
  const r = [0.01, -0.02, 0.03, 0.0, 0.01];
  const roll = rollingVarianceForecasts(r, 2);
  assert.ok(Number.isNaN(roll[1]));
  assert.ok(Math.abs(roll[2] - (0.01 - -0.02) ** 2 / 2) < 1e-18);
  const ewma = ewmaVarianceForecasts(r, 0.5, 2);
  const seed = (0.0001 + 0.0004) / 2;
  assert.ok(Number.isNaN(ewma[1]));
  assert.equal(ewma[2], seed);
  assert.ok(Math.abs(ewma[3] - (0.5 * seed + 0.5 * 0.0009)) < 1e-18);
  fc.assert(
    fc.property(
      fc.array(fc.double({ min: -0.1, max: 0.1, noNaN: true }), { minLength: 5, maxLength: 40 }),
      fc.nat(),
      (xs, k) => {
        const t = k % xs.length;
        const changed = xs.map((x, i) => i >= t ? -x + 0.05 : x);
        const same = (u: number, v: number) => Object.is(u, v);
        assert.ok(
          same(rollingVarianceForecasts(xs, 3)[t], rollingVarianceForecasts(changed, 3)[t]),
        );
        assert.ok(
          same(ewmaVarianceForecasts(xs, 0.9, 3)[t], ewmaVarianceForecasts(changed, 0.9, 3)[t]),
        );
      },
    ),
  );
});

Deno.test("trainGarch: refuses mixed series, bad bars and missing stamps by name", async () => {
  const bars = (await load("etf_daily/SPY.csv")).slice(0, 700);
  const opts = { ...STAMP, trainSize: 400, testSize: 100 };
  const mixed = bars.map((b, i) => i === 300 ? { ...b, symbol: "QQQ" } : b);
  assert.throws(() => trainGarch(mixed, opts), /bar 300 is QQQ 1d, but bar 0 is SPY 1d/);
  const broken = bars.map((b, i) => i === 42 ? { ...b, close: NaN } : b);
  assert.throws(() => trainGarch(broken, opts), /bar 42 .*close: expected a finite price/);
  const unsorted = bars.map((b, i) => i === 10 ? { ...b, time: bars[5].time } : b);
  assert.throws(() => trainGarch(unsorted, opts), /bar 10 .*not after the previous/);
  assert.throws(() => trainGarch(bars, { ...opts, createdAt: "yesterday" }), /createdAt/);
  assert.throws(() => trainGarch(bars, { ...opts, codeVersion: "" }), /codeVersion/);
  assert.throws(() => trainGarch(bars.slice(0, 300), opts), /too short for one fold/);
});
