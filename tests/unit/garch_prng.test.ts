// The seeded generator behind the GARCH/HMM simulations and the HMM random starts.
import assert from "node:assert/strict";
import { Prng } from "../../shared/econometrics/mod.ts";

function moments(draws: readonly number[]): { mean: number; variance: number; kurtosis: number } {
  const n = draws.length;
  const mean = draws.reduce((s, x) => s + x, 0) / n;
  let m2 = 0, m4 = 0;
  for (const x of draws) {
    m2 += (x - mean) ** 2;
    m4 += (x - mean) ** 4;
  }
  m2 /= n;
  m4 /= n;
  return { mean, variance: m2, kurtosis: m4 / (m2 * m2) };
}

Deno.test("Prng: equal seeds give equal streams, different seeds different ones", () => {
  const a = new Prng(42), b = new Prng(42), c = new Prng(43), d = new Prng(42 + 2 ** 32);
  const take = (p: Prng) => Array.from({ length: 20 }, () => p.nextUint32());
  const sa = take(a);
  assert.deepEqual(sa, take(b));
  assert.notDeepEqual(sa, take(c));
  assert.notDeepEqual(sa, take(d));
});

Deno.test("Prng: uniforms in [0, 1) with mean 1/2 and variance 1/12", () => {
  const p = new Prng(1);
  const u = Array.from({ length: 200_000 }, () => p.nextFloat());
  assert.ok(u.every((x) => x >= 0 && x < 1));
  const m = moments(u);
  // Standard errors: mean sqrt(1/12/n) ≈ 6.5e-4, variance ≈ 1.9e-4 at n = 200000.
  assert.ok(Math.abs(m.mean - 0.5) < 4 * 6.5e-4, `mean ${m.mean}`);
  assert.ok(Math.abs(m.variance - 1 / 12) < 4 * 1.9e-4, `variance ${m.variance}`);
  const counts = new Array(10).fill(0);
  for (let i = 0; i < 100_000; i++) counts[p.nextInt(10)]++;
  // χ² with 9 degrees of freedom; 27.9 is its 0.999 quantile.
  const chi2 = counts.reduce((s, c) => s + (c - 10_000) ** 2 / 10_000, 0);
  assert.ok(chi2 < 27.9, `chi2 ${chi2}`);
});

Deno.test("Prng: normal and standardized-t draws have the right moments", () => {
  const p = new Prng(2);
  const n = 200_000;
  const z = moments(Array.from({ length: n }, () => p.nextNormal()));
  assert.ok(Math.abs(z.mean) < 4 / Math.sqrt(n), `normal mean ${z.mean}`);
  assert.ok(Math.abs(z.variance - 1) < 4 * Math.sqrt(2 / n), `normal variance ${z.variance}`);
  assert.ok(Math.abs(z.kurtosis - 3) < 0.05, `normal kurtosis ${z.kurtosis}`);
  // Unit variance by construction; t(8) has excess kurtosis 6/(ν−4) = 1.5.
  const t = moments(Array.from({ length: n }, () => p.nextStandardizedT(8)));
  assert.ok(Math.abs(t.mean) < 4 / Math.sqrt(n), `t mean ${t.mean}`);
  assert.ok(Math.abs(t.variance - 1) < 0.02, `t variance ${t.variance}`);
  assert.ok(t.kurtosis > 3.9 && t.kurtosis < 5.1, `t kurtosis ${t.kurtosis}`);
  // Gamma(k) has mean and variance k, also for k < 1.
  for (const k of [0.4, 3.5]) {
    const g = moments(Array.from({ length: n }, () => p.nextGamma(k)));
    assert.ok(Math.abs(g.mean - k) < 4 * Math.sqrt(k / n), `gamma(${k}) mean ${g.mean}`);
    assert.ok(Math.abs(g.variance / k - 1) < 0.03, `gamma(${k}) variance ${g.variance}`);
  }
});

Deno.test("Prng refuses bad seeds and parameters", () => {
  assert.throws(() => new Prng(1.5), /seed must be a safe integer/);
  assert.throws(() => new Prng(NaN), /seed must be a safe integer/);
  const p = new Prng(0);
  assert.throws(() => p.nextInt(0), /positive safe integer/);
  assert.throws(() => p.nextGamma(0), /shape must be finite and > 0/);
  assert.throws(() => p.nextStandardizedT(2), /nu > 2/);
});
