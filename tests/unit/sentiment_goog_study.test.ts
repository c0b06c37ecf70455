// GOOG 2022-2023: how much news there is, how it scores, and whether the daily sentiment says
// anything about the next day's return. The figures are printed; the assertions pin the
// counts to an independent reading of the raw files and guard against a leak (on 500 days a
// point-in-time news signal correlating above 0.2 with the next return would be one).
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { createSentimentCore } from "../../agents/sentiment/mod.ts";
import type { AnyEnvelope, DirectionSignal } from "../../shared/messages/mod.ts";
import {
  lexiconScores,
  loadNewsReplay,
  mergeBarsAndNews,
  newsEnvelope,
  storyScore,
  vendorScoreFor,
} from "../../shared/news/mod.ts";
import { barEnvelope, readEtfDaily, toBar } from "./features_fixtures.ts";

const NEWS_DIR = new URL("../../../shared/data/news/", import.meta.url);
const FILES = ["GOOG_news_2022-01_2023-12.json.gz", "GOOG_news_2023-01_2023-12.json.gz"];

const mean = (a: readonly number[]) => a.reduce((s, x) => s + x, 0) / a.length;

function pearson(a: readonly number[], b: readonly number[]): number {
  const ma = mean(a);
  const mb = mean(b);
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += (a[i] - ma) * (b[i] - mb);
    aa += (a[i] - ma) ** 2;
    bb += (b[i] - mb) ** 2;
  }
  return ab / Math.sqrt(aa * bb);
}

/** Average ranks (ties share their mean rank). */
function ranks(a: readonly number[]): number[] {
  const order = a.map((x, i) => [x, i] as const).sort((p, q) => p[0] - q[0]);
  const out = new Array<number>(a.length);
  for (let i = 0; i < order.length;) {
    let j = i;
    while (j + 1 < order.length && order[j + 1][0] === order[i][0]) j++;
    for (let k = i; k <= j; k++) out[order[k][1]] = (i + j) / 2;
    i = j + 1;
  }
  return out;
}

const spearman = (a: readonly number[], b: readonly number[]) => pearson(ranks(a), ranks(b));

Deno.test("GOOG 2022-2023: stories per month, scores, and the next-day correlation", async () => {
  const news = await loadNewsReplay(FILES.map((f) => fileURLToPath(new URL(f, NEWS_DIR))));
  const goog = news.filter((n) => n.symbols.includes("GOOG"));
  assert.equal(goog.length, 525);

  // Stories per New York month, against the raw stamps of the larger file (a superset).
  const raw = JSON.parse(
    new TextDecoder().decode(gunzipSync(Deno.readFileSync(new URL(FILES[0], NEWS_DIR)))),
  ) as { feed: { time_published: string }[] };
  const expected = new Map<string, number>();
  for (const f of raw.feed) {
    const m = `${f.time_published.slice(0, 4)}-${f.time_published.slice(4, 6)}`;
    expected.set(m, (expected.get(m) ?? 0) + 1);
  }
  const nyMonth = new Intl.DateTimeFormat("en-CA", {
    timeZone: "America/New_York",
    year: "numeric",
    month: "2-digit",
  });
  const perMonth = new Map<string, number>();
  for (const n of goog) {
    // The 00:00:00 date-only stamps were moved to 23:59:59 of the same New York day.
    const m = nyMonth.format(n.publishedAt).slice(0, 7);
    perMonth.set(m, (perMonth.get(m) ?? 0) + 1);
  }
  assert.deepEqual([...perMonth].sort(), [...expected].sort());
  assert.equal(perMonth.size, 24);

  const lexicon = goog.map((n) => lexiconScores(n));
  const blended = goog.map((n, i) => storyScore(n, "GOOG", lexicon[i])!);
  const vendor = goog.map((n) => vendorScoreFor(n, "GOOG")!);
  const titles = lexicon.map((l) => l.title!);
  const summaries = lexicon.map((l) => l.summary!);
  for (const list of [blended, vendor, titles, summaries]) {
    assert.ok(list.every((x) => Number.isFinite(x) && x >= -1 && x <= 1));
  }

  // The agent over the merged replay of GOOG daily bars and the news, 2021-12 .. 2024-01.
  const daily = readEtfDaily("GOOG").filter((b) => b.date >= "2021-12-01" && b.date < "2024-02");
  const items = mergeBarsAndNews(daily.map((b, i) => toBar("GOOG", b, i)), news);
  const msgs: AnyEnvelope[] = items.map((it) =>
    it.kind === "bar" ? barEnvelope("GOOG", daily[it.bar.seq], it.bar.seq) : newsEnvelope(it.news)
  );
  const core = createSentimentCore({ symbols: ["GOOG"] });
  let state = core.init();
  const byTime = new Map<number, DirectionSignal>();
  for (const m of msgs) {
    const step = core.step(state, m, 0);
    state = step.state;
    for (const o of step.out) byTime.set(o.msg.time, o.msg.data as DirectionSignal);
  }
  const edge: number[] = [];
  const closeToClose: number[] = [];
  const openToClose: number[] = [];
  for (let i = 0; i + 1 < daily.length; i++) {
    const [today, next] = [daily[i], daily[i + 1]];
    if (today.date < "2022-01-01" || today.date > "2023-12-31") continue;
    const s = byTime.get(today.time)!;
    edge.push(s.probs.up - s.probs.down);
    closeToClose.push(next.close / today.close - 1);
    openToClose.push(next.close / next.open - 1);
  }
  assert.equal(edge.length, 501);
  const figures = {
    stories: goog.length,
    perMonth: Object.fromEntries([...perMonth].sort()),
    meanScore: {
      blended: mean(blended),
      vendorTicker: mean(vendor),
      vaderTitle: mean(titles),
      vaderSummary: mean(summaries),
    },
    daysWithNews: edge.filter((x) => x !== 0).length,
    meanEdge: mean(edge),
    nextDayCloseToClose: {
      pearson: pearson(edge, closeToClose),
      spearman: spearman(edge, closeToClose),
    },
    nextDayOpenToClose: {
      pearson: pearson(edge, openToClose),
      spearman: spearman(edge, openToClose),
    },
  };
  console.log(JSON.stringify(figures, null, 1));
  // Scores lean positive (vendor and VADER alike): the agent leans to "up" on average.
  assert.ok(figures.meanScore.blended > 0 && figures.meanEdge > 0);
  for (const r of [figures.nextDayCloseToClose, figures.nextDayOpenToClose]) {
    assert.ok(Math.abs(r.pearson) < 0.2 && Math.abs(r.spearman) < 0.2, JSON.stringify(r));
  }
});
