import assert from "node:assert/strict";
import {
  createVolatilityCore,
  resolveVolatilityOptions,
  VOLATILITY_MODEL,
  volatilityView,
} from "../../agents/volatility/mod.ts";
import type { FeatureBar } from "../../shared/features/mod.ts";
import type { VolatilitySignal } from "../../shared/messages/mod.ts";
import {
  assertSignalContract,
  barEnvelope,
  closeRel,
  readEtfDaily,
  runCore,
  syntheticBars,
} from "./features_fixtures.ts";

const signalsOf = (bars: FeatureBar[], opts = {}) =>
  runCore(createVolatilityCore(opts), bars.map((b, i) => barEnvelope("X", b, i)))
    .map((o) => o[0].msg.data as VolatilitySignal);

Deno.test("volatility core: known answers on a ±r series with constant range", () => {
  // Log returns alternate +1%, -1%; every bar spans ln(high/low) = 2%.
  const r = 0.01;
  const k = 0.02;
  let close = 100;
  const bars: FeatureBar[] = Array.from({ length: 60 }, (_, i) => {
    if (i > 0) close *= Math.exp(i % 2 === 1 ? r : -r);
    const low = close * Math.exp(-k / 2);
    return { time: i * 86_400_000, open: close, close, high: low * Math.exp(k), low, volume: 1 };
  });
  const n = 10;
  const s = signalsOf(bars, { window: n, lambda: 0.9 });
  // Warm-up until the window holds n returns (bar n): zeros and confidence 0.
  for (const x of s.slice(0, n)) {
    assert.deepEqual([x.realized, x.parkinson, x.forecast, x.confidence], [0, 0, 0, 0]);
  }
  const last = s.at(-1)!;
  assert.ok(closeRel(last.realized, r * Math.sqrt(n / (n - 1)), 1e-6), `${last.realized}`);
  assert.ok(closeRel(last.parkinson, k / Math.sqrt(4 * Math.LN2), 1e-9));
  assert.ok(closeRel(last.forecast, r, 1e-6));
  // Effective sample size of λ = 0.9 is 19: confidence 1 - 1/sqrt(36) after 19 returns.
  assert.ok(closeRel(last.confidence, 1 - 1 / 6, 1e-12));
  assert.ok(closeRel(s[n].confidence, 1 - 1 / Math.sqrt(2 * (n - 1)), 1e-12));
});

Deno.test("volatilityView: confidence grows with sample size and saturates", () => {
  const f = (index: number) => ({ index, realizedVol: 0.01, parkinsonVol: 0.01, ewmaVol: 0.01 });
  const c = [20, 25, 30, 40, 100].map((i) => volatilityView(f(i), 0.94).confidence);
  assert.ok(c[0] < c[1] && c[1] < c[2], c.join(","));
  assert.equal(c[3], c[4]); // capped at (1 + 0.94) / (1 - 0.94) ≈ 32.3 returns
  assert.deepEqual(volatilityView({ ...f(50), ewmaVol: null }, 0.94), {
    realized: 0,
    parkinson: 0,
    forecast: 0,
    confidence: 0,
  });
});

Deno.test("volatility core: a calmer series gets a lower forecast than a wilder one", () => {
  const calm = signalsOf(syntheticBars("flat", 80, 5)).at(-1)!;
  const wild = signalsOf(
    syntheticBars("flat", 80, 5).map((b) => {
      // Triple every bar's distance from 100 and widen the range: more volatile.
      const c = 100 * (b.close / 100) ** 3;
      return { ...b, open: c, close: c, high: c * 1.03, low: c * 0.97 };
    }),
  ).at(-1)!;
  assert.ok(wild.realized > 2 * calm.realized);
  assert.ok(wild.parkinson > calm.parkinson);
  assert.ok(wild.forecast > 2 * calm.forecast);
});

Deno.test("volatility core: one valid signal per new bar, duplicates ignored, no look-ahead", () => {
  const msgs = readEtfDaily("SPY").slice(0, 120).map((b, i) => barEnvelope("SPY", b, i));
  const s = assertSignalContract(createVolatilityCore(), msgs) as VolatilitySignal[];
  assert.equal(s.length, 120);
  assert.ok(s.every((x) => x.kind === "volatility" && x.model === VOLATILITY_MODEL));
  assert.equal(s[19].confidence, 0);
  assert.ok(s[20].confidence > 0 && s[20].realized > 0 && s[20].forecast > 0);
  // SPY daily volatility in 2010 is of the order of 1% a bar.
  assert.ok(s.slice(20).every((x) => x.realized > 0.002 && x.realized < 0.05));
});

Deno.test("volatility core: bad options are rejected with the option named", () => {
  assert.throws(() => resolveVolatilityOptions({ window: 1 }), /window: expected an integer >= 2/);
  assert.throws(
    () => resolveVolatilityOptions({ lambda: 1 }),
    /lambda: expected a number in \(0, 1\)/,
  );
  // deno-lint-ignore no-explicit-any
  assert.throws(() => createVolatilityCore({ x: 1 } as any), /x: unknown option/);
});
