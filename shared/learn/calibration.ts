// Probability calibration for 3-class direction forecasts: temperature scaling (one scalar T,
// p_T ∝ p^(1/T), i.e. logits divided by T) fitted by maximum likelihood, and the reliability
// table with its expected calibration error (ECE) over the top-class confidence.
// Fit T only on out-of-sample predictions: on training predictions it learns nothing useful.
import { argmaxDirection, type Direction, type DirectionProbs, DIRECTIONS } from "./direction.ts";
import { LOG_LOSS_EPSILON } from "./metrics.ts";

/** Search range of T; beyond it a forecast is either pure noise or a step function. */
export const TEMPERATURE_RANGE: readonly [number, number] = [0.05, 20];

/** p^(1/T), renormalised (computed in log space; p is clipped at LOG_LOSS_EPSILON). */
export function applyTemperature(p: DirectionProbs, temperature: number): DirectionProbs {
  checkTemperature(temperature);
  const logs = DIRECTIONS.map((d) => Math.log(Math.max(p[d], LOG_LOSS_EPSILON)) / temperature);
  const m = Math.max(...logs);
  const e = logs.map((l) => Math.exp(l - m));
  const s = e[0] + e[1] + e[2];
  return { down: e[0] / s, flat: e[1] / s, up: e[2] / s };
}

function meanLogLoss(
  probs: readonly DirectionProbs[],
  labels: readonly Direction[],
  t: number,
): number {
  let sum = 0;
  for (let i = 0; i < probs.length; i++) {
    const q = applyTemperature(probs[i], t)[labels[i]];
    sum -= Math.log(Math.min(Math.max(q, LOG_LOSS_EPSILON), 1 - LOG_LOSS_EPSILON));
  }
  return sum / probs.length;
}

/**
 * The T in TEMPERATURE_RANGE minimising the mean log loss, by golden-section search over
 * ln T (the loss is smooth and, in practice, unimodal in ln T). 1 when there is no sample.
 */
export function fitTemperature(
  probs: readonly DirectionProbs[],
  labels: readonly Direction[],
): number {
  if (probs.length !== labels.length) {
    throw new RangeError(`fitTemperature: ${probs.length} forecasts but ${labels.length} labels`);
  }
  if (probs.length === 0) return 1;
  let lo = Math.log(TEMPERATURE_RANGE[0]);
  let hi = Math.log(TEMPERATURE_RANGE[1]);
  const g = (Math.sqrt(5) - 1) / 2;
  const f = (x: number) => meanLogLoss(probs, labels, Math.exp(x));
  let a = hi - g * (hi - lo);
  let b = lo + g * (hi - lo);
  let fa = f(a);
  let fb = f(b);
  for (let i = 0; i < 60 && hi - lo > 1e-6; i++) {
    if (fa <= fb) {
      hi = b;
      b = a;
      fb = fa;
      a = hi - g * (hi - lo);
      fa = f(a);
    } else {
      lo = a;
      a = b;
      fa = fb;
      b = lo + g * (hi - lo);
      fb = f(b);
    }
  }
  return Math.exp((lo + hi) / 2);
}

export interface ReliabilityBin {
  /** [from, to) of the top-class probability (the last bin includes 1). */
  from: number;
  to: number;
  n: number;
  /** Mean top-class probability in the bin (null when empty). */
  confidence: number | null;
  /** Share of the bin whose top class was the label (null when empty). */
  accuracy: number | null;
}

export interface Reliability {
  bins: ReliabilityBin[];
  /** Σ_bins (n_b / n) · |accuracy_b − confidence_b|; null without samples. */
  ece: number | null;
}

/** Reliability table of the top-class probability in `bins` equal-width bins over [1/3, 1]. */
export function reliability(
  probs: readonly DirectionProbs[],
  labels: readonly Direction[],
  bins = 10,
): Reliability {
  if (probs.length !== labels.length) {
    throw new RangeError(`reliability: ${probs.length} forecasts but ${labels.length} labels`);
  }
  if (!Number.isSafeInteger(bins) || bins < 1) {
    throw new RangeError(`reliability: bins must be an integer >= 1 (got ${bins})`);
  }
  // The top class of 3 always has p >= 1/3, so the bins cover [1/3, 1].
  const lo = 1 / 3;
  const width = (1 - lo) / bins;
  const acc = Array.from({ length: bins }, () => ({ n: 0, conf: 0, hits: 0 }));
  probs.forEach((p, i) => {
    const top = argmaxDirection(p);
    const c = p[top];
    const b = Math.min(bins - 1, Math.max(0, Math.floor((c - lo) / width)));
    acc[b].n++;
    acc[b].conf += c;
    if (labels[i] === top) acc[b].hits++;
  });
  const n = probs.length;
  let ece = 0;
  const out = acc.map((a, b) => {
    const confidence = a.n === 0 ? null : a.conf / a.n;
    const accuracy = a.n === 0 ? null : a.hits / a.n;
    if (confidence !== null && accuracy !== null) {
      ece += (a.n / n) * Math.abs(accuracy - confidence);
    }
    return { from: lo + b * width, to: lo + (b + 1) * width, n: a.n, confidence, accuracy };
  });
  return { bins: out, ece: n === 0 ? null : ece };
}

function checkTemperature(t: number): void {
  if (!(Number.isFinite(t) && t > 0)) {
    throw new RangeError(`temperature must be finite and > 0 (got ${t})`);
  }
}
