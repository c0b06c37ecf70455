// Reconciliation: what the venue says (the truth) against what the executor believes. Pure:
// `diffWithVenue` lists the differences; the venue executor applies them and reports them.
import type { VenueBalances, VenueFill, VenueOrder } from "./venues/types.ts";
import { isTerminal, type OrderStatus } from "./order_state.ts";

/** The executor's view of one order it sent. */
export interface LocalOrder {
  clientOrderId: string;
  symbol: string;
  status: OrderStatus;
  filledQty: number;
  /** Sent to the venue (emulated orders that have not triggered live only locally). */
  atVenue: boolean;
}

export interface LocalBook {
  orders: readonly LocalOrder[];
  /** Trade ids of the fills already recorded. */
  fillIds: ReadonlySet<string>;
  cash: number;
  positions: Readonly<Record<string, number>>;
}

export interface VenueView {
  /** The venue's record of each local non-terminal order sent to it (null: it has none). */
  orders: ReadonlyMap<string, VenueOrder | null>;
  openOrders: readonly VenueOrder[];
  fills: readonly VenueFill[];
  balances: VenueBalances;
}

export interface Reconciliation {
  /** Local orders whose status or filled quantity is behind the venue's. */
  changed: { local: LocalOrder; venue: VenueOrder }[];
  /** Local orders the venue does not know: never arrived (to be re-sent or given up). */
  missing: LocalOrder[];
  /** Open orders at the venue the executor has no record of. */
  unknown: VenueOrder[];
  /** Fills at the venue not recorded yet, oldest first. */
  newFills: VenueFill[];
  /** Positions that differ after the new fills are applied: venue minus local. */
  positions: { symbol: string; local: number; venue: number }[];
  cash: { local: number; venue: number } | null;
}

/** Relative tolerance for quantities and cash compared across the wire. */
const EPS = 1e-9;
const same = (a: number, b: number) =>
  Math.abs(a - b) <= EPS * Math.max(1, Math.abs(a), Math.abs(b));

export function diffWithVenue(local: LocalBook, venue: VenueView): Reconciliation {
  const changed: Reconciliation["changed"] = [];
  const missing: LocalOrder[] = [];
  const known = new Set(local.orders.map((o) => o.clientOrderId));
  for (const o of local.orders) {
    if (!o.atVenue || isTerminal(o.status)) continue;
    const v = venue.orders.get(o.clientOrderId);
    if (v === undefined) continue;
    if (v === null) missing.push(o);
    else if (v.status !== o.status || !same(v.filledQuantity, o.filledQty)) {
      changed.push({ local: o, venue: v });
    }
  }
  const unknown = venue.openOrders.filter((v) => !known.has(v.clientOrderId));
  const newFills = venue.fills.filter((f) => !local.fillIds.has(f.tradeId))
    .sort((a, b) => a.time - b.time || (a.tradeId < b.tradeId ? -1 : 1));
  const after: Record<string, number> = { ...local.positions };
  for (const f of newFills) {
    after[f.symbol] = (after[f.symbol] ?? 0) + (f.side === "buy" ? f.quantity : -f.quantity);
  }
  const venuePos: Record<string, number> = {};
  for (const p of venue.balances.positions) venuePos[p.symbol] = p.quantity;
  const positions: Reconciliation["positions"] = [];
  for (const symbol of [...new Set([...Object.keys(after), ...Object.keys(venuePos)])].sort()) {
    const l = after[symbol] ?? 0;
    const v = venuePos[symbol] ?? 0;
    if (!same(l, v)) positions.push({ symbol, local: l, venue: v });
  }
  let cashAfter = local.cash;
  for (const f of newFills) {
    cashAfter += f.side === "buy" ? -(f.quantity * f.price + f.fee) : f.quantity * f.price - f.fee;
  }
  const cash = same(cashAfter, venue.balances.cash)
    ? null
    : { local: cashAfter, venue: venue.balances.cash };
  return { changed, missing, unknown, newFills, positions, cash };
}

export const isClean = (r: Reconciliation): boolean =>
  r.changed.length === 0 && r.missing.length === 0 && r.unknown.length === 0 &&
  r.newFills.length === 0 && r.positions.length === 0 && r.cash === null;
