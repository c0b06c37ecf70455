// Building blocks for training and validating learned agents honestly: labels, walk-forward
// splits with purge and embargo, metrics, naive baselines, model cards and a leak check.
export {
  argmaxDirection,
  type Direction,
  type DirectionProbs,
  DIRECTIONS,
  isDirection,
  oneHot,
} from "./direction.ts";
export {
  classifyReturn,
  type DirectionLabel,
  directionLabels,
  forwardLogReturns,
  labelKnownAt,
  type LabelOptions,
  trailingVolatility,
} from "./labels.ts";
export {
  type Fold,
  outOfSampleIndices,
  type Range,
  type WalkForwardOptions,
  walkForwardSplits,
} from "./walk_forward.ts";
export {
  averageRanks,
  checkProbs,
  directionMetrics,
  LOG_LOSS_EPSILON,
  type MetricInputs,
  type MetricSet,
  rocAuc,
  spearman,
} from "./metrics.ts";
export { collectOutOfSample, type OutOfSample } from "./out_of_sample.ts";
export {
  BASELINE_NAMES,
  baselineMetrics,
  type BaselineName,
  type BaselineResults,
  type MajorityBaseline,
  majorityBaseline,
  previousDirection,
} from "./baselines.ts";
export {
  fingerprint,
  type FingerprintData,
  fingerprintFiles,
  type FingerprintPart,
} from "./fingerprint.ts";
export {
  cardFileName,
  checkCardMatches,
  type ComputableInputs,
  type MetricSetRecord,
  MetricSetSchema,
  type ModelCard,
  ModelCardError,
  ModelCardSchema,
  parseCard,
  readCard,
  type TrainWindow,
  trainWindowsFromFolds,
  writeCard,
} from "./card.ts";
export { LEAK_ACCURACY_THRESHOLD, leakWarning } from "./leak_warning.ts";
export {
  applyTemperature,
  fitTemperature,
  type Reliability,
  reliability,
  type ReliabilityBin,
  TEMPERATURE_RANGE,
} from "./calibration.ts";
export {
  checkHitRateOptions,
  DEFAULT_HIT_RATE_OPTIONS,
  directionCall,
  emptyHitTrack,
  type HitCount,
  hitCount,
  type HitRateOptions,
  hitRateWeight,
  type HitTrack,
  recordBar,
  recordCalls,
} from "./hit_rate.ts";
export {
  isStackerBaseAgent,
  STACKER_BASE_AGENTS,
  type StackerBaseAgent,
  stackerFeatureNames,
  stackerRow,
} from "./stacker_inputs.ts";
