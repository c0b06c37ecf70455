// Alpha Vantage NEWS_SENTIMENT parsing, de-duplication and replay loading, on the real GOOG
// files in ../shared/data/news and on hand-made responses.
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import {
  decodeNewsJson,
  dedupeNews,
  loadNewsReplay,
  parseAvNewsResponse,
  readNewsReplay,
} from "../../shared/news/mod.ts";
import { type News, NewsSchema } from "../../shared/messages/mod.ts";

const NEWS_DIR = new URL("../../../shared/data/news/", import.meta.url);
const newsPath = (name: string) => fileURLToPath(new URL(name, NEWS_DIR));
const FULL = newsPath("GOOG_news_2022-01_2023-12.json.gz");
const Y2023 = newsPath("GOOG_news_2023-01_2023-12.json.gz");
const RECENT = newsPath("GOOG_news_2025-11_2025-12.json.gz");

const item = (over: Record<string, unknown> = {}) => ({
  title: "Alphabet beats estimates",
  url: "https://example.com/a",
  time_published: "20220103T165500",
  summary: "Shares rose after the report.",
  source: "Example",
  overall_sentiment_score: 0.2,
  ticker_sentiment: [
    { ticker: "GOOG", relevance_score: "0.9", ticker_sentiment_score: "0.3" },
    { ticker: "MSFT", relevance_score: "0.1", ticker_sentiment_score: "-0.1" },
  ],
  ...over,
});
const response = (feed: unknown[]) => ({ items: String(feed.length), feed });

Deno.test("real files: story counts, every story valid, sorted, GOOG in each", async () => {
  const full = await readNewsReplay([FULL]);
  assert.equal(full.news.length, 525);
  assert.equal(full.duplicates, 0);
  assert.equal((await loadNewsReplay([Y2023])).length, 196);
  const recent = await readNewsReplay([RECENT]);
  // 1000 stories, 9 of them second copies (same title at the same time under another URL).
  assert.deepEqual(recent.files.map((f) => f.stories), [1000]);
  assert.equal(recent.news.length, 991);
  assert.equal(recent.duplicates, 9);
  for (const n of [...full.news, ...recent.news]) {
    assert.ok(NewsSchema.safeParse(n).success, n.id);
    assert.ok(n.symbols.includes("GOOG"), n.id);
    assert.equal(typeof n.tickerScores.GOOG, "number");
  }
  for (let i = 1; i < full.news.length; i++) {
    assert.ok(full.news[i - 1].publishedAt <= full.news[i].publishedAt);
  }
  assert.equal(new Set(full.news.map((n) => n.id)).size, 525);
  // First and last story of the 2022-2023 file (New York 2022-01-03 16:55 = 21:55Z).
  assert.equal(full.news[0].publishedAt, Date.UTC(2022, 0, 3, 21, 55));
  const last = full.news[full.news.length - 1];
  assert.equal(
    last.title,
    "Alphabet Inc: Report on Assessing Systemic Climate Risk from Retirement Plan Options",
  );
  assert.equal(last.vendorScore, -0.245939);
  assert.deepEqual(last.tickerScores, { GOOGL: -0.225079, GOOG: -0.209441 });
  assert.deepEqual(last.symbols, ["GOOGL", "GOOG"]);
});

Deno.test("the two overlapping 2023 files: the 2023 one adds nothing; the vendor re-scored every copy", async () => {
  const both = await readNewsReplay([FULL, Y2023]);
  assert.equal(both.news.length, 525);
  assert.equal(both.duplicates, 196);
  assert.equal(both.conflicts.length, 196);
  assert.match(both.conflicts[0], /kept the first, differs in vendorScore, tickerScores/);
  // The first file named wins: its scores are the ones kept.
  const full = await loadNewsReplay([FULL]);
  assert.deepEqual(both.news, full);
  const reversed = await loadNewsReplay([Y2023, FULL]);
  assert.deepEqual(reversed.map((n) => n.id), full.map((n) => n.id));
  const last = reversed[reversed.length - 1];
  assert.equal(last.vendorScore, -0.227644);
  // The whole folder: 525 + 991 stories, no story shared between 2023 and 2025.
  const folder = await readNewsReplay([fileURLToPath(NEWS_DIR)]);
  assert.equal(folder.files.length, 3);
  assert.equal(folder.news.length, 525 + 991);
  assert.equal(folder.duplicates, 196 + 9);
});

Deno.test("dedupe: same URL, or same title (case, spacing) at the same time, is one story", () => {
  const parse = (feed: unknown[]) => parseAvNewsResponse(response(feed), "t").news;
  const a = parse([item()]);
  const sameUrl = parse([item({ title: "Other title", time_published: "20220104T100000" })]);
  const sameTitle = parse([
    item({ url: "https://mirror.example.com/a", title: "  ALPHABET  beats estimates " }),
  ]);
  const repost = parse([
    item({ url: "https://mirror.example.com/b", time_published: "20220104T100000" }),
  ]);
  const r = dedupeNews([a, sameUrl, sameTitle, repost]);
  assert.deepEqual(r.news.map((n) => n.id), [a[0].id, repost[0].id]);
  assert.equal(r.duplicates, 2);
  assert.equal(r.conflicts.length, 2);
  assert.match(r.conflicts[0], /differs in publishedAt, title/);
  // Exact copies are duplicates without conflict.
  assert.deepEqual(dedupeNews([a, a]), { news: a, duplicates: 1, conflicts: [] });
});

Deno.test("parse: symbols, ticker scores, vendor score and a deterministic id", () => {
  const [n] = parseAvNewsResponse(response([item()]), "t").news;
  assert.deepEqual(
    n,
    {
      id: n.id,
      symbols: ["GOOG", "MSFT"],
      publishedAt: Date.UTC(2022, 0, 3, 21, 55),
      title: "Alphabet beats estimates",
      summary: "Shares rose after the report.",
      source: "Example",
      vendorScore: 0.2,
      tickerScores: { GOOG: 0.3, MSFT: -0.1 },
    } satisfies News,
  );
  assert.match(n.id, /^av:[0-9a-f]{20}$/);
  assert.equal(parseAvNewsResponse(response([item()]), "other").news[0].id, n.id);
  const [low] = parseAvNewsResponse(response([item()]), "t", { minRelevance: 0.5 }).news;
  assert.deepEqual(low.symbols, ["GOOG"]);
  assert.deepEqual(low.tickerScores, { GOOG: 0.3 });
  const [noOverall] = parseAvNewsResponse(
    response([item({ overall_sentiment_score: undefined, url: "" })]),
    "t",
  ).news;
  assert.equal(noOverall.vendorScore, null);
  assert.match(noOverall.id, /^av:/);
  assert.notEqual(noOverall.id, n.id);
});

Deno.test("parse: bad stories are refused naming the file, the index and the field", () => {
  const cases: [unknown, RegExp][] = [
    [item({ time_published: "2022-01-03" }), /f\.json: feed\[1\]: time_published '2022-01-03'/],
    [item({ title: 5 }), /feed\[1\]: title: /],
    [item({ overall_sentiment_score: 1.5 }), /feed\[1\]: overall_sentiment_score: /],
    [
      item({
        ticker_sentiment: [{ ticker: "GOOG", relevance_score: "x", ticker_sentiment_score: "0.1" }],
      }),
      /ticker_sentiment\.0\.relevance_score/,
    ],
    [
      item({
        ticker_sentiment: [{ ticker: "GOOG", relevance_score: "1", ticker_sentiment_score: "" }],
      }),
      /ticker_sentiment\.0\.ticker_sentiment_score/,
    ],
    [
      item({
        ticker_sentiment: [
          { ticker: "GOOG", relevance_score: "1", ticker_sentiment_score: "0.1" },
          { ticker: "GOOG", relevance_score: "1", ticker_sentiment_score: "0.2" },
        ],
      }),
      /GOOG appears twice/,
    ],
    [item({ title: " ", summary: "" }), /no title and no summary/],
    ["not an object", /feed\[1\]: \(item\): /],
  ];
  for (const [bad, expected] of cases) {
    assert.throws(() => parseAvNewsResponse(response([item(), bad]), "f.json"), expected);
  }
  // Skip mode keeps the good ones and says what it skipped.
  const skipped = parseAvNewsResponse(response([item(), item({ title: 5 })]), "f.json", {
    invalid: "skip",
  });
  assert.equal(skipped.news.length, 1);
  assert.deepEqual(skipped.skipped.length, 1);
  assert.match(skipped.skipped[0], /^f\.json: feed\[1\]: title/);
});

Deno.test("parse: vendor answers, missing feed, wrong item count and bad options are refused", () => {
  assert.throws(
    () => parseAvNewsResponse({ Information: "rate limit reached" }, "f.json"),
    /f\.json: the vendor answered instead of a feed: Information: rate limit reached/,
  );
  assert.throws(
    () => parseAvNewsResponse({ data: [] }, "f.json"),
    /no 'feed' array \(keys: data\)/,
  );
  assert.throws(() => parseAvNewsResponse([], "f.json"), /expected a JSON object/);
  assert.throws(
    () => parseAvNewsResponse({ items: "2", feed: [item()] }, "f.json"),
    /'items' says 2 but the feed holds 1/,
  );
  assert.throws(() => parseAvNewsResponse(response([]), "f", { minRelevance: 2 }), /minRelevance/);
  assert.throws(
    () => parseAvNewsResponse(response([]), "f", { invalid: "drop" as never }),
    /invalid: /,
  );
});

Deno.test("files: gzip or plain JSON; a .gz that is not gzip, bad JSON and missing paths are named", async () => {
  const json = JSON.stringify(response([item()]));
  const bytes = new TextEncoder().encode(json);
  assert.deepEqual(decodeNewsJson("x.json", bytes), JSON.parse(json));
  assert.deepEqual(decodeNewsJson("x.json.gz", gzipSync(bytes)), JSON.parse(json));
  assert.throws(
    () => decodeNewsJson("x.json.gz", bytes),
    /x\.json\.gz: named \.gz but is not gzip/,
  );
  assert.throws(() => decodeNewsJson("x.json", new TextEncoder().encode("{")), /x\.json: not JSON/);
  assert.throws(() => decodeNewsJson("x.json", new Uint8Array([0xff, 0xfe])), /not UTF-8/);
  await assert.rejects(() => loadNewsReplay([]), /no paths given/);
  await assert.rejects(
    () => loadNewsReplay(["/nonexistent/news.json"]),
    /news source \/nonexistent/,
  );
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/b.json`, json);
    await Deno.writeTextFile(`${dir}/notes.txt`, "hello");
    const r = await readNewsReplay([dir]);
    assert.equal(r.news.length, 1);
    assert.deepEqual(r.notes, [`skipped ${dir}/notes.txt: not a .json or .json.gz file`]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
