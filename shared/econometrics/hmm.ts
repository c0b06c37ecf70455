// Gaussian hidden Markov model with diagonal covariance, and its online use: forward
// filtering only, P(state_t | obs_0..t). Smoothing (which looks at later observations) is
// confined to training in hmm_fit.ts and is never offered for online use.
import { checkFiniteSeries } from "./series_checks.ts";

export interface HmmModel {
  /** Initial state probabilities, length K. */
  pi: number[];
  /** Transition matrix, K×K, A[i][j] = P(state_{t+1} = j | state_t = i). */
  A: number[][];
  /** State means, K×d. */
  means: number[][];
  /** State variances (diagonal covariance), K×d. */
  variances: number[][];
}

/** One observation per bar: a number (d = 1) or a vector of d numbers. */
export type HmmObservation = number | readonly number[];

const LOG_TWO_PI = Math.log(2 * Math.PI);
const PROBABILITY_SUM_TOLERANCE = 1e-9;

export function hmmDimensions(model: HmmModel): { states: number; dims: number } {
  return { states: model.pi.length, dims: model.means[0]?.length ?? 0 };
}

function checkProbabilityVector(p: readonly number[], name: string): void {
  let sum = 0;
  for (let i = 0; i < p.length; i++) {
    if (!(Number.isFinite(p[i]) && p[i] >= 0 && p[i] <= 1)) {
      throw new RangeError(`${name}[${i}] must be a probability in [0, 1] (got ${p[i]})`);
    }
    sum += p[i];
  }
  if (Math.abs(sum - 1) > PROBABILITY_SUM_TOLERANCE) {
    throw new RangeError(`${name} must sum to 1 (sums to ${sum})`);
  }
}

export function checkHmmModel(model: HmmModel): void {
  const k = model.pi?.length ?? 0;
  if (k < 1) throw new RangeError("HMM needs at least one state (pi is empty)");
  checkProbabilityVector(model.pi, "HMM pi");
  if (model.A?.length !== k) {
    throw new RangeError(`HMM A must have ${k} rows (has ${model.A?.length})`);
  }
  model.A.forEach((row, i) => {
    if (row.length !== k) throw new RangeError(`HMM A[${i}] must have ${k} entries`);
    checkProbabilityVector(row, `HMM A[${i}]`);
  });
  if (model.means?.length !== k || model.variances?.length !== k) {
    throw new RangeError(`HMM means and variances must have ${k} rows`);
  }
  const d = model.means[0].length;
  if (d < 1) throw new RangeError("HMM observations need at least one dimension");
  for (let i = 0; i < k; i++) {
    if (model.means[i].length !== d || model.variances[i].length !== d) {
      throw new RangeError(
        `HMM means[${i}] has ${model.means[i].length} values and variances[${i}] has ${
          model.variances[i].length
        }; every state needs ${d} (the length of means[0])`,
      );
    }
    for (let j = 0; j < d; j++) {
      if (!Number.isFinite(model.means[i][j])) {
        throw new RangeError(`HMM means[${i}][${j}] must be finite (got ${model.means[i][j]})`);
      }
      const v = model.variances[i][j];
      if (!(Number.isFinite(v) && v > 0)) {
        throw new RangeError(`HMM variances[${i}][${j}] must be finite and > 0 (got ${v})`);
      }
    }
  }
}

/** Turns observations into rows of length d, refusing ragged or non-finite input. */
export function toObservationRows(
  observations: readonly HmmObservation[],
  dims?: number,
): number[][] {
  if (!Array.isArray(observations)) {
    throw new TypeError("observations must be an array of numbers or of number vectors");
  }
  const rows = observations.map((o, t) => toRow(o, `observations[${t}]`));
  const d = dims ?? rows[0]?.length;
  rows.forEach((row, t) => {
    if (row.length !== d) {
      throw new RangeError(`observations[${t}] has ${row.length} values; expected ${d}`);
    }
  });
  return rows;
}

function toRow(o: HmmObservation, name: string): number[] {
  const row = typeof o === "number" ? [o] : Array.isArray(o) ? [...o] : null;
  if (row === null) throw new TypeError(`${name} must be a number or an array of numbers`);
  checkFiniteSeries(row, name);
  return row;
}

/** ln N(x; mean_k, diag(variances_k)) for every state k, written into `out`. */
export function emissionLogDensities(model: HmmModel, x: readonly number[], out: number[]): void {
  for (let k = 0; k < model.pi.length; k++) {
    const m = model.means[k];
    const v = model.variances[k];
    let s = 0;
    for (let j = 0; j < x.length; j++) {
      const dx = x[j] - m[j];
      s += LOG_TWO_PI + Math.log(v[j]) + (dx * dx) / v[j];
    }
    out[k] = -0.5 * s;
  }
}

/**
 * Online forward filter. Before any update `probabilities` is the prior `pi`; each update
 * folds in one observation and returns P(state_t | obs_0..t).
 */
export class HmmFilter {
  readonly model: HmmModel;
  readonly states: number;
  readonly dims: number;
  #probabilities: number[];
  #logLikelihood = 0;
  #count = 0;
  #logDensities: number[];

  constructor(model: HmmModel) {
    checkHmmModel(model);
    this.model = structuredClone(model);
    ({ states: this.states, dims: this.dims } = hmmDimensions(model));
    this.#probabilities = [...model.pi];
    this.#logDensities = new Array<number>(this.states).fill(0);
  }

  /** Filtered state probabilities after the latest update (pi before the first). */
  get probabilities(): number[] {
    return [...this.#probabilities];
  }

  /** ln p(obs_0..t) accumulated so far. */
  get logLikelihood(): number {
    return this.#logLikelihood;
  }

  get count(): number {
    return this.#count;
  }

  /** P(state_{t+1} | obs_0..t): the filtered probabilities pushed through A. */
  predictNext(): number[] {
    return this.#count === 0 ? [...this.#probabilities] : this.#propagate();
  }

  update(observation: HmmObservation): number[] {
    const x = toRow(observation, "HmmFilter.update observation");
    if (x.length !== this.dims) {
      throw new RangeError(
        `HmmFilter.update: observation has ${x.length} values; the model expects ${this.dims}`,
      );
    }
    const prior = this.predictNext();
    emissionLogDensities(this.model, x, this.#logDensities);
    // Work in logs, shifted by the largest term, so that no state underflows to zero
    // unless its prior probability is exactly zero.
    const logJoint = prior.map((p, k) => Math.log(p) + this.#logDensities[k]);
    const shift = Math.max(...logJoint);
    if (!Number.isFinite(shift)) {
      throw new RangeError(
        `HmmFilter.update: observation ${this.#count} [${
          x.join(", ")
        }] has no finite density under any reachable state`,
      );
    }
    let total = 0;
    const next = logJoint.map((l) => {
      const w = Math.exp(l - shift);
      total += w;
      return w;
    });
    this.#probabilities = next.map((w) => w / total);
    this.#logLikelihood += Math.log(total) + shift;
    this.#count++;
    return [...this.#probabilities];
  }

  #propagate(): number[] {
    const out = new Array<number>(this.states).fill(0);
    for (let i = 0; i < this.states; i++) {
      const p = this.#probabilities[i];
      const row = this.model.A[i];
      for (let j = 0; j < this.states; j++) out[j] += p * row[j];
    }
    return out;
  }
}

/** Filtered probabilities for every t (row t uses observations 0..t only). */
export function hmmFilter(model: HmmModel, observations: readonly HmmObservation[]): number[][] {
  const filter = new HmmFilter(model);
  return toObservationRows(observations, filter.dims).map((x) => filter.update(x));
}

/** ln p(observations) under the model, by the scaled forward recursion. */
export function hmmLogLikelihood(model: HmmModel, observations: readonly HmmObservation[]): number {
  const filter = new HmmFilter(model);
  for (const x of toObservationRows(observations, filter.dims)) filter.update(x);
  return filter.logLikelihood;
}

/**
 * The stationary distribution s of the chain (s A = s, Σ s = 1). Filtering a new series
 * with a fitted model should usually start from this rather than the fitted `pi`, which
 * Baum–Welch fits to the first bar of the training series and is often nearly one-hot.
 * Throws when the chain has no unique stationary distribution (it is reducible).
 */
export function stationaryDistribution(A: readonly (readonly number[])[]): number[] {
  const k = A.length;
  A.forEach((row, i) => {
    if (row.length !== k) throw new RangeError(`A[${i}] must have ${k} entries`);
    checkProbabilityVector(row, `A[${i}]`);
  });
  // Rows 0..k−2 of (Aᵀ − I) s = 0, the last replaced by Σ s = 1.
  const m = Array.from(
    { length: k },
    (_, i) =>
      i === k - 1
        ? [...new Array<number>(k).fill(1), 1]
        : [...A.map((row, j) => row[i] - (i === j ? 1 : 0)), 0],
  );
  for (let c = 0; c < k; c++) {
    let pivot = c;
    for (let r = c + 1; r < k; r++) if (Math.abs(m[r][c]) > Math.abs(m[pivot][c])) pivot = r;
    if (Math.abs(m[pivot][c]) < 1e-12) {
      throw new RangeError("the transition matrix has no unique stationary distribution");
    }
    [m[c], m[pivot]] = [m[pivot], m[c]];
    for (let r = 0; r < k; r++) {
      if (r === c) continue;
      const f = m[r][c] / m[c][c];
      for (let j = c; j <= k; j++) m[r][j] -= f * m[c][j];
    }
  }
  const s = m.map((row, i) => Math.max(0, row[k] / row[i]));
  const total = s.reduce((a, b) => a + b, 0);
  return s.map((x) => x / total);
}
