// Naive baselines every learned direction model is compared with, scored over the same
// walk-forward test samples as the model.
import { argmaxDirection, type Direction, type DirectionProbs, oneHot } from "./direction.ts";
import type { DirectionLabel } from "./labels.ts";
import { directionMetrics, type MetricSet } from "./metrics.ts";
import { collectOutOfSample } from "./out_of_sample.ts";
import type { Fold } from "./walk_forward.ts";

export interface MajorityBaseline {
  /** The most frequent class (ties: down, flat, up order). */
  direction: Direction;
  oneHot: DirectionProbs;
  /** Class frequencies: the same call, with calibrated probabilities. */
  frequencies: DirectionProbs;
  /** Labels counted (nulls are skipped). */
  n: number;
}

/** The majority class of a training window's labels; throws when none is defined. */
export function majorityBaseline(labels: readonly (Direction | null)[]): MajorityBaseline {
  const counts = { down: 0, flat: 0, up: 0 };
  let n = 0;
  for (const y of labels) {
    if (y === null) continue;
    counts[y]++;
    n++;
  }
  if (n === 0) throw new RangeError("majorityBaseline: the training window has no defined label");
  const frequencies = { down: counts.down / n, flat: counts.flat / n, up: counts.up / n };
  const direction = argmaxDirection(frequencies);
  return { direction, oneHot: oneHot(direction), frequencies, n };
}

/**
 * "Yesterday's direction" at bar t: the newest label KNOWN at t. The label of bar i needs
 * close[i + horizon], so at t that is the label of t − horizon; with horizon > 1 the label
 * of t − 1 is still in the future. null when t − horizon < 0 or that label is undefined.
 */
export function previousDirection(
  labels: readonly (Direction | null)[],
  t: number,
  horizon: number,
): Direction | null {
  if (!Number.isSafeInteger(horizon) || horizon < 1) {
    throw new RangeError(`previousDirection: horizon must be an integer >= 1 (got ${horizon})`);
  }
  if (!Number.isSafeInteger(t) || t < 0 || t >= labels.length) {
    throw new RangeError(
      `previousDirection: t must index the labels 0..${labels.length - 1} (got ${t})`,
    );
  }
  const i = t - horizon;
  return i >= 0 ? labels[i] : null;
}

export const BASELINE_NAMES = ["majority", "majority_frequencies", "previous_direction"] as const;
export type BaselineName = (typeof BASELINE_NAMES)[number];

export interface BaselineResults {
  metrics: Record<BaselineName, MetricSet>;
  /** Test samples where no previous label was known and the fold's majority stood in. */
  previousDirectionFallbacks: number;
}

/**
 * The baselines over the concatenated test windows: the majority class of each fold's
 * training window (one-hot and as frequencies) and the previous known direction (falling
 * back to that majority class when none is known). Throws when a fold purges fewer samples
 * than the label horizon, since its training labels would then reach into its test window.
 */
export function baselineMetrics(
  labels: readonly (DirectionLabel | null)[],
  folds: readonly Fold[],
  horizon: number,
): BaselineResults {
  const directions = labels.map((l) => l?.direction ?? null);
  const majorities = new Map<Fold, MajorityBaseline>();
  for (const fold of folds) {
    if (fold.test[0] - fold.train[1] < horizon) {
      throw new RangeError(
        `fold ${fold.index}: training ends at ${fold.train[1]} and testing starts at ` +
          `${fold.test[0]}, but labels look ${horizon} bars ahead: training labels would ` +
          `reach into the test window`,
      );
    }
    majorities.set(fold, majorityBaseline(directions.slice(fold.train[0], fold.train[1])));
  }
  const majorityOf = (fold: Fold) => majorities.get(fold) as MajorityBaseline;
  let fallbacks = 0;
  const score = (predict: (t: number, fold: Fold) => DirectionProbs) =>
    directionMetrics(collectOutOfSample(folds, labels, predict));
  return {
    metrics: {
      majority: score((_, fold) => majorityOf(fold).oneHot),
      majority_frequencies: score((_, fold) => majorityOf(fold).frequencies),
      previous_direction: score((t, fold) => {
        const d = previousDirection(directions, t, horizon);
        if (d !== null) return oneHot(d);
        fallbacks++;
        return majorityOf(fold).oneHot;
      }),
    },
    previousDirectionFallbacks: fallbacks,
  };
}
