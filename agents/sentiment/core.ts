// Sentiment agent core: news in, one direction signal per bar out.
//
// A story ("md.news") is scored once per symbol it names (VADER on title and summary, blended
// with the vendor's score: shared/news/story_score.ts) and remembered. A bar ("md.bars") is
// evaluated at its close, open time + timeframe (shared/news/bar_evaluation_time.ts): the
// exponentially decayed mean of the symbol's stories published at or before that instant
// becomes direction probabilities (sentiment_view.ts).
//
// Point in time: the core uses the stories it has received whose publication time is at or
// before the bar's close, never later ones, whatever order they arrived in. It cannot use a
// story that has not arrived yet: a live system would have to wait for the news stream to
// pass the bar's close, which this core does not do. In a replay the feed publishes each story
// before the first bar that closes at or after it (mergeBarsAndNews), so every story a bar may
// use has arrived by then and the output is the same as with complete knowledge.
import type { AgentCore, Step } from "../runtime/core.ts";
import { signalOutput } from "../runtime/signal_output.ts";
import { type AnyEnvelope, type DirectionSignal, type News } from "../../shared/messages/mod.ts";
import {
  barEvaluationTime,
  checkDecayOptions,
  checkScoreWeights,
  decayedSentiment,
  DEFAULT_SCORE_WEIGHTS,
  lexiconScores,
  type ScoreWeights,
  storyScore,
} from "../../shared/news/mod.ts";
import {
  emptyMemory,
  memorySnapshot,
  type NewsMemory,
  prune,
  remember,
  restoreMemory,
  symbolMemory,
} from "./news_memory.ts";
import { sentimentView } from "./sentiment_view.ts";

export const SENTIMENT_MODEL = "lexicon:vader+av@1";

const HOUR_MS = 3_600_000;

export interface SentimentOptions {
  /** Age at which a story weighs half as much as a fresh one. */
  halfLifeMs: number;
  /** Stories older than this at a bar's close do not count (and are forgotten). */
  maxAgeMs: number;
  /** Mean blended score at which the up-versus-flat logit is 1. */
  scoreScale: number;
  /** Decayed story weight at which the confidence reaches 0.5. */
  halfConfidenceWeight: number;
  /** At most this many stories per symbol are kept (the newest). */
  maxStoriesPerSymbol: number;
  /** Blend of title, summary and vendor scores. */
  weights: ScoreWeights;
  /** Symbols to keep news for; null keeps every symbol a story names. */
  symbols: readonly string[] | null;
}

export const DEFAULT_SENTIMENT_OPTIONS: Readonly<SentimentOptions> = Object.freeze({
  halfLifeMs: 24 * HOUR_MS,
  maxAgeMs: 7 * 24 * HOUR_MS,
  scoreScale: 0.5,
  halfConfidenceWeight: 2,
  maxStoriesPerSymbol: 2_000,
  weights: DEFAULT_SCORE_WEIGHTS,
  symbols: null,
});

export function resolveSentimentOptions(
  overrides: Partial<SentimentOptions> = {},
): SentimentOptions {
  const o: SentimentOptions = { ...DEFAULT_SENTIMENT_OPTIONS };
  const problems: string[] = [];
  for (const [key, value] of Object.entries(overrides)) {
    if (!(key in DEFAULT_SENTIMENT_OPTIONS)) problems.push(`${key}: unknown option`);
    else if (value !== undefined) (o as unknown as Record<string, unknown>)[key] = value;
  }
  for (const key of ["halfLifeMs", "maxAgeMs", "scoreScale", "halfConfidenceWeight"] as const) {
    if (!(Number.isFinite(o[key]) && o[key] > 0)) {
      problems.push(`${key}: expected a finite number > 0 (got ${o[key]})`);
    }
  }
  if (!(Number.isSafeInteger(o.maxStoriesPerSymbol) && o.maxStoriesPerSymbol >= 1)) {
    problems.push(`maxStoriesPerSymbol: expected an integer >= 1 (got ${o.maxStoriesPerSymbol})`);
  }
  if (
    o.symbols !== null &&
    !(Array.isArray(o.symbols) && o.symbols.every((s) => typeof s === "string" && s !== ""))
  ) {
    problems.push("symbols: expected null or a list of non-empty strings");
  }
  for (const check of [() => checkScoreWeights(o.weights), () => checkDecayOptions(o)]) {
    try {
      check();
    } catch (e) {
      problems.push((e as Error).message);
    }
  }
  if (problems.length > 0) throw new Error(`invalid sentiment options: ${problems.join("; ")}`);
  return { ...o, weights: { ...o.weights }, symbols: o.symbols && [...o.symbols] };
}

export type SentimentState = NewsMemory;

/**
 * `latencyMs` is 0 here: a core reads no clock; the actor shell measures the step and
 * overwrites it before publishing.
 */
export function createSentimentCore(
  overrides: Partial<SentimentOptions> = {},
): AgentCore<SentimentState> {
  const opts = resolveSentimentOptions(overrides);
  const limits = { maxAgeMs: opts.maxAgeMs, maxStories: opts.maxStoriesPerSymbol };
  const tracked = opts.symbols === null ? null : new Set(opts.symbols);

  function onNews(state: SentimentState, story: News): Step<SentimentState> {
    const lexicon = lexiconScores(story);
    for (const symbol of new Set(story.symbols)) {
      if (tracked !== null && !tracked.has(symbol)) continue;
      const score = storyScore(story, symbol, lexicon, opts.weights);
      if (score === null) continue;
      remember(state, symbol, { id: story.id, publishedAt: story.publishedAt, score }, limits);
    }
    return { state, out: [] };
  }

  function onBar(state: SentimentState, msg: AnyEnvelope & { type: "bar" }): Step<SentimentState> {
    const bar = msg.data;
    const evalTime = barEvaluationTime(bar);
    const known = state.symbols.get(bar.symbol);
    if (known?.timeframe != null && known.timeframe !== bar.timeframe) {
      throw new Error(
        `sentiment: bar ${bar.symbol}@${bar.time} has timeframe '${bar.timeframe}', earlier ` +
          `bars of ${bar.symbol} had '${known.timeframe}'`,
      );
    }
    if (known?.lastBarTime != null && bar.time <= known.lastBarTime) return { state, out: [] };
    const s = symbolMemory(state, bar.symbol);
    const decayed = decayedSentiment(s.stories, evalTime, opts);
    const { probs, confidence } = sentimentView(decayed, opts);
    s.timeframe = bar.timeframe;
    s.lastBarTime = bar.time;
    s.lastEvalTime = evalTime;
    state.latestEvalTime = Math.max(state.latestEvalTime ?? evalTime, evalTime);
    prune(state, limits);
    const signal: DirectionSignal = {
      kind: "direction",
      agent: "sentiment",
      symbol: bar.symbol,
      barTime: bar.time,
      probs,
      confidence,
      latencyMs: 0,
      model: SENTIMENT_MODEL,
    };
    return { state, out: [signalOutput(signal)] };
  }

  return {
    name: "sentiment",
    inputs: ["md.bars", "md.news"],
    init: emptyMemory,
    step(state: SentimentState, msg: AnyEnvelope): Step<SentimentState> {
      if (msg.type === "news") return onNews(state, msg.data);
      if (msg.type === "bar") return onBar(state, msg);
      throw new Error(
        `sentiment: expected a 'bar' or 'news' message, got '${msg.type}' (${msg.id})`,
      );
    },
    snapshot: memorySnapshot,
    restore: restoreMemory,
    describe: (state) => ({
      model: SENTIMENT_MODEL,
      options: opts,
      latestEvalTime: state.latestEvalTime,
      symbols: Object.fromEntries(
        [...state.symbols].map(([symbol, s]) => [symbol, {
          timeframe: s.timeframe,
          lastBarTime: s.lastBarTime,
          stories: s.stories.length,
        }]),
      ),
    }),
  };
}
