// Executor core: the paper exchange as an agent. Market orders fill at the NEXT bar's open,
// never on the bar they were decided on; limit, stop, stop-limit and take-profit orders and
// the protective exits of a position (stop-loss / take-profit, one cancels the other) rest in
// the state and are emulated on later bars (emulate.ts), so they survive a restart with the
// snapshot. Every order moves through the state machine (order_state.ts) and every move is
// published as an order_update.
//
// Determinism: a bar of symbol s is processed only once the verdict for s's previous bar
// has arrived; until then it is buffered. So whichever way bars and verdicts interleave on
// the bus, each bar sees the same working orders and gives the same fills. (Across symbols
// the cash pool is shared, so the order in which different symbols' bars are processed can
// still matter: see the notes in the report.) Operator commands (kill) act when they arrive.
import { z } from "zod";
import type { AgentCore, Output, Step } from "../runtime/core.ts";
import {
  type Account,
  type AnyEnvelope,
  type Bar,
  barId,
  BarSchema,
  clientOrderIdFor,
  type Command,
  makeEnvelope,
  messageId,
  type Order,
  OrderSchema,
  type OrderUpdate,
  type Verdict,
} from "../../shared/messages/mod.ts";
import {
  type Book,
  type CostModel,
  equityOf,
  executeAt,
  floorToStep,
  markToMarket,
  openPositions,
} from "./paper.ts";
import { emulate, orderProblem } from "./emulate.ts";
import { type OrderEvent, transition } from "./order_state.ts";
import { mergeProtection, type ProtectionLevels, protectiveIdFor } from "./protection.ts";

export interface ExecutorOptions extends CostModel {
  initialCash: number;
  /** Decision and client order ids remembered for de-duplication (most recent). */
  idMemory: number;
  /** Kill switch: close every position unless the command says otherwise. */
  killFlatten: boolean;
}

export const DEFAULT_EXECUTOR_OPTIONS: Readonly<ExecutorOptions> = Object.freeze({
  initialCash: 10_000,
  feeBps: 10,
  slippageBps: 5,
  quantityStep: 1e-8,
  idMemory: 256,
  killFlatten: false,
});

export function resolveExecutorOptions(overrides: Partial<ExecutorOptions> = {}): ExecutorOptions {
  const o: ExecutorOptions = { ...DEFAULT_EXECUTOR_OPTIONS };
  const problems: string[] = [];
  for (const [key, value] of Object.entries(overrides)) {
    if (!(key in DEFAULT_EXECUTOR_OPTIONS)) problems.push(`${key}: unknown option`);
    else if (value !== undefined) (o as unknown as Record<string, unknown>)[key] = value;
  }
  if (!(Number.isFinite(o.initialCash) && o.initialCash > 0)) {
    problems.push(`initialCash: expected a finite number > 0 (got ${o.initialCash})`);
  }
  for (const key of ["feeBps", "slippageBps"] as const) {
    if (!(Number.isFinite(o[key]) && o[key] >= 0 && o[key] < 1e4)) {
      problems.push(`${key}: expected a number in [0, 10000) (got ${o[key]})`);
    }
  }
  if (!(Number.isFinite(o.quantityStep) && o.quantityStep > 0 && o.quantityStep <= 1)) {
    problems.push(`quantityStep: expected a number in (0, 1] (got ${o.quantityStep})`);
  }
  if (!(Number.isInteger(o.idMemory) && o.idMemory > 0)) {
    problems.push(`idMemory: expected an integer > 0 (got ${o.idMemory})`);
  }
  if (typeof o.killFlatten !== "boolean") problems.push(`killFlatten: expected a boolean`);
  if (problems.length > 0) throw new Error(`invalid executor options: ${problems.join("; ")}`);
  return o;
}

/** Why an order exists: a decision's entry/exit, a protective exit, or kill-switch flattening. */
export type OrderRole = "order" | "stop_loss" | "take_profit" | "flatten";

export interface PendingOrder {
  order: Order;
  decisionId: string;
  /** Bar time the order descends from: only later bars trade it. */
  decidedAt: number;
  status: "submitted" | "partially_filled";
  filledQty: number;
  role: OrderRole;
  /** stop_limit: the stop has triggered; the order now rests as a limit. */
  triggered: boolean;
}

export interface ExecutorState extends Book {
  /** Working orders by client order id; insertion order is their priority within a bar. */
  pending: Record<string, PendingOrder>;
  /** Protective levels per symbol (for its open position, or the entry on its way). */
  protection: Record<string, ProtectionLevels>;
  /** Kill switch pulled: no order is accepted until an operator resumes. */
  halted: boolean;
  /** Bar time of the last verdict per symbol: bars up to it are settled. */
  lastVerdict: Record<string, number>;
  /** Bar time of the last processed bar per symbol. */
  lastBar: Record<string, number>;
  /**
   * Bars not processed yet, in feed order (`seq`). They are processed strictly in that order,
   * each once its symbol's previous bar has a verdict: with one cash pool, any other order
   * would let the interleaving of streams change fills and account values.
   */
  queue: Bar[];
  barsProcessed: number;
  decisionIds: string[];
  orderIds: string[];
  commandIds: string[];
  /**
   * Client order ids of the protective orders placed, per symbol (most recent `idMemory`).
   * A level can need a second order (its first was cancelled with the position closed, or
   * filled while an entry kept the level alive): that one gets a fresh id, never one that
   * already named an order, whose fill and updates consumers would take for redeliveries.
   */
  protectiveIds: Record<string, string[]>;
}

const PositionStateSchema = z.object({
  quantity: z.number().finite().nonnegative(),
  avgPrice: z.number().finite().nonnegative(),
  lastPrice: z.number().finite().nonnegative(),
});
const LevelSchema = z.object({ price: z.number().finite().positive(), decisionId: z.string() })
  .nullable();
const ExecutorStateSchema = z.object({
  cash: z.number().finite().nonnegative(),
  fees: z.number().finite().nonnegative(),
  positions: z.record(z.string(), PositionStateSchema),
  pending: z.record(
    z.string(),
    z.object({
      order: OrderSchema,
      decisionId: z.string().min(1),
      decidedAt: z.number().int(),
      // Defaults: snapshots written before working orders existed held market orders only.
      status: z.enum(["submitted", "partially_filled"]).default("submitted"),
      filledQty: z.number().finite().nonnegative().default(0),
      role: z.enum(["order", "stop_loss", "take_profit", "flatten"]).default("order"),
      triggered: z.boolean().default(false),
    }),
  ),
  protection: z.record(
    z.string(),
    z.object({ stopLoss: LevelSchema, takeProfit: LevelSchema, basis: z.string() }),
  ).default({}),
  halted: z.boolean().default(false),
  lastVerdict: z.record(z.string(), z.number().int()),
  lastBar: z.record(z.string(), z.number().int()),
  queue: z.array(BarSchema),
  barsProcessed: z.number().int().nonnegative(),
  decisionIds: z.array(z.string()),
  orderIds: z.array(z.string()),
  commandIds: z.array(z.string()).default([]),
  protectiveIds: z.record(z.string(), z.array(z.string())).default({}),
});

/** Where an order_update or fill sits on the event timeline. */
interface At {
  time: number;
  corr: string;
}

const PROTECTIVE: readonly OrderRole[] = ["stop_loss", "take_profit"];

export function createExecutorCore(
  overrides: Partial<ExecutorOptions> = {},
): AgentCore<ExecutorState> {
  const opts = resolveExecutorOptions(overrides);

  const remember = (list: string[], id: string) => {
    list.push(id);
    if (list.length > opts.idMemory) list.splice(0, list.length - opts.idMemory);
  };

  const settled = (state: ExecutorState, symbol: string, barTime: number) =>
    (state.lastVerdict[symbol] ?? -1) >= barTime;

  const held = (state: ExecutorState, symbol: string) => state.positions[symbol]?.quantity ?? 0;

  function update(
    o: Order,
    decisionId: string,
    status: OrderUpdate["status"],
    reason: string | null,
    at: At,
    filledQuantity: number,
    quantity = o.quantity,
  ): Output {
    const data: OrderUpdate = {
      clientOrderId: o.clientOrderId,
      symbol: o.symbol,
      side: o.side,
      quantity,
      status,
      reason,
      decisionId,
      type: o.type,
      filledQuantity,
    };
    return {
      stream: "exec.events",
      msg: makeEnvelope("order_update", {
        id: messageId("executor", "order_update", `${o.clientOrderId}:${status}`),
        producer: "executor",
        time: at.time,
        corr: at.corr,
      }, data),
    };
  }

  /** Moves a working order through the state machine and reports the move. */
  function move(
    state: ExecutorState,
    p: PendingOrder,
    event: OrderEvent,
    reason: string | null,
    at: At,
    quantity?: number,
  ): Output {
    const next = transition(
      { status: p.status, quantity: p.order.quantity, filledQty: p.filledQty },
      event,
    );
    if (next.status === "submitted" || next.status === "partially_filled") {
      p.status = next.status;
      p.filledQty = next.filledQty;
    } else delete state.pending[p.order.clientOrderId];
    return update(p.order, p.decisionId, next.status, reason, at, next.filledQty, quantity);
  }

  /** A new order: accepted (submitted) into the working set, or rejected at once. */
  function accept(
    state: ExecutorState,
    order: Order,
    decisionId: string,
    decidedAt: number,
    role: OrderRole,
    at: At,
    reason: string | null = null,
  ): Output[] {
    if (state.pending[order.clientOrderId] !== undefined) return [];
    const p: PendingOrder = {
      order: structuredClone(order),
      decisionId,
      decidedAt,
      status: "submitted",
      filledQty: 0,
      role,
      triggered: false,
    };
    transition({ status: "new", quantity: order.quantity, filledQty: 0 }, { kind: "submit" });
    state.pending[order.clientOrderId] = p;
    return [update(p.order, decisionId, "submitted", reason, at, 0)];
  }

  function rejectNew(o: Order, decisionId: string, reason: string, at: At): Output {
    transition({ status: "new", quantity: o.quantity, filledQty: 0 }, { kind: "reject" });
    return update(o, decisionId, "rejected", reason, at, 0);
  }

  const working = (state: ExecutorState, symbol: string, roles?: readonly OrderRole[]) =>
    Object.values(state.pending).filter((p) =>
      p.order.symbol === symbol && (roles === undefined || roles.includes(p.role))
    );

  function protectiveOrder(
    clientOrderId: string,
    symbol: string,
    role: "stop_loss" | "take_profit",
    price: number,
    quantity: number,
    refPrice: number,
  ): Order {
    return {
      clientOrderId,
      symbol,
      side: "sell",
      quantity,
      type: role === "stop_loss" ? "stop_market" : "take_profit",
      refPrice,
      ...(role === "stop_loss" ? { stopPrice: price } : { limitPrice: price }),
      reduceOnly: true,
    };
  }

  /**
   * Makes the resting protective orders of `symbol` match its levels and position: placed
   * while a position is open (sized to it), replaced when a level moved, cancelled when the
   * position is closed. Levels without a position are kept only while an entry is working.
   */
  function syncProtection(state: ExecutorState, symbol: string, decidedAt: number, at: At) {
    const out: Output[] = [];
    const qty = held(state, symbol);
    const levels = state.protection[symbol];
    const resting = working(state, symbol, PROTECTIVE);
    if (qty <= 0) {
      for (const p of resting) out.push(move(state, p, { kind: "cancel" }, "position_closed", at));
      const entryWorking = working(state, symbol, ["order"]).some((p) => p.order.side === "buy");
      if (!entryWorking) delete state.protection[symbol];
      return out;
    }
    const refPrice = state.positions[symbol].lastPrice || state.positions[symbol].avgPrice;
    for (const role of PROTECTIVE as ("stop_loss" | "take_profit")[]) {
      const level = role === "stop_loss" ? levels?.stopLoss : levels?.takeProfit;
      let kept = false;
      for (const p of resting.filter((r) => r.role === role)) {
        if (level != null && isOrderOf(p, level)) {
          // The same order: follow the position's size (an amendment, not a new order).
          p.order.quantity = qty;
          kept = true;
        } else out.push(move(state, p, { kind: "cancel" }, "replaced", at));
      }
      if (level == null || kept) continue;
      const used = state.protectiveIds[symbol] ?? [];
      const id = protectiveIdFor(
        level.decisionId,
        role,
        (x) => used.includes(x) || state.pending[x] !== undefined,
      );
      remember(state.protectiveIds[symbol] ??= [], id);
      const order = protectiveOrder(id, symbol, role, level.price, qty, refPrice);
      out.push(...accept(state, order, level.decisionId, decidedAt, role, at, levels!.basis));
    }
    return out;
  }

  /** Whether resting protective order `p` is the order of `level` (its decision and price). */
  function isOrderOf(p: PendingOrder, level: { price: number; decisionId: string }): boolean {
    const price = p.role === "stop_loss" ? p.order.stopPrice : p.order.limitPrice;
    return p.decisionId === level.decisionId && price === level.price;
  }

  function fillOutputs(
    p: PendingOrder,
    r: { quantity: number; price: number; fee: number },
    bar: Bar,
  ) {
    return {
      stream: "exec.events" as const,
      msg: makeEnvelope("fill", {
        id: messageId("executor", "fill", p.order.clientOrderId),
        producer: "executor",
        time: bar.time,
        corr: barId(bar.symbol, bar.time),
      }, {
        clientOrderId: p.order.clientOrderId,
        symbol: bar.symbol,
        side: p.order.side,
        quantity: r.quantity,
        price: r.price,
        fee: r.fee,
        barTime: bar.time,
      }),
    };
  }

  /** Trades working order `p` on `bar` at `price`: a fill, or a rejection with the reason. */
  function trade(state: ExecutorState, p: PendingOrder, price: number, bar: Bar): Output[] {
    const at = { time: bar.time, corr: barId(bar.symbol, bar.time) };
    if (PROTECTIVE.includes(p.role)) {
      // A protective exit closes the position as it is now: an order at the open of this bar
      // may have changed it since the exit was last sized (at the previous bar's close).
      const qty = held(state, bar.symbol);
      if (qty <= 0) return [move(state, p, { kind: "cancel" }, "position_closed", at)];
      p.order.quantity = qty;
    }
    const book: Book = { cash: state.cash, fees: state.fees, positions: state.positions };
    const r = executeAt(book, p.order, price, opts);
    if (r.status !== "filled") {
      return [move(state, p, { kind: "reject" }, `${r.reason}: ${r.detail}`, at)];
    }
    state.cash = r.book.cash;
    state.fees = r.book.fees;
    state.positions = r.book.positions;
    const reason = p.role === "flatten"
      ? "kill_switch_flatten"
      : p.role === "order"
      ? null
      : p.role;
    const out: Output[] = [
      fillOutputs(p, r, bar),
      move(state, p, { kind: "fill", filledQty: r.quantity, done: true }, reason, at, r.quantity),
    ];
    if (p.role === "order" && p.order.bracket !== undefined && p.order.side === "buy") {
      const merged = mergeProtection(state.protection[bar.symbol], p.order.bracket, p.decisionId);
      state.protection[bar.symbol] = merged;
    }
    if (PROTECTIVE.includes(p.role)) {
      // One cancels the other.
      for (const sib of working(state, bar.symbol, PROTECTIVE)) {
        out.push(move(state, sib, { kind: "cancel" }, "oco", at));
      }
    }
    return out;
  }

  function processBar(state: ExecutorState, bar: Bar): Output[] {
    const out: Output[] = [];
    const s = bar.symbol;
    const at = { time: bar.time, corr: barId(s, bar.time) };
    // Only a later bar trades an order: never the bar it was decided on.
    const eligible = () => working(state, s).filter((p) => bar.time > p.decidedAt);
    // At the open: market orders first, then resting orders the bar gaps through.
    for (const p of eligible().filter((p) => p.order.type === "market")) {
      out.push(...trade(state, p, emulate(p.order, bar, opts.slippageBps).fill!.price, bar));
    }
    const intrabar: { p: PendingOrder; price: number }[] = [];
    for (const p of eligible().filter((p) => p.order.type !== "market")) {
      if (state.pending[p.order.clientOrderId] === undefined) continue; // cancelled by an OCO
      const e = emulate(p.order, bar, opts.slippageBps, p.triggered);
      p.triggered = e.triggered;
      if (e.fill === null) continue;
      if (e.fill.atOpen) out.push(...trade(state, p, e.fill.price, bar));
      else intrabar.push({ p, price: e.fill.price });
    }
    // Inside the bar the path is unknown: stops before limits (a stop and a take-profit
    // both touched count as the stop: the pessimistic reading).
    const isStop = (o: Order) => o.type === "stop_market" || o.type === "stop_limit";
    intrabar.sort((a, b) => Number(isStop(b.p.order)) - Number(isStop(a.p.order)));
    for (const { p, price } of intrabar) {
      if (state.pending[p.order.clientOrderId] === undefined) continue;
      out.push(...trade(state, p, price, bar));
    }
    out.push(...syncProtection(state, s, bar.time, at));
    const book = markToMarket(
      { cash: state.cash, fees: state.fees, positions: state.positions },
      s,
      bar.close,
    );
    state.positions = book.positions;
    state.lastBar[s] = bar.time;
    state.barsProcessed += 1;
    const positions = openPositions(book);
    const account: Account = {
      symbol: s,
      barTime: bar.time,
      cash: book.cash,
      equity: equityOf(book, positions),
      positions,
      fees: book.fees,
      barsProcessed: state.barsProcessed,
    };
    out.push({
      stream: "exec.events",
      msg: makeEnvelope("account", {
        id: messageId("executor", "account", `${s}:${bar.time}`),
        producer: "executor",
        time: bar.time,
        corr: barId(s, bar.time),
      }, account),
    });
    return out;
  }

  /** Processes queued bars in feed order while the head's predecessor is settled. */
  function drain(state: ExecutorState): Output[] {
    const out: Output[] = [];
    const queue = state.queue;
    while (queue.length > 0) {
      const head = queue[0];
      const last = state.lastBar[head.symbol];
      // The symbol's first bar has no predecessor to wait for.
      if (last !== undefined && !settled(state, head.symbol, last)) break;
      queue.shift();
      out.push(...processBar(state, head));
    }
    return out;
  }

  function onBar(state: ExecutorState, bar: Bar): Output[] {
    // At or before its symbol's last processed bar, or already queued: a redelivery.
    const last = state.lastBar[bar.symbol];
    if (last !== undefined && bar.time <= last) return [];
    if (state.queue.some((b) => b.symbol === bar.symbol && b.time === bar.time)) return [];
    const at = state.queue.findIndex((b) => b.seq > bar.seq);
    state.queue.splice(at === -1 ? state.queue.length : at, 0, structuredClone(bar));
    return drain(state);
  }

  function newOrderFromVerdict(state: ExecutorState, v: Verdict, o: Order, at: At): Output[] {
    const s = v.symbol;
    if (state.halted) return [rejectNew(o, v.decisionId, "kill_switch: trading is halted", at)];
    if (o.symbol !== s) {
      return [
        rejectNew(
          o,
          v.decisionId,
          `symbol_mismatch: order for ${o.symbol} in a verdict for ${s}`,
          at,
        ),
      ];
    }
    const problem = orderProblem(o);
    if (problem !== null) return [rejectNew(o, v.decisionId, `invalid_order: ${problem}`, at)];
    const market = working(state, s, ["order"]).find((p) => p.order.type === "market");
    if (o.type === "market" && market !== undefined) {
      return [
        rejectNew(o, v.decisionId, `pending_order_exists: ${market.order.clientOrderId}`, at),
      ];
    }
    return accept(state, o, v.decisionId, v.barTime, "order", at);
  }

  function onVerdict(state: ExecutorState, v: Verdict): Output[] {
    const s = v.symbol;
    if (state.decisionIds.includes(v.decisionId) || settled(state, s, v.barTime)) return [];
    remember(state.decisionIds, v.decisionId);
    state.lastVerdict[s] = v.barTime;
    const out: Output[] = [];
    const at = { time: v.barTime, corr: barId(s, v.barTime) };
    const o = v.outcome === "order" ? v.order : null;
    if (o !== null && !state.orderIds.includes(o.clientOrderId)) {
      remember(state.orderIds, o.clientOrderId);
      out.push(...newOrderFromVerdict(state, v, o, at));
    }
    if (v.protection != null && !state.halted) {
      state.protection[s] = mergeProtection(state.protection[s], v.protection, v.decisionId);
      if (held(state, s) > 0) out.push(...syncProtection(state, s, v.barTime, at));
    }
    return [...out, ...drain(state)];
  }

  function onCommand(state: ExecutorState, id: string, time: number, c: Command): Output[] {
    if (state.commandIds.includes(id)) return [];
    remember(state.commandIds, id);
    if (c.target !== null && c.target !== "executor" && c.target !== "risk") return [];
    if (c.command === "resume") {
      state.halted = false;
      return [];
    }
    if (c.command !== "kill") return [];
    state.halted = true;
    const out: Output[] = [];
    const atFor = (symbol: string) => ({ time: state.lastBar[symbol] ?? time, corr: id });
    for (const p of Object.values(state.pending)) {
      out.push(move(state, p, { kind: "cancel" }, "kill_switch", atFor(p.order.symbol)));
    }
    state.protection = {};
    if (c.flatten ?? opts.killFlatten) {
      for (const pos of openPositions(state)) {
        const s = pos.symbol;
        const quantity = floorToStep(pos.quantity, opts.quantityStep);
        if (quantity <= 0) continue;
        const order: Order = {
          clientOrderId: clientOrderIdFor(`${id}:flatten:${s}`),
          symbol: s,
          side: "sell",
          quantity,
          type: "market",
          refPrice: pos.lastPrice > 0 ? pos.lastPrice : pos.avgPrice,
          reduceOnly: true,
        };
        // Filled at the open of the symbol's next bar.
        const decidedAt = state.lastBar[s] ?? 0;
        out.push(
          ...accept(state, order, id, decidedAt, "flatten", atFor(s), "kill_switch_flatten"),
        );
      }
    }
    return out;
  }

  return {
    name: "executor",
    inputs: ["md.bars", "orders", "ops.commands"],
    init: () => ({
      cash: opts.initialCash,
      fees: 0,
      positions: {},
      pending: {},
      protection: {},
      halted: false,
      lastVerdict: {},
      lastBar: {},
      queue: [],
      barsProcessed: 0,
      decisionIds: [],
      orderIds: [],
      commandIds: [],
      protectiveIds: {},
    }),
    step(state: ExecutorState, msg: AnyEnvelope): Step<ExecutorState> {
      if (msg.type === "bar") return { state, out: onBar(state, msg.data) };
      if (msg.type === "verdict") return { state, out: onVerdict(state, msg.data) };
      if (msg.type === "command") {
        return { state, out: onCommand(state, msg.id, msg.time, msg.data) };
      }
      throw new Error(`executor: unexpected message type '${msg.type}' (${msg.id})`);
    },
    snapshot: (state) => state,
    restore(snapshot: unknown): ExecutorState {
      const parsed = ExecutorStateSchema.safeParse(snapshot);
      if (!parsed.success) {
        const i = parsed.error.issues[0];
        throw new Error(`executor: invalid snapshot: ${i?.path.join(".")}: ${i?.message}`);
      }
      const state = parsed.data as ExecutorState;
      // Older snapshots keyed working orders by symbol: key them by client order id.
      state.pending = Object.fromEntries(
        Object.values(state.pending).map((p) => [p.order.clientOrderId, p]),
      );
      return state;
    },
    describe: (state) => {
      const positions = openPositions(state);
      return {
        cash: state.cash,
        equity: equityOf(state, positions),
        fees: state.fees,
        positions,
        pendingOrders: Object.keys(state.pending).sort(),
        protection: state.protection,
        halted: state.halted,
        queued: state.queue.length,
        barsProcessed: state.barsProcessed,
      };
    },
  };
}
