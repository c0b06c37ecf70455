// Risk agent core: sits between every decision and every order. For each decision (s, t)
// it waits for the executor's account snapshot of the same bar (either may come first),
// sizes the order against that account, applies the trading state, and publishes exactly
// one verdict on "orders" (plus a veto on "risk.vetoes" when it blocks).
//
// Loss limits are checked when an account snapshot arrives, before it is joined, so the
// verdict of bar t already reflects a halt triggered by that bar's equity.
import { z } from "zod";
import type { AgentCore, Output, Step } from "../runtime/core.ts";
import {
  type Account,
  AccountSchema,
  AGENT_NAMES,
  type AnyEnvelope,
  barId,
  clientOrderIdFor,
  type Command,
  type Decision,
  DecisionSchema,
  makeEnvelope,
  messageId,
  type Order,
  type Reason,
  type TradingState,
  TradingStateSchema,
  type Verdict,
} from "../../shared/messages/mod.ts";
import {
  type BarMemory,
  BarMemorySchema,
  emptyBarMemory,
  isSettled,
  settle,
} from "../meta/bar_memory.ts";
import {
  alertSeverity,
  commandTransition,
  emptyEquityWatch,
  type EquityWatch,
  type LossLimits,
  observeEquity,
  rebase,
} from "./limits.ts";
import { sizeDecision, type SizingOptions } from "./sizing.ts";

export interface RiskOptions extends SizingOptions, LossLimits {
  /** Decisions / accounts waiting for their partner, each; beyond it the oldest is dropped. */
  maxWaiting: number;
  /** Settled bar times remembered exactly per symbol (older ones collapse to a watermark). */
  settledMemory: number;
  /** Operator command ids remembered for de-duplication. */
  commandMemory: number;
}

export const DEFAULT_RISK_OPTIONS: Readonly<RiskOptions> = Object.freeze({
  maxPositionFraction: 0.25,
  maxGrossExposure: 1,
  dailyLossLimit: 0.05,
  maxDrawdown: 0.25,
  feeBps: 10,
  slippageBps: 5,
  quantityStep: 1e-8,
  minNotional: 10,
  rebalanceBand: 0.1,
  maxWaiting: 4096,
  settledMemory: 1024,
  commandMemory: 1024,
});

export function resolveRiskOptions(overrides: Partial<RiskOptions> = {}): RiskOptions {
  const o: RiskOptions = { ...DEFAULT_RISK_OPTIONS };
  const problems: string[] = [];
  for (const [key, value] of Object.entries(overrides)) {
    if (!(key in DEFAULT_RISK_OPTIONS)) problems.push(`${key}: unknown option`);
    else if (value !== undefined) (o as unknown as Record<string, unknown>)[key] = value;
  }
  const inRange = (key: keyof RiskOptions, lo: number, hi: number, loOpen: boolean) => {
    const v = o[key];
    if (!(Number.isFinite(v) && (loOpen ? v > lo : v >= lo) && v <= hi)) {
      problems.push(`${key}: expected a number in ${loOpen ? "(" : "["}${lo}, ${hi}] (got ${v})`);
    }
  };
  inRange("maxPositionFraction", 0, 1, true);
  inRange("maxGrossExposure", 0, 10, true);
  inRange("dailyLossLimit", 0, 1, true);
  inRange("maxDrawdown", 0, 1, true);
  inRange("feeBps", 0, 1000, false);
  inRange("slippageBps", 0, 1000, false);
  inRange("quantityStep", 0, 1, true);
  inRange("rebalanceBand", 0, 1, false);
  if (!(Number.isFinite(o.minNotional) && o.minNotional >= 0)) {
    problems.push(`minNotional: expected a finite number >= 0 (got ${o.minNotional})`);
  }
  for (const key of ["maxWaiting", "settledMemory", "commandMemory"] as const) {
    if (!(Number.isInteger(o[key]) && o[key] > 0)) {
      problems.push(`${key}: expected an integer > 0 (got ${o[key]})`);
    }
  }
  if (problems.length > 0) throw new Error(`invalid risk options: ${problems.join("; ")}`);
  return o;
}

export interface RiskState {
  tradingState: TradingState;
  /** Reason code of the transition into the current state (null at start). */
  cause: string | null;
  watch: EquityWatch;
  /** Decisions waiting for their account, keyed `${barTime}|${symbol}`. */
  decisions: Record<string, { id: string; decision: Decision }>;
  /** Accounts waiting for their decision, same keys. */
  accounts: Record<string, Account>;
  settled: Record<string, BarMemory>;
  commandIds: string[];
}

const nullableNumber = z.number().finite().nullable();
const RiskStateSchema = z.object({
  tradingState: TradingStateSchema,
  cause: z.string().nullable(),
  watch: z.object({
    peakEquity: nullableNumber,
    day: z.number().int().nullable(),
    dayStartEquity: nullableNumber,
    lastEquity: nullableNumber,
  }),
  decisions: z.record(z.string(), z.object({ id: z.string().min(1), decision: DecisionSchema })),
  accounts: z.record(z.string(), AccountSchema),
  settled: z.record(z.string(), BarMemorySchema),
  commandIds: z.array(z.string()),
});

const keyOf = (symbol: string, barTime: number) => `${barTime}|${symbol}`;

export function createRiskCore(overrides: Partial<RiskOptions> = {}): AgentCore<RiskState> {
  const opts = resolveRiskOptions(overrides);

  function alert(
    state: RiskState,
    to: TradingState,
    code: string,
    at: { key: string; corr: string; time: number },
    details: Record<string, unknown>,
  ): Output {
    const from = state.tradingState;
    state.tradingState = to;
    state.cause = code;
    return {
      stream: "ops.alerts",
      msg: makeEnvelope("alert", {
        id: messageId("risk", "alert", `${to}:${code}:${at.key}`),
        producer: "risk",
        time: at.time,
        corr: at.corr,
      }, {
        severity: alertSeverity(to),
        code,
        message: `trading state ${from} -> ${to} (${code})`,
        details: { from, to, ...details },
      }),
    };
  }

  function judge(state: RiskState, decisionId: string, d: Decision, account: Account): Output[] {
    const key = keyOf(d.symbol, d.barTime);
    delete state.decisions[key];
    delete state.accounts[key];
    state.settled[d.symbol] ??= emptyBarMemory();
    settle(state.settled[d.symbol], d.barTime, opts.settledMemory);

    const sized = sizeDecision(d, account, opts);
    let outcome: Verdict["outcome"] = sized.kind;
    let reasons = sized.reasons;
    let order: Order | null = null;
    const ts = state.tradingState;
    if (sized.kind === "order") {
      const gate = { side: sized.side, quantity: sized.quantity, cause: state.cause };
      if (ts === "HALTED") {
        outcome = "veto";
        reasons = [reason("halted", "trading is halted: nothing passes", gate), ...reasons];
      } else if (ts === "REDUCING" && sized.side === "buy") {
        outcome = "veto";
        reasons = [reason("reducing", "only exposure-reducing orders pass", gate), ...reasons];
      } else {
        order = {
          clientOrderId: clientOrderIdFor(decisionId),
          symbol: d.symbol,
          side: sized.side,
          quantity: sized.quantity,
          type: "market",
          refPrice: d.refPrice,
        };
      }
    } else if (sized.kind === "veto" && ts === "HALTED") {
      reasons = [
        reason("halted", "trading is halted: nothing passes", { cause: state.cause }),
        ...reasons,
      ];
    }
    const at = { producer: "risk", time: d.barTime, corr: barId(d.symbol, d.barTime) };
    const verdict: Verdict = {
      decisionId,
      symbol: d.symbol,
      barTime: d.barTime,
      outcome,
      order,
      reasons,
      tradingState: ts,
    };
    const out: Output[] = [{
      stream: "orders",
      msg: makeEnvelope("verdict", {
        id: messageId("risk", "verdict", `${d.symbol}:${d.barTime}`),
        ...at,
      }, verdict),
    }];
    if (outcome === "veto") {
      out.push({
        stream: "risk.vetoes",
        msg: makeEnvelope("veto", {
          id: messageId("risk", "veto", `${d.symbol}:${d.barTime}`),
          ...at,
        }, {
          decisionId,
          symbol: d.symbol,
          barTime: d.barTime,
          reasons,
          tradingState: ts,
        }),
      });
    }
    return out;
  }

  /** Drops the oldest waiting entries beyond the bound (by bar time, then symbol). */
  function bound<T>(map: Record<string, T>): void {
    const keys = Object.keys(map);
    if (keys.length <= opts.maxWaiting) return;
    const ordered = keys.sort((a, b) => {
      const ta = Number(a.slice(0, a.indexOf("|")));
      const tb = Number(b.slice(0, b.indexOf("|")));
      return ta - tb || (a < b ? -1 : a > b ? 1 : 0);
    });
    for (const k of ordered.slice(0, keys.length - opts.maxWaiting)) delete map[k];
  }

  function onDecision(state: RiskState, id: string, d: Decision): Output[] {
    const key = keyOf(d.symbol, d.barTime);
    if (isSettled(state.settled[d.symbol], d.barTime) || state.decisions[key] !== undefined) {
      return [];
    }
    const account = state.accounts[key];
    if (account !== undefined) return judge(state, id, d, account);
    state.decisions[key] = { id, decision: structuredClone(d) };
    bound(state.decisions);
    return [];
  }

  function onAccount(state: RiskState, a: Account): Output[] {
    const key = keyOf(a.symbol, a.barTime);
    if (isSettled(state.settled[a.symbol], a.barTime) || state.accounts[key] !== undefined) {
      return [];
    }
    const out: Output[] = [];
    const { watch, breaches } = observeEquity(state.watch, a.equity, a.barTime, opts);
    state.watch = watch;
    if (breaches.length > 0 && state.tradingState !== "HALTED") {
      const first = breaches[0];
      out.push(alert(state, "HALTED", first.code, {
        key: `${a.symbol}:${a.barTime}`,
        corr: barId(a.symbol, a.barTime),
        time: a.barTime,
      }, { breaches }));
    }
    const waiting = state.decisions[key];
    if (waiting !== undefined) out.push(...judge(state, waiting.id, waiting.decision, a));
    else {
      state.accounts[key] = structuredClone(a);
      bound(state.accounts);
    }
    return out;
  }

  function onCommand(state: RiskState, env: AnyEnvelope, c: Command): Output[] {
    if (state.commandIds.includes(env.id)) return [];
    state.commandIds.push(env.id);
    if (state.commandIds.length > opts.commandMemory) state.commandIds.shift();
    // A command aimed at another agent (e.g. restart trend) is the supervisor's business.
    const target = c.target;
    if (
      target !== null && target !== "risk" && (AGENT_NAMES as readonly string[]).includes(target)
    ) {
      return [];
    }
    const t = commandTransition(state.tradingState, c.command);
    if (t === null) return [];
    if (t.to === "ACTIVE") state.watch = rebase(state.watch);
    return [alert(state, t.to, t.code, { key: env.id, corr: env.id, time: env.time }, {
      command: c.command,
      issuedBy: c.issuedBy,
      reason: c.reason,
      ...(t.to === "ACTIVE" ? { rebasedEquity: state.watch.lastEquity } : {}),
    })];
  }

  return {
    name: "risk",
    inputs: ["decisions", "exec.events", "ops.commands"],
    init: () => ({
      tradingState: "ACTIVE",
      cause: null,
      watch: emptyEquityWatch(),
      decisions: {},
      accounts: {},
      settled: {},
      commandIds: [],
    }),
    step(state: RiskState, msg: AnyEnvelope): Step<RiskState> {
      switch (msg.type) {
        case "decision":
          return { state, out: onDecision(state, msg.id, msg.data) };
        case "account":
          return { state, out: onAccount(state, msg.data) };
        case "fill":
        case "order_update":
          return { state, out: [] };
        case "command":
          return { state, out: onCommand(state, msg, msg.data) };
        default:
          throw new Error(`risk: unexpected message type '${msg.type}' (${msg.id})`);
      }
    },
    snapshot: (state) => state,
    restore(snapshot: unknown): RiskState {
      const parsed = RiskStateSchema.safeParse(snapshot);
      if (!parsed.success) {
        const i = parsed.error.issues[0];
        throw new Error(`risk: invalid snapshot: ${i?.path.join(".")}: ${i?.message}`);
      }
      return parsed.data as RiskState;
    },
    describe: (state) => ({
      tradingState: state.tradingState,
      cause: state.cause,
      ...state.watch,
      waitingDecisions: Object.keys(state.decisions).length,
      waitingAccounts: Object.keys(state.accounts).length,
    }),
  };
}

function reason(code: string, detail: string, values: Reason["values"]): Reason {
  return { code, detail, values };
}
