// Pieces shared by the ONNX exporters: reading a tf.js layer's weights, the inference-time
// layer list, and the Dense → Softmax head.
import { type Attribute, floatTensor, node } from "./onnx_builder.ts";
import type { tf } from "./tf_runtime.ts";
import type onnxProto from "onnx-proto";

type Layer = tf.layers.Layer;
type NodeProto = onnxProto.onnx.INodeProto;
type TensorProto = onnxProto.onnx.ITensorProto;

/** Name and [batch, steps, features] layout of every exported graph's input. */
export const ONNX_INPUT_NAME = "input";
/** Name of every exported graph's output: softmax probabilities [batch, classes]. */
export const ONNX_OUTPUT_NAME = "probabilities";
export const BATCH_DIM = "batch";

export interface WeightArray {
  readonly values: Float32Array;
  readonly shape: readonly number[];
}

/** A layer's weights, checked against the expected shapes (in tf.js weight order). */
export function layerWeights(
  layer: Layer,
  expected: readonly (readonly number[])[],
): WeightArray[] {
  const ws = layer.getWeights();
  const got = ws.map((w) => w.shape);
  const same = got.length === expected.length &&
    got.every((s, i) => s.length === expected[i].length && s.every((d, j) => d === expected[i][j]));
  if (!same) {
    throw new Error(
      `layer '${layer.name}': weights have shapes ${JSON.stringify(got)}, expected ${
        JSON.stringify(expected)
      }`,
    );
  }
  // getWeights returns the variables' own tensors: read them, never dispose them.
  return ws.map((w) => ({
    values: Float32Array.from(w.dataSync() as Float32Array),
    shape: w.shape,
  }));
}

/** [rows, cols] row-major → [cols, rows] row-major. */
export function transpose2d(values: Float32Array, rows: number, cols: number): Float32Array {
  if (values.length !== rows * cols) {
    throw new Error(`transpose2d: ${values.length} values is not ${rows}×${cols}`);
  }
  const out = new Float32Array(values.length);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) out[c * rows + r] = values[r * cols + c];
  }
  return out;
}

/** The model's layers that compute something at inference (no InputLayer, no Dropout). */
export function inferenceLayers(model: tf.LayersModel): Layer[] {
  return model.layers.filter((l) => !["InputLayer", "Dropout"].includes(l.getClassName()));
}

export function expectLayers(
  model: tf.LayersModel,
  who: string,
  allowed: readonly string[][],
): Layer[] {
  const layers = inferenceLayers(model);
  const names = layers.map((l) => l.getClassName());
  const ok = names.length === allowed.length && names.every((n, i) => allowed[i].includes(n));
  if (!ok) {
    throw new Error(
      `${who}: model '${model.name}' has layers [${names.join(", ")}]; expected [${
        allowed.map((a) => a.join("|")).join(", ")
      }]`,
    );
  }
  return layers;
}

export function layerConfig(layer: Layer): Record<string, unknown> {
  return layer.getConfig() as Record<string, unknown>;
}

export interface GraphPart {
  readonly nodes: NodeProto[];
  readonly initializers: TensorProto[];
  /** Name of the part's output tensor. */
  readonly output: string;
}

/** Dense(softmax) as MatMul (+ Add) → Softmax(axis=-1), writing ONNX_OUTPUT_NAME. */
export function denseSoftmaxHead(dense: Layer, inputName: string, inputSize: number): GraphPart {
  const cfg = layerConfig(dense);
  if (cfg.activation !== "softmax") {
    throw new Error(
      `Dense layer '${dense.name}' must end in softmax (activation is ${String(cfg.activation)})`,
    );
  }
  const units = Number(cfg.units);
  const useBias = cfg.useBias !== false;
  const ws = layerWeights(dense, useBias ? [[inputSize, units], [units]] : [[inputSize, units]]);
  const nodes: NodeProto[] = [node("MatMul", [inputName, "dense_kernel"], ["dense_matmul"])];
  const initializers: TensorProto[] = [
    floatTensor("dense_kernel", [inputSize, units], ws[0].values),
  ];
  let logits = "dense_matmul";
  if (useBias) {
    initializers.push(floatTensor("dense_bias", [units], ws[1].values));
    nodes.push(node("Add", [logits, "dense_bias"], ["logits"]));
    logits = "logits";
  }
  const softmax: Record<string, Attribute> = { axis: { int: -1 } };
  nodes.push(node("Softmax", [logits], [ONNX_OUTPUT_NAME], softmax));
  return { nodes, initializers, output: ONNX_OUTPUT_NAME };
}

export interface ExportOptions {
  /** Extra ModelProto metadata (e.g. model card fields); keys must not start with "nn.". */
  readonly metadata?: Readonly<Record<string, string>>;
}

export function checkMetadata(meta: Readonly<Record<string, string>> = {}): void {
  for (const [k, v] of Object.entries(meta)) {
    if (k.startsWith("nn.")) throw new Error(`export: metadata key '${k}' is reserved`);
    if (typeof v !== "string") throw new Error(`export: metadata '${k}' must be a string`);
  }
}
