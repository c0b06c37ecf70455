// Trend agent core with the learned GRU: per symbol, the same streaming FeatureEngine and
// feature row as training (shared/train/datasets.ts), normalised with the card's training
// statistics; once K rows are in, one ONNX inference per bar gives the direction probabilities.
import type { AsyncAgentCore, BatchStep, Output, Step } from "../runtime/core.ts";
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

/**
 * What one bar asks of the model: null for a redelivered bar (no output), else the bar and
 * its input window ([window, features], row-major, copied at the time of the bar), or null
 * for the neutral view while the window is not full yet.
 */
export type BarRequest = { bar: Bar; window: Float32Array | null } | null;

/**
 * The signals for a run of bar requests, in order, from ONE model run over every full window
 * among them (the bars of several symbols that closed together). Each window's row of the
 * batched output is bit-for-bit the row a single-window run gives (tests/unit/
 * batched_inference.test.ts), so the signals do not depend on how bars were grouped.
 */
export async function answerBars(
  agent: "trend" | "pattern",
  model: OnnxModel,
  modelName: string,
  requests: readonly BarRequest[],
): Promise<Output[][]> {
  const windows = requests.flatMap((r) => (r?.window ? [r.window] : []));
  let probs: Float32Array = new Float32Array(0);
  if (windows.length > 0) {
    const size = model.sampleDims.reduce((a, b) => a * b, 1);
    const data = new Float32Array(windows.length * size);
    windows.forEach((w, i) => {
      if (w.length !== size) {
        throw new Error(`${agent}: a window holds ${w.length} values, the model takes ${size}`);
      }
      data.set(w, i * size);
    });
    probs = await model.predict(data, [windows.length, ...model.sampleDims]);
    if (probs.length !== 3 * windows.length) {
      throw new Error(
        `${agent}: model returned ${probs.length} values for ${windows.length} windows, ` +
          `not ${3 * windows.length}`,
      );
    }
  }
  let k = 0;
  return requests.map((r) => {
    if (r === null) return [];
    let view: { probs: DirectionProbs; confidence: number } = NEUTRAL;
    if (r.window !== null) {
      const p = probsFromOutput(probs.subarray(3 * k, 3 * k + 3), agent);
      k++;
      view = { probs: p, confidence: confidenceOf(p) };
    }
    return [{ stream: "signals", msg: signalEnvelope(agent, r.bar, view, modelName) }];
  });
}

/**
 * `step` and `stepBatch` of a per-bar model core from its synchronous part: `prepare` takes
 * the bar into the state and says what it needs of the model. One code path for both: a
 * single step is a batch of one.
 */
export function batchedSteps<S>(
  agent: "trend" | "pattern",
  model: OnnxModel,
  modelName: string,
  prepare: (state: S, msg: AnyEnvelope) => BarRequest,
): Pick<Required<AsyncAgentCore<S>>, "step" | "stepBatch"> {
  const stepBatch = async (state: S, msgs: readonly AnyEnvelope[]): Promise<BatchStep<S>> => {
    const requests = msgs.map((m) => prepare(state, m));
    return { state, out: await answerBars(agent, model, modelName, requests) };
  };
  return {
    stepBatch,
    async step(state: S, msg: AnyEnvelope): Promise<Step<S>> {
      const r = await stepBatch(state, [msg]);
      return { state: r.state, out: r.out[0] };
    },
  };
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
  const prepare = (state: LearnedTrendState, msg: AnyEnvelope): BarRequest => {
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
    if (last !== null && bar.time <= last) return null; // redelivery
    const row = trendFeatureRow(entry.engine.update(bar));
    state.symbols.set(bar.symbol, entry);
    if (row === null) entry.rows = [];
    else {
      entry.rows.push(normaliseRows([row], norm)[0]);
      if (entry.rows.length > window) entry.rows.shift();
    }
    return {
      bar,
      window: entry.rows.length === window ? Float32Array.from(entry.rows.flat()) : null,
    };
  };
  return {
    name: "trend",
    inputs: ["md.bars"],
    init: () => ({ symbols: new Map() }),
    ...batchedSteps("trend", model, modelName, prepare),
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
