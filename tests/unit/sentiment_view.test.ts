// The mapping from decayed sentiment to direction probabilities and confidence, by hand.
import assert from "node:assert/strict";
import fc from "fast-check";
import { logisticDirection, sentimentView } from "../../agents/sentiment/mod.ts";

const opts = { scoreScale: 0.5, halfConfidenceWeight: 2 };
const sum = (p: { down: number; flat: number; up: number }) => p.down + p.flat + p.up;

Deno.test("no news: uniform probabilities and confidence 0", () => {
  assert.deepEqual(sentimentView({ mean: 0, weight: 0 }, opts), {
    probs: { down: 1 / 3, flat: 1 / 3, up: 1 / 3 },
    confidence: 0,
  });
});

Deno.test("hand-computed: weight 2 gives confidence 1/2, mean = scale gives logits (-1, 0, 1)", () => {
  const v = sentimentView({ mean: 0.5, weight: 2 }, opts);
  assert.equal(v.confidence, 0.5);
  const e = Math.E;
  const total = 1 / e + 1 + e;
  const mix = (p: number) => 0.5 / 3 + 0.5 * p;
  assert.ok(Math.abs(v.probs.up - mix(e / total)) < 1e-15);
  assert.ok(Math.abs(v.probs.flat - mix(1 / total)) < 1e-15);
  assert.ok(Math.abs(v.probs.down - mix(1 / e / total)) < 1e-15);
  // Mirror image for a negative mean.
  const neg = sentimentView({ mean: -0.5, weight: 2 }, opts);
  assert.equal(neg.probs.down, v.probs.up);
  assert.equal(neg.probs.up, v.probs.down);
  // A neutral mean stays uniform however much news there is.
  const neutral = sentimentView({ mean: 0, weight: 50 }, opts);
  for (const p of Object.values(neutral.probs)) assert.ok(Math.abs(p - 1 / 3) < 1e-15);
  assert.equal(neutral.confidence, 50 / 52);
});

Deno.test("logisticDirection never overflows and is exact at the extremes", () => {
  assert.deepEqual(logisticDirection(0), { down: 1 / 3, flat: 1 / 3, up: 1 / 3 });
  assert.deepEqual(logisticDirection(1e6), { down: 0, flat: 0, up: 1 });
  assert.deepEqual(logisticDirection(-1e6), { down: 1, flat: 0, up: 0 });
  assert.throws(() => sentimentView({ mean: NaN, weight: 1 }, opts), /mean NaN/);
  assert.throws(() => sentimentView({ mean: 0, weight: -1 }, opts), /weight -1/);
});

Deno.test("property: probabilities in [0, 1] summing to 1; more news, more confidence; higher mean, more up", () => {
  fc.assert(
    fc.property(
      fc.double({ min: -1, max: 1, noNaN: true }),
      fc.double({ min: 0, max: 1e6, noNaN: true }),
      fc.double({ min: 1e-6, max: 1, noNaN: true }),
      (mean, weight, delta) => {
        const v = sentimentView({ mean, weight }, opts);
        for (const p of Object.values(v.probs)) assert.ok(p >= 0 && p <= 1);
        assert.ok(Math.abs(sum(v.probs) - 1) < 1e-12);
        assert.ok(v.confidence >= 0 && v.confidence < 1);
        const more = sentimentView({ mean, weight: weight + delta }, opts);
        assert.ok(more.confidence >= v.confidence);
        const higher = sentimentView({ mean: mean + delta, weight }, opts);
        assert.ok(higher.probs.up >= v.probs.up && higher.probs.down <= v.probs.down);
      },
    ),
    { numRuns: 500 },
  );
});
