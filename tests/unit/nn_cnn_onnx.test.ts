// CNN path end to end on real data: normalised SPY candles (../shared/data/etf_daily), a
// Conv1D classifier trained with tf.js, exported to ONNX by hand and run in onnxruntime-web;
// outputs must match within 1e-5 on held-out windows, and a time-flipped kernel must not.
import assert from "node:assert/strict";
import {
  buildCnnClassifier,
  candleWindows,
  conv1dPads,
  exportCnnToOnnx,
  OnnxModel,
  predictWithTf,
  tf,
  train,
} from "../../shared/nn/mod.ts";
import { deriveSeed } from "../../shared/nn/seeded_random.ts";
import { maxAbsDiff, readSpyCandles, syntheticWindows, tamperInitializer } from "./nn_fixtures.ts";

const STEPS = 20;
const TOLERANCE = 1e-5;
const FLAT_BAND = 0.002; // |next-day return| below 0.2 % is "flat"

/**
 * Windows of SPY candles ending on each day of [from, to] and the direction of the next
 * day's close-to-close return (the label reaches one bar past the window, never into it).
 */
async function spyWindows(from: string, to: string) {
  const bars = await readSpyCandles();
  const first = bars.findIndex((b) => b.date >= from);
  const last = bars.findLastIndex((b) => b.date <= to);
  assert.ok(first >= STEPS - 1 && last + 1 < bars.length && last > first, "range inside the file");
  const x = candleWindows(bars.slice(first - STEPS + 1, last + 1), STEPS);
  const labels = new Int32Array(x.shape[0]);
  for (let i = 0; i < labels.length; i++) {
    const t = first + i;
    const r = bars[t + 1].close / bars[t].close - 1;
    labels[i] = r < -FLAT_BAND ? 0 : r > FLAT_BAND ? 2 : 1;
  }
  return { x, labels };
}

Deno.test("trained CNN on SPY candles: onnxruntime-web equals tf.js within 1e-5", async () => {
  // Train on window ends in 2015-2016; held-out windows end in 2017 (the last training
  // label, for 2016-12-30, looks at 2017-01-03, the first held-out window's end bar only).
  const trainSet = await spyWindows("2015-01-01", "2016-12-30");
  const held = await spyWindows("2017-01-03", "2017-06-30");
  assert.equal(trainSet.x.shape[0], 504);
  assert.ok(held.x.shape[0] >= 50, `${held.x.shape[0]} held-out windows`);
  const model = buildCnnClassifier({ steps: STEPS, filters: 8, kernelSize: 3, seed: 4 });
  const report = await train(model, trainSet.x, trainSet.labels, {
    epochs: 3,
    batchSize: 32,
    seed: 4,
    learningRate: 0.01,
  });
  console.log(
    `CNN(8, k=3) training on ${report.backend}: ms/epoch ` +
      report.msPerEpoch.map((m) => m.toFixed(0)).join(", ") + ` (504 windows [20, 5], batch 32)`,
  );
  const bytes = exportCnnToOnnx(model);
  const onnxModel = await OnnxModel.load(bytes);
  try {
    assert.deepEqual(onnxModel.sampleDims, [STEPS, 5]);
    const expected = predictWithTf(model, held.x);
    const got = await onnxModel.predictWindows(held.x);
    const diff = maxAbsDiff(expected, got);
    console.log(`CNN max |onnx - tfjs| over ${held.x.shape[0]} SPY windows: ${diff}`);
    assert.ok(diff <= TOLERANCE, `max difference ${diff}`);
    assert.ok(Math.max(...got) - Math.min(...got) > 0.01, "outputs should vary across windows");

    // A wrong export (kernel reversed in time, i.e. convolution instead of correlation)
    // must fail the same comparison.
    const flipTime = (w: Float32Array, dims: number[]) => {
      const [m, c, k] = dims;
      const out = new Float32Array(w.length);
      for (let i = 0; i < m * c; i++) {
        for (let j = 0; j < k; j++) out[i * k + j] = w[i * k + (k - 1 - j)];
      }
      return out;
    };
    const wrongModel = await OnnxModel.load(tamperInitializer(bytes, "conv_W", flipTime));
    try {
      const wrongDiff = maxAbsDiff(expected, await wrongModel.predictWindows(held.x));
      console.log(`CNN with time-flipped kernel: max difference ${wrongDiff}`);
      assert.ok(wrongDiff > TOLERANCE, `flipped kernel went unnoticed (${wrongDiff})`);
    } finally {
      await wrongModel.release();
    }
  } finally {
    await onnxModel.release();
  }
});

Deno.test("CNN variants (Flatten head; same padding, stride 2, even kernel, dilation) export exactly", async () => {
  const init = (i: number) => tf.initializers.randomNormal({ stddev: 0.5, seed: deriveSeed(9, i) });
  type Variant = {
    kernelSize: number;
    padding: "valid" | "same";
    strides?: number;
    dilationRate?: number;
    activation?: "linear";
  };
  const variants: [string, Variant, boolean][] = [
    ["flatten", { kernelSize: 3, padding: "valid" }, true],
    ["same, stride 2, k=4", { kernelSize: 4, strides: 2, padding: "same" }, false],
    ["same, k=3, dilation 2, linear", {
      kernelSize: 3,
      dilationRate: 2,
      padding: "same",
      activation: "linear",
    }, true],
  ];
  const { x } = syntheticWindows(50, 11, 5, 6);
  for (const [name, cfg, flatten] of variants) {
    const model = tf.sequential();
    model.add(tf.layers.conv1d({
      filters: 4,
      inputShape: [11, 5],
      activation: "relu",
      kernelInitializer: init(1),
      biasInitializer: init(2),
      ...cfg,
    }));
    model.add(flatten ? tf.layers.flatten() : tf.layers.globalAveragePooling1d());
    model.add(tf.layers.dense({
      units: 3,
      activation: "softmax",
      kernelInitializer: init(3),
      biasInitializer: init(4),
    }));
    const onnxModel = await OnnxModel.load(exportCnnToOnnx(model));
    try {
      const diff = maxAbsDiff(predictWithTf(model, x), await onnxModel.predictWindows(x));
      assert.ok(diff <= TOLERANCE, `${name}: max difference ${diff}`);
    } finally {
      await onnxModel.release();
    }
  }
});

Deno.test("conv1dPads follows TensorFlow: the odd extra pad goes at the end", () => {
  assert.deepEqual(conv1dPads("valid", 20, 3, 1, 1), { pads: [0, 0], outLength: 18 });
  assert.deepEqual(conv1dPads("valid", 20, 3, 2, 2), { pads: [0, 0], outLength: 8 });
  assert.deepEqual(conv1dPads("same", 20, 4, 2, 1), { pads: [1, 1], outLength: 10 });
  assert.deepEqual(conv1dPads("same", 5, 4, 1, 1), { pads: [1, 2], outLength: 5 });
  assert.deepEqual(conv1dPads("same", 11, 3, 1, 2), { pads: [2, 2], outLength: 11 });
  assert.throws(() => conv1dPads("causal", 5, 2, 1, 1), /padding 'causal' is not supported/);
  assert.throws(() => conv1dPads("valid", 2, 3, 1, 1), /kernel span 3 is longer than the input/);
});

Deno.test("exportCnnToOnnx refuses models it cannot translate, naming the problem", () => {
  const withPool = (pool: tf.layers.Layer, activation = "relu") => {
    const m = tf.sequential();
    m.add(tf.layers.conv1d({
      filters: 2,
      kernelSize: 2,
      inputShape: [6, 5],
      activation: activation as "relu",
    }));
    m.add(pool);
    m.add(tf.layers.dense({ units: 3, activation: "softmax" }));
    return m;
  };
  assert.throws(
    () => exportCnnToOnnx(withPool(tf.layers.globalMaxPooling1d())),
    /expected \[Conv1D, GlobalAveragePooling1D\|Flatten, Dense\]/,
  );
  assert.throws(
    () => exportCnnToOnnx(withPool(tf.layers.flatten(), "tanh")),
    /activation 'tanh' is not supported/,
  );
});
