import assert from "node:assert/strict";
import {
  createRegimeCore,
  DEFAULT_REGIME_OPTIONS,
  REGIME_MODEL,
  regimeView,
  resolveRegimeOptions,
} from "../../agents/regime/mod.ts";
import type { RegimeSignal } from "../../shared/messages/mod.ts";
import {
  assertSignalContract,
  barEnvelope,
  readEtfDaily,
  runCore,
  type Shape,
  syntheticBars,
} from "./features_fixtures.ts";

const o = DEFAULT_REGIME_OPTIONS;

Deno.test("regimeView: ADX threshold, logistic width and the high-volatility penalty", () => {
  const at = (adx: number, rank: number) => regimeView({ adx, realizedVolRank: rank }, o);
  assert.deepEqual(at(25, 0.5), {
    regime: "trend",
    probs: { trend: 0.5, range: 0.5 },
    confidence: 0,
  });
  const p30 = 1 / (1 + Math.exp(-1));
  assert.equal(at(30, 0.5).probs.trend, p30);
  assert.equal(at(20, 0.5).regime, "range");
  assert.equal(at(20, 0.5).probs.trend, 1 - p30);
  // Rank 0.9 is halfway into the band above 0.8: a quarter of p(trend) goes.
  assert.ok(Math.abs(at(30, 0.9).probs.trend - p30 * 0.75) < 1e-12);
  assert.equal(at(30, 0.9).regime, "trend");
  // At the top rank half of p(trend) goes: ADX 30 then reads as range.
  assert.equal(at(30, 1).probs.trend, p30 * 0.5);
  assert.equal(at(30, 1).regime, "range");
  assert.equal(at(30, 0.8).probs.trend, p30);
  // Strong ADX stays a trend even at the top volatility rank (penalty at most 50%).
  assert.equal(at(60, 0.999).regime, "trend");
  for (const v of [at(10, 0.1), at(40, 0.95)]) {
    assert.ok(Math.abs(v.probs.trend + v.probs.range - 1) < 1e-12);
    assert.equal(v.confidence, Math.abs(v.probs.trend - v.probs.range));
  }
  assert.deepEqual(regimeView({ adx: null, realizedVolRank: 0.5 }, o), {
    regime: "unknown",
    probs: { trend: 0.5, range: 0.5 },
    confidence: 0,
  });
  assert.equal(regimeView({ adx: 40, realizedVolRank: null }, o).regime, "unknown");
});

Deno.test("regime core: steady trends read as trend, flat and oscillating series as range", () => {
  const tail = (shape: Shape) =>
    runCore(createRegimeCore(), syntheticBars(shape, 150, 11).map((b, i) => barEnvelope("X", b, i)))
      .map((out) => out[0].msg.data as RegimeSignal).slice(-60);
  for (const shape of ["up", "down"] as const) {
    for (const s of tail(shape)) {
      assert.equal(s.regime, "trend", `${shape}: ${JSON.stringify(s.probs)}`);
      assert.ok(s.probs.trend > s.probs.range);
    }
  }
  for (const shape of ["flat", "zigzag"] as const) {
    for (const s of tail(shape)) {
      assert.equal(s.regime, "range", `${shape}: ${JSON.stringify(s.probs)}`);
      assert.ok(s.confidence > 0.5);
    }
  }
});

Deno.test("regime core: one valid signal per new bar, duplicates ignored, no look-ahead", () => {
  const msgs = readEtfDaily("SPY").slice(0, 200).map((b, i) => barEnvelope("SPY", b, i));
  const s = assertSignalContract(createRegimeCore(), msgs) as RegimeSignal[];
  assert.equal(s.length, 200);
  assert.ok(s.every((x) => x.kind === "regime" && x.model === REGIME_MODEL));
  // Warm-up: ADX(14) from index 27; 20 realized-vol ranks from index 39.
  for (const x of s.slice(0, 39)) {
    assert.deepEqual([x.regime, x.probs, x.confidence], ["unknown", { trend: 0.5, range: 0.5 }, 0]);
  }
  assert.ok(s.slice(39).every((x) => x.regime !== "unknown"));
});

Deno.test("regime core: bad options are rejected with the option named", () => {
  assert.throws(
    () => resolveRegimeOptions({ adxWidth: 0 }),
    /adxWidth: expected a finite number > 0/,
  );
  assert.throws(
    () => resolveRegimeOptions({ highVolQuantile: 1.2 }),
    /highVolQuantile: expected a number in \[0, 1\]/,
  );
  assert.throws(
    () => resolveRegimeOptions({ volRankWindow: 10, volRankMinSamples: 20 }),
    /volRankMinSamples: must not exceed volRankWindow/,
  );
  assert.throws(
    () => resolveRegimeOptions({ adxPeriod: 1 }),
    /adxPeriod: expected an integer >= 2/,
  );
});
