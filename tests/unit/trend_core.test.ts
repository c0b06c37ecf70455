import assert from "node:assert/strict";
import {
  createTrendCore,
  resolveTrendOptions,
  TREND_MODEL,
  trendView,
} from "../../agents/trend/mod.ts";
import type { DirectionSignal } from "../../shared/messages/mod.ts";
import { makeEnvelope } from "../../shared/messages/mod.ts";
import {
  assertSignalContract,
  barEnvelope,
  readEtfDaily,
  runCore,
  syntheticBars,
} from "./features_fixtures.ts";

const opts = { spreadScale: 1, unconfirmedFactor: 0.5 };
const sum = (p: { down: number; flat: number; up: number }) => p.down + p.flat + p.up;

Deno.test("trendView: hand-computed probabilities and confidence", () => {
  // Spread 1 ATR up, MACD confirms: c = tanh(1).
  const up = trendView({ emaFast: 102, emaSlow: 100, macdHistogram: 0.3, atr: 2 }, opts);
  const c = Math.tanh(1);
  assert.equal(up.confidence, c);
  assert.equal(up.probs.up, (1 + 2 * c) / 3);
  assert.equal(up.probs.down, (1 - c) / 3);
  assert.equal(up.probs.flat, (1 - c) / 3);
  // Same spread down, MACD disagrees: half the confidence, down favoured.
  const down = trendView({ emaFast: 98, emaSlow: 100, macdHistogram: 0.3, atr: 2 }, opts);
  assert.equal(down.confidence, c * 0.5);
  assert.ok(down.probs.down > down.probs.up);
  assert.equal(down.probs.up, down.probs.flat);
  // A wider spread is more confident.
  const wide = trendView({ emaFast: 106, emaSlow: 100, macdHistogram: 1, atr: 2 }, opts);
  assert.ok(wide.confidence > up.confidence);
  for (const v of [up, down, wide]) assert.ok(Math.abs(sum(v.probs) - 1) < 1e-12);
});

Deno.test("trendView: warm-up, zero ATR and zero spread are uniform with confidence 0", () => {
  const uniform = { down: 1 / 3, flat: 1 / 3, up: 1 / 3 };
  for (
    const f of [
      { emaFast: null, emaSlow: 100, macdHistogram: 1, atr: 1 },
      { emaFast: 101, emaSlow: 100, macdHistogram: null, atr: 1 },
      { emaFast: 101, emaSlow: 100, macdHistogram: 1, atr: null },
      { emaFast: 101, emaSlow: 100, macdHistogram: 1, atr: 0 },
      { emaFast: 100, emaSlow: 100, macdHistogram: 1, atr: 1 },
    ]
  ) {
    assert.deepEqual(trendView(f, opts), { probs: uniform, confidence: 0 });
  }
});

Deno.test("trend core: steady uptrend favours up, downtrend down, zigzag stays unsure", () => {
  const core = createTrendCore();
  const last = (shape: "up" | "down" | "zigzag") =>
    runCore(core, syntheticBars(shape, 120, 3).map((b, i) => barEnvelope("X", b, i)))
      .map((o) => o[0].msg.data as DirectionSignal).slice(-40);
  for (const s of last("up")) {
    assert.ok(s.probs.up > s.probs.down && s.probs.up > s.probs.flat, JSON.stringify(s.probs));
    assert.ok(s.confidence > 0.4);
  }
  for (const s of last("down")) {
    assert.ok(s.probs.down > s.probs.up, JSON.stringify(s.probs));
    assert.ok(s.confidence > 0.2);
  }
  for (const s of last("zigzag")) assert.ok(s.confidence < 0.1, `${s.confidence}`);
});

Deno.test("trend core: one valid signal per new bar, duplicates ignored, no look-ahead", () => {
  const msgs = readEtfDaily("SPY").slice(0, 150).map((b, i) => barEnvelope("SPY", b, i));
  const signals = assertSignalContract(createTrendCore(), msgs) as DirectionSignal[];
  assert.equal(signals.length, 150);
  // Warm-up: MACD histogram needs slow + signal - 1 = 34 bars.
  for (const s of signals.slice(0, 33)) {
    assert.deepEqual(s.probs, { down: 1 / 3, flat: 1 / 3, up: 1 / 3 });
    assert.equal(s.confidence, 0);
  }
  assert.ok(signals.slice(34).every((s) => s.confidence > 0));
  assert.ok(signals.every((s) => s.kind === "direction" && s.model === TREND_MODEL));
});

Deno.test("trend core: symbols are independent and periods are configurable", () => {
  const a = syntheticBars("up", 60, 1).map((b, i) => barEnvelope("A", b, i));
  const b = syntheticBars("down", 60, 2).map((x, i) => barEnvelope("B", x, i));
  const core = createTrendCore({ fastPeriod: 5, slowPeriod: 10, signalPeriod: 3 });
  const alone = [...runCore(core, a), ...runCore(core, b)].flat();
  const mixed = runCore(core, a.flatMap((m, i) => [m, b[i]])).flat();
  const bySymbol = (s: string) => mixed.filter((o) => (o.msg.data as DirectionSignal).symbol === s);
  assert.deepEqual([...bySymbol("A"), ...bySymbol("B")], alone);
  // MACD(5, 10, 3) has a histogram from index 11; ATR(14) (default) is ready at index 14.
  const sig = runCore(core, a).map((o) => (o[0].msg.data as DirectionSignal).confidence);
  assert.equal(sig[13], 0);
  assert.ok(sig[14] > 0);
  const fastAtr = createTrendCore({ fastPeriod: 5, slowPeriod: 10, signalPeriod: 3, atrPeriod: 5 });
  const sig2 = runCore(fastAtr, a).map((o) => (o[0].msg.data as DirectionSignal).confidence);
  assert.equal(sig2[10], 0);
  assert.ok(sig2[11] > 0);
});

Deno.test("trend core: bad options and foreign messages are rejected with clear errors", () => {
  assert.throws(
    () => resolveTrendOptions({ fastPeriod: 30, slowPeriod: 20 }),
    /fastPeriod: must be below slowPeriod \(got 30 >= 20\)/,
  );
  assert.throws(() => resolveTrendOptions({ spreadScale: 0 }), /spreadScale: expected a finite/);
  assert.throws(
    () => resolveTrendOptions({ signalPeriod: 1.5 }),
    /signalPeriod: expected an integer/,
  );
  // deno-lint-ignore no-explicit-any
  assert.throws(() => resolveTrendOptions({ nope: 1 } as any), /nope: unknown option/);
  const core = createTrendCore();
  const state = core.init();
  const cmd = makeEnvelope("command", {
    id: "c1",
    producer: "operator",
    time: 1,
    corr: "c1",
  }, { command: "kill", target: null, issuedBy: "op", reason: "" });
  assert.throws(() => core.step(state, cmd, 0), /trend: expected a 'bar' message, got 'command'/);
  const [first] = syntheticBars("up", 2, 1);
  core.step(state, barEnvelope("X", first, 0, "1d"), 0);
  const later = { ...first, time: first.time + 3_600_000 };
  assert.throws(
    () => core.step(state, barEnvelope("X", later, 1, "1h"), 0),
    /timeframe '1h' differs from '1d'/,
  );
});
