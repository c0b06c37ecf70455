// Test helpers for the GARCH tests: standard errors from the observed information,
// computed from log-likelihood values only (independent of the fit's analytic gradient).
import { garchLogLikelihood, type GarchParams } from "../../shared/econometrics/mod.ts";

export type GarchKey = "omega" | "alpha" | "beta" | "mu" | "nu";

/** Solves M x = b by Gauss–Jordan elimination with partial pivoting. */
export function solve(matrix: readonly number[][], b: readonly number[]): number[] {
  const n = b.length;
  const m = matrix.map((row, i) => [...row, b[i]]);
  for (let c = 0; c < n; c++) {
    let pivot = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r][c]) > Math.abs(m[pivot][c])) pivot = r;
    [m[c], m[pivot]] = [m[pivot], m[c]];
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = m[r][c] / m[c][c];
      for (let k = c; k <= n; k++) m[r][k] -= f * m[c][k];
    }
  }
  return m.map((row, i) => row[n] / row[i]);
}

/**
 * Asymptotic standard errors sqrt(diag((−H)⁻¹)), H the Hessian of the log-likelihood in
 * the natural parameters by central second differences with steps `steps`.
 */
export function garchStandardErrors(
  p: GarchParams,
  returns: readonly number[],
  keys: readonly GarchKey[],
  steps: readonly number[],
): number[] {
  const f = (shifts: number[]): number => {
    const q: GarchParams = { ...p };
    keys.forEach((k, i) => {
      q[k] = (p[k] as number) + shifts[i];
    });
    return garchLogLikelihood(q, returns);
  };
  const n = keys.length;
  const h = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  const at = (i: number, si: number, j: number, sj: number): number => {
    const s = new Array<number>(n).fill(0);
    s[i] += si * steps[i];
    s[j] += sj * steps[j];
    return f(s);
  };
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      const v = (at(i, 1, j, 1) - at(i, 1, j, -1) - at(i, -1, j, 1) + at(i, -1, j, -1)) /
        (4 * steps[i] * steps[j]);
      h[i][j] = v;
      h[j][i] = v;
    }
  }
  const negH = h.map((row) => row.map((v) => -v));
  return keys.map((_, i) => {
    const e = new Array<number>(n).fill(0);
    e[i] = 1;
    return Math.sqrt(solve(negH, e)[i]);
  });
}
