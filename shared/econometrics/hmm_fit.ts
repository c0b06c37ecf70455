// Baum–Welch (EM) for the Gaussian HMM of hmm.ts, forward–backward in log space.
// Training only: the smoothed probabilities used here look at the whole training series,
// which is fine for estimating parameters and never used to label bars online.
//
// Several starts (one deterministic, the rest drawn from a seeded Prng) each run EM to
// convergence; the start with the highest log-likelihood wins. States are then put in a
// canonical order, by variance of the first observation dimension ascending (ties by
// mean), so that state 0 is always the calmest regime.
import { type HmmModel, type HmmObservation, toObservationRows } from "./hmm.ts";
import { Prng } from "./prng.ts";
import { checkPositiveFinite, checkPositiveInteger } from "./series_checks.ts";

export interface HmmFitOptions {
  /** Number of hidden states K (2 or 3 in practice; any K ≥ 1 is accepted). */
  states: number;
  /** Seed of the random starts. */
  seed: number;
  /** EM iterations per start (default 500). */
  maxIter?: number;
  /** Stop when an iteration raises ln L by at most tol·|ln L| (default 1e-8). */
  tol?: number;
  /** Number of starts, the first deterministic (default 5). */
  restarts?: number;
  /**
   * Lower bound on every state variance, as a fraction of that dimension's sample
   * variance (default 1e-6). It stops a state collapsing onto a single observation,
   * where the likelihood is unbounded; the M-step maximises subject to it, so EM still
   * never lowers the likelihood.
   */
  varianceFloor?: number;
}

export interface HmmFit extends HmmModel {
  logLikelihood: number;
  /** ln L after each E-step of the winning start; history[i] is for the i-th parameters. */
  history: number[];
  /** M-steps of the winning start. */
  iterations: number;
  converged: boolean;
  /** Index of the winning start (0 = the deterministic one). */
  start: number;
}

interface Work {
  rows: number[][];
  T: number;
  K: number;
  d: number;
  floors: number[];
  logB: Float64Array;
  logAlpha: Float64Array;
  logBeta: Float64Array;
}

function logSumExp(values: Float64Array, from: number, count: number): number {
  let m = -Infinity;
  for (let i = from; i < from + count; i++) if (values[i] > m) m = values[i];
  if (m === -Infinity) return -Infinity;
  let s = 0;
  for (let i = from; i < from + count; i++) s += Math.exp(values[i] - m);
  return m + Math.log(s);
}

/** Writes exp(values[from+i] − M) into `out` and returns M = max (−∞ if all are −∞). */
function shiftedExp(values: Float64Array, from: number, count: number, out: Float64Array): number {
  let m = -Infinity;
  for (let i = from; i < from + count; i++) if (values[i] > m) m = values[i];
  for (let i = 0; i < count; i++) out[i] = m === -Infinity ? 0 : Math.exp(values[from + i] - m);
  return m;
}

interface Expectations {
  logLikelihood: number;
  gamma: Float64Array; // T×K
  xiSum: Float64Array; // K×K, summed over t
}

/** E-step: log-space forward–backward; returns ln L, γ and Σ_t ξ_t. */
function expectations(model: HmmModel, w: Work): Expectations {
  const { T, K, d, rows, logB, logAlpha, logBeta } = w;
  const logNormalisers = model.variances.map((v) =>
    v.reduce((acc, vj) => acc + Math.log(2 * Math.PI * vj), 0)
  );
  const precisions = model.variances.map((v) => v.map((vj) => 1 / vj));
  for (let t = 0; t < T; t++) {
    const x = rows[t];
    for (let k = 0; k < K; k++) {
      const m = model.means[k];
      const p = precisions[k];
      let s = logNormalisers[k];
      for (let j = 0; j < d; j++) {
        const dx = x[j] - m[j];
        s += dx * dx * p[j];
      }
      logB[t * K + k] = -0.5 * s;
    }
  }
  const logA = model.A.map((row) => Float64Array.from(row, Math.log));
  // Each recursion step factors out the largest log term M, so the K×K product runs on
  // probabilities in [0, 1]: K exps and K logs per bar instead of K² exps, with the same
  // relative precision as a full log-sum-exp (log 0 = −∞ is the exact answer there).
  const weights = new Float64Array(K);
  for (let k = 0; k < K; k++) logAlpha[k] = Math.log(model.pi[k]) + logB[k];
  for (let t = 1; t < T; t++) {
    const m = shiftedExp(logAlpha, (t - 1) * K, K, weights);
    for (let j = 0; j < K; j++) {
      let s = 0;
      for (let i = 0; i < K; i++) s += weights[i] * model.A[i][j];
      logAlpha[t * K + j] = m + Math.log(s) + logB[t * K + j];
    }
  }
  const logLikelihood = logSumExp(logAlpha, (T - 1) * K, K);
  const ahead = new Float64Array(K);
  for (let k = 0; k < K; k++) logBeta[(T - 1) * K + k] = 0;
  for (let t = T - 2; t >= 0; t--) {
    for (let j = 0; j < K; j++) ahead[j] = logB[(t + 1) * K + j] + logBeta[(t + 1) * K + j];
    const m = shiftedExp(ahead, 0, K, weights);
    for (let i = 0; i < K; i++) {
      const row = model.A[i];
      let s = 0;
      for (let j = 0; j < K; j++) s += row[j] * weights[j];
      logBeta[t * K + i] = m + Math.log(s);
    }
  }
  const gamma = new Float64Array(T * K);
  for (let t = 0; t < T; t++) {
    let s = 0;
    for (let k = 0; k < K; k++) {
      const g = Math.exp(logAlpha[t * K + k] + logBeta[t * K + k] - logLikelihood);
      gamma[t * K + k] = g;
      s += g;
    }
    // Renormalise away rounding so each γ_t sums to 1 exactly enough.
    for (let k = 0; k < K; k++) gamma[t * K + k] /= s;
  }
  const xiSum = new Float64Array(K * K);
  for (let t = 0; t < T - 1; t++) {
    for (let j = 0; j < K; j++) ahead[j] = logB[(t + 1) * K + j] + logBeta[(t + 1) * K + j];
    for (let i = 0; i < K; i++) {
      const a = logAlpha[t * K + i] - logLikelihood;
      const row = logA[i];
      for (let j = 0; j < K; j++) xiSum[i * K + j] += Math.exp(a + row[j] + ahead[j]);
    }
  }
  return { logLikelihood, gamma, xiSum };
}

/** M-step; a state with no weight keeps its previous parameters (any value is optimal). */
function maximise(prev: HmmModel, e: Expectations, w: Work): HmmModel {
  const { T, K, d, rows, floors } = w;
  const pi = Array.from({ length: K }, (_, k) => e.gamma[k]);
  const piSum = pi.reduce((a, b) => a + b, 0);
  const A = prev.A.map((row, i) => {
    let s = 0;
    for (let j = 0; j < K; j++) s += e.xiSum[i * K + j];
    return s > 0 ? row.map((_, j) => e.xiSum[i * K + j] / s) : [...row];
  });
  const means: number[][] = [];
  const variances: number[][] = [];
  for (let k = 0; k < K; k++) {
    let weight = 0;
    const m = new Array<number>(d).fill(0);
    for (let t = 0; t < T; t++) {
      const g = e.gamma[t * K + k];
      weight += g;
      for (let j = 0; j < d; j++) m[j] += g * rows[t][j];
    }
    if (!(weight > 0)) {
      means.push([...prev.means[k]]);
      variances.push([...prev.variances[k]]);
      continue;
    }
    for (let j = 0; j < d; j++) m[j] /= weight;
    const v = new Array<number>(d).fill(0);
    for (let t = 0; t < T; t++) {
      const g = e.gamma[t * K + k];
      for (let j = 0; j < d; j++) {
        const dx = rows[t][j] - m[j];
        v[j] += g * dx * dx;
      }
    }
    means.push(m);
    variances.push(v.map((s, j) => Math.max(s / weight, floors[j])));
  }
  return { pi: pi.map((p) => p / piSum), A, means, variances };
}

interface StartResult {
  model: HmmModel;
  history: number[];
  converged: boolean;
}

function runEm(start: HmmModel, w: Work, maxIter: number, tol: number): StartResult {
  let model = start;
  const history: number[] = [];
  for (let iter = 0;; iter++) {
    const e = expectations(model, w);
    history.push(e.logLikelihood);
    if (!Number.isFinite(e.logLikelihood)) {
      throw new RangeError(`fitHmm: log-likelihood became ${e.logLikelihood} at iteration ${iter}`);
    }
    const n = history.length;
    if (n > 1 && history[n - 1] - history[n - 2] <= tol * Math.abs(history[n - 1])) {
      return { model, history, converged: true };
    }
    if (iter === maxIter) return { model, history, converged: false };
    model = maximise(model, e, w);
  }
}

function columnStats(rows: readonly number[][], d: number): { mean: number[]; variance: number[] } {
  const mean = new Array<number>(d).fill(0);
  const variance = new Array<number>(d).fill(0);
  for (const x of rows) for (let j = 0; j < d; j++) mean[j] += x[j];
  for (let j = 0; j < d; j++) mean[j] /= rows.length;
  for (const x of rows) for (let j = 0; j < d; j++) variance[j] += (x[j] - mean[j]) ** 2;
  for (let j = 0; j < d; j++) variance[j] /= rows.length;
  return { mean, variance };
}

function stickyTransitions(K: number, stay: number): number[][] {
  return Array.from(
    { length: K },
    (_, i) =>
      Array.from({ length: K }, (_, j) => K === 1 ? 1 : i === j ? stay : (1 - stay) / (K - 1)),
  );
}

/** Deterministic start: split bars into K groups by distance from the mean of dimension 0. */
function quantileStart(w: Work, stats: { mean: number[] }): HmmModel {
  const { rows, K, d, floors } = w;
  const order = rows.map((x, t) => ({ t, dev: Math.abs(x[0] - stats.mean[0]) }))
    .sort((a, b) => a.dev - b.dev || a.t - b.t);
  const means: number[][] = [];
  const variances: number[][] = [];
  for (let k = 0; k < K; k++) {
    const from = Math.floor((k * rows.length) / K);
    const to = Math.floor(((k + 1) * rows.length) / K);
    const group = order.slice(from, to).map((o) => rows[o.t]);
    const s = columnStats(group, d);
    means.push(s.mean);
    variances.push(s.variance.map((v, j) => Math.max(v, floors[j])));
  }
  return { pi: new Array<number>(K).fill(1 / K), A: stickyTransitions(K, 0.9), means, variances };
}

/** Random start: K distinct observations as means, variances spread around the sample's. */
function randomStart(w: Work, stats: { variance: number[] }, rng: Prng): HmmModel {
  const { rows, K, floors } = w;
  const picked = new Set<number>();
  while (picked.size < K) picked.add(rng.nextInt(rows.length));
  const means = [...picked].map((t) => [...rows[t]]);
  const variances = means.map(() =>
    stats.variance.map((v, j) => Math.max(v * Math.exp(0.7 * rng.nextNormal()), floors[j]))
  );
  const A = stickyTransitions(K, 0.5 + 0.45 * rng.nextFloat()).map((row) => {
    const noisy = row.map((p) => p * (0.75 + 0.5 * rng.nextFloat()));
    const s = noisy.reduce((a, b) => a + b, 0);
    return noisy.map((p) => p / s);
  });
  return { pi: new Array<number>(K).fill(1 / K), A, means, variances };
}

/** Relabels states by variance of dimension 0 ascending, ties by mean of dimension 0. */
export function canonicalStateOrder(model: HmmModel): HmmModel {
  const K = model.pi.length;
  const order = Array.from({ length: K }, (_, k) => k).sort((a, b) =>
    model.variances[a][0] - model.variances[b][0] || model.means[a][0] - model.means[b][0] ||
    a - b
  );
  return {
    pi: order.map((k) => model.pi[k]),
    A: order.map((i) => order.map((j) => model.A[i][j])),
    means: order.map((k) => [...model.means[k]]),
    variances: order.map((k) => [...model.variances[k]]),
  };
}

/** The smallest positive normal double (2^-1022). */
const MIN_NORMAL = 2 ** -1022;

/** Fits a K-state diagonal Gaussian HMM to one observation sequence by Baum–Welch. */
export function fitHmm(observations: readonly HmmObservation[], opts: HmmFitOptions): HmmFit {
  const K = opts.states;
  checkPositiveInteger(K, "fitHmm states");
  if (!Number.isSafeInteger(opts.seed)) {
    throw new RangeError(`fitHmm seed must be a safe integer (got ${opts.seed})`);
  }
  const maxIter = opts.maxIter ?? 500;
  checkPositiveInteger(maxIter, "fitHmm maxIter");
  const tol = opts.tol ?? 1e-8;
  if (!(Number.isFinite(tol) && tol >= 0)) {
    throw new RangeError(`fitHmm tol must be finite and >= 0 (got ${tol})`);
  }
  const restarts = opts.restarts ?? 5;
  checkPositiveInteger(restarts, "fitHmm restarts");
  const floorFraction = opts.varianceFloor ?? 1e-6;
  checkPositiveFinite(floorFraction, "fitHmm varianceFloor");

  const rows = toObservationRows(observations);
  const T = rows.length;
  if (T < 2 * K) {
    throw new RangeError(`fitHmm needs at least ${2 * K} observations for ${K} states (got ${T})`);
  }
  const d = rows[0].length;
  if (d < 1) throw new RangeError("fitHmm observations need at least one value each");
  const stats = columnStats(rows, d);
  const floors = stats.variance.map((v) => v * floorFraction);
  stats.variance.forEach((v, j) => {
    if (!(v > 0)) {
      throw new RangeError(`fitHmm: observation dimension ${j} is constant; nothing to fit`);
    }
    // A floor below the smallest normal double has an infinite or imprecise reciprocal
    // (the density's precision): the likelihood would overflow. Such a dimension is
    // constant to within floating point; rescaling the data makes it fittable.
    if (!(floors[j] >= MIN_NORMAL)) {
      throw new RangeError(
        `fitHmm: observation dimension ${j} is numerically constant (variance ${v}, floor ` +
          `${floors[j]} below ${MIN_NORMAL}); rescale the data`,
      );
    }
  });
  const w: Work = {
    rows,
    T,
    K,
    d,
    floors,
    logB: new Float64Array(T * K),
    logAlpha: new Float64Array(T * K),
    logBeta: new Float64Array(T * K),
  };
  const rng = new Prng(opts.seed);
  let best: StartResult | null = null;
  let bestStart = 0;
  for (let s = 0; s < restarts; s++) {
    const init = s === 0 ? quantileStart(w, stats) : randomStart(w, stats, rng);
    const result = runEm(init, w, maxIter, tol);
    const ll = result.history[result.history.length - 1];
    if (best === null || ll > best.history[best.history.length - 1]) {
      best = result;
      bestStart = s;
    }
  }
  const winner = best as StartResult;
  return {
    ...canonicalStateOrder(winner.model),
    logLikelihood: winner.history[winner.history.length - 1],
    history: winner.history,
    iterations: winner.history.length - 1,
    converged: winner.converged,
    start: bestStart,
  };
}
