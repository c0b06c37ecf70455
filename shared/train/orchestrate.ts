// Trains the learned agents from bar files: loads and pools the series, builds each agent's
// dataset, runs the walk-forward, exports the last fold's model to ONNX and writes its card.
// Prints nothing itself; `formatSummary` renders the result table.
import { loadBarFile } from "../data/bar_file_read.ts";
import { resampleBars } from "../data/resample.ts";
import type { RawBar } from "../data/raw_bar.ts";
import {
  BASELINE_NAMES,
  DIRECTIONS,
  fingerprintFiles,
  type LabelOptions,
  type MetricSet,
  type ModelCard,
  parseCard,
  trainWindowsFromFolds,
  writeCard,
} from "../learn/mod.ts";
import { exportCnnToOnnx } from "../nn/export_cnn.ts";
import { exportGruToOnnx } from "../nn/export_gru.ts";
import {
  buildPatternDataset,
  buildTrendDataset,
  type Dataset,
  type DatasetOptions,
  type SymbolSeries,
  TREND_FEATURE_CONFIG,
} from "./datasets.ts";
import {
  DEFAULT_NN_TRAIN_OPTIONS,
  type NnTrainOptions,
  type WalkForwardNnResult,
  walkForwardTrain,
  withLeakWarning,
} from "./nn_train.ts";
import { trainGarch, writeVolatilityCard } from "./garch_train.ts";
import { trainHmm, writeRegimeCard } from "./hmm_train.ts";
import { exportDenseToOnnx } from "../nn/export_dense.ts";
import { leakWarning } from "../learn/mod.ts";
import {
  type BaseOutOfSample,
  DEFAULT_STACKER_OPTIONS,
  joinOutOfSample,
  type StackerOptions,
  trainStacker,
} from "./meta_train.ts";
import { buildMetaCard } from "./meta_card.ts";

export const NN_AGENTS = ["trend", "pattern"] as const;
export const TRAINABLE_AGENTS = [...NN_AGENTS, "volatility", "regime", "meta"] as const;
export type TrainableAgent = (typeof TRAINABLE_AGENTS)[number];

export interface TrainRequest {
  dataFiles: readonly string[];
  outDir: string;
  /** Expected timeframe of every file (e.g. "1d"); default: whatever the files have, if one. */
  timeframe?: string;
  /** Label horizon in bars (default 1). */
  horizon?: number;
  agents: readonly TrainableAgent[];
  maxFolds?: number;
  /** Bars per window (default 20 for both models). */
  window?: number;
  /** Dead zone k in σ_t·√N (default 0.25) and σ_t's window (default 20). */
  deadZone?: number;
  volWindow?: number;
  nn?: Partial<Omit<NnTrainOptions, "horizon" | "maxFolds" | "onFold">>;
  /** The meta stacker's options (its walk-forward runs over the base agents' OOS rows). */
  meta?: Partial<Omit<StackerOptions, "horizon">>;
  createdAt: string;
  codeVersion: string;
  log?: (line: string) => void;
}

export interface AgentResult {
  agent: TrainableAgent;
  card: ModelCard;
  cardPath: string;
  /** null for models without an ONNX file (volatility, regime: parameters live in the card). */
  modelPath: string | null;
  leak: string | null;
}

export async function loadSeries(
  files: readonly string[],
  timeframe?: string,
): Promise<{ series: (SymbolSeries & { timeframe: string })[]; raw: RawBar[][] }> {
  if (files.length === 0) throw new RangeError("train: give at least one --data file");
  const loaded = [];
  for (const f of files) loaded.push(await loadBarFile(f));
  const tf = timeframe ?? loaded[0].timeframe;
  // Coarser bars are built exactly as the feed builds them for `--replay --timeframe`.
  const bars = loaded.map((s) => s.timeframe === tf ? s.bars : resampleBars(s.bars, tf));
  loaded.forEach((s, i) => {
    const got = bars[i].length > 0 ? bars[i][0].timeframe : tf;
    if (got !== tf) {
      throw new RangeError(`train: ${s.file} holds ${s.timeframe} bars, cannot make ${tf} of them`);
    }
  });
  return {
    series: loaded.map((s, i) => ({ symbol: s.symbol, timeframe: tf, bars: bars[i] })),
    raw: bars,
  };
}

function metricsRecord(m: MetricSet): Record<string, number | null> {
  return { ...m };
}

export async function trainAgents(req: TrainRequest): Promise<AgentResult[]> {
  const log = req.log ?? (() => {});
  const horizon = req.horizon ?? 1;
  const window = req.window ?? 20;
  const labels = { horizon, volWindow: req.volWindow ?? 20, deadZone: req.deadZone ?? 0.25 };
  for (const a of req.agents) {
    if (!(TRAINABLE_AGENTS as readonly string[]).includes(a)) {
      throw new RangeError(
        `train: unknown agent '${a}' (accepted: ${TRAINABLE_AGENTS.join(", ")})`,
      );
    }
  }
  const { series, raw } = await loadSeries(req.dataFiles, req.timeframe);
  const timeframe = series[0].timeframe;
  const dataSha = await fingerprintFiles([...req.dataFiles]);
  await Deno.mkdir(req.outDir, { recursive: true });
  const out = req.outDir.replace(/[\\/]+$/, "");
  const results: AgentResult[] = [];
  const dsOpts: DatasetOptions = { window, labels };
  if (req.agents.includes("meta") && !req.agents.some((a) => a === "trend" || a === "pattern")) {
    throw new RangeError(
      "train: meta stacks the out-of-sample predictions of trend and/or pattern: train them " +
        "in the same run (--agents trend,pattern,meta)",
    );
  }
  const bases: BaseOutOfSample[] = [];
  // meta last: it needs the base agents' out-of-sample predictions
  const order = [
    ...req.agents.filter((a) => a !== "meta"),
    ...req.agents.filter((a) => a === "meta"),
  ];
  for (const agent of order) {
    if (agent === "meta") {
      results.push(
        await trainMeta(req, bases, results, out, horizon, timeframe, dataSha, series, log),
      );
      continue;
    }
    if (agent === "volatility" || agent === "regime") {
      // one series per model: the GARCH and the HMM describe a single instrument
      if (raw.length > 1) log(`${agent}: fitted on the first --data file only`);
      const stamp = { createdAt: req.createdAt, codeVersion: req.codeVersion };
      const card = agent === "volatility"
        ? trainGarch(raw[0], stamp).card
        : trainHmm(raw[0], stamp).card;
      const cardPath = agent === "volatility"
        ? await writeVolatilityCard(out, card)
        : await writeRegimeCard(out, card);
      results.push({ agent, card, cardPath, modelPath: null, leak: null });
      continue;
    }
    const ds: Dataset = agent === "trend"
      ? buildTrendDataset(series, dsOpts)
      : buildPatternDataset(series, dsOpts);
    const opts: NnTrainOptions = {
      ...DEFAULT_NN_TRAIN_OPTIONS,
      embargo: Math.max(DEFAULT_NN_TRAIN_OPTIONS.embargo, horizon),
      ...req.nn,
      horizon,
      maxFolds: req.maxFolds,
      onFold: (fold, report, n) =>
        log(
          `${agent}: fold ${fold.index + 1} (${n} run) trained on ${report.backend}, ` +
            `loss ${report.lossPerEpoch.at(-1)?.toFixed(4)}, ` +
            `${(report.msPerEpoch.reduce((a, b) => a + b, 0) / 1000).toFixed(1)} s`,
        ),
    };
    const r = withLeakWarning(await walkForwardTrain(ds, opts), timeframe);
    bases.push({ agent, ds, oosIndices: r.oosIndices, oosProbs: r.oosProbs });
    try {
      const card = buildNnCard({
        agent,
        ds,
        result: r,
        opts,
        labels,
        timeframe,
        dataSha256: dataSha,
        createdAt: req.createdAt,
        codeVersion: req.codeVersion,
      });
      const metadata = { agent, created_at: req.createdAt };
      const bytes = agent === "trend"
        ? exportGruToOnnx(r.model, { metadata })
        : exportCnnToOnnx(r.model, { metadata });
      const modelPath = `${out}/${agent}.onnx`;
      const cardPath = `${out}/${agent}.card.json`;
      await Deno.writeFile(modelPath, bytes);
      await writeCard(cardPath, card);
      results.push({ agent, card, cardPath, modelPath, leak: r.leak });
    } finally {
      r.model.dispose();
    }
  }
  return results;
}

async function trainMeta(
  req: TrainRequest,
  bases: readonly BaseOutOfSample[],
  done: readonly AgentResult[],
  out: string,
  horizon: number,
  timeframe: string,
  dataSha256: string,
  series: readonly SymbolSeries[],
  log: (line: string) => void,
): Promise<AgentResult> {
  const opts: StackerOptions = {
    ...DEFAULT_STACKER_OPTIONS,
    embargo: Math.max(DEFAULT_STACKER_OPTIONS.embargo, horizon),
    ...req.meta,
    hitRate: { ...DEFAULT_STACKER_OPTIONS.hitRate, ...req.meta?.hitRate, horizon },
    horizon,
  };
  const rows = joinOutOfSample(bases);
  log(`meta: stacking ${rows.agents.join(" + ")} over ${rows.x.length} out-of-sample rows`);
  const r = await trainStacker(
    rows,
    series,
    opts,
    (fold, n, ms) => log(`meta: fold ${fold.index + 1} (${n} run) ${(ms / 1000).toFixed(1)} s`),
  );
  try {
    const leak = leakWarning(r.oos, timeframe);
    const card = buildMetaCard({
      result: r,
      opts,
      timeframe,
      dataSha256,
      createdAt: req.createdAt,
      codeVersion: req.codeVersion,
      baseCards: Object.fromEntries(
        done.filter((d) => rows.agents.includes(d.agent)).map((d) => [d.agent, d.card.created_at]),
      ),
      leak,
    });
    const bytes = exportDenseToOnnx(r.model, {
      temperature: r.temperature,
      metadata: { agent: "meta", created_at: req.createdAt },
    });
    const modelPath = `${out}/meta.onnx`;
    const cardPath = `${out}/meta.card.json`;
    await Deno.writeFile(modelPath, bytes);
    await writeCard(cardPath, card);
    return { agent: "meta", card, cardPath, modelPath, leak };
  } finally {
    r.model.dispose();
  }
}

export interface NnCardInputs {
  agent: "trend" | "pattern";
  ds: Dataset;
  result: WalkForwardNnResult;
  opts: NnTrainOptions;
  labels: LabelOptions;
  timeframe: string;
  dataSha256: string;
  createdAt: string;
  codeVersion: string;
}

/** The card of a walk-forward-trained trend/pattern model (validated). */
export function buildNnCard(c: NnCardInputs): ModelCard {
  const { agent, ds, result: r, opts, labels, timeframe } = c;
  const window = ds.x.shape[1];
  const horizon = labels.horizon;
  const dataSha = c.dataSha256;
  const req = { createdAt: c.createdAt, codeVersion: c.codeVersion };
  return parseCard({
    agent,
    inputs: {
      features: [...ds.featureNames],
      window,
      normalisation: r.normalisation,
    },
    outputs: { classes: [...DIRECTIONS] },
    train_windows: trainWindowsFromFolds(r.timeFolds, ds.barTimes),
    data_sha256: dataSha,
    params: {
      timeframe,
      symbols: [...ds.symbols],
      architecture: agent === "trend" ? "gru" : "cnn1d",
      width: opts.width,
      kernel_size: agent === "pattern" ? opts.kernelSize : null,
      horizon,
      vol_window: labels.volWindow,
      dead_zone: labels.deadZone,
      feature_config: agent === "trend" ? { ...TREND_FEATURE_CONFIG } : null,
      window_scaling: agent === "pattern"
        ? "ln(price / last close of the window); ln(1 + volume) minus its window mean"
        : "(x - mean) / std, statistics of the last fold's training window",
      epochs: opts.epochs,
      batch_size: opts.batchSize,
      learning_rate: opts.learningRate,
      seed: opts.seed,
      train_bars: opts.trainBars,
      test_bars: opts.testBars,
      embargo: opts.embargo,
      folds: r.timeFolds.length,
      served_fold: r.timeFolds.length - 1,
      previous_direction_fallbacks: r.baselines.previousDirectionFallbacks,
      leak_warning: r.leak,
    },
    created_at: req.createdAt,
    code_version: req.codeVersion,
    oos: metricsRecord(r.oos),
    baselines: Object.fromEntries(
      BASELINE_NAMES.map((b) => [b, metricsRecord(r.baselines.metrics[b])]),
    ),
  }, `${agent} card`);
}

const SHOWN = ["accuracy", "balanced_accuracy", "log_loss", "brier", "auc", "rank_ic", "n"];

/** Per agent: the OOS metrics of the model next to each baseline, plus any leak warning. */
export function formatSummary(results: readonly AgentResult[]): string {
  const lines: string[] = [];
  for (const r of results) {
    const comparison = (r.card.params.comparison ?? {}) as Record<
      string,
      Record<string, number | null>
    >;
    const uncalibrated = r.card.params.uncalibrated as Record<string, number | null> | undefined;
    const rows: [string, Record<string, number | null>][] = [
      [r.agent === "meta" ? "meta learned (calibrated)" : "model (out-of-sample)", r.card.oos],
      ...(uncalibrated
        ? [["meta learned (raw)", uncalibrated] as [string, typeof uncalibrated]]
        : []),
      ...Object.entries(comparison).map(([k, m]) =>
        [k === "average" || k === "weighted" ? `meta ${k}` : `${k} (same rows)`, m] as [
          string,
          Record<string, number | null>,
        ]
      ),
      ...Object.entries(r.card.baselines),
    ];
    const keys = SHOWN.filter((k) => rows.some(([, m]) => m[k] !== undefined && m[k] !== null))
      .concat(Object.keys(r.card.oos).filter((k) => !SHOWN.includes(k)));
    lines.push(
      `${r.agent}: ${r.card.train_windows.length} folds, ` +
        `tests ${r.card.train_windows[0].test[0].slice(0, 10)} .. ` +
        `${r.card.train_windows.at(-1)?.test[1].slice(0, 10)}`,
    );
    lines.push(["", ...keys].map((k, i) => i === 0 ? k.padEnd(26) : k.padStart(18)).join(""));
    for (const [name, m] of rows) {
      lines.push(
        name.padEnd(26) +
          keys.map((k) => {
            const v = m[k];
            return (v === null || v === undefined ? "-" : k === "n" ? String(v) : v.toPrecision(4))
              .padStart(18);
          }).join(""),
      );
    }
    if (r.leak !== null) lines.push(`WARNING ${r.leak}`);
    lines.push(`wrote ${[r.modelPath, r.cardPath].filter((p) => p !== null).join(", ")}`, "");
  }
  return lines.join("\n");
}
