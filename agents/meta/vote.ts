// The meta agent's vote: a confidence-weighted average of directional probabilities, and
// the thresholds that turn it into a target position. Pure functions only.
import type { DirectionProbs, Vote } from "../../shared/messages/mod.ts";

export type Direction = keyof DirectionProbs;

/** A tie resolves to the more conservative direction: flat, then down, then up. */
const TIE_ORDER: readonly Direction[] = ["flat", "down", "up"];

export function argmaxDirection(p: DirectionProbs): Direction {
  let best: Direction = TIE_ORDER[0];
  for (const d of TIE_ORDER) if (p[d] > p[best]) best = d;
  return best;
}

export interface Ensemble {
  probs: DirectionProbs;
  /** |P(up) − P(down)|. */
  confidence: number;
  /** Weighted share of voters whose argmax differs from the ensemble's argmax. */
  disagreement: number;
  /** True when every weight was 0 and the voters were averaged uniformly instead. */
  uniform: boolean;
  /** The votes in the canonical (sorted) order they were summed in. */
  votes: Vote[];
}

/** What the vote says with no directional voter: nothing known, so no edge. */
export const NO_VOTE_PROBS: Readonly<DirectionProbs> = Object.freeze({ down: 0, flat: 1, up: 0 });

/**
 * Combines votes by weighted average of their probabilities (all weights 0: uniform).
 * Votes are summed in a canonical order, so the result does not depend, bit for bit, on
 * the order they arrived in.
 */
export function combineVotes(input: readonly Vote[]): Ensemble {
  for (const v of input) checkVote(v);
  const votes = input.map((v) => ({ ...v, probs: { ...v.probs } })).sort(compareVotes);
  if (votes.length === 0) {
    return { probs: { ...NO_VOTE_PROBS }, confidence: 0, disagreement: 0, uniform: false, votes };
  }
  // Weights are scaled by the largest so that tiny (even subnormal) weights cannot underflow
  // the weighted sums to 0; the scale cancels out of every ratio below.
  const maxWeight = votes.reduce((m, v) => Math.max(m, v.weight), 0);
  const uniform = maxWeight === 0;
  const w = (v: Vote) => uniform ? 1 : v.weight / maxWeight;
  let down = 0;
  let flat = 0;
  let up = 0;
  for (const v of votes) {
    down += w(v) * v.probs.down;
    flat += w(v) * v.probs.flat;
    up += w(v) * v.probs.up;
  }
  // Inputs sum to 1 only within the schema's tolerance: renormalise the average exactly.
  const sum = down + flat + up;
  const probs = { down: down / sum, flat: flat / sum, up: up / sum };
  return {
    probs,
    confidence: clamp01(Math.abs(probs.up - probs.down)),
    disagreement: disagreementWith(votes, argmaxDirection(probs)),
    uniform,
    votes,
  };
}

/**
 * The ensemble of a learned stacker: its probabilities, with the votes (canonical order)
 * kept for the record and for the disagreement with the stacker's call.
 */
export function learnedEnsemble(input: readonly Vote[], probs: DirectionProbs): Ensemble {
  for (const d of TIE_ORDER) {
    if (!(Number.isFinite(probs[d]) && probs[d] >= 0)) {
      throw new RangeError(`learned probabilities: ${d} is ${probs[d]}`);
    }
  }
  const sum = probs.down + probs.flat + probs.up;
  if (!(Math.abs(sum - 1) < 1e-3)) {
    throw new RangeError(`learned probabilities sum to ${sum}, not 1`);
  }
  const p = { down: probs.down / sum, flat: probs.flat / sum, up: probs.up / sum };
  const { votes } = combineVotes(input);
  return {
    probs: p,
    confidence: clamp01(Math.abs(p.up - p.down)),
    disagreement: disagreementWith(votes, argmaxDirection(p)),
    uniform: false,
    votes,
  };
}

/**
 * Weighted share of the votes whose argmax is not `winner` (all weights 0: counted
 * uniformly; no vote: 0). Weights are scaled by the largest, as in combineVotes.
 */
export function disagreementWith(votes: readonly Vote[], winner: Direction): number {
  if (votes.length === 0) return 0;
  const maxWeight = votes.reduce((m, v) => Math.max(m, v.weight), 0);
  const w = (v: Vote) => maxWeight === 0 ? 1 : v.weight / maxWeight;
  let total = 0;
  let against = 0;
  for (const v of votes) {
    total += w(v);
    if (argmaxDirection(v.probs) !== winner) against += w(v);
  }
  return clamp01(against / total);
}

export interface TargetThresholds {
  /** Minimum P(up) − P(down) to go long, and P(down) − P(up) to exit. */
  margin: number;
  minConfidence: number;
  maxDisagreement: number;
}

export type MetaTarget = "long" | "flat" | "hold";

/** Turns an ensemble into a target; the reason names the numbers that decided it. */
export function decideTarget(
  e: Pick<Ensemble, "probs" | "confidence" | "disagreement">,
  t: TargetThresholds,
): { target: MetaTarget; reason: string } {
  const edge = e.probs.up - e.probs.down;
  const nums = `edge ${fmt(edge)}, confidence ${fmt(e.confidence)}, disagreement ${
    fmt(e.disagreement)
  }`;
  const longBlocked = edge < t.margin
    ? `|edge| < margin ${t.margin}`
    : e.confidence < t.minConfidence
    ? `confidence < ${t.minConfidence}`
    : e.disagreement > t.maxDisagreement
    ? `disagreement > ${t.maxDisagreement}`
    : null;
  if (longBlocked === null) {
    return { target: "long", reason: `long: ${nums}; edge >= margin ${t.margin}` };
  }
  if (-edge >= t.margin) {
    return { target: "flat", reason: `flat: ${nums}; -edge >= margin ${t.margin}` };
  }
  return { target: "hold", reason: `hold: ${nums}; ${longBlocked}` };
}

function checkVote(v: Vote): void {
  const bad = (what: string) => {
    throw new RangeError(`vote of '${v.agent}': ${what}`);
  };
  if (!(Number.isFinite(v.weight) && v.weight >= 0)) {
    bad(`weight must be finite >= 0 (got ${v.weight})`);
  }
  for (const d of TIE_ORDER) {
    const p = v.probs[d];
    if (!(Number.isFinite(p) && p >= 0 && p <= 1)) bad(`probs.${d} must be in [0, 1] (got ${p})`);
  }
  const sum = v.probs.down + v.probs.flat + v.probs.up;
  if (Math.abs(sum - 1) > 1e-6) bad(`probabilities must sum to 1 (got ${sum})`);
}

function compareVotes(a: Vote, b: Vote): number {
  if (a.agent !== b.agent) return a.agent < b.agent ? -1 : 1;
  return a.weight - b.weight || a.confidence - b.confidence || a.probs.up - b.probs.up ||
    a.probs.down - b.probs.down || a.probs.flat - b.probs.flat;
}

const clamp01 = (x: number) => Math.min(1, Math.max(0, x));
const fmt = (x: number) => x.toFixed(4);
