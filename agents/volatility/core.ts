// Volatility agent core: rolling realized (close-to-close) and Parkinson (high/low)
// volatility over N bars, and a RiskMetrics EWMA forecast for the next bar. All values are
// per-bar standard deviations of log returns (not annualised). The forecast is the EWMA
// alone: Parkinson misses overnight gaps and would bias a blend low on daily equity bars.
import type { AgentCore, Step } from "../runtime/core.ts";
import { signalOutput } from "../runtime/signal_output.ts";
import { type AnyEnvelope, type VolatilitySignal } from "../../shared/messages/mod.ts";
import {
  ewmaEffectiveSamples,
  type FeatureVector,
  SymbolEngines,
} from "../../shared/features/mod.ts";

export const VOLATILITY_MODEL = "rule:ewma-parkinson@1";

export interface VolatilityOptions {
  /** Bars in the realized and Parkinson windows; also the returns seeding the EWMA. */
  window: number;
  /** RiskMetrics decay. */
  lambda: number;
}

export const DEFAULT_VOLATILITY_OPTIONS: Readonly<VolatilityOptions> = Object.freeze({
  window: 20,
  lambda: 0.94,
});

export interface VolatilityView {
  realized: number;
  parkinson: number;
  forecast: number;
  confidence: number;
}

/**
 * Confidence from sample size: 1 minus the relative standard error of a standard deviation
 * estimated from m returns, 1 / sqrt(2 (m - 1)), where m is the returns seen, capped at the
 * EWMA's effective sample size (1 + λ) / (1 - λ) because older returns barely count.
 * 0 during warm-up; zeros for every estimate until all three are available.
 */
export function volatilityView(
  f: Pick<FeatureVector, "index" | "realizedVol" | "parkinsonVol" | "ewmaVol">,
  lambda: number,
): VolatilityView {
  const { realizedVol, parkinsonVol, ewmaVol } = f;
  if (realizedVol === null || parkinsonVol === null || ewmaVol === null) {
    return { realized: 0, parkinson: 0, forecast: 0, confidence: 0 };
  }
  const returnsSeen = f.index; // bar 0 has no return
  const m = Math.min(returnsSeen, ewmaEffectiveSamples(lambda));
  const confidence = m > 1 ? Math.max(0, 1 - 1 / Math.sqrt(2 * (m - 1))) : 0;
  return { realized: realizedVol, parkinson: parkinsonVol, forecast: ewmaVol, confidence };
}

export interface VolatilityState {
  engines: SymbolEngines;
}

export function resolveVolatilityOptions(
  overrides: Partial<VolatilityOptions> = {},
): VolatilityOptions {
  const o: VolatilityOptions = { ...DEFAULT_VOLATILITY_OPTIONS };
  const problems: string[] = [];
  for (const [key, value] of Object.entries(overrides)) {
    if (!(key in DEFAULT_VOLATILITY_OPTIONS)) problems.push(`${key}: unknown option`);
    else if (value !== undefined) (o as unknown as Record<string, unknown>)[key] = value;
  }
  if (!Number.isInteger(o.window) || o.window < 2) {
    problems.push(`window: expected an integer >= 2 (got ${o.window})`);
  }
  if (!(o.lambda > 0 && o.lambda < 1)) {
    problems.push(`lambda: expected a number in (0, 1) (got ${o.lambda})`);
  }
  if (problems.length > 0) throw new Error(`invalid volatility options: ${problems.join("; ")}`);
  return o;
}

/** `latencyMs` is 0 here: the actor shell measures the step and overwrites it. */
export function createVolatilityCore(
  overrides: Partial<VolatilityOptions> = {},
): AgentCore<VolatilityState> {
  const opts = resolveVolatilityOptions(overrides);
  const featureConfig = { volWindow: opts.window, ewmaLambda: opts.lambda };
  return {
    name: "volatility",
    inputs: ["md.bars"],
    init: () => ({ engines: new SymbolEngines(featureConfig) }),
    step(state: VolatilityState, msg: AnyEnvelope): Step<VolatilityState> {
      if (msg.type !== "bar") {
        throw new Error(`volatility: expected a 'bar' message, got '${msg.type}' (${msg.id})`);
      }
      const bar = msg.data;
      const features = state.engines.accept(bar);
      if (features === null) return { state, out: [] };
      const view = volatilityView(features, opts.lambda);
      const signal: VolatilitySignal = {
        kind: "volatility",
        agent: "volatility",
        symbol: bar.symbol,
        barTime: bar.time,
        realized: view.realized,
        parkinson: view.parkinson,
        forecast: view.forecast,
        confidence: view.confidence,
        latencyMs: 0,
        model: VOLATILITY_MODEL,
      };
      return { state, out: [signalOutput(signal)] };
    },
    describe: (state) => ({
      model: VOLATILITY_MODEL,
      options: opts,
      symbols: state.engines.summary(),
    }),
  };
}
