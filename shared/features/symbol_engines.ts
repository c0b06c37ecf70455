// One FeatureEngine per symbol, created on a symbol's first bar. A bar whose time is not
// after the last one processed for its symbol (a redelivery or a duplicate) is skipped.
import type { Bar } from "../messages/mod.ts";
import type { FeatureConfig } from "./config.ts";
import { FeatureEngine, FeatureError, type FeatureVector } from "./engine.ts";

interface SymbolEntry {
  timeframe: string;
  engine: FeatureEngine;
}

export class SymbolEngines {
  readonly #entries = new Map<string, SymbolEntry>();

  constructor(readonly config: Partial<FeatureConfig> = {}) {
    // Validate once up front so a bad configuration fails at construction, not on a bar.
    new FeatureEngine(config);
  }

  /**
   * The features of `bar`, or null when the bar is not newer than its symbol's last one.
   * Throws FeatureError on a bad bar or on a timeframe other than the symbol's first one.
   */
  accept(bar: Bar): FeatureVector | null {
    let entry = this.#entries.get(bar.symbol);
    if (entry === undefined) {
      entry = { timeframe: bar.timeframe, engine: new FeatureEngine(this.config) };
      this.#entries.set(bar.symbol, entry);
    } else if (bar.timeframe !== entry.timeframe) {
      throw new FeatureError(
        `bar ${bar.symbol}@${bar.time}: timeframe '${bar.timeframe}' differs from '${entry.timeframe}' of earlier bars`,
      );
    }
    const last = entry.engine.lastTime;
    if (last !== null && bar.time <= last) return null;
    try {
      return entry.engine.update(bar);
    } finally {
      // A symbol whose first bar was rejected must not keep an empty engine around.
      if (entry.engine.count === 0) this.#entries.delete(bar.symbol);
    }
  }

  /** Per symbol: timeframe, bars processed and last bar time (for describe()). */
  summary(): Record<string, { timeframe: string; bars: number; lastTime: number | null }> {
    const out: Record<string, { timeframe: string; bars: number; lastTime: number | null }> = {};
    for (const [symbol, e] of this.#entries) {
      out[symbol] = { timeframe: e.timeframe, bars: e.engine.count, lastTime: e.engine.lastTime };
    }
    return out;
  }
}
