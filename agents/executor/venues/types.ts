// The one interface every place that executes orders implements: the paper exchange, any
// ccxt exchange and Alpaca. The executor talks only to this.
//
// Quantities and prices cross this boundary as numbers already rounded to the venue's steps
// (see VenueMarket); implementations format them for the wire with the venue's precision
// and must refuse (VenueError "invalid") rather than silently round a value that is off-step.
import type { OrderType } from "../../../shared/messages/mod.ts";

export interface VenueMarket {
  symbol: string;
  /** Quantity increment; orders are multiples of it. */
  amountStep: number;
  /** Price increment. */
  priceStep: number;
  minQuantity: number;
  minNotional: number;
}

export interface VenueOrderRequest {
  /** Derived from the decision id: the venue's idempotency key. */
  clientOrderId: string;
  symbol: string;
  side: "buy" | "sell";
  quantity: number;
  type: OrderType;
  limitPrice?: number;
  stopPrice?: number;
  reduceOnly?: boolean;
  /**
   * Protective exits attached to this entry, for venues with capabilities.nativeBrackets
   * (Alpaca: order_class bracket, or oto with one leg). Others refuse it ("invalid").
   */
  bracket?: { stopLoss: number | null; takeProfit: number | null };
}

export type VenueOrderStatus =
  | "submitted"
  | "partially_filled"
  | "filled"
  | "cancelled"
  | "rejected"
  | "expired";

export interface VenueOrder {
  clientOrderId: string;
  venueOrderId: string;
  symbol: string;
  side: "buy" | "sell";
  type: OrderType;
  quantity: number;
  filledQuantity: number;
  /** Volume-weighted fill price so far; null before the first fill. */
  averagePrice: number | null;
  status: VenueOrderStatus;
  /** The venue's own words when it rejected or expired the order. */
  reason: string | null;
  updatedAt: number;
}

export interface VenueFill {
  /** The venue's trade id: fills are de-duplicated on it. */
  tradeId: string;
  clientOrderId: string;
  venueOrderId: string;
  symbol: string;
  side: "buy" | "sell";
  quantity: number;
  price: number;
  /** Fee in the quote currency. */
  fee: number;
  time: number;
}

export interface VenueBalances {
  /** Free + locked quote currency (USDT, USD). */
  cash: number;
  positions: { symbol: string; quantity: number }[];
}

export interface VenueCapabilities {
  /**
   * Stop orders rest on the venue (else the executor emulates them on bars); when only some
   * stop types do, nativeOrderTypes lists them.
   */
  nativeStops: boolean;
  /** Brackets / OCO rest on the venue. */
  nativeBrackets: boolean;
  /** Orders can only be sent while the market is open (equities). */
  marketHours: boolean;
  /**
   * When present: exactly the order types that rest on the venue; submit refuses the others
   * (VenueError "invalid") and the executor emulates them. Absent: all types are accepted.
   */
  nativeOrderTypes?: readonly OrderType[];
}

export type VenueErrorKind =
  | "network"
  | "timeout"
  | "rate_limited"
  | "server"
  | "rejected"
  | "auth"
  | "not_found"
  | "invalid"
  | "market_closed";

export class VenueError extends Error {
  constructor(
    readonly kind: VenueErrorKind,
    message: string,
    /** Seconds the venue asked us to wait (Retry-After), when it said. */
    readonly retryAfterS: number | null = null,
  ) {
    super(message);
    this.name = "VenueError";
  }

  /** Network trouble, timeouts, 429 and 5xx may succeed later; a rejection is final. */
  get retryable(): boolean {
    return this.kind === "network" || this.kind === "timeout" || this.kind === "rate_limited" ||
      this.kind === "server";
  }
}

export interface Venue {
  readonly name: string;
  readonly capabilities: VenueCapabilities;
  markets(symbols: readonly string[]): Promise<VenueMarket[]>;
  /**
   * Idempotent on clientOrderId: when the venue already holds an order with that id (an
   * earlier attempt that timed out after reaching it), that order is returned, never a second.
   */
  submit(request: VenueOrderRequest): Promise<VenueOrder>;
  cancel(clientOrderId: string, symbol: string): Promise<VenueOrder>;
  /** null when the venue has no order with that id. */
  fetchOrder(clientOrderId: string, symbol: string): Promise<VenueOrder | null>;
  openOrders(symbol?: string): Promise<VenueOrder[]>;
  /** Fills at or after `since` (epoch ms), oldest first. */
  fills(since: number, symbols: readonly string[]): Promise<VenueFill[]>;
  balances(): Promise<VenueBalances>;
  /** Whether orders of this type may be sent at `now` (market hours, holidays). */
  acceptsOrders(now: number, type: OrderType): Promise<boolean>;
  close(): Promise<void>;
}
