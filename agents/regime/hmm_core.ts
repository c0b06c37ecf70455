// Regime agent core served by a trained 2-state Gaussian HMM model card. Per symbol it
// forward-filters (log return, ln(high/low)) from the card's stationary distribution, so
// P(state_t) uses bars 0..t only, and keeps just the filtered probabilities and the last
// close: plain numbers that snapshot to JSON.
//
// Regime mapping: the card's params.regime_of_state, which training derives from data (the
// state followed by the higher efficiency ratio |Σ r| / Σ |r| is "trend"). On SPY and BTC
// daily bars the low-volatility state comes out as "trend", but the margin is small (see the
// card's efficiency_ratio_of_state): read it as "calm, steadily drifting" versus "turbulent,
// two-way", not as a strong trend detector. p(trend) = Σ P(state) over the trend states.
import type { AgentCore, Step } from "../runtime/core.ts";
import { signalOutput } from "../runtime/signal_output.ts";
import { newCardBar } from "../runtime/card_bar_input.ts";
import { type AnyEnvelope, type RegimeSignal } from "../../shared/messages/mod.ts";
import { checkHmmModel, type HmmModel } from "../../shared/econometrics/mod.ts";
import { checkCardMatches, type ModelCard, parseCard } from "../../shared/learn/mod.ts";
import { hmmForwardStep } from "../../shared/train/hmm_train.ts";

/** The per-bar inputs this agent computes and hands the model, in order. */
export const HMM_AGENT_FEATURES: readonly string[] = ["log_return", "log_hl_range"];
export const HMM_AGENT_WINDOW = 1;
/** The hidden states the agent expects, in the card's canonical order. */
export const HMM_AGENT_STATES: readonly string[] = ["low_vol", "high_vol"];

export type RegimeLabel = "trend" | "range";

export interface HmmServing {
  model: HmmModel;
  regimeOfState: RegimeLabel[];
  timeframe: string;
  modelName: string;
}

export interface HmmSymbolState {
  timeframe: string;
  lastTime: number;
  lastClose: number;
  /** P(state_t | x_0..t) after the latest bar; null before the first return. */
  probabilities: number[] | null;
}

export interface HmmRegimeState {
  symbols: Record<string, HmmSymbolState>;
}

/** Checks the card against what this agent computes and reads the HMM from it. */
export function hmmServingFromCard(card: unknown): HmmServing {
  const c: ModelCard = parseCard(card, "regime model card");
  checkCardMatches(c, {
    agent: "regime",
    features: HMM_AGENT_FEATURES,
    window: HMM_AGENT_WINDOW,
    classes: HMM_AGENT_STATES,
  });
  if (c.inputs.normalisation !== null) {
    throw new RangeError("regime model card: the HMM reads raw inputs; normalisation must be null");
  }
  const p = c.params;
  const model = { pi: p.pi, A: p.A, means: p.means, variances: p.variances } as HmmModel;
  for (const key of ["pi", "A", "means", "variances"] as const) {
    if (!Array.isArray(model[key])) {
      throw new RangeError(`regime model card: params.${key} must be an array`);
    }
  }
  try {
    checkHmmModel(model);
  } catch (e) {
    throw new RangeError(`regime model card: params: ${(e as Error).message}`);
  }
  if (model.pi.length !== HMM_AGENT_STATES.length) {
    throw new RangeError(
      `regime model card: params.pi has ${model.pi.length} states; expected ${HMM_AGENT_STATES.length}`,
    );
  }
  if (model.means[0].length !== HMM_AGENT_FEATURES.length) {
    throw new RangeError(
      `regime model card: params.means has ${
        model.means[0].length
      } dimensions; expected ${HMM_AGENT_FEATURES.length}`,
    );
  }
  const regimes = p.regime_of_state;
  if (
    !Array.isArray(regimes) || regimes.length !== model.pi.length ||
    !regimes.every((r) => r === "trend" || r === "range")
  ) {
    throw new RangeError(
      `regime model card: params.regime_of_state must give "trend" or "range" for each of ${model.pi.length} states (got ${
        JSON.stringify(regimes)
      })`,
    );
  }
  if (typeof p.timeframe !== "string" || p.timeframe.length === 0) {
    throw new RangeError(
      `regime model card: params.timeframe must name the bar timeframe trained on (got ${
        JSON.stringify(p.timeframe)
      })`,
    );
  }
  return {
    model: structuredClone(model),
    regimeOfState: regimes as RegimeLabel[],
    timeframe: p.timeframe,
    modelName: `hmm:${c.created_at}`,
  };
}

/** Regime probabilities from filtered state probabilities (null: no return yet). */
export function hmmRegimeView(
  probabilities: readonly number[] | null,
  regimeOfState: readonly RegimeLabel[],
): {
  regime: "trend" | "range" | "unknown";
  probs: { trend: number; range: number };
  confidence: number;
} {
  if (probabilities === null) {
    return { regime: "unknown", probs: { trend: 0.5, range: 0.5 }, confidence: 0 };
  }
  let trend = 0;
  probabilities.forEach((p, k) => {
    if (regimeOfState[k] === "trend") trend += p;
  });
  trend = Math.min(1, Math.max(0, trend));
  const range = 1 - trend;
  return {
    regime: trend >= 0.5 ? "trend" : "range",
    probs: { trend, range },
    confidence: Math.abs(trend - range),
  };
}

export function createHmmRegimeCore(card: unknown): AgentCore<HmmRegimeState> {
  const serving = hmmServingFromCard(card);
  const K = serving.model.pi.length;
  return {
    name: "regime",
    inputs: ["md.bars"],
    init: () => ({ symbols: {} }),
    step(state: HmmRegimeState, msg: AnyEnvelope): Step<HmmRegimeState> {
      const prev = msg.type === "bar" ? state.symbols[msg.data.symbol] : undefined;
      const bar = newCardBar("regime", "HMM", msg, serving.timeframe, prev?.lastTime);
      if (bar === null) return { state, out: [] };
      let probabilities: number[] | null = null;
      if (prev !== undefined) {
        const x = [Math.log(bar.close / prev.lastClose), Math.log(bar.high / bar.low)];
        probabilities = hmmForwardStep(serving.model, prev.probabilities, x).probabilities;
      }
      state.symbols[bar.symbol] = {
        timeframe: bar.timeframe,
        lastTime: bar.time,
        lastClose: bar.close,
        probabilities,
      };
      const view = hmmRegimeView(probabilities, serving.regimeOfState);
      const signal: RegimeSignal = {
        kind: "regime",
        agent: "regime",
        symbol: bar.symbol,
        barTime: bar.time,
        regime: view.regime,
        probs: view.probs,
        confidence: view.confidence,
        latencyMs: 0,
        model: serving.modelName,
      };
      return { state, out: [signalOutput(signal)] };
    },
    snapshot: (state) => structuredClone(state),
    restore: (snapshot) => restoreHmmState(snapshot, K),
    describe: (state) => ({
      model: serving.modelName,
      regimeOfState: serving.regimeOfState,
      symbols: structuredClone(state.symbols),
    }),
  };
}

/** Validates a snapshot field by field; a corrupt one is refused, never half-restored. */
export function restoreHmmState(snapshot: unknown, states: number): HmmRegimeState {
  const bad = (where: string, what: string): never => {
    throw new RangeError(`hmm regime snapshot: ${where} ${what}`);
  };
  if (typeof snapshot !== "object" || snapshot === null) bad("(root)", "must be an object");
  const symbols = (snapshot as { symbols?: unknown }).symbols;
  if (typeof symbols !== "object" || symbols === null || Array.isArray(symbols)) {
    bad("symbols", "must be an object keyed by symbol");
  }
  const out: HmmRegimeState = { symbols: {} };
  for (const [sym, raw] of Object.entries(symbols as Record<string, unknown>)) {
    const v = raw as Partial<HmmSymbolState>;
    const where = `symbols.${sym}`;
    if (typeof v !== "object" || v === null) bad(where, "must be an object");
    if (typeof v.timeframe !== "string") bad(`${where}.timeframe`, "must be a string");
    if (!Number.isSafeInteger(v.lastTime)) bad(`${where}.lastTime`, "must be an integer");
    if (!(Number.isFinite(v.lastClose) && (v.lastClose as number) > 0)) {
      bad(`${where}.lastClose`, "must be a finite price > 0");
    }
    const p = v.probabilities;
    if (p !== null) {
      const ok = Array.isArray(p) && p.length === states &&
        p.every((x) => Number.isFinite(x) && x >= 0 && x <= 1) &&
        Math.abs(p.reduce((s, x) => s + x, 0) - 1) < 1e-9;
      if (!ok) {
        bad(`${where}.probabilities`, `must be null or ${states} probabilities summing to 1`);
      }
    }
    out.symbols[sym] = structuredClone(v as HmmSymbolState);
  }
  return out;
}
