// The learned trend core on SPY daily: its ONNX probabilities at each bar of the served test
// window equal tf.js on the training pipeline's windows (one code path, exact export), it is
// neutral until K rows are in, outputs at bar t do not change when later bars are appended,
// and it refuses a card that does not describe its inputs.
import assert from "node:assert/strict";
import { createLearnedTrendCore, NEUTRAL } from "../../agents/trend/mod.ts";
import type { AnyEnvelope, DirectionSignal } from "../../shared/messages/mod.ts";
import { SignalSchema } from "../../shared/messages/mod.ts";
import { type ModelCard, ModelCardError } from "../../shared/learn/mod.ts";
import { predictWithTf } from "../../shared/nn/tf_model_io.ts";
import { barMessages, spySeries, trainedOnSpy } from "./train_nn_fixtures.ts";

async function run(card: ModelCard, msgs: AnyEnvelope[]): Promise<DirectionSignal[]> {
  const { model } = await trainedOnSpy("trend");
  const core = createLearnedTrendCore({ model, card });
  let state = core.init();
  const out: DirectionSignal[] = [];
  for (const m of msgs) {
    const step = await core.step(state, m, 0);
    state = step.state;
    for (const o of step.out) {
      assert.equal(o.stream, "signals");
      const s = SignalSchema.parse(o.msg.data);
      assert.equal(s.kind, "direction");
      out.push(s as DirectionSignal);
    }
  }
  return out;
}

Deno.test("learned trend: ONNX probabilities equal tf.js on the training windows (1e-5)", async () => {
  const { ds, result, card } = await trainedOnSpy("trend");
  const spy = await spySeries();
  const signals = await run(card, barMessages(spy));
  assert.equal(signals.length, spy.bars.length);
  const byTime = new Map(signals.map((s) => [s.barTime, s]));
  const tfProbs = predictWithTf(result.model, result.lastTestWindows);
  const [start, end] = result.folds[0].test;
  let maxDiff = 0;
  for (let i = start; i < end; i++) {
    const s = byTime.get(ds.times[i]);
    assert.ok(s, `signal at sample ${i}`);
    const j = i - start;
    const want = [tfProbs[3 * j], tfProbs[3 * j + 1], tfProbs[3 * j + 2]];
    [s.probs.down, s.probs.flat, s.probs.up].forEach((p, c) => {
      maxDiff = Math.max(maxDiff, Math.abs(p - want[c]));
    });
    assert.equal(s.agent, "trend");
    assert.equal(s.model, "onnx:2026-01-02T03:04:05.000Z");
    const max = Math.max(s.probs.down, s.probs.flat, s.probs.up);
    assert.ok(Math.abs(s.confidence - (max - 1 / 3) * 1.5) < 1e-12);
  }
  assert.ok(maxDiff < 1e-5, `max |onnx - tf| = ${maxDiff}`);
});

Deno.test("learned trend: neutral until the first full window, model output from then on", async () => {
  const { ds, card } = await trainedOnSpy("trend");
  const spy = await spySeries();
  const signals = await run(card, barMessages(spy).slice(0, 200));
  const first = signals.findIndex((s) => s.barTime === ds.times[0]);
  assert.ok(first > 20, `first full window at bar ${first}`);
  for (const s of signals.slice(0, first)) {
    assert.deepEqual(s.probs, NEUTRAL.probs);
    assert.equal(s.confidence, 0);
  }
  assert.notDeepEqual(signals[first].probs, NEUTRAL.probs);
});

Deno.test("learned trend: outputs at bar t are unchanged when later bars are appended", async () => {
  const { card } = await trainedOnSpy("trend");
  const msgs = barMessages(await spySeries()).slice(0, 260);
  const full = await run(card, msgs);
  for (const m of [50, 120, 200]) {
    const cut = await run(card, msgs.slice(0, m));
    assert.deepEqual(cut, full.slice(0, m));
  }
});

Deno.test("learned trend: a redelivered bar gives no second signal; a bar of another timeframe is refused", async () => {
  const { card } = await trainedOnSpy("trend");
  const msgs = barMessages(await spySeries()).slice(0, 30);
  const signals = await run(card, [...msgs.slice(0, 10), msgs[9], msgs[5], ...msgs.slice(10)]);
  assert.equal(signals.length, 30);
  const m = msgs[0];
  assert.equal(m.type, "bar");
  const hourly = {
    ...m,
    data: { ...(m.type === "bar" ? m.data : {}), timeframe: "1h" },
  } as AnyEnvelope;
  await assert.rejects(run(card, [hourly]), /timeframe '1h', the model was trained on '1d'/);
  const notABar = { ...m, type: "news" } as unknown as AnyEnvelope;
  await assert.rejects(run(card, [notABar]), /expected a 'bar' message, got 'news'/);
});

Deno.test("learned trend: refuses a card that does not match its features, window or config", async () => {
  const { card, model } = await trainedOnSpy("trend");
  const make = (c: ModelCard) => () => createLearnedTrendCore({ model, card: c });
  const features = [...card.inputs.features];
  [features[0], features[1]] = [features[1], features[0]];
  assert.throws(
    make({ ...card, inputs: { ...card.inputs, features } }),
    /feature order differs: position 0/,
  );
  assert.throws(
    make({
      ...card,
      inputs: { ...card.inputs, features: [...card.inputs.features.slice(0, -1), "obv"] },
    }),
    /missing features the model needs: 'obv'.*not trained on: 'adx'/,
  );
  assert.throws(
    make({ ...card, inputs: { ...card.inputs, window: 30 } }),
    /model takes \[20, 8\].*\[30, 8\]/,
  );
  assert.throws(make({ ...card, agent: "pattern" }), ModelCardError);
  assert.throws(
    make({ ...card, inputs: { ...card.inputs, normalisation: null } }),
    /normalisation/,
  );
  assert.throws(
    make({ ...card, params: { ...card.params, feature_config: {} } }),
    /feature_config/,
  );
  assert.throws(make({ ...card, outputs: { classes: ["up", "flat", "down"] } }), /output classes/);
  const { timeframe: _, ...noTf } = card.params;
  assert.throws(make({ ...card, params: noTf }), /params.timeframe/);
});
