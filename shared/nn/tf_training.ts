// Reproducible training of a tf.js classifier: Adam on sparse categorical cross-entropy,
// batches in an order fixed by the seed (tf.js's own shuffle uses Math.random, so it stays
// off and each epoch is fed a seeded permutation instead).
import { deriveSeed, seededPermutation } from "./seeded_random.ts";
import { checkBatchFitsModel, modelClassCount } from "./tf_model_io.ts";
import { tf, TF_BACKENDS, type TfBackendName, useTfBackend } from "./tf_runtime.ts";
import { gatherWindows, type WindowBatch } from "./window_batch.ts";

export interface TrainOptions {
  readonly epochs: number;
  readonly batchSize: number;
  readonly seed: number;
  readonly learningRate: number;
  /** Default: trainingBackendFor(model). */
  readonly backend?: TfBackendName;
}

export interface TrainReport {
  readonly backend: TfBackendName;
  /** Mean training loss of each epoch. */
  readonly lossPerEpoch: readonly number[];
  /** Wall time of each epoch in milliseconds. */
  readonly msPerEpoch: readonly number[];
}

const CONV_LAYERS = new Set(["Conv1D", "Conv2D", "Conv2DTranspose", "SeparableConv2D"]);

function hasConvolution(model: tf.LayersModel): boolean {
  return model.layers.some((l) => CONV_LAYERS.has(l.getClassName()));
}

/**
 * "wasm" (fastest measured) unless the model convolves: tfjs-backend-wasm 4.22.0 has no
 * Conv2DBackpropFilter kernel, so convolutional models train on "cpu".
 */
export function trainingBackendFor(model: tf.LayersModel): TfBackendName {
  return hasConvolution(model) ? "cpu" : "wasm";
}

function checkOptions(o: TrainOptions): void {
  const int = (v: number, name: string) => {
    if (!Number.isSafeInteger(v) || v <= 0) {
      throw new Error(`train: ${name} must be a positive integer (got ${String(v)})`);
    }
  };
  int(o.epochs, "epochs");
  int(o.batchSize, "batchSize");
  if (!Number.isSafeInteger(o.seed)) {
    throw new Error(`train: seed must be a safe integer (got ${String(o.seed)})`);
  }
  if (typeof o.learningRate !== "number" || !(o.learningRate > 0) || o.learningRate > 10) {
    throw new Error(`train: learningRate must be in (0, 10] (got ${String(o.learningRate)})`);
  }
  if (o.backend !== undefined && !TF_BACKENDS.includes(o.backend)) {
    throw new Error(
      `train: backend must be one of ${TF_BACKENDS.join(", ")} (got ${String(o.backend)})`,
    );
  }
}

function checkLabels(labels: ArrayLike<number>, n: number, classes: number): Float32Array {
  if (labels.length !== n) {
    throw new Error(`train: ${labels.length} labels for ${n} windows`);
  }
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const c = labels[i];
    if (!Number.isInteger(c) || c < 0 || c >= classes) {
      throw new Error(
        `train: label ${i} is ${String(c)}, expected an integer in 0..${classes - 1}`,
      );
    }
    out[i] = c;
  }
  return out;
}

/** Compiles the model afresh (new Adam state) and trains it; weights change in place. */
export async function train(
  model: tf.LayersModel,
  x: WindowBatch,
  labels: ArrayLike<number>,
  opts: TrainOptions,
): Promise<TrainReport> {
  checkOptions(opts);
  checkBatchFitsModel(model, x);
  const n = x.shape[0];
  if (n === 0) throw new Error("train: no windows to train on");
  const y = checkLabels(labels, n, modelClassCount(model));
  const backend = opts.backend ?? trainingBackendFor(model);
  if (backend === "wasm" && hasConvolution(model)) {
    throw new Error(
      `train: model '${model.name}' has a convolution layer, which tfjs-backend-wasm 4.22.0 ` +
        `cannot train (no Conv2DBackpropFilter kernel); use backend "cpu"`,
    );
  }
  await useTfBackend(backend);
  model.compile({
    optimizer: tf.train.adam(opts.learningRate),
    loss: "sparseCategoricalCrossentropy",
  });
  const lossPerEpoch: number[] = [];
  const msPerEpoch: number[] = [];
  for (let epoch = 0; epoch < opts.epochs; epoch++) {
    const order = seededPermutation(n, deriveSeed(opts.seed, epoch));
    const xs = gatherWindows(x, order);
    const ys = new Float32Array(n);
    for (let i = 0; i < n; i++) ys[i] = y[order[i]];
    const xt = tf.tensor3d(xs.data, [...xs.shape]);
    const yt = tf.tensor1d(ys);
    const t0 = performance.now();
    try {
      const h = await model.fit(xt, yt, {
        epochs: 1,
        batchSize: opts.batchSize,
        shuffle: false,
        verbose: 0,
      });
      const loss = Number(h.history.loss[0]);
      if (!Number.isFinite(loss)) {
        throw new Error(`train: loss became ${loss} in epoch ${epoch}; lower the learning rate`);
      }
      lossPerEpoch.push(loss);
    } finally {
      msPerEpoch.push(performance.now() - t0);
      xt.dispose();
      yt.dispose();
    }
  }
  return { backend, lossPerEpoch, msPerEpoch };
}
