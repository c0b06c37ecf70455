// Several symbols on one clock: every timestamp at which any symbol has a bar, ascending,
// with the bars present at that time in alphabetical symbol order. A symbol that starts
// later (FB in 2012) simply joins at its first bar; a missing bar is absent, not filled.
import type { RawBar } from "./raw_bar.ts";

export interface AlignedStep {
  readonly time: number;
  /** Sorted by symbol (code-unit order, locale-independent). */
  readonly bars: readonly RawBar[];
}

/** Lazily merges the series; each must be one symbol's bars, strictly ascending in time. */
export function* alignedSteps(series: readonly (readonly RawBar[])[]): Generator<AlignedStep> {
  const lanes = series.filter((s) => s.length > 0).map((bars) => {
    checkSeries(bars);
    return bars;
  }).sort((a, b) => (a[0].symbol < b[0].symbol ? -1 : a[0].symbol > b[0].symbol ? 1 : 0));
  for (let i = 1; i < lanes.length; i++) {
    if (lanes[i][0].symbol === lanes[i - 1][0].symbol) {
      throw new Error(`align: symbol ${lanes[i][0].symbol} appears in more than one series`);
    }
  }
  const next = lanes.map(() => 0);
  while (true) {
    let time = Infinity;
    for (let i = 0; i < lanes.length; i++) {
      if (next[i] < lanes[i].length && lanes[i][next[i]].time < time) time = lanes[i][next[i]].time;
    }
    if (time === Infinity) return;
    const bars: RawBar[] = [];
    for (let i = 0; i < lanes.length; i++) {
      if (next[i] < lanes[i].length && lanes[i][next[i]].time === time) {
        bars.push(lanes[i][next[i]++]);
      }
    }
    yield { time, bars };
  }
}

export function alignBars(series: readonly (readonly RawBar[])[]): AlignedStep[] {
  return Array.from(alignedSteps(series));
}

function checkSeries(bars: readonly RawBar[]): void {
  const symbol = bars[0].symbol;
  for (let i = 1; i < bars.length; i++) {
    if (bars[i].symbol !== symbol) {
      throw new Error(`align: series of ${symbol} also holds a ${bars[i].symbol} bar`);
    }
    if (bars[i].time <= bars[i - 1].time) {
      throw new Error(
        `align: ${symbol} bars are not strictly ascending at ${
          new Date(bars[i].time).toISOString()
        }`,
      );
    }
  }
}
