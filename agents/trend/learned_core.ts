// Trend agent core with the learned GRU: per symbol, the same streaming FeatureEngine and
// feature row as training (shared/train/datasets.ts), normalised with the card's training
// statistics; once K rows are in, one ONNX inference per bar gives the direction probabilities.
import type { AsyncAgentCore, Step } from "../runtime/core.ts";
import { signalOutput } from "../runtime/signal_output.ts";
import {
  type AnyEnvelope,
  type Bar,
  type DirectionProbs,
  type DirectionSignal,
} from "../../shared/messages/mod.ts";
import { FeatureEngine } from "../../shared/features/engine.ts";
import { checkCardMatches, type ModelCard, ModelCardError } from "../../shared/learn/card.ts";
import type { OnnxModel } from "../../shared/nn/onnx_model.ts";
import {
  type Normalisation,
  normaliseRows,
  TREND_FEATURE_CONFIG,
  TREND_FEATURES,
  trendFeatureRow,
} from "../../shared/train/datasets.ts";

export const DIRECTION_OUTPUTS = ["down", "flat", "up"] as const;

export interface LearnedCoreOptions {
  model: OnnxModel;
  card: ModelCard;
}

/** Probabilities before the window is full: uniform, with confidence 0. */
export const NEUTRAL = Object.freeze({
  probs: Object.freeze({ down: 1 / 3, flat: 1 / 3, up: 1 / 3 }),
  confidence: 0,
});

/**
 * Confidence = (max p − 1/3) / (2/3): 0 for a uniform output, 1 when one class is certain.
 * It is the inverse of the rule core's mapping (favoured class (1 + 2c) / 3), so meta reads
 * learned and rule signals on one scale.
 */
export function confidenceOf(p: DirectionProbs): number {
  const max = Math.max(p.down, p.flat, p.up);
  return Math.min(1, Math.max(0, (max - 1 / 3) * 1.5));
}

/** One softmax row [down, flat, up] (float32) → probabilities summing to 1 in double. */
export function probsFromOutput(out: Float32Array, source: string): DirectionProbs {
  if (out.length !== 3) throw new Error(`${source}: model returned ${out.length} values, not 3`);
  const [down, flat, up] = Array.from(out, Number);
  const s = down + flat + up;
  if (![down, flat, up].every((v) => Number.isFinite(v) && v >= 0) || !(s > 0)) {
    throw new Error(`${source}: model output [${down}, ${flat}, ${up}] is not a distribution`);
  }
  return { down: down / s, flat: flat / s, up: up / s };
}

/** The card's window, after checking it against the model's input shape [window, features]. */
export function checkModelShape(
  agent: string,
  model: OnnxModel,
  card: ModelCard,
  features: number,
): number {
  const dims = model.sampleDims;
  const window = card.inputs.window;
  if (dims.length !== 2 || dims[0] !== window || dims[1] !== features) {
    throw new ModelCardError(
      `${agent}: the model takes [${dims.join(", ")}] per sample but the card describes ` +
        `[${window}, ${features}]`,
    );
  }
  return window;
}

/** The card's timeframe (params.timeframe), which every bar must have. */
export function cardTimeframe(agent: string, card: ModelCard): string {
  const tf = card.params.timeframe;
  if (typeof tf !== "string" || tf.length === 0) {
    throw new ModelCardError(`${agent}: the card's params.timeframe must name the bar timeframe`);
  }
  return tf;
}

export function signalEnvelope(
  agent: "trend" | "pattern",
  bar: Bar,
  view: { probs: DirectionProbs; confidence: number },
  model: string,
): AnyEnvelope {
  const signal: DirectionSignal = {
    kind: "direction",
    agent,
    symbol: bar.symbol,
    barTime: bar.time,
    probs: { ...view.probs },
    confidence: view.confidence,
    latencyMs: 0,
    model,
  };
  return signalOutput(signal).msg;
}

function trendNormalisation(card: ModelCard): Normalisation {
  const norm = card.inputs.normalisation;
  if (norm === null || !("mean" in norm)) {
    throw new ModelCardError(
      "trend: the card's inputs.normalisation must hold the training mean and std arrays",
    );
  }
  return { mean: norm.mean, std: norm.std };
}

function checkFeatureConfig(card: ModelCard): void {
  const want = JSON.stringify(TREND_FEATURE_CONFIG);
  const got = JSON.stringify(card.params.feature_config ?? null);
  if (got !== want) {
    throw new ModelCardError(
      `trend: the card's params.feature_config ${got} differs from the agent's ${want}`,
    );
  }
}

interface SymbolWindow {
  timeframe: string;
  engine: FeatureEngine;
  /** Last K normalised rows, all defined and consecutive. */
  rows: number[][];
}

export interface LearnedTrendState {
  symbols: Map<string, SymbolWindow>;
}

export function createLearnedTrendCore(
  { model, card }: LearnedCoreOptions,
): AsyncAgentCore<LearnedTrendState> {
  const window = checkModelShape("trend", model, card, TREND_FEATURES.length);
  checkCardMatches(card, {
    agent: "trend",
    features: TREND_FEATURES,
    window,
    classes: DIRECTION_OUTPUTS,
  });
  const norm = trendNormalisation(card);
  checkFeatureConfig(card);
  const timeframe = cardTimeframe("trend", card);
  const modelName = `onnx:${card.created_at}`;
  const features = TREND_FEATURES.length;
  return {
    name: "trend",
    inputs: ["md.bars"],
    init: () => ({ symbols: new Map() }),
    async step(state: LearnedTrendState, msg: AnyEnvelope): Promise<Step<LearnedTrendState>> {
      if (msg.type !== "bar") {
        throw new Error(`trend: expected a 'bar' message, got '${msg.type}' (${msg.id})`);
      }
      const bar = msg.data;
      if (bar.timeframe !== timeframe) {
        throw new Error(
          `trend: bar ${bar.symbol}@${bar.time} has timeframe '${bar.timeframe}', the model ` +
            `was trained on '${timeframe}'`,
        );
      }
      let entry = state.symbols.get(bar.symbol);
      if (entry === undefined) {
        entry = {
          timeframe: bar.timeframe,
          engine: new FeatureEngine(TREND_FEATURE_CONFIG),
          rows: [],
        };
      }
      const last = entry.engine.lastTime;
      if (last !== null && bar.time <= last) return { state, out: [] }; // redelivery
      const row = trendFeatureRow(entry.engine.update(bar));
      state.symbols.set(bar.symbol, entry);
      if (row === null) entry.rows = [];
      else {
        entry.rows.push(normaliseRows([row], norm)[0]);
        if (entry.rows.length > window) entry.rows.shift();
      }
      let view: { probs: DirectionProbs; confidence: number } = NEUTRAL;
      if (entry.rows.length === window) {
        const input = Float32Array.from(entry.rows.flat());
        const out = await model.predict(input, [1, window, features]);
        const probs = probsFromOutput(out, "trend");
        view = { probs, confidence: confidenceOf(probs) };
      }
      return {
        state,
        out: [{ stream: "signals", msg: signalEnvelope("trend", bar, view, modelName) }],
      };
    },
    describe: (state) => ({
      model: modelName,
      window,
      features: [...TREND_FEATURES],
      symbols: Object.fromEntries(
        [...state.symbols].map(([s, e]) => [s, { bars: e.engine.count, rows: e.rows.length }]),
      ),
    }),
  };
}
