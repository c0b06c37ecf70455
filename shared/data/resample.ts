// Resampling to a coarser timeframe that is a whole multiple of the source. Buckets are
// [k·target, (k+1)·target) in UTC epoch time. A bucket is emitted once it holds all of its
// source bars; an incomplete one (session edges, a cut-short last day) is dropped unless
// `allowPartial`. Each output bar is built only from source bars inside its bucket, so the
// bar stamped t never sees data from after t + target.
//
// Epoch alignment suits intraday and continuous (crypto) data; for business-daily data a
// 1w bucket (Thursday-aligned) can never be complete, so weekly bars need allowPartial.
import type { RawBar } from "./raw_bar.ts";
import { formatTimeframe, parseTimeframe } from "./timeframe.ts";

export interface ResampleOptions {
  /** Emit incomplete buckets too (their bar covers only the source bars present). */
  readonly allowPartial?: boolean;
}

/** Incremental form, for live feeds: push source bars in time order, get finished bars. */
export class BarResampler {
  readonly sourceMs: number;
  readonly targetMs: number;
  readonly target: string;
  readonly #perBucket: number;
  readonly #allowPartial: boolean;
  #symbol: string | undefined;
  #lastTime = -Infinity;
  #bucket: { start: number; bars: RawBar[] } | undefined;

  constructor(readonly source: string, target: string, opts: ResampleOptions = {}) {
    this.sourceMs = parseTimeframe(source);
    this.targetMs = parseTimeframe(target);
    if (this.targetMs % this.sourceMs !== 0) {
      throw new Error(
        `cannot resample ${source} to ${target}: the target is not a whole multiple of the source`,
      );
    }
    this.target = formatTimeframe(this.targetMs);
    this.#perBucket = this.targetMs / this.sourceMs;
    this.#allowPartial = opts.allowPartial ?? false;
  }

  /** Returns the bars finished by this input (at most two: a partial and a complete one). */
  push(bar: RawBar): RawBar[] {
    this.#checkInput(bar);
    const start = Math.floor(bar.time / this.targetMs) * this.targetMs;
    const out: RawBar[] = [];
    if (this.#bucket !== undefined && this.#bucket.start !== start) {
      // Only reachable when the previous bucket is incomplete (a complete one is emitted
      // when its last bar arrives).
      if (this.#allowPartial) out.push(this.#aggregate(this.#bucket));
      this.#bucket = undefined;
    }
    this.#bucket ??= { start, bars: [] };
    this.#bucket.bars.push(bar);
    if (this.#bucket.bars.length === this.#perBucket) {
      out.push(this.#aggregate(this.#bucket));
      this.#bucket = undefined;
    }
    return out;
  }

  /** End of data: the open bucket is emitted only with allowPartial. */
  flush(): RawBar[] {
    const bucket = this.#bucket;
    this.#bucket = undefined;
    return bucket !== undefined && this.#allowPartial ? [this.#aggregate(bucket)] : [];
  }

  #checkInput(bar: RawBar): void {
    const where = `${bar.symbol} ${new Date(bar.time).toISOString()}`;
    if (bar.timeframe !== this.source) {
      throw new Error(`resampler expects ${this.source} bars, got ${bar.timeframe} (${where})`);
    }
    if (this.#symbol !== undefined && bar.symbol !== this.#symbol) {
      throw new Error(`resampler is for ${this.#symbol}, got a ${bar.symbol} bar (${where})`);
    }
    if (bar.time <= this.#lastTime) {
      throw new Error(`resampler input must be strictly ascending in time (${where})`);
    }
    if (bar.time % this.sourceMs !== 0) {
      throw new Error(`bar time is not on a ${this.source} boundary (${where})`);
    }
    this.#symbol = bar.symbol;
    this.#lastTime = bar.time;
  }

  #aggregate(bucket: { start: number; bars: RawBar[] }): RawBar {
    const bars = bucket.bars;
    let high = -Infinity;
    let low = Infinity;
    let volume = 0;
    for (const b of bars) {
      if (b.high > high) high = b.high;
      if (b.low < low) low = b.low;
      volume += b.volume;
    }
    return {
      symbol: bars[0].symbol,
      timeframe: this.target,
      time: bucket.start,
      open: bars[0].open,
      high,
      low,
      close: bars[bars.length - 1].close,
      volume,
    };
  }
}

/** Batch form over one symbol's ascending bars. */
export function resampleBars(
  bars: readonly RawBar[],
  target: string,
  opts: ResampleOptions = {},
): RawBar[] {
  if (bars.length === 0) return [];
  const resampler = new BarResampler(bars[0].timeframe, target, opts);
  const out: RawBar[] = [];
  for (const bar of bars) out.push(...resampler.push(bar));
  out.push(...resampler.flush());
  return out;
}
