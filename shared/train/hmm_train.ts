// Walk-forward training of the regime agent's 2-state Gaussian HMM on one bar series.
//
// Observation per bar: (log return, ln(high/low)), raw (no normalisation). fitHmm orders the
// states by return variance, so state 0 is "low_vol" and state 1 "high_vol". Each
// expanding fold is fitted on its training observations only; the test window is then
// forward-filtered with the fold's fixed parameters, starting from the stationary
// distribution at bar 0, so P(state_t) uses observations 0..t only. Scores over all test
// windows:
//   loglik_per_bar: mean of ln p(x_t | x_0..t−1), the one-step predictive density, against a
//     single diagonal Gaussian fitted to the same training window;
//   hit_rate (= accuracy): "P(high_vol | x_0..t) > 0.5" against "|r_{t+1}| exceeds the
//     median |r| of the training window", against the persistence baseline "|r_t| exceeds it".
// Which state is "trend" and which "range" is read from the last fold's training data: the
// state whose bars are followed by the higher Kaufman efficiency ratio
// |Σ r| / Σ |r| over the next `efficiencyHorizon` returns is "trend". The card records both
// ratios, so the mapping's strength is on record too.
import type { RawBar } from "../data/mod.ts";
import {
  emissionLogDensities,
  fitHmm,
  type HmmModel,
  stationaryDistribution,
} from "../econometrics/mod.ts";
import {
  type Fold,
  type MetricSetRecord,
  type ModelCard,
  parseCard,
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

export const REGIME_CARD_AGENT = "regime";
export const HMM_TRAIN_FEATURES: readonly string[] = ["log_return", "log_hl_range"];
/** Output classes: the hidden states in canonical order (return variance ascending). */
export const HMM_STATE_NAMES: readonly string[] = ["low_vol", "high_vol"];

export interface HmmTrainOptions {
  /** Observations in the first training window (default 1000). */
  trainSize?: number;
  /** Observations per test window (default 250). */
  testSize?: number;
  /** Default 5; see walkForwardSplits. */
  embargo?: number;
  /** Seed of fitHmm's random starts (default 1). */
  seed?: number;
  /** Returns ahead in the efficiency ratio that maps states to trend/range (default 10). */
  efficiencyHorizon?: number;
  createdAt: string;
  codeVersion: string;
}

export interface HmmFoldResult {
  fold: Fold;
  model: HmmModel;
  converged: boolean;
}

export interface HmmTraining {
  card: ModelCard;
  folds: HmmFoldResult[];
  /** Serving model: the last fold's, with pi = the stationary distribution of A. */
  model: HmmModel;
  /** regimeOfState[k]: the regime state k stands for. */
  regimeOfState: ("trend" | "range")[];
}

/**
 * One forward-filter step: from P(state_{t−1} | x_0..t−1) (or the prior, when `previous`
 * is null) and x_t to P(state_t | x_0..t) and ln p(x_t | x_0..t−1).
 */
export function hmmForwardStep(
  model: HmmModel,
  previous: readonly number[] | null,
  x: readonly number[],
): { probabilities: number[]; logPredictive: number } {
  const K = model.pi.length;
  const d = model.means[0].length;
  if (x.length !== d) {
    throw new RangeError(
      `hmmForwardStep: observation has ${x.length} values; the model expects ${d}`,
    );
  }
  x.forEach((v, j) => {
    if (typeof v !== "number" || !Number.isFinite(v)) {
      throw new RangeError(`hmmForwardStep: x[${j}] must be a finite number (got ${v})`);
    }
  });
  const prior = previous === null ? [...model.pi] : new Array<number>(K).fill(0);
  if (previous !== null) {
    for (let i = 0; i < K; i++) {
      for (let j = 0; j < K; j++) prior[j] += previous[i] * model.A[i][j];
    }
  }
  const logDensity = new Array<number>(K);
  emissionLogDensities(model, x, logDensity);
  const logJoint = prior.map((p, k) => Math.log(p) + logDensity[k]);
  const shift = Math.max(...logJoint);
  if (!Number.isFinite(shift)) {
    throw new RangeError(
      `hmmForwardStep: observation [${x.join(", ")}] has no finite density under any state`,
    );
  }
  const w = logJoint.map((l) => Math.exp(l - shift));
  const total = w.reduce((s, v) => s + v, 0);
  return { probabilities: w.map((v) => v / total), logPredictive: Math.log(total) + shift };
}

export function trainHmm(bars: readonly RawBar[], options: HmmTrainOptions): HmmTraining {
  const who = "trainHmm";
  const o = resolveOptions(options, who);
  checkTrainingBars(bars, who);
  const { returns, ranges, times } = returnSeries(bars);
  const obs = returns.map((r, i) => [r, ranges[i]]);
  const splits = walkForwardSplits({
    n: obs.length,
    trainSize: o.trainSize,
    testSize: o.testSize,
    mode: "expanding",
    horizon: 1,
    embargo: o.embargo,
  });
  const absReturns = returns.map(Math.abs);
  const folds: HmmFoldResult[] = [];
  let logLik = 0;
  let gaussLogLik = 0;
  let bars_ = 0;
  const hits = { model: new Confusion(), persistence: new Confusion() };
  for (const fold of splits) {
    const [a, b] = fold.train;
    const [c, d] = fold.test;
    const fit = fitHmm(obs.slice(a, b), { states: 2, seed: o.seed });
    const model: HmmModel = {
      pi: stationaryDistribution(fit.A),
      A: fit.A,
      means: fit.means,
      variances: fit.variances,
    };
    folds.push({ fold, model, converged: fit.converged });
    const gauss = gaussianFit(obs.slice(a, b));
    const median = medianOf(absReturns.slice(a, b));
    let p: number[] | null = null;
    for (let t = a; t < d; t++) {
      const step = hmmForwardStep(model, p, obs[t]);
      p = step.probabilities;
      if (t < c) continue;
      logLik += step.logPredictive;
      gaussLogLik += gaussianLogDensity(gauss, obs[t]);
      bars_++;
      if (t + 1 < obs.length) {
        const actual = absReturns[t + 1] > median;
        hits.model.add(p[1] > 0.5, actual);
        hits.persistence.add(absReturns[t] > median, actual);
      }
    }
  }
  const last = folds[folds.length - 1];
  const efficiency = stateEfficiency(
    last.model,
    obs,
    returns,
    last.fold.train,
    o.efficiencyHorizon,
  );
  const trendState = efficiency[1] > efficiency[0] ? 1 : 0;
  const regimeOfState = [0, 1].map((k) => k === trendState ? "trend" : "range") as (
    | "trend"
    | "range"
  )[];
  const scored = (logLikPerBar: number | null, c: Confusion | null): MetricSetRecord => ({
    ...nullDirectionMetrics(c === null ? bars_ : c.n),
    accuracy: c?.accuracy() ?? null,
    balanced_accuracy: c?.balancedAccuracy() ?? null,
    loglik_per_bar: logLikPerBar,
    hit_rate: c?.accuracy() ?? null,
  });
  const card = parseCard({
    agent: REGIME_CARD_AGENT,
    inputs: { features: [...HMM_TRAIN_FEATURES], window: 1, normalisation: null },
    outputs: { classes: [...HMM_STATE_NAMES] },
    train_windows: trainWindowsFromFolds(splits, times),
    data_sha256: barsFingerprint(bars),
    params: {
      model: "gaussian-hmm(2, diagonal)",
      pi: last.model.pi,
      A: last.model.A,
      means: last.model.means,
      variances: last.model.variances,
      regime_of_state: regimeOfState,
      efficiency_ratio_of_state: efficiency,
      efficiency_horizon: o.efficiencyHorizon,
      symbol: bars[0].symbol,
      timeframe: bars[0].timeframe,
      seed: o.seed,
      train_size: o.trainSize,
      test_size: o.testSize,
      embargo: o.embargo,
      folds: folds.length,
      folds_converged: folds.filter((f) => f.converged).length,
    },
    created_at: o.createdAt,
    code_version: o.codeVersion,
    // loglik_per_bar counts every test bar; the hit rates only bars with a next return
    oos: { ...scored(logLik / bars_, hits.model), n: bars_ },
    baselines: {
      single_gaussian: scored(gaussLogLik / bars_, null),
      abs_return_persistence: scored(null, hits.persistence),
    },
  }, `${who} card`);
  return { card, folds, model: last.model, regimeOfState };
}

/** Writes `<outDir>/regime.card.json` (validated first). Returns the path. */
export async function writeRegimeCard(outDir: string, card: ModelCard): Promise<string> {
  const path = `${outDir.replace(/[\\/]+$/, "")}/${REGIME_CARD_AGENT}.card.json`;
  await writeCard(path, card);
  return path;
}

/**
 * Per state: the mean efficiency ratio of the `horizon` returns after bar t, weighted by
 * P(state | x_0..t), over training bars whose horizon ends inside the training window.
 */
function stateEfficiency(
  model: HmmModel,
  obs: readonly number[][],
  returns: readonly number[],
  [a, b]: readonly [number, number],
  horizon: number,
): number[] {
  const sum = [0, 0];
  const weight = [0, 0];
  let p: number[] | null = null;
  for (let t = a; t + horizon < b; t++) {
    p = hmmForwardStep(model, p, obs[t]).probabilities;
    let net = 0;
    let path = 0;
    for (let j = t + 1; j <= t + horizon; j++) {
      net += returns[j];
      path += Math.abs(returns[j]);
    }
    if (path === 0) continue;
    const er = Math.abs(net) / path;
    for (let k = 0; k < 2; k++) {
      sum[k] += p[k] * er;
      weight[k] += p[k];
    }
  }
  return sum.map((s, k) => weight[k] > 0 ? s / weight[k] : 0);
}

interface GaussianFit {
  mean: number[];
  variance: number[];
}

function gaussianFit(rows: readonly number[][]): GaussianFit {
  const d = rows[0].length;
  const mean = new Array<number>(d).fill(0);
  const variance = new Array<number>(d).fill(0);
  for (const r of rows) for (let j = 0; j < d; j++) mean[j] += r[j] / rows.length;
  for (const r of rows) {
    for (let j = 0; j < d; j++) variance[j] += (r[j] - mean[j]) ** 2 / rows.length;
  }
  return { mean, variance };
}

function gaussianLogDensity(g: GaussianFit, x: readonly number[]): number {
  let s = 0;
  for (let j = 0; j < x.length; j++) {
    s += Math.log(2 * Math.PI * g.variance[j]) + (x[j] - g.mean[j]) ** 2 / g.variance[j];
  }
  return -0.5 * s;
}

function medianOf(xs: readonly number[]): number {
  const s = [...xs].sort((p, q) => p - q);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

class Confusion {
  tp = 0;
  fp = 0;
  tn = 0;
  fn = 0;
  get n(): number {
    return this.tp + this.fp + this.tn + this.fn;
  }
  add(predicted: boolean, actual: boolean): void {
    if (predicted && actual) this.tp++;
    else if (predicted) this.fp++;
    else if (actual) this.fn++;
    else this.tn++;
  }
  accuracy(): number | null {
    return this.n === 0 ? null : (this.tp + this.tn) / this.n;
  }
  balancedAccuracy(): number | null {
    const pos = this.tp + this.fn;
    const neg = this.tn + this.fp;
    if (pos === 0 || neg === 0) return null;
    return (this.tp / pos + this.tn / neg) / 2;
  }
}

function resolveOptions(options: HmmTrainOptions, who: string) {
  const o = {
    trainSize: options.trainSize ?? 1000,
    testSize: options.testSize ?? 250,
    embargo: options.embargo ?? 5,
    seed: options.seed ?? 1,
    efficiencyHorizon: options.efficiencyHorizon ?? 10,
    createdAt: options.createdAt,
    codeVersion: options.codeVersion,
  };
  if (!Number.isSafeInteger(o.efficiencyHorizon) || o.efficiencyHorizon < 1) {
    throw new RangeError(
      `${who}: efficiencyHorizon must be an integer >= 1 (got ${o.efficiencyHorizon})`,
    );
  }
  if (o.efficiencyHorizon >= o.trainSize) {
    throw new RangeError(
      `${who}: efficiencyHorizon (${o.efficiencyHorizon}) must be below trainSize (${o.trainSize})`,
    );
  }
  checkIsoTime(o.createdAt, "createdAt", who);
  if (typeof o.codeVersion !== "string" || o.codeVersion.length === 0) {
    throw new RangeError(`${who}: codeVersion must be a non-empty string`);
  }
  return o;
}
