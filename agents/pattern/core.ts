// Pattern agent core: a 1-D CNN over the last K OHLCV candles of each symbol, scaled by the
// window's last close with the same candleWindows as training. Before K candles are in it
// publishes the uniform distribution with confidence 0.
import type { AsyncAgentCore, Step } from "../runtime/core.ts";
import type { AnyEnvelope, DirectionProbs } from "../../shared/messages/mod.ts";
import { checkCardMatches } from "../../shared/learn/card.ts";
import { type Candle, candleWindows } from "../../shared/nn/candle_windows.ts";
import { PATTERN_CHANNELS } from "../../shared/train/datasets.ts";
import {
  cardTimeframe,
  checkModelShape,
  confidenceOf,
  DIRECTION_OUTPUTS,
  type LearnedCoreOptions,
  NEUTRAL,
  probsFromOutput,
  signalEnvelope,
} from "../trend/learned_core.ts";

interface SymbolCandles {
  lastTime: number;
  /** The last K candles, oldest first. */
  candles: Candle[];
}

export interface PatternState {
  symbols: Map<string, SymbolCandles>;
}

export function createPatternCore(
  { model, card }: LearnedCoreOptions,
): AsyncAgentCore<PatternState> {
  const window = checkModelShape("pattern", model, card, PATTERN_CHANNELS.length);
  checkCardMatches(card, {
    agent: "pattern",
    features: PATTERN_CHANNELS,
    window,
    classes: DIRECTION_OUTPUTS,
  });
  const timeframe = cardTimeframe("pattern", card);
  const modelName = `onnx:${card.created_at}`;
  return {
    name: "pattern",
    inputs: ["md.bars"],
    init: () => ({ symbols: new Map() }),
    async step(state: PatternState, msg: AnyEnvelope): Promise<Step<PatternState>> {
      if (msg.type !== "bar") {
        throw new Error(`pattern: expected a 'bar' message, got '${msg.type}' (${msg.id})`);
      }
      const bar = msg.data;
      if (bar.timeframe !== timeframe) {
        throw new Error(
          `pattern: bar ${bar.symbol}@${bar.time} has timeframe '${bar.timeframe}', the model ` +
            `was trained on '${timeframe}'`,
        );
      }
      const entry = state.symbols.get(bar.symbol);
      if (entry !== undefined && bar.time <= entry.lastTime) return { state, out: [] };
      const candle: Candle = {
        open: bar.open,
        high: bar.high,
        low: bar.low,
        close: bar.close,
        volume: bar.volume,
      };
      // candleWindows validates the candle (positive prices, volume >= 0) before it is kept
      candleWindows([candle], 1);
      const candles = entry === undefined ? [candle] : [...entry.candles, candle].slice(-window);
      state.symbols.set(bar.symbol, { lastTime: bar.time, candles });
      let view: { probs: DirectionProbs; confidence: number } = NEUTRAL;
      if (candles.length === window) {
        const batch = candleWindows(candles, window);
        const probs = probsFromOutput(await model.predictWindows(batch), "pattern");
        view = { probs, confidence: confidenceOf(probs) };
      }
      return {
        state,
        out: [{ stream: "signals", msg: signalEnvelope("pattern", bar, view, modelName) }],
      };
    },
    snapshot: (state) => Object.fromEntries(state.symbols),
    restore(snapshot: unknown): PatternState {
      if (typeof snapshot !== "object" || snapshot === null) {
        throw new Error("pattern: snapshot must be an object of symbol → candles");
      }
      const symbols = new Map<string, SymbolCandles>();
      for (const [symbol, v] of Object.entries(snapshot as Record<string, SymbolCandles>)) {
        if (!Number.isSafeInteger(v?.lastTime) || !Array.isArray(v?.candles)) {
          throw new Error(`pattern: snapshot entry '${symbol}' is not { lastTime, candles }`);
        }
        if (v.candles.length > 0) candleWindows(v.candles, v.candles.length);
        symbols.set(symbol, { lastTime: v.lastTime, candles: v.candles.slice(-window) });
      }
      return { symbols };
    },
    describe: (state) => ({
      model: modelName,
      window,
      symbols: Object.fromEntries(
        [...state.symbols].map((
          [s, e],
        ) => [s, { lastTime: e.lastTime, candles: e.candles.length }]),
      ),
    }),
  };
}
