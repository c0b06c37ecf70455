// The three direction classes every learned direction model predicts, in their fixed order.
import type { DirectionProbs } from "../messages/schemas.ts";

export const DIRECTIONS = ["down", "flat", "up"] as const;
export type Direction = (typeof DIRECTIONS)[number];
export type { DirectionProbs };

export function isDirection(x: unknown): x is Direction {
  return x === "down" || x === "flat" || x === "up";
}

/** The probability vector that puts all mass on one class. */
export function oneHot(direction: Direction): DirectionProbs {
  return { down: 0, flat: 0, up: 0, [direction]: 1 } as DirectionProbs;
}

/**
 * The most probable class. Ties go to the first tied class in the order down, flat, up
 * (numpy's argmax convention), so the choice is deterministic.
 */
export function argmaxDirection(p: DirectionProbs): Direction {
  let best: Direction = "down";
  for (const d of DIRECTIONS) if (p[d] > p[best]) best = d;
  return best;
}
