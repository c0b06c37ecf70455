// Neural-network path of issue 3: seeded tf.js models (GRU, 1-D CNN), reproducible
// training, hand-built ONNX export (onnx-proto) and onnxruntime-web inference.
export { type Candle, CANDLE_CHANNELS, candleWindows } from "./candle_windows.ts";
export {
  buildCnnClassifier,
  buildGruClassifier,
  type CnnClassifierSpec,
  DIRECTION_CLASSES,
  type GruClassifierSpec,
} from "./classifier_models.ts";
export { type ExportOptions, ONNX_INPUT_NAME, ONNX_OUTPUT_NAME } from "./export_common.ts";
export { conv1dPads, exportCnnToOnnx } from "./export_cnn.ts";
export { exportGruToOnnx } from "./export_gru.ts";
export { decodeModel, ONNX_IR_VERSION, ONNX_OPSET } from "./onnx_builder.ts";
export { OnnxModel, type OnnxModelOptions } from "./onnx_model.ts";
export { configureOrt, type OrtOptions, ortWasmDir } from "./ort_runtime.ts";
export { deriveSeed, seededPermutation } from "./seeded_random.ts";
export { modelClassCount, modelWindowShape, predictWithTf } from "./tf_model_io.ts";
export { tf, TF_BACKENDS, type TfBackendName, tfWasmDir, useTfBackend } from "./tf_runtime.ts";
export { train, trainingBackendFor, type TrainOptions, type TrainReport } from "./tf_training.ts";
export {
  gatherWindows,
  sliceWindows,
  slidingWindows,
  type WindowBatch,
  windowBatch,
} from "./window_batch.ts";
export { type DenseExportOptions, exportDenseToOnnx } from "./export_dense.ts";
export { buildStacker, type StackerSpec } from "./stacker_model.ts";
