// Incremental wrappers over the `technicalindicators` package: one function per indicator
// that takes the newest bar's input and returns the value for that bar, or null while the
// indicator warms up or when its value is not a finite number.
//
// Quirks of technicalindicators@3.1.0 handled here (read from its dist/index.js):
// - nextValue returns undefined during warm-up; WilliamsR and Bollinger %B return NaN on a
//   window with zero range; VWAP returns NaN while cumulative volume is 0. All become null.
// - The declarations type ADX/WilliamsR/Stochastic nextValue as taking a number or the input
//   class, but the implementations take one candle {high, low, close}; the casts below say so.
// - Outputs pass through a global `setConfig("precision")` formatter unless an explicit
//   `format` is given, so every indicator gets the identity (inner sub-indicators the package
//   builds itself still use the global one: nothing in this project may set it).
// - Stochastic %K is 0 (not NaN) on a window with zero range: the package's choice, kept.
// - RSI is rounded to 2 decimals by the package itself (`toFixed(2)`).
// - MACD reports `signal: undefined` when the signal EMA is exactly 0 (a falsy check); the
//   histogram is still defined then, so the signal is recovered as MACD - histogram.
// - ADX never recovers from a NaN: if its first smoothing window has no true range or no
//   directional movement, DX is 0/0 and the Wilder average stays NaN forever. The wrapper
//   then starts a fresh ADX from the next bar (a new warm-up); real series never trigger it.
import {
  ADX,
  ATR,
  BollingerBands,
  EMA,
  MACD,
  OBV,
  ROC,
  RSI,
  SMA,
  Stochastic,
  VWAP,
  WilliamsR,
} from "technicalindicators";

export interface Hlc {
  high: number;
  low: number;
  close: number;
}

export interface Hlcv extends Hlc {
  volume: number;
}

/** What the package's objects really implement, whatever their declarations say. */
interface Incremental<I, O> {
  nextValue(input: I): O | undefined;
}

const identity = (v: number): number => v;

/** A finite number, else null. */
export const finiteOrNull = (v: unknown): number | null =>
  typeof v === "number" && Number.isFinite(v) ? v : null;

export type Streaming<I, O> = (input: I) => O;

export function streamingSma(period: number): Streaming<number, number | null> {
  const ind: Incremental<number, number> = new SMA({ period, values: [], format: identity });
  return (close) => finiteOrNull(ind.nextValue(close));
}

export function streamingEma(period: number): Streaming<number, number | null> {
  const ind: Incremental<number, number> = new EMA({ period, values: [], format: identity });
  return (close) => finiteOrNull(ind.nextValue(close));
}

export function streamingRsi(period: number): Streaming<number, number | null> {
  const ind: Incremental<number, number> = new RSI({ period, values: [], format: identity });
  return (close) => finiteOrNull(ind.nextValue(close));
}

export interface MacdValue {
  macd: number | null;
  signal: number | null;
  histogram: number | null;
}

export function streamingMacd(
  fastPeriod: number,
  slowPeriod: number,
  signalPeriod: number,
): Streaming<number, MacdValue> {
  const ind: Incremental<number, { MACD?: number; signal?: number; histogram?: number }> = new MACD(
    {
      values: [],
      fastPeriod,
      slowPeriod,
      signalPeriod,
      SimpleMAOscillator: false,
      SimpleMASignal: false,
      format: identity,
    },
  );
  return (close) => {
    const out = ind.nextValue(close);
    const macd = finiteOrNull(out?.MACD);
    const histogram = finiteOrNull(out?.histogram);
    let signal = finiteOrNull(out?.signal);
    if (signal === null && macd !== null && histogram !== null) signal = macd - histogram;
    return { macd, signal, histogram };
  };
}

export interface BollingerValue {
  upper: number | null;
  middle: number | null;
  lower: number | null;
  percentB: number | null;
}

export function streamingBollinger(
  period: number,
  stdDev: number,
): Streaming<number, BollingerValue> {
  const ind: Incremental<number, { upper: number; middle: number; lower: number; pb: number }> =
    new BollingerBands({ period, stdDev, values: [], format: identity });
  return (close) => {
    const out = ind.nextValue(close);
    return {
      upper: finiteOrNull(out?.upper),
      middle: finiteOrNull(out?.middle),
      lower: finiteOrNull(out?.lower),
      percentB: finiteOrNull(out?.pb),
    };
  };
}

export function streamingAtr(period: number): Streaming<Hlc, number | null> {
  const ind = new ATR({ period, high: [], low: [], close: [], format: identity }) as Incremental<
    Hlc,
    number
  >;
  return (bar) => finiteOrNull(ind.nextValue({ high: bar.high, low: bar.low, close: bar.close }));
}

export interface AdxValue {
  adx: number | null;
  plusDi: number | null;
  minusDi: number | null;
}

export function streamingAdx(period: number): Streaming<Hlc, AdxValue> {
  const make = () =>
    new ADX({ period, high: [], low: [], close: [], format: identity }) as unknown as Incremental<
      Hlc,
      { adx: number; pdi: number; mdi: number }
    >;
  let ind = make();
  return (bar) => {
    const out = ind.nextValue({ high: bar.high, low: bar.low, close: bar.close });
    if (out !== undefined && !Number.isFinite(out.adx)) {
      ind = make();
      return { adx: null, plusDi: null, minusDi: null };
    }
    return {
      adx: finiteOrNull(out?.adx),
      plusDi: finiteOrNull(out?.pdi),
      minusDi: finiteOrNull(out?.mdi),
    };
  };
}

export interface StochasticValue {
  k: number | null;
  d: number | null;
}

export function streamingStochastic(
  period: number,
  signalPeriod: number,
): Streaming<Hlc, StochasticValue> {
  const ind = new Stochastic({
    period,
    signalPeriod,
    high: [],
    low: [],
    close: [],
    format: identity,
  }) as unknown as Incremental<Hlc, { k: number; d?: number }>;
  return (bar) => {
    const out = ind.nextValue({ high: bar.high, low: bar.low, close: bar.close });
    return { k: finiteOrNull(out?.k), d: finiteOrNull(out?.d) };
  };
}

export function streamingRoc(period: number): Streaming<number, number | null> {
  const ind: Incremental<number, number> = new ROC({ period, values: [], format: identity });
  return (close) => finiteOrNull(ind.nextValue(close));
}

export function streamingWilliamsR(period: number): Streaming<Hlc, number | null> {
  const ind = new WilliamsR({
    period,
    high: [],
    low: [],
    close: [],
    format: identity,
  }) as unknown as Incremental<Hlc, number>;
  return (bar) => finiteOrNull(ind.nextValue({ high: bar.high, low: bar.low, close: bar.close }));
}

/** On-balance volume, cumulative from 0 at the second bar (the first bar has no prior close). */
export function streamingObv(): Streaming<{ close: number; volume: number }, number | null> {
  const ind = new OBV({ close: [], volume: [], format: identity }) as Incremental<
    { close: number; volume: number },
    number
  >;
  return (bar) => finiteOrNull(ind.nextValue({ close: bar.close, volume: bar.volume }));
}

/** The package's VWAP: cumulative over every bar given to this instance. */
export function streamingCumulativeVwap(): Streaming<Hlcv, number | null> {
  const ind = new VWAP({
    high: [],
    low: [],
    close: [],
    volume: [],
    format: identity,
  }) as Incremental<
    Hlcv,
    number
  >;
  return (bar) =>
    finiteOrNull(
      ind.nextValue({ high: bar.high, low: bar.low, close: bar.close, volume: bar.volume }),
    );
}
