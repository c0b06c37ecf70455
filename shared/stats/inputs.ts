// What the replay statistics are computed from, and the checks that refuse bad input with
// an error naming the offending element instead of computing a wrong figure.

/** [bar time (ms epoch), equity after that bar]: one point per bar of the common clock. */
export type EquityPoint = readonly [time: number, equity: number];

export interface StatsFill {
  time: number;
  symbol: string;
  side: "buy" | "sell";
  quantity: number;
  price: number;
  fee: number;
}

export function checkEquityCurve(curve: readonly EquityPoint[]): void {
  let prev = -Infinity;
  curve.forEach(([time, equity], i) => {
    if (!Number.isFinite(time)) {
      throw new RangeError(`equityCurve[${i}]: time must be finite (got ${time})`);
    }
    if (!(time > prev)) {
      throw new RangeError(
        `equityCurve[${i}]: times must increase strictly (${time} after ${prev})`,
      );
    }
    if (!(Number.isFinite(equity) && equity >= 0)) {
      throw new RangeError(`equityCurve[${i}]: equity must be finite and >= 0 (got ${equity})`);
    }
    prev = time;
  });
}

export function checkFills(fills: readonly StatsFill[]): void {
  fills.forEach((f, i) => {
    const where = `fills[${i}]`;
    if (!Number.isFinite(f.time)) {
      throw new RangeError(`${where}: time must be finite (got ${f.time})`);
    }
    if (typeof f.symbol !== "string" || f.symbol.length === 0) {
      throw new RangeError(`${where}: symbol must be a non-empty string`);
    }
    if (f.side !== "buy" && f.side !== "sell") {
      throw new RangeError(`${where}: side must be "buy" or "sell" (got ${String(f.side)})`);
    }
    if (!(Number.isFinite(f.quantity) && f.quantity > 0)) {
      throw new RangeError(`${where}: quantity must be > 0 (got ${f.quantity})`);
    }
    if (!(Number.isFinite(f.price) && f.price > 0)) {
      throw new RangeError(`${where}: price must be > 0 (got ${f.price})`);
    }
    if (!(Number.isFinite(f.fee) && f.fee >= 0)) {
      throw new RangeError(`${where}: fee must be >= 0 (got ${f.fee})`);
    }
    if (i > 0 && f.time < fills[i - 1].time) {
      throw new RangeError(
        `${where}: fills must be in time order (${f.time} after ${fills[i - 1].time})`,
      );
    }
  });
}

export function checkPositive(value: number, name: string): void {
  if (!(Number.isFinite(value) && value > 0)) {
    throw new RangeError(`${name} must be a finite number > 0 (got ${value})`);
  }
}
