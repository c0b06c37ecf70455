// Parses one Alpha Vantage NEWS_SENTIMENT response ({ items, feed: [...] }) into News
// stories. Each story's symbols are the tickers of its `ticker_sentiment`, with the vendor's
// ticker-specific scores; the vendor's overall score becomes `vendorScore`.
import { createHash } from "node:crypto";
import { z } from "zod";
import { type News, NewsSchema } from "../messages/mod.ts";
import { type MidnightPolicy, publishedAtFromStamp } from "./published_time.ts";

export interface AvParseOptions {
  /** IANA zone of `time_published` (default America/New_York, see published_time.ts). */
  timeZone?: string;
  midnight?: MidnightPolicy;
  /** Drop a ticker whose relevance to the story is below this (0..1, default 0: keep all). */
  minRelevance?: number;
  /** A malformed story: fail the whole file (default) or skip it with a note. */
  invalid?: "error" | "skip";
}

export interface AvParseResult {
  news: News[];
  /** One line per skipped story (only with invalid: "skip"), naming the story and field. */
  skipped: string[];
}

const numeric = z.union([z.number(), z.string().trim().min(1).transform(Number)]).pipe(
  z.number().finite(),
);

const TickerSentimentSchema = z.object({
  ticker: z.string().trim().min(1),
  relevance_score: numeric.pipe(z.number().min(0).max(1)),
  ticker_sentiment_score: numeric.pipe(z.number().min(-1).max(1)),
});

const FeedItemSchema = z.object({
  title: z.string(),
  url: z.string(),
  time_published: z.string(),
  summary: z.string(),
  source: z.string(),
  overall_sentiment_score: numeric.pipe(z.number().min(-1).max(1)).optional(),
  ticker_sentiment: z.array(TickerSentimentSchema),
});
type FeedItem = z.infer<typeof FeedItemSchema>;

/** Keys Alpha Vantage answers with instead of a feed (rate limit, bad key, bad call). */
const VENDOR_MESSAGES = ["Information", "Note", "Error Message"] as const;

/** `origin` (usually the file path) prefixes every error so that it names where. */
export function parseAvNewsResponse(
  value: unknown,
  origin: string,
  opts: AvParseOptions = {},
): AvParseResult {
  const minRelevance = opts.minRelevance ?? 0;
  if (!(minRelevance >= 0 && minRelevance <= 1)) {
    throw new Error(`minRelevance: expected a number in [0, 1] (got ${opts.minRelevance})`);
  }
  const invalid = opts.invalid ?? "error";
  if (invalid !== "error" && invalid !== "skip") {
    throw new Error(`invalid: expected "error" or "skip" (got ${String(invalid)})`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new Error(`${origin}: expected a JSON object with a 'feed' array`);
  }
  const obj = value as Record<string, unknown>;
  if (!Array.isArray(obj.feed)) {
    const said = VENDOR_MESSAGES.find((k) => typeof obj[k] === "string");
    throw new Error(
      said === undefined
        ? `${origin}: no 'feed' array (keys: ${Object.keys(obj).join(", ") || "none"})`
        : `${origin}: the vendor answered instead of a feed: ${said}: ${obj[said]}`,
    );
  }
  const feed: unknown[] = obj.feed;
  if (obj.items !== undefined && Number(obj.items) !== feed.length) {
    throw new Error(`${origin}: 'items' says ${obj.items} but the feed holds ${feed.length}`);
  }
  const news: News[] = [];
  const problems: string[] = [];
  feed.forEach((raw, i) => {
    try {
      news.push(storyFromItem(raw, opts, minRelevance));
    } catch (e) {
      problems.push(`${origin}: feed[${i}]: ${(e as Error).message}`);
    }
  });
  if (problems.length > 0 && invalid === "error") {
    const more = problems.length > 5 ? ` (and ${problems.length - 5} more)` : "";
    throw new Error(`${problems.slice(0, 5).join("; ")}${more}`);
  }
  return { news, skipped: problems };
}

function storyFromItem(raw: unknown, opts: AvParseOptions, minRelevance: number): News {
  const parsed = FeedItemSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${issue.path.map(String).join(".") || "(item)"}: ${issue.message}`);
  }
  const item = parsed.data;
  const publishedAt = publishedAtFromStamp(item.time_published, opts);
  const symbols: string[] = [];
  const tickerScores: Record<string, number> = {};
  for (const t of item.ticker_sentiment) {
    if (t.ticker in tickerScores) throw new Error(`ticker_sentiment: ${t.ticker} appears twice`);
    tickerScores[t.ticker] = t.ticker_sentiment_score;
    if (t.relevance_score >= minRelevance) symbols.push(t.ticker);
  }
  for (const t of Object.keys(tickerScores)) if (!symbols.includes(t)) delete tickerScores[t];
  const story: News = {
    id: storyId(item),
    symbols,
    publishedAt,
    title: item.title.trim(),
    summary: item.summary.trim(),
    source: item.source.trim(),
    vendorScore: item.overall_sentiment_score ?? null,
    tickerScores,
  };
  const checked = NewsSchema.safeParse(story);
  if (!checked.success) throw new Error(checked.error.issues[0].message);
  if (story.title === "" && story.summary === "") throw new Error("no title and no summary");
  return story;
}

/** Deterministic: from the URL, or from title and stamp when the URL is missing. */
function storyId(item: FeedItem): string {
  const key = item.url.trim() !== ""
    ? `url:${item.url.trim()}`
    : `title:${item.title.trim()}|${item.time_published}`;
  return "av:" + createHash("sha256").update(key).digest("hex").slice(0, 20);
}
