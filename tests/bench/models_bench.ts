// The learned agents in `deno task bench`: models trained on the spot (SPY daily, a short
// walk-forward, timed per fold) or read from --models DIR, then per-agent inference latency
// on GOOG daily with its news, and batched against one-by-one inference on the 46 stocks.
import { loadReplayBars } from "../../agents/feed/runner.ts";
import { replaySequence } from "../../agents/feed/replay_sequence.ts";
import { cardPath, findModels, onnxPath } from "../../agents/models.ts";
import { coreFor } from "../../agents/registry.ts";
import type { AnyAgentCore, AsyncAgentCore } from "../../agents/runtime/core.ts";
import { createLearnedTrendCore } from "../../agents/trend/learned_core.ts";
import { createPatternCore } from "../../agents/pattern/core.ts";
import { createGarchVolatilityCore } from "../../agents/volatility/garch_core.ts";
import { createHmmRegimeCore } from "../../agents/regime/hmm_core.ts";
import { parseConfig } from "../../shared/config/mod.ts";
import { readCard } from "../../shared/learn/card.ts";
import type { AnyEnvelope, StreamName } from "../../shared/messages/mod.ts";
import { barEnvelope, STREAMS } from "../../shared/messages/mod.ts";
import { loadNewsReplay, newsEnvelope } from "../../shared/news/mod.ts";
import { OnnxModel } from "../../shared/nn/onnx_model.ts";
import { ortThreads } from "../../shared/nn/ort_runtime.ts";
import { type ChainAgent, runChain } from "./agent_latency.ts";
import { compareBatching } from "./batch_inference.ts";
import { clockSteps } from "./pipeline_phases.ts";
import { type BatchRow, batchRow, latencyVerdict, type ModelsReport } from "./models_report.ts";

const DATA = new URL("../../../shared/data/", import.meta.url).pathname;
export const SPY_FILE = `${DATA}etf_daily/SPY.csv`;
const GOOG_FILE = `${DATA}etf_daily/GOOG.csv`;
const GOOG_NEWS = `${DATA}news`;
const SP500_DIR = `${DATA}sp500_daily`;

/** The served models of a folder: ONNX sessions (warmed up at load) and cards. */
export interface ServedModels {
  dir: string;
  trend: { model: OnnxModel; card: Awaited<ReturnType<typeof readCard>> } | null;
  pattern: { model: OnnxModel; card: Awaited<ReturnType<typeof readCard>> } | null;
  volatility: unknown | null;
  regime: unknown | null;
  release(): Promise<void>;
}

export async function loadServedModels(dir: string): Promise<ServedModels> {
  const found = findModels(dir);
  const nn = async (agent: "trend" | "pattern") =>
    found[agent]
      ? {
        model: await OnnxModel.load(onnxPath(dir, agent)),
        card: await readCard(cardPath(dir, agent)),
      }
      : null;
  const trend = await nn("trend");
  const pattern = await nn("pattern");
  return {
    dir,
    trend,
    pattern,
    volatility: found.volatility ? await readCard(cardPath(dir, "volatility")) : null,
    regime: found.regime ? await readCard(cardPath(dir, "regime")) : null,
    async release() {
      await trend?.model.release();
      await pattern?.model.release();
    },
  };
}

const PREDICTIVE = ["trend", "pattern", "volatility", "regime", "sentiment"] as const;

/** The system's cores: learned where the folder has a model, the rule core otherwise. */
export function chainAgents(m: ServedModels): ChainAgent[] {
  const config = parseConfig({});
  const expected = PREDICTIVE.filter((a) => a !== "pattern" || m.pattern !== null);
  // deno-lint-ignore no-explicit-any
  const rule = (name: string): AnyAgentCore<any> => coreFor(name, config, expected);
  const agents: ChainAgent[] = [
    m.trend
      ? { label: "trend (GRU, ONNX)", core: createLearnedTrendCore(m.trend) }
      : { label: "trend (rules)", core: rule("trend") },
  ];
  // No rule core stands in for pattern: without its model the running system has none.
  if (m.pattern) agents.push({ label: "pattern (CNN, ONNX)", core: createPatternCore(m.pattern) });
  agents.push(
    m.volatility
      ? { label: "volatility (GARCH)", core: createGarchVolatilityCore(m.volatility) }
      : { label: "volatility (rules)", core: rule("volatility") },
    m.regime
      ? { label: "regime (HMM)", core: createHmmRegimeCore(m.regime) }
      : { label: "regime (rules)", core: rule("regime") },
    { label: "sentiment (VADER)", core: rule("sentiment") },
    { label: "meta", core: rule("meta") },
    { label: "risk", core: rule("risk") },
  );
  return agents;
}

/** GOOG daily bars from `from` with the GOOG news stories, in replay order. */
async function googInputs(from: string): Promise<{ stream: StreamName; msg: AnyEnvelope }[]> {
  const { bars } = await loadReplayBars(
    { paths: [GOOG_FILE], timeframe: null, speed: "max" },
    "drop",
  );
  const start = Date.parse(`${from}T00:00:00Z`);
  const used = bars.filter((b) => b.time >= start);
  const news = await loadNewsReplay([GOOG_NEWS]);
  return replaySequence(used, news, ["GOOG"]).items.map((item) =>
    item.kind === "bar"
      ? { stream: STREAMS.bars, msg: barEnvelope(item.bar, item.bar.seq) }
      : { stream: STREAMS.news, msg: newsEnvelope(item.news) }
  );
}

export interface ModelsBenchOptions {
  latency: boolean;
  batch: boolean;
  /** Bars of GOOG from this day (YYYY-MM-DD); the first `warmupBars` are not measured. */
  latencyFrom: string;
  warmupBars: number;
  batchSteps: number;
  batchWarmup: number;
  batchStart: number;
}

export async function measureModels(
  served: ServedModels,
  o: ModelsBenchOptions,
  report: ModelsReport,
): Promise<void> {
  if (o.latency) {
    const agents = chainAgents(served);
    const inputs = await googInputs(o.latencyFrom);
    // Executor too, so that risk sees fills and an account as in the running system; its
    // own time is left out of the per-agent table.
    const executor = coreFor("executor", parseConfig({}), []);
    const r = await runChain(
      [...agents, { label: "executor", core: executor }],
      inputs,
      o.warmupBars,
    );
    const { executor: _w, ...wall } = r.perBar;
    const { executor: _c, ...cpu } = r.cpuPerBar;
    report.latency = {
      wall: latencyVerdict(wall),
      cpu: latencyVerdict(cpu),
      data: `GOOG daily from ${o.latencyFrom} with its news (${o.warmupBars} warm-up bars)`,
      bars: r.bars,
      errors: Object.entries(r.errors).map(([a, e]) =>
        `${a}: ${e.count} failed steps, first: ${e.first}`
      ),
    };
  }
  if (o.batch) {
    const { bars, symbols } = await loadReplayBars(
      { paths: [SP500_DIR], timeframe: null, speed: "max" },
      "drop",
    );
    const steps = clockSteps(bars.filter((b) => b.time >= o.batchStart))
      .slice(0, o.batchWarmup + o.batchSteps);
    let seq = 0;
    const msgs = steps.map((s) => s.map((b) => barEnvelope(b, seq++)));
    const rows: BatchRow[] = [];
    for (const [agent, entry] of [["trend", served.trend], ["pattern", served.pattern]] as const) {
      if (entry === null) continue;
      const make = () =>
        (agent === "trend"
          ? createLearnedTrendCore(entry)
          : createPatternCore(entry)) as AsyncAgentCore<unknown>;
      const c = await compareBatching(make, msgs, o.batchWarmup);
      rows.push(batchRow(agent, symbols.length, c.oneByOne, c.batched, c.mismatches));
    }
    report.batch = rows;
  }
  report.ortThreads = ortThreads();
}
