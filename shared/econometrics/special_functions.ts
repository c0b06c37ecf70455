// Log-gamma and digamma for positive arguments, needed by the Student-t likelihood and its
// derivative in ν.

// Lanczos approximation, g = 7, n = 9 (the coefficients used by Numerical Recipes 3rd ed.
// and many libraries); relative error about 1e-15 for x > 0.
const LANCZOS_G = 7;
const LANCZOS = [
  0.99999999999980993,
  676.5203681218851,
  -1259.1392167224028,
  771.32342877765313,
  -176.61502916214059,
  12.507343278686905,
  -0.13857109526572012,
  9.9843695780195716e-6,
  1.5056327351493116e-7,
];
const HALF_LOG_TWO_PI = 0.5 * Math.log(2 * Math.PI);

function checkPositive(x: number, name: string): void {
  if (!(Number.isFinite(x) && x > 0)) {
    throw new RangeError(`${name} needs a finite argument > 0 (got ${x})`);
  }
}

/** ln Γ(x) for x > 0. */
export function logGamma(x: number): number {
  checkPositive(x, "logGamma");
  if (x < 0.5) {
    // Reflection keeps accuracy near 0: Γ(x)Γ(1−x) = π / sin(πx).
    return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  }
  const z = x - 1;
  let sum = LANCZOS[0];
  for (let i = 1; i < LANCZOS.length; i++) sum += LANCZOS[i] / (z + i);
  const t = z + LANCZOS_G + 0.5;
  return HALF_LOG_TWO_PI + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

/**
 * ψ(x) = d/dx ln Γ(x) for x > 0: the recurrence ψ(x) = ψ(x+1) − 1/x up to x ≥ 10, then the
 * asymptotic series through the x^-12 term (truncation error below 1e-15).
 */
export function digamma(x: number): number {
  checkPositive(x, "digamma");
  let shift = 0;
  let y = x;
  while (y < 10) {
    shift -= 1 / y;
    y += 1;
  }
  const inv = 1 / y;
  const inv2 = inv * inv;
  const series = inv2 *
    (1 / 12 -
      inv2 *
        (1 / 120 - inv2 * (1 / 252 - inv2 * (1 / 240 - inv2 * (1 / 132 - inv2 * (691 / 32760))))));
  return shift + Math.log(y) - 0.5 * inv - series;
}
