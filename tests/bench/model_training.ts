// The models the inference benchmark serves: a short walk-forward of the trend GRU and the
// pattern CNN on SPY daily (timed per fold), their ONNX files and cards, and the GARCH and
// HMM cards, written to a folder laid out like `deno task train --out DIR`.
import { loadBarFile } from "../../shared/data/bar_file_read.ts";
import { writeCard } from "../../shared/learn/card.ts";
import { exportCnnToOnnx } from "../../shared/nn/export_cnn.ts";
import { exportGruToOnnx } from "../../shared/nn/export_gru.ts";
import {
  buildPatternDataset,
  buildTrendDataset,
  type DatasetOptions,
} from "../../shared/train/datasets.ts";
import {
  DEFAULT_NN_TRAIN_OPTIONS,
  type NnTrainOptions,
  walkForwardTrain,
} from "../../shared/train/nn_train.ts";
import { buildNnCard } from "../../shared/train/orchestrate.ts";
import { trainGarch, writeVolatilityCard } from "../../shared/train/garch_train.ts";
import { trainHmm, writeRegimeCard } from "../../shared/train/hmm_train.ts";
import { cardPath, onnxPath } from "../../agents/models.ts";

export interface TrainingTimes {
  /** Seconds per walk-forward fold (train the model, predict its test window). */
  trend: number[];
  pattern: number[];
  /** Whole walk-forward fits (every fold) of the econometric models, seconds. */
  garchS: number;
  garchFolds: number;
  hmmS: number;
  hmmFolds: number;
  epochs: number;
}

export interface BenchTrainingOptions {
  /** Bar file to train on (SPY daily). */
  data: string;
  outDir: string;
  /** Folds of the walk-forward kept (the last ones). */
  folds: number;
  epochs: number;
}

const LABELS = { horizon: 1, volWindow: 20, deadZone: 0.25 };
const DATASET: DatasetOptions = { window: 20, labels: LABELS };
const STAMP = { createdAt: "2026-01-01T00:00:00.000Z", codeVersion: "bench" };

/** Trains every served model into `outDir`; returns the timings. */
export async function trainBenchModels(o: BenchTrainingOptions): Promise<TrainingTimes> {
  const loaded = await loadBarFile(o.data);
  const series = { symbol: loaded.symbol, bars: loaded.bars };
  await Deno.mkdir(o.outDir, { recursive: true });
  const times: Record<"trend" | "pattern", number[]> = { trend: [], pattern: [] };
  for (const agent of ["trend", "pattern"] as const) {
    const ds = agent === "trend"
      ? buildTrendDataset([series], DATASET)
      : buildPatternDataset([series], DATASET);
    let mark = performance.now();
    const opts: NnTrainOptions = {
      ...DEFAULT_NN_TRAIN_OPTIONS,
      horizon: LABELS.horizon,
      maxFolds: o.folds,
      epochs: o.epochs,
      onFold: () => {
        const now = performance.now();
        times[agent].push((now - mark) / 1000);
        mark = now;
      },
    };
    const r = await walkForwardTrain(ds, opts);
    try {
      const card = buildNnCard({
        agent,
        ds,
        result: r,
        opts,
        labels: LABELS,
        timeframe: loaded.timeframe,
        dataSha256: "0".repeat(64),
        ...STAMP,
      });
      const bytes = agent === "trend" ? exportGruToOnnx(r.model) : exportCnnToOnnx(r.model);
      await Deno.writeFile(onnxPath(o.outDir, agent), bytes);
      await writeCard(cardPath(o.outDir, agent), card);
    } finally {
      r.model.dispose();
    }
  }
  // The econometric fits walk forward over the whole file: keep the bars of `folds` folds
  // (1000 training returns, then 250 per test window, their defaults).
  const econBars = loaded.bars.slice(-(1000 + 250 * o.folds + 2));
  let t0 = performance.now();
  const garch = trainGarch(econBars, STAMP);
  const garchS = (performance.now() - t0) / 1000;
  await writeVolatilityCard(o.outDir, garch.card);
  t0 = performance.now();
  const hmm = trainHmm(econBars, STAMP);
  const hmmS = (performance.now() - t0) / 1000;
  await writeRegimeCard(o.outDir, hmm.card);
  return {
    ...times,
    garchS,
    garchFolds: garch.folds.length,
    hmmS,
    hmmFolds: hmm.folds.length,
    epochs: o.epochs,
  };
}
