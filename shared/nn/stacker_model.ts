// The learned meta agent's stacker as a tf.js model: input [batch, 1, features] (one bar of
// the base agents' probabilities) → Flatten → optional Dense(hidden, ReLU) → Dense softmax.
// With no hidden layer it is a multinomial logistic regression. Initialisers are seeded.
import { deriveSeed } from "./seeded_random.ts";
import { tf } from "./tf_runtime.ts";

export interface StackerSpec {
  readonly features: number;
  /** Hidden ReLU units; 0 (default) is logistic regression. */
  readonly hidden?: number;
  /** L2 penalty on the kernels (default 1e-3). */
  readonly l2?: number;
  readonly classes?: number;
  readonly seed: number;
}

export function buildStacker(spec: StackerSpec): tf.Sequential {
  const int = (v: number, what: string, min: number) => {
    if (!Number.isSafeInteger(v) || v < min) {
      throw new Error(`buildStacker: ${what} must be an integer >= ${min} (got ${String(v)})`);
    }
    return v;
  };
  if (!Number.isSafeInteger(spec.seed)) {
    throw new Error(`buildStacker: seed must be a safe integer (got ${String(spec.seed)})`);
  }
  const features = int(spec.features, "features", 1);
  const hidden = int(spec.hidden ?? 0, "hidden", 0);
  const classes = int(spec.classes ?? 3, "classes", 2);
  const l2 = spec.l2 ?? 1e-3;
  if (!(Number.isFinite(l2) && l2 >= 0)) {
    throw new Error(`buildStacker: l2 must be finite and >= 0 (got ${l2})`);
  }
  const reg = () => (l2 > 0 ? tf.regularizers.l2({ l2 }) : undefined);
  const model = tf.sequential({ name: "stacker" });
  model.add(tf.layers.flatten({ inputShape: [1, features] }));
  if (hidden > 0) {
    model.add(tf.layers.dense({
      units: hidden,
      activation: "relu",
      kernelInitializer: tf.initializers.heUniform({ seed: deriveSeed(spec.seed, 1) }),
      biasInitializer: "zeros",
      kernelRegularizer: reg(),
    }));
  }
  model.add(tf.layers.dense({
    units: classes,
    activation: "softmax",
    kernelInitializer: tf.initializers.glorotUniform({ seed: deriveSeed(spec.seed, 2) }),
    biasInitializer: "zeros",
    kernelRegularizer: reg(),
  }));
  return model;
}
