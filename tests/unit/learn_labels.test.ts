import assert from "node:assert/strict";
import {
  classifyReturn,
  directionLabels,
  forwardLogReturns,
  labelKnownAt,
  trailingVolatility,
} from "../../shared/learn/mod.ts";

const CLOSES = [100, 101, 99, 102, 104, 103, 100];
const close = (a: number, b: number) => Math.abs(a - b) <= 1e-12;

Deno.test("labels: hand-computed classes, returns and dead zones (N=2, W=2, k=0.5)", () => {
  const labels = directionLabels(CLOSES, { horizon: 2, volWindow: 2, deadZone: 0.5 });
  assert.equal(labels.length, 7);
  // σ_t needs 2 returns (t ≥ 2); the horizon needs t + 2 ≤ 6
  assert.deepEqual([0, 1, 5, 6].map((t) => labels[t]), [null, null, null, null]);
  // sample std of two values a, b is |a − b| / √2
  const r = (i: number) => Math.log(CLOSES[i] / CLOSES[i - 1]);
  const expect = [
    { t: 2, sigma: Math.abs(r(1) - r(2)) / Math.SQRT2, fwd: Math.log(104 / 99), dir: "up" },
    { t: 3, sigma: Math.abs(r(2) - r(3)) / Math.SQRT2, fwd: Math.log(103 / 102), dir: "flat" },
    { t: 4, sigma: Math.abs(r(3) - r(4)) / Math.SQRT2, fwd: Math.log(100 / 104), dir: "down" },
  ];
  for (const e of expect) {
    const l = labels[e.t];
    assert.ok(l !== null, `label ${e.t}`);
    assert.equal(l.direction, e.dir, `t=${e.t}`);
    assert.ok(close(l.sigma, e.sigma), `σ at ${e.t}: ${l.sigma} vs ${e.sigma}`);
    assert.ok(close(l.forwardReturn, e.fwd));
    assert.ok(close(l.threshold, 0.5 * e.sigma * Math.SQRT2));
  }
  // numbers written out, so a formula slip in both places still fails
  assert.ok(Math.abs((labels[2]?.threshold ?? 0) - 0.0149755) < 1e-6);
  assert.ok(Math.abs((labels[3]?.threshold ?? 0) - 0.0249268) < 1e-6);
});

Deno.test("labels: the dead zone boundary is flat; k = 0 leaves only r = 0 flat", () => {
  assert.equal(classifyReturn(0.01, 0.01), "flat");
  assert.equal(classifyReturn(-0.01, 0.01), "flat");
  assert.equal(classifyReturn(0.0100001, 0.01), "up");
  assert.equal(classifyReturn(-0.0100001, 0.01), "down");
  assert.equal(classifyReturn(0, 0), "flat");
  assert.equal(classifyReturn(1e-12, 0), "up");
});

Deno.test("labels: a wider dead zone only moves labels towards flat", () => {
  const closes = Array.from({ length: 200 }, (_, i) => 100 * Math.exp(0.02 * Math.sin(i * 1.7)));
  const narrow = directionLabels(closes, { horizon: 3, volWindow: 10, deadZone: 0.1 });
  const wide = directionLabels(closes, { horizon: 3, volWindow: 10, deadZone: 1.5 });
  let moved = 0;
  for (let t = 0; t < closes.length; t++) {
    const a = narrow[t];
    const b = wide[t];
    assert.equal(a === null, b === null);
    if (a === null || b === null) continue;
    if (a.direction !== b.direction) {
      assert.equal(b.direction, "flat");
      moved++;
    }
  }
  assert.ok(moved > 0, "some labels change class");
});

Deno.test("labels: forward returns and trailing volatility are null where undefined", () => {
  assert.deepEqual(forwardLogReturns([1, 2, 4], 1).map((x) => x?.toFixed(6) ?? null), [
    Math.LN2.toFixed(6),
    Math.LN2.toFixed(6),
    null,
  ]);
  assert.deepEqual(forwardLogReturns([1, 2], 5), [null, null]);
  const vol = trailingVolatility([1, 2, 4, 8, 4], 3);
  assert.deepEqual(vol.slice(0, 3), [null, null, null]);
  assert.equal(vol[3], 0, "three equal returns have zero dispersion");
  // returns ln2, ln2, −ln2: mean ln2/3, deviations (2/3, 2/3, −4/3)·ln2 → var = (4/9+4/9+16/9)/2·ln2²
  assert.ok(close(vol[4] ?? NaN, Math.sqrt(4 / 3) * Math.LN2));
});

Deno.test("labels: the label of t − 1 is not known at t when N > 1; that of t − N is", () => {
  assert.equal(labelKnownAt(9, 10, 1), true);
  assert.equal(labelKnownAt(9, 10, 3), false);
  assert.equal(labelKnownAt(8, 10, 3), false);
  assert.equal(labelKnownAt(7, 10, 3), true);
  assert.equal(labelKnownAt(-1, 10, 3), false);
  // and it agrees with what data up to t can compute
  const closes = [100, 102, 101, 103, 106, 104, 105, 107, 103, 108, 110];
  const opts = { horizon: 3, volWindow: 2, deadZone: 0.3 };
  const upToT = directionLabels(closes.slice(0, 11), opts);
  for (let i = 0; i < 11; i++) {
    if (i >= 2) assert.equal(upToT[i] !== null, labelKnownAt(i, 10, 3), `label ${i}`);
  }
});

Deno.test("labels: bad input is refused with the field named", () => {
  const ok = { horizon: 1, volWindow: 2, deadZone: 0.5 };
  assert.throws(() => directionLabels([100, 0, 101], ok), /closes\[1\].*got 0/);
  assert.throws(() => directionLabels([100, NaN], ok), /closes\[1\]/);
  assert.throws(() => directionLabels([-1], ok), /closes\[0\]/);
  assert.throws(() => directionLabels([1, 2], { ...ok, horizon: 0 }), /horizon/);
  assert.throws(() => directionLabels([1, 2], { ...ok, horizon: 1.5 }), /horizon/);
  assert.throws(() => directionLabels([1, 2], { ...ok, volWindow: 1 }), /volWindow/);
  assert.throws(() => directionLabels([1, 2], { ...ok, deadZone: -0.1 }), /deadZone/);
  assert.throws(() => directionLabels([1, 2], { ...ok, deadZone: NaN }), /deadZone/);
  assert.throws(() => classifyReturn(NaN, 0.1), /return/);
  assert.throws(() => classifyReturn(0.1, -1), /threshold/);
  assert.deepEqual(directionLabels([], ok), []);
});
