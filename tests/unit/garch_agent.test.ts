// The GARCH volatility core served from a card trained on real SPY daily bars
// (../shared/data/etf_daily/SPY.csv, a yfinance export).
import assert from "node:assert/strict";
import {
  createGarchVolatilityCore,
  createVolatilityCore,
  garchConfidence,
  type GarchVolatilityState,
} from "../../agents/volatility/mod.ts";
import { devDataPath, loadBarFile, type RawBar } from "../../shared/data/mod.ts";
import { garchFilter } from "../../shared/econometrics/mod.ts";
import type { ModelCard } from "../../shared/learn/mod.ts";
import type { Envelope, VolatilitySignal } from "../../shared/messages/mod.ts";
import { trainGarch } from "../../shared/train/mod.ts";
import { assertSignalContract, barEnvelope, runCore } from "./features_fixtures.ts";

const STAMP = { createdAt: "2026-01-02T03:04:05.000Z", codeVersion: "test" };
const spy = (await loadBarFile(devDataPath("etf_daily/SPY.csv"))).bars;
// Trained on the first 1500 bars; served on the later ones it never saw.
const { card } = trainGarch(spy.slice(0, 1500), { ...STAMP, testSize: 250 });
const envelopes = (bars: readonly RawBar[], symbol = "SPY", timeframe = "1d") =>
  bars.map((b, i) => barEnvelope(symbol, b, i, timeframe));
const served = envelopes(spy.slice(1500, 1900));
const signals = (msgs: readonly Envelope<"bar">[], c: unknown = card) =>
  runCore(createGarchVolatilityCore(c), msgs).map((o) => o[0].msg.data as VolatilitySignal);

Deno.test("garch core: signal contract, redeliveries ignored, truncation invariance", () => {
  const out = assertSignalContract(createGarchVolatilityCore(card), served);
  assert.equal(out.length, served.length);
  assert.equal((out[0] as VolatilitySignal).model, `garch:${STAMP.createdAt}`);
});

Deno.test("garch core: forecast is sqrt of the filtered GARCH variance; realized/parkinson as the rule core", () => {
  const s = signals(served);
  const rule = runCore(createVolatilityCore({ window: 20 }), served)
    .map((o) => o[0].msg.data as VolatilitySignal);
  const p = card.params as Record<string, number>;
  const params = {
    omega: p.omega,
    alpha: p.alpha,
    beta: p.beta,
    mu: p.mu,
    nu: p.nu,
    initialVariance: p.initial_variance,
  };
  const bars = served.map((m) => m.data);
  const returns = bars.slice(1).map((b, i) => Math.log(b.close / bars[i].close));
  const variances = garchFilter(params, returns); // variances[i] is for returns[i]
  for (let t = 0; t < 20; t++) {
    assert.deepEqual([s[t].realized, s[t].parkinson, s[t].forecast, s[t].confidence], [0, 0, 0, 0]);
  }
  for (let t = 20; t < s.length; t++) {
    // bar t has seen returns 0..t−1; its forecast is for return t (bar t+1)
    const next = t < returns.length
      ? variances[t]
      : p.omega + p.alpha * (returns[t - 1] - p.mu) ** 2 + p.beta * variances[t - 1];
    assert.ok(Math.abs(s[t].forecast - Math.sqrt(next)) <= 1e-12 * Math.sqrt(next), `bar ${t}`);
    assert.ok(Math.abs(s[t].realized - rule[t].realized) <= 1e-12 * rule[t].realized, `bar ${t}`);
    assert.ok(Math.abs(s[t].parkinson - rule[t].parkinson) <= 1e-12 * rule[t].parkinson);
    assert.equal(s[t].confidence, garchConfidence(p.beta, t));
  }
  assert.ok(s[20].confidence < s[100].confidence && s[100].confidence <= 1);
});

Deno.test("garch core: snapshot/restore (through JSON) mid-stream gives identical later outputs", () => {
  const core = createGarchVolatilityCore(card);
  const two = [...served.slice(0, 200), ...envelopes(spy.slice(1500, 1700), "QQQ")]
    .sort((a, b) => a.data.time - b.data.time);
  const whole = runCore(core, two).flat();
  let state: GarchVolatilityState = core.init();
  const out = [];
  for (let i = 0; i < two.length; i++) {
    if (i === 150) {
      state = core.restore!(JSON.parse(JSON.stringify(core.snapshot!(state))));
    }
    const step = core.step(state, two[i], 0);
    state = step.state;
    out.push(...step.out);
  }
  assert.deepEqual(out, whole);
  assert.deepEqual(Object.keys(state.symbols).sort(), ["QQQ", "SPY"]);
  assert.throws(
    () => core.restore!({ symbols: { SPY: { ...state.symbols.SPY, variance: -1 } } }),
    /symbols\.SPY\.variance must be finite and > 0/,
  );
  assert.throws(() => core.restore!(null), /must be an object/);
});

Deno.test("garch core: a mismatching card is refused with a message naming the mismatch", () => {
  const edit = (f: (c: ModelCard) => void) => {
    const c = structuredClone(card);
    f(c);
    return c;
  };
  const cases: [ModelCard, RegExp][] = [
    [
      edit((c) => (c.inputs.features = ["log_return", "log_hl_range"])),
      /features the model needs: 'log_hl_range'/,
    ],
    [edit((c) => (c.inputs.features = ["abs_return"])), /missing features .*'abs_return'/],
    [edit((c) => (c.inputs.window = 20)), /window length: the card needs 20 bars, the agent has 1/],
    [edit((c) => (c.agent = "regime")), /the card is for agent 'regime'/],
    [edit((c) => (c.outputs = { units: "percent" })), /outputs must be units/],
    [edit((c) => (c.params.beta = 0.9)), /alpha \+ beta must be < 1/],
    [edit((c) => delete c.params.omega), /params\.omega must be a finite number/],
    [edit((c) => delete c.params.timeframe), /params\.timeframe/],
  ];
  for (const [bad, message] of cases) {
    assert.throws(() => createGarchVolatilityCore(bad), message);
  }
  assert.throws(
    () => createGarchVolatilityCore({ agent: "volatility" }),
    /invalid volatility model card/,
  );
  assert.throws(
    () => createGarchVolatilityCore(card, { window: 1 }),
    /window must be an integer >= 2/,
  );
});

Deno.test("garch core: bars of another timeframe and bad bars are refused, by name", () => {
  const core = createGarchVolatilityCore(card);
  const state = core.init();
  const hourly = envelopes(spy.slice(0, 1), "SPY", "1h")[0];
  assert.throws(() => core.step(state, hourly, 0), /timeframe '1h'.*trained on '1d'/);
  const bad = envelopes([{ ...spy[0], low: spy[0].high * 2 }])[0];
  assert.throws(() => core.step(state, bad, 0), /high: .* is below low/);
  assert.deepEqual(state.symbols, {});
});
