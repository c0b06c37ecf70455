// Scores of 3-class direction probabilities against realised labels and forward returns.
// A figure that is undefined for the sample (no samples, a single class, no dispersion) is
// null, never NaN. Keys are snake_case because the set is written as-is into model cards.
import {
  argmaxDirection,
  type Direction,
  type DirectionProbs,
  DIRECTIONS,
  isDirection,
} from "./direction.ts";

export type MetricSet = {
  /** Share of samples whose argmax class (ties: down, flat, up order) is the label. */
  accuracy: number | null;
  /** Mean recall over the classes present among the labels. */
  balanced_accuracy: number | null;
  /** Mean −ln p(label), p clipped to [LOG_LOSS_EPSILON, 1 − LOG_LOSS_EPSILON]. */
  log_loss: number | null;
  /** Mean over samples of Σ_class (p − onehot(label))², in [0, 2]. */
  brier: number | null;
  /** AUC of P(up) for "up" against "down or flat" (Mann-Whitney, ties count one half). */
  auc: number | null;
  /** Spearman correlation of P(up) with the forward return (average ranks for ties). */
  rank_ic: number | null;
  n: number;
};

export interface MetricInputs {
  probs: readonly DirectionProbs[];
  labels: readonly Direction[];
  /** The realised forward return of each sample (the one its label was built from). */
  forwardReturns: readonly number[];
}

/** Clipping bound for log loss, so a confident miss costs ln(1e15) ≈ 34.5, not Infinity. */
export const LOG_LOSS_EPSILON = 1e-15;
const SUM_TOLERANCE = 1e-6;

export function directionMetrics(input: MetricInputs): MetricSet {
  checkInputs(input);
  const { probs, labels, forwardReturns } = input;
  const n = labels.length;
  if (n === 0) {
    return {
      accuracy: null,
      balanced_accuracy: null,
      log_loss: null,
      brier: null,
      auc: null,
      rank_ic: null,
      n: 0,
    };
  }
  let hits = 0;
  let logLoss = 0;
  let brier = 0;
  const support = { down: 0, flat: 0, up: 0 };
  const correct = { down: 0, flat: 0, up: 0 };
  for (let i = 0; i < n; i++) {
    const p = probs[i];
    const y = labels[i];
    support[y]++;
    if (argmaxDirection(p) === y) {
      hits++;
      correct[y]++;
    }
    logLoss -= Math.log(Math.min(Math.max(p[y], LOG_LOSS_EPSILON), 1 - LOG_LOSS_EPSILON));
    for (const d of DIRECTIONS) brier += (p[d] - (d === y ? 1 : 0)) ** 2;
  }
  const present = DIRECTIONS.filter((d) => support[d] > 0);
  const recall = present.reduce((s, d) => s + correct[d] / support[d], 0) / present.length;
  const pUp = probs.map((p) => p.up);
  return {
    accuracy: hits / n,
    balanced_accuracy: recall,
    log_loss: logLoss / n,
    brier: brier / n,
    auc: rocAuc(pUp, labels.map((y) => y === "up")),
    rank_ic: spearman(pUp, forwardReturns),
    n,
  };
}

/** 1-based ranks with ties given the mean of the ranks they span. */
export function averageRanks(xs: readonly number[]): number[] {
  xs.forEach((x, i) => {
    if (!Number.isFinite(x)) throw new RangeError(`averageRanks: value ${i} is not finite (${x})`);
  });
  const order = xs.map((_, i) => i).sort((a, b) => xs[a] - xs[b]);
  const ranks = new Array<number>(xs.length);
  for (let i = 0; i < order.length;) {
    let j = i;
    while (j + 1 < order.length && xs[order[j + 1]] === xs[order[i]]) j++;
    const rank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) ranks[order[k]] = rank;
    i = j + 1;
  }
  return ranks;
}

/**
 * Area under the ROC curve by the Mann-Whitney statistic: the probability that a random
 * positive scores above a random negative, ties counting one half. null without at least
 * one positive and one negative.
 */
export function rocAuc(scores: readonly number[], positive: readonly boolean[]): number | null {
  if (scores.length !== positive.length) {
    throw new RangeError(
      `rocAuc: ${scores.length} scores but ${positive.length} positive/negative flags`,
    );
  }
  const nPos = positive.filter(Boolean).length;
  const nNeg = positive.length - nPos;
  if (nPos === 0 || nNeg === 0) return null;
  const ranks = averageRanks(scores);
  let rankSum = 0;
  for (let i = 0; i < ranks.length; i++) if (positive[i]) rankSum += ranks[i];
  return (rankSum - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}

/** Pearson correlation of average ranks; null with fewer than 2 pairs or a constant side. */
export function spearman(xs: readonly number[], ys: readonly number[]): number | null {
  if (xs.length !== ys.length) {
    throw new RangeError(`spearman: ${xs.length} x values but ${ys.length} y values`);
  }
  if (xs.length < 2) return null;
  const rx = averageRanks(xs);
  const ry = averageRanks(ys);
  const mean = (xs.length + 1) / 2; // mean of 1..n, unchanged by averaging tied ranks
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < rx.length; i++) {
    sxy += (rx[i] - mean) * (ry[i] - mean);
    sxx += (rx[i] - mean) ** 2;
    syy += (ry[i] - mean) ** 2;
  }
  if (sxx === 0 || syy === 0) return null;
  return Math.max(-1, Math.min(1, sxy / Math.sqrt(sxx * syy)));
}

function checkInputs({ probs, labels, forwardReturns }: MetricInputs): void {
  if (probs.length !== labels.length || forwardReturns.length !== labels.length) {
    throw new RangeError(
      `directionMetrics: lengths differ: ${probs.length} probs, ${labels.length} labels, ` +
        `${forwardReturns.length} forward returns`,
    );
  }
  for (let i = 0; i < labels.length; i++) {
    if (!isDirection(labels[i])) {
      throw new RangeError(`labels[${i}]: expected down, flat or up (got ${String(labels[i])})`);
    }
    if (!Number.isFinite(forwardReturns[i])) {
      throw new RangeError(
        `forwardReturns[${i}]: expected a finite number (got ${forwardReturns[i]})`,
      );
    }
    checkProbs(probs[i], `probs[${i}]`);
  }
}

/** Throws unless p has down, flat and up in [0, 1] summing to 1 (± 1e-6). */
export function checkProbs(p: DirectionProbs, where: string): void {
  if (typeof p !== "object" || p === null) throw new RangeError(`${where}: expected an object`);
  for (const d of DIRECTIONS) {
    const v = p[d];
    if (typeof v !== "number" || !Number.isFinite(v) || v < 0 || v > 1) {
      throw new RangeError(`${where}.${d}: expected a probability in [0, 1] (got ${v})`);
    }
  }
  const sum = p.down + p.flat + p.up;
  if (Math.abs(sum - 1) > SUM_TOLERANCE) {
    throw new RangeError(`${where}: probabilities sum to ${sum}, expected 1`);
  }
}
