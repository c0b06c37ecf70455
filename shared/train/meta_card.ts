// The learned meta agent's card (meta.card.json): the stacker's input contract (base agents'
// probability features, window 1, normalisation), calibration, and its out-of-sample scores
// beside the base agents, the average and weighted votes and the naive baselines, all on the
// same rows.
import {
  BASELINE_NAMES,
  DIRECTIONS,
  type ModelCard,
  parseCard,
  trainWindowsFromFolds,
} from "../learn/mod.ts";
import type { StackerOptions, StackerResult } from "./meta_train.ts";

export interface MetaCardInputs {
  result: StackerResult;
  opts: StackerOptions;
  timeframe: string;
  dataSha256: string;
  createdAt: string;
  codeVersion: string;
  /** created_at of each base agent's card, so a stale base model is visible. */
  baseCards: Record<string, string>;
  leak: string | null;
}

const round = (x: number | null) => x === null ? null : Number(x.toPrecision(6));

export function buildMetaCard(c: MetaCardInputs): ModelCard {
  const { result: r, opts } = c;
  const metrics = (m: object) => ({ ...m }) as Record<string, number | null>;
  return parseCard({
    agent: "meta",
    inputs: {
      features: [...r.rows.features],
      window: 1,
      normalisation: { mean: r.normalisation.mean, std: r.normalisation.std },
    },
    outputs: { classes: [...DIRECTIONS] },
    train_windows: trainWindowsFromFolds(r.timeFolds, r.rows.times),
    data_sha256: c.dataSha256,
    params: {
      mode: "learned",
      architecture: opts.hidden > 0 ? "mlp" : "logistic",
      hidden: opts.hidden,
      base_agents: [...r.rows.agents],
      base_cards: c.baseCards,
      trained_on: "the base agents' walk-forward out-of-sample predictions only",
      timeframe: c.timeframe,
      symbols: [...r.rows.symbols],
      horizon: opts.horizon,
      window_mode: "expanding",
      train_bars: opts.trainBars,
      test_bars: opts.testBars,
      embargo: opts.embargo,
      l2: opts.l2,
      epochs: opts.epochs,
      batch_size: opts.batchSize,
      learning_rate: opts.learningRate,
      seed: opts.seed,
      folds: r.timeFolds.length,
      served_fold: r.timeFolds.length - 1,
      temperature: r.temperature,
      calibration: {
        method: "temperature scaling of the logits (softmax(z / T)), in the ONNX graph",
        fitted_on:
          "each fold: the stacker's earlier folds' OOS predictions, purged of labels reaching " +
          "the fold; served: all of them",
        fold_temperatures: r.foldTemperatures.map(round),
        brier_uncalibrated: r.uncalibrated.brier,
        ece_uncalibrated: r.uncalibrated.ece,
        brier: r.oos.brier,
        ece: r.oos.ece,
        reliability: r.reliability.bins.map((b) => ({
          from: round(b.from),
          to: round(b.to),
          n: b.n,
          confidence: round(b.confidence),
          accuracy: round(b.accuracy),
        })),
      },
      uncalibrated: metrics(r.uncalibrated),
      comparison: Object.fromEntries(
        Object.entries(r.comparison).map(([k, m]) => [k, metrics(m)]),
      ),
      hit_rate: {
        window: opts.hitRate.window,
        prior: opts.hitRate.prior,
        min_resolved: opts.hitRate.minResolved,
      },
      previous_direction_fallbacks: r.baselines.previousDirectionFallbacks,
      leak_warning: c.leak,
    },
    created_at: c.createdAt,
    code_version: c.codeVersion,
    oos: metrics(r.oos),
    baselines: Object.fromEntries(
      BASELINE_NAMES.map((b) => [b, metrics(r.baselines.metrics[b])]),
    ),
  }, "meta card");
}
