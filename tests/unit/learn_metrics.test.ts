import assert from "node:assert/strict";
import {
  averageRanks,
  type Direction,
  directionMetrics,
  type DirectionProbs,
  LOG_LOSS_EPSILON,
  rocAuc,
  spearman,
} from "../../shared/learn/mod.ts";

const p = (down: number, flat: number, up: number): DirectionProbs => ({ down, flat, up });
const near = (a: number | null, b: number, tol = 1e-12) =>
  assert.ok(a !== null && Math.abs(a - b) <= tol, `${a} vs ${b}`);

Deno.test("metrics: a four-sample case computed by hand", () => {
  const m = directionMetrics({
    probs: [p(0.2, 0.3, 0.5), p(0.6, 0.3, 0.1), p(0.3, 0.4, 0.3), p(0.1, 0.2, 0.7)],
    labels: ["up", "down", "up", "flat"],
    forwardReturns: [0.03, -0.02, 0.01, 0],
  });
  assert.equal(m.n, 4);
  // argmax: up, down, flat, up → hits on samples 1 and 2
  near(m.accuracy, 0.5);
  // recall: up 1/2, down 1/1, flat 0/1
  near(m.balanced_accuracy, 0.5);
  near(m.log_loss, -(Math.log(0.5) + Math.log(0.6) + Math.log(0.3) + Math.log(0.2)) / 4);
  near(m.log_loss, 1.004346, 1e-6);
  // (0.04+0.09+0.25) + (0.16+0.09+0.01) + (0.09+0.16+0.49) + (0.01+0.64+0.49) = 2.52
  near(m.brier, 0.63);
  // positives score 0.5, 0.3; negatives 0.1, 0.7: 2 of 4 pairs ordered right
  near(m.auc, 0.5);
  // ranks P(up) 3,1,2,4 vs returns 4,1,3,2: Σd² = 6 → 1 − 6·6/(4·15)
  near(m.rank_ic, 0.4);
});

Deno.test("metrics: ties use average ranks and count one half in the AUC", () => {
  assert.deepEqual(averageRanks([3, 1, 3, 2, 3]), [4, 1, 4, 2, 4]);
  near(rocAuc([0.5, 0.5, 0.2], [true, false, false]), 0.75);
  near(rocAuc([0.1, 0.9], [true, false]), 0);
  near(spearman([1, 1, 2], [1, 2, 3]), 1.5 / Math.sqrt(3));
  near(spearman([1, 2, 3, 4], [40, 30, 20, 10]), -1);
});

Deno.test("metrics: undefined figures are null, never NaN", () => {
  const empty = directionMetrics({ probs: [], labels: [], forwardReturns: [] });
  assert.deepEqual(empty, {
    accuracy: null,
    balanced_accuracy: null,
    log_loss: null,
    brier: null,
    auc: null,
    rank_ic: null,
    n: 0,
  });
  const oneClass = directionMetrics({
    probs: [p(0.1, 0.1, 0.8), p(0.3, 0.3, 0.4)],
    labels: ["up", "up"],
    forwardReturns: [0.01, 0.02],
  });
  assert.equal(oneClass.auc, null, "no negative for the AUC");
  near(oneClass.accuracy, 1);
  near(oneClass.balanced_accuracy, 1, 0);
  near(oneClass.rank_ic, -1, 0); // P(up) 0.8, 0.4 against returns 0.01, 0.02
  const constant = directionMetrics({
    probs: [p(0.2, 0.3, 0.5), p(0.2, 0.3, 0.5), p(0.2, 0.3, 0.5)],
    labels: ["up", "down", "flat"],
    forwardReturns: [0.01, -0.02, 0],
  });
  assert.equal(constant.rank_ic, null, "a constant P(up) has no rank correlation");
  near(constant.auc, 0.5);
  const single = directionMetrics({ probs: [p(0, 0, 1)], labels: ["up"], forwardReturns: [0] });
  assert.equal(single.rank_ic, null);
  assert.equal(spearman([1, 2], [3, 3]), null);
  for (const m of [empty, oneClass, constant, single]) {
    for (const v of Object.values(m)) assert.ok(v === null || Number.isFinite(v));
  }
});

Deno.test("metrics: log loss clips a zero probability at 1e-15", () => {
  const m = directionMetrics({ probs: [p(1, 0, 0)], labels: ["up"], forwardReturns: [0.01] });
  near(m.log_loss, -Math.log(LOG_LOSS_EPSILON));
  near(m.log_loss, 34.538776, 1e-6);
  near(m.brier, 2);
  const sure = directionMetrics({ probs: [p(0, 0, 1)], labels: ["up"], forwardReturns: [0.01] });
  assert.ok(sure.log_loss !== null && sure.log_loss > 0 && sure.log_loss < 1e-14);
  near(sure.brier, 0);
});

Deno.test("metrics: argmax ties go to the first class in down, flat, up order", () => {
  const m = directionMetrics({
    probs: [p(0.4, 0.4, 0.2), p(0.2, 0.4, 0.4), p(1 / 3, 1 / 3, 1 / 3)],
    labels: ["down", "flat", "down"],
    forwardReturns: [0, 0, 0],
  });
  near(m.accuracy, 1);
});

Deno.test("metrics: bad input is refused with the sample named", () => {
  const ok = { probs: [p(0.2, 0.3, 0.5)], labels: ["up" as Direction], forwardReturns: [0.01] };
  assert.throws(() => directionMetrics({ ...ok, labels: [] }), /lengths differ: 1 probs, 0 labels/);
  assert.throws(
    () => directionMetrics({ ...ok, probs: [p(0.2, 0.3, 0.6)] }),
    /probs\[0\]: .*sum to 1.1/,
  );
  assert.throws(() => directionMetrics({ ...ok, probs: [p(-0.1, 0.6, 0.5)] }), /probs\[0\]\.down/);
  assert.throws(() => directionMetrics({ ...ok, probs: [p(NaN, 0.5, 0.5)] }), /probs\[0\]\.down/);
  assert.throws(
    () => directionMetrics({ ...ok, labels: ["sideways" as Direction] }),
    /labels\[0\]: expected down, flat or up \(got sideways\)/,
  );
  assert.throws(
    () => directionMetrics({ ...ok, forwardReturns: [Infinity] }),
    /forwardReturns\[0\]/,
  );
  assert.throws(() => rocAuc([0.1], []), /1 scores but 0/);
  assert.throws(() => averageRanks([1, NaN]), /value 1 is not finite/);
});
