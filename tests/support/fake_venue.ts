// An in-memory Venue for executor tests: idempotent on client order ids like a real one,
// market orders fill at the price set with `setPrice`, resting orders wait for `match`,
// and faults can be injected per method. Not a model of any exchange's quirks.
import {
  type Venue,
  type VenueBalances,
  type VenueCapabilities,
  VenueError,
  type VenueErrorKind,
  type VenueFill,
  type VenueMarket,
  type VenueOrder,
  type VenueOrderRequest,
} from "../../agents/executor/venues/types.ts";
import type { OrderType } from "../../shared/messages/mod.ts";

type Method = "submit" | "cancel" | "fetchOrder" | "openOrders" | "fills" | "balances";

export class FakeVenue implements Venue {
  readonly name = "fake";
  readonly orders = new Map<string, VenueOrder>();
  readonly trades: VenueFill[] = [];
  /** Every submit call, including repeats of the same client order id. */
  readonly submits: string[] = [];
  cash: number;
  readonly positions = new Map<string, number>();
  readonly prices = new Map<string, number>();
  feeBps = 10;
  /** Reject every submit with this reason (the venue's own words). */
  rejectWith: string | null = null;
  #faults: { method: Method; kind: VenueErrorKind; times: number; afterEffect: boolean }[] = [];
  #seq = 0;
  #clock: () => number;

  constructor(
    readonly capabilities: VenueCapabilities = {
      nativeStops: false,
      nativeBrackets: false,
      marketHours: false,
    },
    opts: { cash?: number; clock?: () => number } = {},
  ) {
    this.cash = opts.cash ?? 10_000;
    this.#clock = opts.clock ?? (() => 1_700_000_000_000 + this.#seq);
  }

  /** The next `times` calls of `method` fail with `kind`; `afterEffect`: after doing the work. */
  fail(method: Method, kind: VenueErrorKind, times = 1, afterEffect = false): void {
    this.#faults.push({ method, kind, times, afterEffect });
  }

  #fault(method: Method, afterEffect: boolean): void {
    const f = this.#faults.find((x) => x.method === method && x.afterEffect === afterEffect);
    if (f === undefined) return;
    if (--f.times <= 0) this.#faults.splice(this.#faults.indexOf(f), 1);
    throw new VenueError(f.kind, `injected ${f.kind} on ${method}`);
  }

  setPrice(symbol: string, price: number): void {
    this.prices.set(symbol, price);
  }

  markets(symbols: readonly string[]): Promise<VenueMarket[]> {
    return Promise.resolve(symbols.map((symbol) => ({
      symbol,
      amountStep: 1e-8,
      priceStep: 0.01,
      minQuantity: 1e-8,
      minNotional: 0,
    })));
  }

  submit(r: VenueOrderRequest): Promise<VenueOrder> {
    this.submits.push(r.clientOrderId);
    this.#fault("submit", false);
    const existing = this.orders.get(r.clientOrderId);
    if (existing !== undefined) return Promise.resolve({ ...existing });
    if (this.rejectWith !== null) throw new VenueError("rejected", this.rejectWith);
    const o: VenueOrder = {
      clientOrderId: r.clientOrderId,
      venueOrderId: `v${++this.#seq}`,
      symbol: r.symbol,
      side: r.side,
      type: r.type,
      quantity: r.quantity,
      filledQuantity: 0,
      averagePrice: null,
      status: "submitted",
      reason: null,
      updatedAt: this.#clock(),
    };
    this.orders.set(r.clientOrderId, o);
    if (r.type === "market") {
      const price = this.prices.get(r.symbol);
      if (price !== undefined) this.fillOrder(r.clientOrderId, r.quantity, price);
    }
    this.#fault("submit", true);
    return Promise.resolve({ ...this.orders.get(r.clientOrderId)! });
  }

  /** Fills `quantity` more of an order at `price` (partial when less than what is left). */
  fillOrder(clientOrderId: string, quantity: number, price: number): VenueFill {
    const o = this.orders.get(clientOrderId);
    if (o === undefined) throw new Error(`no order ${clientOrderId}`);
    const filled = o.filledQuantity + quantity;
    if (filled > o.quantity + 1e-12) throw new Error(`overfill of ${clientOrderId}`);
    const fee = quantity * price * this.feeBps / 1e4;
    const held = this.positions.get(o.symbol) ?? 0;
    if (o.side === "buy") {
      this.cash -= quantity * price + fee;
      this.positions.set(o.symbol, held + quantity);
    } else {
      this.cash += quantity * price - fee;
      this.positions.set(o.symbol, held - quantity);
    }
    o.averagePrice = ((o.averagePrice ?? 0) * o.filledQuantity + price * quantity) / filled;
    o.filledQuantity = filled;
    o.status = filled >= o.quantity ? "filled" : "partially_filled";
    o.updatedAt = this.#clock();
    const fill: VenueFill = {
      tradeId: `t${++this.#seq}`,
      clientOrderId,
      venueOrderId: o.venueOrderId,
      symbol: o.symbol,
      side: o.side,
      quantity,
      price,
      fee,
      time: this.#clock(),
    };
    this.trades.push(fill);
    return fill;
  }

  cancel(clientOrderId: string, _symbol: string): Promise<VenueOrder> {
    this.#fault("cancel", false);
    const o = this.orders.get(clientOrderId);
    if (o === undefined) throw new VenueError("not_found", `unknown order ${clientOrderId}`);
    if (o.status === "submitted" || o.status === "partially_filled") {
      o.status = "cancelled";
      o.updatedAt = this.#clock();
    }
    return Promise.resolve({ ...o });
  }

  fetchOrder(clientOrderId: string, _symbol: string): Promise<VenueOrder | null> {
    this.#fault("fetchOrder", false);
    const o = this.orders.get(clientOrderId);
    return Promise.resolve(o === undefined ? null : { ...o });
  }

  openOrders(symbol?: string): Promise<VenueOrder[]> {
    this.#fault("openOrders", false);
    return Promise.resolve(
      [...this.orders.values()]
        .filter((o) => o.status === "submitted" || o.status === "partially_filled")
        .filter((o) => symbol === undefined || o.symbol === symbol)
        .map((o) => ({ ...o })),
    );
  }

  fills(since: number, symbols: readonly string[]): Promise<VenueFill[]> {
    this.#fault("fills", false);
    return Promise.resolve(
      this.trades.filter((f) => f.time >= since && symbols.includes(f.symbol)).map((f) => ({
        ...f,
      })),
    );
  }

  balances(): Promise<VenueBalances> {
    this.#fault("balances", false);
    return Promise.resolve({
      cash: this.cash,
      positions: [...this.positions].filter(([, q]) => q !== 0).map(([symbol, quantity]) => ({
        symbol,
        quantity,
      })),
    });
  }

  acceptsOrders(_now: number, _type: OrderType): Promise<boolean> {
    return Promise.resolve(true);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
