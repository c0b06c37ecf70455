// Walk-forward training of the trend GRU and the pattern CNN: per fold, normalise with the
// training window's statistics (trend), train a seeded model, predict the test window; score
// the concatenated out-of-sample predictions against the naive baselines. The served model
// is the last fold's.
import {
  baselineMetrics,
  type BaselineResults,
  collectOutOfSample,
  directionMetrics,
  type DirectionProbs,
  DIRECTIONS,
  type Fold,
  leakWarning,
  type MetricSet,
  walkForwardSplits,
} from "../learn/mod.ts";
import { buildCnnClassifier, buildGruClassifier } from "../nn/classifier_models.ts";
import { deriveSeed } from "../nn/seeded_random.ts";
import { predictWithTf } from "../nn/tf_model_io.ts";
import type { tf } from "../nn/tf_runtime.ts";
import { train, type TrainReport } from "../nn/tf_training.ts";
import { gatherWindows, sliceWindows, type WindowBatch } from "../nn/window_batch.ts";
import {
  type Dataset,
  fitNormalisation,
  type Normalisation,
  normaliseBatch,
  sampleFolds,
} from "./datasets.ts";

export interface NnTrainOptions {
  /** Label horizon in bars: the purge. */
  horizon: number;
  /** Bar times per training window (rolling). */
  trainBars: number;
  /** Bar times per test window. */
  testBars: number;
  /** Bar times after each test window that its model must not train on (≥ horizon). */
  embargo: number;
  /** Keep only the last M folds (the served model is always the last fold's). */
  maxFolds?: number;
  epochs: number;
  batchSize: number;
  learningRate: number;
  seed: number;
  /** GRU units (trend) or Conv1D filters (pattern). */
  width: number;
  /** Conv1D kernel size (pattern only). */
  kernelSize: number;
  /** Called after each fold (progress output). */
  onFold?: (fold: Fold, report: TrainReport, folds: number) => void;
}

export const DEFAULT_NN_TRAIN_OPTIONS: Readonly<Omit<NnTrainOptions, "horizon" | "onFold">> = Object
  .freeze({
    trainBars: 756,
    testBars: 252,
    embargo: 1,
    epochs: 8,
    batchSize: 64,
    learningRate: 0.005,
    seed: 7,
    width: 8,
    kernelSize: 3,
  });

export interface WalkForwardNnResult {
  /** Folds over bar-time indices (what the card's train_windows describe). */
  timeFolds: Fold[];
  /** The same folds over sample indices. */
  folds: Fold[];
  oos: MetricSet;
  baselines: BaselineResults;
  leak: string | null;
  /** Sample index and probabilities of each scored out-of-sample prediction. */
  oosIndices: number[];
  oosProbs: DirectionProbs[];
  /** The last fold's trained model (the caller disposes it). */
  model: tf.LayersModel;
  /** The last fold's normalisation (null for pattern: windows scale themselves). */
  normalisation: Normalisation | null;
  /** The last fold's test windows as the model reads them (normalised). */
  lastTestWindows: WindowBatch;
  reports: TrainReport[];
}

function checkOptions(o: NnTrainOptions): void {
  const ints: [string, number, number][] = [
    ["horizon", o.horizon, 1],
    ["trainBars", o.trainBars, 1],
    ["testBars", o.testBars, 1],
    ["embargo", o.embargo, 0],
    ["width", o.width, 1],
    ["kernelSize", o.kernelSize, 1],
  ];
  for (const [name, v, min] of ints) {
    if (!Number.isSafeInteger(v) || v < min) {
      throw new RangeError(`${name}: expected an integer >= ${min} (got ${v})`);
    }
  }
  if (o.embargo < o.horizon) {
    throw new RangeError(`embargo: must be >= horizon ${o.horizon} (got ${o.embargo})`);
  }
  if (o.maxFolds !== undefined && (!Number.isSafeInteger(o.maxFolds) || o.maxFolds < 1)) {
    throw new RangeError(`maxFolds: expected an integer >= 1 (got ${o.maxFolds})`);
  }
}

export function buildModelFor(ds: Dataset, o: NnTrainOptions, seed: number): tf.Sequential {
  const [, steps, features] = ds.x.shape;
  return ds.kind === "trend"
    ? buildGruClassifier({ steps, features, units: o.width, seed })
    : buildCnnClassifier({
      steps,
      channels: features,
      filters: o.width,
      kernelSize: o.kernelSize,
      seed,
    });
}

const classIndex = (d: string): number => DIRECTIONS.indexOf(d as (typeof DIRECTIONS)[number]);

export async function walkForwardTrain(
  ds: Dataset,
  opts: NnTrainOptions,
): Promise<WalkForwardNnResult> {
  checkOptions(opts);
  let timeFolds = walkForwardSplits({
    n: ds.barTimes.length,
    trainSize: opts.trainBars,
    testSize: opts.testBars,
    mode: "rolling",
    horizon: opts.horizon,
    embargo: opts.embargo,
  });
  if (opts.maxFolds !== undefined) timeFolds = timeFolds.slice(-opts.maxFolds);
  const folds = sampleFolds(timeFolds, ds.symbolsPerTime);
  const predictions = new Map<number, DirectionProbs>();
  const reports: TrainReport[] = [];
  let model: tf.LayersModel | null = null;
  let normalisation: Normalisation | null = null;
  let lastTestWindows: WindowBatch | null = null;
  for (const fold of folds) {
    const [trainStart, trainEnd] = fold.train;
    normalisation = ds.kind === "trend" ? fitNormalisation(ds.x, trainStart, trainEnd) : null;
    const x = normalisation === null ? ds.x : normaliseBatch(ds.x, normalisation);
    const trainIdx: number[] = [];
    const y: number[] = [];
    for (let i = trainStart; i < trainEnd; i++) {
      const label = ds.labels[i];
      if (label === null) continue;
      trainIdx.push(i);
      y.push(classIndex(label.direction));
    }
    if (trainIdx.length === 0) {
      throw new RangeError(`fold ${fold.index}: no labelled training sample`);
    }
    model?.dispose();
    model = buildModelFor(ds, opts, deriveSeed(opts.seed, fold.index));
    const report = await train(model, gatherWindows(x, trainIdx), y, {
      epochs: opts.epochs,
      batchSize: opts.batchSize,
      seed: deriveSeed(opts.seed, 1000 + fold.index),
      learningRate: opts.learningRate,
    });
    reports.push(report);
    lastTestWindows = sliceWindows(x, fold.test[0], fold.test[1]);
    const probs = predictWithTf(model, lastTestWindows);
    for (let i = 0; i < lastTestWindows.shape[0]; i++) {
      const p = Array.from(probs.subarray(i * 3, i * 3 + 3), Number);
      predictions.set(fold.test[0] + i, { down: p[0], flat: p[1], up: p[2] });
    }
    opts.onFold?.(fold, report, folds.length);
  }
  const oosSet = collectOutOfSample(folds, ds.labels, (t) => {
    const p = predictions.get(t);
    if (p === undefined) throw new Error(`walkForwardTrain: no prediction for sample ${t}`);
    return renormalise(p);
  });
  const oos = directionMetrics(oosSet);
  const baselines = baselineMetrics(ds.labels, folds, opts.horizon * ds.symbolsPerTime);
  return {
    timeFolds,
    folds,
    oos,
    baselines,
    leak: null,
    oosIndices: oosSet.indices,
    oosProbs: oosSet.probs,
    model: model as tf.LayersModel,
    normalisation,
    lastTestWindows: lastTestWindows as WindowBatch,
    reports,
  };
}

/** Adds the leak warning for the timeframe (kept apart so the result stays pure data). */
export function withLeakWarning(r: WalkForwardNnResult, timeframe: string): WalkForwardNnResult {
  return { ...r, leak: leakWarning(r.oos, timeframe) };
}

/** float32 softmax outputs summed in double can miss 1 by ~1e-7: rescale exactly. */
export function renormalise(p: DirectionProbs): DirectionProbs {
  const s = p.down + p.flat + p.up;
  if (!(s > 0) || !Number.isFinite(s)) {
    throw new RangeError(`renormalise: probabilities sum to ${s}`);
  }
  return { down: p.down / s, flat: p.flat / s, up: p.up / s };
}
