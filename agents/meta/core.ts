// Meta agent core: joins, per (symbol, bar time), the bar and the signals of the expected
// agents, then votes once. A bar is decided when the bar and every expected signal are in,
// or at the deadline (counted from the bar's first message); late messages are ignored.
//
// Weighting: a directional signal weighs its confidence. When the regime agent says
// "range", the trend agent's weight is multiplied by `trendWeightInRange` (0.5): trend
// following is least reliable in a range-bound market, so it is trusted half as much.
import { z } from "zod";
import type { AgentCore, Output, Step } from "../runtime/core.ts";
import {
  type AnyEnvelope,
  barId,
  type Decision,
  makeEnvelope,
  messageId,
  PREDICTIVE_AGENTS,
  type PredictiveAgent,
  type Signal,
  SignalSchema,
  type Vote,
} from "../../shared/messages/mod.ts";
import {
  type BarMemory,
  BarMemorySchema,
  emptyBarMemory,
  isSettled,
  settle,
} from "./bar_memory.ts";
import { combineVotes, decideTarget } from "./vote.ts";

export interface MetaOptions {
  /** Agents whose signal is waited for; any other agent's signal is ignored. */
  expected: readonly PredictiveAgent[];
  /** Wall-clock ms after a bar's first message at which it is decided with what is in. */
  deadlineMs: number;
  margin: number;
  minConfidence: number;
  maxDisagreement: number;
  /** Multiplier of the trend agent's weight when the regime is "range". */
  trendWeightInRange: number;
  /** Bars collected at once (all symbols); beyond it the oldest is decided or dropped. */
  maxPending: number;
  /** Decided bar times remembered exactly per symbol; older ones collapse to a watermark. */
  decidedMemory: number;
  tickMs: number;
}

export const DEFAULT_META_OPTIONS: Readonly<MetaOptions> = Object.freeze({
  expected: Object.freeze(["trend", "volatility", "regime"]) as readonly PredictiveAgent[],
  deadlineMs: 15_000,
  margin: 0.1,
  minConfidence: 0.1,
  maxDisagreement: 0.6,
  trendWeightInRange: 0.5,
  maxPending: 4096,
  decidedMemory: 1024,
  tickMs: 250,
});

export function resolveMetaOptions(overrides: Partial<MetaOptions> = {}): MetaOptions {
  const o: MetaOptions = { ...DEFAULT_META_OPTIONS };
  const problems: string[] = [];
  for (const [key, value] of Object.entries(overrides)) {
    if (!(key in DEFAULT_META_OPTIONS)) problems.push(`${key}: unknown option`);
    else if (value !== undefined) (o as unknown as Record<string, unknown>)[key] = value;
  }
  if (!Array.isArray(o.expected)) {
    problems.push(`expected: expected an array of agent names (got ${JSON.stringify(o.expected)})`);
  } else {
    for (const a of o.expected) {
      if (!(PREDICTIVE_AGENTS as readonly string[]).includes(a)) {
        problems.push(`expected: unknown agent '${a}' (accepted: ${PREDICTIVE_AGENTS.join(", ")})`);
      }
    }
    if (new Set(o.expected).size !== o.expected.length) problems.push("expected: duplicate agent");
  }
  for (const key of ["margin", "minConfidence", "maxDisagreement", "trendWeightInRange"] as const) {
    if (!(Number.isFinite(o[key]) && o[key] >= 0 && o[key] <= 1)) {
      problems.push(`${key}: expected a number in [0, 1] (got ${o[key]})`);
    }
  }
  for (const key of ["deadlineMs", "maxPending", "decidedMemory", "tickMs"] as const) {
    if (!(Number.isInteger(o[key]) && o[key] > 0)) {
      problems.push(`${key}: expected an integer > 0 (got ${o[key]})`);
    }
  }
  if (problems.length > 0) throw new Error(`invalid meta options: ${problems.join("; ")}`);
  return { ...o, expected: [...o.expected] };
}

interface PendingBar {
  symbol: string;
  barTime: number;
  /** `now` at the bar's first message: the deadline counts from here. */
  firstSeen: number;
  /** The deadline passed: no further signal is taken, the bar is decided when it arrives. */
  frozen: boolean;
  close: number | null;
  signals: Partial<Record<PredictiveAgent, Signal>>;
}

export interface MetaState {
  /** Bars being collected, keyed `${barTime}|${symbol}`. */
  pending: Record<string, PendingBar>;
  decided: Record<string, BarMemory>;
}

const PendingBarSchema = z.object({
  symbol: z.string().min(1),
  barTime: z.number().int().nonnegative(),
  firstSeen: z.number().finite(),
  frozen: z.boolean(),
  close: z.number().finite().positive().nullable(),
  signals: z.partialRecord(z.enum(PREDICTIVE_AGENTS), SignalSchema),
});
const MetaStateSchema = z.object({
  pending: z.record(z.string(), PendingBarSchema),
  decided: z.record(z.string(), BarMemorySchema),
});

const keyOf = (symbol: string, barTime: number) => `${barTime}|${symbol}`;

export function createMetaCore(overrides: Partial<MetaOptions> = {}): AgentCore<MetaState> {
  const opts = resolveMetaOptions(overrides);

  function decide(state: MetaState, p: PendingBar, note: string | null): Output {
    delete state.pending[keyOf(p.symbol, p.barTime)];
    state.decided[p.symbol] ??= emptyBarMemory();
    settle(state.decided[p.symbol], p.barTime, opts.decidedMemory);
    const decision = buildDecision(p, opts, note);
    return {
      stream: "decisions",
      msg: makeEnvelope("decision", {
        id: messageId("meta", "decision", `${p.symbol}:${p.barTime}`),
        producer: "meta",
        time: p.barTime,
        corr: barId(p.symbol, p.barTime),
      }, decision),
    };
  }

  /** Keeps the collection bounded: the oldest bar is decided (bar in) or dropped. */
  function evictOverflow(state: MetaState): Output[] {
    const out: Output[] = [];
    const keys = Object.keys(state.pending);
    if (keys.length <= opts.maxPending) return out;
    const ordered = keys.map((k) => state.pending[k]).sort((a, b) =>
      a.firstSeen - b.firstSeen || a.barTime - b.barTime || (a.symbol < b.symbol ? -1 : 1)
    );
    for (const p of ordered.slice(0, keys.length - opts.maxPending)) {
      if (p.close !== null) out.push(decide(state, p, "collection memory full"));
      // Without its bar nothing can be decided; dropping it (not marking it decided) lets
      // the bar, if it ever comes, start a fresh collection instead of stalling the symbol.
      else delete state.pending[keyOf(p.symbol, p.barTime)];
    }
    return out;
  }

  function collect(
    state: MetaState,
    symbol: string,
    barTime: number,
    now: number,
  ): PendingBar | null {
    if (isSettled(state.decided[symbol], barTime)) return null;
    const key = keyOf(symbol, barTime);
    state.pending[key] ??= {
      symbol,
      barTime,
      firstSeen: now,
      frozen: false,
      close: null,
      signals: {},
    };
    return state.pending[key];
  }

  const complete = (p: PendingBar) =>
    p.close !== null && (p.frozen || opts.expected.every((a) => p.signals[a] !== undefined));

  return {
    name: "meta",
    inputs: ["md.bars", "signals"],
    tickMs: opts.tickMs,
    init: () => ({ pending: {}, decided: {} }),
    step(state: MetaState, msg: AnyEnvelope, now: number): Step<MetaState> {
      let p: PendingBar | null;
      if (msg.type === "bar") {
        p = collect(state, msg.data.symbol, msg.data.time, now);
        if (p === null || p.close !== null) return { state, out: [] };
        p.close = msg.data.close;
      } else if (msg.type === "signal") {
        const s = msg.data;
        if (!(opts.expected as readonly string[]).includes(s.agent)) return { state, out: [] };
        p = collect(state, s.symbol, s.barTime, now);
        // The first signal of an agent for a bar wins; a redelivery or a late one is ignored.
        if (p === null || p.frozen || p.signals[s.agent] !== undefined) return { state, out: [] };
        p.signals[s.agent] = structuredClone(s);
      } else {
        throw new Error(`meta: unexpected message type '${msg.type}' (${msg.id})`);
      }
      const out = complete(p) ? [decide(state, p, p.frozen ? "deadline passed" : null)] : [];
      out.push(...evictOverflow(state));
      return { state, out };
    },
    tick(state: MetaState, now: number): Step<MetaState> {
      const due = Object.values(state.pending)
        .filter((p) => now - p.firstSeen >= opts.deadlineMs)
        .sort((
          a,
          b,
        ) => (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : a.barTime - b.barTime));
      const out: Output[] = [];
      for (const p of due) {
        p.frozen = true;
        if (p.close !== null) out.push(decide(state, p, "deadline passed"));
      }
      return { state, out };
    },
    snapshot: (state) => state,
    restore(snapshot: unknown): MetaState {
      const parsed = MetaStateSchema.safeParse(snapshot);
      if (!parsed.success) {
        throw new Error(
          `meta: invalid snapshot: ${parsed.error.issues[0]?.path.join(".")}: ${
            parsed.error.issues[0]?.message
          }`,
        );
      }
      return parsed.data as MetaState;
    },
    describe: (state) => ({
      options: opts,
      pending: Object.keys(state.pending).length,
      frozen: Object.values(state.pending).filter((p) => p.frozen).length,
      symbols: Object.keys(state.decided).length,
    }),
  };
}

/** The decision for one collected bar (its close must be in). */
export function buildDecision(
  p: Pick<PendingBar, "symbol" | "barTime" | "close" | "signals">,
  opts: Pick<
    MetaOptions,
    "expected" | "margin" | "minConfidence" | "maxDisagreement" | "trendWeightInRange"
  >,
  note: string | null,
): Decision {
  if (p.close === null) throw new Error(`meta: no bar for ${p.symbol} at ${p.barTime}`);
  const regimeSignal = p.signals.regime;
  const regime = regimeSignal?.kind === "regime" ? regimeSignal.regime : "unknown";
  const volSignal = p.signals.volatility;
  const volatilityForecast = volSignal?.kind === "volatility" ? volSignal.forecast : null;
  const votes: Vote[] = [];
  for (const agent of opts.expected) {
    const s = p.signals[agent];
    if (s?.kind !== "direction") continue;
    const factor = agent === "trend" && regime === "range" ? opts.trendWeightInRange : 1;
    votes.push({
      agent,
      probs: { ...s.probs },
      confidence: s.confidence,
      weight: s.confidence * factor,
    });
  }
  const ensemble = combineVotes(votes);
  const { target, reason } = decideTarget(ensemble, opts);
  const missing = opts.expected.filter((a) => p.signals[a] === undefined);
  const notes = [
    reason,
    ...(votes.length === 0 ? ["no directional vote"] : []),
    ...(ensemble.uniform ? ["all weights 0: uniform average"] : []),
    ...(missing.length > 0 ? [`missing: ${missing.join(", ")}`] : []),
    ...(note !== null ? [note] : []),
  ];
  return {
    symbol: p.symbol,
    barTime: p.barTime,
    refPrice: p.close,
    target,
    probs: ensemble.probs,
    confidence: ensemble.confidence,
    disagreement: ensemble.disagreement,
    votes: ensemble.votes,
    missing,
    volatilityForecast,
    regime,
    reason: notes.join("; "),
  };
}
