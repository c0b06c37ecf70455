// Risk agent core: sits between every decision and every order. For each bar (s, t) it joins
// the decision, the executor's account snapshot and the bar itself (in any arrival order),
// sizes the order against that account, applies the limits, the circuit breakers and the
// trading state, and publishes exactly one verdict on "orders" (plus a veto on "risk.vetoes"
// when it blocks, and alerts on "ops.alerts" when the trading state moves).
//
// Exits: an entry order carries a bracket (initial stop / take-profit); on later bars a
// tightened stop travels as the verdict's `protection`; maximum holding time and "flat"
// decisions are reduce-only market sells. The executor works the levels.
//
// Determinism: the executor's events (accounts and fills on exec.events) are one ordered
// sequence, and risk applies them strictly in that order, judging the decision of bar (s, t)
// at the point of the executor's account of (s, t): after exactly the fills, loss limits and
// loss streaks that came before that account, and before any that came after it. Events that
// arrive while the decision (or bar) at the head is still on its way wait in `execQueue`. So
// every shared limit (trading state, breakers, orders per day, the trade record) is read and
// written in one order however md.bars, decisions and exec.events interleave. The executor
// needs the verdict of (s, t) before it processes (s, t + 1), so the wait is short and the
// queue holds about one clock step of events.
import type { AgentCore, Output, Step } from "../runtime/core.ts";
import {
  type Account,
  AGENT_NAMES,
  type AnyEnvelope,
  type Bar,
  barId,
  clientOrderIdFor,
  type Command,
  type Decision,
  type Fill,
  makeEnvelope,
  messageId,
  type Order,
  type Protection,
  type Reason,
  type TradingState,
  type Verdict,
} from "../../shared/messages/mod.ts";
import { emptyBarMemory, isSettled, settle } from "../meta/bar_memory.ts";
import { emptyAtr, nextAtr } from "./atr.ts";
import { checkDecision, emptyBreakers, expireTrips, observeInterval, tripKey } from "./breakers.ts";
import { entryProtection, protectionOf, type Tracked, trail } from "./exits.ts";
import {
  alertSeverity,
  commandTransition,
  emptyEquityWatch,
  observeEquity,
  rebase,
  utcDay,
} from "./limits.ts";
import { resolveRiskOptions, type RiskOptions } from "./options.ts";
import { heldQuantity, sizeDecision, type Sizing, withPendingBuys } from "./sizing.ts";
import { buyCost, executionPrice } from "../executor/paper.ts";
import { planFraction } from "./sizing_modes.ts";
import { type BarInfo, parseRiskState, type RiskState } from "./state.ts";
import { applyFill, emptyTradeRecord } from "./trades.ts";

export { DEFAULT_RISK_OPTIONS, resolveRiskOptions, type RiskOptions } from "./options.ts";
export type { RiskState } from "./state.ts";

const keyOf = (symbol: string, barTime: number) => `${barTime}|${symbol}`;
const YEAR_MS = 365.25 * 86_400_000;
/** Bars of a symbol needed before its bars-per-year estimate is used. */
const MIN_BARS_FOR_PERIODS = 20;

interface At {
  key: string;
  corr: string;
  time: number;
}

export function createRiskCore(overrides: Partial<RiskOptions> = {}): AgentCore<RiskState> {
  const opts = resolveRiskOptions(overrides);

  const effective = (s: RiskState): TradingState =>
    s.base === "HALTED"
      ? "HALTED"
      : s.base === "REDUCING" || Object.keys(s.breakers.trips).length > 0
      ? "REDUCING"
      : "ACTIVE";

  /** Recomputes the effective state after a change; an alert says what moved and why. */
  function transition(
    state: RiskState,
    code: string,
    at: At,
    details: Record<string, unknown>,
    force = false,
  ): Output[] {
    const from = state.tradingState;
    const to = effective(state);
    if (from === to && !force) return [];
    state.tradingState = to;
    if (from !== to) state.cause = code;
    return [{
      stream: "ops.alerts",
      msg: makeEnvelope("alert", {
        id: messageId("risk", "alert", `${to}:${code}:${at.key}`),
        producer: "risk",
        time: at.time,
        corr: at.corr,
      }, {
        severity: from === to ? "warning" : alertSeverity(to),
        code,
        message: from === to
          ? `${code}: trading state stays ${to}`
          : `trading state ${from} -> ${to} (${code})`,
        details: { from, to, ...details },
      }),
    }];
  }

  const barAt = (symbol: string, time: number): At => ({
    key: `${symbol}:${time}`,
    corr: barId(symbol, time),
    time,
  });

  /**
   * Records a breaker trip. A new trip (or every one, with `everyTime`) moves the state with an
   * alert; never while HALTED, where a trip changes nothing an operator can act on.
   */
  function trip(
    state: RiskState,
    code: string,
    symbol: string | null,
    at: At,
    details: Record<string, unknown>,
    everyTime = false,
  ): Output[] {
    const key = tripKey(code, symbol);
    const isNew = state.breakers.trips[key] === undefined;
    state.breakers.trips[key] = { code, symbol, firedAt: at.time };
    if (!(isNew || everyTime) || state.base === "HALTED") return [];
    return transition(state, code, at, details, true);
  }

  /** Breakers: clear the expired, trip the fired. */
  function breakers(state: RiskState, d: Decision): Output[] {
    const out: Output[] = [];
    const at = barAt(d.symbol, d.barTime);
    const gone = expireTrips(state.breakers, d.barTime, opts);
    if (gone.length > 0) {
      out.push(...transition(state, "breaker_cleared", at, {
        cleared: gone.map((t) => tripKey(t.code, t.symbol)).join(","),
      }));
    }
    for (const r of checkDecision(state.breakers, d, opts)) {
      const symbol = r.code === "stale_market_data" ? null : d.symbol;
      out.push(...trip(state, r.code, symbol, at, { symbol: d.symbol, ...r.values }));
    }
    return out;
  }

  /** Tracks the symbol's open position and moves its stop; the new levels if they changed. */
  function protect(state: RiskState, d: Decision, held: number, bar: BarInfo, account: Account) {
    const s = d.symbol;
    if (!(held > 0)) {
      delete state.tracked[s];
      return null;
    }
    let t: Tracked | undefined = state.tracked[s];
    let changed = false;
    if (t === undefined) {
      const avg = account.positions.find((p) => p.symbol === s)?.avgPrice ?? 0;
      const entry = avg > 0 ? avg : d.refPrice;
      const sent = state.brackets[s];
      const fresh = sent ?? entryProtection(entry, bar.atr, opts);
      delete state.brackets[s];
      t = {
        entryPrice: entry,
        openedAt: d.barTime,
        barsHeld: 0,
        highest: entry,
        stopLoss: fresh.stopLoss,
        takeProfit: fresh.takeProfit,
        basis: fresh.basis,
      };
      // A position risk did not open itself (no bracket sent) gets its levels now.
      changed = sent === undefined;
    }
    const r = trail(t, bar.high, bar.atr, opts);
    state.tracked[s] = r.tracked;
    return changed || r.tightened ? protectionOf(r.tracked) : null;
  }

  function size(
    state: RiskState,
    d: Decision,
    account: Account,
    held: number,
    bar: BarInfo,
  ): { sized: Sizing; entry: Protection | null } {
    const t = state.tracked[d.symbol];
    if (
      held > 0 && t !== undefined && opts.maxHoldingBars > 0 && t.barsHeld >= opts.maxHoldingBars
    ) {
      return {
        sized: {
          kind: "order",
          side: "sell",
          quantity: held,
          reasons: [reason("max_holding_time", `held ${t.barsHeld} bars`, {
            barsHeld: t.barsHeld,
            maxHoldingBars: opts.maxHoldingBars,
            openedAt: t.openedAt,
            held,
          })],
        },
        entry: null,
      };
    }
    if (d.target !== "long") return { sized: sizeDecision(d, account, opts), entry: null };
    if (held > 0 && t?.stopLoss != null && d.refPrice <= t.stopLoss) {
      // The executor's stop is due: adding to the position would only add to the loss.
      const values = { refPrice: d.refPrice, stopLoss: t.stopLoss, held };
      return {
        sized: {
          kind: "veto",
          reasons: [reason("at_or_below_stop", "no top-up at the stop", values)],
        },
        entry: null,
      };
    }
    const entry = entryProtection(d.refPrice, bar.atr, opts);
    const peak = state.watch.peakEquity;
    const plan = planFraction({
      price: d.refPrice,
      stop: entry.stopLoss,
      closedTrades: state.trades.closed,
      volatilityForecast: d.volatilityForecast,
      inferredPeriodsPerYear: bar.periodsPerYear,
      drawdown: peak !== null && peak > 0 ? Math.max(0, 1 - account.equity / peak) : 0,
    }, opts);
    if (plan.kind === "veto") return { sized: { kind: "veto", reasons: plan.reasons }, entry };
    const ordersToday = state.ordersPerDay[String(utcDay(d.barTime))] ?? 0;
    return {
      sized: sizeDecision(d, account, opts, { ...plan, ordersToday }),
      entry: t !== undefined && held > 0 ? protectionOf(t) : entry,
    };
  }

  function judge(state: RiskState, decisionId: string, d: Decision, account: Account): Output[] {
    const key = keyOf(d.symbol, d.barTime);
    const bar = state.bars[key];
    delete state.decisions[key];
    delete state.bars[key];
    state.settled[d.symbol] ??= emptyBarMemory();
    settle(state.settled[d.symbol], d.barTime, opts.settledMemory);
    observeInterval(state.breakers, bar.prevTime, d.barTime);

    const out = breakers(state, d);
    const held = heldQuantity(account, d.symbol);
    const protection = protect(state, d, held, bar, account);
    const { account: committed, reservedFor } = withPendingBuys(
      account,
      state.pendingBuys,
      d.symbol,
    );
    const { sized, entry } = size(state, d, committed, held, bar);
    if (reservedFor.length > 0 && d.target === "long") {
      sized.reasons = [
        reason("pending_buys_reserved", "cash and exposure of approved, unfilled buys", {
          symbols: reservedFor.join(","),
          cash: account.cash,
          cashAfterPending: committed.cash,
        }),
        ...sized.reasons,
      ];
    }
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
        if (sized.side === "sell") order.reduceOnly = true;
        else {
          const price = executionPrice(d.refPrice, "buy", opts.slippageBps);
          state.pendingBuys[d.symbol] = {
            decidedAt: d.barTime,
            quantity: sized.quantity,
            price: d.refPrice,
            cost: buyCost(sized.quantity, price, opts.feeBps).cost,
          };
          const day = utcDay(d.barTime);
          state.ordersPerDay[String(day)] = (state.ordersPerDay[String(day)] ?? 0) + 1;
          for (const k of Object.keys(state.ordersPerDay)) {
            if (Number(k) < day - 7) delete state.ordersPerDay[k];
          }
          if (entry !== null && (entry.stopLoss !== null || entry.takeProfit !== null)) {
            order.bracket = entry;
            if (!(held > 0)) state.brackets[d.symbol] = entry;
          }
        }
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
    // While halted nothing goes to the executor, protective levels included.
    if (protection !== null && ts !== "HALTED") verdict.protection = protection;
    out.push({
      stream: "orders",
      msg: makeEnvelope("verdict", {
        id: messageId("risk", "verdict", `${d.symbol}:${d.barTime}`),
        ...at,
      }, verdict),
    });
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

  /** Applies the executor's events in their order; stops at an account still unjoined. */
  function pump(state: RiskState): Output[] {
    const out: Output[] = [];
    const queue = state.execQueue;
    while (queue.length > 0) {
      const head = queue[0];
      if (head.kind === "fill") {
        queue.shift();
        out.push(...applyFillEvent(state, head.fill));
        continue;
      }
      const a = head.account;
      if (!head.observed) {
        head.observed = true;
        out.push(...observeAccount(state, a));
      }
      const key = keyOf(a.symbol, a.barTime);
      const d = state.decisions[key];
      if (d === undefined || state.bars[key] === undefined) break;
      queue.shift();
      out.push(...judge(state, d.id, d.decision, a));
    }
    return out;
  }

  /** The key of the account at the head of the queue: the bar risk judges next. */
  const blockedOn = (state: RiskState): string | null => {
    const head = state.execQueue[0];
    return head?.kind === "account" ? keyOf(head.account.symbol, head.account.barTime) : null;
  };

  function onDecision(state: RiskState, id: string, d: Decision): Output[] {
    const key = keyOf(d.symbol, d.barTime);
    if (isSettled(state.settled[d.symbol], d.barTime) || state.decisions[key] !== undefined) {
      return [];
    }
    state.decisions[key] = { id, decision: structuredClone(d) };
    bound(state.decisions);
    return blockedOn(state) === key ? pump(state) : [];
  }

  function onBar(state: RiskState, b: Bar): Output[] {
    const s = b.symbol;
    const seen = state.symbolBars[s];
    if (seen !== undefined && b.time <= seen.last) return [];
    const next = seen === undefined
      ? { first: b.time, last: b.time, count: 1 }
      : { first: seen.first, last: b.time, count: seen.count + 1 };
    state.symbolBars[s] = next;
    const atr = nextAtr(state.atr[s] ?? emptyAtr(), b, opts.atrPeriod);
    state.atr[s] = atr;
    const key = keyOf(s, b.time);
    if (isSettled(state.settled[s], b.time)) return [];
    const span = next.last - next.first;
    state.bars[key] = {
      high: b.high,
      low: b.low,
      close: b.close,
      atr: atr.atr,
      periodsPerYear: next.count >= MIN_BARS_FOR_PERIODS && span > 0
        ? (next.count - 1) / (span / YEAR_MS)
        : null,
      prevTime: seen?.last ?? null,
    };
    bound(state.bars);
    return blockedOn(state) === key ? pump(state) : [];
  }

  function onAccount(state: RiskState, a: Account): Output[] {
    const queued = state.execQueue.some((e) =>
      e.kind === "account" && e.account.symbol === a.symbol && e.account.barTime === a.barTime
    );
    if (queued || isSettled(state.settled[a.symbol], a.barTime)) return [];
    state.execQueue.push({ kind: "account", account: structuredClone(a), observed: false });
    return pump(state);
  }

  /** The executor's account of (s, t), in its turn: newest bar time and the loss limits. */
  function observeAccount(state: RiskState, a: Account): Output[] {
    // The symbol's next account comes after the executor filled or rejected its buy.
    const pending = state.pendingBuys[a.symbol];
    if (pending !== undefined && a.barTime > pending.decidedAt) delete state.pendingBuys[a.symbol];
    const b = state.breakers;
    b.newestBarTime = b.newestBarTime === null ? a.barTime : Math.max(b.newestBarTime, a.barTime);
    const { watch, breaches } = observeEquity(state.watch, a.equity, a.barTime, opts);
    state.watch = watch;
    if (state.base === "HALTED") return [];
    const at = barAt(a.symbol, a.barTime);
    if (breaches.length > 0) {
      state.base = "HALTED";
      return transition(state, breaches[0].code, at, { breaches });
    }
    // At the end of the drawdown scale every buy is sized to nothing: say so as a state
    // (REDUCING, with an alert) rather than trade on silently "ACTIVE" with zero sizes. It
    // clears breakerCooldownBars after the drawdown is back above the end, or on resume
    // (which rebases the peak).
    const peak = watch.peakEquity;
    const drawdown = peak !== null && peak > 0 ? 1 - a.equity / peak : 0;
    if (drawdown < opts.drawdownScaleEnd) return [];
    return trip(state, "drawdown_size_zero", null, at, {
      equity: a.equity,
      peakEquity: peak,
      drawdown,
      drawdownScaleEnd: opts.drawdownScaleEnd,
    });
  }

  function onFill(state: RiskState, env: AnyEnvelope, f: Fill): Output[] {
    if (state.fillIds.includes(env.id)) return [];
    state.fillIds.push(env.id);
    if (state.fillIds.length > opts.commandMemory) state.fillIds.shift();
    state.execQueue.push({ kind: "fill", fill: structuredClone(f) });
    return pump(state);
  }

  /** A fill in its turn: the trade record and the loss streak. */
  function applyFillEvent(state: RiskState, f: Fill): Output[] {
    const closed = applyFill(state.trades, f, opts.quantityStep, opts.kellyWindow);
    const n = opts.maxConsecutiveLosses;
    if (closed === null || n === 0 || state.trades.lossStreak < n) return [];
    const streak = state.trades.lossStreak;
    state.trades.lossStreak = 0; // the next trip needs another full streak
    const at = barAt(f.symbol, f.barTime);
    const details = { streak, limit: n, lastPnl: closed.pnl, symbol: f.symbol };
    if (opts.lossStreakAction === "halted") {
      if (state.base === "HALTED") return [];
      state.base = "HALTED";
      return transition(state, "consecutive_losses", at, details, true);
    }
    // Every full streak alerts, even while an earlier streak's trip has not cleared.
    return trip(state, "consecutive_losses", null, at, details, true);
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
    const tripped = Object.keys(state.breakers.trips).length > 0;
    const t = commandTransition(state.base, c.command) ??
      (c.command === "resume" && tripped
        ? { to: "ACTIVE" as const, code: "operator_resume" }
        : null);
    if (t === null) return [];
    state.base = t.to;
    if (t.to === "ACTIVE") {
      state.watch = rebase(state.watch);
      state.breakers.trips = {};
      state.trades.lossStreak = 0;
    }
    return transition(state, t.code, { key: env.id, corr: env.id, time: env.time }, {
      command: c.command,
      issuedBy: c.issuedBy,
      reason: c.reason,
      ...(t.to === "ACTIVE" ? { rebasedEquity: state.watch.lastEquity } : {}),
    }, true);
  }

  return {
    name: "risk",
    inputs: ["md.bars", "decisions", "exec.events", "ops.commands"],
    init: () => ({
      tradingState: "ACTIVE",
      base: "ACTIVE",
      cause: null,
      watch: emptyEquityWatch(),
      decisions: {},
      execQueue: [],
      bars: {},
      settled: {},
      commandIds: [],
      fillIds: [],
      atr: {},
      symbolBars: {},
      breakers: emptyBreakers(),
      trades: emptyTradeRecord(),
      tracked: {},
      brackets: {},
      ordersPerDay: {},
      pendingBuys: {},
    }),
    step(state: RiskState, msg: AnyEnvelope): Step<RiskState> {
      switch (msg.type) {
        case "bar":
          return { state, out: onBar(state, msg.data) };
        case "decision":
          return { state, out: onDecision(state, msg.id, msg.data) };
        case "account":
          return { state, out: onAccount(state, msg.data) };
        case "fill":
          return { state, out: onFill(state, msg, msg.data) };
        case "order_update":
          return { state, out: [] };
        case "command":
          return { state, out: onCommand(state, msg, msg.data) };
        default:
          throw new Error(`risk: unexpected message type '${msg.type}' (${msg.id})`);
      }
    },
    snapshot: (state) => state,
    restore: parseRiskState,
    describe: (state) => ({
      tradingState: state.tradingState,
      base: state.base,
      cause: state.cause,
      ...state.watch,
      trips: Object.keys(state.breakers.trips).sort(),
      lossStreak: state.trades.lossStreak,
      closedTrades: state.trades.closed.length,
      protected: Object.fromEntries(
        Object.entries(state.tracked).map(([s, t]) => [s, protectionOf(t)]),
      ),
      waitingDecisions: Object.keys(state.decisions).length,
      waitingBars: Object.keys(state.bars).length,
      queuedExecEvents: state.execQueue.length,
      blockedOn: blockedOn(state),
    }),
  };
}

function reason(code: string, detail: string, values: Reason["values"]): Reason {
  return { code, detail, values };
}
