import assert from "node:assert/strict";
import fc from "fast-check";
import { mean, percentileRank, RollingWindow, sampleStdDev } from "../../shared/features/mod.ts";

Deno.test("RollingWindow keeps the newest `size` values, oldest first", () => {
  const w = new RollingWindow(3);
  assert.deepEqual(w.values(), []);
  w.push(1);
  w.push(2);
  assert.equal(w.full, false);
  assert.deepEqual(w.values(), [1, 2]);
  w.push(3);
  w.push(4);
  w.push(5);
  assert.equal(w.full, true);
  assert.equal(w.length, 3);
  assert.deepEqual(w.values(), [3, 4, 5]);
  assert.throws(() => new RollingWindow(0), /size: expected an integer >= 1 \(got 0\)/);
});

Deno.test("RollingWindow equals the tail of the pushed sequence (property)", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 12 }),
      fc.array(fc.integer({ min: -1000, max: 1000 }), { maxLength: 60 }),
      (size, xs) => {
        const w = new RollingWindow(size);
        xs.forEach((x) => w.push(x));
        assert.deepEqual(w.values(), xs.slice(Math.max(0, xs.length - size)));
      },
    ),
  );
});

Deno.test("mean, sample standard deviation and percentile rank on known samples", () => {
  assert.equal(mean([1, 2, 3, 4]), 2.5);
  // Sample sd of 2,4,4,4,5,5,7,9: sum of squares 32 over 7.
  assert.equal(sampleStdDev([2, 4, 4, 4, 5, 5, 7, 9]), Math.sqrt(32 / 7));
  assert.equal(sampleStdDev([3, 3, 3]), 0);
  assert.throws(() => sampleStdDev([1]), /need >= 2 values \(got 1\)/);
  assert.throws(() => mean([]), /empty sample/);
  assert.equal(percentileRank([1, 2, 3, 4], 4), 3.5 / 4);
  assert.equal(percentileRank([1, 2, 3, 4], 1), 0.5 / 4);
  assert.equal(percentileRank([5, 5, 5, 5], 5), 0.5);
  assert.throws(() => percentileRank([], 1), /empty sample/);
});
