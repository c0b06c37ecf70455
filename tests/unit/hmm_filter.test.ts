import assert from "node:assert/strict";
import {
  HmmFilter,
  hmmFilter,
  hmmLogLikelihood,
  type HmmModel,
  simulateHmm,
  stationaryDistribution,
} from "../../shared/econometrics/mod.ts";

const MODEL: HmmModel = {
  pi: [0.6, 0.4],
  A: [[0.9, 0.1], [0.2, 0.8]],
  means: [[0.001, -4], [-0.002, -3]],
  variances: [[1e-4, 0.04], [9e-4, 0.09]],
};

function density(model: HmmModel, k: number, x: readonly number[]): number {
  let p = 1;
  x.forEach((xj, j) => {
    const v = model.variances[k][j];
    p *= Math.exp(-((xj - model.means[k][j]) ** 2) / (2 * v)) / Math.sqrt(2 * Math.PI * v);
  });
  return p;
}

/** Brute force over every state path: p(obs) and P(state_t = k | obs_0..t). */
function enumerate(model: HmmModel, obs: readonly number[][]): { like: number; filt: number[][] } {
  const K = model.pi.length;
  const filt: number[][] = [];
  let like = 0;
  for (let t = 0; t < obs.length; t++) {
    const ending = new Array<number>(K).fill(0);
    const paths = K ** (t + 1);
    for (let code = 0; code < paths; code++) {
      let c = code;
      let prev = -1;
      let p = 1;
      for (let s = 0; s <= t; s++) {
        const k = c % K;
        c = Math.floor(c / K);
        p *= (s === 0 ? model.pi[k] : model.A[prev][k]) * density(model, k, obs[s]);
        prev = k;
      }
      ending[prev] += p;
    }
    const total = ending.reduce((a, b) => a + b, 0);
    filt.push(ending.map((e) => e / total));
    like = total;
  }
  return { like, filt };
}

Deno.test("hmmFilter and hmmLogLikelihood equal brute-force enumeration of state paths", () => {
  const { observations } = simulateHmm(MODEL, 7, 3);
  const brute = enumerate(MODEL, observations);
  const filtered = hmmFilter(MODEL, observations);
  filtered.forEach((row, t) => {
    row.forEach((p, k) => {
      assert.ok(
        Math.abs(p - brute.filt[t][k]) < 1e-12,
        `t=${t} k=${k}: ${p} vs ${brute.filt[t][k]}`,
      );
    });
  });
  const ll = hmmLogLikelihood(MODEL, observations);
  assert.ok(
    Math.abs(ll - Math.log(brute.like)) < 1e-10 * Math.abs(ll),
    `${ll} vs ${Math.log(brute.like)}`,
  );
});

Deno.test("HmmFilter (streaming) equals hmmFilter (batch); predictNext pushes through A", () => {
  const { observations } = simulateHmm(MODEL, 500, 4);
  const batch = hmmFilter(MODEL, observations);
  const f = new HmmFilter(MODEL);
  assert.deepEqual(f.probabilities, MODEL.pi);
  assert.deepEqual(f.predictNext(), MODEL.pi);
  observations.forEach((x, t) => {
    const prior = f.predictNext();
    if (t > 0) {
      const prev = batch[t - 1];
      const expected = [0, 1].map((j) => prev[0] * MODEL.A[0][j] + prev[1] * MODEL.A[1][j]);
      assert.ok(
        Math.abs(prior[0] - expected[0]) < 1e-15 && Math.abs(prior[1] - expected[1]) < 1e-15,
      );
    }
    assert.deepEqual(f.update(x), batch[t]);
  });
  assert.equal(f.count, 500);
  assert.equal(f.logLikelihood, hmmLogLikelihood(MODEL, observations));
});

Deno.test("HmmFilter tells the regimes apart on simulated data", () => {
  const { observations, states } = simulateHmm(MODEL, 2000, 5);
  const filtered = hmmFilter(MODEL, observations);
  let hits = 0;
  filtered.forEach((p, t) => {
    if ((p[1] > 0.5 ? 1 : 0) === states[t]) hits++;
  });
  assert.ok(hits / 2000 > 0.9, `hit rate ${hits / 2000}`);
});

Deno.test("HmmFilter survives outliers that underflow every density", () => {
  const f = new HmmFilter({ ...MODEL, pi: [1, 0], A: [[1, 0], [0.5, 0.5]] });
  const p = f.update([5, 40]); // densities of order exp(-1e5)
  assert.deepEqual(p, [1, 0]);
  assert.ok(Number.isFinite(f.logLikelihood) && f.logLikelihood < -1e4);
});

Deno.test("HMM models and observations are validated with clear errors", () => {
  assert.throws(() => new HmmFilter({ ...MODEL, pi: [0.5, 0.6] }), /pi must sum to 1/);
  assert.throws(
    () => new HmmFilter({ ...MODEL, A: [[0.9, 0.1], [0.3, 0.8]] }),
    /A\[1\] must sum to 1/,
  );
  assert.throws(
    () => new HmmFilter({ ...MODEL, variances: [[1e-4, 0], [1, 1]] }),
    /variances\[0\]\[1\] must be finite and > 0/,
  );
  assert.throws(
    () => new HmmFilter({ ...MODEL, means: [[0], [0]] }),
    /means\[0\] has 1 values and variances\[0\] has 2/,
  );
  const f = new HmmFilter(MODEL);
  assert.throws(() => f.update(0.1), /observation has 1 values; the model expects 2/);
  assert.throws(() => f.update([0.1, NaN]), /\[1\] must be a finite number/);
  assert.throws(
    () => hmmFilter(MODEL, [[0, -4], [0]]),
    /observations\[1\] has 1 values; expected 2/,
  );
});

Deno.test("stationaryDistribution solves s A = s with s summing to 1", () => {
  // Two states: s = (b, a) / (a + b) for A = [[1 − a, a], [b, 1 − b]].
  const two = stationaryDistribution([[0.9, 0.1], [0.2, 0.8]]);
  assert.ok(Math.abs(two[0] - 2 / 3) < 1e-15 && Math.abs(two[1] - 1 / 3) < 1e-15, `${two}`);
  const A = [[0.97, 0.02, 0.01], [0.03, 0.95, 0.02], [0.02, 0.08, 0.9]];
  const s = stationaryDistribution(A);
  for (let j = 0; j < 3; j++) {
    const sA = s.reduce((acc, si, i) => acc + si * A[i][j], 0);
    assert.ok(Math.abs(sA - s[j]) < 1e-15, `column ${j}`);
  }
  assert.ok(Math.abs(s.reduce((a, b) => a + b, 0) - 1) < 1e-15);
  // A reducible chain (two absorbing states) has no unique answer.
  assert.throws(
    () => stationaryDistribution([[1, 0], [0, 1]]),
    /no unique stationary distribution/,
  );
  assert.throws(() => stationaryDistribution([[0.5, 0.6], [0.5, 0.5]]), /A\[0\] must sum to 1/);
});
