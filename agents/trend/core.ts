// Trend agent core: an interpretable rule until learned models land. The EMA(fast) /
// EMA(slow) crossover picks the favoured direction, the MACD histogram's sign confirms or
// weakens it, and the confidence grows with the EMA spread measured in ATRs.
import type { AgentCore, Step } from "../runtime/core.ts";
import { signalOutput } from "../runtime/signal_output.ts";
import {
  type AnyEnvelope,
  type DirectionProbs,
  type DirectionSignal,
} from "../../shared/messages/mod.ts";
import { type FeatureVector, SymbolEngines } from "../../shared/features/mod.ts";

export const TREND_MODEL = "rule:ema-macd@1";

export interface TrendOptions {
  fastPeriod: number;
  slowPeriod: number;
  signalPeriod: number;
  atrPeriod: number;
  /** EMA spread, in ATRs, at which the confidence reaches tanh(1) ≈ 0.76 (before MACD). */
  spreadScale: number;
  /** Confidence multiplier when the MACD histogram does not share the crossover's sign. */
  unconfirmedFactor: number;
}

export const DEFAULT_TREND_OPTIONS: Readonly<TrendOptions> = Object.freeze({
  fastPeriod: 12,
  slowPeriod: 26,
  signalPeriod: 9,
  atrPeriod: 14,
  spreadScale: 1,
  unconfirmedFactor: 0.5,
});

export interface TrendView {
  probs: DirectionProbs;
  confidence: number;
}

export const UNIFORM_DIRECTION: Readonly<DirectionProbs> = Object.freeze({
  down: 1 / 3,
  flat: 1 / 3,
  up: 1 / 3,
});

/**
 * Maps the features of one bar to direction probabilities. With confidence c the favoured
 * direction gets (1 + 2c) / 3 and the two others (1 - c) / 3 each: uniform at c = 0,
 * certain at c = 1. Warm-up (any input null) or a zero ATR gives c = 0.
 */
export function trendView(
  f: Pick<FeatureVector, "emaFast" | "emaSlow" | "macdHistogram" | "atr">,
  opts: Pick<TrendOptions, "spreadScale" | "unconfirmedFactor">,
): TrendView {
  const { emaFast, emaSlow, macdHistogram, atr } = f;
  if (emaFast === null || emaSlow === null || macdHistogram === null || atr === null || atr <= 0) {
    return { probs: { ...UNIFORM_DIRECTION }, confidence: 0 };
  }
  const spread = (emaFast - emaSlow) / atr;
  const direction = Math.sign(spread);
  if (direction === 0) return { probs: { ...UNIFORM_DIRECTION }, confidence: 0 };
  const confirmed = Math.sign(macdHistogram) === direction;
  const strength = Math.tanh(Math.abs(spread) / opts.spreadScale);
  const confidence = clamp01(strength * (confirmed ? 1 : opts.unconfirmedFactor));
  const favoured = (1 + 2 * confidence) / 3;
  const other = (1 - confidence) / 3;
  const probs = direction > 0
    ? { down: other, flat: other, up: favoured }
    : { down: favoured, flat: other, up: other };
  return { probs, confidence };
}

export interface TrendState {
  engines: SymbolEngines;
}

export function resolveTrendOptions(overrides: Partial<TrendOptions> = {}): TrendOptions {
  const o: TrendOptions = { ...DEFAULT_TREND_OPTIONS };
  const problems: string[] = [];
  for (const [key, value] of Object.entries(overrides)) {
    if (!(key in DEFAULT_TREND_OPTIONS)) problems.push(`${key}: unknown option`);
    else if (value !== undefined) (o as unknown as Record<string, unknown>)[key] = value;
  }
  const minimum = { fastPeriod: 2, slowPeriod: 2, signalPeriod: 1, atrPeriod: 2 } as const;
  for (const [key, min] of Object.entries(minimum) as [keyof typeof minimum, number][]) {
    if (!Number.isInteger(o[key]) || o[key] < min) {
      problems.push(`${key}: expected an integer >= ${min} (got ${o[key]})`);
    }
  }
  if (!(o.fastPeriod < o.slowPeriod)) {
    problems.push(`fastPeriod: must be below slowPeriod (got ${o.fastPeriod} >= ${o.slowPeriod})`);
  }
  if (!(Number.isFinite(o.spreadScale) && o.spreadScale > 0)) {
    problems.push(`spreadScale: expected a finite number > 0 (got ${o.spreadScale})`);
  }
  if (!(o.unconfirmedFactor >= 0 && o.unconfirmedFactor <= 1)) {
    problems.push(`unconfirmedFactor: expected a number in [0, 1] (got ${o.unconfirmedFactor})`);
  }
  if (problems.length > 0) throw new Error(`invalid trend options: ${problems.join("; ")}`);
  return o;
}

/**
 * `latencyMs` is 0 here: a core reads no clock; the actor shell measures the step and
 * overwrites it before publishing.
 */
export function createTrendCore(overrides: Partial<TrendOptions> = {}): AgentCore<TrendState> {
  const opts = resolveTrendOptions(overrides);
  const featureConfig = {
    emaFastPeriod: opts.fastPeriod,
    emaSlowPeriod: opts.slowPeriod,
    macdFastPeriod: opts.fastPeriod,
    macdSlowPeriod: opts.slowPeriod,
    macdSignalPeriod: opts.signalPeriod,
    atrPeriod: opts.atrPeriod,
  };
  return {
    name: "trend",
    inputs: ["md.bars"],
    init: () => ({ engines: new SymbolEngines(featureConfig) }),
    step(state: TrendState, msg: AnyEnvelope): Step<TrendState> {
      if (msg.type !== "bar") {
        throw new Error(`trend: expected a 'bar' message, got '${msg.type}' (${msg.id})`);
      }
      const bar = msg.data;
      const features = state.engines.accept(bar);
      if (features === null) return { state, out: [] };
      const { probs, confidence } = trendView(features, opts);
      const signal: DirectionSignal = {
        kind: "direction",
        agent: "trend",
        symbol: bar.symbol,
        barTime: bar.time,
        probs,
        confidence,
        latencyMs: 0,
        model: TREND_MODEL,
      };
      return { state, out: [signalOutput(signal)] };
    },
    describe: (state) => ({ model: TREND_MODEL, options: opts, symbols: state.engines.summary() }),
  };
}

const clamp01 = (x: number): number => Math.min(1, Math.max(0, x));
