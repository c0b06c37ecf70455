// The executor against a real venue (ccxt exchange, Alpaca, the paper venue): verdicts become
// venue orders through the state machine, fills and statuses are polled on every bar, stops
// the venue cannot hold are emulated on the bar stream, the kill switch cancels everything
// (and flattens), and reconciliation at start and on a schedule makes the venue the truth.
//
// This core does I/O in `step` (it is the shell around the venue). It stays restart-safe the
// way the replay core is: the state is snapshotted with each acknowledgement, and a message
// redelivered after a crash submits the same client order id again, which the venue answers
// with the order it already has (Venue.submit is idempotent), never a second one.
import { z } from "zod";
import type { AsyncAgentCore, Output, Step } from "../runtime/core.ts";
import {
  type AnyEnvelope,
  type Bar,
  barId,
  clientOrderIdFor,
  type Command,
  makeEnvelope,
  messageId,
  type Order,
  ORDER_STATUSES,
  OrderSchema,
  type OrderUpdate,
  type Verdict,
} from "../../shared/messages/mod.ts";
import {
  type Venue,
  VenueError,
  type VenueFill,
  type VenueOrder,
  type VenueOrderRequest,
} from "./venues/types.ts";
import {
  isTerminal,
  type OrderEvent,
  type OrderStatus,
  OrderTransitionError,
  transition,
} from "./order_state.ts";
import { emulate } from "./emulate.ts";
import { mergeProtection, type ProtectionLevels, protectiveIdFor } from "./protection.ts";
import { diffWithVenue, isClean, type Reconciliation } from "./reconcile.ts";
import type { OrderRole } from "./core.ts";

export interface VenueExecutorOptions {
  venue: Venue;
  symbols: readonly string[];
  reconcileIntervalMs: number;
  killFlatten: boolean;
  /** Ids remembered for de-duplication. */
  idMemory?: number;
}

export interface Tracked {
  order: Order;
  decisionId: string;
  role: OrderRole;
  decidedAt: number;
  status: OrderStatus;
  filledQty: number;
  /** Sent to the venue (and acknowledged, or at least attempted). */
  atVenue: boolean;
  /** Rests here, watched on bars, until its level trades (the venue cannot hold it). */
  emulated: boolean;
  triggered: boolean;
}

export interface VenueExecutorState {
  /** Orders not in a terminal status, by client order id. */
  orders: Record<string, Tracked>;
  doneIds: string[];
  fillIds: string[];
  /** Fills are fetched from this time on (inclusive; de-duplicated by trade id). */
  fillCursor: number;
  cash: number;
  fees: number;
  positions: Record<string, { quantity: number; avgPrice: number }>;
  lastPrice: Record<string, number>;
  protection: Record<string, ProtectionLevels>;
  halted: boolean;
  decisionIds: string[];
  commandIds: string[];
  /** Wall-clock ms of the last reconciliation; 0: not yet (done before anything else). */
  lastReconcile: number;
  barsProcessed: number;
}

const num = z.number().finite();
const ids = z.array(z.string());
const LevelSchema = z.object({ price: num.positive(), decisionId: z.string() }).nullable();
const VenueExecutorStateSchema = z.object({
  orders: z.record(
    z.string(),
    z.object({
      order: OrderSchema,
      decisionId: z.string().min(1),
      role: z.enum(["order", "stop_loss", "take_profit", "flatten"]),
      decidedAt: z.number().int(),
      status: z.enum(ORDER_STATUSES),
      filledQty: num.nonnegative(),
      atVenue: z.boolean(),
      emulated: z.boolean(),
      triggered: z.boolean(),
    }),
  ),
  doneIds: ids,
  fillIds: ids,
  fillCursor: z.number().int().nonnegative(),
  cash: num,
  fees: num.nonnegative(),
  positions: z.record(z.string(), z.object({ quantity: num, avgPrice: num.nonnegative() })),
  lastPrice: z.record(z.string(), num),
  protection: z.record(
    z.string(),
    z.object({ stopLoss: LevelSchema, takeProfit: LevelSchema, basis: z.string() }),
  ),
  halted: z.boolean(),
  decisionIds: ids,
  commandIds: ids,
  lastReconcile: z.number().int().nonnegative(),
  barsProcessed: z.number().int().nonnegative(),
});

/** Optional hook of venues that price off the bar stream (the paper venue). */
interface BarDriven {
  observeBar(bar: Bar): Promise<void>;
}
const isBarDriven = (v: Venue): v is Venue & BarDriven =>
  typeof (v as Partial<BarDriven>).observeBar === "function";

const STOP_TYPES: readonly Order["type"][] = ["stop_market", "stop_limit", "take_profit"];

export function createVenueExecutorCore(
  opts: VenueExecutorOptions,
): AsyncAgentCore<VenueExecutorState> {
  const { venue } = opts;
  const memory = opts.idMemory ?? 4096;
  const remember = (list: string[], id: string) => {
    list.push(id);
    if (list.length > memory) list.splice(0, list.length - memory);
  };
  const native = (type: Order["type"]) =>
    !STOP_TYPES.includes(type)
      ? (venue.capabilities.nativeOrderTypes?.includes(type) ?? true)
      : venue.capabilities.nativeStops &&
        (venue.capabilities.nativeOrderTypes?.includes(type) ?? true);

  interface Ctx {
    out: Output[];
    now: number;
    corr: string;
  }

  function update(t: Tracked, status: OrderStatus, reason: string | null, c: Ctx) {
    const data: OrderUpdate = {
      clientOrderId: t.order.clientOrderId,
      symbol: t.order.symbol,
      side: t.order.side,
      quantity: t.order.quantity,
      status,
      reason,
      decisionId: t.decisionId,
      type: t.order.type,
      filledQuantity: t.filledQty,
    };
    const key = status === "partially_filled"
      ? `${t.order.clientOrderId}:${status}:${t.filledQty}`
      : `${t.order.clientOrderId}:${status}`;
    c.out.push({
      stream: "exec.events",
      msg: makeEnvelope("order_update", {
        id: messageId("executor", "order_update", key),
        producer: "executor",
        time: c.now,
        corr: c.corr,
      }, data),
    });
  }

  function alert(
    c: Ctx,
    severity: "warning" | "critical",
    code: string,
    message: string,
    details: Record<string, unknown>,
  ) {
    c.out.push({
      stream: "ops.alerts",
      msg: makeEnvelope("alert", {
        id: messageId("executor", "alert", `${code}:${c.corr}:${c.now}`),
        producer: "executor",
        time: c.now,
        corr: c.corr,
      }, { severity, code, message, details }),
    });
  }

  function move(s: VenueExecutorState, t: Tracked, e: OrderEvent, reason: string | null, c: Ctx) {
    const next = transition({
      status: t.status,
      quantity: t.order.quantity,
      filledQty: t.filledQty,
    }, e);
    t.status = next.status;
    t.filledQty = next.filledQty;
    update(t, next.status, reason, c);
    if (isTerminal(next.status)) {
      delete s.orders[t.order.clientOrderId];
      remember(s.doneIds, t.order.clientOrderId);
    }
  }

  /** Brings a tracked order up to what the venue reports, one legal step at a time. */
  function follow(s: VenueExecutorState, t: Tracked, v: VenueOrder, reason: string | null, c: Ctx) {
    try {
      if (t.status === "new") {
        if (v.status === "rejected") return move(s, t, { kind: "reject" }, v.reason ?? reason, c);
        move(s, t, { kind: "submit" }, reason, c);
      }
      if (v.filledQuantity > t.filledQty) {
        move(
          s,
          t,
          {
            kind: "fill",
            filledQty: Math.min(v.filledQuantity, t.order.quantity),
            done: v.status === "filled",
          },
          reason,
          c,
        );
      }
      if (isTerminal(t.status)) return;
      if (v.status === "cancelled") move(s, t, { kind: "cancel" }, reason ?? v.reason, c);
      else if (v.status === "expired") move(s, t, { kind: "expire" }, v.reason ?? reason, c);
      else if (v.status === "rejected") move(s, t, { kind: "reject" }, v.reason ?? reason, c);
      else if (v.status === "filled") {
        move(s, t, { kind: "fill", filledQty: t.filledQty, done: true }, reason, c);
      }
    } catch (e) {
      if (!(e instanceof OrderTransitionError)) throw e;
      alert(c, "warning", "order_state_conflict", e.message, {
        clientOrderId: t.order.clientOrderId,
        venue: v,
      });
    }
  }

  async function send(s: VenueExecutorState, t: Tracked, c: Ctx, type = t.order.type) {
    const o = t.order;
    if (!(await venue.acceptsOrders(c.now, type))) return; // stays "new"; sent on a later poll
    const req: VenueOrderRequest = {
      clientOrderId: o.clientOrderId,
      symbol: o.symbol,
      side: o.side,
      quantity: o.quantity,
      type,
      ...(type === "limit" || type === "stop_limit" || type === "take_profit"
        ? { limitPrice: o.limitPrice ?? o.stopPrice }
        : {}),
      ...(type === "stop_market" || type === "stop_limit" ? { stopPrice: o.stopPrice } : {}),
      ...(o.reduceOnly ? { reduceOnly: true } : {}),
    };
    t.atVenue = true;
    try {
      follow(s, t, await venue.submit(req), reasonOf(t), c);
    } catch (e) {
      if (!(e instanceof VenueError)) throw e;
      if (e.retryable) {
        // The retry wrapper gave up for now: the order stays "new" and is sent again (same
        // client order id, so at most once) on the next poll.
        alert(c, "warning", "venue_unavailable", `submit of ${o.clientOrderId}: ${e.message}`, {
          kind: e.kind,
        });
        return;
      }
      if (t.status === "new") move(s, t, { kind: "reject" }, `${e.kind}: ${e.message}`, c);
    }
  }

  const reasonOf = (t: Tracked) =>
    t.role === "flatten" ? "kill_switch_flatten" : t.role === "order" ? null : t.role;

  function track(
    s: VenueExecutorState,
    order: Order,
    decisionId: string,
    role: OrderRole,
    decidedAt: number,
  ): Tracked {
    const t: Tracked = {
      order: structuredClone(order),
      decisionId,
      role,
      decidedAt,
      status: "new",
      filledQty: 0,
      atVenue: false,
      emulated: !native(order.type),
      triggered: false,
    };
    s.orders[order.clientOrderId] = t;
    return t;
  }

  async function place(s: VenueExecutorState, t: Tracked, c: Ctx) {
    if (t.emulated) move(s, t, { kind: "submit" }, reasonOf(t), c);
    else await send(s, t, c);
  }

  async function cancel(s: VenueExecutorState, t: Tracked, reason: string, c: Ctx) {
    if (!t.atVenue) return move(s, t, { kind: "cancel" }, reason, c);
    try {
      follow(s, t, await venue.cancel(t.order.clientOrderId, t.order.symbol), reason, c);
    } catch (e) {
      if (!(e instanceof VenueError)) throw e;
      alert(c, "warning", "cancel_failed", `cancel of ${t.order.clientOrderId}: ${e.message}`, {
        kind: e.kind,
      });
    }
  }

  function applyFill(s: VenueExecutorState, f: VenueFill, c: Ctx) {
    if (s.fillIds.includes(f.tradeId)) return;
    remember(s.fillIds, f.tradeId);
    const p = s.positions[f.symbol] ?? { quantity: 0, avgPrice: 0 };
    if (f.side === "buy") {
      const q = p.quantity + f.quantity;
      s.positions[f.symbol] = {
        quantity: q,
        avgPrice: (p.quantity * p.avgPrice + f.quantity * f.price) / q,
      };
      s.cash -= f.quantity * f.price + f.fee;
    } else {
      const q = p.quantity - f.quantity;
      s.positions[f.symbol] = { quantity: q, avgPrice: q > 0 ? p.avgPrice : 0 };
      s.cash += f.quantity * f.price - f.fee;
    }
    s.fees += f.fee;
    s.fillCursor = Math.max(s.fillCursor, f.time);
    c.out.push({
      stream: "exec.events",
      msg: makeEnvelope("fill", {
        id: messageId("executor", "fill", f.tradeId),
        producer: "executor",
        time: f.time,
        corr: c.corr,
      }, {
        clientOrderId: f.clientOrderId,
        symbol: f.symbol,
        side: f.side,
        quantity: f.quantity,
        price: f.price,
        fee: f.fee,
        barTime: f.time,
      }),
    });
  }

  /** Order statuses and new fills from the venue; unsent orders are sent again. */
  async function poll(s: VenueExecutorState, c: Ctx) {
    for (const t of Object.values(s.orders)) {
      if (t.emulated && !t.atVenue) continue;
      if (!t.atVenue || t.status === "new") {
        await send(s, t, c);
        continue;
      }
      const v = await venue.fetchOrder(t.order.clientOrderId, t.order.symbol);
      if (v !== null) follow(s, t, v, reasonOf(t), c);
    }
    for (const f of await venue.fills(s.fillCursor, opts.symbols)) applyFill(s, f, c);
  }

  async function reconcile(s: VenueExecutorState, c: Ctx): Promise<Reconciliation> {
    const tracked = Object.values(s.orders);
    const orders = new Map<string, VenueOrder | null>();
    for (const t of tracked) {
      if (t.atVenue) {
        orders.set(
          t.order.clientOrderId,
          await venue.fetchOrder(t.order.clientOrderId, t.order.symbol),
        );
      }
    }
    const lookback = s.lastReconcile === 0
      ? 0
      : Math.max(0, s.fillCursor - opts.reconcileIntervalMs);
    const r = diffWithVenue({
      orders: tracked.map((t) => ({
        clientOrderId: t.order.clientOrderId,
        symbol: t.order.symbol,
        status: t.status,
        filledQty: t.filledQty,
        atVenue: t.atVenue,
      })),
      fillIds: new Set(s.fillIds),
      cash: s.cash,
      positions: Object.fromEntries(Object.entries(s.positions).map(([k, p]) => [k, p.quantity])),
    }, {
      orders,
      openOrders: await venue.openOrders(),
      fills: await venue.fills(lookback, opts.symbols),
      balances: await venue.balances(),
    });
    for (const { local, venue: v } of r.changed) {
      follow(s, s.orders[local.clientOrderId], v, "reconciled", c);
    }
    for (const m of r.missing) {
      const t = s.orders[m.clientOrderId];
      // Never acknowledged: send it (again). Acknowledged once, now unknown: gone.
      if (t.status === "new") await send(s, t, c);
      else move(s, t, { kind: "expire" }, "reconciled: the venue has no such order", c);
    }
    for (const v of r.unknown) {
      const t = track(
        s,
        {
          clientOrderId: v.clientOrderId,
          symbol: v.symbol,
          side: v.side,
          quantity: v.quantity,
          type: v.type,
          refPrice: v.averagePrice ?? 1,
        },
        `reconcile:${v.venueOrderId}`,
        "order",
        0,
      );
      t.atVenue = true;
      t.emulated = false;
      follow(s, t, v, "reconciled: order found at the venue", c);
    }
    for (const f of r.newFills) applyFill(s, f, c);
    const balances = await venue.balances();
    s.cash = balances.cash;
    const venuePos = new Map(balances.positions.map((p) => [p.symbol, p.quantity]));
    for (const sym of new Set([...Object.keys(s.positions), ...venuePos.keys()])) {
      const q = venuePos.get(sym) ?? 0;
      s.positions[sym] = { quantity: q, avgPrice: q > 0 ? (s.positions[sym]?.avgPrice ?? 0) : 0 };
    }
    // The first look at a venue we never traded on adopts its balances: not a difference.
    const adopting = s.lastReconcile === 0 && s.fillIds.length === r.newFills.length &&
      tracked.length === 0;
    const differs = adopting ? r.unknown.length > 0 || r.newFills.length > 0 : !isClean(r);
    if (differs) {
      alert(c, "warning", "reconcile_differences", "executor state repaired from the venue", {
        changed: r.changed.map((x) => x.local.clientOrderId),
        missing: r.missing.map((x) => x.clientOrderId),
        unknown: r.unknown.map((x) => x.clientOrderId),
        newFills: r.newFills.map((f) => f.tradeId),
        positions: r.positions,
        cash: r.cash,
      });
    }
    s.lastReconcile = c.now;
    return r;
  }

  const working = (s: VenueExecutorState, symbol: string, roles: readonly OrderRole[]) =>
    Object.values(s.orders).filter((t) => t.order.symbol === symbol && roles.includes(t.role));

  async function syncProtection(s: VenueExecutorState, symbol: string, decidedAt: number, c: Ctx) {
    const qty = s.positions[symbol]?.quantity ?? 0;
    const resting = working(s, symbol, ["stop_loss", "take_profit"]);
    const levels = s.protection[symbol];
    if (qty <= 0) {
      for (const t of resting) await cancel(s, t, "position_closed", c);
      if (!working(s, symbol, ["order"]).some((t) => t.order.side === "buy")) {
        delete s.protection[symbol];
      }
      return;
    }
    for (const role of ["stop_loss", "take_profit"] as const) {
      const level = role === "stop_loss" ? levels?.stopLoss : levels?.takeProfit;
      let kept = false;
      for (const t of resting.filter((r) => r.role === role)) {
        if (level == null || !isOrderOf(t, level)) await cancel(s, t, "replaced", c);
        else {
          kept = true;
          if (t.emulated && !t.atVenue) t.order.quantity = qty;
        }
      }
      if (level == null || kept) continue;
      // A level whose order is done (cancelled with the position closed, or filled while an
      // entry kept the level) protects the next position under a fresh id.
      const id = protectiveIdFor(
        level.decisionId,
        role,
        (x) => s.orders[x] !== undefined || s.doneIds.includes(x),
      );
      const t = track(
        s,
        {
          clientOrderId: id,
          symbol,
          side: "sell",
          quantity: qty,
          type: role === "stop_loss" ? "stop_market" : "take_profit",
          refPrice: s.lastPrice[symbol] ?? level.price,
          ...(role === "stop_loss" ? { stopPrice: level.price } : { limitPrice: level.price }),
          reduceOnly: true,
        },
        level.decisionId,
        role,
        decidedAt,
      );
      await place(s, t, c);
    }
  }

  /** Whether resting protective order `t` is the order of `level` (its decision and price). */
  function isOrderOf(t: Tracked, level: { price: number; decisionId: string }): boolean {
    const price = t.role === "stop_loss" ? t.order.stopPrice : t.order.limitPrice;
    return t.decisionId === level.decisionId && price === level.price;
  }

  /** Emulated orders of the bar's symbol whose level the bar trades through go to the venue. */
  async function emulateOn(s: VenueExecutorState, bar: Bar, c: Ctx) {
    for (const t of Object.values(s.orders)) {
      if (!t.emulated || t.atVenue || t.order.symbol !== bar.symbol || bar.time <= t.decidedAt) {
        continue;
      }
      if (s.orders[t.order.clientOrderId] === undefined) continue;
      const e = emulate(t.order, bar, 0, t.triggered);
      t.triggered = e.triggered;
      if (!e.triggered && e.fill === null) continue;
      // Triggered: a stop becomes a market order, a stop-limit a limit, a take-profit a limit.
      const type = t.order.type === "stop_market" ? "market" : "limit";
      if (t.role === "stop_loss" || t.role === "take_profit") {
        for (const sib of working(s, bar.symbol, ["stop_loss", "take_profit"])) {
          if (sib !== t) await cancel(s, sib, "oco", c);
        }
      }
      await send(s, t, c, type);
    }
  }

  async function onBar(s: VenueExecutorState, bar: Bar, c: Ctx) {
    s.lastPrice[bar.symbol] = bar.close;
    if (isBarDriven(venue)) await venue.observeBar(bar);
    await emulateOn(s, bar, c);
    await poll(s, c);
    if (c.now - s.lastReconcile >= opts.reconcileIntervalMs) await reconcile(s, c);
    await syncProtection(s, bar.symbol, bar.time, c);
    s.barsProcessed += 1;
    const positions = Object.keys(s.positions).sort().filter((k) => s.positions[k].quantity !== 0)
      .map((k) => ({
        symbol: k,
        quantity: s.positions[k].quantity,
        avgPrice: s.positions[k].avgPrice,
        lastPrice: s.lastPrice[k] ?? s.positions[k].avgPrice,
      }));
    c.out.push({
      stream: "exec.events",
      msg: makeEnvelope("account", {
        id: messageId("executor", "account", `${bar.symbol}:${bar.time}`),
        producer: "executor",
        time: bar.time,
        corr: barId(bar.symbol, bar.time),
      }, {
        symbol: bar.symbol,
        barTime: bar.time,
        cash: s.cash,
        equity: positions.reduce((e, p) => e + p.quantity * p.lastPrice, s.cash),
        positions,
        fees: s.fees,
        barsProcessed: s.barsProcessed,
      }),
    });
  }

  async function onVerdict(s: VenueExecutorState, v: Verdict, c: Ctx) {
    if (s.decisionIds.includes(v.decisionId)) return;
    remember(s.decisionIds, v.decisionId);
    const o = v.outcome === "order" ? v.order : null;
    if (
      o !== null && s.orders[o.clientOrderId] === undefined && !s.doneIds.includes(o.clientOrderId)
    ) {
      const t = track(s, o, v.decisionId, "order", v.barTime);
      if (s.halted) move(s, t, { kind: "reject" }, "kill_switch: trading is halted", c);
      else if (o.symbol !== v.symbol) {
        move(s, t, { kind: "reject" }, `symbol_mismatch: ${o.symbol}`, c);
      } else {
        await place(s, t, c);
        // A market order may have filled at once: its position is what protection guards.
        for (const f of await venue.fills(s.fillCursor, opts.symbols)) applyFill(s, f, c);
      }
    }
    if (v.protection != null && !s.halted) {
      s.protection[v.symbol] = mergeProtection(s.protection[v.symbol], v.protection, v.decisionId);
      await syncProtection(s, v.symbol, v.barTime, c);
    }
  }

  async function onCommand(s: VenueExecutorState, id: string, cmd: Command, c: Ctx) {
    if (s.commandIds.includes(id)) return;
    remember(s.commandIds, id);
    if (cmd.target !== null && cmd.target !== "executor" && cmd.target !== "risk") return;
    if (cmd.command === "resume") s.halted = false;
    if (cmd.command !== "kill") return;
    s.halted = true;
    s.protection = {};
    for (const t of Object.values(s.orders)) await cancel(s, t, "kill_switch", c);
    // Anything else open at the venue (placed by hand, or lost track of) goes too.
    for (const v of await venue.openOrders()) {
      try {
        await venue.cancel(v.clientOrderId, v.symbol);
      } catch (e) {
        if (!(e instanceof VenueError)) throw e;
        alert(c, "warning", "cancel_failed", `cancel of ${v.clientOrderId}: ${e.message}`, {
          kind: e.kind,
        });
      }
    }
    if (!(cmd.flatten ?? opts.killFlatten)) return;
    for (const p of (await venue.balances()).positions) {
      if (p.quantity <= 0) continue;
      const t = track(
        s,
        {
          clientOrderId: clientOrderIdFor(`${id}:flatten:${p.symbol}`),
          symbol: p.symbol,
          side: "sell",
          quantity: p.quantity,
          type: "market",
          refPrice: s.lastPrice[p.symbol] ?? s.positions[p.symbol]?.avgPrice ?? 1,
          reduceOnly: true,
        },
        id,
        "flatten",
        0,
      );
      await send(s, t, c);
    }
  }

  return {
    name: "executor",
    inputs: ["md.bars", "orders", "ops.commands"],
    init: () => ({
      orders: {},
      doneIds: [],
      fillIds: [],
      fillCursor: 0,
      cash: 0,
      fees: 0,
      positions: {},
      lastPrice: {},
      protection: {},
      halted: false,
      decisionIds: [],
      commandIds: [],
      lastReconcile: 0,
      barsProcessed: 0,
    }),
    async step(
      state: VenueExecutorState,
      msg: AnyEnvelope,
      now: number,
    ): Promise<Step<VenueExecutorState>> {
      const c: Ctx = { out: [], now, corr: msg.corr };
      // Reconcile before acting on anything: the venue may have moved while we were down.
      if (state.lastReconcile === 0) await reconcile(state, c);
      if (msg.type === "bar") await onBar(state, msg.data, c);
      else if (msg.type === "verdict") await onVerdict(state, msg.data, c);
      else if (msg.type === "command") await onCommand(state, msg.id, msg.data, c);
      else throw new Error(`executor: unexpected message type '${msg.type}' (${msg.id})`);
      return { state, out: c.out };
    },
    snapshot: (state) => state,
    restore(snapshot: unknown): VenueExecutorState {
      const parsed = VenueExecutorStateSchema.safeParse(snapshot);
      if (!parsed.success) {
        const i = parsed.error.issues[0];
        throw new Error(`executor: invalid snapshot: ${i?.path.join(".")}: ${i?.message}`);
      }
      return parsed.data as VenueExecutorState;
    },
    describe: (state) => ({
      venue: venue.name,
      cash: state.cash,
      positions: state.positions,
      openOrders: Object.keys(state.orders).sort(),
      halted: state.halted,
      lastReconcile: state.lastReconcile,
    }),
  };
}
