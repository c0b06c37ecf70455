// A Venue over any ccxt exchange (spot). The client order id travels in ccxt's unified
// `clientOrderId` param (Binance: newClientOrderId on create, origClientOrderId on fetch and
// cancel). Quantities and prices go out as the exchange formats them and are refused when
// that formatting would change them.
import type { Exchange, Market as CcxtMarket, Order, Trade } from "ccxt";
import type { OrderType } from "../../../shared/messages/mod.ts";
import { toVenueError } from "./ccxt_errors.ts";
import { requireOnStep } from "./precision.ts";
import {
  type Venue,
  type VenueBalances,
  type VenueCapabilities,
  VenueError,
  type VenueFill,
  type VenueMarket,
  type VenueOrder,
  type VenueOrderRequest,
  type VenueOrderStatus,
} from "./types.ts";

type Market = NonNullable<CcxtMarket>;

// ccxt's precisionMode constants (ccxt/js/src/base/functions/number.js).
const DECIMAL_PLACES = 2;
const TICK_SIZE = 4;

export interface CcxtVenueOptions {
  /** Quote currency whose balance is "cash" (default USDT). */
  readonly quoteCurrency?: string;
  /** Look the client order id up before every submit (default true): Binance only refuses a
   * duplicate id among OPEN orders, so without it a filled order's id could be reused. */
  readonly lookupBeforeSubmit?: boolean;
  /** Page size of fetchMyTrades (default 1000, Binance's maximum). */
  readonly tradesPageLimit?: number;
}

/** Order types ccxt can place natively on this exchange, from its `has` flags. */
export function nativeOrderTypesOf(has: Record<string, unknown>): OrderType[] {
  const types: OrderType[] = ["market", "limit"];
  if (has.createStopMarketOrder === true) types.push("stop_market");
  if (has.createStopLimitOrder === true) types.push("stop_limit");
  if (has.createTakeProfitOrder === true) types.push("take_profit");
  return types;
}

/** The step a ccxt precision value stands for, per the exchange's precisionMode. */
export function stepOf(
  precision: number | undefined | null,
  mode: number | undefined,
): number | null {
  if (precision === undefined || precision === null || !Number.isFinite(precision)) return null;
  if (mode === TICK_SIZE) return precision;
  if (mode === DECIMAL_PLACES) return 10 ** -precision;
  return null; // SIGNIFICANT_DIGITS: no fixed step
}

/** ccxt's unified order status + fill → the venue status of the interface. */
export function statusOf(order: Pick<Order, "status" | "filled">): VenueOrderStatus {
  switch (order.status) {
    case "open":
      return (order.filled ?? 0) > 0 ? "partially_filled" : "submitted";
    case "closed":
      return "filled";
    case "canceled":
    case "cancelled" as Order["status"]:
      return "cancelled";
    case "expired":
      return "expired";
    case "rejected":
      return "rejected";
    default:
      return "submitted";
  }
}

/** Our order type from ccxt's unified type plus the raw venue type (Binance STOP_LOSS_LIMIT…). */
export function orderTypeOf(order: Pick<Order, "type" | "triggerPrice" | "info">): OrderType {
  const raw = String((order.info as Record<string, unknown>)?.type ?? order.type ?? "")
    .toLowerCase();
  if (raw.includes("take_profit")) return "take_profit";
  const triggered = raw.includes("stop") ||
    (order.triggerPrice !== undefined && order.triggerPrice !== null && order.triggerPrice > 0);
  if (triggered) {
    return order.type === "market" || raw === "stop_loss" || raw === "stop_market"
      ? "stop_market"
      : "stop_limit";
  }
  return order.type === "market" ? "market" : "limit";
}

export class CcxtVenue implements Venue {
  readonly name: string;
  readonly capabilities: VenueCapabilities;
  readonly #ex: Exchange;
  readonly #quote: string;
  readonly #lookupFirst: boolean;
  readonly #pageLimit: number;
  #marketsLoaded: Promise<void> | null = null;
  /** venue order id → client order id: trades (Binance myTrades) carry only the former. */
  readonly #clientIds = new Map<string, string>();

  constructor(exchange: Exchange, opts: CcxtVenueOptions = {}) {
    this.#ex = exchange;
    this.name = `ccxt:${exchange.id}`;
    this.#quote = opts.quoteCurrency ?? "USDT";
    this.#lookupFirst = opts.lookupBeforeSubmit ?? true;
    this.#pageLimit = opts.tradesPageLimit ?? 1000;
    const native = nativeOrderTypesOf(exchange.has as Record<string, unknown>);
    this.capabilities = {
      // Some stop orders rest on the venue; nativeOrderTypes says which.
      nativeStops: native.includes("stop_market") || native.includes("stop_limit"),
      nativeBrackets: false,
      marketHours: false,
      nativeOrderTypes: native,
    };
  }

  async #call<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw toVenueError(e, this.#ex.id, operation);
    }
  }

  #loadMarkets(): Promise<void> {
    if (this.#marketsLoaded === null) {
      this.#marketsLoaded = this.#call("loadMarkets", async () => {
        await this.#ex.loadMarkets();
      });
      // A failed load is retried on the next call rather than cached forever.
      this.#marketsLoaded.catch(() => (this.#marketsLoaded = null));
    }
    return this.#marketsLoaded;
  }

  #market(symbol: string): Market {
    const m = this.#ex.markets?.[symbol];
    if (!m) throw new VenueError("invalid", `${this.#ex.id} does not list ${symbol}`);
    return m;
  }

  async markets(symbols: readonly string[]): Promise<VenueMarket[]> {
    await this.#loadMarkets();
    return symbols.map((symbol) => {
      const m = this.#market(symbol);
      const mode = this.#ex.precisionMode;
      const amountStep = stepOf(m.precision?.amount, mode);
      const priceStep = stepOf(m.precision?.price, mode);
      if (amountStep === null || priceStep === null) {
        throw new VenueError(
          "invalid",
          `${this.#ex.id} ${symbol}: no fixed amount/price step (precision mode ${mode})`,
        );
      }
      return {
        symbol,
        amountStep,
        priceStep,
        minQuantity: m.limits?.amount?.min ?? amountStep,
        minNotional: m.limits?.cost?.min ?? 0,
      };
    });
  }

  /** The ccxt createOrder arguments for a request: [type, price, params]. */
  #orderArgs(
    r: VenueOrderRequest,
    price: string | undefined,
    stop: string | undefined,
  ): [string, number | undefined, Record<string, unknown>] {
    const params: Record<string, unknown> = { clientOrderId: r.clientOrderId };
    if (r.reduceOnly) params.reduceOnly = true;
    const p = price === undefined ? undefined : Number(price);
    switch (r.type) {
      case "market":
        return ["market", undefined, params];
      case "limit":
        return ["limit", p, params];
      case "stop_market":
        return ["market", undefined, { ...params, triggerPrice: stop }];
      case "stop_limit":
        return ["limit", p, { ...params, triggerPrice: stop }];
      case "take_profit":
        // A take-profit rests as a limit that arms at its trigger (default: the limit itself).
        return ["limit", p, { ...params, takeProfitPrice: stop ?? price }];
    }
  }

  #validate(r: VenueOrderRequest, m: Market): { amount: string; price?: string; stop?: string } {
    if (r.bracket !== undefined) {
      throw new VenueError(
        "invalid",
        `brackets are not native on ${this.#ex.id}; the executor places and watches the exits`,
      );
    }
    const native = this.capabilities.nativeOrderTypes ?? [];
    if (!native.includes(r.type)) {
      throw new VenueError(
        "invalid",
        `${r.type} orders are not native on ${this.#ex.id}; the executor emulates them`,
      );
    }
    const needsPrice = r.type === "limit" || r.type === "stop_limit" || r.type === "take_profit";
    const needsStop = r.type === "stop_market" || r.type === "stop_limit";
    if (needsPrice && r.limitPrice === undefined) {
      throw new VenueError("invalid", `${r.type} order ${r.clientOrderId} needs a limitPrice`);
    }
    if (needsStop && r.stopPrice === undefined) {
      throw new VenueError("invalid", `${r.type} order ${r.clientOrderId} needs a stopPrice`);
    }
    const mode = this.#ex.precisionMode;
    const fmt = (
      what: string,
      v: number,
      f: (s: string, v: number) => string | undefined,
      step: number | null,
    ) => {
      let wire: string;
      try {
        wire = f(r.symbol, v) ?? "";
      } catch (e) {
        throw toVenueError(e, this.#ex.id, `format ${what}`);
      }
      return requireOnStep(`${r.symbol} ${what}`, v, wire, step);
    };
    const amount = fmt(
      "quantity",
      r.quantity,
      (s, v) => this.#ex.amountToPrecision(s, v),
      stepOf(m.precision?.amount, mode),
    );
    const priceStep = stepOf(m.precision?.price, mode);
    const price = needsPrice
      ? fmt("limitPrice", r.limitPrice!, (s, v) => this.#ex.priceToPrecision(s, v), priceStep)
      : undefined;
    const stop = r.stopPrice !== undefined && r.type !== "market" && r.type !== "limit"
      ? fmt("stopPrice", r.stopPrice, (s, v) => this.#ex.priceToPrecision(s, v), priceStep)
      : undefined;
    const minQty = m.limits?.amount?.min;
    if (minQty !== undefined && r.quantity < minQty) {
      throw new VenueError("invalid", `${r.symbol} quantity ${r.quantity} < minimum ${minQty}`);
    }
    const minCost = m.limits?.cost?.min;
    if (
      minCost !== undefined && r.limitPrice !== undefined && r.quantity * r.limitPrice < minCost
    ) {
      throw new VenueError(
        "invalid",
        `${r.symbol} notional ${r.quantity * r.limitPrice} < minimum ${minCost}`,
      );
    }
    return { amount, price, stop };
  }

  async submit(r: VenueOrderRequest): Promise<VenueOrder> {
    await this.#loadMarkets();
    const m = this.#market(r.symbol);
    const { amount, price, stop } = this.#validate(r, m);
    if (this.#lookupFirst) {
      const existing = await this.fetchOrder(r.clientOrderId, r.symbol);
      if (existing !== null) return existing;
    }
    const [type, p, params] = this.#orderArgs(r, price, stop);
    try {
      const order = await this.#call(
        "createOrder",
        () => this.#ex.createOrder(r.symbol, type, r.side, Number(amount), p, params),
      );
      return this.#toVenueOrder(order, r);
    } catch (e) {
      // An earlier attempt that reached the venue after our lookup: return that order.
      if (e instanceof VenueError && e.kind === "rejected" && /duplicate/i.test(e.message)) {
        const existing = await this.fetchOrder(r.clientOrderId, r.symbol);
        if (existing !== null) return existing;
      }
      throw e;
    }
  }

  async cancel(clientOrderId: string, symbol: string): Promise<VenueOrder> {
    await this.#loadMarkets();
    this.#market(symbol);
    try {
      await this.#call(
        "cancelOrder",
        () => this.#ex.cancelOrder("", symbol, { clientOrderId }),
      );
    } catch (e) {
      // Already filled or cancelled: the venue answers "unknown order"; report its state.
      if (!(e instanceof VenueError && (e.kind === "not_found" || e.kind === "rejected"))) throw e;
      const order = await this.fetchOrder(clientOrderId, symbol);
      if (order === null) throw e;
      return order;
    }
    // The cancel answer lacks fills on some venues: read the order back.
    const order = await this.fetchOrder(clientOrderId, symbol);
    if (order === null) {
      throw new VenueError("not_found", `${this.#ex.id}: order ${clientOrderId} vanished`);
    }
    return order;
  }

  async fetchOrder(clientOrderId: string, symbol: string): Promise<VenueOrder | null> {
    await this.#loadMarkets();
    this.#market(symbol);
    try {
      const order = await this.#call(
        "fetchOrder",
        () => this.#ex.fetchOrder("", symbol, { clientOrderId }),
      );
      return this.#toVenueOrder(order);
    } catch (e) {
      if (e instanceof VenueError && e.kind === "not_found") return null;
      throw e;
    }
  }

  async openOrders(symbol?: string): Promise<VenueOrder[]> {
    await this.#loadMarkets();
    if (symbol !== undefined) this.#market(symbol);
    const orders = await this.#call("fetchOpenOrders", () => this.#ex.fetchOpenOrders(symbol));
    return orders.map((o) => this.#toVenueOrder(o));
  }

  async fills(since: number, symbols: readonly string[]): Promise<VenueFill[]> {
    await this.#loadMarkets();
    const out: VenueFill[] = [];
    for (const symbol of symbols) {
      this.#market(symbol);
      const seen = new Set<string>();
      let cursor = since;
      // Page forward by time; trades sharing the boundary millisecond come back again and are
      // dropped by id. Stops when a page adds nothing new.
      for (let page = 0; page < 1000; page++) {
        const trades = await this.#call(
          "fetchMyTrades",
          () => this.#ex.fetchMyTrades(symbol, cursor, this.#pageLimit),
        );
        await this.#resolveClientIds(trades, symbol);
        let added = 0;
        for (const t of trades) {
          if (t.id === undefined || seen.has(String(t.id)) || (t.timestamp ?? 0) < since) continue;
          seen.add(String(t.id));
          out.push(this.#toFill(t, symbol));
          added++;
          cursor = Math.max(cursor, t.timestamp ?? cursor);
        }
        if (added === 0 || trades.length < this.#pageLimit) break;
      }
    }
    return out.sort((a, b) => a.time - b.time || a.tradeId.localeCompare(b.tradeId));
  }

  /** Reads the orders behind trades whose client id is not known yet. */
  async #resolveClientIds(trades: readonly Trade[], symbol: string): Promise<void> {
    const unknown = new Set<string>();
    for (const t of trades) {
      const id = String(t.order ?? "");
      const inline = (t.info as Record<string, unknown> | undefined)?.clientOrderId;
      if (id !== "" && inline === undefined && !this.#clientIds.has(id)) unknown.add(id);
    }
    for (const id of unknown) {
      const o = await this.#call("fetchOrder", () => this.#ex.fetchOrder(id, symbol));
      if (o.clientOrderId) this.#clientIds.set(id, o.clientOrderId);
    }
  }

  async balances(): Promise<VenueBalances> {
    await this.#loadMarkets();
    const b = await this.#call("fetchBalance", () => this.#ex.fetchBalance());
    const totals = (b.total ?? {}) as unknown as Record<string, number | undefined>;
    const positions: VenueBalances["positions"] = [];
    for (const [asset, total] of Object.entries(totals)) {
      if (asset === this.#quote || !total) continue;
      const symbol = `${asset}/${this.#quote}`;
      // Only assets tradable against the quote currency are positions the executor can act on.
      if (this.#ex.markets?.[symbol]) positions.push({ symbol, quantity: total });
    }
    positions.sort((a, b) => a.symbol.localeCompare(b.symbol));
    return { cash: totals[this.#quote] ?? 0, positions };
  }

  acceptsOrders(_now: number, _type: OrderType): Promise<boolean> {
    return Promise.resolve(true); // crypto spot trades around the clock
  }

  close(): Promise<void> {
    return Promise.resolve((this.#ex as { close?: () => Promise<void> }).close?.()).then(() => {});
  }

  #toVenueOrder(o: Order, request?: VenueOrderRequest): VenueOrder {
    const clientOrderId = o.clientOrderId ?? request?.clientOrderId;
    if (!clientOrderId) {
      throw new VenueError("server", `${this.#ex.id}: order ${o.id} came back without a client id`);
    }
    this.#clientIds.set(String(o.id), clientOrderId);
    const filled = o.filled ?? 0;
    const status = statusOf(o);
    const info = o.info as Record<string, unknown> | undefined;
    return {
      clientOrderId,
      venueOrderId: String(o.id),
      symbol: o.symbol ?? request?.symbol ?? "",
      side: (o.side ?? request?.side) as "buy" | "sell",
      type: request?.type ?? orderTypeOf(o),
      quantity: o.amount ?? request?.quantity ?? 0,
      filledQuantity: filled,
      averagePrice: filled > 0 ? (o.average ?? (o.cost && filled ? o.cost / filled : null)) : null,
      status,
      reason: status === "rejected" || status === "expired"
        ? String(info?.rejectReason ?? info?.status ?? o.status)
        : null,
      updatedAt: o.lastUpdateTimestamp ?? o.lastTradeTimestamp ?? o.timestamp ?? Date.now(),
    };
  }

  #toFill(t: Trade, symbol: string): VenueFill {
    const info = t.info as Record<string, unknown> | undefined;
    const feeCost = t.fee?.cost ?? 0;
    const feeCurrency = t.fee?.currency;
    // Fees charged in the base asset (Binance BUY without BNB) are converted at the fill price.
    // A fee in a third currency (BNB) has no price here: it is left out (reported as 0).
    const fee = feeCurrency === undefined || feeCurrency === this.#quote
      ? feeCost
      : feeCurrency === symbol.split("/")[0]
      ? feeCost * (t.price ?? 0)
      : 0;
    const venueOrderId = String(t.order ?? "");
    return {
      tradeId: String(t.id),
      clientOrderId: String(
        info?.clientOrderId ?? this.#clientIds.get(venueOrderId) ?? "",
      ),
      venueOrderId,
      symbol,
      side: t.side as "buy" | "sell",
      quantity: t.amount ?? 0,
      price: t.price ?? 0,
      fee,
      time: t.timestamp ?? 0,
    };
  }
}
