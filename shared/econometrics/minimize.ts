// Unconstrained minimisation through the `fmin` package's Polak–Ribière conjugate gradient
// with a Wolfe line search. (fmin's Nelder–Mead is not used: its shrink step assigns an
// undeclared variable and throws in strict mode.)
import { conjugateGradient } from "fmin";

/** Returns f(x) and writes ∇f(x) into `gradientOut`. */
export type Objective = (x: readonly number[], gradientOut: number[]) => number;

export interface MinimizeResult {
  x: number[];
  value: number;
  /** Euclidean norm of the gradient at `x`. */
  gradientNorm: number;
  /** Conjugate-gradient iterations (line searches) performed. */
  iterations: number;
}

interface FminPoint {
  x: number[];
  fx: number;
  fxprime: number[];
}

type FminConjugateGradient = (
  f: (x: number[], fxprime: number[]) => number,
  initial: number[],
  params: { maxIterations: number; history: unknown[] },
) => FminPoint;

const cg = conjugateGradient as FminConjugateGradient;

/**
 * Minimises `f` from `x0`. fmin stops when the gradient norm falls to 1e-5 or after
 * `maxIterations`. Points where f or its gradient is not finite are reported to the line
 * search as +Infinity, so it backs off instead of stepping into them.
 */
export function minimize(
  f: Objective,
  x0: readonly number[],
  maxIterations: number,
): MinimizeResult {
  if (!(Number.isSafeInteger(maxIterations) && maxIterations > 0)) {
    throw new RangeError(`maxIterations must be a positive integer (got ${maxIterations})`);
  }
  const start = [...x0];
  const startGradient = new Array<number>(start.length).fill(0);
  if (!Number.isFinite(f(start, startGradient)) || !startGradient.every(Number.isFinite)) {
    throw new RangeError(`objective is not finite at the starting point [${start.join(", ")}]`);
  }
  const guarded = (x: number[], gradientOut: number[]): number => {
    const value = f(x, gradientOut);
    if (Number.isFinite(value) && gradientOut.every(Number.isFinite)) return value;
    gradientOut.fill(0);
    return Infinity;
  };
  const history: unknown[] = [];
  const best = cg(guarded, start, { maxIterations, history });
  return {
    x: [...best.x],
    value: best.fx,
    gradientNorm: Math.hypot(...best.fxprime),
    // fmin records one entry per iteration plus the final point.
    iterations: Math.max(0, history.length - 1),
  };
}
