// Seeded simulation from the fitted model families, for parameter-recovery tests and
// Monte Carlo use.
import { checkGarchParams, type GarchParams } from "./garch.ts";
import { checkHmmModel, type HmmModel } from "./hmm.ts";
import { Prng } from "./prng.ts";

function checkLength(n: number): void {
  if (!(Number.isSafeInteger(n) && n >= 0)) {
    throw new RangeError(`simulation length must be an integer >= 0 (got ${n})`);
  }
}

/** Returns r_t = μ + σ_t z_t with σ²_0 = initialVariance (z Student-t when `nu` is set). */
export function simulateGarch(
  p: GarchParams,
  n: number,
  seed: number,
): { returns: number[]; variances: number[] } {
  checkGarchParams(p);
  checkLength(n);
  const rng = new Prng(seed);
  const returns: number[] = [];
  const variances: number[] = [];
  let v = p.initialVariance;
  for (let t = 0; t < n; t++) {
    const z = p.nu === undefined ? rng.nextNormal() : rng.nextStandardizedT(p.nu);
    const e = Math.sqrt(v) * z;
    returns.push(p.mu + e);
    variances.push(v);
    v = p.omega + p.alpha * e * e + p.beta * v;
  }
  return { returns, variances };
}

function draw(probabilities: readonly number[], rng: Prng): number {
  const u = rng.nextFloat();
  let acc = 0;
  for (let k = 0; k < probabilities.length; k++) {
    acc += probabilities[k];
    if (u < acc) return k;
  }
  return probabilities.length - 1; // u landed in the rounding gap below 1
}

/** Hidden states and observations (rows of d values) drawn from the HMM. */
export function simulateHmm(
  model: HmmModel,
  n: number,
  seed: number,
): { states: number[]; observations: number[][] } {
  checkHmmModel(model);
  checkLength(n);
  const rng = new Prng(seed);
  const states: number[] = [];
  const observations: number[][] = [];
  let s = -1;
  for (let t = 0; t < n; t++) {
    s = draw(t === 0 ? model.pi : model.A[s], rng);
    states.push(s);
    observations.push(
      model.means[s].map((m, j) => m + Math.sqrt(model.variances[s][j]) * rng.nextNormal()),
    );
  }
  return { states, observations };
}
