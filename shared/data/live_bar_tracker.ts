// Decides which polled candles become bars: only closed ones, each exactly once, in order.
// No I/O and no clock: `now` is passed in. The poller in live_ccxt.ts drives it.
import type { RawBar } from "./raw_bar.ts";
import { parseTimeframe } from "./timeframe.ts";

/** A candle as ccxt returns it: [openTime, open, high, low, close, volume]. */
export type Candle = readonly (number | undefined)[];

export type LiveIssueKind = "invalid-candle" | "gap" | "retry" | "backfill-incomplete";

export interface LiveIssue {
  readonly symbol: string;
  readonly kind: LiveIssueKind;
  readonly message: string;
}

/** A bar is closed once its end (open + timeframe) is at least `graceMs` in the past. */
export function isClosed(openTime: number, timeframeMs: number, now: number, graceMs: number) {
  return openTime + timeframeMs <= now - graceMs;
}

/** Time at which the next bar becomes emittable (its close plus the grace). */
export function nextEmitTime(now: number, timeframeMs: number, graceMs: number): number {
  return (Math.floor((now - graceMs) / timeframeMs) + 1) * timeframeMs + graceMs;
}

export function candleToBar(
  symbol: string,
  timeframe: string,
  candle: Candle,
): RawBar | string {
  const [time, open, high, low, close, volume] = candle;
  if (candle.length < 6 || [time, open, high, low, close, volume].some((v) => !isNum(v))) {
    return `candle ${JSON.stringify(candle)} lacks a numeric time/open/high/low/close/volume`;
  }
  const bar = { symbol, timeframe, time, open, high, low, close, volume } as RawBar;
  if (!Number.isSafeInteger(bar.time) || bar.time < 0) return `candle time ${bar.time} is invalid`;
  if (!(bar.open > 0 && bar.high > 0 && bar.low > 0 && bar.close > 0) || bar.volume < 0) {
    return `candle at ${iso(bar.time)} has a non-positive price or negative volume`;
  }
  if (bar.high < Math.max(bar.open, bar.close) || bar.low > Math.min(bar.open, bar.close)) {
    return `candle at ${iso(bar.time)} has high/low outside open/close`;
  }
  return bar;
}

export interface Selection {
  /** Closed, not yet emitted, valid bars, ascending. */
  readonly bars: RawBar[];
  readonly issues: LiveIssue[];
  /** A polled candle was still open: nothing later can be closed yet. */
  readonly reachedOpenBar: boolean;
}

export class ClosedBarTracker {
  readonly timeframeMs: number;
  readonly #last = new Map<string, number>();
  readonly #start = new Map<string, number>();

  constructor(
    readonly timeframe: string,
    readonly graceMs: number,
    resumeFrom: Readonly<Record<string, number>> = {},
  ) {
    this.timeframeMs = parseTimeframe(timeframe);
    if (!(graceMs >= 0 && graceMs < this.timeframeMs)) {
      throw new Error(
        `graceMs must be in [0, ${this.timeframeMs}) for ${timeframe}, got ${graceMs}`,
      );
    }
    for (const [symbol, time] of Object.entries(resumeFrom)) {
      if (!Number.isSafeInteger(time) || time % this.timeframeMs !== 0) {
        throw new Error(`resumeFrom.${symbol}=${time} is not a ${timeframe} bar open time`);
      }
      this.#last.set(symbol, time);
    }
  }

  lastEmitted(symbol: string): number | undefined {
    return this.#last.get(symbol);
  }

  /** Open times of the last emitted bar per symbol (what a restart resumes from). */
  snapshot(): Record<string, number> {
    return Object.fromEntries(this.#last);
  }

  /**
   * Sets where a symbol with no emitted bar starts: the open time of the first bar wanted.
   * Ignored once a bar was emitted.
   */
  startAt(symbol: string, openTime: number): void {
    if (!this.#start.has(symbol)) {
      this.#start.set(symbol, Math.floor(openTime / this.timeframeMs) * this.timeframeMs);
    }
  }

  /** The `since` to fetch from: right after the last emitted bar (backfills any outage). */
  cursor(symbol: string): number | undefined {
    const last = this.#last.get(symbol);
    return last !== undefined ? last + this.timeframeMs : this.#start.get(symbol);
  }

  select(symbol: string, candles: readonly Candle[], now: number): Selection {
    const issues: LiveIssue[] = [];
    const floor = this.cursor(symbol) ?? -Infinity;
    const byTime = new Map<number, RawBar>();
    let reachedOpenBar = false;
    for (const candle of candles) {
      const bar = candleToBar(symbol, this.timeframe, candle);
      if (typeof bar === "string") {
        issues.push({ symbol, kind: "invalid-candle", message: bar });
        continue;
      }
      if (!isClosed(bar.time, this.timeframeMs, now, this.graceMs)) {
        reachedOpenBar = true;
        continue;
      }
      if (bar.time < floor) continue;
      if (bar.time % this.timeframeMs !== 0) {
        issues.push({
          symbol,
          kind: "invalid-candle",
          message: `candle at ${iso(bar.time)} is not on a ${this.timeframe} boundary`,
        });
        continue;
      }
      byTime.set(bar.time, bar);
    }
    const bars = [...byTime.values()].sort((a, b) => a.time - b.time);
    let expected = this.#last.has(symbol) ? floor : bars[0]?.time;
    for (const bar of bars) {
      if (expected !== undefined && bar.time > expected) {
        issues.push({
          symbol,
          kind: "gap",
          message: `exchange has no ${this.timeframe} bars from ${iso(expected)} to ${
            iso(bar.time)
          } (exclusive)`,
        });
      }
      expected = bar.time + this.timeframeMs;
    }
    return { bars, issues, reachedOpenBar };
  }

  /** Records a bar as delivered; must be called in time order. */
  markEmitted(symbol: string, openTime: number): void {
    const last = this.#last.get(symbol);
    if (last !== undefined && openTime <= last) {
      throw new Error(`${symbol}: bar ${iso(openTime)} is not after the last emitted ${iso(last)}`);
    }
    this.#last.set(symbol, openTime);
  }
}

const isNum = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);
const iso = (t: number) => new Date(t).toISOString();
