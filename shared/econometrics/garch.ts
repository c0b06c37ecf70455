// GARCH(1,1) on log returns r_t with constant mean μ:
//   ε_t = r_t − μ,   σ²_0 = initialVariance,   σ²_t = ω + α ε²_{t−1} + β σ²_{t−1}  (t ≥ 1).
// σ²_t is the variance of r_t forecast from r_0..r_{t−1} only. The start value
// `initialVariance` is part of the parameters (fitGarch sets it to the training sample's
// variance) so that a filtered series never depends on data after the bar it describes.
// With `nu` set, ε_t / σ_t is a Student-t with ν degrees of freedom scaled to unit
// variance; without it, standard normal.
import { logGamma } from "./special_functions.ts";
import { checkFiniteSeries } from "./series_checks.ts";

export interface GarchParams {
  omega: number;
  alpha: number;
  beta: number;
  mu: number;
  /** σ²_0: the variance assumed for the first return, before any data. */
  initialVariance: number;
  /** Student-t degrees of freedom (> 2); absent for Gaussian innovations. */
  nu?: number;
}

/** What the next forecast needs: the latest return and the variance forecast for it. */
export interface GarchState {
  /** σ²_t, the variance that was forecast for `lastReturn`. */
  variance: number;
  /** r_t, the latest realised return. */
  lastReturn: number;
}

const LOG_TWO_PI = Math.log(2 * Math.PI);

export function checkGarchParams(p: GarchParams): void {
  const bad = (field: string, rule: string, value: unknown) => {
    throw new RangeError(`GARCH parameter ${field} must be ${rule} (got ${value})`);
  };
  if (!(Number.isFinite(p.omega) && p.omega > 0)) bad("omega", "finite and > 0", p.omega);
  if (!(Number.isFinite(p.alpha) && p.alpha >= 0)) bad("alpha", "finite and >= 0", p.alpha);
  if (!(Number.isFinite(p.beta) && p.beta >= 0)) bad("beta", "finite and >= 0", p.beta);
  if (!(p.alpha + p.beta < 1)) {
    bad("alpha + beta", "< 1 (covariance stationarity)", p.alpha + p.beta);
  }
  if (!Number.isFinite(p.mu)) bad("mu", "finite", p.mu);
  if (!(Number.isFinite(p.initialVariance) && p.initialVariance > 0)) {
    bad("initialVariance", "finite and > 0", p.initialVariance);
  }
  if (p.nu !== undefined && !(Number.isFinite(p.nu) && p.nu > 2)) {
    bad("nu", "finite and > 2 (or absent for Gaussian innovations)", p.nu);
  }
}

/** ω / (1 − α − β): the long-run variance the forecasts revert to. */
export function unconditionalVariance(p: GarchParams): number {
  checkGarchParams(p);
  return p.omega / (1 - p.alpha - p.beta);
}

/** σ²_{t+1} = ω + α (r_t − μ)² + β σ²_t. */
export function forecastVariance(p: GarchParams, state: GarchState): number {
  checkGarchParams(p);
  checkState(state);
  return nextVariance(p, state.variance, state.lastReturn);
}

/**
 * Variance forecast `horizon` steps ahead given the one-step forecast σ²_{t+1}:
 * V + (α + β)^{h−1} (σ²_{t+1} − V), V the unconditional variance.
 */
export function forecastVarianceAhead(
  p: GarchParams,
  oneStepVariance: number,
  horizon: number,
): number {
  if (!(Number.isFinite(oneStepVariance) && oneStepVariance > 0)) {
    throw new RangeError(`oneStepVariance must be finite and > 0 (got ${oneStepVariance})`);
  }
  if (!(Number.isSafeInteger(horizon) && horizon >= 1)) {
    throw new RangeError(`horizon must be an integer >= 1 (got ${horizon})`);
  }
  const longRun = unconditionalVariance(p);
  return longRun + Math.pow(p.alpha + p.beta, horizon - 1) * (oneStepVariance - longRun);
}

/** σ²_t for every t: element t uses returns[0..t−1] only. */
export function garchFilter(p: GarchParams, returns: readonly number[]): number[] {
  checkGarchParams(p);
  checkFiniteSeries(returns, "returns");
  const out = new Array<number>(returns.length);
  let v = p.initialVariance;
  for (let t = 0; t < returns.length; t++) {
    out[t] = v;
    v = nextVariance(p, v, returns[t]);
  }
  return out;
}

/** Log-likelihood of `returns` under the model (Student-t when `p.nu` is set). */
export function garchLogLikelihood(p: GarchParams, returns: readonly number[]): number {
  const variances = garchFilter(p, returns);
  const logDensity = p.nu === undefined ? gaussianLogDensity : studentTLogDensity(p.nu);
  let total = 0;
  for (let t = 0; t < returns.length; t++) {
    total += logDensity(returns[t] - p.mu, variances[t]);
  }
  return total;
}

/** Streaming filter: feed returns one at a time, read the forecast for the next one. */
export class GarchFilter {
  readonly params: GarchParams;
  #variance: number;
  #count = 0;

  constructor(params: GarchParams) {
    checkGarchParams(params);
    this.params = { ...params };
    this.#variance = params.initialVariance;
  }

  /** σ² forecast for the next return (initialVariance before any update). */
  get forecast(): number {
    return this.#variance;
  }

  /** Number of returns seen. */
  get count(): number {
    return this.#count;
  }

  /** Takes r_t and returns σ²_{t+1}, the variance forecast for the next return. */
  update(logReturn: number): number {
    if (typeof logReturn !== "number" || !Number.isFinite(logReturn)) {
      throw new RangeError(`GarchFilter.update: return must be a finite number (got ${logReturn})`);
    }
    this.#variance = nextVariance(this.params, this.#variance, logReturn);
    this.#count++;
    return this.#variance;
  }
}

function nextVariance(p: GarchParams, variance: number, r: number): number {
  const e = r - p.mu;
  return p.omega + p.alpha * e * e + p.beta * variance;
}

function checkState(s: GarchState): void {
  if (!(Number.isFinite(s.variance) && s.variance > 0)) {
    throw new RangeError(`GARCH state variance must be finite and > 0 (got ${s.variance})`);
  }
  if (!Number.isFinite(s.lastReturn)) {
    throw new RangeError(`GARCH state lastReturn must be finite (got ${s.lastReturn})`);
  }
}

export function gaussianLogDensity(residual: number, variance: number): number {
  return -0.5 * (LOG_TWO_PI + Math.log(variance) + (residual * residual) / variance);
}

/** Log density of a residual whose standardised value is unit-variance Student-t(ν). */
export function studentTLogDensity(nu: number): (residual: number, variance: number) => number {
  const constant = logGamma((nu + 1) / 2) - logGamma(nu / 2) - 0.5 * Math.log(Math.PI * (nu - 2));
  return (residual, variance) =>
    constant - 0.5 * Math.log(variance) -
    0.5 * (nu + 1) * Math.log1p((residual * residual) / ((nu - 2) * variance));
}
