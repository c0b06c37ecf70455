// Training of the learned meta agent: a logistic (or small MLP) stacker over the base agents'
// OUT-OF-SAMPLE direction probabilities, i.e. only predictions each base model made on a test
// window it was not trained on (their walk-forward OOS sets, joined on bar time and symbol).
// The stacker has its own walk-forward over those rows (expanding, purge = horizon,
// embargo), so its scores are out of sample twice over. Calibration: each fold's
// probabilities are temperature-scaled with the T fitted on the stacker's earlier folds' OOS
// predictions only, purged of the rows whose label reaches the fold (T = 1 for the first);
// the served model carries the T fitted on all
// of them. Next to it, on the very same rows, are scored: each base agent, the plain average
// and the hit-rate-weighted vote (replayed with the meta agent's own weighting code), and
// the naive baselines.
import {
  baselineMetrics,
  type BaselineResults,
  type DirectionLabel,
  directionMetrics,
  type DirectionProbs,
  DIRECTIONS,
  type Fold,
  type MetricSet,
  walkForwardSplits,
} from "../learn/mod.ts";
import { applyTemperature, fitTemperature, reliability } from "../learn/calibration.ts";
import {
  DEFAULT_HIT_RATE_OPTIONS,
  emptyHitTrack,
  type HitRateOptions,
  type HitTrack,
  recordBar,
  recordCalls,
} from "../learn/hit_rate.ts";
import { stackerFeatureNames, stackerRow } from "../learn/stacker_inputs.ts";
import { deriveSeed } from "../nn/seeded_random.ts";
import { buildStacker } from "../nn/stacker_model.ts";
import { predictWithTf } from "../nn/tf_model_io.ts";
import type { tf } from "../nn/tf_runtime.ts";
import { train } from "../nn/tf_training.ts";
import { type WindowBatch, windowBatch } from "../nn/window_batch.ts";
import type { DirectionSignal } from "../messages/mod.ts";
import { combineVotes } from "../../agents/meta/vote.ts";
import { type MetaMode, metaVotes } from "../../agents/meta/weights.ts";
import { confidenceOf } from "../../agents/trend/learned_core.ts";
import type { Dataset, SymbolSeries } from "./datasets.ts";
import { sampleFolds } from "./datasets.ts";
import { renormalise } from "./nn_train.ts";

/** A base agent's walk-forward out-of-sample predictions over its dataset's samples. */
export interface BaseOutOfSample {
  agent: "trend" | "pattern";
  ds: Dataset;
  oosIndices: readonly number[];
  oosProbs: readonly DirectionProbs[];
}

/** The stacker's rows: S samples per bar time (symbol order fixed), time-major. */
export interface StackerRows {
  agents: string[];
  features: string[];
  symbols: string[];
  /** Bar time of each time index. */
  times: number[];
  /** Per sample (time index · S + symbol): each base agent's OOS probabilities. */
  probs: Record<string, DirectionProbs>[];
  x: number[][];
  labels: DirectionLabel[];
}

/**
 * Joins the base agents' OOS predictions on (bar time, symbol), keeping the bar times where
 * every base agent predicted every symbol. Throws when they disagree on a label (they must
 * be built from the same bars and label options) or share no row.
 */
export function joinOutOfSample(bases: readonly BaseOutOfSample[]): StackerRows {
  if (bases.length === 0) throw new RangeError("meta: no base agent predictions to stack");
  const symbols = [...bases[0].ds.symbols];
  for (const b of bases) {
    if (b.ds.symbols.join("\u0000") !== symbols.join("\u0000")) {
      throw new RangeError(
        `meta: ${b.agent} was trained on ${b.ds.symbols.join(",")}, ${bases[0].agent} on ` +
          `${symbols.join(",")}: the base agents must share their symbols`,
      );
    }
    if (b.oosIndices.length !== b.oosProbs.length) {
      throw new RangeError(
        `meta: ${b.agent} has ${b.oosIndices.length} OOS indices but ` +
          `${b.oosProbs.length} predictions`,
      );
    }
  }
  const S = symbols.length;
  const agents = bases.map((b) => b.agent);
  const byKey = new Map<string, { probs: Record<string, DirectionProbs>; label: DirectionLabel }>();
  bases.forEach((b, k) => {
    b.oosIndices.forEach((i, j) => {
      const label = b.ds.labels[i];
      if (label === null) throw new RangeError(`meta: ${b.agent} OOS sample ${i} has no label`);
      const key = `${b.ds.times[i]}|${b.ds.symbols[i % S]}`;
      const row = byKey.get(key);
      if (k === 0) byKey.set(key, { probs: { [b.agent]: b.oosProbs[j] }, label });
      else if (row !== undefined) {
        if (row.label.direction !== label.direction) {
          throw new RangeError(`meta: ${agents[0]} and ${b.agent} disagree on the label of ${key}`);
        }
        row.probs[b.agent] = b.oosProbs[j];
      }
    });
  });
  const full = (key: string) => {
    const r = byKey.get(key);
    return r !== undefined && agents.every((a) => r.probs[a] !== undefined);
  };
  const times = [...new Set([...byKey.keys()].map((k) => Number(k.split("|")[0])))]
    .filter((t) => symbols.every((s) => full(`${t}|${s}`)))
    .sort((a, b) => a - b);
  if (times.length === 0) {
    throw new RangeError(`meta: ${agents.join(" and ")} share no out-of-sample bar`);
  }
  const out: StackerRows = {
    agents,
    features: stackerFeatureNames(agents),
    symbols,
    times,
    probs: [],
    x: [],
    labels: [],
  };
  for (const t of times) {
    for (const s of symbols) {
      const r = byKey.get(`${t}|${s}`)!;
      out.probs.push(r.probs);
      out.x.push(stackerRow(agents, r.probs)!);
      out.labels.push(r.label);
    }
  }
  return out;
}

export interface StackerOptions {
  horizon: number;
  /** Bar times in the first (expanding) training window. */
  trainBars: number;
  testBars: number;
  embargo: number;
  /** Hidden ReLU units (0: logistic regression). */
  hidden: number;
  l2: number;
  epochs: number;
  batchSize: number;
  learningRate: number;
  seed: number;
  hitRate: HitRateOptions;
}

export const DEFAULT_STACKER_OPTIONS: Readonly<Omit<StackerOptions, "horizon">> = Object.freeze({
  trainBars: 252,
  testBars: 126,
  embargo: 1,
  hidden: 0,
  l2: 1e-3,
  epochs: 40,
  batchSize: 64,
  learningRate: 0.01,
  seed: 11,
  hitRate: DEFAULT_HIT_RATE_OPTIONS,
});

/**
 * Checks that no training sample's label horizon reaches its fold's test window, in each
 * symbol's own bar positions: position(train bar) + horizon < position(first test bar).
 * Returns one line per violation (empty: clean).
 */
export function stackerLabelLeaks(
  timeFolds: readonly Fold[],
  times: readonly number[],
  series: readonly SymbolSeries[],
  horizon: number,
): string[] {
  const out: string[] = [];
  for (const s of series) {
    const pos = new Map(s.bars.map((b, i) => [b.time, i]));
    for (const f of timeFolds) {
      const testPos = pos.get(times[f.test[0]]);
      if (testPos === undefined) {
        out.push(`fold ${f.index}: ${s.symbol} has no bar at the test start`);
        continue;
      }
      for (let i = f.train[0]; i < f.train[1]; i++) {
        const p = pos.get(times[i]);
        if (p === undefined || p + horizon >= testPos) {
          out.push(
            `fold ${f.index}: ${s.symbol} training bar ${new Date(times[i]).toISOString()} ` +
              `(label to position ${p === undefined ? "?" : p + horizon}) reaches the test ` +
              `window at position ${testPos}`,
          );
        }
      }
    }
  }
  return out;
}

export interface StackerNormalisation {
  mean: number[];
  std: number[];
}

/** Per-feature mean and population std over rows [start, end) (std floored at 1e-6). */
export function fitRowNormalisation(
  x: readonly (readonly number[])[],
  start: number,
  end: number,
): StackerNormalisation {
  const f = x[0].length;
  const n = end - start;
  const mean = new Array<number>(f).fill(0);
  const sq = new Array<number>(f).fill(0);
  for (let i = start; i < end; i++) for (let j = 0; j < f; j++) mean[j] += x[i][j] / n;
  for (let i = start; i < end; i++) for (let j = 0; j < f; j++) sq[j] += (x[i][j] - mean[j]) ** 2;
  return { mean, std: sq.map((s) => Math.max(Math.sqrt(s / n), 1e-6)) };
}

export function stackerBatch(
  x: readonly (readonly number[])[],
  start: number,
  end: number,
  norm: StackerNormalisation,
): WindowBatch {
  const f = norm.mean.length;
  const data = new Float32Array((end - start) * f);
  for (let i = start; i < end; i++) {
    for (let j = 0; j < f; j++) data[(i - start) * f + j] = (x[i][j] - norm.mean[j]) / norm.std[j];
  }
  return windowBatch(data, [end - start, 1, f]);
}

export interface StackerResult {
  rows: StackerRows;
  timeFolds: Fold[];
  folds: Fold[];
  /** Calibrated OOS scores (what the card's `oos` holds), with the ECE. */
  oos: MetricSet & { ece: number | null };
  uncalibrated: MetricSet & { ece: number | null };
  /** On the same OOS rows: each base agent, and the average and weighted votes. */
  comparison: Record<string, MetricSet>;
  baselines: BaselineResults;
  /** Temperature of the served model (fitted on every fold's raw OOS predictions). */
  temperature: number;
  foldTemperatures: number[];
  reliability: ReturnType<typeof reliability>;
  normalisation: StackerNormalisation;
  /** The last fold's model (the caller disposes it) and its test rows, normalised. */
  model: tf.LayersModel;
  lastTest: WindowBatch;
  oosIndices: number[];
  oosProbs: DirectionProbs[];
  msPerFold: number[];
}

const classIndex = (d: string) => DIRECTIONS.indexOf(d as (typeof DIRECTIONS)[number]);

/** Walk-forward training of the stacker over the joined OOS rows. */
export async function trainStacker(
  rows: StackerRows,
  series: readonly SymbolSeries[],
  opts: StackerOptions,
  onFold?: (fold: Fold, folds: number, ms: number) => void,
): Promise<StackerResult> {
  if (opts.embargo < opts.horizon) {
    throw new RangeError(`meta: embargo must be >= horizon ${opts.horizon} (got ${opts.embargo})`);
  }
  const S = rows.symbols.length;
  let timeFolds: Fold[];
  try {
    timeFolds = walkForwardSplits({
      n: rows.times.length,
      trainSize: opts.trainBars,
      testSize: opts.testBars,
      mode: "expanding",
      horizon: opts.horizon,
      embargo: opts.embargo,
    });
  } catch (e) {
    throw new RangeError(
      `meta: the base agents' out-of-sample predictions cover ${rows.times.length} bar times, ` +
        `too few for the stacker's walk-forward (${(e as Error).message}); train the base ` +
        `agents on more folds (--max-folds, or shorter --train-bars/--test-bars) or more data, ` +
        `or leave meta out (--agents trend,pattern,volatility,regime)`,
    );
  }
  const leaks = stackerLabelLeaks(timeFolds, rows.times, series, opts.horizon);
  if (leaks.length > 0) {
    throw new Error(
      `meta: training labels reach into test windows: ${leaks.slice(0, 3).join("; ")}`,
    );
  }
  const folds = sampleFolds(timeFolds, S);
  const raw = new Map<number, DirectionProbs>();
  const calibrated = new Map<number, DirectionProbs>();
  const rawSoFar: DirectionProbs[] = [];
  const labelsSoFar: (typeof DIRECTIONS)[number][] = [];
  const rawIndex: number[] = [];
  const foldTemperatures: number[] = [];
  const msPerFold: number[] = [];
  let model: tf.LayersModel | null = null;
  let norm: StackerNormalisation | null = null;
  let lastTest: WindowBatch | null = null;
  for (const fold of folds) {
    const t0 = performance.now();
    const [a, b] = fold.train;
    norm = fitRowNormalisation(rows.x, a, b);
    const y = rows.labels.slice(a, b).map((l) => classIndex(l.direction));
    model?.dispose();
    model = buildStacker({
      features: rows.features.length,
      hidden: opts.hidden,
      l2: opts.l2,
      seed: deriveSeed(opts.seed, fold.index),
    });
    await train(model, stackerBatch(rows.x, a, b, norm), y, {
      epochs: opts.epochs,
      batchSize: opts.batchSize,
      seed: deriveSeed(opts.seed, 1000 + fold.index),
      learningRate: opts.learningRate,
    });
    // purged like training: earlier OOS rows whose label reaches this test window are left out
    const known = rawIndex.findLastIndex((i) => i < fold.test[0] - opts.horizon * S) + 1;
    const temperature = fitTemperature(rawSoFar.slice(0, known), labelsSoFar.slice(0, known));
    foldTemperatures.push(temperature);
    lastTest = stackerBatch(rows.x, fold.test[0], fold.test[1], norm);
    const out = predictWithTf(model, lastTest);
    for (let i = fold.test[0]; i < fold.test[1]; i++) {
      const k = (i - fold.test[0]) * 3;
      const p = renormalise({ down: out[k], flat: out[k + 1], up: out[k + 2] });
      raw.set(i, p);
      calibrated.set(i, applyTemperature(p, temperature));
      rawSoFar.push(p);
      rawIndex.push(i);
      labelsSoFar.push(rows.labels[i].direction);
    }
    msPerFold.push(performance.now() - t0);
    onFold?.(fold, folds.length, msPerFold.at(-1)!);
  }
  const idx = [...raw.keys()];
  const labels = idx.map((i) => rows.labels[i].direction);
  const score = (probs: DirectionProbs[]) =>
    directionMetrics({
      probs,
      labels,
      forwardReturns: idx.map((i) => rows.labels[i].forwardReturn),
    });
  const calProbs = idx.map((i) => calibrated.get(i)!);
  const rawProbs = idx.map((i) => raw.get(i)!);
  const rel = reliability(calProbs, labels);
  const comparison: Record<string, MetricSet> = {};
  for (const a of rows.agents) comparison[a] = score(idx.map((i) => renormalise(rows.probs[i][a])));
  for (const mode of ["average", "weighted"] as const) {
    const votes = replayVotes(rows, series, mode, opts.hitRate, opts.horizon);
    comparison[mode] = score(idx.map((i) => votes[i]));
  }
  const labelSeq = rows.labels as readonly (DirectionLabel | null)[];
  return {
    rows,
    timeFolds,
    folds,
    oos: { ...score(calProbs), ece: rel.ece },
    uncalibrated: { ...score(rawProbs), ece: reliability(rawProbs, labels).ece },
    comparison,
    baselines: baselineMetrics(labelSeq, folds, opts.horizon * S),
    temperature: fitTemperature(rawProbs, labels),
    foldTemperatures,
    reliability: rel,
    normalisation: norm!,
    model: model!,
    lastTest: lastTest!,
    oosIndices: idx,
    oosProbs: calProbs,
    msPerFold,
  };
}

/**
 * The meta agent's average or hit-rate-weighted vote on every row, replayed in time order
 * with the agent's own code (weights.ts, vote.ts, hit_rate.ts): each symbol's closes are fed
 * bar by bar, and the calls of a row are recorded after its vote, so a vote at bar t counts
 * only calls resolved by closes at or before t.
 */
export function replayVotes(
  rows: StackerRows,
  series: readonly SymbolSeries[],
  mode: Exclude<MetaMode, "learned">,
  hitRate: HitRateOptions,
  horizon: number,
): DirectionProbs[] {
  const o = { ...hitRate, horizon };
  const S = rows.symbols.length;
  const bySymbol = new Map(series.map((s) => [s.symbol, s]));
  const tracks: HitTrack[] = rows.symbols.map(() => emptyHitTrack());
  const cursor = rows.symbols.map(() => 0);
  const out: DirectionProbs[] = [];
  const expected = rows.agents as ("trend" | "pattern")[];
  rows.times.forEach((t, ti) => {
    rows.symbols.forEach((symbol, s) => {
      const bars = bySymbol.get(symbol)?.bars;
      if (bars === undefined) throw new RangeError(`meta: no bars for ${symbol}`);
      while (cursor[s] < bars.length && bars[cursor[s]].time <= t) {
        recordBar(tracks[s], bars[cursor[s]].time, bars[cursor[s]].close, o);
        cursor[s]++;
      }
      const probs = rows.probs[ti * S + s];
      const signals: Partial<Record<"trend" | "pattern", DirectionSignal>> = {};
      for (const a of expected) {
        const p = renormalise(probs[a]);
        signals[a] = {
          kind: "direction",
          agent: a,
          symbol,
          barTime: t,
          probs: p,
          confidence: confidenceOf(p),
          latencyMs: 0,
          model: "oos",
        };
      }
      const votes = metaVotes(signals, {
        mode,
        expected,
        regime: "unknown",
        trendWeightInRange: 1,
        track: tracks[s],
        hitRate: o,
        barTime: t,
      });
      out.push(combineVotes(votes).probs);
      recordCalls(tracks[s], t, votes.map((v) => ({ agent: v.agent, probs: v.probs })), o);
    });
  });
  return out;
}
