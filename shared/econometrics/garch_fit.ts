// Maximum-likelihood fit of GARCH(1,1) (see garch.ts for the model).
//
// The optimiser works on unconstrained θ; the constraints hold by construction:
//   ω = exp(θ_ω) > 0
//   α + β = logistic(θ_p) ∈ (0, 1), α = (α + β)·logistic(θ_s), β = (α + β)·(1 − logistic(θ_s))
//   μ = μ_0 + sd·θ_μ            (only when the mean is estimated; sd rescales it to O(1))
//   ν = 2.05 + 497.95·logistic(θ_ν)   (only for Student-t; keeps 2 < ν ≤ 500)
// The objective is the negative mean log-likelihood with its analytic gradient (the
// σ² derivative recursion), minimised by fmin's conjugate gradient from several starts.
// σ²_0 is fixed before optimising to the training sample's mean squared deviation from
// the starting mean (the sample mean, or 0 with mean "zero"), as rugarch and arch's
// simple start do; it is returned as `initialVariance` so filtering reproduces the fit.
import { garchLogLikelihood, type GarchParams } from "./garch.ts";
import { minimize } from "./minimize.ts";
import { digamma, logGamma } from "./special_functions.ts";
import {
  checkFiniteSeries,
  checkPositiveInteger,
  mean,
  meanSquaredDeviation,
} from "./series_checks.ts";

export type GarchDistribution = "normal" | "student-t";
/** "estimate": μ fitted jointly; "sample": μ fixed at the sample mean; "zero": μ = 0. */
export type GarchMeanMode = "estimate" | "sample" | "zero";

export interface GarchFitOptions {
  distribution?: GarchDistribution;
  mean?: GarchMeanMode;
  /** Conjugate-gradient iterations allowed per start (default 1000). */
  maxIterations?: number;
}

export interface GarchFit extends GarchParams {
  distribution: GarchDistribution;
  logLikelihood: number;
  /** Iterations of the start that won. */
  iterations: number;
  /** True when the winning start ended with gradient norm ≤ GRADIENT_TOLERANCE. */
  converged: boolean;
  /** Gradient norm of the negative mean log-likelihood in θ at the optimum. */
  gradientNorm: number;
  /** Number of returns fitted. */
  n: number;
  /**
   * True when α + β is within STATIONARITY_MARGIN of 1 and the likelihood still rises
   * towards 1: the unconstrained maximum is integrated (IGARCH) or explosive, the fit sits
   * on the constraint, and `converged` only says the optimiser stopped there. Forecasts
   * then barely revert and the unconditional variance is not meaningful.
   */
  atStationarityBoundary: boolean;
}

/** fmin's own stopping threshold on the gradient norm. */
export const GARCH_GRADIENT_TOLERANCE = 1e-5;
export const GARCH_MIN_RETURNS = 100;
export const STATIONARITY_MARGIN = 1e-4;
const NU_MIN = 2.05;
const NU_SPAN = 500 - NU_MIN;
const NU_START = 8;

// (persistence α+β, α's share of it) for each start.
const STARTS: readonly [number, number][] = [[0.95, 0.1], [0.99, 0.05], [0.8, 0.25]];

interface Layout {
  distribution: GarchDistribution;
  estimateMean: boolean;
  mu0: number;
  muScale: number;
  initialVariance: number;
}

const logistic = (x: number): number => 1 / (1 + Math.exp(-x));
const logit = (p: number): number => Math.log(p / (1 - p));

function toParams(theta: readonly number[], layout: Layout): GarchParams {
  const persistence = logistic(theta[1]);
  const share = logistic(theta[2]);
  const params: GarchParams = {
    omega: Math.exp(theta[0]),
    alpha: persistence * share,
    beta: persistence * (1 - share),
    mu: layout.estimateMean ? layout.mu0 + layout.muScale * theta[3] : layout.mu0,
    initialVariance: layout.initialVariance,
  };
  if (layout.distribution === "student-t") {
    params.nu = NU_MIN + NU_SPAN * logistic(theta[layout.estimateMean ? 4 : 3]);
  }
  return params;
}

function startTheta(layout: Layout, persistence: number, share: number): number[] {
  const theta = [
    Math.log(layout.initialVariance * (1 - persistence)),
    logit(persistence),
    logit(share),
  ];
  if (layout.estimateMean) theta.push(0);
  if (layout.distribution === "student-t") theta.push(logit((NU_START - NU_MIN) / NU_SPAN));
  return theta;
}

/**
 * Log-likelihood and its gradient in the natural parameters
 * [ω, α, β, μ, ν] (ν entry 0 for Gaussian). Returns NaN where the model is undefined.
 */
export function garchLogLikelihoodGradient(
  p: GarchParams,
  returns: readonly number[],
  gradientOut: number[],
): number {
  const { omega, alpha, beta, mu, nu } = p;
  gradientOut.length = 5;
  gradientOut.fill(0);
  let v = p.initialVariance;
  // ∂σ²_t/∂(ω, α, β, μ); σ²_0 is a constant.
  let dOmega = 0, dAlpha = 0, dBeta = 0, dMu = 0;
  let gOmega = 0, gAlpha = 0, gBeta = 0, gMu = 0, gNu = 0;
  let ll = 0;
  const n = returns.length;
  const student = nu !== undefined;
  const nuv = nu ?? 0;
  const tConst = student
    ? logGamma((nuv + 1) / 2) - logGamma(nuv / 2) - 0.5 * Math.log(Math.PI * (nuv - 2))
    : 0;
  for (let t = 0; t < n; t++) {
    const e = returns[t] - mu;
    const e2 = e * e;
    let dv: number; // ∂ℓ_t/∂σ²_t
    let de: number; // ∂ℓ_t/∂ε_t
    if (!student) {
      ll += -0.5 * (Math.log(2 * Math.PI) + Math.log(v) + e2 / v);
      dv = (0.5 * (e2 - v)) / (v * v);
      de = -e / v;
    } else {
      const z = e2 / ((nuv - 2) * v);
      const log1pz = Math.log1p(z);
      ll += tConst - 0.5 * Math.log(v) - 0.5 * (nuv + 1) * log1pz;
      dv = -0.5 / v + (0.5 * (nuv + 1) * z) / ((1 + z) * v);
      de = -((nuv + 1) * e) / ((nuv - 2) * v * (1 + z));
      gNu += -0.5 * log1pz + (0.5 * (nuv + 1) * z) / ((1 + z) * (nuv - 2));
    }
    gOmega += dv * dOmega;
    gAlpha += dv * dAlpha;
    gBeta += dv * dBeta;
    gMu += dv * dMu - de;
    dOmega = 1 + beta * dOmega;
    dAlpha = e2 + beta * dAlpha;
    dBeta = v + beta * dBeta;
    dMu = -2 * alpha * e + beta * dMu;
    v = omega + alpha * e2 + beta * v;
  }
  if (student) {
    gNu += n * (0.5 * digamma((nuv + 1) / 2) - 0.5 * digamma(nuv / 2) - 0.5 / (nuv - 2));
  }
  gradientOut[0] = gOmega;
  gradientOut[1] = gAlpha;
  gradientOut[2] = gBeta;
  gradientOut[3] = gMu;
  gradientOut[4] = gNu;
  return ll;
}

function objective(returns: readonly number[], layout: Layout) {
  const natural = [0, 0, 0, 0, 0];
  const n = returns.length;
  return (theta: readonly number[], gradientOut: number[]): number => {
    const p = toParams(theta, layout);
    if (!(p.omega > 0 && p.alpha + p.beta < 1 && Number.isFinite(p.omega))) return Infinity;
    const ll = garchLogLikelihoodGradient(p, returns, natural);
    const persistence = p.alpha + p.beta;
    const share = logistic(theta[2]);
    const dPersistence = persistence * (1 - persistence);
    const dShare = share * (1 - share);
    // Chain rule to θ, then negate and divide by n (minimise the mean negative ℓ).
    const scale = -1 / n;
    gradientOut[0] = scale * natural[0] * p.omega;
    gradientOut[1] = scale * dPersistence * (natural[1] * share + natural[2] * (1 - share));
    gradientOut[2] = scale * persistence * dShare * (natural[1] - natural[2]);
    let k = 3;
    if (layout.estimateMean) gradientOut[k++] = scale * natural[3] * layout.muScale;
    if (layout.distribution === "student-t") {
      const s = ((p.nu as number) - NU_MIN) / NU_SPAN;
      gradientOut[k] = scale * natural[4] * NU_SPAN * s * (1 - s);
    }
    return scale * ll;
  };
}

/** Fits GARCH(1,1) by maximum likelihood to log returns (training data only). */
export function fitGarch(returns: readonly number[], opts: GarchFitOptions = {}): GarchFit {
  checkFiniteSeries(returns, "returns");
  if (returns.length < GARCH_MIN_RETURNS) {
    throw new RangeError(
      `fitGarch needs at least ${GARCH_MIN_RETURNS} returns (got ${returns.length})`,
    );
  }
  const distribution = opts.distribution ?? "normal";
  if (distribution !== "normal" && distribution !== "student-t") {
    throw new RangeError(
      `fitGarch: distribution must be "normal" or "student-t" (got ${String(distribution)})`,
    );
  }
  const meanMode = opts.mean ?? "estimate";
  if (meanMode !== "estimate" && meanMode !== "sample" && meanMode !== "zero") {
    throw new RangeError(
      `fitGarch: mean must be "estimate", "sample" or "zero" (got ${String(meanMode)})`,
    );
  }
  const maxIterations = opts.maxIterations ?? 1000;
  checkPositiveInteger(maxIterations, "fitGarch maxIterations");

  if (returns.every((r) => r === returns[0])) {
    throw new RangeError(
      "fitGarch: all returns are equal (zero variance); there is nothing to fit",
    );
  }
  const mu0 = meanMode === "zero" ? 0 : mean(returns);
  const initialVariance = meanSquaredDeviation(returns, mu0);
  if (!(initialVariance > 0)) {
    throw new RangeError("fitGarch: returns have zero variance; there is nothing to fit");
  }
  const layout: Layout = {
    distribution,
    estimateMean: meanMode === "estimate",
    mu0,
    muScale: Math.sqrt(initialVariance),
    initialVariance,
  };
  const f = objective(returns, layout);
  let best: ReturnType<typeof minimize> | null = null;
  for (const [persistence, share] of STARTS) {
    const result = minimize(f, startTheta(layout, persistence, share), maxIterations);
    if (best === null || result.value < best.value) best = result;
  }
  const winner = best as ReturnType<typeof minimize>;
  const params = toParams(winner.x, layout);
  return {
    ...params,
    distribution,
    logLikelihood: garchLogLikelihood(params, returns),
    iterations: winner.iterations,
    converged: winner.gradientNorm <= GARCH_GRADIENT_TOLERANCE,
    gradientNorm: winner.gradientNorm,
    n: returns.length,
    atStationarityBoundary: pushesAgainstStationarity(params, returns),
  };
}

function pushesAgainstStationarity(p: GarchParams, returns: readonly number[]): boolean {
  const persistence = p.alpha + p.beta;
  if (1 - persistence >= STATIONARITY_MARGIN) return false;
  const g: number[] = [];
  garchLogLikelihoodGradient(p, returns, g);
  // ∂ℓ/∂(α+β) with α's share of the persistence held fixed.
  const share = p.alpha / persistence;
  return share * g[1] + (1 - share) * g[2] > 0;
}
