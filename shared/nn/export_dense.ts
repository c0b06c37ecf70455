// tf.js dense classifier (the meta stacker: Flatten → [Dense ReLU] → Dense softmax) → ONNX:
// Flatten(axis=1) → MatMul → Add → [Relu → MatMul → Add] → Div(temperature) → Softmax.
// The temperature T of the calibration divides the logits before the softmax, so the served
// model outputs the calibrated probabilities softmax(z / T); T = 1 leaves them unchanged.
import {
  BATCH_DIM,
  checkMetadata,
  expectLayers,
  type ExportOptions,
  layerConfig,
  layerWeights,
  ONNX_INPUT_NAME,
  ONNX_OUTPUT_NAME,
} from "./export_common.ts";
import { encodeModel, floatTensor, floatValueInfo, node } from "./onnx_builder.ts";
import { modelClassCount, modelWindowShape } from "./tf_model_io.ts";
import type { tf } from "./tf_runtime.ts";
import type onnxProto from "onnx-proto";

export interface DenseExportOptions extends ExportOptions {
  /** Calibration temperature T > 0 dividing the logits (default 1). */
  readonly temperature?: number;
}

type Layer = tf.layers.Layer;

function denseNodes(
  layer: Layer,
  input: string,
  inputSize: number,
  prefix: string,
  want: "relu" | "softmax",
): {
  nodes: onnxProto.onnx.INodeProto[];
  inits: onnxProto.onnx.ITensorProto[];
  out: string;
  units: number;
} {
  const cfg = layerConfig(layer);
  if (cfg.activation !== want) {
    throw new Error(
      `exportDenseToOnnx: Dense layer '${layer.name}' must use ${want} (has ${
        String(cfg.activation)
      })`,
    );
  }
  const units = Number(cfg.units);
  const useBias = cfg.useBias !== false;
  const ws = layerWeights(layer, useBias ? [[inputSize, units], [units]] : [[inputSize, units]]);
  const nodes = [node("MatMul", [input, `${prefix}_kernel`], [`${prefix}_matmul`])];
  const inits = [floatTensor(`${prefix}_kernel`, [inputSize, units], ws[0].values)];
  let out = `${prefix}_matmul`;
  if (useBias) {
    inits.push(floatTensor(`${prefix}_bias`, [units], ws[1].values));
    nodes.push(node("Add", [out, `${prefix}_bias`], [`${prefix}_z`]));
    out = `${prefix}_z`;
  }
  if (want === "relu") {
    nodes.push(node("Relu", [out], [`${prefix}_relu`]));
    out = `${prefix}_relu`;
  }
  return { nodes, inits, out, units };
}

export function exportDenseToOnnx(
  model: tf.LayersModel,
  opts: DenseExportOptions = {},
): Uint8Array {
  checkMetadata(opts.metadata);
  const temperature = opts.temperature ?? 1;
  if (!(Number.isFinite(temperature) && temperature > 0)) {
    throw new Error(`exportDenseToOnnx: temperature must be finite and > 0 (got ${temperature})`);
  }
  const names = model.layers.filter((l) => l.getClassName() === "Dense").length;
  const layers = expectLayers(
    model,
    "exportDenseToOnnx",
    names === 2 ? [["Flatten"], ["Dense"], ["Dense"]] : [["Flatten"], ["Dense"]],
  );
  const [steps, features] = modelWindowShape(model);
  const classes = modelClassCount(model);
  const flatSize = steps * features;
  const nodes: onnxProto.onnx.INodeProto[] = [
    node("Flatten", [ONNX_INPUT_NAME], ["flat"], { axis: { int: 1 } }),
  ];
  const inits: onnxProto.onnx.ITensorProto[] = [];
  let input = "flat";
  let size = flatSize;
  const dense = layers.slice(1);
  dense.forEach((layer, i) => {
    const last = i === dense.length - 1;
    const part = denseNodes(layer, input, size, `dense${i}`, last ? "softmax" : "relu");
    nodes.push(...part.nodes);
    inits.push(...part.inits);
    input = part.out;
    size = part.units;
  });
  inits.push(floatTensor("temperature", [], Float32Array.of(temperature)));
  nodes.push(node("Div", [input, "temperature"], ["scaled_logits"]));
  nodes.push(node("Softmax", ["scaled_logits"], [ONNX_OUTPUT_NAME], { axis: { int: -1 } }));
  return encodeModel({
    name: "dense_classifier",
    doc: `dense classifier (${dense.length} layer(s), temperature ${temperature}): ` +
      `${ONNX_INPUT_NAME} [batch, ${steps}, ${features}] → ${ONNX_OUTPUT_NAME} [batch, ${classes}]`,
    nodes,
    initializers: inits,
    input: floatValueInfo(ONNX_INPUT_NAME, [BATCH_DIM, steps, features]),
    output: floatValueInfo(ONNX_OUTPUT_NAME, [BATCH_DIM, classes]),
    metadata: {
      ...opts.metadata,
      "nn.architecture": dense.length === 1 ? "logistic" : "mlp",
      "nn.window_steps": String(steps),
      "nn.window_features": String(features),
      "nn.classes": String(classes),
      "nn.temperature": String(temperature),
    },
  });
}
