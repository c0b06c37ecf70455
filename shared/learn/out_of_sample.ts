// Predictions over the concatenated test windows of a walk-forward split, gathered into
// the inputs `directionMetrics` scores.
import type { Direction, DirectionProbs } from "./direction.ts";
import type { DirectionLabel } from "./labels.ts";
import type { MetricInputs } from "./metrics.ts";
import type { Fold } from "./walk_forward.ts";

export interface OutOfSample extends MetricInputs {
  probs: DirectionProbs[];
  labels: Direction[];
  forwardReturns: number[];
  /** Sample index of each scored prediction. */
  indices: number[];
}

/**
 * Calls `predict(t, fold)` for every test index t whose label is defined (a null label
 * cannot be scored, so it is skipped and not predicted). Folds must be in time order with
 * disjoint test windows inside `labels`.
 */
export function collectOutOfSample(
  folds: readonly Fold[],
  labels: readonly (DirectionLabel | null)[],
  predict: (t: number, fold: Fold) => DirectionProbs,
): OutOfSample {
  const out: OutOfSample = { probs: [], labels: [], forwardReturns: [], indices: [] };
  let previousEnd = 0;
  for (const fold of folds) {
    const [start, end] = fold.test;
    if (start < previousEnd) {
      throw new RangeError(
        `fold ${fold.index}: test window [${start}, ${end}) overlaps or precedes the one before`,
      );
    }
    if (end > labels.length) {
      throw new RangeError(
        `fold ${fold.index}: test window ends at ${end} but there are ${labels.length} labels`,
      );
    }
    previousEnd = end;
    for (let t = start; t < end; t++) {
      const label = labels[t];
      if (label === null) continue;
      out.probs.push(predict(t, fold));
      out.labels.push(label.direction);
      out.forwardReturns.push(label.forwardReturn);
      out.indices.push(t);
    }
  }
  return out;
}
