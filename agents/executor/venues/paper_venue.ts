// The paper exchange behind the Venue interface, for live paper trading through the venue
// executor. It prices off the bar stream (`observeBar`): an order trades on the first bar
// that opens after it was submitted, with the same fill model as the replay core (paper.ts
// for cash/fees/slippage, emulate.ts for limits and stops). In memory: its book lives as
// long as the process; the executor's reconciliation treats it like any other venue.
import type { Bar, OrderType } from "../../../shared/messages/mod.ts";
import { type Book, type CostModel, executeAt, openPositions } from "../paper.ts";
import { emulate } from "../emulate.ts";
import {
  type Venue,
  type VenueBalances,
  VenueError,
  type VenueFill,
  type VenueMarket,
  type VenueOrder,
  type VenueOrderRequest,
} from "./types.ts";

interface Resting {
  request: VenueOrderRequest;
  order: VenueOrder;
  /** Bars at or before this time do not trade it. */
  after: number;
  triggered: boolean;
}

export class PaperVenue implements Venue {
  readonly name = "paper";
  readonly capabilities = { nativeStops: true, nativeBrackets: false, marketHours: false };
  #book: Book;
  readonly #orders = new Map<string, Resting>();
  readonly #fills: VenueFill[] = [];
  readonly #lastBar = new Map<string, number>();
  #seq = 0;

  constructor(
    initialCash: number,
    readonly cost: CostModel,
    readonly clock: () => number = Date.now,
  ) {
    if (!(Number.isFinite(initialCash) && initialCash > 0)) {
      throw new RangeError(`initialCash must be > 0 (got ${initialCash})`);
    }
    this.#book = { cash: initialCash, fees: 0, positions: {} };
  }

  markets(symbols: readonly string[]): Promise<VenueMarket[]> {
    return Promise.resolve(symbols.map((symbol) => ({
      symbol,
      amountStep: this.cost.quantityStep,
      priceStep: 1e-8,
      minQuantity: this.cost.quantityStep,
      minNotional: 0,
    })));
  }

  submit(r: VenueOrderRequest): Promise<VenueOrder> {
    const existing = this.#orders.get(r.clientOrderId);
    if (existing !== undefined) return Promise.resolve({ ...existing.order });
    if (!(Number.isFinite(r.quantity) && r.quantity > 0)) {
      return Promise.reject(new VenueError("invalid", `quantity must be > 0 (got ${r.quantity})`));
    }
    const order: VenueOrder = {
      clientOrderId: r.clientOrderId,
      venueOrderId: `paper-${++this.#seq}`,
      symbol: r.symbol,
      side: r.side,
      type: r.type,
      quantity: r.quantity,
      filledQuantity: 0,
      averagePrice: null,
      status: "submitted",
      reason: null,
      updatedAt: this.clock(),
    };
    this.#orders.set(r.clientOrderId, {
      request: { ...r },
      order,
      after: this.#lastBar.get(r.symbol) ?? -1,
      triggered: false,
    });
    return Promise.resolve({ ...order });
  }

  /** Trades the resting orders of the bar's symbol on it. */
  observeBar(bar: Bar): Promise<void> {
    this.#lastBar.set(bar.symbol, bar.time);
    for (const rest of this.#orders.values()) {
      const o = rest.order;
      if (o.symbol !== bar.symbol || bar.time <= rest.after) continue;
      if (o.status !== "submitted") continue;
      const r = rest.request;
      const e = emulate(
        {
          clientOrderId: r.clientOrderId,
          symbol: r.symbol,
          side: r.side,
          quantity: r.quantity,
          type: r.type,
          refPrice: bar.open,
          ...(r.limitPrice === undefined ? {} : { limitPrice: r.limitPrice }),
          ...(r.stopPrice === undefined ? {} : { stopPrice: r.stopPrice }),
          ...(r.reduceOnly ? { reduceOnly: true } : {}),
        },
        bar,
        this.cost.slippageBps,
        rest.triggered,
      );
      rest.triggered = e.triggered;
      if (e.fill === null) continue;
      const x = executeAt(
        this.#book,
        {
          clientOrderId: r.clientOrderId,
          symbol: r.symbol,
          side: r.side,
          quantity: r.quantity,
          type: r.type,
          refPrice: bar.open,
          ...(r.reduceOnly ? { reduceOnly: true } : {}),
        },
        e.fill.price,
        this.cost,
      );
      o.updatedAt = this.clock();
      if (x.status === "rejected") {
        o.status = "rejected";
        o.reason = `${x.reason}: ${x.detail}`;
        continue;
      }
      this.#book = x.book;
      o.status = "filled";
      o.filledQuantity = x.quantity;
      o.averagePrice = x.price;
      this.#fills.push({
        tradeId: `paper-t${++this.#seq}`,
        clientOrderId: o.clientOrderId,
        venueOrderId: o.venueOrderId,
        symbol: o.symbol,
        side: o.side,
        quantity: x.quantity,
        price: x.price,
        fee: x.fee,
        time: o.updatedAt,
      });
    }
    return Promise.resolve();
  }

  cancel(clientOrderId: string, _symbol: string): Promise<VenueOrder> {
    const rest = this.#orders.get(clientOrderId);
    if (rest === undefined) {
      return Promise.reject(new VenueError("not_found", `no order ${clientOrderId}`));
    }
    if (rest.order.status === "submitted" || rest.order.status === "partially_filled") {
      rest.order.status = "cancelled";
      rest.order.updatedAt = this.clock();
    }
    return Promise.resolve({ ...rest.order });
  }

  fetchOrder(clientOrderId: string, _symbol: string): Promise<VenueOrder | null> {
    const rest = this.#orders.get(clientOrderId);
    return Promise.resolve(rest === undefined ? null : { ...rest.order });
  }

  openOrders(symbol?: string): Promise<VenueOrder[]> {
    return Promise.resolve(
      [...this.#orders.values()].map((r) => r.order)
        .filter((o) => o.status === "submitted" || o.status === "partially_filled")
        .filter((o) => symbol === undefined || o.symbol === symbol)
        .map((o) => ({ ...o })),
    );
  }

  fills(since: number, symbols: readonly string[]): Promise<VenueFill[]> {
    return Promise.resolve(
      this.#fills.filter((f) => f.time >= since && symbols.includes(f.symbol)).map((f) => ({
        ...f,
      })),
    );
  }

  balances(): Promise<VenueBalances> {
    return Promise.resolve({
      cash: this.#book.cash,
      positions: openPositions(this.#book).map((p) => ({ symbol: p.symbol, quantity: p.quantity })),
    });
  }

  acceptsOrders(_now: number, _type: OrderType): Promise<boolean> {
    return Promise.resolve(true);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
