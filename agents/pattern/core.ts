// Pattern agent core: a 1-D CNN over the last K OHLCV candles of each symbol, scaled by the
// window's last close with the same candleWindows as training. Before K candles are in it
// publishes the uniform distribution with confidence 0.
import type { AsyncAgentCore } from "../runtime/core.ts";
import type { AnyEnvelope } from "../../shared/messages/mod.ts";
import { checkCardMatches } from "../../shared/learn/card.ts";
import { type Candle, candleWindows } from "../../shared/nn/candle_windows.ts";
import { PATTERN_CHANNELS } from "../../shared/train/datasets.ts";
import {
  type BarRequest,
  batchedSteps,
  cardTimeframe,
  checkModelShape,
  DIRECTION_OUTPUTS,
  type LearnedCoreOptions,
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
  const prepare = (state: PatternState, msg: AnyEnvelope): BarRequest => {
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
    if (entry !== undefined && bar.time <= entry.lastTime) return null; // redelivery
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
    return { bar, window: candles.length === window ? candleWindows(candles, window).data : null };
  };
  return {
    name: "pattern",
    inputs: ["md.bars"],
    init: () => ({ symbols: new Map() }),
    ...batchedSteps("pattern", model, modelName, prepare),
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
