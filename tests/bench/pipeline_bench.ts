// `deno task bench`: latency and throughput of the whole bot on real Redis, every agent a
// worker, on real data. Three phases, each capped in time:
//   1. one symbol (BTCUSD daily): bar → its verdict on "orders", one bar in flight;
//   2. 46 S&P 500 stocks: a clock step's bars at once → the last of their verdicts;
//   3. the full replay path (`supervisor/main.ts --replay`) as a subprocess: bars/s.
// Then the learned agents (tests/bench/models_bench.ts), on models trained here in a short
// walk-forward on SPY daily (timed per fold) or read from --models DIR:
//   4. agents: inference latency per agent per bar (p50/p99 against the target);
//   5. batch: batched against one-by-one inference for the 46 stocks' clock steps;
//   6. replay-models: phase 3 again with --models (throughput and memory of that system).
// Memory (RSS) of the bench process and of each replay subprocess is printed with them.
// Prints a table; `--json FILE` writes the figures. Definitions are printed with them.
//   deno task bench [--json FILE] [--pg] [--bars N] [--warmup N] [--cycles N]
//                   [--cycle-warmup N] [--cycle-start YYYY-MM-DD] [--phase-cap-s S]
//                   [--phases one,cycle46,replay,agents,batch,replay-models]
//                   [--models DIR] [--train-folds N] [--train-epochs N]
import { parseArgs } from "node:util";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { setLogLevel } from "../../shared/util/log.ts";
import { loadReplayBars } from "../../agents/feed/runner.ts";
import { summarize } from "./pipeline_percentile.ts";
import { loadavg, machineFacts } from "./pipeline_machine.ts";
import { clockSteps, type PhaseResult, runCycles, runOneSymbol } from "./pipeline_phases.ts";
import { runReplayPhase } from "./pipeline_replay.ts";
import { type BenchReport, type PhaseReport, reportJson, reportTable } from "./pipeline_report.ts";
import { type BenchTarget, DEFAULT_PG_URL, DEFAULT_REDIS_URL } from "./pipeline_system.ts";
import { mainHeapMiB, NO_SAMPLES, procMemory } from "./memory.ts";
import { trainBenchModels } from "./model_training.ts";
import { loadServedModels, measureModels, SPY_FILE } from "./models_bench.ts";
import { modelsJson, type ModelsReport, modelsTable } from "./models_report.ts";

const DATA = new URL("../../../shared/data/", import.meta.url).pathname;
const BTC_FILE = `${DATA}crypto_daily/BTCUSD_1d.csv`;
const SP500_DIR = `${DATA}sp500_daily`;
/** As the brief gives it: relative to the repository root, the subprocess's cwd. */
const REPLAY_ARG = "../shared/data/crypto_daily/BTCUSD_1d.csv";
const PHASES = ["one", "cycle46", "replay", "agents", "batch", "replay-models"] as const;
const REPLAY_MODELS_BARS = 1000;
const MODEL_PHASES: readonly string[] = ["agents", "batch", "replay-models"];
/** Longer than the meta agent's 15 s deadline: a missing signal still yields a verdict. */
const VERDICT_TIMEOUT_MS = 20_000;

interface Options {
  json: string | null;
  pg: boolean;
  bars: number;
  warmup: number;
  cycles: number;
  cycleWarmup: number;
  cycleStart: number;
  phaseCapMs: number;
  phases: Set<(typeof PHASES)[number]>;
  models: string | null;
  trainFolds: number;
  trainEpochs: number;
}

function positiveInt(name: string, value: string, min: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) {
    throw new Error(`--${name}: expected an integer ≥ ${min}, got ${JSON.stringify(value)}`);
  }
  return n;
}

function parseOptions(args: string[]): Options {
  const { values } = parseArgs({
    args,
    options: {
      json: { type: "string" },
      pg: { type: "boolean", default: false },
      bars: { type: "string", default: "500" },
      warmup: { type: "string", default: "60" },
      cycles: { type: "string", default: "150" },
      "cycle-warmup": { type: "string", default: "40" },
      "cycle-start": { type: "string", default: "2013-01-02" },
      "phase-cap-s": { type: "string", default: "180" },
      phases: { type: "string", default: PHASES.join(",") },
      models: { type: "string" },
      "train-folds": { type: "string", default: "2" },
      "train-epochs": { type: "string", default: "4" },
    },
    strict: true,
    allowPositionals: false,
  });
  const cycleStart = Date.parse(`${values["cycle-start"]}T00:00:00Z`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(values["cycle-start"]) || !Number.isFinite(cycleStart)) {
    throw new Error(`--cycle-start: expected YYYY-MM-DD, got ${values["cycle-start"]}`);
  }
  const phases = new Set<(typeof PHASES)[number]>();
  for (const p of values.phases.split(",").map((s) => s.trim())) {
    if (!(PHASES as readonly string[]).includes(p)) {
      throw new Error(`--phases: unknown phase '${p}' (accepted: ${PHASES.join(", ")})`);
    }
    phases.add(p as (typeof PHASES)[number]);
  }
  return {
    json: values.json ?? null,
    pg: values.pg,
    bars: positiveInt("bars", values.bars, 1),
    warmup: positiveInt("warmup", values.warmup, 0),
    cycles: positiveInt("cycles", values.cycles, 1),
    cycleWarmup: positiveInt("cycle-warmup", values["cycle-warmup"], 0),
    cycleStart,
    phaseCapMs: positiveInt("phase-cap-s", values["phase-cap-s"], 10) * 1000,
    phases,
    models: values.models ?? null,
    trainFolds: positiveInt("train-folds", values["train-folds"], 1),
    trainEpochs: positiveInt("train-epochs", values["train-epochs"], 1),
  };
}

function phaseReport(r: PhaseResult, warmup: number, extra: Record<string, unknown>): PhaseReport {
  return {
    summary: summarize(r.samples),
    published: r.published,
    warmup,
    outcomes: r.outcomes,
    publishXadd: summarize(r.publishSamples),
    hops: r.hops,
    stoppedEarly: r.stoppedEarly,
    cpu: r.cpu,
    extra: { namespace: r.namespace, ...extra },
  };
}

const isoDay = (t: number) => new Date(t).toISOString().slice(0, 10);

async function oneSymbolPhase(o: Options, target: BenchTarget, report: BenchReport) {
  const { bars, symbols } = await loadReplayBars(
    { paths: [BTC_FILE], timeframe: null, speed: "max" },
    "drop",
  );
  const want = o.warmup + o.bars;
  if (bars.length < want) {
    throw new Error(`${BTC_FILE} holds ${bars.length} bars; ${want} are needed`);
  }
  const used = bars.slice(0, want);
  const limits = {
    deadline: performance.now() + o.phaseCapMs,
    verdictTimeoutMs: VERDICT_TIMEOUT_MS,
  };
  const r = await runOneSymbol(used, o.warmup, target, limits);
  report.one = phaseReport(r, o.warmup, {
    symbol: symbols[0],
    first_bar: isoDay(used[0].time),
    last_bar: isoDay(used[used.length - 1].time),
    submitted_missing: r.submittedMissing,
  });
  report.submitted = summarize(r.submittedSamples);
  if (r.stoppedEarly) report.errors.push(`1 symbol: ${r.stoppedEarly}`);
  if (r.submittedMissing > 0) {
    report.errors.push(`1 symbol: ${r.submittedMissing} order verdicts without "submitted"`);
  }
}

async function cyclePhase(o: Options, target: BenchTarget, report: BenchReport) {
  const { bars, symbols } = await loadReplayBars(
    { paths: [SP500_DIR], timeframe: null, speed: "max" },
    "drop",
  );
  const want = o.cycleWarmup + o.cycles;
  const steps = clockSteps(bars.filter((b) => b.time >= o.cycleStart)).slice(0, want);
  if (steps.length < want) {
    throw new Error(
      `${SP500_DIR} has ${steps.length} clock steps from the start date; ${want} needed`,
    );
  }
  const sizes = steps.map((s) => s.length);
  const limits = {
    deadline: performance.now() + o.phaseCapMs,
    verdictTimeoutMs: VERDICT_TIMEOUT_MS,
  };
  const r = await runCycles(steps, o.cycleWarmup, target, limits);
  report.cycle = phaseReport(r, o.cycleWarmup, {
    symbols: symbols.length,
    bars_per_cycle: { min: Math.min(...sizes), max: Math.max(...sizes) },
    first_cycle: isoDay(steps[0][0].time),
    last_cycle: isoDay(steps[steps.length - 1][0].time),
  });
  if (r.stoppedEarly) report.errors.push(`46 symbols: ${r.stoppedEarly}`);
}

async function replayPhase(
  o: Options,
  target: BenchTarget,
  report: BenchReport,
  models: ModelsReport,
) {
  const r = await runReplayPhase(REPLAY_ARG, target, o.phaseCapMs);
  models.memory.replay["replay subprocess, rule agents"] = r.memory;
  report.replay = {
    barsPerS: r.barsPerS,
    bars: r.timing.bars,
    pipelineS: (r.timing.stopMs - r.timing.startMs) / 1000,
    wallS: r.wallMs / 1000,
    loop: r.loop,
    snapshotBytes: r.snapshotBytes,
  };
}

/** The models to serve: --models DIR, or trained now into a temp folder (timed per fold). */
async function modelsDir(o: Options, models: ModelsReport): Promise<string> {
  if (o.models !== null) return o.models;
  const dir = await Deno.makeTempDir({ prefix: "bench-models-" });
  console.error(
    `pipeline bench: training (${o.trainFolds} folds × ${o.trainEpochs} epochs on SPY)…`,
  );
  models.training = await trainBenchModels({
    data: SPY_FILE,
    outDir: dir,
    folds: o.trainFolds,
    epochs: o.trainEpochs,
  });
  return dir;
}

async function modelPhases(o: Options, target: BenchTarget, models: ModelsReport): Promise<void> {
  const dir = await modelsDir(o, models);
  models.models = o.models === null ? `trained here into ${dir}` : o.models;
  try {
    if (o.phases.has("agents") || o.phases.has("batch")) {
      console.error("pipeline bench: inference per agent, batched vs one-by-one…");
      const served = await loadServedModels(dir);
      try {
        await measureModels(served, {
          latency: o.phases.has("agents"),
          batch: o.phases.has("batch"),
          latencyFrom: "2021-06-01",
          warmupBars: 100,
          batchSteps: 150,
          batchWarmup: 60,
          batchStart: o.cycleStart,
        }, models);
      } finally {
        await served.release();
      }
    }
    if (o.phases.has("replay-models")) {
      console.error("pipeline bench: replay with --models…");
      // The last bars of the BTC file: long enough for the memory to settle, short enough
      // for the bench's time budget.
      const lines = Deno.readTextFileSync(BTC_FILE).trimEnd().split("\n");
      const sliceDir = await Deno.makeTempDir({ prefix: "bench-replay-" });
      const slice = `${sliceDir}/BTCUSD_1d.csv`;
      Deno.writeTextFileSync(slice, [lines[0], ...lines.slice(-REPLAY_MODELS_BARS)].join("\n"));
      const r = await runReplayPhase(slice, target, o.phaseCapMs, ["--models", dir])
        .finally(() => Deno.remove(sliceDir, { recursive: true }).catch(() => {}));
      models.memory.replay[
        `replay subprocess, --models (${r.barsPerS.toFixed(1)} bars/s, ${r.timing.bars} bars)`
      ] = r.memory;
    }
  } finally {
    if (o.models === null) await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

async function main(): Promise<number> {
  let o: Options;
  try {
    o = parseOptions(Deno.args);
  } catch (e) {
    console.error(`error: ${(e as Error).message}`);
    return 2;
  }
  setLogLevel("warn");
  // Every phase is capped; this is the net under the caps (start-up, shutdown, a hang).
  const hardCapMs = o.phases.size * (o.phaseCapMs + 90_000);
  const watchdog = setTimeout(() => {
    console.error(`pipeline bench: still running after ${hardCapMs / 1000} s; giving up`);
    Deno.exit(3);
  }, hardCapMs);
  Deno.unrefTimer(watchdog);

  const target: BenchTarget = {
    redisUrl: Deno.env.get("REDIS_URL") ?? DEFAULT_REDIS_URL,
    pgUrl: o.pg ? Deno.env.get("TEST_POSTGRES_URL") ?? DEFAULT_PG_URL : null,
  };
  const report: BenchReport = {
    machine: { ...machineFacts(), loadavg_start: loadavg(), loadavg_end: null },
    database: o.pg ? "postgres" : "sqlite",
    one: null,
    submitted: { p50: null, p99: null, n: 0 },
    cycle: null,
    replay: null,
    errors: [],
  };
  const models: ModelsReport = {
    models: "—",
    ortThreads: null,
    latency: null,
    batch: [],
    training: null,
    memory: { benchProcess: null, replay: {}, mainHeapMiB: null },
  };
  const phases: [(typeof PHASES)[number], string, typeof replayPhase][] = [
    ["one", "1 symbol", oneSymbolPhase],
    ["cycle46", "46 symbols", cyclePhase],
    ["replay", "replay", replayPhase],
  ];
  for (const [key, name, run] of phases) {
    if (!o.phases.has(key)) continue;
    console.error(`pipeline bench: ${name}…`);
    try {
      await run(o, target, report, models);
    } catch (e) {
      report.errors.push(`${name}: ${(e as Error).message}`);
    }
  }
  if (o.phases.has("one") || o.phases.has("cycle46")) {
    // Peak so far: the agent workers of phases 1 and 2 are threads of this process.
    const self = procMemory("self");
    models.memory.benchProcess = self === null ? null : {
      ...NO_SAMPLES,
      maxRssMiB: self.rssMiB,
      peakMiB: self.peakMiB,
      maxThreads: self.threads,
      samples: 1,
    };
  }
  if (MODEL_PHASES.some((p) => o.phases.has(p as (typeof PHASES)[number]))) {
    try {
      await modelPhases(o, target, models);
    } catch (e) {
      report.errors.push(`models: ${(e as Error).message}`);
    }
  }
  models.memory.mainHeapMiB = mainHeapMiB();
  report.machine.loadavg_end = loadavg();
  // A missed latency target is a figure (like the pipeline's), different outputs an error.
  if (models.batch.some((b) => b.mismatches > 0)) {
    report.errors.push("batched inference: outputs differ from one-by-one");
  }
  console.log(reportTable(report));
  console.log("\n" + modelsTable(models));
  if (o.json !== null) {
    mkdirSync(dirname(o.json), { recursive: true });
    const json = { ...reportJson(report), models: modelsJson(models) };
    writeFileSync(o.json, JSON.stringify(json, null, 2) + "\n");
    console.log(`\nwritten to ${o.json}`);
  }
  clearTimeout(watchdog);
  return report.errors.length === 0 ? 0 : 1;
}

if (import.meta.main) Deno.exit(await main());
