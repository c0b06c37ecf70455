// One number per (story, symbol): the weighted mean of the scores that are available among
// the VADER score of the title, the VADER score of the summary, and the vendor's score for
// that symbol (its ticker-specific score, else its overall score). All three are in [-1, 1];
// with the default equal weights a story with every part scored gets their plain average.
// The scales differ (VADER spreads a long summary towards ±1, the vendor rarely leaves
// ±0.5), so the weights are options rather than constants.
import type { News } from "../messages/mod.ts";
import type { LexiconScores } from "./lexicon_score.ts";

export interface ScoreWeights {
  title: number;
  summary: number;
  vendor: number;
}

export const DEFAULT_SCORE_WEIGHTS: Readonly<ScoreWeights> = Object.freeze({
  title: 1,
  summary: 1,
  vendor: 1,
});

export function checkScoreWeights(w: ScoreWeights): ScoreWeights {
  const problems: string[] = [];
  for (const key of ["title", "summary", "vendor"] as const) {
    if (!(Number.isFinite(w[key]) && w[key] >= 0)) {
      problems.push(`${key}: expected a finite number >= 0 (got ${w[key]})`);
    }
  }
  if (problems.length === 0 && w.title + w.summary + w.vendor === 0) {
    problems.push("at least one weight must be above 0");
  }
  if (problems.length > 0) throw new Error(`invalid score weights: ${problems.join("; ")}`);
  return w;
}

/** The vendor's view of `symbol` in `story`: ticker-specific when given, else overall. */
export function vendorScoreFor(story: News, symbol: string): number | null {
  return story.tickerScores[symbol] ?? story.vendorScore;
}

/** Blended score of `story` for `symbol`, or null when no part with weight > 0 is available. */
export function storyScore(
  story: News,
  symbol: string,
  lexicon: LexiconScores,
  weights: ScoreWeights = DEFAULT_SCORE_WEIGHTS,
): number | null {
  const parts: [number | null, number][] = [
    [lexicon.title, weights.title],
    [lexicon.summary, weights.summary],
    [vendorScoreFor(story, symbol), weights.vendor],
  ];
  let sum = 0;
  let weight = 0;
  for (const [score, w] of parts) {
    if (score === null || w === 0) continue;
    sum += w * score;
    weight += w;
  }
  return weight === 0 ? null : sum / weight;
}
