// GRU path end to end: train with tf.js, export to ONNX by hand, run in onnxruntime-web and
// require the same probabilities within 1e-5 on held-out windows; a wrong gate order must
// be caught by the same comparison.
import assert from "node:assert/strict";
import {
  buildGruClassifier,
  exportGruToOnnx,
  OnnxModel,
  predictWithTf,
  sliceWindows,
  tf,
  train,
} from "../../shared/nn/mod.ts";
import { deriveSeed } from "../../shared/nn/seeded_random.ts";
import { maxAbsDiff, syntheticWindows, tamperInitializer } from "./nn_fixtures.ts";

const STEPS = 20;
const FEATURES = 4;
const UNITS = 16;
const TOLERANCE = 1e-5;

async function trainedGru() {
  const { x, labels } = syntheticWindows(460, STEPS, FEATURES, 21);
  const model = buildGruClassifier({ steps: STEPS, features: FEATURES, units: UNITS, seed: 8 });
  const report = await train(model, sliceWindows(x, 0, 400), labels.slice(0, 400), {
    epochs: 3,
    batchSize: 32,
    seed: 8,
    learningRate: 0.01,
  });
  return { model, report, heldOut: sliceWindows(x, 400, 460) };
}

Deno.test("trained GRU: onnxruntime-web equals tf.js within 1e-5 on 60 held-out windows", async () => {
  const { model, report, heldOut } = await trainedGru();
  console.log(
    `GRU(${UNITS}) training on ${report.backend}: ms/epoch ` +
      report.msPerEpoch.map((m) => m.toFixed(0)).join(", ") + ` (400 windows [20, 4], batch 32)`,
  );
  const bytes = exportGruToOnnx(model, { metadata: { agent: "trend" } });
  const onnxModel = await OnnxModel.load(bytes);
  try {
    assert.deepEqual(onnxModel.sampleDims, [STEPS, FEATURES]);
    assert.equal(onnxModel.metadata["nn.architecture"], "gru");
    assert.equal(onnxModel.metadata.agent, "trend");
    const expected = predictWithTf(model, heldOut);
    const got = await onnxModel.predictWindows(heldOut);
    assert.equal(got.length, 60 * 3);
    const diff = maxAbsDiff(expected, got);
    console.log(`GRU max |onnx - tfjs| over 60 windows: ${diff}`);
    assert.ok(diff <= TOLERANCE, `max difference ${diff}`);
    // The comparison is not vacuous: outputs are proper, non-uniform distributions.
    for (let i = 0; i < 60; i++) {
      const row = got.subarray(i * 3, i * 3 + 3);
      assert.ok(Math.abs(row[0] + row[1] + row[2] - 1) < 1e-5);
    }
    assert.ok(Math.max(...got) - Math.min(...got) > 0.1, "outputs should vary across windows");

    // A wrong export (z and r gate blocks swapped in W, R and B) must fail the comparison.
    const swapZr = (values: Float32Array, dims: number[]) => {
      const out = Float32Array.from(values);
      const rows = dims.length === 3 ? dims[2] : 1; // W, R: [1, 3U, cols]; B: [1, 6U]
      const block = UNITS * rows;
      out.set(values.subarray(block, 2 * block), 0);
      out.set(values.subarray(0, block), block);
      return out;
    };
    let wrong = bytes;
    for (const name of ["gru_W", "gru_R", "gru_B"]) wrong = tamperInitializer(wrong, name, swapZr);
    const wrongModel = await OnnxModel.load(wrong);
    try {
      const wrongDiff = maxAbsDiff(expected, await wrongModel.predictWindows(heldOut));
      console.log(`GRU with swapped z/r gates: max difference ${wrongDiff}`);
      assert.ok(wrongDiff > TOLERANCE, `swapped gates went unnoticed (${wrongDiff})`);
    } finally {
      await wrongModel.release();
    }
  } finally {
    await onnxModel.release();
  }
});

Deno.test("GRU with hardSigmoid gates and non-zero biases exports exactly too", async () => {
  const seed = 31;
  const init = (i: number) =>
    tf.initializers.randomNormal({ stddev: 0.5, seed: deriveSeed(seed, i) });
  const model = tf.sequential();
  model.add(tf.layers.gru({
    units: 6,
    inputShape: [9, 3],
    recurrentActivation: "hardSigmoid",
    kernelInitializer: init(1),
    recurrentInitializer: init(2),
    biasInitializer: init(3),
  }));
  model.add(tf.layers.dense({
    units: 3,
    activation: "softmax",
    kernelInitializer: init(4),
    biasInitializer: init(5),
  }));
  const { x } = syntheticWindows(50, 9, 3, 2);
  const onnxModel = await OnnxModel.load(exportGruToOnnx(model));
  try {
    const diff = maxAbsDiff(predictWithTf(model, x), await onnxModel.predictWindows(x));
    assert.ok(diff <= TOLERANCE, `max difference ${diff}`);
  } finally {
    await onnxModel.release();
  }
});

Deno.test("exportGruToOnnx refuses models it cannot translate, naming the problem", () => {
  const gru = (cfg: Record<string, unknown>) => {
    const m = tf.sequential();
    m.add(tf.layers.gru({ units: 4, inputShape: [5, 2], ...cfg }));
    m.add(tf.layers.dense({ units: 3, activation: "softmax" }));
    return m;
  };
  assert.throws(() => exportGruToOnnx(gru({ goBackwards: true })), /goBackwards=true/);
  assert.throws(
    () => exportGruToOnnx(gru({ activation: "relu" })),
    /activations \(hardSigmoid, relu\)/,
  );
  const lstm = tf.sequential();
  lstm.add(tf.layers.lstm({ units: 4, inputShape: [5, 2] }));
  lstm.add(tf.layers.dense({ units: 3, activation: "softmax" }));
  assert.throws(() => exportGruToOnnx(lstm), /has layers \[LSTM, Dense\]; expected \[GRU, Dense\]/);
  const linear = tf.sequential();
  linear.add(tf.layers.gru({ units: 4, inputShape: [5, 2] }));
  linear.add(tf.layers.dense({ units: 3 }));
  assert.throws(() => exportGruToOnnx(linear), /must end in softmax \(activation is linear\)/);
  const model = buildGruClassifier({ steps: 5, features: 2, units: 4, seed: 1 });
  assert.throws(
    () => exportGruToOnnx(model, { metadata: { "nn.classes": "9" } }),
    /metadata key 'nn.classes' is reserved/,
  );
});
