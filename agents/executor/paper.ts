// The paper exchange's book and its arithmetic: market orders filled at a bar's open with
// slippage and a proportional fee, long-only spot, no fill without the cash for it.
//
// Precision: money and quantities are JS numbers (binary64). Quantities always sit on the
// step grid (default 1e-8): a grid value is computed as units / (1/step) when 1/step is an
// integer, which gives the double nearest to the decimal (0.1, not 0.09999999999999999), and
// a unit count above 2^53 is refused rather than rounded. Floors are exact: `floorToStep(x)`
// is never above x, so a buy sized on it never costs more than the cash it was sized on.
// Cash changes by exactly the amount that was compared against it, so a check "cost ≤ cash"
// keeps cash ≥ 0. Equity is recomputed from cash and positions every bar (no running total
// that could drift).
import type { Order, Position } from "../../shared/messages/mod.ts";

export interface PositionState {
  quantity: number;
  avgPrice: number;
  lastPrice: number;
}

export interface Book {
  cash: number;
  /** Fees paid so far. */
  fees: number;
  positions: Record<string, PositionState>;
}

export interface CostModel {
  feeBps: number;
  slippageBps: number;
  quantityStep: number;
}

const MAX_UNITS = 2 ** 53;

function unitsPerOne(step: number): number | null {
  const inv = Math.round(1 / step);
  return Math.abs(inv * step - 1) < 1e-12 ? inv : null;
}

function fromUnits(units: number, step: number): number {
  const inv = unitsPerOne(step);
  return inv === null ? units * step : units / inv;
}

function checkStep(x: number, step: number, what: string): void {
  if (!(Number.isFinite(step) && step > 0)) {
    throw new RangeError(`quantity step must be > 0 (got ${step})`);
  }
  if (!Number.isFinite(x)) throw new RangeError(`${what} must be finite (got ${x})`);
  if (Math.abs(x / step) >= MAX_UNITS) {
    throw new RangeError(
      `${what} ${x} has more than 2^53 steps of ${step}: precision would be lost`,
    );
  }
}

/** The largest multiple of `step` that is ≤ x (as a double, exactly ≤ x). */
export function floorToStep(x: number, step: number): number {
  checkStep(x, step, "quantity");
  let units = Math.floor(x / step);
  if (fromUnits(units + 1, step) <= x) units += 1;
  while (fromUnits(units, step) > x) units -= 1;
  return fromUnits(units, step) + 0; // + 0 turns -0 into 0
}

/** The multiple of `step` nearest to x: removes the binary noise of a sum of grid values. */
export function roundToStep(x: number, step: number): number {
  checkStep(x, step, "quantity");
  return fromUnits(Math.round(x / step), step) + 0;
}

/** The grid value one step below `q` (q on the grid). */
export function stepDown(q: number, step: number): number {
  return roundToStep(q - step, step);
}

export function executionPrice(open: number, side: "buy" | "sell", slippageBps: number): number {
  return side === "buy" ? open * (1 + slippageBps / 1e4) : open * (1 - slippageBps / 1e4);
}

/** Notional, fee and total cash out for buying `quantity` at `price`. */
export function buyCost(quantity: number, price: number, feeBps: number) {
  const notional = quantity * price;
  const fee = notional * feeBps / 1e4;
  return { notional, fee, cost: notional + fee };
}

export type Execution =
  | { status: "filled"; book: Book; quantity: number; price: number; fee: number }
  | { status: "rejected"; reason: string; detail: string };

/** Fills a market order at `open` (the next bar's open). Pure: the input book is untouched. */
export function executeMarketOrder(
  book: Book,
  order: Order,
  open: number,
  m: CostModel,
): Execution {
  if (!(Number.isFinite(open) && open > 0)) throw new RangeError(`open must be > 0 (got ${open})`);
  return executeAt(book, order, executionPrice(open, order.side, m.slippageBps), m);
}

/**
 * Fills `order` at exactly `price` (slippage, if any, already in it): stops and limits
 * fill at their own price. A reduce-only sell is clipped to the held quantity. Pure.
 */
export function executeAt(book: Book, order: Order, price: number, m: CostModel): Execution {
  if (!(Number.isFinite(price) && price > 0)) {
    throw new RangeError(`price must be > 0 (got ${price})`);
  }
  const held = book.positions[order.symbol] ?? { quantity: 0, avgPrice: 0, lastPrice: 0 };
  const wanted = order.reduceOnly === true && order.side === "sell"
    ? Math.min(order.quantity, held.quantity)
    : order.quantity;
  if (order.reduceOnly === true && (order.side === "buy" || held.quantity <= 0)) {
    return {
      status: "rejected",
      reason: "nothing_to_reduce",
      detail: `reduce-only ${order.side} with a held quantity of ${held.quantity} (long-only spot)`,
    };
  }
  const quantity = floorToStep(wanted, m.quantityStep);
  if (quantity <= 0) {
    return {
      status: "rejected",
      reason: "quantity_below_step",
      detail: `quantity ${wanted} is below the step ${m.quantityStep}`,
    };
  }
  const positions = { ...book.positions };
  if (order.side === "buy") {
    const { notional, fee, cost } = buyCost(quantity, price, m.feeBps);
    if (cost > book.cash) {
      return {
        status: "rejected",
        reason: "insufficient_cash",
        detail: `cost ${cost} (notional ${notional} + fee ${fee}) exceeds cash ${book.cash}`,
      };
    }
    const newQty = roundToStep(held.quantity + quantity, m.quantityStep);
    positions[order.symbol] = {
      quantity: newQty,
      avgPrice: (held.quantity * held.avgPrice + quantity * price) / (held.quantity + quantity),
      lastPrice: held.lastPrice,
    };
    return {
      status: "filled",
      book: { cash: book.cash - cost, fees: book.fees + fee, positions },
      quantity,
      price,
      fee,
    };
  }
  if (quantity > held.quantity) {
    return {
      status: "rejected",
      reason: "insufficient_position",
      detail: `sell of ${quantity} exceeds the held ${held.quantity} (long-only spot)`,
    };
  }
  const notional = quantity * price;
  const fee = notional * m.feeBps / 1e4;
  const newQty = roundToStep(held.quantity - quantity, m.quantityStep);
  positions[order.symbol] = {
    quantity: newQty,
    avgPrice: newQty === 0 ? 0 : held.avgPrice,
    lastPrice: held.lastPrice,
  };
  return {
    status: "filled",
    book: { cash: book.cash + (notional - fee), fees: book.fees + fee, positions },
    quantity,
    price,
    fee,
  };
}

/** Marks `symbol`'s position (if any) to `price`. Pure. */
export function markToMarket(book: Book, symbol: string, price: number): Book {
  const held = book.positions[symbol];
  if (held === undefined) return book;
  return { ...book, positions: { ...book.positions, [symbol]: { ...held, lastPrice: price } } };
}

/** Positions with a non-zero quantity, by symbol. */
export function openPositions(book: Book): Position[] {
  return Object.keys(book.positions).sort()
    .filter((s) => book.positions[s].quantity !== 0)
    .map((s) => ({ symbol: s, ...book.positions[s] }));
}

/** cash + Σ quantity × last price, summed in symbol order. */
export function equityOf(book: Pick<Book, "cash">, positions: readonly Position[]): number {
  let equity = book.cash;
  for (const p of positions) equity += p.quantity * p.lastPrice;
  return equity;
}
