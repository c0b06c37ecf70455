// Average true range (Wilder) over a plain-JSON state, so the risk agent's snapshot can hold
// it (the closure-based streamingAtr of shared/features cannot be serialised). Same
// definition and warm-up as technicalindicators' ATR behind streamingAtr: the first bar only
// sets the previous close, the first value is the mean of the next `period` true ranges,
// then atr += (tr − atr) / period. A unit test checks the two agree bar by bar.
export interface AtrState {
  prevClose: number | null;
  /** Sum and count of the true ranges seen while warming up. */
  warmSum: number;
  count: number;
  atr: number | null;
}

export const emptyAtr = (): AtrState => ({ prevClose: null, warmSum: 0, count: 0, atr: null });

export function trueRange(high: number, low: number, prevClose: number): number {
  return Math.max(high - low, Math.abs(high - prevClose), Math.abs(low - prevClose));
}

/** The state after one more bar; `atr` is null until `period` true ranges were seen. */
export function nextAtr(
  s: AtrState,
  bar: { high: number; low: number; close: number },
  period: number,
): AtrState {
  if (s.prevClose === null) return { ...s, prevClose: bar.close };
  const tr = trueRange(bar.high, bar.low, s.prevClose);
  const count = s.count + 1;
  if (s.atr !== null) {
    return { prevClose: bar.close, warmSum: 0, count, atr: (tr - s.atr) * (1 / period) + s.atr };
  }
  const warmSum = s.warmSum + tr;
  return {
    prevClose: bar.close,
    warmSum: count >= period ? 0 : warmSum,
    count,
    atr: count >= period ? warmSum / period : null,
  };
}
