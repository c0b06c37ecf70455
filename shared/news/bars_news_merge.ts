// The publication order of a replay with news: each story goes out just before the first
// bar whose evaluation time (its close, bar_evaluation_time.ts) is at or after the story's
// publication, so every story a bar may use reaches the agents before that bar does. Stories
// published after the last bar closes come at the end. Pure: the feed does the publishing.
import type { Bar, News } from "../messages/mod.ts";
import { barEvaluationTime } from "./bar_evaluation_time.ts";
import { sortNews } from "./news_dedupe.ts";

export type ReplayItem = { kind: "bar"; bar: Bar } | { kind: "news"; news: News };

/** `bars` in feed order (kept as given); `news` in any order. */
export function mergeBarsAndNews(bars: readonly Bar[], news: readonly News[]): ReplayItem[] {
  for (const n of news) {
    if (!Number.isSafeInteger(n.publishedAt) || n.publishedAt < 0) {
      throw new Error(`news ${n.id}: publishedAt ${n.publishedAt} is not a ms epoch`);
    }
  }
  const stories = sortNews([...news]);
  const out: ReplayItem[] = [];
  let next = 0;
  // The first bar with evaluation time ≥ p is the first whose running maximum reaches p, and
  // the running maximum only grows: one pass over both lists.
  let reached = -Infinity;
  for (const bar of bars) {
    reached = Math.max(reached, barEvaluationTime(bar));
    while (next < stories.length && stories[next].publishedAt <= reached) {
      out.push({ kind: "news", news: stories[next++] });
    }
    out.push({ kind: "bar", bar });
  }
  while (next < stories.length) out.push({ kind: "news", news: stories[next++] });
  return out;
}
