// Lexicon sentiment of news text with VADER (the vader-sentiment port of Hutto & Gilbert's
// rule-based model). The compound score is in [-1, 1]: VADER's own cut-offs call ≥ 0.05
// positive and ≤ -0.05 negative. VADER is a general-purpose lexicon and misses finance
// phrasing ("Google faces antitrust lawsuit and shares fall" scores +0.08), which is one
// reason the vendor's score is blended in (story_score.ts).
import vader from "vader-sentiment";

interface VaderScores {
  neg: number;
  neu: number;
  pos: number;
  compound: number;
}

const analyzer = (vader as {
  SentimentIntensityAnalyzer: { polarity_scores(text: string): VaderScores };
}).SentimentIntensityAnalyzer;

/** VADER compound score of `text`, or null when the text has nothing to score. */
export function vaderCompound(text: string): number | null {
  if (typeof text !== "string") {
    throw new Error(`vaderCompound: expected a string, got ${typeof text}`);
  }
  if (text.trim() === "") return null;
  const { compound } = analyzer.polarity_scores(text);
  if (!(Number.isFinite(compound) && compound >= -1 && compound <= 1)) {
    throw new Error(`vaderCompound: the lexicon returned ${compound} for '${text.slice(0, 80)}'`);
  }
  return compound;
}

export interface LexiconScores {
  title: number | null;
  summary: number | null;
}

/** Title and summary scored separately: a headline and its summary often disagree. */
export function lexiconScores(story: { title: string; summary: string }): LexiconScores {
  return { title: vaderCompound(story.title), summary: vaderCompound(story.summary) };
}
