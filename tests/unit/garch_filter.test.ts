import assert from "node:assert/strict";
import fc from "fast-check";
import {
  forecastVariance,
  forecastVarianceAhead,
  GarchFilter,
  garchFilter,
  garchLogLikelihood,
  type GarchParams,
  simulateGarch,
  unconditionalVariance,
} from "../../shared/econometrics/mod.ts";

const PARAMS: GarchParams = {
  omega: 1e-5,
  alpha: 0.08,
  beta: 0.9,
  mu: 0.0003,
  initialVariance: 4e-4,
};

function closeTo(actual: number, expected: number, relTol: number, what: string): void {
  const scale = Math.max(Math.abs(expected), Number.MIN_VALUE);
  assert.ok(
    Math.abs(actual - expected) <= relTol * scale,
    `${what}: ${actual} vs ${expected} (rel tol ${relTol})`,
  );
}

Deno.test("garchFilter: hand-computed recursion on three returns", () => {
  const r = [0.01, -0.02, 0.005];
  const v = garchFilter(PARAMS, r);
  const e0 = 0.01 - 0.0003;
  const v1 = 1e-5 + 0.08 * e0 * e0 + 0.9 * 4e-4;
  const e1 = -0.02 - 0.0003;
  const v2 = 1e-5 + 0.08 * e1 * e1 + 0.9 * v1;
  assert.deepEqual(v.length, 3);
  assert.equal(v[0], 4e-4);
  closeTo(v[1], v1, 1e-15, "sigma2_1");
  closeTo(v[2], v2, 1e-15, "sigma2_2");
  // The next forecast from the last state equals one more step of the recursion.
  const e2 = 0.005 - 0.0003;
  closeTo(
    forecastVariance(PARAMS, { variance: v[2], lastReturn: 0.005 }),
    1e-5 + 0.08 * e2 * e2 + 0.9 * v2,
    1e-15,
    "forecast",
  );
});

Deno.test("garchFilter: element t ignores returns t and later (no look-ahead)", () => {
  const r = simulateGarch({ ...PARAMS, initialVariance: 5e-4 }, 50, 3).returns;
  const base = garchFilter(PARAMS, r);
  const shocked = [...r];
  shocked[20] = 0.5; // a huge return at t = 20
  const after = garchFilter(PARAMS, shocked);
  assert.deepEqual(after.slice(0, 21), base.slice(0, 21));
  assert.ok(after[21] > base[21] * 10, "the shock must show up from t = 21 on");
});

Deno.test("garchLogLikelihood (Gaussian) equals a straightforward independent computation", () => {
  const { returns } = simulateGarch({ ...PARAMS, initialVariance: 5e-4 }, 2000, 11);
  let s2 = PARAMS.initialVariance;
  let expected = 0;
  for (const r of returns) {
    const e = r - PARAMS.mu;
    expected += Math.log(Math.exp((-e * e) / (2 * s2)) / Math.sqrt(2 * Math.PI * s2));
    s2 = PARAMS.omega + PARAMS.alpha * e * e + PARAMS.beta * s2;
  }
  closeTo(garchLogLikelihood(PARAMS, returns), expected, 1e-12, "log-likelihood");
});

Deno.test("garchLogLikelihood (Student-t) equals closed-form densities for nu = 5 and 6", () => {
  const { returns } = simulateGarch({ ...PARAMS, initialVariance: 5e-4, nu: 5 }, 2000, 12);
  // Γ(3) = 2, Γ(5/2) = 3√π/4, Γ(7/2) = 15√π/8.
  const sqrtPi = Math.sqrt(Math.PI);
  const cases: [number, number][] = [
    [5, 2 / ((3 * sqrtPi) / 4)], // Γ(3) / Γ(5/2)
    [6, ((15 * sqrtPi) / 8) / 2], // Γ(7/2) / Γ(3)
  ];
  for (const [nu, gammaRatio] of cases) {
    let s2 = PARAMS.initialVariance;
    let expected = 0;
    for (const r of returns) {
      const e = r - PARAMS.mu;
      const z = e / Math.sqrt(s2);
      const density = (gammaRatio / Math.sqrt(Math.PI * (nu - 2))) *
        Math.pow(1 + (z * z) / (nu - 2), -(nu + 1) / 2) / Math.sqrt(s2);
      expected += Math.log(density);
      s2 = PARAMS.omega + PARAMS.alpha * e * e + PARAMS.beta * s2;
    }
    closeTo(garchLogLikelihood({ ...PARAMS, nu }, returns), expected, 1e-11, `t(${nu}) ll`);
  }
});

Deno.test("GarchFilter (streaming) equals garchFilter (batch) bit for bit", () => {
  const { returns } = simulateGarch({ ...PARAMS, initialVariance: 5e-4 }, 3000, 5);
  const batch = garchFilter(PARAMS, returns);
  const stream = new GarchFilter(PARAMS);
  assert.equal(stream.forecast, PARAMS.initialVariance);
  const forecasts = [stream.forecast];
  for (const r of returns) forecasts.push(stream.update(r));
  assert.equal(stream.count, returns.length);
  assert.deepEqual(forecasts.slice(0, returns.length), batch);
  const last = returns.length - 1;
  assert.equal(
    forecasts[returns.length],
    forecastVariance(PARAMS, { variance: batch[last], lastReturn: returns[last] }),
  );
});

Deno.test("garchFilter: truncation invariance (prefix of the series gives the prefix of the output)", () => {
  const returnArb = fc.double({ min: -0.3, max: 0.3, noNaN: true });
  fc.assert(
    fc.property(
      fc.array(returnArb, { minLength: 1, maxLength: 200 }),
      fc.array(returnArb, { maxLength: 50 }),
      fc.double({ min: 0, max: 0.3, noNaN: true }),
      fc.double({ min: 0, max: 0.69, noNaN: true }),
      (prefix, suffix, alpha, beta) => {
        const p = { ...PARAMS, alpha, beta };
        const full = garchFilter(p, [...prefix, ...suffix]);
        assert.deepEqual(full.slice(0, prefix.length), garchFilter(p, prefix));
        for (const v of full) assert.ok(v > 0 && Number.isFinite(v));
      },
    ),
    { numRuns: 300 },
  );
});

Deno.test("forecastVarianceAhead reverts geometrically to the unconditional variance", () => {
  const longRun = unconditionalVariance(PARAMS);
  closeTo(longRun, 1e-5 / 0.02, 1e-12, "unconditional variance");
  const oneStep = 1e-3;
  assert.equal(forecastVarianceAhead(PARAMS, oneStep, 1), oneStep);
  closeTo(
    forecastVarianceAhead(PARAMS, oneStep, 11),
    longRun + Math.pow(0.98, 10) * (oneStep - longRun),
    1e-12,
    "11-step forecast",
  );
  // Iterating the expected recursion E[σ²_{t+h+1}] = ω + (α+β) E[σ²_{t+h}] gives the same.
  let v = oneStep;
  for (let h = 1; h < 30; h++) v = PARAMS.omega + (PARAMS.alpha + PARAMS.beta) * v;
  closeTo(forecastVarianceAhead(PARAMS, oneStep, 30), v, 1e-12, "30-step forecast");
});

Deno.test("GARCH functions refuse invalid parameters and inputs, naming the problem", () => {
  assert.throws(() => garchFilter({ ...PARAMS, omega: 0 }, [0.01]), /omega must be finite and > 0/);
  assert.throws(() => garchFilter({ ...PARAMS, alpha: -0.1 }, [0.01]), /alpha must be/);
  assert.throws(
    () => garchFilter({ ...PARAMS, alpha: 0.5, beta: 0.5 }, [0.01]),
    /alpha \+ beta must be < 1/,
  );
  assert.throws(() => garchFilter({ ...PARAMS, nu: 2 }, [0.01]), /nu must be finite and > 2/);
  assert.throws(() => garchFilter({ ...PARAMS, initialVariance: NaN }, []), /initialVariance/);
  assert.throws(() => garchFilter(PARAMS, [0.01, NaN]), /returns\[1\] must be a finite number/);
  assert.throws(() => new GarchFilter(PARAMS).update(Infinity), /finite number/);
  assert.throws(
    () => forecastVariance(PARAMS, { variance: -1, lastReturn: 0 }),
    /state variance must be finite and > 0/,
  );
  assert.throws(() => forecastVarianceAhead(PARAMS, 1e-4, 0), /horizon must be an integer >= 1/);
});
