// tf.js GRU classifier → ONNX: Transpose (batch-major → time-major), GRU, last hidden state,
// Dense softmax.
//
// Mapping (tf.js GRUCell, which only implements reset_after=false):
//   kernel [F, 3U], recurrent kernel [U, 3U], bias [3U], gate blocks in the order z, r, h;
//   h̃ = act(x·W_h + b_h + (r ⊙ h₋₁)·U_h),  h = z ⊙ h₋₁ + (1 − z) ⊙ h̃.
// ONNX GRU uses the same gate order z, r, h and the same update; with linear_before_reset=0
// the reset gate multiplies h₋₁ before the recurrent matmul, exactly as above. So
//   W = kernelᵀ [1, 3U, F],  R = recurrentᵀ [1, 3U, U],  B = [bias, 0…0] [1, 6U]
// (the recurrent bias Rb is zero: reset_after=false has no separate recurrent bias).
// onnxruntime's GRU only accepts layout=0 ([seq, batch, features]), hence the Transpose.
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
  transpose2d,
} from "./export_common.ts";
import {
  type Attribute,
  encodeModel,
  floatTensor,
  floatValueInfo,
  int64Tensor,
  node,
} from "./onnx_builder.ts";
import { modelClassCount, modelWindowShape } from "./tf_model_io.ts";
import type { tf } from "./tf_runtime.ts";

/** tf.js activation names → ONNX GRU activation names, with ONNX alpha/beta where needed. */
const GATE_ACTIVATIONS: Readonly<Record<string, { name: string; alpha?: number; beta?: number }>> =
  {
    sigmoid: { name: "Sigmoid" },
    // tf.js hardSigmoid is clip(0.2·x + 0.5, 0, 1), ONNX HardSigmoid(alpha=0.2, beta=0.5).
    hardSigmoid: { name: "HardSigmoid", alpha: 0.2, beta: 0.5 },
  };
const CANDIDATE_ACTIVATIONS: Readonly<Record<string, { name: string }>> = {
  tanh: { name: "Tanh" },
};

export function exportGruToOnnx(model: tf.LayersModel, opts: ExportOptions = {}): Uint8Array {
  checkMetadata(opts.metadata);
  const [gru, dense] = expectLayers(model, "exportGruToOnnx", [["GRU"], ["Dense"]]);
  const [steps, features] = modelWindowShape(model);
  const classes = modelClassCount(model);
  const cfg = layerConfig(gru);
  for (const flag of ["returnSequences", "returnState", "goBackwards", "stateful"] as const) {
    if (cfg[flag] === true) {
      throw new Error(
        `exportGruToOnnx: GRU '${gru.name}' has ${flag}=true, which is not supported`,
      );
    }
  }
  if (cfg.resetAfter === true) {
    throw new Error(`exportGruToOnnx: GRU '${gru.name}' has resetAfter=true, not supported`);
  }
  const gate = GATE_ACTIVATIONS[String(cfg.recurrentActivation)];
  const cand = CANDIDATE_ACTIVATIONS[String(cfg.activation)];
  if (!gate || !cand) {
    throw new Error(
      `exportGruToOnnx: GRU '${gru.name}' activations (${String(cfg.recurrentActivation)}, ` +
        `${String(cfg.activation)}) are not supported; recurrent: ${
          Object.keys(GATE_ACTIVATIONS).join("|")
        }, candidate: ${Object.keys(CANDIDATE_ACTIVATIONS).join("|")}`,
    );
  }
  const units = Number(cfg.units);
  const useBias = cfg.useBias !== false;
  const shapes = [[features, 3 * units], [units, 3 * units]];
  if (useBias) shapes.push([3 * units]);
  const ws = layerWeights(gru, shapes);
  const bias = new Float32Array(6 * units);
  if (useBias) bias.set(ws[2].values, 0);

  const gruAttrs: Record<string, Attribute> = {
    hidden_size: { int: units },
    linear_before_reset: { int: 0 },
    direction: { string: "forward" },
    activations: { strings: [gate.name, cand.name] },
  };
  if (gate.alpha !== undefined && gate.beta !== undefined) {
    gruAttrs.activation_alpha = { floats: [gate.alpha] };
    gruAttrs.activation_beta = { floats: [gate.beta] };
  }
  const head = denseSoftmaxHead(dense, "last_hidden", units);
  const nodes = [
    node("Transpose", [ONNX_INPUT_NAME], ["time_major"], { perm: { ints: [1, 0, 2] } }),
    // Outputs: Y (all steps) is not needed; Y_h [1, batch, U] is the last hidden state.
    node("GRU", ["time_major", "gru_W", "gru_R", "gru_B"], ["", "gru_Y_h"], gruAttrs),
    node("Squeeze", ["gru_Y_h", "squeeze_axes"], ["last_hidden"]),
    ...head.nodes,
  ];
  const initializers = [
    floatTensor("gru_W", [1, 3 * units, features], transpose2d(ws[0].values, features, 3 * units)),
    floatTensor("gru_R", [1, 3 * units, units], transpose2d(ws[1].values, units, 3 * units)),
    floatTensor("gru_B", [1, 6 * units], bias),
    int64Tensor("squeeze_axes", [1], [0]),
    ...head.initializers,
  ];
  return encodeModel({
    name: "gru_classifier",
    doc: `GRU(${units}) classifier: ${ONNX_INPUT_NAME} [batch, ${steps}, ${features}] → ` +
      `${ONNX_OUTPUT_NAME} [batch, ${classes}]`,
    nodes,
    initializers,
    input: floatValueInfo(ONNX_INPUT_NAME, [BATCH_DIM, steps, features]),
    output: floatValueInfo(ONNX_OUTPUT_NAME, [BATCH_DIM, classes]),
    metadata: {
      ...opts.metadata,
      "nn.architecture": "gru",
      "nn.window_steps": String(steps),
      "nn.window_features": String(features),
      "nn.classes": String(classes),
    },
  });
}
