// Walk-forward training of the volatility agent's GARCH(1,1) on one bar series.
//
// For each expanding fold the model is fitted on the training returns only; the test window
// is then scored one step ahead: σ²_t comes from filtering returns 0..t−1 with the fold's
// fixed parameters (the purged return just before the test window is observed data, not
// fitted). Scores, over all test windows together, against r_t²:
//   qlike = mean(ln σ²_t + r_t² / σ²_t)   (Patton's QLIKE up to a constant; finite at r = 0)
//   mse   = mean((r_t² − σ²_t)²)
//   rank_ic = Spearman correlation of σ²_t with r_t²
// Baselines need no fitting: the sample variance of the previous 20 returns, and a
// RiskMetrics EWMA (λ = 0.94) seeded with the mean square of the first 20 returns.
// The card serves the last fold's parameters.
import type { RawBar } from "../data/mod.ts";
import {
  fitGarch,
  type GarchDistribution,
  garchFilter,
  type GarchParams,
} from "../econometrics/mod.ts";
import {
  type Fold,
  type MetricSetRecord,
  type ModelCard,
  parseCard,
  spearman,
  trainWindowsFromFolds,
  walkForwardSplits,
  writeCard,
} from "../learn/mod.ts";
import {
  barsFingerprint,
  checkIsoTime,
  checkTrainingBars,
  nullDirectionMetrics,
  returnSeries,
} from "./bar_series.ts";

export const VOLATILITY_CARD_AGENT = "volatility";
/** What the GARCH reads per bar; the agent checks its own list against the card's. */
export const GARCH_TRAIN_FEATURES: readonly string[] = ["log_return"];
export const GARCH_OUTPUT_UNITS = "variance of the next bar's log return (per bar)";

export interface GarchTrainOptions {
  /** Returns in the first training window (default 1000). */
  trainSize?: number;
  /** Returns per test window (default 250). */
  testSize?: number;
  /** Samples after each test window no model scored on it may train on (default 5). */
  embargo?: number;
  /** Innovation distribution (default "student-t"). */
  distribution?: GarchDistribution;
  /** Returns in the rolling-variance baseline (default 20); also the EWMA seed. */
  baselineWindow?: number;
  /** Decay of the EWMA baseline (default 0.94). */
  ewmaLambda?: number;
  /** ISO-8601 time stamped on the card (training reads no clock). */
  createdAt: string;
  /** Commit or version of the training code. */
  codeVersion: string;
}

export interface GarchFoldResult {
  fold: Fold;
  params: GarchParams;
  converged: boolean;
  atStationarityBoundary: boolean;
}

export interface GarchTraining {
  card: ModelCard;
  folds: GarchFoldResult[];
  /** The out-of-sample one-step variance forecasts and the squared returns they target. */
  oos: { index: number[]; forecast: number[]; squaredReturn: number[] };
}

export interface VarianceScores {
  n: number;
  qlike: number;
  mse: number;
  rank_ic: number | null;
}

/** QLIKE, MSE and rank IC of variance forecasts against squared returns. */
export function varianceScores(
  forecast: readonly number[],
  squaredReturn: readonly number[],
): VarianceScores {
  if (forecast.length !== squaredReturn.length || forecast.length === 0) {
    throw new RangeError(
      `varianceScores: needs equal non-empty series (${forecast.length} forecasts, ` +
        `${squaredReturn.length} squared returns)`,
    );
  }
  let qlike = 0;
  let mse = 0;
  forecast.forEach((h, i) => {
    if (!(Number.isFinite(h) && h > 0)) {
      throw new RangeError(`varianceScores: forecast ${i} must be finite and > 0 (got ${h})`);
    }
    const y = squaredReturn[i];
    if (!(Number.isFinite(y) && y >= 0)) {
      throw new RangeError(`varianceScores: squared return ${i} must be finite, >= 0 (got ${y})`);
    }
    qlike += Math.log(h) + y / h;
    mse += (y - h) * (y - h);
  });
  const n = forecast.length;
  return { n, qlike: qlike / n, mse: mse / n, rank_ic: spearman(forecast, squaredReturn) };
}

/** forecast[t] = sample variance of returns[t−window..t−1]; NaN before `window` returns. */
export function rollingVarianceForecasts(returns: readonly number[], window: number): number[] {
  return returns.map((_, t) => {
    if (t < window) return NaN;
    let m = 0;
    for (let j = t - window; j < t; j++) m += returns[j];
    m /= window;
    let ss = 0;
    for (let j = t - window; j < t; j++) ss += (returns[j] - m) * (returns[j] - m);
    return ss / (window - 1);
  });
}

/**
 * forecast[t] = RiskMetrics variance for return t from returns 0..t−1: seeded with the mean
 * square of the first `seed` returns, then v ← λ v + (1 − λ) r². NaN before `seed` returns.
 */
export function ewmaVarianceForecasts(
  returns: readonly number[],
  lambda: number,
  seed: number,
): number[] {
  const out = new Array<number>(returns.length).fill(NaN);
  let v = 0;
  for (let t = 0; t < returns.length; t++) {
    if (t === seed) v /= seed;
    if (t >= seed) out[t] = v;
    const sq = returns[t] * returns[t];
    v = t < seed ? v + sq : lambda * v + (1 - lambda) * sq;
  }
  return out;
}

export function trainGarch(bars: readonly RawBar[], options: GarchTrainOptions): GarchTraining {
  const who = "trainGarch";
  const o = resolveOptions(options, who);
  checkTrainingBars(bars, who);
  const { returns, times } = returnSeries(bars);
  const splits = walkForwardSplits({
    n: returns.length,
    trainSize: o.trainSize,
    testSize: o.testSize,
    mode: "expanding",
    horizon: 1,
    embargo: o.embargo,
  });
  const rolling = rollingVarianceForecasts(returns, o.baselineWindow);
  const ewma = ewmaVarianceForecasts(returns, o.ewmaLambda, o.baselineWindow);
  const folds: GarchFoldResult[] = [];
  const oos = { index: [] as number[], forecast: [] as number[], squaredReturn: [] as number[] };
  const base = { rolling: [] as number[], ewma: [] as number[] };
  for (const fold of splits) {
    const [a, b] = fold.train;
    const [c, d] = fold.test;
    const fit = fitGarch(returns.slice(a, b), { distribution: o.distribution, mean: "estimate" });
    const params: GarchParams = {
      omega: fit.omega,
      alpha: fit.alpha,
      beta: fit.beta,
      mu: fit.mu,
      initialVariance: fit.initialVariance,
      ...(fit.nu === undefined ? {} : { nu: fit.nu }),
    };
    // σ²_t for t < d uses returns[a..t−1] only: the fitted model, filtered forward.
    const variances = garchFilter(params, returns.slice(a, d));
    for (let t = c; t < d; t++) {
      oos.index.push(t);
      oos.forecast.push(variances[t - a]);
      oos.squaredReturn.push(returns[t] * returns[t]);
      base.rolling.push(rolling[t]);
      base.ewma.push(ewma[t]);
    }
    folds.push({
      fold,
      params,
      converged: fit.converged,
      atStationarityBoundary: fit.atStationarityBoundary,
    });
  }
  const last = folds[folds.length - 1];
  const metrics = (forecast: number[]): MetricSetRecord => {
    const s = varianceScores(forecast, oos.squaredReturn);
    return { ...nullDirectionMetrics(s.n), rank_ic: s.rank_ic, qlike: s.qlike, mse: s.mse };
  };
  const card = parseCard({
    agent: VOLATILITY_CARD_AGENT,
    inputs: { features: [...GARCH_TRAIN_FEATURES], window: 1, normalisation: null },
    outputs: { units: GARCH_OUTPUT_UNITS },
    train_windows: trainWindowsFromFolds(splits, times),
    data_sha256: barsFingerprint(bars),
    params: {
      model: "garch(1,1)",
      distribution: o.distribution,
      omega: last.params.omega,
      alpha: last.params.alpha,
      beta: last.params.beta,
      mu: last.params.mu,
      nu: last.params.nu ?? null,
      initial_variance: last.params.initialVariance,
      symbol: bars[0].symbol,
      timeframe: bars[0].timeframe,
      train_size: o.trainSize,
      test_size: o.testSize,
      embargo: o.embargo,
      folds: folds.length,
      folds_converged: folds.filter((f) => f.converged).length,
      folds_at_stationarity_boundary: folds.filter((f) => f.atStationarityBoundary).length,
    },
    created_at: o.createdAt,
    code_version: o.codeVersion,
    oos: metrics(oos.forecast),
    baselines: {
      [`rolling_variance_${o.baselineWindow}`]: metrics(base.rolling),
      [`ewma_${o.ewmaLambda}`]: metrics(base.ewma),
    },
  }, `${who} card`);
  return { card, folds, oos };
}

/** Writes `<outDir>/volatility.card.json` (validated first). Returns the path. */
export async function writeVolatilityCard(outDir: string, card: ModelCard): Promise<string> {
  const path = `${outDir.replace(/[\\/]+$/, "")}/${VOLATILITY_CARD_AGENT}.card.json`;
  await writeCard(path, card);
  return path;
}

function resolveOptions(options: GarchTrainOptions, who: string) {
  const o = {
    trainSize: options.trainSize ?? 1000,
    testSize: options.testSize ?? 250,
    embargo: options.embargo ?? 5,
    distribution: options.distribution ?? "student-t",
    baselineWindow: options.baselineWindow ?? 20,
    ewmaLambda: options.ewmaLambda ?? 0.94,
    createdAt: options.createdAt,
    codeVersion: options.codeVersion,
  };
  if (!Number.isSafeInteger(o.baselineWindow) || o.baselineWindow < 2) {
    throw new RangeError(
      `${who}: baselineWindow must be an integer >= 2 (got ${o.baselineWindow})`,
    );
  }
  if (o.trainSize <= o.baselineWindow) {
    throw new RangeError(
      `${who}: trainSize (${o.trainSize}) must exceed baselineWindow (${o.baselineWindow})`,
    );
  }
  if (!(o.ewmaLambda > 0 && o.ewmaLambda < 1)) {
    throw new RangeError(`${who}: ewmaLambda must be in (0, 1) (got ${o.ewmaLambda})`);
  }
  checkIsoTime(o.createdAt, "createdAt", who);
  if (typeof o.codeVersion !== "string" || o.codeVersion.length === 0) {
    throw new RangeError(`${who}: codeVersion must be a non-empty string`);
  }
  return o;
}
