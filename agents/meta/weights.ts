// How much each directional signal weighs in the meta vote, by mode:
//   average  — every directional signal weighs 1 (a plain average of the probabilities);
//   weighted — its confidence × the odds of the agent's rolling out-of-sample hit rate
//              (shared/learn/hit_rate.ts: only calls resolved by bar time t count at t),
//              × `trendWeightInRange` for trend when the regime agent says "range";
//   learned  — the stacker sets the probabilities; the votes, weighted as in "weighted",
//              are still reported and measure the disagreement.
// Pure; used by the agent and by training (which replays the same weights offline).
import type { PredictiveAgent, Signal, Vote } from "../../shared/messages/mod.ts";
import {
  hitCount,
  type HitRateOptions,
  hitRateWeight,
  type HitTrack,
} from "../../shared/learn/hit_rate.ts";

export const META_MODES = ["average", "weighted", "learned"] as const;
export type MetaMode = (typeof META_MODES)[number];

export interface VoteContext {
  mode: MetaMode;
  expected: readonly PredictiveAgent[];
  regime: "trend" | "range" | "unknown";
  trendWeightInRange: number;
  /** The symbol's hit-rate record (undefined: no history, weight factor 1). */
  track: HitTrack | undefined;
  hitRate: HitRateOptions;
  /** The bar being decided: only calls resolved at or before it count. */
  barTime: number;
}

export function metaVotes(
  signals: Readonly<Partial<Record<PredictiveAgent, Signal>>>,
  ctx: VoteContext,
): Vote[] {
  const votes: Vote[] = [];
  for (const agent of ctx.expected) {
    const s = signals[agent];
    if (s?.kind !== "direction") continue;
    let weight = 1;
    if (ctx.mode !== "average") {
      const range = agent === "trend" && ctx.regime === "range" ? ctx.trendWeightInRange : 1;
      const skill = ctx.track === undefined
        ? 1
        : hitRateWeight(hitCount(ctx.track, agent, ctx.barTime, ctx.hitRate), ctx.hitRate);
      weight = s.confidence * range * skill;
    }
    votes.push({ agent, probs: { ...s.probs }, confidence: s.confidence, weight });
  }
  return votes;
}
