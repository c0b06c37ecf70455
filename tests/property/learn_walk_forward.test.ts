// Invariants of walk-forward splits over random options: no training label reaches into its
// test window, train and test (plus embargo) never overlap, test windows are ordered.
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  directionLabels,
  type WalkForwardOptions,
  walkForwardSplits,
} from "../../shared/learn/mod.ts";

const optionsArb: fc.Arbitrary<WalkForwardOptions> = fc.record({
  n: fc.integer({ min: 0, max: 400 }),
  trainSize: fc.integer({ min: 1, max: 120 }),
  testSize: fc.integer({ min: 1, max: 60 }),
  extraStep: fc.integer({ min: 0, max: 30 }),
  horizon: fc.integer({ min: 0, max: 15 }),
  embargo: fc.integer({ min: 0, max: 15 }),
  mode: fc.constantFrom("rolling" as const, "expanding" as const),
  defaultStep: fc.boolean(),
}).map(({ extraStep, defaultStep, ...o }) => ({
  ...o,
  step: defaultStep ? undefined : o.testSize + extraStep,
}));

const range = ([s, e]: readonly [number, number]) => Array.from({ length: e - s }, (_, i) => s + i);

Deno.test("walk-forward: purge, embargo and ordering hold for every fold", () => {
  fc.assert(
    fc.property(optionsArb, (o) => {
      if (o.trainSize + o.horizon >= o.n) {
        assert.throws(() => walkForwardSplits(o), /too short for one fold/);
        return;
      }
      const folds = walkForwardSplits(o);
      assert.ok(folds.length >= 1);
      const step = o.step ?? o.testSize;
      folds.forEach((f, k) => {
        const [ts, te] = f.test;
        assert.equal(f.index, k);
        assert.equal(ts, o.trainSize + o.horizon + k * step);
        assert.ok(te > ts && te <= o.n && te - ts <= o.testSize);
        for (const i of range(f.train)) {
          assert.ok(i >= 0);
          // the purge: a training label never reaches into the test window
          if (i < ts) assert.ok(i + o.horizon < ts, `fold ${k}: train ${i} + ${o.horizon} ≥ ${ts}`);
          // train never touches test or its embargo
          assert.ok(i < ts || i >= te + o.embargo, `fold ${k}: train ${i} in test/embargo`);
        }
        assert.ok(f.train[1] > f.train[0], "training window is not empty");
        if (o.mode === "expanding") assert.equal(f.train[0], 0);
        else assert.equal(f.train[1] - f.train[0], o.trainSize);
        assert.deepEqual(f.purged, [ts - o.horizon, ts]);
        assert.equal(f.train[1], f.purged[0]);
        assert.deepEqual(f.embargoed, [te, Math.min(o.n, te + o.embargo)]);
        if (k > 0) {
          const prev = folds[k - 1];
          assert.ok(prev.test[1] <= ts, "test windows are in order and disjoint");
          assert.ok(prev.train[1] <= f.train[1], "training ends move forward");
        }
      });
      // with step = testSize the test windows tile everything after the first training window
      if (step === o.testSize) {
        assert.equal(folds[folds.length - 1].test[1], o.n);
        for (let k = 1; k < folds.length; k++) assert.equal(folds[k - 1].test[1], folds[k].test[0]);
      } else {
        assert.ok(o.n - folds[folds.length - 1].test[0] <= step);
      }
    }),
    { numRuns: 500 },
  );
});

Deno.test("walk-forward: no label trained on is still unknown when its test window starts", () => {
  const seriesArb = fc.array(fc.double({ min: -0.05, max: 0.05, noNaN: true }), {
    minLength: 30,
    maxLength: 150,
  }).map((rs) => rs.reduce<number[]>((cs, r) => [...cs, cs[cs.length - 1] * Math.exp(r)], [100]));
  fc.assert(fc.property(
    seriesArb,
    fc.integer({ min: 1, max: 6 }),
    fc.integer({ min: 5, max: 20 }),
    fc.integer({ min: 1, max: 10 }),
    (closes, horizon, trainSize, testSize) => {
      fc.pre(trainSize + horizon < closes.length);
      const labels = directionLabels(closes, { horizon, volWindow: 2, deadZone: 0.5 });
      const folds = walkForwardSplits({
        n: closes.length,
        trainSize,
        testSize,
        mode: "expanding",
        horizon,
        embargo: 0,
      });
      for (const f of folds) {
        // recompute the training labels from the data available before the test window:
        // every one of them must already be defined and identical
        const known = directionLabels(closes.slice(0, f.test[0]), {
          horizon,
          volWindow: 2,
          deadZone: 0.5,
        });
        for (const i of range(f.train)) assert.deepEqual(known[i], labels[i], `label ${i}`);
      }
    },
  ));
});
