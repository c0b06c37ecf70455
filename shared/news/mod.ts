// News: Alpha Vantage NEWS_SENTIMENT parsing (with its time-zone policy), de-duplication,
// replay loading and merging with bars, lexicon and blended story scores, and point-in-time
// decayed sentiment.
export {
  MIDNIGHT_POLICIES,
  type MidnightPolicy,
  NEWS_TIME_ZONE,
  parseStamp,
  publishedAtFromStamp,
  type PublishedTimeOptions,
  type WallTime,
  zonedWallTimeToEpoch,
  zoneOffsetMs,
} from "./published_time.ts";
export { type AvParseOptions, type AvParseResult, parseAvNewsResponse } from "./av_news_parse.ts";
export { dedupeNews, type DedupeResult, sortNews } from "./news_dedupe.ts";
export { decodeNewsJson, loadNewsReplay, type NewsReplay, readNewsReplay } from "./news_replay.ts";
export { barEvaluationTime } from "./bar_evaluation_time.ts";
export { mergeBarsAndNews, type ReplayItem } from "./bars_news_merge.ts";
export { newsEnvelope } from "./news_envelope.ts";
export { type LexiconScores, lexiconScores, vaderCompound } from "./lexicon_score.ts";
export {
  checkScoreWeights,
  DEFAULT_SCORE_WEIGHTS,
  type ScoreWeights,
  storyScore,
  vendorScoreFor,
} from "./story_score.ts";
export {
  checkDecayOptions,
  compareStories,
  type DecayedSentiment,
  decayedSentiment,
  type DecayOptions,
  decayWeight,
  type ScoredStory,
} from "./decayed_sentiment.ts";
