import assert from "node:assert/strict";
import {
  baselineMetrics,
  type Direction,
  type DirectionLabel,
  directionLabels,
  directionMetrics,
  majorityBaseline,
  oneHot,
  previousDirection,
  walkForwardSplits,
} from "../../shared/learn/mod.ts";

const label = (direction: Direction, forwardReturn: number): DirectionLabel => ({
  direction,
  forwardReturn,
  sigma: 0.01,
  threshold: 0.005,
});

Deno.test("majority baseline: the most frequent class, one-hot and as frequencies", () => {
  const m = majorityBaseline(["up", "down", "up", null, "flat", "up"]);
  assert.equal(m.direction, "up");
  assert.equal(m.n, 5);
  assert.deepEqual(m.oneHot, { down: 0, flat: 0, up: 1 });
  assert.deepEqual(m.frequencies, { down: 0.2, flat: 0.2, up: 0.6 });
  // a tie goes to the first class in down, flat, up order
  assert.equal(majorityBaseline(["up", "flat", "flat", "up"]).direction, "flat");
  assert.throws(() => majorityBaseline([null, null]), /no defined label/);
});

Deno.test("previous direction: the label of t − N, the newest known at t", () => {
  const labels: Direction[] = ["up", "down", "flat", "up", "down"];
  assert.equal(previousDirection(labels, 4, 1), "up", "N = 1: yesterday's label");
  assert.equal(previousDirection(labels, 4, 3), "down", "N = 3: not t − 1 but t − 3");
  assert.equal(previousDirection(labels, 2, 3), null, "nothing is known yet");
  assert.equal(
    previousDirection(["up", null, "down"], 2, 1),
    null,
    "an undefined label stays null",
  );
  assert.throws(() => previousDirection(labels, 5, 1), /t must index the labels 0..4/);
  assert.throws(() => previousDirection(labels, 2, 0), /horizon must be an integer >= 1/);
});

Deno.test("previous direction uses only data up to t (N = 3)", () => {
  const closes = [100, 103, 99, 101, 104, 100, 98, 102, 107, 103, 101, 99, 104, 106];
  const opts = { horizon: 3, volWindow: 3, deadZone: 0.4 };
  const full = directionLabels(closes, opts).map((l) => l?.direction ?? null);
  for (let t = 6; t < closes.length; t++) {
    // what can be computed at the close of bar t
    const known = directionLabels(closes.slice(0, t + 1), opts).map((l) => l?.direction ?? null);
    assert.equal(previousDirection(full, t, 3), known[t - 3], `t=${t}`);
    assert.equal(known[t - 1], null, "the label of t − 1 is not computable at t");
    assert.equal(known[t - 2], null);
  }
});

Deno.test("baseline metrics over walk-forward folds, checked sample by sample", () => {
  // 12 samples; fold 0 trains on [0, 4), tests [6, 9); fold 1 trains on [3, 7), tests [9, 12)
  const dirs: Direction[] = [
    "up",
    "up",
    "down",
    "up",
    "flat",
    "down",
    "down",
    "up",
    "flat",
    "down",
    "up",
    "up",
  ];
  const labels: (DirectionLabel | null)[] = dirs.map((d, i) => label(d, (i % 5 - 2) / 100));
  labels[10] = null; // an undefined label is skipped, not scored
  const folds = walkForwardSplits({
    n: 12,
    trainSize: 4,
    testSize: 3,
    mode: "rolling",
    horizon: 2,
    embargo: 0,
  });
  assert.deepEqual(folds.map((f) => [f.train, f.test]), [[[0, 4], [6, 9]], [[3, 7], [9, 12]]]);
  const r = baselineMetrics(labels, folds, 2);
  const idx = [6, 7, 8, 9, 11];
  const rets = idx.map((i) => (labels[i] as DirectionLabel).forwardReturn);
  const ys = idx.map((i) => dirs[i]);
  // fold 0 majority of up,up,down,up = up; fold 1 of up,flat,down,down = down
  const maj: Direction[] = ["up", "up", "up", "down", "down"];
  assert.deepEqual(
    r.metrics.majority,
    directionMetrics({ probs: maj.map(oneHot), labels: ys, forwardReturns: rets }),
  );
  assert.equal(r.metrics.majority.n, 5);
  // labels down, up, flat, down, up against up, up, up, down, down: hits at 7 and 9
  assert.equal(r.metrics.majority.accuracy, 2 / 5);
  const freq0 = { down: 0.25, flat: 0, up: 0.75 };
  const freq1 = { down: 0.5, flat: 0.25, up: 0.25 };
  assert.deepEqual(
    r.metrics.majority_frequencies,
    directionMetrics({
      probs: [freq0, freq0, freq0, freq1, freq1],
      labels: ys,
      forwardReturns: rets,
    }),
  );
  // previous direction: label of t − 2 → 4,5,6,7,9 → flat, down, down, up, down
  const prev: Direction[] = ["flat", "down", "down", "up", "down"];
  assert.deepEqual(
    r.metrics.previous_direction,
    directionMetrics({ probs: prev.map(oneHot), labels: ys, forwardReturns: rets }),
  );
  assert.equal(r.previousDirectionFallbacks, 0);
});

Deno.test("baseline metrics: the previous direction falls back to the majority when unknown", () => {
  const labels: (DirectionLabel | null)[] = [
    label("up", 0.01),
    null,
    label("flat", 0),
    label("down", -0.01),
    label("up", 0.02),
    label("down", -0.02),
  ];
  // horizon 3: the fold trains on [0, 1) and tests [4, 6)
  const folds = walkForwardSplits({
    n: 6,
    trainSize: 1,
    testSize: 2,
    mode: "expanding",
    horizon: 3,
    embargo: 0,
  });
  assert.deepEqual(folds.map((f) => [f.train, f.test]), [[[0, 1], [4, 6]]]);
  const r = baselineMetrics(labels, folds, 3);
  // sample 4 looks back to label 1, which is undefined → the training majority (up);
  // sample 5 looks back to label 2 (flat)
  assert.equal(r.previousDirectionFallbacks, 1);
  assert.deepEqual(
    r.metrics.previous_direction,
    directionMetrics({
      probs: [oneHot("up"), oneHot("flat")],
      labels: ["up", "down"],
      forwardReturns: [0.02, -0.02],
    }),
  );
});

Deno.test("baseline metrics refuse folds whose purge is shorter than the label horizon", () => {
  const labels = Array.from({ length: 20 }, (_, i) => label(i % 2 ? "up" : "down", 0.01));
  const folds = walkForwardSplits({
    n: 20,
    trainSize: 5,
    testSize: 5,
    mode: "rolling",
    horizon: 1,
    embargo: 0,
  });
  assert.throws(() => baselineMetrics(labels, folds, 3), /labels look 3 bars ahead/);
  assert.throws(
    () => baselineMetrics(labels.slice(0, 12), folds, 1),
    /test window ends at 16 but there are 12 labels/,
  );
});
