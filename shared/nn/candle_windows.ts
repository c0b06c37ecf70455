// Normalised OHLCV candle windows for the pattern CNN: input [steps, 5] per window.
// Each window is scaled by its own last bar only, so a window ending at bar t uses no data
// after t, and adding later bars never changes it.
import { type WindowBatch, windowBatch } from "./window_batch.ts";

export interface Candle {
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
}

/** Channel order of a candle window. */
export const CANDLE_CHANNELS = ["open", "high", "low", "close", "volume"] as const;

function checkCandle(c: Candle, i: number): void {
  for (const key of ["open", "high", "low", "close"] as const) {
    const v = c[key];
    if (typeof v !== "number" || !Number.isFinite(v) || v <= 0) {
      throw new Error(`candleWindows: bar ${i} ${key} must be a positive finite number (got ${v})`);
    }
  }
  if (typeof c.volume !== "number" || !Number.isFinite(c.volume) || c.volume < 0) {
    throw new Error(
      `candleWindows: bar ${i} volume must be a non-negative finite number (got ${c.volume})`,
    );
  }
}

/**
 * Window j covers bars j..j+steps-1. Prices become ln(price / close of the window's last
 * bar); volume becomes ln(1 + volume) minus its mean over the window (0 for a window of
 * zero-volume bars, e.g. an index).
 */
export function candleWindows(bars: readonly Candle[], steps: number): WindowBatch {
  if (!Number.isSafeInteger(steps) || steps <= 0) {
    throw new Error(`candleWindows: steps must be a positive integer (got ${String(steps)})`);
  }
  bars.forEach(checkCandle);
  const n = Math.max(0, bars.length - steps + 1);
  const out = new Float32Array(n * steps * 5);
  const logVol = bars.map((b) => Math.log1p(b.volume));
  for (let j = 0; j < n; j++) {
    const last = bars[j + steps - 1].close;
    let volMean = 0;
    for (let s = 0; s < steps; s++) volMean += logVol[j + s];
    volMean /= steps;
    for (let s = 0; s < steps; s++) {
      const b = bars[j + s];
      const o = (j * steps + s) * 5;
      out[o] = Math.log(b.open / last);
      out[o + 1] = Math.log(b.high / last);
      out[o + 2] = Math.log(b.low / last);
      out[o + 3] = Math.log(b.close / last);
      out[o + 4] = logVol[j + s] - volMean;
    }
  }
  return windowBatch(out, [n, steps, 5]);
}
