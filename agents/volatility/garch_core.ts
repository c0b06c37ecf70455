// Volatility agent core served by a trained GARCH(1,1) model card. Per symbol it keeps the
// GARCH one-step variance and the last `window` log returns and squared log ranges, all
// plain numbers, so the state snapshots to JSON and restores exactly. realized and
// parkinson are the same estimators as the feature engine's (sample standard deviation of
// the returns; Parkinson's range estimator); forecast = sqrt(σ²_{t+1}).
import type { AgentCore, Step } from "../runtime/core.ts";
import { signalOutput } from "../runtime/signal_output.ts";
import { newCardBar } from "../runtime/card_bar_input.ts";
import { type AnyEnvelope, type VolatilitySignal } from "../../shared/messages/mod.ts";
import { sampleStdDev } from "../../shared/features/mod.ts";
import { checkGarchParams, type GarchParams } from "../../shared/econometrics/mod.ts";
import { checkCardMatches, type ModelCard, parseCard } from "../../shared/learn/mod.ts";

/** The per-bar inputs this agent computes and hands the model, in order. */
export const GARCH_AGENT_FEATURES: readonly string[] = ["log_return"];
export const GARCH_AGENT_WINDOW = 1;
export const GARCH_AGENT_UNITS = "variance of the next bar's log return (per bar)";

export interface GarchVolatilityOptions {
  /** Bars in the realized and Parkinson windows (default 20, as the rule core). */
  window: number;
}

export interface GarchSymbolState {
  timeframe: string;
  lastTime: number;
  lastClose: number;
  /** Log returns seen (bar 0 has none). */
  returns: number;
  /** σ² forecast for the next return. */
  variance: number;
  /** Last `window` log returns, oldest first. */
  recentReturns: number[];
  /** Last `window` values of ln(high/low)², oldest first. */
  recentSquaredRanges: number[];
}

export interface GarchVolatilityState {
  symbols: Record<string, GarchSymbolState>;
}

export interface GarchServing {
  params: GarchParams;
  timeframe: string;
  model: string;
}

const PARKINSON_FACTOR = 1 / (4 * Math.LN2);

/**
 * Checks the card against what this agent computes and reads the GARCH parameters from it.
 * Throws a ModelCardError (mismatch) or RangeError (bad parameter) naming the problem.
 */
export function garchServingFromCard(card: unknown): GarchServing {
  const c: ModelCard = parseCard(card, "volatility model card");
  checkCardMatches(c, {
    agent: "volatility",
    features: GARCH_AGENT_FEATURES,
    window: GARCH_AGENT_WINDOW,
  });
  if (!("units" in c.outputs) || c.outputs.units !== GARCH_AGENT_UNITS) {
    throw new RangeError(
      `volatility model card: outputs must be units '${GARCH_AGENT_UNITS}' (got ${
        JSON.stringify(c.outputs)
      })`,
    );
  }
  if (c.inputs.normalisation !== null) {
    throw new RangeError(
      "volatility model card: GARCH reads raw returns; normalisation must be null",
    );
  }
  const p = c.params;
  const num = (key: string): number => {
    const v = p[key];
    if (typeof v !== "number" || !Number.isFinite(v)) {
      throw new RangeError(
        `volatility model card: params.${key} must be a finite number (got ${JSON.stringify(v)})`,
      );
    }
    return v;
  };
  const nu = p.nu === null || p.nu === undefined ? undefined : num("nu");
  const params: GarchParams = {
    omega: num("omega"),
    alpha: num("alpha"),
    beta: num("beta"),
    mu: num("mu"),
    initialVariance: num("initial_variance"),
    ...(nu === undefined ? {} : { nu }),
  };
  checkGarchParams(params);
  if (typeof p.timeframe !== "string" || p.timeframe.length === 0) {
    throw new RangeError(
      `volatility model card: params.timeframe must name the bar timeframe trained on (got ${
        JSON.stringify(p.timeframe)
      })`,
    );
  }
  return { params, timeframe: p.timeframe, model: `garch:${c.created_at}` };
}

/**
 * Confidence 1 − β^n after n returns: the share of the forecast that comes from data rather
 * than the card's starting variance (its weight in σ²_n decays as β^n). 0 until the
 * realized window is full, when realized and parkinson are reported too.
 */
export function garchConfidence(beta: number, returnsSeen: number): number {
  return 1 - Math.pow(beta, returnsSeen);
}

export function createGarchVolatilityCore(
  card: unknown,
  overrides: Partial<GarchVolatilityOptions> = {},
): AgentCore<GarchVolatilityState> {
  const serving = garchServingFromCard(card);
  const window = overrides.window ?? 20;
  if (!Number.isSafeInteger(window) || window < 2) {
    throw new RangeError(`garch volatility: window must be an integer >= 2 (got ${window})`);
  }
  const { params } = serving;
  return {
    name: "volatility",
    inputs: ["md.bars"],
    init: () => ({ symbols: {} }),
    step(state: GarchVolatilityState, msg: AnyEnvelope): Step<GarchVolatilityState> {
      const prev = msg.type === "bar" ? state.symbols[msg.data.symbol] : undefined;
      const bar = newCardBar("volatility", "GARCH", msg, serving.timeframe, prev?.lastTime);
      if (bar === null) return { state, out: [] };
      const squaredRange = Math.log(bar.high / bar.low) ** 2;
      let s: GarchSymbolState;
      if (prev === undefined) {
        s = {
          timeframe: bar.timeframe,
          lastTime: bar.time,
          lastClose: bar.close,
          returns: 0,
          variance: params.initialVariance,
          recentReturns: [],
          recentSquaredRanges: [squaredRange],
        };
      } else {
        const r = Math.log(bar.close / prev.lastClose);
        const e = r - params.mu;
        s = {
          timeframe: prev.timeframe,
          lastTime: bar.time,
          lastClose: bar.close,
          returns: prev.returns + 1,
          variance: params.omega + params.alpha * e * e + params.beta * prev.variance,
          recentReturns: pushWindow(prev.recentReturns, r, window),
          recentSquaredRanges: pushWindow(prev.recentSquaredRanges, squaredRange, window),
        };
      }
      state.symbols[bar.symbol] = s;
      const warm = s.recentReturns.length === window;
      let sumSq = 0;
      for (const v of s.recentSquaredRanges) sumSq += v;
      const signal: VolatilitySignal = {
        kind: "volatility",
        agent: "volatility",
        symbol: bar.symbol,
        barTime: bar.time,
        realized: warm ? sampleStdDev(s.recentReturns) : 0,
        parkinson: warm ? Math.sqrt((sumSq / window) * PARKINSON_FACTOR) : 0,
        forecast: warm ? Math.sqrt(s.variance) : 0,
        confidence: warm ? garchConfidence(params.beta, s.returns) : 0,
        latencyMs: 0,
        model: serving.model,
      };
      return { state, out: [signalOutput(signal)] };
    },
    snapshot: (state) => structuredClone(state),
    restore: (snapshot) => restoreGarchState(snapshot, window),
    describe: (state) => ({
      model: serving.model,
      params,
      window,
      symbols: Object.fromEntries(
        Object.entries(state.symbols).map(([k, v]) => [k, {
          timeframe: v.timeframe,
          returns: v.returns,
          lastTime: v.lastTime,
          forecast: Math.sqrt(v.variance),
        }]),
      ),
    }),
  };
}

function pushWindow(xs: readonly number[], x: number, window: number): number[] {
  const out = xs.length >= window ? xs.slice(xs.length - window + 1) : [...xs];
  out.push(x);
  return out;
}

/** Validates a snapshot field by field; a corrupt one is refused, never half-restored. */
export function restoreGarchState(snapshot: unknown, window: number): GarchVolatilityState {
  const bad = (where: string, what: string): never => {
    throw new RangeError(`garch volatility snapshot: ${where} ${what}`);
  };
  if (typeof snapshot !== "object" || snapshot === null) bad("(root)", "must be an object");
  const symbols = (snapshot as { symbols?: unknown }).symbols;
  if (typeof symbols !== "object" || symbols === null || Array.isArray(symbols)) {
    bad("symbols", "must be an object keyed by symbol");
  }
  const out: GarchVolatilityState = { symbols: {} };
  for (const [sym, raw] of Object.entries(symbols as Record<string, unknown>)) {
    const v = raw as Partial<GarchSymbolState>;
    const where = `symbols.${sym}`;
    if (typeof v !== "object" || v === null) bad(where, "must be an object");
    if (typeof v.timeframe !== "string") bad(`${where}.timeframe`, "must be a string");
    if (!Number.isSafeInteger(v.lastTime)) bad(`${where}.lastTime`, "must be an integer");
    if (!(Number.isFinite(v.lastClose) && (v.lastClose as number) > 0)) {
      bad(`${where}.lastClose`, "must be a finite price > 0");
    }
    if (!(Number.isSafeInteger(v.returns) && (v.returns as number) >= 0)) {
      bad(`${where}.returns`, "must be an integer >= 0");
    }
    if (!(Number.isFinite(v.variance) && (v.variance as number) > 0)) {
      bad(`${where}.variance`, "must be finite and > 0");
    }
    for (const key of ["recentReturns", "recentSquaredRanges"] as const) {
      const xs = v[key];
      if (!Array.isArray(xs) || xs.length > window || !xs.every(Number.isFinite)) {
        bad(`${where}.${key}`, `must be at most ${window} finite numbers`);
      }
    }
    out.symbols[sym] = structuredClone(v as GarchSymbolState);
  }
  return out;
}
