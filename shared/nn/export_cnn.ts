// tf.js 1-D CNN classifier → ONNX: Transpose NWC → NCW, Conv (+ Relu), GlobalAveragePool
// or Flatten, Dense softmax.
//
// tf.js Conv1D kernel is [k, C_in, M] applied as cross-correlation over NWC input; ONNX
// Conv is also cross-correlation with W [M, C_in, k] over NCW, so W[m][c][j] = kernel[j][c][m]
// (no flip). "same" padding follows TensorFlow: the odd extra pad goes at the end.
// Keras Flatten flattens [steps, filters] (time-major), so for Flatten the NCW result is
// transposed back before flattening.
import {
  BATCH_DIM,
  checkMetadata,
  denseSoftmaxHead,
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

function single(value: unknown, what: string): number {
  const v = Array.isArray(value) ? value : [value];
  if (v.length !== 1 || !Number.isSafeInteger(v[0]) || v[0] <= 0) {
    throw new Error(`exportCnnToOnnx: ${what} must be one positive integer (got ${String(value)})`);
  }
  return v[0];
}

/** [begin, end] pads and output length of a 1-D convolution in tf.js's padding modes. */
export function conv1dPads(
  padding: string,
  length: number,
  kernel: number,
  stride: number,
  dilation: number,
): { pads: [number, number]; outLength: number } {
  const span = (kernel - 1) * dilation + 1;
  if (padding === "valid") {
    const outLength = Math.floor((length - span) / stride) + 1;
    if (outLength <= 0) {
      throw new Error(`conv1dPads: kernel span ${span} is longer than the input (${length})`);
    }
    return { pads: [0, 0], outLength };
  }
  if (padding === "same") {
    const outLength = Math.ceil(length / stride);
    const total = Math.max((outLength - 1) * stride + span - length, 0);
    const begin = Math.floor(total / 2);
    return { pads: [begin, total - begin], outLength };
  }
  throw new Error(`conv1dPads: padding '${padding}' is not supported (valid|same)`);
}

export function exportCnnToOnnx(model: tf.LayersModel, opts: ExportOptions = {}): Uint8Array {
  checkMetadata(opts.metadata);
  const [conv, pool, dense] = expectLayers(model, "exportCnnToOnnx", [
    ["Conv1D"],
    ["GlobalAveragePooling1D", "Flatten"],
    ["Dense"],
  ]);
  const [steps, channels] = modelWindowShape(model);
  const classes = modelClassCount(model);
  const cfg = layerConfig(conv);
  const dataFormat = (conv as unknown as { dataFormat?: unknown }).dataFormat;
  if (dataFormat !== undefined && dataFormat !== "channelsLast") {
    throw new Error(`exportCnnToOnnx: Conv1D '${conv.name}' must be channelsLast`);
  }
  const activation = String(cfg.activation);
  if (activation !== "relu" && activation !== "linear") {
    throw new Error(
      `exportCnnToOnnx: Conv1D '${conv.name}' activation '${activation}' is not supported ` +
        `(relu|linear)`,
    );
  }
  const filters = single(cfg.filters, "filters");
  const k = single(cfg.kernelSize, "kernelSize");
  const stride = single(cfg.strides, "strides");
  const dilation = single(cfg.dilationRate, "dilationRate");
  const { pads, outLength } = conv1dPads(String(cfg.padding), steps, k, stride, dilation);
  const useBias = cfg.useBias !== false;
  const ws = layerWeights(
    conv,
    useBias ? [[k, channels, filters], [filters]] : [[k, channels, filters]],
  );
  const w = new Float32Array(filters * channels * k);
  for (let j = 0; j < k; j++) {
    for (let c = 0; c < channels; c++) {
      for (let m = 0; m < filters; m++) {
        w[(m * channels + c) * k + j] = ws[0].values[(j * channels + c) * filters + m];
      }
    }
  }
  const convInputs = ["channels_first", "conv_W"];
  const initializers = [floatTensor("conv_W", [filters, channels, k], w)];
  if (useBias) {
    convInputs.push("conv_B");
    initializers.push(floatTensor("conv_B", [filters], ws[1].values));
  }
  const nodes = [
    node("Transpose", [ONNX_INPUT_NAME], ["channels_first"], { perm: { ints: [0, 2, 1] } }),
    node("Conv", convInputs, ["conv_out"], {
      kernel_shape: { ints: [k] },
      strides: { ints: [stride] },
      dilations: { ints: [dilation] },
      pads: { ints: pads },
    }),
  ];
  let features = "conv_out";
  if (activation === "relu") {
    nodes.push(node("Relu", [features], ["conv_relu"]));
    features = "conv_relu";
  }
  let pooledSize: number;
  if (pool.getClassName() === "GlobalAveragePooling1D") {
    nodes.push(node("GlobalAveragePool", [features], ["pooled"]));
    pooledSize = filters;
  } else {
    nodes.push(node("Transpose", [features], ["pooled"], { perm: { ints: [0, 2, 1] } }));
    pooledSize = filters * outLength;
  }
  nodes.push(node("Flatten", ["pooled"], ["flat"], { axis: { int: 1 } }));
  const head = denseSoftmaxHead(dense, "flat", pooledSize);
  return encodeModel({
    name: "cnn_classifier",
    doc:
      `Conv1D(${filters}, k=${k}) classifier: ${ONNX_INPUT_NAME} [batch, ${steps}, ${channels}]` +
      ` → ${ONNX_OUTPUT_NAME} [batch, ${classes}]`,
    nodes: [...nodes, ...head.nodes],
    initializers: [...initializers, ...head.initializers],
    input: floatValueInfo(ONNX_INPUT_NAME, [BATCH_DIM, steps, channels]),
    output: floatValueInfo(ONNX_OUTPUT_NAME, [BATCH_DIM, classes]),
    metadata: {
      ...opts.metadata,
      "nn.architecture": "cnn1d",
      "nn.window_steps": String(steps),
      "nn.window_features": String(channels),
      "nn.classes": String(classes),
    },
  });
}
