// Decayed sentiment → direction probabilities and confidence.
//
// Direction: a multinomial logistic with logits (-z, 0, +z) for (down, flat, up), where
// z = mean score / scale. A neutral mean gives the uniform triple, a positive one shifts mass
// to "up" and away from "down" symmetrically.
// Evidence: c = W / (W + W½), where W is the decayed story weight (the number of stories,
// each discounted by its age) and W½ the weight at which c reaches one half. c = 0 with no
// story in the window. The published probabilities mix the logistic with the uniform triple,
// (1 − c)/3 + c · logistic, so no news means uniform probabilities and confidence 0.
// The published confidence is c: it measures how much fresh news there is, not how one-sided
// it is. Plenty of neutral news gives near-uniform probabilities with a high confidence, and
// since the meta agent weighs votes by confidence, such a vote pulls the ensemble towards
// uniform: "the news says nothing" is itself a view.
import type { DirectionProbs } from "../../shared/messages/mod.ts";
import type { DecayedSentiment } from "../../shared/news/mod.ts";

export interface ViewOptions {
  /** Mean score at which the logit of up versus flat is 1. */
  scoreScale: number;
  /** Decayed story weight at which the confidence is 0.5. */
  halfConfidenceWeight: number;
}

export interface SentimentView {
  probs: DirectionProbs;
  confidence: number;
}

export function sentimentView(
  d: Pick<DecayedSentiment, "mean" | "weight">,
  opts: ViewOptions,
): SentimentView {
  if (!Number.isFinite(d.mean) || !(d.weight >= 0) || !Number.isFinite(d.weight)) {
    throw new Error(
      `sentimentView: mean ${d.mean} and weight ${d.weight} must be finite, weight >= 0`,
    );
  }
  if (d.weight === 0) return { probs: { down: 1 / 3, flat: 1 / 3, up: 1 / 3 }, confidence: 0 };
  const confidence = d.weight / (d.weight + opts.halfConfidenceWeight);
  const target = logisticDirection(d.mean / opts.scoreScale);
  const mix = (p: number) => (1 - confidence) / 3 + confidence * p;
  return {
    probs: { down: mix(target.down), flat: mix(target.flat), up: mix(target.up) },
    confidence,
  };
}

/** softmax(−z, 0, z), computed without overflow for any finite z. */
export function logisticDirection(z: number): DirectionProbs {
  const a = Math.abs(z);
  // Divide through by e^|z|: the terms become e^−2|z|, e^−|z| and 1.
  const far = Math.exp(-2 * a);
  const mid = Math.exp(-a);
  const total = far + mid + 1;
  const strong = 1 / total;
  const weak = far / total;
  const flat = mid / total;
  return z >= 0 ? { down: weak, flat, up: strong } : { down: strong, flat, up: weak };
}
