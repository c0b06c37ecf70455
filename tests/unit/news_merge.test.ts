// The replay order of bars and news: a story goes out just before the first bar that closes
// at or after its publication; the news envelope is valid on md.news.
import assert from "node:assert/strict";
import {
  barEvaluationTime,
  mergeBarsAndNews,
  newsEnvelope,
  type ReplayItem,
} from "../../shared/news/mod.ts";
import { type Bar, encode, type News, validate } from "../../shared/messages/mod.ts";

const H = 3_600_000;
const bar = (symbol: string, time: number, timeframe = "1h", seq = 0): Bar => ({
  symbol,
  timeframe,
  time,
  open: 1,
  high: 1,
  low: 1,
  close: 1,
  volume: 0,
  seq,
});
const news = (id: string, publishedAt: number): News => ({
  id,
  symbols: ["X"],
  publishedAt,
  title: id,
  summary: "",
  source: "s",
  vendorScore: null,
  tickerScores: {},
});
const labels = (items: ReplayItem[]) =>
  items.map((i) => i.kind === "bar" ? `bar:${i.bar.symbol}@${i.bar.time / H}` : i.news.id);

Deno.test("barEvaluationTime is the close: open time + timeframe", () => {
  assert.equal(barEvaluationTime(bar("X", 5 * H)), 6 * H);
  assert.equal(barEvaluationTime(bar("X", 0, "1d")), 24 * H);
  assert.throws(() => barEvaluationTime(bar("X", 0, "1x")), /invalid timeframe '1x'/);
  assert.throws(() => barEvaluationTime(bar("X", -1)), /bar time -1/);
});

Deno.test("each story goes just before the first bar closing at or after it; late ones at the end", () => {
  // Bars at 0h, 1h, 2h close at 1h, 2h, 3h.
  const bars = [bar("X", 0), bar("X", H), bar("X", 2 * H)];
  const items = mergeBarsAndNews(bars, [
    news("late", 3 * H + 1),
    news("atClose", 2 * H),
    news("early", -0),
    news("mid", 1.5 * H),
    news("justAfter", 2 * H + 1),
  ]);
  assert.deepEqual(labels(items), [
    "early",
    "bar:X@0",
    "mid",
    "atClose",
    "bar:X@1",
    "justAfter",
    "bar:X@2",
    "late",
  ]);
  // Same publication time: ordered by id.
  assert.deepEqual(labels(mergeBarsAndNews([bar("X", 0)], [news("b", 10), news("a", 10)])), [
    "a",
    "b",
    "bar:X@0",
  ]);
  assert.deepEqual(labels(mergeBarsAndNews([], [news("a", 1)])), ["a"]);
});

Deno.test("several symbols and timeframes: bars keep the feed's order", () => {
  // A daily bar at 0h closes at 24h; an hourly bar at 1h closes at 2h.
  const bars = [bar("D", 0, "1d"), bar("X", H), bar("X", 30 * H)];
  const items = mergeBarsAndNews(bars, [
    news("n5", 5 * H),
    news("n25", 25 * H),
    news("n31", 31 * H),
  ]);
  // n5 reaches the first bar already: the daily bar closes after it.
  assert.deepEqual(labels(items), ["n5", "bar:D@0", "bar:X@1", "n25", "n31", "bar:X@30"]);
  assert.throws(
    () => mergeBarsAndNews([], [news("bad", 1.5)]),
    /news bad: publishedAt 1.5 is not a ms epoch/,
  );
});

Deno.test("newsEnvelope: valid on md.news, id and corr from the story, time = publication", () => {
  const n = { ...news("av:abc", 1_700_000_000_000), tickerScores: { X: 0.5 } };
  const env = newsEnvelope(n);
  assert.equal(env.id, "feed:news:av:abc");
  assert.equal(env.corr, "news:av:abc");
  assert.equal(env.time, n.publishedAt);
  assert.equal(env.producer, "feed");
  const checked = validate(JSON.parse(encode(env, "md.news")), "md.news");
  assert.ok(checked.ok);
  assert.deepEqual(checked.msg, env);
  assert.equal(validate(env, "md.bars").ok, false);
  const bad = newsEnvelope({ ...n, tickerScores: { Y: 0.1 } });
  assert.throws(
    () => encode(bad, "md.news"),
    /tickerScores key must be one of the story's symbols/,
  );
});
