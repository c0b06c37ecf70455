// The pattern core on SPY daily: ONNX probabilities equal tf.js on the training windows, it
// is neutral for the first K−1 bars, truncation-invariant, restartable from its snapshot, and
// it refuses a card that does not describe its candle window.
import assert from "node:assert/strict";
import { createPatternCore } from "../../agents/pattern/mod.ts";
import { NEUTRAL } from "../../agents/trend/mod.ts";
import type { AnyEnvelope, DirectionSignal } from "../../shared/messages/mod.ts";
import { SignalSchema } from "../../shared/messages/mod.ts";
import type { ModelCard } from "../../shared/learn/mod.ts";
import { predictWithTf } from "../../shared/nn/tf_model_io.ts";
import { barMessages, spySeries, trainedOnSpy } from "./train_nn_fixtures.ts";

async function run(
  card: ModelCard,
  msgs: AnyEnvelope[],
  restartAt?: number,
): Promise<DirectionSignal[]> {
  const { model } = await trainedOnSpy("pattern");
  const core = createPatternCore({ model, card });
  let state = core.init();
  const out: DirectionSignal[] = [];
  for (const [i, m] of msgs.entries()) {
    if (i === restartAt) {
      state = core.restore!(JSON.parse(JSON.stringify(core.snapshot!(state))));
    }
    const step = await core.step(state, m, 0);
    state = step.state;
    for (const o of step.out) out.push(SignalSchema.parse(o.msg.data) as DirectionSignal);
  }
  return out;
}

Deno.test("pattern core: ONNX probabilities equal tf.js on the training windows (1e-5)", async () => {
  const { ds, result, card } = await trainedOnSpy("pattern");
  const spy = await spySeries();
  const signals = await run(card, barMessages(spy));
  const byTime = new Map(signals.map((s) => [s.barTime, s]));
  const tfProbs = predictWithTf(result.model, result.lastTestWindows);
  const [start, end] = result.folds[0].test;
  let maxDiff = 0;
  for (let i = start; i < end; i++) {
    const s = byTime.get(ds.times[i])!;
    assert.equal(s.agent, "pattern");
    const j = i - start;
    maxDiff = Math.max(
      maxDiff,
      Math.abs(s.probs.down - tfProbs[3 * j]),
      Math.abs(s.probs.flat - tfProbs[3 * j + 1]),
      Math.abs(s.probs.up - tfProbs[3 * j + 2]),
    );
  }
  assert.ok(maxDiff < 1e-5, `max |onnx - tf| = ${maxDiff}`);
});

Deno.test("pattern core: neutral for the first K−1 bars, then the model's output", async () => {
  const { card } = await trainedOnSpy("pattern");
  const signals = await run(card, barMessages(await spySeries()).slice(0, 40));
  const k = card.inputs.window;
  for (const s of signals.slice(0, k - 1)) {
    assert.deepEqual(s.probs, NEUTRAL.probs);
    assert.equal(s.confidence, 0);
  }
  assert.notDeepEqual(signals[k - 1].probs, NEUTRAL.probs);
  assert.ok(signals[k - 1].confidence > 0);
});

Deno.test("pattern core: truncation-invariant and unchanged across a snapshot/restore", async () => {
  const { card } = await trainedOnSpy("pattern");
  const msgs = barMessages(await spySeries()).slice(0, 120);
  const full = await run(card, msgs);
  for (const m of [10, 25, 90]) {
    assert.deepEqual(await run(card, msgs.slice(0, m)), full.slice(0, m));
  }
  assert.deepEqual(await run(card, msgs, 60), full);
  assert.deepEqual(await run(card, msgs, 5), full);
});

Deno.test("pattern core: refuses mismatching cards, bad snapshots and foreign timeframes", async () => {
  const { card, model } = await trainedOnSpy("pattern");
  const make = (c: ModelCard) => () => createPatternCore({ model, card: c });
  assert.throws(make({ ...card, agent: "trend" }), /the card is for agent 'trend', not 'pattern'/);
  assert.throws(make({ ...card, inputs: { ...card.inputs, window: 10 } }), /\[20, 5\].*\[10, 5\]/);
  assert.throws(
    make({
      ...card,
      inputs: { ...card.inputs, features: ["open", "high", "low", "close", "vol"] },
    }),
    /missing features the model needs: 'vol'/,
  );
  const core = createPatternCore({ model, card });
  assert.throws(() => core.restore!({ SPY: { lastTime: 1, candles: "x" } }), /'SPY' is not/);
  assert.throws(
    () =>
      core.restore!({
        SPY: { lastTime: 1, candles: [{ open: 1, high: 1, low: 1, close: 0, volume: 0 }] },
      }),
    /close must be a positive/,
  );
  const [m] = barMessages(await spySeries());
  const weekly = { ...m, data: { ...m.data, timeframe: "1w" } } as AnyEnvelope;
  await assert.rejects(run(card, [weekly]), /timeframe '1w'/);
});
