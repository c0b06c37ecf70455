// logGamma and digamma, which the Student-t GARCH likelihood and its gradient rest on.
import assert from "node:assert/strict";
import fc from "fast-check";
import { digamma, logGamma } from "../../shared/econometrics/mod.ts";

const EULER_GAMMA = 0.5772156649015329;

Deno.test("logGamma matches factorials and Γ(1/2) = √π", () => {
  let factorial = 1;
  for (let n = 1; n <= 30; n++) {
    if (n > 1) factorial *= n - 1;
    const expected = Math.log(factorial);
    assert.ok(
      Math.abs(logGamma(n) - expected) <= 1e-13 * Math.max(1, Math.abs(expected)),
      `lnΓ(${n}) = ${logGamma(n)} vs ${expected}`,
    );
  }
  assert.ok(Math.abs(logGamma(0.5) - 0.5 * Math.log(Math.PI)) < 1e-14);
  assert.ok(Math.abs(logGamma(2.5) - Math.log(0.75 * Math.sqrt(Math.PI))) < 1e-14);
  // Small arguments go through the reflection formula: Γ(x) ≈ 1/x − γ near 0.
  const x = 1e-8;
  assert.ok(Math.abs(logGamma(x) - Math.log(1 / x - EULER_GAMMA)) < 1e-7);
});

Deno.test("logGamma satisfies lnΓ(x+1) = lnΓ(x) + ln x", () => {
  fc.assert(
    fc.property(fc.double({ min: 1e-3, max: 1e4, noNaN: true }), (x) => {
      const lhs = logGamma(x + 1);
      const rhs = logGamma(x) + Math.log(x);
      assert.ok(
        Math.abs(lhs - rhs) <= 1e-12 * Math.max(1, Math.abs(lhs)),
        `${x}: ${lhs} vs ${rhs}`,
      );
    }),
    { numRuns: 500 },
  );
});

Deno.test("digamma: ψ(1) = −γ, ψ(1/2) = −γ − 2 ln 2, and ψ = (lnΓ)'", () => {
  assert.ok(Math.abs(digamma(1) + EULER_GAMMA) < 1e-14);
  assert.ok(Math.abs(digamma(0.5) + EULER_GAMMA + 2 * Math.LN2) < 1e-14);
  fc.assert(
    fc.property(fc.double({ min: 0.05, max: 500, noNaN: true }), (x) => {
      const h = 1e-5 * x;
      const numeric = (logGamma(x + h) - logGamma(x - h)) / (2 * h);
      assert.ok(Math.abs(digamma(x) - numeric) < 1e-6 * Math.max(1, Math.abs(numeric)));
      // Recurrence ψ(x+1) = ψ(x) + 1/x.
      assert.ok(Math.abs(digamma(x + 1) - digamma(x) - 1 / x) < 1e-12 * Math.max(1, 1 / x));
    }),
    { numRuns: 300 },
  );
});

Deno.test("logGamma and digamma refuse arguments <= 0 or not finite", () => {
  for (const bad of [0, -1, NaN, Infinity]) {
    assert.throws(() => logGamma(bad), /logGamma needs a finite argument > 0/);
    assert.throws(() => digamma(bad), /digamma needs a finite argument > 0/);
  }
});
