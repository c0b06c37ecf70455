// The learned meta stacker end to end on synthetic data: trained only on the base agents'
// out-of-sample rows with a purged walk-forward, exported to ONNX (equal to tf.js within
// 1e-5), described by a card the meta agent checks against the agents it receives, and
// served by the learned meta core.
import assert from "node:assert/strict";
import { createLearnedMetaCore } from "../../agents/meta/learned_core.ts";
import { checkStackerCard } from "../../agents/meta/stacker_card.ts";
import type { Output } from "../../agents/runtime/core.ts";
import { Prng } from "../../shared/econometrics/prng.ts";
import { applyTemperature } from "../../shared/learn/calibration.ts";
import { type ModelCard, ModelCardError, parseCard } from "../../shared/learn/card.ts";
import type { DirectionProbs } from "../../shared/learn/direction.ts";
import { directionLabels } from "../../shared/learn/labels.ts";
import type { Fold } from "../../shared/learn/walk_forward.ts";
import {
  type AnyEnvelope,
  barId,
  type Decision,
  makeEnvelope,
  messageId,
} from "../../shared/messages/mod.ts";
import { exportDenseToOnnx } from "../../shared/nn/export_dense.ts";
import { OnnxModel } from "../../shared/nn/onnx_model.ts";
import { buildStacker } from "../../shared/nn/stacker_model.ts";
import { predictWithTf } from "../../shared/nn/tf_model_io.ts";
import { train } from "../../shared/nn/tf_training.ts";
import { windowBatch } from "../../shared/nn/window_batch.ts";
import type { Dataset, SeriesBar } from "../../shared/train/datasets.ts";
import { buildMetaCard } from "../../shared/train/meta_card.ts";
import {
  type BaseOutOfSample,
  DEFAULT_STACKER_OPTIONS,
  joinOutOfSample,
  stackerLabelLeaks,
  type StackerOptions,
  type StackerResult,
  trainStacker,
} from "../../shared/train/meta_train.ts";

const DAY = 86_400_000;
const T0 = Date.UTC(2020, 0, 1);
const N = 420;

const rng = new Prng(42);
const bars: SeriesBar[] = [];
let close = 100;
for (let i = 0; i < N; i++) {
  close *= Math.exp(0.01 * rng.nextNormal());
  bars.push({ time: T0 + i * DAY, open: close, high: close, low: close, close, volume: 1 });
}
const series = [{ symbol: "SYN", bars }];
const labels = directionLabels(bars.map((b) => b.close), {
  horizon: 1,
  volWindow: 20,
  deadZone: 0.25,
});

/** A fake base agent: informative (it peeks at the label: this is synthetic data) but noisy. */
function base(agent: "trend" | "pattern", from: number, skill: number): BaseOutOfSample {
  const ds = {
    kind: agent,
    symbols: ["SYN"],
    symbolsPerTime: 1,
    times: bars.map((b) => b.time),
    barTimes: bars.map((b) => b.time),
    labels,
    featureNames: ["x"],
  } as unknown as Dataset;
  const oosIndices: number[] = [];
  const oosProbs: DirectionProbs[] = [];
  for (let i = from; i < N; i++) {
    const l = labels[i];
    if (l === null) continue;
    const noise = () => Math.exp(rng.nextNormal());
    const raw = { down: noise(), flat: noise(), up: noise() };
    raw[l.direction] += skill;
    const s = raw.down + raw.flat + raw.up;
    oosIndices.push(i);
    oosProbs.push({ down: raw.down / s, flat: raw.flat / s, up: raw.up / s });
  }
  return { agent, ds, oosIndices, oosProbs };
}

const bases = [base("trend", 40, 1.5), base("pattern", 70, 0.8)];
const opts: StackerOptions = {
  ...DEFAULT_STACKER_OPTIONS,
  horizon: 1,
  trainBars: 120,
  testBars: 60,
  embargo: 1,
  epochs: 15,
  batchSize: 32,
  learningRate: 0.05,
};

let trained: Promise<StackerResult> | null = null;
const result = () => (trained ??= trainStacker(joinOutOfSample(bases), series, opts));

function cardOf(r: StackerResult): ModelCard {
  return buildMetaCard({
    result: r,
    opts,
    timeframe: "1d",
    dataSha256: "0".repeat(64),
    createdAt: "2024-01-01T00:00:00.000Z",
    codeVersion: "test",
    baseCards: { trend: "2024-01-01T00:00:00.000Z", pattern: "2024-01-01T00:00:00.000Z" },
    leak: null,
  });
}

Deno.test("meta stacker: rows are the bars both base agents predicted out of sample", () => {
  const rows = joinOutOfSample(bases);
  assert.deepEqual(rows.agents, ["trend", "pattern"]);
  assert.deepEqual(rows.features.slice(0, 3), ["trend.p_down", "trend.p_flat", "trend.p_up"]);
  const patternTimes = new Set(bases[1].oosIndices.map((i) => bars[i].time));
  const trendTimes = new Set(bases[0].oosIndices.map((i) => bars[i].time));
  assert.equal(rows.times[0], bars[70].time);
  for (const t of rows.times) assert.ok(patternTimes.has(t) && trendTimes.has(t));
  assert.equal(rows.times.length, [...patternTimes].filter((t) => trendTimes.has(t)).length);
  const j = bases[0].oosIndices.indexOf(100);
  const k = rows.times.indexOf(bars[100].time);
  assert.deepEqual(rows.probs[k].trend, bases[0].oosProbs[j]);
});

Deno.test("meta stacker: no training label's horizon reaches its fold's test window", async () => {
  const r = await result();
  assert.ok(r.timeFolds.length >= 3);
  assert.deepEqual(stackerLabelLeaks(r.timeFolds, r.rows.times, series, 1), []);
  for (const f of r.timeFolds) assert.ok(f.train[1] + 1 <= f.test[0]);
  // the check itself catches a fold without a purge, and a longer horizon than purged
  const f = r.timeFolds[1];
  const unpurged: Fold = { ...f, train: [f.train[0], f.test[0]] };
  assert.equal(stackerLabelLeaks([unpurged], r.rows.times, series, 1).length, 1);
  assert.ok(stackerLabelLeaks(r.timeFolds, r.rows.times, series, 2).length > 0);
});

Deno.test("meta stacker: learns from informative base agents, beside honest baselines", async () => {
  const r = await result();
  const n = r.oos.n;
  assert.equal(n, r.baselines.metrics.majority.n);
  assert.ok(r.oos.accuracy! > r.baselines.metrics.majority.accuracy! + 0.1, JSON.stringify(r.oos));
  assert.ok(r.oos.accuracy! > r.comparison.pattern.accuracy!);
  assert.ok(r.oos.ece !== null && r.oos.ece >= 0 && r.oos.ece <= 1);
  assert.equal(r.foldTemperatures[0], 1); // the first fold has no earlier OOS to fit T on
  assert.ok(r.temperature > 0);
  for (const k of ["trend", "pattern", "average", "weighted"]) assert.equal(r.comparison[k].n, n);
});

Deno.test("meta stacker: the ONNX model equals tf.js within 1e-5 on held-out rows", async () => {
  const r = await result();
  const tfProbs = predictWithTf(r.model, r.lastTest);
  for (const temperature of [1, r.temperature, 2.5]) {
    const model = await OnnxModel.load(exportDenseToOnnx(r.model, { temperature }));
    const onnx = await model.predictWindows(r.lastTest);
    assert.equal(onnx.length, tfProbs.length);
    for (let i = 0; i < tfProbs.length; i += 3) {
      const p = { down: tfProbs[i], flat: tfProbs[i + 1], up: tfProbs[i + 2] };
      const want = applyTemperature(p, temperature);
      const got = [onnx[i], onnx[i + 1], onnx[i + 2]];
      [want.down, want.flat, want.up].forEach((w, c) =>
        assert.ok(Math.abs(got[c] - w) <= 1e-5, `row ${i / 3} class ${c}: ${got[c]} vs ${w}`)
      );
    }
    await model.release();
  }
});

Deno.test("meta stacker: a small MLP stacker exports equal to tf.js within 1e-5", async () => {
  const model = buildStacker({ features: 6, hidden: 4, seed: 5 });
  const rows = 40;
  const data = new Float32Array(rows * 6).map(() => rng.nextNormal());
  const x = windowBatch(data, [rows, 1, 6]);
  await train(model, x, Array.from({ length: rows }, (_, i) => i % 3), {
    epochs: 3,
    batchSize: 8,
    seed: 1,
    learningRate: 0.05,
  });
  const onnx = await OnnxModel.load(exportDenseToOnnx(model));
  const got = await onnx.predictWindows(x);
  const want = predictWithTf(model, x);
  for (let i = 0; i < want.length; i++) assert.ok(Math.abs(got[i] - want[i]) <= 1e-5);
  await onnx.release();
  model.dispose();
});

Deno.test("meta card: valid, and refused when the stacker's inputs are not the agents meta gets", async () => {
  const card = cardOf(await result());
  const contract = checkStackerCard(card, ["trend", "volatility", "regime", "pattern"]);
  assert.deepEqual(contract.baseAgents, ["trend", "pattern"]);
  assert.equal(contract.horizon, 1);
  assert.throws(
    () => checkStackerCard(card, ["trend", "volatility", "regime"]),
    (e) =>
      e instanceof ModelCardError && /reads pattern, which meta does not receive/.test(e.message),
  );
  assert.throws(
    () => checkStackerCard(card, ["trend", "pattern", "sentiment"]),
    /direction signals from sentiment, which the stacker was not trained on/,
  );
  const swapped = parseCard({
    ...card,
    inputs: { ...card.inputs, features: [...card.inputs.features].reverse() },
  });
  assert.throws(() => checkStackerCard(swapped, ["trend", "pattern"]), /feature order differs/);
  const wide = parseCard({ ...card, inputs: { ...card.inputs, window: 2 } });
  assert.throws(() => checkStackerCard(wide, ["trend", "pattern"]), /window length/);
  const noBase = parseCard({ ...card, params: { ...card.params, base_agents: ["volatility"] } });
  assert.throws(() => checkStackerCard(noBase, ["trend", "pattern"]), /not a direction agent/);
});

// --- the learned meta core ---------------------------------------------------------------

function barEnv(time: number, c: number): AnyEnvelope {
  return makeEnvelope("bar", {
    id: messageId("feed", "bar", `SYN:${time}`),
    producer: "feed",
    time,
    corr: barId("SYN", time),
  }, {
    symbol: "SYN",
    timeframe: "1d",
    time,
    open: c,
    high: c,
    low: c,
    close: c,
    volume: 1,
    seq: 0,
  });
}

function dirEnv(agent: "trend" | "pattern", time: number, probs: DirectionProbs): AnyEnvelope {
  return makeEnvelope("signal", {
    id: messageId(agent, "signal", `SYN:${time}`),
    producer: agent,
    time,
    corr: barId("SYN", time),
  }, {
    kind: "direction",
    agent,
    symbol: "SYN",
    barTime: time,
    probs,
    confidence: Math.max(probs.down, probs.flat, probs.up) - 1 / 3,
    latencyMs: 0,
    model: "m",
  });
}

function messagesFor(count: number): AnyEnvelope[] {
  const out: AnyEnvelope[] = [];
  for (let i = 0; i < count; i++) {
    const b = 200 + i;
    out.push(
      barEnv(bars[b].time, bars[b].close),
      dirEnv("trend", bars[b].time, bases[0].oosProbs[bases[0].oosIndices.indexOf(b)]),
      dirEnv("pattern", bars[b].time, bases[1].oosProbs[bases[1].oosIndices.indexOf(b)]),
    );
  }
  return out;
}

async function runLearned(model: OnnxModel, card: ModelCard, msgs: AnyEnvelope[]) {
  const core = createLearnedMetaCore({
    model,
    card,
    options: { expected: ["trend", "pattern"], deadlineMs: 1000 },
  });
  let state = core.init();
  const out: Output[] = [];
  for (const m of msgs) {
    const step = await core.step(state, m, 0);
    state = step.state;
    out.push(...step.out);
  }
  return { out, state, core };
}

Deno.test("learned meta core: decides on the stacker's calibrated probabilities", async () => {
  const r = await result();
  const card = cardOf(r);
  const bytes = exportDenseToOnnx(r.model, { temperature: r.temperature });
  const model = await OnnxModel.load(bytes);
  const { out } = await runLearned(model, card, messagesFor(3));
  assert.equal(out.length, 3);
  const d = out[1].msg.data as Decision;
  assert.match(d.reason, /learned stacker/);
  // the same row through the model directly
  const b = 201;
  const row = [
    ...Object.values(bases[0].oosProbs[bases[0].oosIndices.indexOf(b)]),
    ...Object.values(bases[1].oosProbs[bases[1].oosIndices.indexOf(b)]),
  ].map((x, i) => (x - r.normalisation.mean[i]) / r.normalisation.std[i]);
  const direct = await model.predict(Float32Array.from(row), [1, 1, 6]);
  const s = direct[0] + direct[1] + direct[2];
  assert.ok(Math.abs(d.probs.down - direct[0] / s) < 1e-9);
  assert.ok(Math.abs(d.probs.up - direct[2] / s) < 1e-9);
  assert.equal(d.confidence, Math.abs(d.probs.up - d.probs.down));
  assert.deepEqual(d.votes.map((v) => v.agent), ["pattern", "trend"]);
  await model.release();
});

Deno.test("learned meta core: truncation invariant; a bar missing a base agent falls back", async () => {
  const r = await result();
  const card = cardOf(r);
  const model = await OnnxModel.load(exportDenseToOnnx(r.model, { temperature: r.temperature }));
  const full = (await runLearned(model, card, messagesFor(12))).out;
  const short = (await runLearned(model, card, messagesFor(5))).out;
  assert.deepEqual(full.slice(0, 5), short);
  // pattern silent on a bar: decided at the deadline by the weighted vote, saying so
  const msgs = messagesFor(2).filter((m) =>
    !(m.type === "signal" && m.data.agent === "pattern" && m.data.barTime === bars[201].time)
  );
  const { out, state, core } = await runLearned(model, card, msgs);
  assert.equal(out.length, 1);
  const tick = core.tick!(state, 5000);
  const d = tick.out[0].msg.data as Decision;
  assert.deepEqual(d.missing, ["pattern"]);
  assert.match(d.reason, /weighted vote/);
  // a model whose input width is not the card's is refused
  const other = await OnnxModel.load(
    exportDenseToOnnx(buildStacker({ features: 3, seed: 1 })),
  );
  await assert.rejects(
    async () => await runLearned(other, card, []),
    /the model takes \[1, 3\] per sample but the card describes \[1, 6\]/,
  );
  await other.release();
  await model.release();
  r.model.dispose();
});
