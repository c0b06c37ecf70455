// Per-symbol sentiment at a query time T from the stories published up to T: each story's
// score weighs 2^(-(T - publishedAt) / halfLife), and stories older than maxAge do not count
// at all (a window, so that memory stays bounded and the figure is exact, not approximate).
// Strictly point in time: a story published after T has no weight, whatever order the
// stories arrived in.
export interface ScoredStory {
  id: string;
  publishedAt: number;
  score: number;
}

export interface DecayOptions {
  /** Age at which a story weighs half as much as a fresh one (ms). */
  halfLifeMs: number;
  /** Stories older than this at the query time are ignored (ms, ≥ 0). */
  maxAgeMs: number;
}

export interface DecayedSentiment {
  /** Decay-weighted mean score, in [-1, 1] when the scores are; 0 with no story. */
  mean: number;
  /** Decay-weighted sum of scores. */
  sum: number;
  /** Sum of the weights: the number of stories, each discounted by its age. */
  weight: number;
  /** Stories inside the window [T - maxAge, T]. */
  count: number;
  /** Publication time of the newest story in the window, null with none. */
  latestAt: number | null;
}

export function checkDecayOptions(o: DecayOptions): DecayOptions {
  const problems: string[] = [];
  if (!(Number.isFinite(o.halfLifeMs) && o.halfLifeMs > 0)) {
    problems.push(`halfLifeMs: expected a finite number > 0 (got ${o.halfLifeMs})`);
  }
  if (!(Number.isFinite(o.maxAgeMs) && o.maxAgeMs >= 0)) {
    problems.push(`maxAgeMs: expected a finite number >= 0 (got ${o.maxAgeMs})`);
  }
  if (problems.length > 0) throw new Error(`invalid decay options: ${problems.join("; ")}`);
  return o;
}

/** Weight of a story `ageMs` old: 1 when fresh, 1/2 at one half-life, 0 for the future. */
export function decayWeight(ageMs: number, halfLifeMs: number): number {
  if (ageMs < 0) return 0;
  return Math.pow(2, -ageMs / halfLifeMs);
}

/**
 * The sums run in (publishedAt, id) order, so the result does not depend, bit for bit, on
 * the order of `stories`.
 */
export function decayedSentiment(
  stories: readonly ScoredStory[],
  at: number,
  opts: DecayOptions,
): DecayedSentiment {
  checkDecayOptions(opts);
  if (!Number.isFinite(at)) throw new Error(`decayedSentiment: query time ${at} is not finite`);
  const inWindow = stories.filter((s) => s.publishedAt <= at && at - s.publishedAt <= opts.maxAgeMs)
    .sort(compareStories);
  let sum = 0;
  let weight = 0;
  for (const s of inWindow) {
    if (!Number.isFinite(s.score)) throw new Error(`story ${s.id}: score ${s.score} is not finite`);
    const w = decayWeight(at - s.publishedAt, opts.halfLifeMs);
    sum += w * s.score;
    weight += w;
  }
  return {
    mean: weight > 0 ? sum / weight : 0,
    sum,
    weight,
    count: inWindow.length,
    latestAt: inWindow.length > 0 ? inWindow[inWindow.length - 1].publishedAt : null,
  };
}

export function compareStories(a: ScoredStory, b: ScoredStory): number {
  return a.publishedAt - b.publishedAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}
