import assert from "node:assert/strict";
import {
  fitGarch,
  garchLogLikelihood,
  garchLogLikelihoodGradient,
  type GarchParams,
  simulateGarch,
} from "../../shared/econometrics/mod.ts";
import { type GarchKey, garchStandardErrors } from "./garch_test_helpers.ts";

const TRUE: GarchParams = {
  omega: 1e-5,
  alpha: 0.08,
  beta: 0.9,
  mu: 0,
  initialVariance: 1e-5 / (1 - 0.98),
};

Deno.test("garchLogLikelihoodGradient matches central differences of the log-likelihood", () => {
  const { returns } = simulateGarch({ ...TRUE, nu: 7 }, 3000, 21);
  const keys: GarchKey[] = ["omega", "alpha", "beta", "mu", "nu"];
  for (const p of [{ ...TRUE, mu: 2e-4 }, { ...TRUE, mu: -1e-4, nu: 6.5 }] as GarchParams[]) {
    const grad: number[] = [];
    garchLogLikelihoodGradient(p, returns, grad);
    const active = p.nu === undefined ? keys.slice(0, 4) : keys;
    for (const key of active) {
      const i = keys.indexOf(key);
      const base = p[key] as number;
      const h = key === "mu" ? 1e-6 : 1e-6 * Math.abs(base);
      const up = garchLogLikelihood({ ...p, [key]: base + h }, returns);
      const down = garchLogLikelihood({ ...p, [key]: base - h }, returns);
      const numeric = (up - down) / (2 * h);
      assert.ok(
        Math.abs(grad[i] - numeric) <= 1e-5 * Math.max(1, Math.abs(numeric)),
        `d ll / d ${key}${p.nu ? " (t)" : ""}: analytic ${grad[i]} vs numeric ${numeric}`,
      );
    }
    if (p.nu === undefined) assert.equal(grad[4], 0);
  }
});

Deno.test("fitGarch recovers omega, alpha, beta, mu from 20000 simulated returns (Gaussian)", () => {
  const { returns } = simulateGarch(TRUE, 20000, 20240601);
  const fit = fitGarch(returns);
  assert.equal(fit.distribution, "normal");
  assert.equal(fit.nu, undefined);
  assert.ok(fit.converged, `gradient norm ${fit.gradientNorm} after ${fit.iterations} iterations`);
  assert.equal(fit.n, 20000);
  // The optimum is at least as likely as the truth (same σ²_0).
  assert.ok(
    fit.logLikelihood >=
      garchLogLikelihood({ ...TRUE, initialVariance: fit.initialVariance }, returns),
  );
  assert.equal(fit.logLikelihood, garchLogLikelihood(fit, returns));
  // Tolerance: 4 asymptotic standard errors from the observed information at the fit (a
  // correct estimator lands within that with probability > 0.999 per parameter), and the
  // standard errors themselves must be small enough for the test to mean something.
  const keys: GarchKey[] = ["omega", "alpha", "beta", "mu"];
  const se = garchStandardErrors(fit, returns, keys, [1e-3 * fit.omega, 1e-3, 1e-3, 1e-5]);
  assert.ok(se[1] < 0.01 && se[2] < 0.015 && se[0] < 0.3 * TRUE.omega, `se ${se}`);
  keys.forEach((k, i) => {
    const err = Math.abs((fit[k] as number) - (TRUE[k] as number));
    assert.ok(err <= 4 * se[i], `${k}: fitted ${fit[k]}, true ${TRUE[k]}, se ${se[i]}`);
  });
});

Deno.test("fitGarch with Student-t innovations recovers nu = 6 and the variance parameters", () => {
  const truth = { ...TRUE, nu: 6 };
  const { returns } = simulateGarch(truth, 20000, 7);
  const fit = fitGarch(returns, { distribution: "student-t" });
  assert.equal(fit.distribution, "student-t");
  assert.ok(fit.converged, `gradient norm ${fit.gradientNorm}`);
  const keys: GarchKey[] = ["omega", "alpha", "beta", "mu", "nu"];
  const se = garchStandardErrors(fit, returns, keys, [1e-3 * fit.omega, 1e-3, 1e-3, 1e-5, 1e-2]);
  assert.ok(se[4] < 1, `se(nu) ${se[4]}`);
  keys.forEach((k, i) => {
    const err = Math.abs((fit[k] as number) - (truth[k] as number));
    assert.ok(err <= 4 * se[i], `${k}: fitted ${fit[k]}, true ${truth[k]}, se ${se[i]}`);
  });
  // On fat-tailed data the t model beats the Gaussian one by a wide margin.
  const gaussian = fitGarch(returns, { mean: "estimate" });
  assert.ok(fit.logLikelihood > gaussian.logLikelihood + 50);
});

Deno.test("fitGarch mean modes: zero fixes mu at 0, sample at the sample mean", () => {
  const { returns } = simulateGarch({ ...TRUE, mu: 5e-4 }, 3000, 9);
  const sampleMean = returns.reduce((a, b) => a + b, 0) / returns.length;
  const zero = fitGarch(returns, { mean: "zero" });
  const sample = fitGarch(returns, { mean: "sample" });
  const estimated = fitGarch(returns, { mean: "estimate" });
  assert.equal(zero.mu, 0);
  assert.equal(sample.mu, sampleMean);
  // σ²_0 is the mean square about the starting mean.
  const msd = (c: number) => returns.reduce((s, r) => s + (r - c) ** 2, 0) / returns.length;
  assert.equal(zero.initialVariance, msd(0));
  assert.equal(sample.initialVariance, msd(sampleMean));
  // Freeing mu cannot lower the maximum (same σ²_0 as the "sample" fit).
  assert.ok(estimated.logLikelihood >= sample.logLikelihood - 1e-6);
  for (const f of [zero, sample, estimated]) {
    assert.ok(f.converged);
    assert.ok(f.alpha >= 0 && f.beta >= 0 && f.alpha + f.beta < 1 && f.omega > 0);
  }
});

Deno.test("fitGarch is deterministic", () => {
  const { returns } = simulateGarch(TRUE, 1500, 4);
  assert.deepEqual(fitGarch(returns), fitGarch(returns));
});

Deno.test("fitGarch refuses bad input with clear errors", () => {
  const ok = simulateGarch(TRUE, 200, 1).returns;
  assert.throws(() => fitGarch(ok.slice(0, 50)), /at least 100 returns \(got 50\)/);
  assert.throws(() => fitGarch([...ok, NaN]), /returns\[200\] must be a finite number/);
  assert.throws(() => fitGarch(new Array(200).fill(0.001)), /zero variance/);
  assert.throws(
    () => fitGarch(ok, { distribution: "cauchy" as "normal" }),
    /distribution must be "normal" or "student-t"/,
  );
  assert.throws(() => fitGarch(ok, { mean: "median" as "zero" }), /mean must be "estimate"/);
  assert.throws(
    () => fitGarch(ok, { maxIterations: 0 }),
    /maxIterations must be a positive integer/,
  );
});
