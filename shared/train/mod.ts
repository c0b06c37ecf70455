// Training of learned agents' models on bar series, with walk-forward out-of-sample scores
// and model cards.
export {
  barsFingerprint,
  checkTrainingBars,
  type ReturnSeries,
  returnSeries,
} from "./bar_series.ts";
export {
  ewmaVarianceForecasts,
  GARCH_OUTPUT_UNITS,
  GARCH_TRAIN_FEATURES,
  type GarchFoldResult,
  type GarchTraining,
  type GarchTrainOptions,
  rollingVarianceForecasts,
  trainGarch,
  type VarianceScores,
  varianceScores,
  VOLATILITY_CARD_AGENT,
  writeVolatilityCard,
} from "./garch_train.ts";
export {
  HMM_STATE_NAMES,
  HMM_TRAIN_FEATURES,
  type HmmFoldResult,
  hmmForwardStep,
  type HmmTraining,
  type HmmTrainOptions,
  REGIME_CARD_AGENT,
  trainHmm,
  writeRegimeCard,
} from "./hmm_train.ts";
