import assert from "node:assert/strict";
import {
  argmaxDirection,
  combineVotes,
  decideTarget,
  NO_VOTE_PROBS,
} from "../../agents/meta/vote.ts";

const near = (a: number, b: number, tol = 1e-12) =>
  assert.ok(Math.abs(a - b) <= tol, `expected ${b}, got ${a}`);

Deno.test("combineVotes: confidence-weighted average, disagreement by weight (hand-computed)", () => {
  const e = combineVotes([
    { agent: "trend", probs: { down: 0.2, flat: 0.2, up: 0.6 }, confidence: 0.6, weight: 0.6 },
    { agent: "pattern", probs: { down: 0.5, flat: 0.3, up: 0.2 }, confidence: 0.2, weight: 0.2 },
  ]);
  // up = (0.6·0.6 + 0.2·0.2) / 0.8 = 0.5; down = (0.6·0.2 + 0.2·0.5) / 0.8 = 0.275
  near(e.probs.up, 0.5);
  near(e.probs.down, 0.275);
  near(e.probs.flat, 0.225);
  near(e.confidence, 0.225);
  // pattern (argmax down) disagrees with the ensemble (up): 0.2 / 0.8
  near(e.disagreement, 0.25);
  assert.equal(e.uniform, false);
  assert.deepEqual(e.votes.map((v) => v.agent), ["pattern", "trend"]);
});

Deno.test("combineVotes: all weights 0 averages uniformly", () => {
  const e = combineVotes([
    { agent: "trend", probs: { down: 0, flat: 0, up: 1 }, confidence: 0, weight: 0 },
    { agent: "pattern", probs: { down: 0.5, flat: 0.5, up: 0 }, confidence: 0, weight: 0 },
  ]);
  assert.equal(e.uniform, true);
  near(e.probs.up, 0.5);
  near(e.probs.down, 0.25);
  near(e.probs.flat, 0.25);
  near(e.disagreement, 0.5);
});

Deno.test("combineVotes: no voter gives no edge", () => {
  const e = combineVotes([]);
  assert.deepEqual(e.probs, NO_VOTE_PROBS);
  assert.equal(e.confidence, 0);
  assert.equal(e.disagreement, 0);
});

Deno.test("combineVotes: bad votes are refused with the agent and field named", () => {
  const probs = { down: 0.2, flat: 0.2, up: 0.6 };
  assert.throws(
    () => combineVotes([{ agent: "trend", probs, confidence: 0.5, weight: -1 }]),
    /vote of 'trend': weight must be finite >= 0 \(got -1\)/,
  );
  assert.throws(
    () =>
      combineVotes([{ agent: "pattern", probs: { ...probs, up: 0.9 }, confidence: 1, weight: 1 }]),
    /vote of 'pattern': probabilities must sum to 1/,
  );
  assert.throws(
    () => combineVotes([{ agent: "x", probs: { ...probs, up: NaN }, confidence: 1, weight: 1 }]),
    /probs.up must be in \[0, 1\]/,
  );
});

Deno.test("argmaxDirection: ties resolve to flat, then down", () => {
  assert.equal(argmaxDirection({ down: 0.4, flat: 0.2, up: 0.4 }), "down");
  assert.equal(argmaxDirection({ down: 0.3, flat: 0.4, up: 0.3 }), "flat");
  assert.equal(argmaxDirection({ down: 1 / 3, flat: 1 / 3, up: 1 / 3 }), "flat");
  assert.equal(argmaxDirection({ down: 0.1, flat: 0.2, up: 0.7 }), "up");
});

Deno.test("decideTarget: thresholds pick long, flat or hold", () => {
  const t = { margin: 0.1, minConfidence: 0.2, maxDisagreement: 0.3 };
  const at = (up: number, down: number, disagreement: number) =>
    decideTarget({
      probs: { up, down, flat: 1 - up - down },
      confidence: Math.abs(up - down),
      disagreement,
    }, t);
  assert.equal(at(0.6, 0.2, 0).target, "long");
  assert.match(at(0.6, 0.2, 0).reason, /^long: edge 0.4000/);
  // edge 0.15 passes the margin but not the confidence floor
  assert.equal(at(0.45, 0.3, 0).target, "hold");
  assert.match(at(0.45, 0.3, 0).reason, /confidence < 0.2/);
  assert.equal(at(0.6, 0.2, 0.31).target, "hold");
  assert.match(at(0.6, 0.2, 0.31).reason, /disagreement > 0.3/);
  // exits need only the margin, whatever the disagreement
  assert.equal(at(0.2, 0.35, 0.9).target, "flat");
  assert.equal(at(0.3, 0.35, 0).target, "hold");
});
