// Shared helpers of the train_nn / learned_trend / pattern_core tests: SPY daily bars
// (../shared/data/etf_daily, yfinance export, adjusted) as the agents receive them, and one
// small walk-forward training per model kind (cached per test process).
import { devDataPath, loadBarFile } from "../../shared/data/mod.ts";
import type { AnyEnvelope, Bar } from "../../shared/messages/mod.ts";
import { makeEnvelope } from "../../shared/messages/mod.ts";
import type { ModelCard } from "../../shared/learn/mod.ts";
import { exportCnnToOnnx } from "../../shared/nn/export_cnn.ts";
import { exportGruToOnnx } from "../../shared/nn/export_gru.ts";
import { OnnxModel } from "../../shared/nn/onnx_model.ts";
import {
  buildPatternDataset,
  buildTrendDataset,
  type Dataset,
  type DatasetOptions,
  type SymbolSeries,
} from "../../shared/train/datasets.ts";
import {
  DEFAULT_NN_TRAIN_OPTIONS,
  type NnTrainOptions,
  type WalkForwardNnResult,
  walkForwardTrain,
} from "../../shared/train/nn_train.ts";
import { buildNnCard } from "../../shared/train/orchestrate.ts";

export const LABELS = { horizon: 1, volWindow: 20, deadZone: 0.25 };
export const DATASET_OPTIONS: DatasetOptions = { window: 20, labels: LABELS };

export async function loadSeries(file: string): Promise<SymbolSeries & { timeframe: string }> {
  const s = await loadBarFile(devDataPath(`etf_daily/${file}`));
  return { symbol: s.symbol, timeframe: s.timeframe, bars: s.bars };
}

let spy: Promise<SymbolSeries & { timeframe: string }> | null = null;
export function spySeries(): Promise<SymbolSeries & { timeframe: string }> {
  spy ??= loadSeries("SPY.csv");
  return spy;
}

/** The bars of a series as feed messages on md.bars. */
export function barMessages(s: SymbolSeries & { timeframe: string }): AnyEnvelope[] {
  return s.bars.map((b, seq) => {
    const bar: Bar = {
      symbol: s.symbol,
      timeframe: s.timeframe,
      time: b.time,
      open: b.open,
      high: b.high,
      low: b.low,
      close: b.close,
      volume: b.volume,
      seq,
    };
    return makeEnvelope("bar", {
      id: `feed:bar:${s.symbol}:${b.time}`,
      producer: "feed",
      time: b.time,
      corr: `bar:${s.symbol}:${b.time}`,
    }, bar);
  });
}

export const SMALL_TRAINING: NnTrainOptions = {
  ...DEFAULT_NN_TRAIN_OPTIONS,
  horizon: 1,
  trainBars: 504,
  testBars: 126,
  maxFolds: 1,
  epochs: 2,
};

export interface Trained {
  ds: Dataset;
  result: WalkForwardNnResult;
  card: ModelCard;
  onnxBytes: Uint8Array;
  model: OnnxModel;
}

const cache = new Map<string, Promise<Trained>>();

/** One fold of SPY, 2 epochs: small, but a real trained model, its card and its ONNX. */
export function trainedOnSpy(kind: "trend" | "pattern"): Promise<Trained> {
  let p = cache.get(kind);
  if (p === undefined) {
    p = (async () => {
      const series = await spySeries();
      const ds = kind === "trend"
        ? buildTrendDataset([series], DATASET_OPTIONS)
        : buildPatternDataset([series], DATASET_OPTIONS);
      const result = await walkForwardTrain(ds, SMALL_TRAINING);
      const card = buildNnCard({
        agent: kind,
        ds,
        result,
        opts: SMALL_TRAINING,
        labels: LABELS,
        timeframe: series.timeframe,
        dataSha256: "0".repeat(64),
        createdAt: "2026-01-02T03:04:05.000Z",
        codeVersion: "test",
      });
      const onnxBytes = kind === "trend"
        ? exportGruToOnnx(result.model)
        : exportCnnToOnnx(result.model);
      const model = await OnnxModel.load(onnxBytes);
      return { ds, result, card, onnxBytes, model };
    })();
    cache.set(kind, p);
  }
  return p;
}
