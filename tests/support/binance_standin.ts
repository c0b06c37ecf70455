// A stand-in of Binance's spot REST API on 127.0.0.1, for the real ccxt client:
// /api/v3/ping, time, exchangeInfo (public) and order POST/GET/DELETE, openOrders, myTrades,
// account (signed). Signed calls are checked as Binance does: X-MBX-APIKEY, timestamp within
// recvWindow, and HMAC-SHA256(secret, query string + body without `signature`) in hex.
// Errors are Binance's {code,msg} with its HTTP statuses. A small matching engine fills
// market orders at a settable price (limited by a settable per-pass liquidity, so partial
// fills happen), rests limit and stop orders and matches them when the price moves.
// All amounts are exact: integers in units of 1e-8 (BigInt).
import { createHmac, timingSafeEqual } from "node:crypto";
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

/** "0.00100000" / 0.001 → 100000n (units of 1e-8); refuses more than 8 decimals. */
export function toUnits(v: string | number): bigint {
  const s = typeof v === "number" ? v.toFixed(8) : v.trim();
  const m = /^(\d+)(?:\.(\d{0,8}))?$/.exec(s);
  if (!m) throw new BinanceError(400, -1100, `Illegal characters found in parameter: '${s}'.`);
  return BigInt(m[1]) * SCALE + BigInt((m[2] ?? "").padEnd(8, "0"));
}
export const fmt = (u: bigint): string => {
  const neg = u < ZERO;
  const a = neg ? -u : u;
  return `${neg ? "-" : ""}${a / SCALE}.${(a % SCALE).toString().padStart(8, "0")}`;
};
const mul = (a: bigint, b: bigint) => (a * b) / SCALE;
const min = (a: bigint, b: bigint) => (a < b ? a : b);

class BinanceError extends Error {
  constructor(readonly status: number, readonly code: number, msg: string) {
    super(msg);
  }
}

export interface SymbolSpec {
  readonly base: string;
  readonly quote: string;
  readonly tickSize: string;
  readonly stepSize: string;
  readonly minQty: string;
  readonly minNotional: string;
}

export const DEFAULT_SYMBOLS: readonly SymbolSpec[] = [
  {
    base: "BTC",
    quote: "USDT",
    tickSize: "0.01",
    stepSize: "0.00001",
    minQty: "0.00001",
    minNotional: "5",
  },
  {
    base: "ETH",
    quote: "USDT",
    tickSize: "0.01",
    stepSize: "0.0001",
    minQty: "0.0001",
    minNotional: "5",
  },
];

type Status = "NEW" | "PARTIALLY_FILLED" | "FILLED" | "CANCELED" | "EXPIRED";
type OrderType =
  | "MARKET"
  | "LIMIT"
  | "STOP_LOSS"
  | "STOP_LOSS_LIMIT"
  | "TAKE_PROFIT"
  | "TAKE_PROFIT_LIMIT";

export interface StandinOrder {
  symbol: string;
  orderId: number;
  clientOrderId: string;
  side: "BUY" | "SELL";
  type: OrderType;
  timeInForce: string;
  origQty: bigint;
  price: bigint;
  stopPrice: bigint;
  executedQty: bigint;
  cummulativeQuoteQty: bigint;
  status: Status;
  /** Stop orders: armed once the trigger was crossed. */
  triggered: boolean;
  time: number;
  updateTime: number;
  fills: { price: bigint; qty: bigint; commission: bigint; asset: string; tradeId: number }[];
}

interface StandinTrade {
  symbol: string;
  id: number;
  orderId: number;
  price: bigint;
  qty: bigint;
  commission: bigint;
  commissionAsset: string;
  time: number;
  isBuyer: boolean;
  isMaker: boolean;
}

export interface BinanceStandinOptions {
  readonly apiKey?: string;
  readonly secret?: string;
  readonly symbols?: readonly SymbolSpec[];
  /** Starting free balances, e.g. { USDT: "10000" }. */
  readonly balances?: Record<string, string>;
  /** Taker/maker commission rate (default 0.001), charged in the asset received. */
  readonly commission?: string;
}

export interface BinanceStandin {
  readonly origin: string;
  readonly apiKey: string;
  readonly secret: string;
  readonly log: LoggedRequest[];
  /** Every order ever accepted, in order. */
  readonly orders: StandinOrder[];
  /** Sets the last price and matches resting orders against it. */
  setPrice(symbol: string, price: string): void;
  /** Quantity that can fill per matching pass (per order); null = unlimited. */
  setLiquidity(symbol: string, qty: string | null): void;
  /** Runs one matching pass at the current prices (partial fills continue). */
  match(): void;
  inject(method: string, path: string, fault: Fault, times?: number): void;
  count(method: string, path: string): number;
  /** Answers the next POST /api/v3/order with a Binance rejection. */
  rejectNextOrder(code: number, msg: string, status?: number): void;
  free(asset: string): string;
  close(): Promise<void>;
}

const ERR_BODY = (status: number) =>
  status === 429
    ? {
      code: -1003,
      msg: "Too much request weight used; current limit is 6000 request weight per 1 MINUTE.",
    }
    : status === 503
    ? { code: -1008, msg: "Server is currently overloaded with other requests." }
    : { code: -1000, msg: "An unknown error occured while processing the request." };

export async function startBinanceStandin(
  opts: BinanceStandinOptions = {},
): Promise<BinanceStandin> {
  const apiKey = opts.apiKey ?? "standin-api-key-" + crypto.randomUUID().slice(0, 8);
  const secret = opts.secret ?? "standin-secret-" + crypto.randomUUID();
  const specs = new Map((opts.symbols ?? DEFAULT_SYMBOLS).map((s) => [s.base + s.quote, s]));
  const commissionRate = toUnits(opts.commission ?? "0.001");
  const free = new Map<string, bigint>();
  const locked = new Map<string, bigint>();
  for (const [a, v] of Object.entries(opts.balances ?? { USDT: "10000" })) free.set(a, toUnits(v));
  const prices = new Map<string, bigint>();
  const liquidity = new Map<string, bigint | null>();
  const orders: StandinOrder[] = [];
  const trades: StandinTrade[] = [];
  const rejections: { status: number; code: number; msg: string }[] = [];
  let nextOrderId = 1000;
  let nextTradeId = 5000;

  const get = (m: Map<string, bigint>, a: string) => m.get(a) ?? ZERO;
  const add = (m: Map<string, bigint>, a: string, d: bigint) => m.set(a, get(m, a) + d);

  const spec = (symbol: string | undefined): SymbolSpec => {
    if (symbol === undefined) {
      throw new BinanceError(
        400,
        -1102,
        "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed.",
      );
    }
    const s = specs.get(symbol);
    if (!s) throw new BinanceError(400, -1121, "Invalid symbol.");
    return s;
  };

  function symbolInfo(s: SymbolSpec) {
    return {
      symbol: s.base + s.quote,
      status: "TRADING",
      baseAsset: s.base,
      baseAssetPrecision: 8,
      quoteAsset: s.quote,
      quotePrecision: 8,
      quoteAssetPrecision: 8,
      baseCommissionPrecision: 8,
      quoteCommissionPrecision: 8,
      orderTypes: [
        "LIMIT",
        "LIMIT_MAKER",
        "MARKET",
        "STOP_LOSS",
        "STOP_LOSS_LIMIT",
        "TAKE_PROFIT",
        "TAKE_PROFIT_LIMIT",
      ],
      icebergAllowed: true,
      ocoAllowed: true,
      otoAllowed: true,
      quoteOrderQtyMarketAllowed: true,
      allowTrailingStop: true,
      cancelReplaceAllowed: true,
      isSpotTradingAllowed: true,
      isMarginTradingAllowed: false,
      filters: [
        {
          filterType: "PRICE_FILTER",
          minPrice: fmt(toUnits(s.tickSize)),
          maxPrice: "1000000.00000000",
          tickSize: fmt(toUnits(s.tickSize)),
        },
        {
          filterType: "LOT_SIZE",
          minQty: fmt(toUnits(s.minQty)),
          maxQty: "9000.00000000",
          stepSize: fmt(toUnits(s.stepSize)),
        },
        {
          filterType: "NOTIONAL",
          minNotional: fmt(toUnits(s.minNotional)),
          applyMinToMarket: true,
          maxNotional: "9000000.00000000",
          applyMaxToMarket: false,
          avgPriceMins: 5,
        },
      ],
      permissions: [],
      permissionSets: [["SPOT"]],
      defaultSelfTradePreventionMode: "EXPIRE_MAKER",
      allowedSelfTradePreventionModes: ["EXPIRE_TAKER", "EXPIRE_MAKER", "EXPIRE_BOTH"],
    };
  }

  /** Binance's SIGNED endpoint security, in its order of checks. */
  function authenticate(req: StandinRequest): Record<string, string> {
    const key = req.headers["x-mbx-apikey"];
    if (typeof key !== "string" || key === "") {
      throw new BinanceError(401, -2014, "API-key format invalid.");
    }
    if (key !== apiKey) {
      throw new BinanceError(401, -2015, "Invalid API-key, IP, or permissions for action.");
    }
    const params = formParams(req.query, req.body);
    const timestamp = Number(params.timestamp);
    if (!params.timestamp || !Number.isSafeInteger(timestamp)) {
      throw new BinanceError(
        400,
        -1102,
        "Mandatory parameter 'timestamp' was not sent, was empty/null, or malformed.",
      );
    }
    const recvWindow = params.recvWindow === undefined ? 5000 : Number(params.recvWindow);
    if (!(recvWindow > 0 && recvWindow <= 60000)) {
      throw new BinanceError(400, -1131, "recvWindow must be less than 60000");
    }
    const now = Date.now();
    if (timestamp >= now + 1000 || now - timestamp > recvWindow) {
      throw new BinanceError(
        400,
        -1021,
        "Timestamp for this request is outside of the recvWindow.",
      );
    }
    // totalParams = query string + request body, each as sent, signature removed.
    const strip = (raw: string) => raw.split("&").filter((p) => !p.startsWith("signature="));
    const sent = params.signature;
    const total = strip(req.query).join("&") + strip(req.body).join("&");
    const want = createHmac("sha256", secret).update(total).digest("hex");
    if (
      sent === undefined || sent.length !== want.length ||
      !timingSafeEqual(new TextEncoder().encode(sent), new TextEncoder().encode(want))
    ) {
      throw new BinanceError(400, -1022, "Signature for this request is not valid.");
    }
    return params;
  }

  function onStep(what: string, v: bigint, step: bigint, minimum: bigint): void {
    if (v < minimum || (v - minimum) % step !== ZERO) {
      throw new BinanceError(400, -1013, `Filter failure: ${what}`);
    }
  }

  const isOpen = (o: StandinOrder) => o.status === "NEW" || o.status === "PARTIALLY_FILLED";

  function fill(o: StandinOrder, price: bigint, isMaker: boolean): void {
    const s = specs.get(o.symbol)!;
    const room = liquidity.get(o.symbol) ?? null;
    const qty = room === null ? o.origQty - o.executedQty : min(room, o.origQty - o.executedQty);
    if (qty <= ZERO) return;
    const quote = mul(qty, price);
    const buy = o.side === "BUY";
    const commission = mul(buy ? qty : quote, commissionRate);
    const commissionAsset = buy ? s.base : s.quote;
    const isLimit = o.type !== "MARKET" && o.type !== "STOP_LOSS" && o.type !== "TAKE_PROFIT";
    if (buy) {
      // A resting buy had (qty × its limit) locked; release that share, pay the fill.
      if (isLimit) {
        add(locked, s.quote, -mul(qty, o.price));
        add(free, s.quote, mul(qty, o.price) - quote);
      } else add(free, s.quote, -quote);
      add(free, s.base, qty - commission);
    } else {
      if (isLimit) add(locked, s.base, -qty);
      else add(free, s.base, -qty);
      add(free, s.quote, quote - commission);
    }
    const t = Date.now();
    const tradeId = nextTradeId++;
    o.executedQty += qty;
    o.cummulativeQuoteQty += quote;
    o.status = o.executedQty === o.origQty ? "FILLED" : "PARTIALLY_FILLED";
    o.updateTime = t;
    o.fills.push({ price, qty, commission, asset: commissionAsset, tradeId });
    trades.push({
      symbol: o.symbol,
      id: tradeId,
      orderId: o.orderId,
      price,
      qty,
      commission,
      commissionAsset,
      time: t,
      isBuyer: buy,
      isMaker,
    });
  }

  /** Whether a stop order's trigger is crossed at `p`. */
  function triggers(o: StandinOrder, p: bigint): boolean {
    const stopLoss = o.type === "STOP_LOSS" || o.type === "STOP_LOSS_LIMIT";
    // Stop-loss: sell when the price falls to the stop, buy when it rises to it;
    // take-profit the other way round.
    const rising = (o.side === "BUY") === stopLoss;
    return rising ? p >= o.stopPrice : p <= o.stopPrice;
  }

  function matchOrder(o: StandinOrder, isNew: boolean): void {
    const p = prices.get(o.symbol);
    if (p === undefined || !isOpen(o)) return;
    if (o.type !== "MARKET" && o.type !== "LIMIT" && !o.triggered) {
      if (!triggers(o, p)) return;
      o.triggered = true;
    }
    if (o.type === "MARKET" || o.type === "STOP_LOSS" || o.type === "TAKE_PROFIT") {
      fill(o, p, false);
      // A market order takes what the book has; Binance expires the rest.
      if (o.type === "MARKET" && o.executedQty < o.origQty) o.status = "EXPIRED";
      return;
    }
    const marketable = o.side === "BUY" ? p <= o.price : p >= o.price;
    if (marketable) fill(o, isNew ? p : o.price, !isNew);
  }

  function placeOrder(params: Record<string, string>): StandinOrder {
    const s = spec(params.symbol);
    const symbol = s.base + s.quote;
    const side = params.side;
    if (side !== "BUY" && side !== "SELL") {
      throw new BinanceError(
        400,
        -1102,
        "Mandatory parameter 'side' was not sent, was empty/null, or malformed.",
      );
    }
    const type = params.type as OrderType;
    const types = [
      "MARKET",
      "LIMIT",
      "STOP_LOSS",
      "STOP_LOSS_LIMIT",
      "TAKE_PROFIT",
      "TAKE_PROFIT_LIMIT",
    ];
    if (!types.includes(type)) throw new BinanceError(400, -1116, "Invalid orderType.");
    const clientOrderId = params.newClientOrderId ?? `standin${nextOrderId}`;
    if (!/^[.A-Za-z0-9_:/-]{1,36}$/.test(clientOrderId)) {
      throw new BinanceError(
        400,
        -1100,
        "Illegal characters found in parameter 'newClientOrderId'; legal range is '^[\\.A-Z\\:/a-z0-9_-]{1,36}$'.",
      );
    }
    if (orders.some((o) => o.clientOrderId === clientOrderId && isOpen(o))) {
      throw new BinanceError(400, -2010, "Duplicate order sent.");
    }
    if (params.quantity === undefined) {
      throw new BinanceError(
        400,
        -1102,
        "Mandatory parameter 'quantity' was not sent, was empty/null, or malformed.",
      );
    }
    const qty = toUnits(params.quantity);
    onStep("LOT_SIZE", qty, toUnits(s.stepSize), toUnits(s.minQty));
    const hasLimit = type === "LIMIT" || type.endsWith("_LIMIT");
    const hasStop = type !== "MARKET" && type !== "LIMIT";
    const tick = toUnits(s.tickSize);
    let price = ZERO;
    if (hasLimit) {
      if (params.price === undefined) {
        throw new BinanceError(
          400,
          -1102,
          "Mandatory parameter 'price' was not sent, was empty/null, or malformed.",
        );
      }
      if (params.timeInForce === undefined) {
        throw new BinanceError(
          400,
          -1102,
          "Mandatory parameter 'timeInForce' was not sent, was empty/null, or malformed.",
        );
      }
      price = toUnits(params.price);
      onStep("PRICE_FILTER", price, tick, tick);
    }
    let stopPrice = ZERO;
    if (hasStop) {
      if (params.stopPrice === undefined) {
        throw new BinanceError(
          400,
          -1102,
          "Mandatory parameter 'stopPrice' was not sent, was empty/null, or malformed.",
        );
      }
      stopPrice = toUnits(params.stopPrice);
      onStep("PRICE_FILTER", stopPrice, tick, tick);
    }
    const last = prices.get(symbol);
    const refPrice = hasLimit ? price : last;
    if (refPrice === undefined) {
      throw new BinanceError(400, -2010, "Market is closed."); // no price yet: no liquidity
    }
    if (mul(qty, refPrice) < toUnits(s.minNotional)) {
      throw new BinanceError(400, -1013, "Filter failure: NOTIONAL");
    }
    const t = Date.now();
    const o: StandinOrder = {
      symbol,
      orderId: nextOrderId++,
      clientOrderId,
      side,
      type,
      timeInForce: hasLimit ? params.timeInForce : "GTC",
      origQty: qty,
      price,
      stopPrice,
      executedQty: ZERO,
      cummulativeQuoteQty: ZERO,
      status: "NEW",
      triggered: false,
      time: t,
      updateTime: t,
      fills: [],
    };
    if (hasStop && last !== undefined && triggers(o, last)) {
      throw new BinanceError(400, -2010, "Stop price would trigger immediately.");
    }
    // Funds: a limit locks what it may spend; a market order needs it free now.
    const needAsset = side === "BUY" ? s.quote : s.base;
    const need = side === "BUY" ? mul(qty, refPrice) : qty;
    if (get(free, needAsset) < need) {
      throw new BinanceError(400, -2010, "Account has insufficient balance for requested action.");
    }
    if (hasLimit) {
      add(free, needAsset, -need);
      add(locked, needAsset, need);
    }
    orders.push(o);
    matchOrder(o, true);
    return o;
  }

  const orderJson = (o: StandinOrder) => ({
    symbol: o.symbol,
    orderId: o.orderId,
    orderListId: -1,
    clientOrderId: o.clientOrderId,
    price: fmt(o.price),
    origQty: fmt(o.origQty),
    executedQty: fmt(o.executedQty),
    cummulativeQuoteQty: fmt(o.cummulativeQuoteQty),
    status: o.status,
    timeInForce: o.timeInForce,
    type: o.type,
    side: o.side,
    stopPrice: fmt(o.stopPrice),
    icebergQty: "0.00000000",
    time: o.time,
    updateTime: o.updateTime,
    isWorking: o.type === "MARKET" || o.type === "LIMIT" || o.triggered,
    workingTime: o.time,
    origQuoteOrderQty: "0.00000000",
    selfTradePreventionMode: "EXPIRE_MAKER",
  });

  function findOrder(params: Record<string, string>): StandinOrder {
    const s = spec(params.symbol);
    const symbol = s.base + s.quote;
    let found: StandinOrder | undefined;
    if (params.orderId !== undefined) {
      found = orders.find((o) => o.symbol === symbol && String(o.orderId) === params.orderId);
    } else if (params.origClientOrderId !== undefined) {
      found = orders.findLast((o) =>
        o.symbol === symbol && o.clientOrderId === params.origClientOrderId
      );
    } else {
      throw new BinanceError(
        400,
        -1102,
        "Param 'origClientOrderId' or 'orderId' must be sent, but both were empty/null!",
      );
    }
    if (!found) throw new BinanceError(400, -2013, "Order does not exist.");
    return found;
  }

  function cancel(params: Record<string, string>) {
    let o: StandinOrder;
    try {
      o = findOrder(params);
    } catch (e) {
      if (e instanceof BinanceError && e.code === -2013) {
        throw new BinanceError(400, -2011, "Unknown order sent.");
      }
      throw e;
    }
    if (!isOpen(o)) throw new BinanceError(400, -2011, "Unknown order sent.");
    const s = specs.get(o.symbol)!;
    const rest = o.origQty - o.executedQty;
    if (o.type === "LIMIT" || o.type.endsWith("_LIMIT")) {
      const asset = o.side === "BUY" ? s.quote : s.base;
      const amount = o.side === "BUY" ? mul(rest, o.price) : rest;
      add(locked, asset, -amount);
      add(free, asset, amount);
    }
    o.status = "CANCELED";
    o.updateTime = Date.now();
    return {
      symbol: o.symbol,
      origClientOrderId: o.clientOrderId,
      orderId: o.orderId,
      orderListId: -1,
      clientOrderId: `cancel${o.orderId}`,
      transactTime: o.updateTime,
      price: fmt(o.price),
      origQty: fmt(o.origQty),
      executedQty: fmt(o.executedQty),
      cummulativeQuoteQty: fmt(o.cummulativeQuoteQty),
      status: o.status,
      timeInForce: o.timeInForce,
      type: o.type,
      side: o.side,
      stopPrice: fmt(o.stopPrice),
      selfTradePreventionMode: "EXPIRE_MAKER",
    };
  }

  function route(req: StandinRequest): StandinResponse {
    const ok = (body: unknown): StandinResponse => ({ status: 200, body });
    const key = `${req.method} ${req.path}`;
    switch (key) {
      case "GET /api/v3/ping":
        return ok({});
      case "GET /api/v3/time":
        return ok({ serverTime: Date.now() });
      case "GET /api/v3/exchangeInfo":
        return ok({
          timezone: "UTC",
          serverTime: Date.now(),
          rateLimits: [],
          exchangeFilters: [],
          symbols: [...specs.values()].map(symbolInfo),
        });
    }
    const signed = [
      "POST /api/v3/order",
      "GET /api/v3/order",
      "DELETE /api/v3/order",
      "GET /api/v3/openOrders",
      "GET /api/v3/myTrades",
      "GET /api/v3/account",
    ];
    if (!signed.includes(key)) {
      return { status: 404, body: { code: -1, msg: `no route ${key}` } };
    }
    const params = authenticate(req);
    switch (key) {
      case "POST /api/v3/order": {
        const rejection = rejections.shift();
        if (rejection) throw new BinanceError(rejection.status, rejection.code, rejection.msg);
        const o = placeOrder(params);
        return ok({
          ...orderJson(o),
          transactTime: o.time,
          fills: o.fills.map((f) => ({
            price: fmt(f.price),
            qty: fmt(f.qty),
            commission: fmt(f.commission),
            commissionAsset: f.asset,
            tradeId: f.tradeId,
          })),
        });
      }
      case "GET /api/v3/order":
        return ok(orderJson(findOrder(params)));
      case "DELETE /api/v3/order":
        return ok(cancel(params));
      case "GET /api/v3/openOrders": {
        const symbol = params.symbol === undefined
          ? undefined
          : (spec(params.symbol), params.symbol);
        return ok(
          orders.filter((o) => isOpen(o) && (symbol === undefined || o.symbol === symbol))
            .map(orderJson),
        );
      }
      case "GET /api/v3/myTrades": {
        const s = spec(params.symbol);
        const symbol = s.base + s.quote;
        const limit = Math.min(Number(params.limit ?? 500), 1000);
        let list = trades.filter((t) => t.symbol === symbol);
        if (params.orderId !== undefined) {
          list = list.filter((t) => String(t.orderId) === params.orderId);
        }
        if (params.fromId !== undefined) list = list.filter((t) => t.id >= Number(params.fromId));
        if (params.startTime !== undefined) {
          list = list.filter((t) => t.time >= Number(params.startTime));
        }
        if (params.endTime !== undefined) {
          list = list.filter((t) => t.time <= Number(params.endTime));
        }
        return ok(
          list.slice(0, limit).map((t) => ({
            symbol: t.symbol,
            id: t.id,
            orderId: t.orderId,
            orderListId: -1,
            price: fmt(t.price),
            qty: fmt(t.qty),
            quoteQty: fmt(mul(t.qty, t.price)),
            commission: fmt(t.commission),
            commissionAsset: t.commissionAsset,
            time: t.time,
            isBuyer: t.isBuyer,
            isMaker: t.isMaker,
            isBestMatch: true,
          })),
        );
      }
      case "GET /api/v3/account": {
        const assets = new Set([...free.keys(), ...locked.keys()]);
        const balances = [...assets].sort().map((asset) => ({
          asset,
          free: fmt(get(free, asset)),
          locked: fmt(get(locked, asset)),
        })).filter((b) =>
          params.omitZeroBalances !== "true" || b.free !== fmt(ZERO) || b.locked !== fmt(ZERO)
        );
        return ok({
          makerCommission: 10,
          takerCommission: 10,
          buyerCommission: 0,
          sellerCommission: 0,
          commissionRates: {
            maker: "0.00100000",
            taker: "0.00100000",
            buyer: "0.00000000",
            seller: "0.00000000",
          },
          canTrade: true,
          canWithdraw: true,
          canDeposit: true,
          brokered: false,
          requireSelfTradePrevention: false,
          preventSor: false,
          updateTime: Date.now(),
          accountType: "SPOT",
          balances,
          permissions: ["SPOT"],
          uid: 354937868,
        });
      }
    }
    return { status: 404, body: { code: -1, msg: `no route ${key}` } };
  }

  const server = await startStandinServer((req) => {
    try {
      return route(req);
    } catch (e) {
      if (e instanceof BinanceError) {
        return { status: e.status, body: { code: e.code, msg: e.message } };
      }
      throw e;
    }
  }, ERR_BODY);

  const standin: BinanceStandin = {
    origin: server.origin,
    apiKey,
    secret,
    log: server.log,
    orders,
    setPrice(symbol, price) {
      spec(symbol);
      prices.set(symbol, toUnits(price));
      standin.match();
    },
    setLiquidity(symbol, qty) {
      spec(symbol);
      liquidity.set(symbol, qty === null ? null : toUnits(qty));
    },
    match() {
      for (const o of orders) if (isOpen(o)) matchOrder(o, false);
    },
    inject: server.inject,
    count: server.count,
    rejectNextOrder(code, msg, status = 400) {
      rejections.push({ status, code, msg });
    },
    free: (asset) => fmt(get(free, asset)),
    close: server.close,
  };
  return standin;
}
