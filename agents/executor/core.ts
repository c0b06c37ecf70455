// Executor core: the paper exchange as an agent. Orders are filled at the NEXT bar's open,
// never on the bar they were decided on.
//
// Determinism: a bar of symbol s is processed only once the verdict for s's previous bar
// has arrived; until then it is buffered. So whichever way bars and verdicts interleave on
// the bus, each bar sees the same pending order and gives the same fill. (Across symbols
// the cash pool is shared, so the order in which different symbols' bars are processed can
// still matter: see the notes in the report.)
import { z } from "zod";
import type { AgentCore, Output, Step } from "../runtime/core.ts";
import {
  type Account,
  type AnyEnvelope,
  type Bar,
  barId,
  BarSchema,
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
  executeMarketOrder,
  markToMarket,
  openPositions,
} from "./paper.ts";

export interface ExecutorOptions extends CostModel {
  initialCash: number;
  /** Decision and client order ids remembered for de-duplication (most recent). */
  idMemory: number;
}

export const DEFAULT_EXECUTOR_OPTIONS: Readonly<ExecutorOptions> = Object.freeze({
  initialCash: 10_000,
  feeBps: 10,
  slippageBps: 5,
  quantityStep: 1e-8,
  idMemory: 256,
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
  if (problems.length > 0) throw new Error(`invalid executor options: ${problems.join("; ")}`);
  return o;
}

export interface PendingOrder {
  order: Order;
  decisionId: string;
  /** Bar time of the decision the order descends from. */
  decidedAt: number;
}

export interface ExecutorState extends Book {
  pending: Record<string, PendingOrder>;
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
}

const PositionStateSchema = z.object({
  quantity: z.number().finite().nonnegative(),
  avgPrice: z.number().finite().nonnegative(),
  lastPrice: z.number().finite().nonnegative(),
});
const ExecutorStateSchema = z.object({
  cash: z.number().finite().nonnegative(),
  fees: z.number().finite().nonnegative(),
  positions: z.record(z.string(), PositionStateSchema),
  pending: z.record(
    z.string(),
    z.object({ order: OrderSchema, decisionId: z.string().min(1), decidedAt: z.number().int() }),
  ),
  lastVerdict: z.record(z.string(), z.number().int()),
  lastBar: z.record(z.string(), z.number().int()),
  queue: z.array(BarSchema),
  barsProcessed: z.number().int().nonnegative(),
  decisionIds: z.array(z.string()),
  orderIds: z.array(z.string()),
});

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

  function update(
    o: Order,
    decisionId: string,
    status: OrderUpdate["status"],
    reason: string | null,
    symbol: string,
    barTime: number,
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
    };
    return {
      stream: "exec.events",
      msg: makeEnvelope("order_update", {
        id: messageId("executor", "order_update", `${o.clientOrderId}:${status}`),
        producer: "executor",
        time: barTime,
        corr: barId(symbol, barTime),
      }, data),
    };
  }

  function processBar(state: ExecutorState, bar: Bar): Output[] {
    const out: Output[] = [];
    const s = bar.symbol;
    let book: Book = { cash: state.cash, fees: state.fees, positions: state.positions };
    const pending = state.pending[s];
    // Only a later bar fills an order: never the bar it was decided on.
    if (pending !== undefined && bar.time > pending.decidedAt) {
      delete state.pending[s];
      const o = pending.order;
      const r = executeMarketOrder(book, o, bar.open, opts);
      if (r.status === "filled") {
        book = r.book;
        out.push({
          stream: "exec.events",
          msg: makeEnvelope("fill", {
            id: messageId("executor", "fill", o.clientOrderId),
            producer: "executor",
            time: bar.time,
            corr: barId(s, bar.time),
          }, {
            clientOrderId: o.clientOrderId,
            symbol: s,
            side: o.side,
            quantity: r.quantity,
            price: r.price,
            fee: r.fee,
            barTime: bar.time,
          }),
        });
        out.push(update(o, pending.decisionId, "filled", null, s, bar.time, r.quantity));
      } else {
        out.push(
          update(o, pending.decisionId, "rejected", `${r.reason}: ${r.detail}`, s, bar.time),
        );
      }
    }
    book = markToMarket(book, s, bar.close);
    state.cash = book.cash;
    state.fees = book.fees;
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

  function onVerdict(state: ExecutorState, v: Verdict): Output[] {
    const s = v.symbol;
    if (state.decisionIds.includes(v.decisionId) || settled(state, s, v.barTime)) return [];
    remember(state.decisionIds, v.decisionId);
    state.lastVerdict[s] = v.barTime;
    const out: Output[] = [];
    const o = v.outcome === "order" ? v.order : null;
    if (o !== null && !state.orderIds.includes(o.clientOrderId)) {
      remember(state.orderIds, o.clientOrderId);
      const reject = (reason: string) =>
        out.push(update(o, v.decisionId, "rejected", reason, s, v.barTime));
      if (o.symbol !== s) {
        reject(`symbol_mismatch: order for ${o.symbol} in a verdict for ${s}`);
      } else if (state.pending[s] !== undefined) {
        reject(`pending_order_exists: ${state.pending[s].order.clientOrderId}`);
      } else {
        state.pending[s] = {
          order: structuredClone(o),
          decisionId: v.decisionId,
          decidedAt: v.barTime,
        };
        out.push(update(o, v.decisionId, "submitted", null, s, v.barTime));
      }
    }
    return [...out, ...drain(state)];
  }

  return {
    name: "executor",
    inputs: ["md.bars", "orders"],
    init: () => ({
      cash: opts.initialCash,
      fees: 0,
      positions: {},
      pending: {},
      lastVerdict: {},
      lastBar: {},
      queue: [],
      barsProcessed: 0,
      decisionIds: [],
      orderIds: [],
    }),
    step(state: ExecutorState, msg: AnyEnvelope): Step<ExecutorState> {
      if (msg.type === "bar") return { state, out: onBar(state, msg.data) };
      if (msg.type === "verdict") return { state, out: onVerdict(state, msg.data) };
      throw new Error(`executor: unexpected message type '${msg.type}' (${msg.id})`);
    },
    snapshot: (state) => state,
    restore(snapshot: unknown): ExecutorState {
      const parsed = ExecutorStateSchema.safeParse(snapshot);
      if (!parsed.success) {
        const i = parsed.error.issues[0];
        throw new Error(`executor: invalid snapshot: ${i?.path.join(".")}: ${i?.message}`);
      }
      return parsed.data as ExecutorState;
    },
    describe: (state) => {
      const positions = openPositions(state);
      return {
        cash: state.cash,
        equity: equityOf(state, positions),
        fees: state.fees,
        positions,
        pendingOrders: Object.keys(state.pending).sort(),
        queued: state.queue.length,
        barsProcessed: state.barsProcessed,
      };
    },
  };
}
