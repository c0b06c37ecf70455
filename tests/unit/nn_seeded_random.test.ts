// Seeds and batch orders of the nn training path: equal seeds repeat, different seeds differ,
// and every batch order is a permutation.
import assert from "node:assert/strict";
import fc from "fast-check";
import { deriveSeed, seededPermutation } from "../../shared/nn/mod.ts";

Deno.test("seededPermutation is a permutation of 0..n-1 that repeats for a seed", () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 300 }), fc.integer(), (n, seed) => {
      const p = seededPermutation(n, seed);
      assert.deepEqual([...p].sort((a, b) => a - b), Array.from({ length: n }, (_, i) => i));
      assert.deepEqual(seededPermutation(n, seed), p);
    }),
  );
});

Deno.test("seededPermutation orders differ between seeds and are not the identity", () => {
  const a = [...seededPermutation(50, 1)];
  const b = [...seededPermutation(50, 2)];
  assert.notDeepEqual(a, b);
  assert.notDeepEqual(a, Array.from({ length: 50 }, (_, i) => i));
});

Deno.test("deriveSeed gives distinct 32-bit seeds per index and per seed, also above 2^32", () => {
  const seeds = new Set<number>();
  for (const base of [0, 1, 2, 2 ** 32, 2 ** 32 + 1]) {
    for (let i = 0; i < 20; i++) {
      const s = deriveSeed(base, i);
      assert.ok(Number.isInteger(s) && s >= 0 && s < 2 ** 32, `seed ${s}`);
      seeds.add(s);
    }
  }
  assert.equal(seeds.size, 100);
  assert.equal(deriveSeed(7, 3), deriveSeed(7, 3));
});

Deno.test("bad seeds and sizes are refused with the offending value", () => {
  assert.throws(() => deriveSeed(1.5, 0), /seed must be a safe integer \(got 1.5\)/);
  assert.throws(() => deriveSeed(1, Number.NaN), /index must be a safe integer/);
  assert.throws(() => seededPermutation(-1, 1), /n must be a non-negative integer \(got -1\)/);
  assert.throws(() => seededPermutation(3, Infinity), /seed must be a safe integer/);
});
