// Which core each agent name runs, configured from the one Config object.
import type { Bus } from "../shared/bus/types.ts";
import type { AnyEnvelope, PredictiveAgent } from "../shared/messages/mod.ts";
import { migrate, openDatabase } from "../shared/storage/mod.ts";
import type { Logger } from "../shared/util/log.ts";
import type { AgentCore, AnyAgentCore, Output } from "./runtime/core.ts";
import type { WorkerInit } from "./runtime/protocol.ts";
import { createTrendCore } from "./trend/mod.ts";
import { createVolatilityCore } from "./volatility/mod.ts";
import { createRegimeCore } from "./regime/mod.ts";
import { createSentimentCore } from "./sentiment/mod.ts";
import { createMetaCore } from "./meta/mod.ts";
import { createLearnedMetaCore } from "./meta/learned_core.ts";
import { createRiskCore, riskOptionsFromConfig } from "./risk/mod.ts";
import { createExecutorCore } from "./executor/mod.ts";
import { createLedgerCore } from "./ledger/core.ts";
import { createGarchVolatilityCore } from "./volatility/garch_core.ts";
import { createHmmRegimeCore } from "./regime/hmm_core.ts";
import { createLearnedTrendCore } from "./trend/learned_core.ts";
import { createPatternCore } from "./pattern/core.ts";
import { cardPath, findModels, type LearnedModels, onnxPath } from "./models.ts";
import { readCard } from "../shared/learn/card.ts";
import { OnnxModel } from "../shared/nn/onnx_model.ts";
import { recordBatch } from "./ledger/writer.ts";
import { createVenueExecutorCore } from "./executor/venue_executor.ts";
import { isLiveVenue, selectVenue } from "./executor/venues/select.ts";
import { type Config, parseConfig } from "../shared/config/mod.ts";

export interface BuiltAgent {
  // deno-lint-ignore no-explicit-any
  core: AnyAgentCore<any>;
  effect?: (inputs: AnyEnvelope[], outputs: Output[]) => Promise<void>;
  close?: () => Promise<void>;
  /** Messages taken per read (default 64). */
  batch?: number;
}

// deno-lint-ignore no-explicit-any
export function coreFor(name: string, config: Config, expected: string[]): AgentCore<any> {
  switch (name) {
    case "trend":
      return createTrendCore();
    case "volatility":
      return createVolatilityCore();
    case "regime":
      return createRegimeCore();
    case "sentiment":
      return createSentimentCore();
    case "meta":
      return createMetaCore({
        expected: expected as PredictiveAgent[],
        deadlineMs: config.META_DEADLINE_MS,
        minConfidence: config.META_MIN_CONFIDENCE,
        maxDisagreement: config.META_MAX_DISAGREEMENT,
        // "learned" here means no meta card was found: createMetaCore refuses it, saying why
        mode: config.META_MODE ?? "weighted",
      });
    case "risk":
      return createRiskCore(riskOptionsFromConfig(config));
    case "executor":
      return createExecutorCore({
        initialCash: config.INITIAL_CASH,
        feeBps: config.FEE_BPS,
        slippageBps: config.SLIPPAGE_BPS,
        killFlatten: config.KILL_FLATTEN,
      });
    case "ledger":
      return createLedgerCore();
    default:
      throw new Error(`unknown agent '${name}'`);
  }
}

const DEFAULT_CONFIG_FOR_INPUTS = parseConfig({});

/** The streams an agent consumes (for the admin API's lag and pending figures). */
export function inputsOf(name: string): readonly string[] {
  if (name === "feed") return [];
  try {
    return coreFor(name, DEFAULT_CONFIG_FOR_INPUTS, []).inputs;
  } catch {
    return [];
  }
}

/** How long meta waits for a silent agent: wall-clock live, REPLAY_META_DEADLINE_MS in replays. */
export function metaDeadlineMs(init: Pick<WorkerInit, "config" | "replay">): number {
  return init.replay === undefined
    ? init.config.META_DEADLINE_MS
    : init.config.REPLAY_META_DEADLINE_MS;
}

/** The learned core of `agent` from the models folder, or null to keep the rule core. */
async function learnedCore(
  agent: string,
  dir: string,
  log: Logger,
  init: WorkerInit,
  // deno-lint-ignore no-explicit-any
): Promise<AnyAgentCore<any> | null> {
  const models = findModels(dir);
  if (!(agent in models) || !models[agent as keyof LearnedModels]) return null;
  const metaMode = init.config.META_MODE;
  if (agent === "meta" && metaMode !== undefined && metaMode !== "learned") return null;
  const card = await readCard(cardPath(dir, agent));
  log.info("serving a trained model", { agent, created_at: card.created_at, dir });
  switch (agent) {
    case "volatility":
      return createGarchVolatilityCore(card);
    case "regime":
      return createHmmRegimeCore(card);
    case "trend":
    case "pattern": {
      const model = await OnnxModel.load(onnxPath(dir, agent));
      return agent === "trend"
        ? createLearnedTrendCore({ model, card })
        : createPatternCore({ model, card });
    }
    case "meta":
      return createLearnedMetaCore({
        model: await OnnxModel.load(onnxPath(dir, agent)),
        card,
        options: {
          expected: init.expectedAgents as PredictiveAgent[],
          deadlineMs: metaDeadlineMs(init),
          minConfidence: init.config.META_MIN_CONFIDENCE,
          maxDisagreement: init.config.META_MAX_DISAGREEMENT,
        },
      });
    default:
      return null;
  }
}

export async function buildAgent(init: WorkerInit, _bus: Bus, log: Logger): Promise<BuiltAgent> {
  const learned = init.modelsDir === null
    ? null
    : await learnedCore(init.agent, init.modelsDir, log, init);
  if (learned !== null) return { core: learned };
  if (init.agent === "executor" && init.replay === undefined && init.config.VENUE !== "paper") {
    return await venueExecutor(init.config, log);
  }
  const core = coreFor(
    init.agent,
    { ...init.config, META_DEADLINE_MS: metaDeadlineMs(init) },
    init.expectedAgents,
  );
  if (init.agent !== "ledger") return { core };
  const store = await openDatabase(init.config.DATABASE_URL);
  await migrate(store);
  log.info("ledger writing to database", { db: store.kind });
  return {
    core,
    effect: (inputs) => recordBatch(store.db, inputs),
    // One transaction per batch: large batches are what make the database keep up.
    batch: 256,
    close: () => store.close(),
  };
}

/** The executor trading through a real venue (ccxt or Alpaca); replays always use paper. */
async function venueExecutor(config: Config, log: Logger): Promise<BuiltAgent> {
  const venue = await selectVenue(config);
  if (venue === null) throw new Error(`VENUE=${config.VENUE}: no venue was built`);
  log.info("executor trading through a venue", {
    venue: venue.name,
    live: isLiveVenue(config),
    symbols: config.SYMBOLS,
  });
  return {
    core: createVenueExecutorCore({
      venue,
      symbols: config.SYMBOLS,
      reconcileIntervalMs: config.RECONCILE_INTERVAL_MS,
      killFlatten: config.KILL_FLATTEN,
    }),
    close: () => venue.close(),
  };
}
