// Online HMM filtering is causal and normalised: P(state_t | obs_0..t) sums to 1 and does
// not change when later observations are appended.
import assert from "node:assert/strict";
import fc from "fast-check";
import { HmmFilter, hmmFilter, type HmmModel } from "../../shared/econometrics/mod.ts";

const normalise = (w: number[]): number[] => {
  const s = w.reduce((a, b) => a + b, 0);
  return w.map((x) => x / s);
};

const weightsArb = (k: number) =>
  fc.array(fc.double({ min: 1e-6, max: 1, noNaN: true }), { minLength: k, maxLength: k })
    .map(normalise);

const modelArb = fc.record({ k: fc.integer({ min: 1, max: 3 }), d: fc.integer({ min: 1, max: 2 }) })
  .chain(({ k, d }) =>
    fc.record({
      pi: weightsArb(k),
      A: fc.array(weightsArb(k), { minLength: k, maxLength: k }),
      means: fc.array(
        fc.array(fc.double({ min: -5, max: 5, noNaN: true }), { minLength: d, maxLength: d }),
        { minLength: k, maxLength: k },
      ),
      variances: fc.array(
        fc.array(fc.double({ min: 1e-4, max: 10, noNaN: true }), { minLength: d, maxLength: d }),
        { minLength: k, maxLength: k },
      ),
    })
  );

const caseArb = modelArb.chain((model: HmmModel) => {
  const d = model.means[0].length;
  const row = fc.array(fc.double({ min: -50, max: 50, noNaN: true }), {
    minLength: d,
    maxLength: d,
  });
  return fc.record({
    model: fc.constant(model),
    prefix: fc.array(row, { minLength: 1, maxLength: 60 }),
    suffix: fc.array(row, { maxLength: 30 }),
  });
});

Deno.test("property: filtered probabilities are in [0, 1] and sum to 1", () => {
  fc.assert(
    fc.property(caseArb, ({ model, prefix, suffix }) => {
      for (const p of hmmFilter(model, [...prefix, ...suffix])) {
        assert.ok(p.every((x) => x >= 0 && x <= 1), `${p}`);
        assert.ok(Math.abs(p.reduce((a, b) => a + b, 0) - 1) < 1e-12, `${p}`);
      }
    }),
    { numRuns: 300 },
  );
});

Deno.test("property: filter at t is unchanged when later observations are appended", () => {
  fc.assert(
    fc.property(caseArb, ({ model, prefix, suffix }) => {
      const short = hmmFilter(model, prefix);
      const long = hmmFilter(model, [...prefix, ...suffix]);
      assert.deepEqual(long.slice(0, prefix.length), short);
      // The streaming filter gives the same numbers one bar at a time.
      const f = new HmmFilter(model);
      prefix.forEach((x, t) => assert.deepEqual(f.update(x), short[t]));
    }),
    { numRuns: 300 },
  );
});
