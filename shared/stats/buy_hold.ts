// Buy-and-hold benchmark: equal weights in every symbol from its first to its last close.

export interface SymbolCloses {
  symbol: string;
  firstClose: number;
  lastClose: number;
}

/** Mean over symbols of last / first − 1; null without symbols. */
export function buyHoldReturn(closes: readonly SymbolCloses[]): number | null {
  if (closes.length === 0) return null;
  let sum = 0;
  for (const c of closes) {
    for (const k of ["firstClose", "lastClose"] as const) {
      if (!(Number.isFinite(c[k]) && c[k] > 0)) {
        throw new RangeError(`buy-and-hold ${c.symbol}: ${k} must be > 0 (got ${c[k]})`);
      }
    }
    sum += c.lastClose / c.firstClose - 1;
  }
  return sum / closes.length;
}

/** First and last close per symbol from bars in time order. */
export function firstLastCloses(
  bars: readonly { symbol: string; time: number; close: number }[],
): SymbolCloses[] {
  const by = new Map<string, SymbolCloses & { first: number; last: number }>();
  for (const b of bars) {
    const c = by.get(b.symbol);
    if (c === undefined) {
      by.set(b.symbol, {
        symbol: b.symbol,
        firstClose: b.close,
        lastClose: b.close,
        first: b.time,
        last: b.time,
      });
      continue;
    }
    if (b.time < c.first) [c.first, c.firstClose] = [b.time, b.close];
    if (b.time >= c.last) [c.last, c.lastClose] = [b.time, b.close];
  }
  return [...by.values()].sort((a, b) => (a.symbol < b.symbol ? -1 : 1))
    .map(({ symbol, firstClose, lastClose }) => ({ symbol, firstClose, lastClose }));
}
