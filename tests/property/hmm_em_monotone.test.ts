// Baum–Welch never lowers the likelihood: each EM iteration's ln L is at least the
// previous one (within 1e-9 relative, for rounding), whatever the data.
import assert from "node:assert/strict";
import fc from "fast-check";
import { fitHmm } from "../../shared/econometrics/mod.ts";

const seriesArb = fc.record({
  dims: fc.integer({ min: 1, max: 2 }),
  scale: fc.constantFrom(1e-3, 1, 100),
  values: fc.array(
    fc.oneof(
      fc.double({ min: -1, max: 1, noNaN: true }),
      fc.constantFrom(0, 0.5, -0.5), // ties, to push states towards collapse
      fc.double({ min: -20, max: 20, noNaN: true }), // outliers
    ),
    { minLength: 16, maxLength: 120 },
  ),
}).map(({ dims, scale, values }) => {
  const rows: number[][] = [];
  for (let i = 0; i + dims <= values.length; i += dims) {
    rows.push(values.slice(i, i + dims).map((v) => v * scale));
  }
  return rows;
}).filter((rows) => rows[0].every((_, j) => variance(rows.map((r) => r[j])) >= MIN_VARIANCE));

/**
 * Every dimension must vary by more than rounding: fitHmm refuses a dimension whose variance
 * floor (1e-6 × its variance) is not a normal double, e.g. zeros and a few denormals, whose
 * variance underflows. 1e-280 keeps tiny scales (values around 1e-140) in the property.
 */
const MIN_VARIANCE = 1e-280;

function variance(xs: number[]): number {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  return xs.reduce((a, x) => a + (x - m) ** 2, 0) / xs.length;
}

Deno.test("property: EM log-likelihood never decreases (K = 1..3, d = 1..2)", () => {
  fc.assert(
    fc.property(
      seriesArb,
      fc.integer({ min: 1, max: 3 }),
      fc.integer({ min: 0, max: 2 ** 31 }),
      (rows, states, seed) => {
        fc.pre(rows.length >= 2 * states);
        const fit = fitHmm(rows, { states, seed, maxIter: 40, tol: 0, restarts: 2 });
        const h = fit.history;
        assert.ok(h.length >= 1 && h.every(Number.isFinite));
        for (let i = 1; i < h.length; i++) {
          assert.ok(
            h[i] >= h[i - 1] - 1e-9 * Math.abs(h[i - 1]),
            `iteration ${i}: ${h[i - 1]} -> ${h[i]}`,
          );
        }
        // The fitted model is a valid model: probabilities sum to 1, variances positive.
        assert.ok(Math.abs(fit.pi.reduce((a, b) => a + b, 0) - 1) < 1e-9);
        for (const row of fit.A) assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-9);
        for (const v of fit.variances.flat()) assert.ok(v > 0);
        // Canonical order: variance of dimension 0 ascending.
        for (let k = 1; k < states; k++) {
          assert.ok(fit.variances[k][0] >= fit.variances[k - 1][0]);
        }
      },
    ),
    { numRuns: 150 },
  );
});

Deno.test("fitHmm refuses a numerically constant dimension with a clear error", () => {
  const zeros = Array.from({ length: 20 }, () => [0]);
  // the shrunk counterexample: the variance of zeros and one denormal underflows to 0
  assert.throws(
    () => fitHmm([...zeros, [-5e-324]], { states: 1, seed: 0 }),
    /dimension 0 is constant; nothing to fit/,
  );
  // variance ~1e-311 is positive, but its floor's reciprocal would overflow
  const tiny = zeros.map((_, i) => [(i % 3 - 1) * 1e-155]);
  assert.throws(
    () => fitHmm(tiny, { states: 2, seed: 0 }),
    /dimension 0 is numerically constant .*rescale the data/,
  );
  // the same shape at a scale the floor can carry fits, and EM does not lower ln L
  const small = zeros.map((_, i) => [(i % 3 - 1) * 1e-140 * (1 + i / 20)]);
  const fit = fitHmm(small, { states: 2, seed: 0, maxIter: 20, tol: 0 });
  assert.ok(fit.history.every(Number.isFinite));
  assert.ok(fit.history.at(-1)! >= fit.history[0]);
});
