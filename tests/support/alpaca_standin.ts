// A stand-in of Alpaca's Trading API v2 on 127.0.0.1: orders (POST, GET list, GET by id,
// GET :by_client_order_id, DELETE), positions, account, clock (settable open/closed), assets,
// and account activities of type FILL, with Alpaca's JSON shapes, its key headers
// (APCA-API-KEY-ID / APCA-API-SECRET-KEY) and its {code,message} errors. Like Alpaca, it
// accepts a market order while closed and fills it at the open; the venue is expected not to
// send one. Matching: market at the set price (limited by a settable liquidity per pass),
// limit / stop / stop_limit rest and match on price moves, bracket/oto legs become active
// when the parent fills and cancel each other (OCO).
import { fmt as fmt8, toUnits } from "./binance_standin.ts";
import {
  type Fault,
  formParams,
  type LoggedRequest,
  type StandinRequest,
  type StandinResponse,
  startStandinServer,
} from "./standin_http.ts";

const SCALE = 100_000_000n;
const ZERO = 0n;
const mul = (a: bigint, b: bigint) => (a * b) / SCALE;
const div = (a: bigint, b: bigint) => (a * SCALE) / b;
const min = (a: bigint, b: bigint) => (a < b ? a : b);
/** Alpaca writes decimals without trailing zeros: "190.5", "1". */
const num = (u: bigint) => fmt8(u).replace(/\.?0+$/, "");

class AlpacaError extends Error {
  constructor(readonly status: number, readonly code: number, message: string) {
    super(message);
  }
}

type Status =
  | "accepted"
  | "new"
  | "held"
  | "partially_filled"
  | "filled"
  | "canceled"
  | "expired"
  | "rejected";
type AType = "market" | "limit" | "stop" | "stop_limit";

export interface AlpacaStandinOrder {
  id: string;
  client_order_id: string;
  symbol: string;
  side: "buy" | "sell";
  type: AType;
  time_in_force: string;
  order_class: "" | "simple" | "bracket" | "oco" | "oto";
  qty: bigint;
  filled_qty: bigint;
  filled_value: bigint;
  limit_price: bigint | null;
  stop_price: bigint | null;
  extended_hours: boolean;
  status: Status;
  triggered: boolean;
  created_at: string;
  updated_at: string;
  filled_at: string | null;
  canceled_at: string | null;
  legs: AlpacaStandinOrder[];
  parent: AlpacaStandinOrder | null;
}

export interface AlpacaStandinOptions {
  readonly keyId?: string;
  readonly secretKey?: string;
  readonly cash?: string;
  readonly assets?: readonly string[];
}

export interface AlpacaStandin {
  readonly baseUrl: string;
  readonly keyId: string;
  readonly secretKey: string;
  readonly log: LoggedRequest[];
  readonly orders: AlpacaStandinOrder[];
  /** What /v2/clock answers. */
  setClock(clock: { isOpen: boolean; nextOpen?: string; nextClose?: string }): void;
  setPrice(symbol: string, price: string): void;
  setLiquidity(symbol: string, qty: string | null): void;
  inject(method: string, path: string, fault: Fault, times?: number): void;
  count(method: string, path: string): number;
  rejectNextOrder(status: number, code: number, message: string): void;
  close(): Promise<void>;
}

const FAULT_BODY = (status: number) =>
  status === 429
    ? { code: 42910000, message: "rate limit exceeded" }
    : { code: 50010000, message: "internal server error occurred" };

export async function startAlpacaStandin(opts: AlpacaStandinOptions = {}): Promise<AlpacaStandin> {
  const keyId = opts.keyId ?? "PKSTANDIN" + crypto.randomUUID().slice(0, 8).toUpperCase();
  const secretKey = opts.secretKey ?? "standin-secret-" + crypto.randomUUID();
  const assets = new Set(opts.assets ?? ["AAPL", "MSFT", "SPY"]);
  let cash = toUnits(opts.cash ?? "100000");
  const positions = new Map<string, { qty: bigint; cost: bigint }>();
  const prices = new Map<string, bigint>();
  const liquidity = new Map<string, bigint | null>();
  const orders: AlpacaStandinOrder[] = [];
  const activities: Record<string, string>[] = [];
  const rejections: AlpacaError[] = [];
  let clock = { isOpen: true, nextOpen: "", nextClose: "" };
  const iso = () => new Date().toISOString();

  const isOpen = (o: AlpacaStandinOrder) =>
    o.status === "new" || o.status === "accepted" || o.status === "partially_filled" ||
    o.status === "held";

  function fill(o: AlpacaStandinOrder, price: bigint): void {
    const room = liquidity.get(o.symbol) ?? null;
    const left = o.qty - o.filled_qty;
    const qty = room === null ? left : min(room, left);
    if (qty <= ZERO) return;
    const value = mul(qty, price);
    const pos = positions.get(o.symbol) ?? { qty: ZERO, cost: ZERO };
    if (o.side === "buy") {
      cash -= value;
      pos.qty += qty;
      pos.cost += value;
    } else {
      cash += value;
      pos.cost = pos.qty === ZERO ? ZERO : pos.cost - mul(pos.cost, div(qty, pos.qty));
      pos.qty -= qty;
    }
    positions.set(o.symbol, pos);
    o.filled_qty += qty;
    o.filled_value += value;
    o.status = o.filled_qty === o.qty ? "filled" : "partially_filled";
    o.updated_at = iso();
    if (o.status === "filled") o.filled_at = o.updated_at;
    const t = new Date();
    activities.push({
      id: `${t.toISOString().replace(/\D/g, "").slice(0, 17)}::${crypto.randomUUID()}`,
      activity_type: "FILL",
      transaction_time: t.toISOString(),
      type: o.status === "filled" ? "fill" : "partial_fill",
      price: num(price),
      qty: num(qty),
      side: o.side,
      symbol: o.symbol,
      leaves_qty: num(o.qty - o.filled_qty),
      order_id: o.id,
      cum_qty: num(o.filled_qty),
      order_status: o.status,
    });
    if (o.status === "filled") {
      for (const leg of o.legs) if (leg.status === "held") leg.status = "new";
      // OCO: the sibling exit is cancelled once one exit filled.
      if (o.parent) {
        for (const sib of o.parent.legs) {
          if (sib !== o && isOpen(sib)) cancelOrder(sib);
        }
      }
    }
  }

  function triggers(o: AlpacaStandinOrder, p: bigint): boolean {
    return o.side === "buy" ? p >= o.stop_price! : p <= o.stop_price!;
  }

  function matchOrder(o: AlpacaStandinOrder, isNew: boolean): void {
    const p = prices.get(o.symbol);
    if (p === undefined || !isOpen(o) || o.status === "held") return;
    if (!clock.isOpen && !(o.extended_hours && o.type === "limit")) return;
    if ((o.type === "stop" || o.type === "stop_limit") && !o.triggered) {
      if (!triggers(o, p)) return;
      o.triggered = true;
    }
    if (o.type === "market" || o.type === "stop") return fill(o, p);
    const marketable = o.side === "buy" ? p <= o.limit_price! : p >= o.limit_price!;
    if (marketable) fill(o, isNew ? p : o.limit_price!);
  }

  function cancelOrder(o: AlpacaStandinOrder): void {
    o.status = "canceled";
    o.canceled_at = o.updated_at = iso();
    for (const leg of o.legs) if (isOpen(leg)) cancelOrder(leg);
  }

  function price(field: string, v: unknown): bigint {
    if (typeof v !== "string" && typeof v !== "number") {
      throw new AlpacaError(422, 40010001, `${field} is required`);
    }
    let u: bigint;
    try {
      u = toUnits(String(v));
    } catch {
      throw new AlpacaError(422, 40010001, `invalid ${field}`);
    }
    // Sub-penny rule: at most 2 decimals at or above $1, 4 below.
    const step = u >= SCALE ? 1_000_000n : 10_000n;
    if (u <= ZERO || u % step !== ZERO) {
      throw new AlpacaError(
        422,
        42210000,
        `invalid ${field} ${v}. sub-penny increment does not fulfill minimum pricing criteria`,
      );
    }
    return u;
  }

  function newOrder(
    b: Record<string, unknown>,
    parent: AlpacaStandinOrder | null,
  ): AlpacaStandinOrder {
    const t = iso();
    return {
      id: crypto.randomUUID(),
      client_order_id: typeof b.client_order_id === "string"
        ? b.client_order_id
        : crypto.randomUUID(),
      symbol: String(b.symbol),
      side: b.side as "buy" | "sell",
      type: b.type as AType,
      time_in_force: String(b.time_in_force ?? "day"),
      order_class: (b.order_class ?? "") as AlpacaStandinOrder["order_class"],
      qty: b.qty as bigint,
      filled_qty: ZERO,
      filled_value: ZERO,
      limit_price: (b.limit_price ?? null) as bigint | null,
      stop_price: (b.stop_price ?? null) as bigint | null,
      extended_hours: b.extended_hours === true,
      status: parent ? "held" : "accepted",
      triggered: false,
      created_at: t,
      updated_at: t,
      filled_at: null,
      canceled_at: null,
      legs: [],
      parent,
    };
  }

  function placeOrder(body: Record<string, unknown>): AlpacaStandinOrder {
    const rejection = rejections.shift();
    if (rejection) throw rejection;
    const symbol = String(body.symbol ?? "");
    if (!assets.has(symbol)) throw new AlpacaError(422, 40010001, `asset "${symbol}" not found`);
    if (body.side !== "buy" && body.side !== "sell") {
      throw new AlpacaError(422, 40010001, "invalid side");
    }
    const type = body.type as AType;
    if (!["market", "limit", "stop", "stop_limit"].includes(type)) {
      throw new AlpacaError(422, 40010001, `invalid order type ${String(body.type)}`);
    }
    if (!["day", "gtc", "opg", "cls", "ioc", "fok"].includes(String(body.time_in_force))) {
      throw new AlpacaError(422, 40010001, "invalid time_in_force");
    }
    let qty: bigint;
    try {
      qty = toUnits(String(body.qty));
    } catch {
      throw new AlpacaError(422, 40010001, "qty must be > 0");
    }
    if (qty <= ZERO) throw new AlpacaError(422, 40010001, "qty must be > 0");
    if (qty % SCALE !== ZERO) {
      throw new AlpacaError(422, 40010001, "fractional orders must be market or day orders");
    }
    const cid = body.client_order_id;
    if (typeof cid === "string" && orders.some((o) => o.client_order_id === cid)) {
      throw new AlpacaError(422, 40010001, "client_order_id must be unique");
    }
    const limit = type === "limit" || type === "stop_limit"
      ? price("limit_price", body.limit_price)
      : null;
    const stop = type === "stop" || type === "stop_limit"
      ? price("stop_price", body.stop_price)
      : null;
    if (body.extended_hours === true && !(type === "limit" && body.time_in_force === "day")) {
      throw new AlpacaError(
        422,
        42210000,
        "extended hours order must be DAY limit orders",
      );
    }
    const ref = limit ?? prices.get(symbol);
    if (body.side === "buy" && ref !== undefined && mul(qty, ref) > cash) {
      throw new AlpacaError(403, 40310000, "insufficient buying power");
    }
    const held = positions.get(symbol)?.qty ?? ZERO;
    const cls = String(body.order_class ?? "simple");
    if (body.side === "sell" && cls !== "bracket" && qty > held) {
      throw new AlpacaError(
        403,
        40310000,
        `insufficient qty available for order (requested: ${num(qty)}, available: ${num(held)})`,
      );
    }
    const o = newOrder({ ...body, qty, limit_price: limit, stop_price: stop }, null);
    if (cls === "bracket" || cls === "oto") {
      const exitSide = body.side === "buy" ? "sell" : "buy";
      const tp = body.take_profit as { limit_price?: unknown } | undefined;
      const sl = body.stop_loss as { stop_price?: unknown } | undefined;
      if (cls === "bracket" && (!tp || !sl)) {
        throw new AlpacaError(422, 40010001, "bracket orders require take_profit and stop_loss");
      }
      if (tp) {
        o.legs.push(newOrder({
          symbol,
          side: exitSide,
          type: "limit",
          time_in_force: o.time_in_force,
          qty,
          limit_price: price("take_profit.limit_price", tp.limit_price),
          order_class: cls,
        }, o));
      }
      if (sl) {
        o.legs.push(newOrder({
          symbol,
          side: exitSide,
          type: "stop",
          time_in_force: o.time_in_force,
          qty,
          stop_price: price("stop_loss.stop_price", sl.stop_price),
          order_class: cls,
        }, o));
      }
    }
    orders.push(o, ...o.legs);
    o.status = "new";
    matchOrder(o, true);
    return o;
  }

  const orderJson = (o: AlpacaStandinOrder): Record<string, unknown> => ({
    id: o.id,
    client_order_id: o.client_order_id,
    created_at: o.created_at,
    updated_at: o.updated_at,
    submitted_at: o.created_at,
    filled_at: o.filled_at,
    expired_at: null,
    canceled_at: o.canceled_at,
    failed_at: null,
    replaced_at: null,
    replaced_by: null,
    replaces: null,
    asset_id: "b0b6dd9d-8b9b-48a9-ba46-b9d54906e415",
    symbol: o.symbol,
    asset_class: "us_equity",
    notional: null,
    qty: num(o.qty),
    filled_qty: num(o.filled_qty),
    filled_avg_price: o.filled_qty > ZERO ? num(div(o.filled_value, o.filled_qty)) : null,
    order_class: o.order_class,
    order_type: o.type,
    type: o.type,
    side: o.side,
    position_intent: o.side === "buy" ? "buy_to_open" : "sell_to_close",
    time_in_force: o.time_in_force,
    limit_price: o.limit_price === null ? null : num(o.limit_price),
    stop_price: o.stop_price === null ? null : num(o.stop_price),
    status: o.status,
    extended_hours: o.extended_hours,
    legs: o.legs.length > 0 ? o.legs.map(orderJson) : null,
    trail_percent: null,
    trail_price: null,
    hwm: null,
    subtag: null,
    source: null,
    expires_at: null,
  });

  function authenticate(req: StandinRequest): void {
    const id = req.headers["apca-api-key-id"];
    const secret = req.headers["apca-api-secret-key"];
    if (id !== keyId || secret !== secretKey) {
      throw new AlpacaError(401, 40110000, "request is not authorized");
    }
  }

  function findBy(pred: (o: AlpacaStandinOrder) => boolean, what: string): AlpacaStandinOrder {
    const o = orders.find(pred);
    if (!o) throw new AlpacaError(404, 40410000, `order not found for ${what}`);
    return o;
  }

  function route(req: StandinRequest): StandinResponse {
    authenticate(req);
    const q = formParams(req.query);
    const ok = (body: unknown, status = 200): StandinResponse => ({ status, body });
    const path = req.path;
    if (req.method === "GET" && path === "/v2/clock") {
      return ok({
        timestamp: iso(),
        is_open: clock.isOpen,
        next_open: clock.nextOpen,
        next_close: clock.nextClose,
      });
    }
    if (req.method === "GET" && path === "/v2/account") {
      let longValue = ZERO;
      for (const [s, p] of positions) longValue += mul(p.qty, prices.get(s) ?? ZERO);
      return ok({
        id: "904837e3-3b76-47ec-b432-046db621571b",
        account_number: "PA3STANDIN",
        status: "ACTIVE",
        crypto_status: "ACTIVE",
        currency: "USD",
        cash: num(cash),
        buying_power: num(cash),
        regt_buying_power: num(cash),
        non_marginable_buying_power: num(cash),
        portfolio_value: num(cash + longValue),
        equity: num(cash + longValue),
        last_equity: num(cash + longValue),
        long_market_value: num(longValue),
        short_market_value: "0",
        initial_margin: "0",
        maintenance_margin: "0",
        multiplier: "1",
        pattern_day_trader: false,
        trading_blocked: false,
        transfers_blocked: false,
        account_blocked: false,
        shorting_enabled: false,
        daytrade_count: 0,
        created_at: "2024-01-02T15:00:00Z",
      });
    }
    if (req.method === "GET" && path === "/v2/positions") {
      return ok(
        [...positions].filter(([, p]) => p.qty !== ZERO).map(([symbol, p]) => {
          const last = prices.get(symbol) ?? ZERO;
          return {
            asset_id: "b0b6dd9d-8b9b-48a9-ba46-b9d54906e415",
            symbol,
            exchange: "NASDAQ",
            asset_class: "us_equity",
            asset_marginable: true,
            qty: num(p.qty),
            qty_available: num(p.qty),
            avg_entry_price: num(div(p.cost, p.qty)),
            side: "long",
            market_value: num(mul(p.qty, last)),
            cost_basis: num(p.cost),
            unrealized_pl: num(mul(p.qty, last) - p.cost),
            current_price: num(last),
          };
        }),
      );
    }
    const asset = /^\/v2\/assets\/([^/]+)$/.exec(path);
    if (req.method === "GET" && asset) {
      const symbol = decodeURIComponent(asset[1]);
      if (!assets.has(symbol)) throw new AlpacaError(404, 40410000, "asset not found");
      return ok({
        id: "b0b6dd9d-8b9b-48a9-ba46-b9d54906e415",
        class: "us_equity",
        exchange: "NASDAQ",
        symbol,
        name: `${symbol} Inc. Common Stock`,
        status: "active",
        tradable: true,
        marginable: true,
        shortable: true,
        easy_to_borrow: true,
        fractionable: true,
        attributes: [],
      });
    }
    if (path === "/v2/orders" && req.method === "POST") {
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(req.body);
      } catch {
        throw new AlpacaError(400, 40010000, "request body format is invalid");
      }
      return ok(orderJson(placeOrder(body)));
    }
    if (path === "/v2/orders" && req.method === "GET") {
      const status = q.status ?? "open";
      const symbols = q.symbols?.split(",");
      let list = orders.filter((o) =>
        (status === "all" || (status === "open") === isOpen(o)) &&
        (symbols === undefined || symbols.includes(o.symbol)) && o.parent === null
      );
      if (q.direction !== "asc") list = list.slice().reverse();
      return ok(list.slice(0, Number(q.limit ?? 50)).map(orderJson));
    }
    if (path === "/v2/orders:by_client_order_id" && req.method === "GET") {
      const cid = q.client_order_id;
      return ok(orderJson(findBy((o) => o.client_order_id === cid, cid)));
    }
    const byId = /^\/v2\/orders\/([^/]+)$/.exec(path);
    if (byId && req.method === "GET") {
      return ok(orderJson(findBy((o) => o.id === byId[1], byId[1])));
    }
    if (byId && req.method === "DELETE") {
      const o = findBy((x) => x.id === byId[1], byId[1]);
      if (!isOpen(o)) throw new AlpacaError(422, 42210000, "order is not cancelable");
      cancelOrder(o);
      return { status: 204 };
    }
    if (req.method === "GET" && path === "/v2/account/activities/FILL") {
      let list = activities.slice();
      if (q.after) list = list.filter((a) => a.transaction_time > new Date(q.after).toISOString());
      if (q.direction === "desc") list.reverse();
      if (q.page_token) {
        const i = list.findIndex((a) => a.id === q.page_token);
        list = list.slice(i + 1);
      }
      return ok(list.slice(0, Math.min(Number(q.page_size ?? 100), 100)));
    }
    return { status: 404, body: { code: 40410000, message: "endpoint not found" } };
  }

  const server = await startStandinServer((req) => {
    try {
      return route(req);
    } catch (e) {
      if (e instanceof AlpacaError) {
        return { status: e.status, body: { code: e.code, message: e.message } };
      }
      throw e;
    }
  }, FAULT_BODY);

  const match = () => {
    for (const o of orders.slice()) matchOrder(o, false);
  };
  return {
    baseUrl: server.origin,
    keyId,
    secretKey,
    log: server.log,
    orders,
    setClock(c) {
      clock = { nextOpen: "", nextClose: "", ...c };
      match();
    },
    setPrice(symbol, p) {
      prices.set(symbol, toUnits(p));
      match();
    },
    setLiquidity(symbol, qty) {
      liquidity.set(symbol, qty === null ? null : toUnits(qty));
    },
    inject: server.inject,
    count: server.count,
    rejectNextOrder(status, code, message) {
      rejections.push(new AlpacaError(status, code, message));
    },
    close: server.close,
  };
}
