// Meta agent core: joins, per (symbol, bar time), the bar and the signals of the expected
// agents, then votes once. A bar is decided when the bar and every expected signal are in,
// or at the deadline (counted from the bar's first message); late messages are ignored.
//
// Modes (weights.ts): "average" (plain mean of the directional probabilities), "weighted"
// (confidence × rolling out-of-sample hit-rate odds, the default) and "learned" (a stacker
// served through ONNX: learned_core.ts, which reuses this collection machinery). When the
// regime agent says "range", the trend agent's weight is multiplied by `trendWeightInRange`
// (0.5): trend following is least reliable in a range-bound market.
// Hit rates: every bar's close resolves the calls made `hitRate.horizon` bars earlier; a
// decision at bar t counts only calls resolved by closes at or before t. A bar's close goes
// into the hit track when the bar is decided, not when it arrives: bars can run any number
// of bars ahead of the signals, and a call recorded after its bar had been forgotten by the
// bounded track would never resolve, so the weights would depend on message interleaving.
import { z } from "zod";
import type { AgentCore, Output, Step } from "../runtime/core.ts";
import {
  type AnyEnvelope,
  barId,
  type Decision,
  type DirectionProbs,
  makeEnvelope,
  messageId,
  PREDICTIVE_AGENTS,
  type PredictiveAgent,
  type Signal,
  SignalSchema,
} from "../../shared/messages/mod.ts";
import {
  type BarMemory,
  BarMemorySchema,
  emptyBarMemory,
  isSettled,
  settle,
} from "./bar_memory.ts";
import { combineVotes, decideTarget, type Ensemble, learnedEnsemble } from "./vote.ts";
import {
  checkHitRateOptions,
  DEFAULT_HIT_RATE_OPTIONS,
  emptyHitTrack,
  type HitRateOptions,
  type HitTrack,
  recordBar,
  recordCalls,
} from "../../shared/learn/hit_rate.ts";
import { META_MODES, type MetaMode, metaVotes } from "./weights.ts";

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
  /** How the directional signals are combined ("learned" needs createLearnedMetaCore). */
  mode: MetaMode;
  /** Horizon, window and prior of the rolling hit rates ("weighted" and "learned"). */
  hitRate: HitRateOptions;
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
  mode: "weighted",
  hitRate: DEFAULT_HIT_RATE_OPTIONS,
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
  if (!(META_MODES as readonly string[]).includes(o.mode)) {
    problems.push(`mode: expected one of ${META_MODES.join(", ")} (got ${String(o.mode)})`);
  }
  try {
    checkHitRateOptions(o.hitRate);
  } catch (e) {
    problems.push((e as Error).message);
  }
  if (problems.length > 0) throw new Error(`invalid meta options: ${problems.join("; ")}`);
  return { ...o, expected: [...o.expected], hitRate: { ...o.hitRate } };
}

export interface PendingBar {
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
  /** Per symbol: recent closes and the agents' calls, for the rolling hit rates. */
  track: Record<string, HitTrack>;
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
  track: z.record(
    z.string(),
    z.object({
      bars: z.array(z.tuple([z.number().int().nonnegative(), z.number().finite().positive()])),
      pending: z.array(z.object({
        barTime: z.number().int().nonnegative(),
        agent: z.string().min(1),
        dir: z.union([z.literal(1), z.literal(-1)]),
      })),
      resolved: z.record(
        z.string(),
        z.array(z.object({ at: z.number().int().nonnegative(), hit: z.boolean() })),
      ),
    }),
  ),
});

const keyOf = (symbol: string, barTime: number) => `${barTime}|${symbol}`;

/** A bar whose collection is over, with the note on why (deadline, memory full). */
export interface ReadyBar {
  p: PendingBar;
  note: string | null;
}

/**
 * The collection machinery shared by the rule core and the learned core: which bars are
 * ready to decide after a message or a tick (taken out of `pending`, marked decided).
 */
export function metaCollector(opts: MetaOptions) {
  function take(state: MetaState, p: PendingBar, note: string | null): ReadyBar {
    delete state.pending[keyOf(p.symbol, p.barTime)];
    state.decided[p.symbol] ??= emptyBarMemory();
    settle(state.decided[p.symbol], p.barTime, opts.decidedMemory);
    return { p, note };
  }

  /** Keeps the collection bounded: the oldest bar is decided (bar in) or dropped. */
  function evictOverflow(state: MetaState): ReadyBar[] {
    const out: ReadyBar[] = [];
    const keys = Object.keys(state.pending);
    if (keys.length <= opts.maxPending) return out;
    const ordered = keys.map((k) => state.pending[k]).sort((a, b) =>
      a.firstSeen - b.firstSeen || a.barTime - b.barTime || (a.symbol < b.symbol ? -1 : 1)
    );
    for (const p of ordered.slice(0, keys.length - opts.maxPending)) {
      if (p.close !== null) out.push(take(state, p, "collection memory full"));
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
    init: (): MetaState => ({ pending: {}, decided: {}, track: {} }),
    onMessage(state: MetaState, msg: AnyEnvelope, now: number): ReadyBar[] {
      let p: PendingBar | null;
      if (msg.type === "bar") {
        const b = msg.data;
        p = collect(state, b.symbol, b.time, now);
        if (p === null || p.close !== null) return [];
        p.close = b.close;
      } else if (msg.type === "signal") {
        const s = msg.data;
        if (!(opts.expected as readonly string[]).includes(s.agent)) return [];
        p = collect(state, s.symbol, s.barTime, now);
        // The first signal of an agent for a bar wins; a redelivery or a late one is ignored.
        if (p === null || p.frozen || p.signals[s.agent] !== undefined) return [];
        p.signals[s.agent] = structuredClone(s);
      } else {
        throw new Error(`meta: unexpected message type '${msg.type}' (${msg.id})`);
      }
      const out = complete(p) ? [take(state, p, p.frozen ? "deadline passed" : null)] : [];
      out.push(...evictOverflow(state));
      // in bar order, so that each symbol's hit track takes its closes in time order
      return out.sort((a, b) => a.p.barTime - b.p.barTime);
    },
    onTick(state: MetaState, now: number): ReadyBar[] {
      const due = Object.values(state.pending)
        .filter((p) => now - p.firstSeen >= opts.deadlineMs)
        .sort((
          a,
          b,
        ) => (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : a.barTime - b.barTime));
      const out: ReadyBar[] = [];
      for (const p of due) {
        p.frozen = true;
        if (p.close !== null) out.push(take(state, p, "deadline passed"));
      }
      return out;
    },
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
    describe: (state: MetaState) => ({
      options: opts,
      pending: Object.keys(state.pending).length,
      frozen: Object.values(state.pending).filter((p) => p.frozen).length,
      symbols: Object.keys(state.decided).length,
    }),
  };
}

/**
 * Decides a ready bar: the votes (weighted per the mode, from hit rates resolved by its bar
 * time), the ensemble (`learned`: the stacker's probabilities, else the weighted average),
 * the target; then records the bar's direction calls for the hit rates.
 */
export function decideReady(
  state: MetaState,
  r: ReadyBar,
  opts: MetaOptions,
  learned: { probs: DirectionProbs; note: string } | null = null,
  fallbackNote: string | null = null,
): Output {
  const { p } = r;
  if (p.close === null) throw new Error(`meta: no bar for ${p.symbol} at ${p.barTime}`);
  const track = state.track[p.symbol] ??= emptyHitTrack();
  // the bar's own close first: it resolves the calls made `horizon` bars before it
  recordBar(track, p.barTime, p.close, opts.hitRate);
  const decision = buildDecision(p, opts, r.note, track, learned, fallbackNote);
  recordCalls(
    track,
    p.barTime,
    decision.votes.map((v) => ({ agent: v.agent, probs: v.probs })),
    opts.hitRate,
  );
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

export function createMetaCore(overrides: Partial<MetaOptions> = {}): AgentCore<MetaState> {
  const opts = resolveMetaOptions(overrides);
  if (opts.mode === "learned") {
    throw new Error(
      "meta: mode 'learned' needs a trained stacker (meta.card.json + meta.onnx): use " +
        "createLearnedMetaCore, or mode 'average' / 'weighted'",
    );
  }
  const c = metaCollector(opts);
  return {
    name: "meta",
    inputs: ["md.bars", "signals"],
    tickMs: opts.tickMs,
    init: c.init,
    step(state: MetaState, msg: AnyEnvelope, now: number): Step<MetaState> {
      return { state, out: c.onMessage(state, msg, now).map((r) => decideReady(state, r, opts)) };
    },
    tick(state: MetaState, now: number): Step<MetaState> {
      return { state, out: c.onTick(state, now).map((r) => decideReady(state, r, opts)) };
    },
    snapshot: (state) => state,
    restore: c.restore,
    describe: c.describe,
  };
}

/** The decision for one collected bar (its close must be in). */
export function buildDecision(
  p: Pick<PendingBar, "symbol" | "barTime" | "close" | "signals">,
  opts:
    & Pick<
      MetaOptions,
      "expected" | "margin" | "minConfidence" | "maxDisagreement" | "trendWeightInRange"
    >
    & Partial<Pick<MetaOptions, "mode" | "hitRate">>,
  note: string | null,
  track?: HitTrack,
  learned: { probs: DirectionProbs; note: string } | null = null,
  fallbackNote: string | null = null,
): Decision {
  if (p.close === null) throw new Error(`meta: no bar for ${p.symbol} at ${p.barTime}`);
  const regimeSignal = p.signals.regime;
  const regime = regimeSignal?.kind === "regime" ? regimeSignal.regime : "unknown";
  const volSignal = p.signals.volatility;
  const volatilityForecast = volSignal?.kind === "volatility" ? volSignal.forecast : null;
  const votes = metaVotes(p.signals, {
    mode: opts.mode ?? "weighted",
    expected: opts.expected,
    regime,
    trendWeightInRange: opts.trendWeightInRange,
    track,
    hitRate: opts.hitRate ?? DEFAULT_HIT_RATE_OPTIONS,
    barTime: p.barTime,
  });
  const ensemble: Ensemble = learned === null
    ? combineVotes(votes)
    : learnedEnsemble(votes, learned.probs);
  const { target, reason } = decideTarget(ensemble, opts);
  const missing = opts.expected.filter((a) => p.signals[a] === undefined);
  const notes = [
    reason,
    ...(learned !== null ? [learned.note] : []),
    ...(fallbackNote !== null ? [fallbackNote] : []),
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
