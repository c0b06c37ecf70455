// The contract between a learned meta card (meta.card.json) and the agents the meta agent
// listens to. The stacker reads the direction probabilities of its base agents
// (card params.base_agents); it is refused when one of them is not among the agents meta
// receives, or when meta receives a direction agent the stacker was not trained on.
import { checkCardMatches, type ModelCard, ModelCardError } from "../../shared/learn/card.ts";
import { DIRECTIONS } from "../../shared/learn/direction.ts";
import { type HitRateOptions } from "../../shared/learn/hit_rate.ts";
import {
  isStackerBaseAgent,
  STACKER_BASE_AGENTS,
  stackerFeatureNames,
} from "../../shared/learn/stacker_inputs.ts";

export interface StackerContract {
  baseAgents: string[];
  features: string[];
  mean: number[];
  std: number[];
  /** Label horizon of the training (what the hit rates resolve over). */
  horizon: number;
  hitRate: Pick<HitRateOptions, "window" | "prior" | "minResolved"> | null;
  temperature: number | null;
}

const fail = (why: string): never => {
  throw new ModelCardError(`meta card: ${why}`);
};

/** Checks the card against the agents meta receives; returns what serving needs. */
export function checkStackerCard(card: ModelCard, expected: readonly string[]): StackerContract {
  const base = card.params.base_agents;
  if (!Array.isArray(base) || base.length === 0 || !base.every((a) => typeof a === "string")) {
    fail("params.base_agents must list the agents whose outputs the stacker reads");
  }
  const baseAgents = base as string[];
  const unknown = baseAgents.filter((a) => !isStackerBaseAgent(a));
  if (unknown.length > 0) {
    fail(
      `params.base_agents has ${unknown.join(", ")}, not a direction agent ` +
        `(${STACKER_BASE_AGENTS.join(", ")})`,
    );
  }
  const problems: string[] = [];
  const notReceived = baseAgents.filter((a) => !expected.includes(a));
  if (notReceived.length > 0) {
    problems.push(
      `the stacker reads ${notReceived.join(", ")}, which meta does not receive ` +
        `(meta receives: ${expected.join(", ") || "none"})`,
    );
  }
  const untrained = expected.filter((a) => isStackerBaseAgent(a) && !baseAgents.includes(a));
  if (untrained.length > 0) {
    problems.push(
      `meta receives direction signals from ${untrained.join(", ")}, which the stacker was ` +
        `not trained on (it reads ${baseAgents.join(", ")}): retrain meta with them or set ` +
        `META_MODE=weighted`,
    );
  }
  if (problems.length > 0) {
    throw new ModelCardError(`meta card does not match the agents: ${problems.join("; ")}`);
  }
  const features = stackerFeatureNames(baseAgents);
  checkCardMatches(card, { agent: "meta", features, window: 1, classes: DIRECTIONS });
  const norm = card.inputs.normalisation;
  if (norm === null || !("mean" in norm)) {
    fail("inputs.normalisation must hold the training mean and std arrays");
  }
  const { mean, std } = norm as { mean: number[]; std: number[] };
  const horizon = card.params.horizon;
  if (typeof horizon !== "number" || !Number.isSafeInteger(horizon) || horizon < 1) {
    fail(`params.horizon must be an integer >= 1 (got ${JSON.stringify(horizon)})`);
  }
  const hr = card.params.hit_rate as Record<string, unknown> | undefined;
  const hitRate = hr && typeof hr === "object" && typeof hr.window === "number" &&
      typeof hr.prior === "number" && typeof hr.min_resolved === "number"
    ? { window: hr.window, prior: hr.prior, minResolved: hr.min_resolved }
    : null;
  const t = card.params.temperature;
  return {
    baseAgents,
    features,
    mean,
    std,
    horizon: horizon as number,
    hitRate,
    temperature: typeof t === "number" ? t : null,
  };
}
