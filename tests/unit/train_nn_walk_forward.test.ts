// Walk-forward training of the GRU / CNN on SPY daily: every labelled test sample is scored
// once, baselines cover the same samples, the card holds the last fold's normalisation, and
// a model trained twice with one seed is the same model.
import assert from "node:assert/strict";
import {
  collectOutOfSample,
  directionMetrics,
  DIRECTIONS,
  ModelCardSchema,
} from "../../shared/learn/mod.ts";
import { predictWithTf } from "../../shared/nn/tf_model_io.ts";
import { buildTrendDataset, fitNormalisation } from "../../shared/train/datasets.ts";
import { walkForwardTrain } from "../../shared/train/nn_train.ts";
import { DATASET_OPTIONS, SMALL_TRAINING, spySeries, trainedOnSpy } from "./train_nn_fixtures.ts";

for (const kind of ["trend", "pattern"] as const) {
  Deno.test(`${kind}: out-of-sample predictions cover exactly the labelled test samples`, async () => {
    const { ds, result, card } = await trainedOnSpy(kind);
    assert.equal(result.folds.length, 1);
    const [start, end] = result.folds[0].test;
    const labelled = ds.labels.slice(start, end).filter((l) => l !== null).length;
    assert.equal(result.oos.n, labelled);
    // only the very last bar (horizon 1) has no label; the last fold is cut short at the data's end
    assert.equal(labelled, end - start - SMALL_TRAINING.horizon);
    assert.ok(labelled > 50, `${labelled} labelled test samples`);
    assert.deepEqual(
      result.oosIndices,
      [...Array(end - start).keys()].map((i) => start + i).filter((i) => ds.labels[i] !== null),
    );
    for (const p of result.oosProbs) assert.ok(Math.abs(p.down + p.flat + p.up - 1) < 1e-12);
    // metrics are recomputable from the stored predictions
    const again = directionMetrics({
      probs: result.oosProbs,
      labels: result.oosIndices.map((i) => ds.labels[i]!.direction),
      forwardReturns: result.oosIndices.map((i) => ds.labels[i]!.forwardReturn),
    });
    assert.deepEqual(result.oos, again);
    for (const m of Object.values(result.baselines.metrics)) assert.equal(m.n, labelled);
    // the served fold's training ends `horizon` samples before its test window (purge)
    assert.equal(result.folds[0].test[0] - result.folds[0].train[1], SMALL_TRAINING.horizon);
    assert.ok(result.oos.accuracy! > 0.2 && result.oos.accuracy! < 0.6, `${result.oos.accuracy}`);
    ModelCardSchema.parse(card);
    assert.deepEqual(card.inputs.features, [...ds.featureNames]);
    assert.deepEqual("classes" in card.outputs ? card.outputs.classes : null, [...DIRECTIONS]);
    assert.equal(card.train_windows.length, 1);
    assert.equal(card.train_windows[0].test[0], new Date(ds.times[start]).toISOString());
    assert.deepEqual(card.oos, { ...result.oos });
    assert.deepEqual(Object.keys(card.baselines).sort(), [
      "majority",
      "majority_frequencies",
      "previous_direction",
    ]);
  });
}

Deno.test("trend: the card's normalisation is the served fold's training statistics", async () => {
  const { ds, result, card } = await trainedOnSpy("trend");
  const [a, b] = result.folds[0].train;
  assert.deepEqual(card.inputs.normalisation, fitNormalisation(ds.x, a, b));
  assert.deepEqual(card.params.feature_config, { vwapAnchor: null });
});

Deno.test("pattern: the card has no normalisation (each window scales itself)", async () => {
  const { card } = await trainedOnSpy("pattern");
  assert.equal(card.inputs.normalisation, null);
  assert.deepEqual(card.inputs.features, ["open", "high", "low", "close", "volume"]);
});

Deno.test("trend: the same seed trains the same model; OOS probabilities are the model's", async () => {
  const { result } = await trainedOnSpy("trend");
  const ds = buildTrendDataset([await spySeries()], DATASET_OPTIONS);
  const again = await walkForwardTrain(ds, SMALL_TRAINING);
  try {
    assert.deepEqual(again.oosProbs, result.oosProbs);
    const direct = predictWithTf(again.model, again.lastTestWindows);
    const oos = collectOutOfSample(again.folds, ds.labels, (t) => {
      const i = t - again.folds[0].test[0];
      return { down: direct[3 * i], flat: direct[3 * i + 1], up: direct[3 * i + 2] };
    });
    oos.probs.forEach((p, i) => assert.ok(Math.abs(p.up - again.oosProbs[i].up) < 1e-6));
  } finally {
    again.model.dispose();
  }
});

Deno.test("walkForwardTrain refuses options that would leak or make no fold", async () => {
  const ds = buildTrendDataset([await spySeries()], DATASET_OPTIONS);
  await assert.rejects(
    walkForwardTrain(ds, { ...SMALL_TRAINING, horizon: 5, embargo: 1 }),
    /embargo: must be >= horizon 5/,
  );
  await assert.rejects(walkForwardTrain(ds, { ...SMALL_TRAINING, maxFolds: 0 }), /maxFolds/);
  await assert.rejects(
    walkForwardTrain(ds, { ...SMALL_TRAINING, trainBars: 10_000 }),
    /too short for one fold/,
  );
});
