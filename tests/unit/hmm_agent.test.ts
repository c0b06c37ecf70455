// The HMM regime core served from a card trained on real SPY daily bars
// (../shared/data/etf_daily/SPY.csv, a yfinance export).
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  createHmmRegimeCore,
  type HmmRegimeState,
  hmmRegimeView,
} from "../../agents/regime/mod.ts";
import { devDataPath, loadBarFile, type RawBar } from "../../shared/data/mod.ts";
import { hmmFilter } from "../../shared/econometrics/mod.ts";
import type { ModelCard } from "../../shared/learn/mod.ts";
import type { Envelope, RegimeSignal } from "../../shared/messages/mod.ts";
import { trainHmm } from "../../shared/train/mod.ts";
import { assertSignalContract, barEnvelope, runCore } from "./features_fixtures.ts";

const STAMP = { createdAt: "2026-01-02T03:04:05.000Z", codeVersion: "test" };
const spy = (await loadBarFile(devDataPath("etf_daily/SPY.csv"))).bars;
const { card, model, regimeOfState } = trainHmm(spy.slice(0, 1500), STAMP);
const envelopes = (bars: readonly RawBar[], symbol = "SPY", timeframe = "1d") =>
  bars.map((b, i) => barEnvelope(symbol, b, i, timeframe));
const served = envelopes(spy.slice(1500, 1900));
const signals = (msgs: readonly Envelope<"bar">[]) =>
  runCore(createHmmRegimeCore(card), msgs).map((o) => o[0].msg.data as RegimeSignal);

Deno.test("hmm core: signal contract, redeliveries ignored, truncation invariance", () => {
  const out = assertSignalContract(createHmmRegimeCore(card), served) as RegimeSignal[];
  assert.equal(out[0].model, `hmm:${STAMP.createdAt}`);
  assert.equal(out[0].regime, "unknown");
  // Both regimes occur on 400 unseen bars (2016-01 .. 2017-08 includes the early-2016 selloff).
  const seen = new Set(out.map((s) => s.regime));
  assert.ok(seen.has("trend") && seen.has("range"), [...seen].join(","));
});

Deno.test("hmm core: probabilities are the forward-filtered states mapped through the card", () => {
  const s = signals(served);
  const bars = served.map((m) => m.data);
  const obs = bars.slice(1).map((
    b,
    i,
  ) => [Math.log(b.close / bars[i].close), Math.log(b.high / b.low)]);
  const filtered = hmmFilter(model, obs); // pi is already the stationary distribution
  const trendState = regimeOfState.indexOf("trend");
  assert.ok(trendState >= 0);
  for (let t = 1; t < s.length; t++) {
    const want = filtered[t - 1][trendState];
    assert.ok(
      Math.abs(s[t].probs.trend - want) < 1e-12,
      `bar ${t}: ${s[t].probs.trend} vs ${want}`,
    );
    assert.ok(Math.abs(s[t].probs.trend + s[t].probs.range - 1) < 1e-12);
    assert.equal(s[t].regime, want >= 0.5 ? "trend" : "range");
    assert.ok(Math.abs(s[t].confidence - Math.abs(2 * want - 1)) < 1e-12);
  }
});

Deno.test("hmmRegimeView: maps states to regimes and stays a distribution", () => {
  assert.deepEqual(hmmRegimeView(null, ["trend", "range"]), {
    regime: "unknown",
    probs: { trend: 0.5, range: 0.5 },
    confidence: 0,
  });
  assert.equal(hmmRegimeView([0.2, 0.8], ["range", "trend"]).regime, "trend");
  fc.assert(fc.property(fc.double({ min: 0, max: 1, noNaN: true }), (p) => {
    const v = hmmRegimeView([p, 1 - p], ["trend", "range"]);
    assert.ok(Math.abs(v.probs.trend - p) < 1e-15);
    assert.ok(v.confidence >= 0 && v.confidence <= 1);
  }));
});

Deno.test("hmm core: snapshot/restore (through JSON) mid-stream gives identical later outputs", () => {
  const core = createHmmRegimeCore(card);
  const two = [...served.slice(0, 200), ...envelopes(spy.slice(1600, 1800), "QQQ")];
  const whole = runCore(core, two).flat();
  let state: HmmRegimeState = core.init();
  const out = [];
  for (let i = 0; i < two.length; i++) {
    if (i === 123 || i === 250) {
      state = core.restore!(JSON.parse(JSON.stringify(core.snapshot!(state))));
    }
    const step = core.step(state, two[i], 0);
    state = step.state;
    out.push(...step.out);
  }
  assert.deepEqual(out, whole);
  assert.throws(
    () => core.restore!({ symbols: { SPY: { ...state.symbols.SPY, probabilities: [0.5, 0.6] } } }),
    /symbols\.SPY\.probabilities must be null or 2 probabilities summing to 1/,
  );
});

Deno.test("hmm core: a mismatching card is refused with a message naming the mismatch", () => {
  const edit = (f: (c: ModelCard) => void) => {
    const c = structuredClone(card);
    f(c);
    return c;
  };
  const cases: [ModelCard, RegExp][] = [
    [
      edit((c) => (c.inputs.features = ["log_return"])),
      /features the model was not trained on: 'log_hl_range'/,
    ],
    [
      edit((c) => (c.inputs.features = ["log_hl_range", "log_return"])),
      /feature order differs: position 0 is 'log_hl_range'/,
    ],
    [edit((c) => (c.inputs.window = 5)), /window length: the card needs 5 bars, the agent has 1/],
    [
      edit((c) => (c.outputs = { classes: ["calm", "wild"] })),
      /output classes: the card has 'calm', 'wild'/,
    ],
    [edit((c) => (c.params.regime_of_state = ["trend", "sideways"])), /regime_of_state/],
    [edit((c) => (c.params.A = [[0.5, 0.6], [0.1, 0.9]])), /HMM A\[0\] must sum to 1/],
    [
      edit((c) => (c.params.means = [[0], [1]])),
      /variances\[0\] has 2; every state needs 1|has 1 values/,
    ],
  ];
  for (const [bad, message] of cases) {
    assert.throws(() => createHmmRegimeCore(bad), message);
  }
});

Deno.test("hmm core: bars of another timeframe and bad bars are refused, by name", () => {
  const core = createHmmRegimeCore(card);
  const state = core.init();
  assert.throws(
    () => core.step(state, envelopes(spy.slice(0, 1), "SPY", "5m")[0], 0),
    /timeframe '5m'.*trained on '1d'/,
  );
  const bad = envelopes([{ ...spy[0], close: spy[0].high * 1.5 }])[0];
  assert.throws(() => core.step(state, bad, 0), /close: .* lies outside/);
});
