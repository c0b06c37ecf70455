// The per-symbol feature engine: one bar in, one feature vector out. Every value for bar t
// is computed from bars 0..t only; later bars never change it (no look-ahead).
//
// The indicator objects inside hold generator state that cannot be serialized: an engine
// is rebuilt by feeding it the same bars again.
import { checkFeatureBar, type FeatureBar } from "./bar_input.ts";
import { type FeatureConfig, resolveFeatureConfig } from "./config.ts";
import {
  streamingAdx,
  streamingAtr,
  streamingBollinger,
  streamingEma,
  streamingMacd,
  streamingObv,
  streamingRoc,
  streamingRsi,
  streamingSma,
  streamingStochastic,
  streamingWilliamsR,
} from "./indicators.ts";
import { streamingSessionVwap } from "./session_vwap.ts";
import {
  streamingEwmaVol,
  streamingLogReturn,
  streamingParkinsonVol,
  streamingPercentileRank,
  streamingRealizedVol,
} from "./volatility_estimators.ts";

/** Features of one bar; null while an indicator warms up or has no finite value. */
export interface FeatureVector {
  /** 0-based position of the bar in this engine's history. */
  index: number;
  time: number;
  close: number;
  logReturn: number | null;
  sma: number | null;
  emaFast: number | null;
  emaSlow: number | null;
  /** 0..100, rounded to 2 decimals by technicalindicators. */
  rsi: number | null;
  macd: number | null;
  macdSignal: number | null;
  macdHistogram: number | null;
  bbUpper: number | null;
  bbMiddle: number | null;
  bbLower: number | null;
  bbPercentB: number | null;
  atr: number | null;
  adx: number | null;
  plusDi: number | null;
  minusDi: number | null;
  stochK: number | null;
  stochD: number | null;
  /** Percent change over rocPeriod bars. */
  roc: number | null;
  /** -100..0. */
  williamsR: number | null;
  obv: number | null;
  vwap: number | null;
  /** Per-bar standard deviation of log returns over volWindow returns. */
  realizedVol: number | null;
  /** Per-bar Parkinson high/low volatility over volWindow bars. */
  parkinsonVol: number | null;
  /** RiskMetrics forecast of the next bar's per-bar volatility. */
  ewmaVol: number | null;
  /** Percentile rank (0..1) of realizedVol among its last volRankWindow values. */
  realizedVolRank: number | null;
}

export class FeatureError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "FeatureError";
  }
}

export class FeatureEngine {
  readonly config: FeatureConfig;
  #lastTime: number | null = null;
  #count = 0;
  readonly #step: (bar: FeatureBar, index: number) => FeatureVector;

  constructor(config: Partial<FeatureConfig> = {}) {
    this.config = resolveFeatureConfig(config);
    this.#step = buildStep(this.config);
  }

  /** Time of the last bar accepted, or null before the first. */
  get lastTime(): number | null {
    return this.#lastTime;
  }

  /** Bars accepted so far. */
  get count(): number {
    return this.#count;
  }

  /** Adds the next bar; throws FeatureError (leaving the engine unchanged) on a bad bar. */
  update(bar: FeatureBar): FeatureVector {
    const problem = checkFeatureBar(bar, this.#lastTime);
    if (problem !== null) throw new FeatureError(`rejected bar at ${bar?.time}: ${problem}`);
    const vector = this.#step(bar, this.#count);
    this.#lastTime = bar.time;
    this.#count++;
    return vector;
  }
}

function buildStep(c: FeatureConfig): (bar: FeatureBar, index: number) => FeatureVector {
  const sma = streamingSma(c.smaPeriod);
  const emaFast = streamingEma(c.emaFastPeriod);
  const emaSlow = streamingEma(c.emaSlowPeriod);
  const rsi = streamingRsi(c.rsiPeriod);
  const macd = streamingMacd(c.macdFastPeriod, c.macdSlowPeriod, c.macdSignalPeriod);
  const bollinger = streamingBollinger(c.bbPeriod, c.bbStdDev);
  const atr = streamingAtr(c.atrPeriod);
  const adx = streamingAdx(c.adxPeriod);
  const stochastic = streamingStochastic(c.stochPeriod, c.stochSignalPeriod);
  const roc = streamingRoc(c.rocPeriod);
  const williamsR = streamingWilliamsR(c.williamsRPeriod);
  const obv = streamingObv();
  const vwap = streamingSessionVwap(c.vwapAnchor);
  const logReturn = streamingLogReturn();
  const realizedVol = streamingRealizedVol(c.volWindow);
  const parkinsonVol = streamingParkinsonVol(c.volWindow);
  const ewmaVol = streamingEwmaVol(c.ewmaLambda, c.volWindow);
  const volRank = streamingPercentileRank(c.volRankWindow, c.volRankMinSamples);

  return (bar, index) => {
    const m = macd(bar.close);
    const bb = bollinger(bar.close);
    const dm = adx(bar);
    const st = stochastic(bar);
    const r = logReturn(bar.close);
    const rv = realizedVol(r);
    return {
      index,
      time: bar.time,
      close: bar.close,
      logReturn: r,
      sma: sma(bar.close),
      emaFast: emaFast(bar.close),
      emaSlow: emaSlow(bar.close),
      rsi: rsi(bar.close),
      macd: m.macd,
      macdSignal: m.signal,
      macdHistogram: m.histogram,
      bbUpper: bb.upper,
      bbMiddle: bb.middle,
      bbLower: bb.lower,
      bbPercentB: bb.percentB,
      atr: atr(bar),
      adx: dm.adx,
      plusDi: dm.plusDi,
      minusDi: dm.minusDi,
      stochK: st.k,
      stochD: st.d,
      roc: roc(bar.close),
      williamsR: williamsR(bar),
      obv: obv(bar),
      vwap: vwap(bar),
      realizedVol: rv,
      parkinsonVol: parkinsonVol(bar),
      ewmaVol: ewmaVol(r),
      realizedVolRank: volRank(rv),
    };
  };
}
