// The learned meta stacker's input row: the direction probabilities of its base agents, in a
// fixed order. One definition for training (shared/train/meta_train.ts) and serving
// (agents/meta), so the card's feature list is what the agent feeds the model.
import { type DirectionProbs, DIRECTIONS } from "./direction.ts";

/** Agents whose direction probabilities the stacker can read. */
export const STACKER_BASE_AGENTS = ["trend", "pattern", "sentiment"] as const;
export type StackerBaseAgent = (typeof STACKER_BASE_AGENTS)[number];

export function isStackerBaseAgent(a: string): a is StackerBaseAgent {
  return (STACKER_BASE_AGENTS as readonly string[]).includes(a);
}

/** `<agent>.p_<class>` for each base agent (in the given order) and class (down, flat, up). */
export function stackerFeatureNames(agents: readonly string[]): string[] {
  const bad = agents.filter((a) => !isStackerBaseAgent(a));
  if (bad.length > 0 || agents.length === 0 || new Set(agents).size !== agents.length) {
    throw new RangeError(
      `stacker: base agents must be distinct names among ${STACKER_BASE_AGENTS.join(", ")} ` +
        `(got ${JSON.stringify(agents)})`,
    );
  }
  return agents.flatMap((a) => DIRECTIONS.map((d) => `${a}.p_${d}`));
}

/** The row for one bar, or null when a base agent's probabilities are missing. */
export function stackerRow(
  agents: readonly string[],
  probs: Readonly<Partial<Record<string, DirectionProbs>>>,
): number[] | null {
  const row: number[] = [];
  for (const a of agents) {
    const p = probs[a];
    if (p === undefined) return null;
    for (const d of DIRECTIONS) row.push(p[d]);
  }
  return row;
}
