// Training datasets for the trend (GRU) and pattern (CNN) models, built with the SAME code the
// agents run bar by bar: the streaming FeatureEngine and `trendFeatureRow` for trend, and
// `candleWindows` for pattern. A window for bar t holds bars up to t only; its label looks
// `horizon` bars ahead (directionLabels). tf.js is not imported here, so the agents can use
// the row and normalisation functions without loading it.
import { FeatureEngine, type FeatureVector } from "../features/engine.ts";
import type { FeatureConfig } from "../features/config.ts";
import { type Candle, CANDLE_CHANNELS, candleWindows } from "../nn/candle_windows.ts";
import { type WindowBatch, windowBatch } from "../nn/window_batch.ts";
import { type DirectionLabel, directionLabels, type LabelOptions } from "../learn/labels.ts";
import type { Fold } from "../learn/walk_forward.ts";

/**
 * The trend model's inputs, in order. All are scale-free (returns, oscillators, ratios), so
 * one model can read several symbols and price levels.
 */
export const TREND_FEATURES = [
  "logReturn",
  "rsi",
  "macdHistogramOverAtr",
  "bbPercentB",
  "roc",
  "williamsR",
  "realizedVol",
  "adx",
] as const;
export type TrendFeature = (typeof TREND_FEATURES)[number];

/** The pattern model's channels: candleWindows' order. */
export const PATTERN_CHANNELS: readonly string[] = CANDLE_CHANNELS;

/**
 * Feature-engine settings of the trend model (the engine's defaults; the VWAP, unused, is
 * cumulative so daily bars need no session anchor). Stored in the card and checked by the agent.
 */
export const TREND_FEATURE_CONFIG: Readonly<Partial<FeatureConfig>> = Object.freeze({
  vwapAnchor: null,
});

/**
 * One bar's trend inputs from its feature vector, or null while any is undefined (warm-up, a
 * zero ATR). The one function both the dataset and the agent use.
 */
export function trendFeatureRow(f: FeatureVector): number[] | null {
  const { logReturn, rsi, macdHistogram, atr, bbPercentB, roc, williamsR, realizedVol, adx } = f;
  if (macdHistogram === null || atr === null || !(atr > 0)) return null;
  const row = [
    logReturn,
    rsi,
    macdHistogram / atr,
    bbPercentB,
    roc,
    williamsR,
    realizedVol,
    adx,
  ];
  for (const v of row) if (v === null || !Number.isFinite(v)) return null;
  return row as number[];
}

export interface Normalisation {
  mean: number[];
  std: number[];
}

/** (x − mean) / std per feature, as float32 (what the model reads). */
export function normaliseRows(
  rows: readonly (readonly number[])[],
  norm: Normalisation,
): number[][] {
  return rows.map((row, r) => {
    if (row.length !== norm.mean.length) {
      throw new RangeError(
        `normaliseRows: row ${r} has ${row.length} values for ${norm.mean.length} features`,
      );
    }
    // float32 first, as the dataset stores raw rows, so both paths give the same bits
    return row.map((x, i) => Math.fround((Math.fround(x) - norm.mean[i]) / norm.std[i]));
  });
}

/** A bar of one symbol, as the datasets read it. */
export interface SeriesBar extends Candle {
  readonly time: number;
}

export interface SymbolSeries {
  readonly symbol: string;
  readonly bars: readonly SeriesBar[];
}

export interface DatasetOptions {
  /** Bars per window (K). */
  window: number;
  labels: LabelOptions;
}

/**
 * Samples in time order, `symbolsPerTime` per bar time (symbol order as given): sample
 * i = timeIndex · S + s. Only bar times where every symbol has a full window are kept, so a
 * walk-forward split over time indices maps onto contiguous sample ranges.
 */
export interface Dataset {
  readonly kind: "trend" | "pattern";
  readonly symbols: readonly string[];
  readonly symbolsPerTime: number;
  /** Bar time of each sample. */
  readonly times: readonly number[];
  /** Distinct bar times, one per time index. */
  readonly barTimes: readonly number[];
  /** Raw (un-normalised) windows [samples, window, features]. */
  readonly x: WindowBatch;
  /** null where the label is undefined (last `horizon` bars, volatility warm-up). */
  readonly labels: readonly (DirectionLabel | null)[];
  readonly featureNames: readonly string[];
}

function checkOptions(opts: DatasetOptions): void {
  if (!Number.isSafeInteger(opts.window) || opts.window < 1) {
    throw new RangeError(`window: expected an integer >= 1 (got ${opts.window})`);
  }
}

function checkSeries(series: readonly SymbolSeries[]): void {
  if (series.length === 0) throw new RangeError("dataset: no symbol series given");
  const seen = new Set<string>();
  for (const s of series) {
    if (seen.has(s.symbol)) throw new RangeError(`dataset: symbol '${s.symbol}' given twice`);
    seen.add(s.symbol);
    for (let i = 1; i < s.bars.length; i++) {
      if (!(s.bars[i].time > s.bars[i - 1].time)) {
        throw new RangeError(
          `dataset: ${s.symbol} bar ${i} (time ${s.bars[i].time}) is not after bar ${i - 1}`,
        );
      }
    }
  }
}

/** Per bar of one symbol: the trend feature rows the agent's engine produces. */
export function trendRowsOf(bars: readonly SeriesBar[]): (number[] | null)[] {
  const engine = new FeatureEngine(TREND_FEATURE_CONFIG);
  return bars.map((b) => trendFeatureRow(engine.update(b)));
}

/** Window of the K rows ending at each bar, or null unless all K rows are defined. */
function trendWindows(rows: readonly (number[] | null)[], k: number): (number[][] | null)[] {
  let run = 0;
  return rows.map((row, t) => {
    run = row === null ? 0 : run + 1;
    return run >= k ? (rows.slice(t - k + 1, t + 1) as number[][]) : null;
  });
}

function patternWindows(bars: readonly SeriesBar[], k: number): (Float32Array | null)[] {
  const batch = candleWindows(bars, k);
  const size = k * PATTERN_CHANNELS.length;
  return bars.map((_, t) =>
    t >= k - 1 ? batch.data.subarray((t - k + 1) * size, (t - k + 2) * size) : null
  );
}

function assemble(
  kind: Dataset["kind"],
  series: readonly SymbolSeries[],
  opts: DatasetOptions,
  featureNames: readonly string[],
  windowsOf: (bars: readonly SeriesBar[]) => (ArrayLike<number> | null)[],
): Dataset {
  checkOptions(opts);
  checkSeries(series);
  const per = series.map((s) => {
    const windows = windowsOf(s.bars);
    const labels = directionLabels(s.bars.map((b) => b.close), opts.labels);
    const byTime = new Map<number, number>();
    s.bars.forEach((b, t) => {
      if (windows[t] !== null) byTime.set(b.time, t);
    });
    return { windows, labels, byTime };
  });
  const barTimes = [...per[0].byTime.keys()].filter((time) => per.every((p) => p.byTime.has(time)));
  const S = series.length;
  const size = opts.window * featureNames.length;
  const data = new Float32Array(barTimes.length * S * size);
  const times: number[] = [];
  const labels: (DirectionLabel | null)[] = [];
  barTimes.forEach((time, ti) => {
    per.forEach((p, s) => {
      const t = p.byTime.get(time) as number;
      data.set(flatten(p.windows[t] as ArrayLike<number>), (ti * S + s) * size);
      times.push(time);
      labels.push(p.labels[t]);
    });
  });
  return {
    kind,
    symbols: series.map((s) => s.symbol),
    symbolsPerTime: S,
    times,
    barTimes,
    x: windowBatch(data, [times.length, opts.window, featureNames.length]),
    labels,
    featureNames,
  };
}

function flatten(w: ArrayLike<number> | number[][]): ArrayLike<number> {
  if (Array.isArray(w) && Array.isArray(w[0])) return (w as number[][]).flat();
  return w as ArrayLike<number>;
}

/** Windows of the last K trend feature rows (raw) per bar, pooled over the symbols. */
export function buildTrendDataset(series: readonly SymbolSeries[], opts: DatasetOptions): Dataset {
  return assemble(
    "trend",
    series,
    opts,
    TREND_FEATURES,
    (bars) => trendWindows(trendRowsOf(bars), opts.window) as (ArrayLike<number> | null)[],
  );
}

/** candleWindows of the last K candles per bar (scaled by the window's last close), pooled. */
export function buildPatternDataset(
  series: readonly SymbolSeries[],
  opts: DatasetOptions,
): Dataset {
  return assemble("pattern", series, opts, PATTERN_CHANNELS, (bars) => {
    checkOptions(opts);
    return patternWindows(bars, opts.window);
  });
}

/**
 * Mean and (population) standard deviation of each feature over the LAST row of the training
 * samples [start, end): each bar counted once, nothing from outside the training range.
 */
export function fitNormalisation(x: WindowBatch, start: number, end: number): Normalisation {
  const [n, k, f] = x.shape;
  if (
    !(Number.isSafeInteger(start) && Number.isSafeInteger(end) && 0 <= start && start < end &&
      end <= n)
  ) {
    throw new RangeError(`fitNormalisation: range [${start}, ${end}) is empty or outside 0..${n}`);
  }
  const mean = new Array<number>(f).fill(0);
  const sq = new Array<number>(f).fill(0);
  const count = end - start;
  for (let i = start; i < end; i++) {
    const o = (i * k + k - 1) * f;
    for (let j = 0; j < f; j++) mean[j] += x.data[o + j];
  }
  for (let j = 0; j < f; j++) mean[j] /= count;
  for (let i = start; i < end; i++) {
    const o = (i * k + k - 1) * f;
    for (let j = 0; j < f; j++) sq[j] += (x.data[o + j] - mean[j]) ** 2;
  }
  const std = sq.map((s, j) => {
    const sd = Math.sqrt(s / count);
    if (!(sd > 0)) {
      throw new RangeError(`fitNormalisation: feature ${j} is constant over [${start}, ${end})`);
    }
    return sd;
  });
  return { mean, std };
}

/** A copy of the windows with every step normalised. */
export function normaliseBatch(x: WindowBatch, norm: Normalisation): WindowBatch {
  const f = x.shape[2];
  if (norm.mean.length !== f || norm.std.length !== f) {
    throw new RangeError(
      `normaliseBatch: normalisation has ${norm.mean.length}/${norm.std.length} values for ${f} features`,
    );
  }
  const out = new Float32Array(x.data.length);
  for (let i = 0; i < out.length; i++) {
    const j = i % f;
    out[i] = (x.data[i] - norm.mean[j]) / norm.std[j];
  }
  return windowBatch(out, x.shape);
}

/** Time-index folds → sample-index folds (S samples per bar time; purge and embargo scale). */
export function sampleFolds(folds: readonly Fold[], symbolsPerTime: number): Fold[] {
  const s = symbolsPerTime;
  const scale = (r: readonly [number, number]) => [r[0] * s, r[1] * s] as const;
  return folds.map((f) => ({
    index: f.index,
    train: scale(f.train),
    test: scale(f.test),
    purged: scale(f.purged),
    embargoed: scale(f.embargoed),
  }));
}
