// The metrics agree with brute-force implementations written here from the definitions.
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  type Direction,
  directionMetrics,
  type DirectionProbs,
  DIRECTIONS,
  LOG_LOSS_EPSILON,
} from "../../shared/learn/mod.ts";

// few distinct values so ties are common
const probsArb: fc.Arbitrary<DirectionProbs> = fc
  .tuple(
    fc.integer({ min: 0, max: 4 }),
    fc.integer({ min: 0, max: 4 }),
    fc.integer({ min: 0, max: 4 }),
  )
  .filter(([a, b, c]) => a + b + c > 0)
  .map(([a, b, c]) => ({ down: a / (a + b + c), flat: b / (a + b + c), up: c / (a + b + c) }));
const sampleArb = fc.record({
  probs: probsArb,
  label: fc.constantFrom<Direction>(...DIRECTIONS),
  ret: fc.integer({ min: -5, max: 5 }).map((x) => x / 100),
});
const samplesArb = fc.array(sampleArb, { maxLength: 40 });

/** Rank by counting: 1 + (number below) + (number equal − 1) / 2. */
function bruteRanks(xs: number[]): number[] {
  return xs.map((x) => {
    const below = xs.filter((y) => y < x).length;
    const equal = xs.filter((y) => y === x).length;
    return below + (equal + 1) / 2;
  });
}

function brutePearson(a: number[], b: number[]): number | null {
  const ma = a.reduce((s, x) => s + x, 0) / a.length;
  const mb = b.reduce((s, x) => s + x, 0) / b.length;
  const cov = a.reduce((s, x, i) => s + (x - ma) * (b[i] - mb), 0);
  const va = a.reduce((s, x) => s + (x - ma) ** 2, 0);
  const vb = b.reduce((s, x) => s + (x - mb) ** 2, 0);
  return a.length < 2 || va === 0 || vb === 0 ? null : cov / Math.sqrt(va * vb);
}

function bruteAuc(scores: number[], pos: boolean[]): number | null {
  let wins = 0;
  let pairs = 0;
  for (let i = 0; i < scores.length; i++) {
    for (let j = 0; j < scores.length; j++) {
      if (!pos[i] || pos[j]) continue;
      pairs++;
      wins += scores[i] > scores[j] ? 1 : scores[i] === scores[j] ? 0.5 : 0;
    }
  }
  return pairs === 0 ? null : wins / pairs;
}

function bruteArgmax(p: DirectionProbs): Direction {
  const top = Math.max(p.down, p.flat, p.up);
  return DIRECTIONS.find((d) => p[d] === top) as Direction;
}

const near = (a: number | null, b: number | null, what: string) => {
  if (b === null) return assert.equal(a, null, what);
  assert.ok(a !== null && Math.abs(a - b) <= 1e-9, `${what}: ${a} vs ${b}`);
};

Deno.test("metrics: every figure equals its brute-force definition", () => {
  fc.assert(
    fc.property(samplesArb, (samples) => {
      const probs = samples.map((s) => s.probs);
      const labels = samples.map((s) => s.label);
      const rets = samples.map((s) => s.ret);
      const m = directionMetrics({ probs, labels, forwardReturns: rets });
      const n = samples.length;
      assert.equal(m.n, n);
      if (n === 0) return;
      const hit = samples.map((s) => bruteArgmax(s.probs) === s.label);
      near(m.accuracy, hit.filter(Boolean).length / n, "accuracy");
      const recalls = DIRECTIONS.filter((d) => labels.includes(d)).map((d) => {
        const idx = labels.flatMap((y, i) => y === d ? [i] : []);
        return idx.filter((i) => hit[i]).length / idx.length;
      });
      near(m.balanced_accuracy, recalls.reduce((s, r) => s + r, 0) / recalls.length, "balanced");
      const ll = samples.reduce((s, x) => {
        const q = Math.min(Math.max(x.probs[x.label], LOG_LOSS_EPSILON), 1 - LOG_LOSS_EPSILON);
        return s - Math.log(q);
      }, 0) / n;
      near(m.log_loss, ll, "log loss");
      const brier = samples.reduce(
        (s, x) =>
          s + DIRECTIONS.reduce((t, d) => t + (x.probs[d] - (d === x.label ? 1 : 0)) ** 2, 0),
        0,
      ) / n;
      near(m.brier, brier, "brier");
      const up = probs.map((q) => q.up);
      near(m.auc, bruteAuc(up, labels.map((y) => y === "up")), "auc");
      near(m.rank_ic, brutePearson(bruteRanks(up), bruteRanks(rets)), "rank ic");
    }),
    { numRuns: 400 },
  );
});

Deno.test("metrics: figures stay in range and the AUC mirrors when P(up) is reversed", () => {
  fc.assert(
    fc.property(samplesArb, (samples) => {
      const input = {
        probs: samples.map((s) => s.probs),
        labels: samples.map((s) => s.label),
        forwardReturns: samples.map((s) => s.ret),
      };
      const m = directionMetrics(input);
      for (const k of ["accuracy", "balanced_accuracy", "auc"] as const) {
        const v = m[k];
        assert.ok(v === null || (v >= 0 && v <= 1), `${k} ${v}`);
      }
      assert.ok(m.brier === null || (m.brier >= 0 && m.brier <= 2 + 1e-12));
      assert.ok(m.log_loss === null || m.log_loss >= 0);
      assert.ok(m.rank_ic === null || Math.abs(m.rank_ic) <= 1);
      // P(up) → 1 − P(up) reverses its ranking (the rest of the mass is split evenly)
      const reversed = directionMetrics({
        ...input,
        probs: input.probs.map((q) => ({ down: q.up / 2, flat: q.up / 2, up: 1 - q.up })),
      });
      if (m.auc !== null) near(reversed.auc, 1 - m.auc, "mirrored auc");
      if (m.rank_ic !== null) near(reversed.rank_ic, -m.rank_ic, "mirrored rank ic");
    }),
    { numRuns: 300 },
  );
});
