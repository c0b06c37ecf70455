// A Venue over Alpaca's Trading API v2 (US stocks and ETFs) with fetch.
//
// Market hours: an order is sent only when acceptsOrders says so. In the regular session
// (local NYSE calendar AND Alpaca's /v2/clock is_open, which knows early closes) every type
// goes. In pre-market and after-hours only limit orders go, as Alpaca requires: DAY with
// extended_hours=true. Otherwise nothing is sent: Alpaca would queue a market order for the
// open, but a decision taken on a bar close must not execute at an unknown opening price
// hours later, so submit fails with "market_closed" and the executor decides again.
//
// Quantities are whole shares (fractional orders are restricted to market/day on Alpaca).
// Prices: cents at or above $1, 1/100 cent below (Alpaca's sub-penny rule).
import type { OrderType } from "../../../shared/messages/mod.ts";
import { createVenueFetch } from "./http_fetch.ts";
import { nyseSession, type Session } from "./nyse_calendar.ts";
import { formatOnStep } from "./precision.ts";
import { parseRetryAfter } from "./ccxt_errors.ts";
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

export interface AlpacaVenueOptions {
  /** https://paper-api.alpaca.markets (paper) or https://api.alpaca.markets (live). */
  readonly baseUrl: string;
  readonly keyId: string;
  readonly secretKey: string;
  /** Per-request timeout (default 10 s). */
  readonly timeoutMs?: number;
  /** Wall clock for submit's market-hours check (default Date.now). */
  readonly now?: () => number;
  /** How long a /v2/clock answer is reused (default 15 s). */
  readonly clockTtlMs?: number;
}

/** Alpaca's order JSON (the fields read here). */
export interface AlpacaOrder {
  id: string;
  client_order_id: string;
  symbol: string;
  side: "buy" | "sell";
  type: string;
  qty: string | null;
  filled_qty: string;
  filled_avg_price: string | null;
  limit_price: string | null;
  stop_price: string | null;
  status: string;
  updated_at: string | null;
  created_at: string;
}

interface AlpacaClock {
  is_open: boolean;
}

interface AlpacaFillActivity {
  id: string;
  transaction_time: string;
  price: string;
  qty: string;
  side: string;
  symbol: string;
  order_id: string;
}

const OPEN_STATUSES = new Set([
  "new",
  "accepted",
  "pending_new",
  "accepted_for_bidding",
  "pending_cancel",
  "pending_replace",
  "replaced",
  "held",
  "calculated",
  "stopped",
  "done_for_day",
  "suspended",
]);

export function alpacaStatus(o: Pick<AlpacaOrder, "status" | "filled_qty">): VenueOrderStatus {
  const filled = Number(o.filled_qty ?? 0) > 0;
  switch (o.status) {
    case "filled":
      return "filled";
    case "partially_filled":
      return "partially_filled";
    case "canceled":
      return "cancelled";
    case "expired":
      return "expired";
    case "rejected":
      return "rejected";
    default:
      return OPEN_STATUSES.has(o.status) && filled ? "partially_filled" : "submitted";
  }
}

export function alpacaOrderType(o: Pick<AlpacaOrder, "type">, asked?: OrderType): OrderType {
  // A take-profit is sent as a limit; the request says which it was when we have it.
  if (asked !== undefined) return asked;
  switch (o.type) {
    case "market":
      return "market";
    case "stop":
      return "stop_market";
    case "stop_limit":
      return "stop_limit";
    default:
      return "limit";
  }
}

/** Price step by Alpaca's sub-penny rule. */
export const alpacaPriceStep = (price: number): number => (price >= 1 ? 0.01 : 0.0001);

/** Whether an order of `type` may be sent in `session` given the venue clock's is_open. */
export function sessionAccepts(session: Session, clockOpen: boolean, type: OrderType): boolean {
  if (session === "regular") return clockOpen;
  if (session === "pre" || session === "post") return type === "limit";
  return false;
}

export class AlpacaVenue implements Venue {
  readonly name = "alpaca";
  readonly capabilities: VenueCapabilities = {
    nativeStops: true,
    nativeBrackets: true,
    marketHours: true,
    nativeOrderTypes: ["market", "limit", "stop_market", "stop_limit", "take_profit"],
  };
  readonly #base: string;
  readonly #headers: Record<string, string>;
  readonly #timeoutMs: number;
  readonly #now: () => number;
  readonly #clockTtl: number;
  readonly #http = createVenueFetch();
  #clock: { at: number; open: boolean } | null = null;
  /** Alpaca order id → client order id (fill activities carry only the former). */
  readonly #clientIds = new Map<string, string>();

  constructor(opts: AlpacaVenueOptions) {
    if (!opts.keyId || !opts.secretKey) {
      throw new Error("AlpacaVenue: ALPACA_API_KEY and ALPACA_API_SECRET are required");
    }
    this.#base = new URL(opts.baseUrl).origin;
    this.#headers = {
      "APCA-API-KEY-ID": opts.keyId,
      "APCA-API-SECRET-KEY": opts.secretKey,
    };
    this.#timeoutMs = opts.timeoutMs ?? 10_000;
    this.#now = opts.now ?? Date.now;
    this.#clockTtl = opts.clockTtlMs ?? 15_000;
  }

  async #request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const what = `alpaca ${method} ${path.split("?")[0]}`;
    let res: Response;
    try {
      res = await this.#http.fetch(this.#base + path, {
        method,
        headers: {
          ...this.#headers,
          ...(body !== undefined ? { "Content-Type": "application/json" } : {}),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch (e) {
      const name = (e as Error)?.name;
      if (name === "TimeoutError" || name === "AbortError") {
        throw new VenueError("timeout", `${what}: no answer within ${this.#timeoutMs} ms`);
      }
      throw new VenueError("network", `${what}: ${(e as Error)?.message ?? String(e)}`);
    }
    let text: string;
    try {
      text = await res.text();
    } catch (e) {
      throw new VenueError("network", `${what}: answer cut off: ${(e as Error).message}`);
    }
    if (res.ok) {
      if (text === "") return undefined as T;
      try {
        return JSON.parse(text) as T;
      } catch {
        throw new VenueError("server", `${what}: answer is not JSON: ${text.slice(0, 200)}`);
      }
    }
    let message = text.slice(0, 300);
    try {
      const j = JSON.parse(text) as { message?: unknown; code?: unknown };
      if (typeof j.message === "string") {
        message = j.code !== undefined ? `${j.message} (code ${j.code})` : j.message;
      }
    } catch { /* keep the raw text */ }
    const s = res.status;
    const kind = s === 429
      ? "rate_limited"
      : s >= 500
      ? "server"
      : s === 408
      ? "timeout"
      : s === 401
      ? "auth"
      : s === 404
      ? "not_found"
      : "rejected"; // 400, 403 (buying power, qty), 422 (invalid / not cancelable)
    throw new VenueError(
      kind,
      `${what}: HTTP ${s}: ${message}`,
      s === 429 ? parseRetryAfter(res.headers.get("retry-after")) : null,
    );
  }

  async markets(symbols: readonly string[]): Promise<VenueMarket[]> {
    const out: VenueMarket[] = [];
    for (const symbol of symbols) {
      let asset: { tradable?: boolean; status?: string };
      try {
        asset = await this.#request("GET", `/v2/assets/${encodeURIComponent(symbol)}`);
      } catch (e) {
        if (e instanceof VenueError && e.kind === "not_found") {
          throw new VenueError("invalid", `alpaca does not list ${symbol}`);
        }
        throw e;
      }
      if (asset.tradable !== true) {
        throw new VenueError("invalid", `alpaca: ${symbol} is not tradable (${asset.status})`);
      }
      out.push({ symbol, amountStep: 1, priceStep: 0.01, minQuantity: 1, minNotional: 0 });
    }
    return out;
  }

  async #clockOpen(): Promise<boolean> {
    const t = Date.now();
    if (this.#clock === null || t - this.#clock.at > this.#clockTtl) {
      const c = await this.#request<AlpacaClock>("GET", "/v2/clock");
      this.#clock = { at: t, open: c.is_open === true };
    }
    return this.#clock.open;
  }

  async acceptsOrders(now: number, type: OrderType): Promise<boolean> {
    const session = nyseSession(now);
    if (session === "closed") return false;
    // The venue's clock is asked only when it decides (regular session: early closes,
    // unscheduled halts of the whole market).
    return sessionAccepts(session, session === "regular" ? await this.#clockOpen() : false, type);
  }

  #body(r: VenueOrderRequest, session: Session): Record<string, unknown> {
    const priceStr = (what: string, p: number) => formatOnStep(what, p, alpacaPriceStep(p));
    const body: Record<string, unknown> = {
      symbol: r.symbol,
      qty: formatOnStep(`${r.symbol} quantity`, r.quantity, 1),
      side: r.side,
      client_order_id: r.clientOrderId,
      time_in_force: "gtc",
    };
    const need = (v: number | undefined, what: string): number => {
      if (v === undefined) throw new VenueError("invalid", `${r.type} order needs ${what}`);
      return v;
    };
    switch (r.type) {
      case "market":
        Object.assign(body, { type: "market", time_in_force: "day" });
        break;
      case "limit":
      case "take_profit": // a resting limit at the take-profit level
        Object.assign(body, {
          type: "limit",
          limit_price: priceStr(`${r.symbol} limitPrice`, need(r.limitPrice, "a limitPrice")),
        });
        break;
      case "stop_market":
        Object.assign(body, {
          type: "stop",
          stop_price: priceStr(`${r.symbol} stopPrice`, need(r.stopPrice, "a stopPrice")),
        });
        break;
      case "stop_limit":
        Object.assign(body, {
          type: "stop_limit",
          stop_price: priceStr(`${r.symbol} stopPrice`, need(r.stopPrice, "a stopPrice")),
          limit_price: priceStr(`${r.symbol} limitPrice`, need(r.limitPrice, "a limitPrice")),
        });
        break;
    }
    if (session === "pre" || session === "post") {
      Object.assign(body, { extended_hours: true, time_in_force: "day" });
    }
    const b = r.bracket;
    if (b && (b.stopLoss !== null || b.takeProfit !== null)) {
      if (r.type !== "market" && r.type !== "limit") {
        throw new VenueError("invalid", `alpaca brackets need a market or limit entry`);
      }
      body.order_class = b.stopLoss !== null && b.takeProfit !== null ? "bracket" : "oto";
      if (b.takeProfit !== null) {
        body.take_profit = { limit_price: priceStr(`${r.symbol} takeProfit`, b.takeProfit) };
      }
      if (b.stopLoss !== null) {
        body.stop_loss = { stop_price: priceStr(`${r.symbol} stopLoss`, b.stopLoss) };
      }
      if (body.time_in_force === "gtc" && r.type === "market") body.time_in_force = "day";
    }
    return body;
  }

  async submit(r: VenueOrderRequest): Promise<VenueOrder> {
    const now = this.#now();
    const session = nyseSession(now);
    // Formatting first: an off-step order is refused even when the market is closed.
    this.#body(r, session);
    if (!(await this.acceptsOrders(now, r.type))) {
      throw new VenueError(
        "market_closed",
        `alpaca: ${r.type} order ${r.clientOrderId} not sent, NYSE is ${
          session === "regular" ? "closed today (venue clock)" : session
        } at ${new Date(now).toISOString()}`,
      );
    }
    try {
      const o = await this.#request<AlpacaOrder>("POST", "/v2/orders", this.#body(r, session));
      return this.#toVenueOrder(o, r.type);
    } catch (e) {
      // Alpaca keeps client ids unique forever: a duplicate means an earlier attempt landed.
      if (e instanceof VenueError && e.kind === "rejected" && /must be unique/.test(e.message)) {
        const existing = await this.fetchOrder(r.clientOrderId, r.symbol);
        if (existing !== null) return existing;
      }
      throw e;
    }
  }

  async #byClientId(clientOrderId: string): Promise<AlpacaOrder | null> {
    try {
      return await this.#request<AlpacaOrder>(
        "GET",
        `/v2/orders:by_client_order_id?client_order_id=${encodeURIComponent(clientOrderId)}`,
      );
    } catch (e) {
      if (e instanceof VenueError && e.kind === "not_found") return null;
      throw e;
    }
  }

  async fetchOrder(clientOrderId: string, _symbol: string): Promise<VenueOrder | null> {
    const o = await this.#byClientId(clientOrderId);
    return o === null ? null : this.#toVenueOrder(o);
  }

  async cancel(clientOrderId: string, _symbol: string): Promise<VenueOrder> {
    const o = await this.#byClientId(clientOrderId);
    if (o === null) {
      throw new VenueError("not_found", `alpaca: no order with client id ${clientOrderId}`);
    }
    try {
      await this.#request("DELETE", `/v2/orders/${encodeURIComponent(o.id)}`);
    } catch (e) {
      // 422 "order is not cancelable": already filled or cancelled; report its state.
      if (!(e instanceof VenueError && e.kind === "rejected")) throw e;
    }
    // Alpaca cancels asynchronously: the state read back may still be pending_cancel
    // ("submitted"); reconciliation picks up the final state.
    const after = await this.#byClientId(clientOrderId);
    return this.#toVenueOrder(after ?? o);
  }

  async openOrders(symbol?: string): Promise<VenueOrder[]> {
    const q = new URLSearchParams({ status: "open", limit: "500", direction: "asc" });
    if (symbol !== undefined) q.set("symbols", symbol);
    const list = await this.#request<AlpacaOrder[]>("GET", `/v2/orders?${q}`);
    return list.map((o) => this.#toVenueOrder(o));
  }

  async fills(since: number, symbols: readonly string[]): Promise<VenueFill[]> {
    const wanted = new Set(symbols);
    const out: VenueFill[] = [];
    let token: string | null = null;
    for (let page = 0; page < 10_000; page++) {
      const q = new URLSearchParams({
        direction: "asc",
        page_size: "100",
        after: new Date(since - 1).toISOString(), // "after" is exclusive
      });
      if (token !== null) q.set("page_token", token);
      const acts = await this.#request<AlpacaFillActivity[]>(
        "GET",
        `/v2/account/activities/FILL?${q}`,
      );
      for (const a of acts) {
        const time = Date.parse(a.transaction_time);
        if (!wanted.has(a.symbol) || time < since) continue;
        out.push({
          tradeId: a.id,
          clientOrderId: await this.#clientIdOf(a.order_id),
          venueOrderId: a.order_id,
          symbol: a.symbol,
          side: a.side === "buy" ? "buy" : "sell",
          quantity: Number(a.qty),
          price: Number(a.price),
          fee: 0, // commission-free; regulatory fees are separate activities
          time,
        });
      }
      if (acts.length < 100) break;
      token = acts[acts.length - 1].id;
    }
    return out;
  }

  async #clientIdOf(orderId: string): Promise<string> {
    const known = this.#clientIds.get(orderId);
    if (known !== undefined) return known;
    const o = await this.#request<AlpacaOrder>("GET", `/v2/orders/${encodeURIComponent(orderId)}`);
    this.#clientIds.set(orderId, o.client_order_id);
    return o.client_order_id;
  }

  async balances(): Promise<VenueBalances> {
    const account = await this.#request<{ cash: string }>("GET", "/v2/account");
    const positions = await this.#request<{ symbol: string; qty: string }[]>(
      "GET",
      "/v2/positions",
    );
    return {
      cash: Number(account.cash),
      positions: positions.map((p) => ({ symbol: p.symbol, quantity: Number(p.qty) }))
        .filter((p) => p.quantity !== 0)
        .sort((a, b) => a.symbol.localeCompare(b.symbol)),
    };
  }

  close(): Promise<void> {
    this.#http.close();
    return Promise.resolve();
  }

  #toVenueOrder(o: AlpacaOrder, asked?: OrderType): VenueOrder {
    this.#clientIds.set(o.id, o.client_order_id);
    const filled = Number(o.filled_qty ?? 0);
    const status = alpacaStatus(o);
    return {
      clientOrderId: o.client_order_id,
      venueOrderId: o.id,
      symbol: o.symbol,
      side: o.side,
      type: alpacaOrderType(o, asked),
      quantity: Number(o.qty ?? 0),
      filledQuantity: filled,
      averagePrice: filled > 0 && o.filled_avg_price !== null ? Number(o.filled_avg_price) : null,
      status,
      reason: status === "rejected" || status === "expired" ? o.status : null,
      updatedAt: Date.parse(o.updated_at ?? o.created_at),
    };
  }
}
