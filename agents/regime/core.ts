// Regime agent core: trend versus range. ADX above its threshold means a trending market;
// a realized volatility in the top of its own recent distribution weakens that reading,
// because violent two-way moves also lift ADX.
import type { AgentCore, Step } from "../runtime/core.ts";
import { signalOutput } from "../runtime/signal_output.ts";
import { type AnyEnvelope, type RegimeSignal } from "../../shared/messages/mod.ts";
import { type FeatureVector, SymbolEngines } from "../../shared/features/mod.ts";

export const REGIME_MODEL = "rule:adx-volq@1";

export interface RegimeOptions {
  adxPeriod: number;
  /** ADX at which trend and range are equally likely (before the volatility penalty). */
  adxThreshold: number;
  /** ADX distance over which the trend probability moves from 0.5 to logistic(1) ≈ 0.73. */
  adxWidth: number;
  /** Bars in the realized-volatility window. */
  volWindow: number;
  /** Realized-volatility values the current one is ranked against. */
  volRankWindow: number;
  /** Ranked values needed before the regime is reported. */
  volRankMinSamples: number;
  /** Volatility rank above which the trend probability is cut. */
  highVolQuantile: number;
  /** Fraction of the trend probability removed at the highest volatility rank. */
  highVolPenalty: number;
}

export const DEFAULT_REGIME_OPTIONS: Readonly<RegimeOptions> = Object.freeze({
  adxPeriod: 14,
  adxThreshold: 25,
  adxWidth: 5,
  volWindow: 20,
  volRankWindow: 250,
  volRankMinSamples: 20,
  highVolQuantile: 0.8,
  highVolPenalty: 0.5,
});

export interface RegimeView {
  regime: "trend" | "range" | "unknown";
  probs: { trend: number; range: number };
  confidence: number;
}

/**
 * p(trend) = logistic((ADX - threshold) / width) × (1 - penalty × excess), where excess
 * is how far the volatility rank lies into the band above highVolQuantile (0..1). The
 * label is the likelier regime (trend on a tie) and the confidence |p(trend) - p(range)|.
 * Warm-up (ADX or rank null) gives "unknown", 50/50 and confidence 0.
 */
export function regimeView(
  f: Pick<FeatureVector, "adx" | "realizedVolRank">,
  o: Omit<RegimeOptions, "adxPeriod" | "volWindow" | "volRankWindow" | "volRankMinSamples">,
): RegimeView {
  const { adx, realizedVolRank } = f;
  if (adx === null || realizedVolRank === null) {
    return { regime: "unknown", probs: { trend: 0.5, range: 0.5 }, confidence: 0 };
  }
  const fromAdx = 1 / (1 + Math.exp(-(adx - o.adxThreshold) / o.adxWidth));
  const excess = o.highVolQuantile >= 1
    ? 0
    : clamp01((realizedVolRank - o.highVolQuantile) / (1 - o.highVolQuantile));
  const trend = clamp01(fromAdx * (1 - o.highVolPenalty * excess));
  const range = 1 - trend;
  return {
    regime: trend >= 0.5 ? "trend" : "range",
    probs: { trend, range },
    confidence: Math.abs(trend - range),
  };
}

export interface RegimeState {
  engines: SymbolEngines;
}

export function resolveRegimeOptions(overrides: Partial<RegimeOptions> = {}): RegimeOptions {
  const o: RegimeOptions = { ...DEFAULT_REGIME_OPTIONS };
  const problems: string[] = [];
  for (const [key, value] of Object.entries(overrides)) {
    if (!(key in DEFAULT_REGIME_OPTIONS)) problems.push(`${key}: unknown option`);
    else if (value !== undefined) (o as unknown as Record<string, unknown>)[key] = value;
  }
  const minimum = { adxPeriod: 2, volWindow: 2, volRankWindow: 2, volRankMinSamples: 1 } as const;
  for (const [key, min] of Object.entries(minimum) as [keyof typeof minimum, number][]) {
    if (!Number.isInteger(o[key]) || o[key] < min) {
      problems.push(`${key}: expected an integer >= ${min} (got ${o[key]})`);
    }
  }
  if (o.volRankMinSamples > o.volRankWindow) {
    problems.push(
      `volRankMinSamples: must not exceed volRankWindow (got ${o.volRankMinSamples} > ${o.volRankWindow})`,
    );
  }
  if (!Number.isFinite(o.adxThreshold)) {
    problems.push(`adxThreshold: expected a finite number (got ${o.adxThreshold})`);
  }
  if (!(Number.isFinite(o.adxWidth) && o.adxWidth > 0)) {
    problems.push(`adxWidth: expected a finite number > 0 (got ${o.adxWidth})`);
  }
  for (const key of ["highVolQuantile", "highVolPenalty"] as const) {
    if (!(o[key] >= 0 && o[key] <= 1)) {
      problems.push(`${key}: expected a number in [0, 1] (got ${o[key]})`);
    }
  }
  if (problems.length > 0) throw new Error(`invalid regime options: ${problems.join("; ")}`);
  return o;
}

/** `latencyMs` is 0 here: the actor shell measures the step and overwrites it. */
export function createRegimeCore(overrides: Partial<RegimeOptions> = {}): AgentCore<RegimeState> {
  const opts = resolveRegimeOptions(overrides);
  const featureConfig = {
    adxPeriod: opts.adxPeriod,
    volWindow: opts.volWindow,
    volRankWindow: opts.volRankWindow,
    volRankMinSamples: opts.volRankMinSamples,
  };
  return {
    name: "regime",
    inputs: ["md.bars"],
    init: () => ({ engines: new SymbolEngines(featureConfig) }),
    step(state: RegimeState, msg: AnyEnvelope): Step<RegimeState> {
      if (msg.type !== "bar") {
        throw new Error(`regime: expected a 'bar' message, got '${msg.type}' (${msg.id})`);
      }
      const bar = msg.data;
      const features = state.engines.accept(bar);
      if (features === null) return { state, out: [] };
      const view = regimeView(features, opts);
      const signal: RegimeSignal = {
        kind: "regime",
        agent: "regime",
        symbol: bar.symbol,
        barTime: bar.time,
        regime: view.regime,
        probs: view.probs,
        confidence: view.confidence,
        latencyMs: 0,
        model: REGIME_MODEL,
      };
      return { state, out: [signalOutput(signal)] };
    },
    describe: (state) => ({ model: REGIME_MODEL, options: opts, symbols: state.engines.summary() }),
  };
}

const clamp01 = (x: number): number => Math.min(1, Math.max(0, x));
