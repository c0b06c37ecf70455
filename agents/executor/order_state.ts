// The order state machine: new → submitted → (partially_filled)* → filled | cancelled |
// rejected | expired. Pure; every executor (replay core, venue executor) moves an order only
// through `transition`, so an illegal move is a typed error, never a silent overwrite.
import { ORDER_STATUSES } from "../../shared/messages/mod.ts";

export type OrderStatus = (typeof ORDER_STATUSES)[number];

export const TERMINAL_STATUSES: readonly OrderStatus[] = [
  "filled",
  "cancelled",
  "rejected",
  "expired",
];

export const isTerminal = (s: OrderStatus): boolean => TERMINAL_STATUSES.includes(s);

/** Legal next statuses of each status; terminal statuses are absorbing. */
export const LEGAL_TRANSITIONS: Readonly<Record<OrderStatus, readonly OrderStatus[]>> = {
  new: ["submitted", "rejected", "cancelled"],
  submitted: ["partially_filled", "filled", "cancelled", "rejected", "expired"],
  partially_filled: ["partially_filled", "filled", "cancelled", "expired"],
  filled: [],
  cancelled: [],
  rejected: [],
  expired: [],
};

export interface OrderProgress {
  status: OrderStatus;
  /** The order's quantity: fills never exceed it. */
  quantity: number;
  /** Cumulative filled quantity: only grows. */
  filledQty: number;
}

export type OrderEvent =
  | { kind: "submit" }
  /**
   * Cumulative filled quantity (venues report it so, and it avoids summing floats). `done`:
   * the venue considers the order complete below its quantity (a reduce-only order clipped to
   * the position).
   */
  | { kind: "fill"; filledQty: number; done?: boolean }
  | { kind: "cancel" }
  | { kind: "reject" }
  | { kind: "expire" };

export class OrderTransitionError extends Error {
  override name = "OrderTransitionError";
  constructor(readonly from: OrderProgress, readonly event: OrderEvent, why: string) {
    super(`illegal order transition from ${from.status} on ${event.kind}: ${why}`);
  }
}

export function newOrder(quantity: number): OrderProgress {
  if (!(Number.isFinite(quantity) && quantity > 0)) {
    throw new RangeError(`order quantity must be a finite number > 0 (got ${quantity})`);
  }
  return { status: "new", quantity, filledQty: 0 };
}

function target(p: OrderProgress, e: OrderEvent): OrderStatus {
  switch (e.kind) {
    case "submit":
      return "submitted";
    case "cancel":
      return "cancelled";
    case "reject":
      return "rejected";
    case "expire":
      return "expired";
    case "fill":
      return e.filledQty === p.quantity || e.done === true ? "filled" : "partially_filled";
  }
}

/** The order after `event`; throws OrderTransitionError when the move is not legal. */
export function transition(p: OrderProgress, event: OrderEvent): OrderProgress {
  const to = target(p, event);
  if (!LEGAL_TRANSITIONS[p.status].includes(to)) {
    throw new OrderTransitionError(p, event, `${p.status} → ${to} is not a legal transition`);
  }
  if (event.kind !== "fill") return { ...p, status: to };
  const q = event.filledQty;
  if (!Number.isFinite(q) || q <= p.filledQty) {
    throw new OrderTransitionError(
      p,
      event,
      `filled quantity must grow (from ${p.filledQty} to ${q})`,
    );
  }
  if (q > p.quantity) {
    throw new OrderTransitionError(p, event, `filled ${q} exceeds the quantity ${p.quantity}`);
  }
  return { ...p, status: to, filledQty: q };
}

/** `transition`, or null when the event is not legal (for callers that report instead). */
export function tryTransition(p: OrderProgress, event: OrderEvent): OrderProgress | null {
  try {
    return transition(p, event);
  } catch (e) {
    if (e instanceof OrderTransitionError) return null;
    throw e;
  }
}
