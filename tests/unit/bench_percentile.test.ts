// Nearest-rank percentiles used by the pipeline benchmark (tests/bench/pipeline_percentile.ts).
import assert from "node:assert/strict";
import fc from "fast-check";
import { nearestRank, summarize } from "../bench/pipeline_percentile.ts";

Deno.test("nearestRank: the textbook example (15, 20, 35, 40, 50)", () => {
  const xs = [35, 15, 50, 40, 20]; // unsorted on purpose
  assert.equal(nearestRank(xs, 5), 15);
  assert.equal(nearestRank(xs, 30), 20);
  assert.equal(nearestRank(xs, 40), 20);
  assert.equal(nearestRank(xs, 50), 35);
  assert.equal(nearestRank(xs, 100), 50);
  assert.equal(nearestRank(xs, 0), 15);
  assert.deepEqual(xs, [35, 15, 50, 40, 20], "input left unsorted");
});

Deno.test("nearestRank: p99 of 1..400 is 396, of 1..100 is 99, of 1..10 is 10", () => {
  const upTo = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
  assert.equal(nearestRank(upTo(400), 99), 396);
  assert.equal(nearestRank(upTo(400), 50), 200);
  assert.equal(nearestRank(upTo(100), 99), 99);
  assert.equal(nearestRank(upTo(10), 99), 10);
  assert.equal(nearestRank(upTo(401), 50), 201);
});

Deno.test("nearestRank: refuses empty input, bad p and non-finite samples", () => {
  assert.throws(() => nearestRank([], 50), /non-empty array/);
  assert.throws(() => nearestRank([1], -1), /p must be a number in \[0, 100\] \(got -1\)/);
  assert.throws(() => nearestRank([1], 101), /got 101/);
  assert.throws(() => nearestRank([1], NaN), /got NaN/);
  assert.throws(() => nearestRank([1, NaN], 50), /sample 1 is not a finite number/);
  assert.throws(() => nearestRank([1, Infinity], 50), /sample 1/);
});

Deno.test("nearestRank: is a sample, and the smallest with at least p % of samples ≤ it", () => {
  fc.assert(fc.property(
    fc.array(fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }), {
      minLength: 1,
      maxLength: 200,
    }),
    fc.integer({ min: 1, max: 100 }),
    (xs, p) => {
      const r = nearestRank(xs, p);
      assert.ok(xs.includes(r));
      const atMost = xs.filter((x) => x <= r).length;
      const below = xs.filter((x) => x < r).length;
      assert.ok(atMost * 100 >= p * xs.length, `${atMost} of ${xs.length} ≤ ${r} at p${p}`);
      assert.ok(below * 100 < p * xs.length, `${below} of ${xs.length} < ${r} at p${p}`);
    },
  ));
});

Deno.test("nearestRank: monotone in p", () => {
  fc.assert(fc.property(
    fc.array(fc.integer({ min: -1000, max: 1000 }), { minLength: 1, maxLength: 100 }),
    fc.integer({ min: 0, max: 100 }),
    fc.integer({ min: 0, max: 100 }),
    (xs, a, b) => {
      const [lo, hi] = a <= b ? [a, b] : [b, a];
      assert.ok(nearestRank(xs, lo) <= nearestRank(xs, hi));
    },
  ));
});

Deno.test("summarize: p50, p99 and n; nulls for no samples", () => {
  assert.deepEqual(summarize([]), { p50: null, p99: null, n: 0 });
  assert.deepEqual(summarize([3, 1, 2]), { p50: 2, p99: 3, n: 3 });
  const xs = Array.from({ length: 1000 }, (_, i) => 1000 - i); // 1000 .. 1
  assert.deepEqual(summarize(xs), { p50: 500, p99: 990, n: 1000 });
});

Deno.test("nearestRank: an integral rank is not rounded up by floating point (p7 of 1..100)", () => {
  const xs = Array.from({ length: 100 }, (_, i) => i + 1);
  assert.equal(nearestRank(xs, 7), 7);
  assert.equal(nearestRank(xs, 29), 29);
});
