// The two small tf.js classifiers of issue 3: a GRU over a window of features and a 1-D CNN
// over a window of normalised candles, both ending in a 3-class softmax (down/flat/up).
// Every initialiser is seeded, so the same spec builds the same weights.
import { deriveSeed } from "./seeded_random.ts";
import { tf } from "./tf_runtime.ts";

/** Output order of the softmax. */
export const DIRECTION_CLASSES = ["down", "flat", "up"] as const;

export interface GruClassifierSpec {
  /** Window length K (time steps). */
  readonly steps: number;
  /** Features per step F. */
  readonly features: number;
  /** GRU units (default 16). */
  readonly units?: number;
  /** Output classes (default 3). */
  readonly classes?: number;
  readonly seed: number;
}

export interface CnnClassifierSpec {
  readonly steps: number;
  /** Channels per step (default 5: open, high, low, close, volume). */
  readonly channels?: number;
  /** Conv1D filters (default 8). */
  readonly filters?: number;
  /** Conv1D kernel size (default 3). */
  readonly kernelSize?: number;
  /** "average" = GlobalAveragePooling1D (default), "flatten" = Flatten before the Dense. */
  readonly pooling?: "average" | "flatten";
  readonly classes?: number;
  readonly seed: number;
}

function positiveInt(value: number, what: string): number {
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new Error(`${what} must be a positive integer (got ${String(value)})`);
  }
  return value;
}

function checkSeed(seed: number, who: string): void {
  if (!Number.isSafeInteger(seed)) {
    throw new Error(`${who}: seed must be a safe integer (got ${String(seed)})`);
  }
}

/** GRU(units; tanh, sigmoid gates; reset_after=false as tf.js requires) → Dense softmax. */
export function buildGruClassifier(spec: GruClassifierSpec): tf.Sequential {
  checkSeed(spec.seed, "buildGruClassifier");
  const steps = positiveInt(spec.steps, "buildGruClassifier: steps");
  const features = positiveInt(spec.features, "buildGruClassifier: features");
  const units = positiveInt(spec.units ?? 16, "buildGruClassifier: units");
  const classes = positiveInt(spec.classes ?? 3, "buildGruClassifier: classes");
  const model = tf.sequential();
  model.add(tf.layers.gru({
    units,
    inputShape: [steps, features],
    activation: "tanh",
    // tf.js defaults to hardSigmoid; sigmoid is the Keras 2 / ONNX default.
    recurrentActivation: "sigmoid",
    kernelInitializer: tf.initializers.glorotUniform({ seed: deriveSeed(spec.seed, 1) }),
    recurrentInitializer: tf.initializers.orthogonal({ seed: deriveSeed(spec.seed, 2) }),
    biasInitializer: "zeros",
  }));
  model.add(tf.layers.dense({
    units: classes,
    activation: "softmax",
    kernelInitializer: tf.initializers.glorotUniform({ seed: deriveSeed(spec.seed, 3) }),
    biasInitializer: "zeros",
  }));
  return model;
}

/** Conv1D(filters, kernel, ReLU, valid padding) → pooling → Dense softmax. */
export function buildCnnClassifier(spec: CnnClassifierSpec): tf.Sequential {
  checkSeed(spec.seed, "buildCnnClassifier");
  const steps = positiveInt(spec.steps, "buildCnnClassifier: steps");
  const channels = positiveInt(spec.channels ?? 5, "buildCnnClassifier: channels");
  const filters = positiveInt(spec.filters ?? 8, "buildCnnClassifier: filters");
  const kernelSize = positiveInt(spec.kernelSize ?? 3, "buildCnnClassifier: kernelSize");
  const classes = positiveInt(spec.classes ?? 3, "buildCnnClassifier: classes");
  const pooling = spec.pooling ?? "average";
  if (pooling !== "average" && pooling !== "flatten") {
    throw new Error(
      `buildCnnClassifier: pooling must be "average" or "flatten" (got ${String(pooling)})`,
    );
  }
  if (kernelSize > steps) {
    throw new Error(`buildCnnClassifier: kernelSize ${kernelSize} exceeds steps ${steps}`);
  }
  const model = tf.sequential();
  model.add(tf.layers.conv1d({
    filters,
    kernelSize,
    inputShape: [steps, channels],
    activation: "relu",
    padding: "valid",
    kernelInitializer: tf.initializers.heUniform({ seed: deriveSeed(spec.seed, 1) }),
    biasInitializer: "zeros",
  }));
  model.add(pooling === "average" ? tf.layers.globalAveragePooling1d() : tf.layers.flatten());
  model.add(tf.layers.dense({
    units: classes,
    activation: "softmax",
    kernelInitializer: tf.initializers.glorotUniform({ seed: deriveSeed(spec.seed, 2) }),
    biasInitializer: "zeros",
  }));
  return model;
}
