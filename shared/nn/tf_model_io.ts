// Shape checks between a tf.js model and a window batch, and batched tf.js prediction.
import { tf } from "./tf_runtime.ts";
import type { WindowBatch } from "./window_batch.ts";

/** [steps, features] of a model whose input is [batch, steps, features]. */
export function modelWindowShape(model: tf.LayersModel): [number, number] {
  const shape = model.inputs[0]?.shape;
  if (model.inputs.length !== 1 || !shape || shape.length !== 3) {
    throw new Error(
      `model '${model.name}' must have one input of shape [batch, steps, features] ` +
        `(got ${JSON.stringify(model.inputs.map((i) => i.shape))})`,
    );
  }
  const [, k, f] = shape;
  if (typeof k !== "number" || typeof f !== "number") {
    throw new Error(`model '${model.name}': steps and features must be fixed (got [${shape}])`);
  }
  return [k, f];
}

/** Number of output classes of a model whose output is [batch, classes]. */
export function modelClassCount(model: tf.LayersModel): number {
  const shape = model.outputs[0]?.shape;
  if (model.outputs.length !== 1 || !shape || shape.length !== 2 || typeof shape[1] !== "number") {
    throw new Error(`model '${model.name}' must have one output of shape [batch, classes]`);
  }
  return shape[1];
}

export function checkBatchFitsModel(model: tf.LayersModel, batch: WindowBatch): void {
  const [k, f] = modelWindowShape(model);
  if (batch.shape[1] !== k || batch.shape[2] !== f) {
    throw new Error(
      `model '${model.name}' takes windows of [${k}, ${f}] but the batch holds ` +
        `[${batch.shape[1]}, ${batch.shape[2]}]`,
    );
  }
}

/** model.predict over the batch, as a row-major [windows, classes] Float32Array. */
export function predictWithTf(model: tf.LayersModel, batch: WindowBatch): Float32Array {
  checkBatchFitsModel(model, batch);
  if (batch.shape[0] === 0) return new Float32Array(0);
  return tf.tidy(() => {
    const x = tf.tensor3d(batch.data, [...batch.shape]);
    const out = model.predict(x);
    if (Array.isArray(out)) throw new Error(`model '${model.name}' has several outputs`);
    return out.dataSync() as Float32Array;
  });
}
