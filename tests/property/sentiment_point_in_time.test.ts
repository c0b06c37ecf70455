// Properties of the sentiment core on random bars and news: strictly point in time (later
// news never changes an earlier output, whenever it arrives), truncation invariance, arrival
// order, redelivery and restart from a snapshot.
import assert from "node:assert/strict";
import fc from "fast-check";
import { createSentimentCore } from "../../agents/sentiment/mod.ts";
import {
  type AnyEnvelope,
  type Bar,
  barId,
  type DirectionSignal,
  makeEnvelope,
  messageId,
  type News,
} from "../../shared/messages/mod.ts";
import { barEvaluationTime, mergeBarsAndNews, newsEnvelope } from "../../shared/news/mod.ts";

const H = 3_600_000;
const T0 = Date.UTC(2024, 0, 1);
const SYMBOLS = ["A", "B"];
const WORDS = ["good", "great", "bad", "terrible", "record", "lawsuit", "growth", "fine", "the"];
// Small half-life and window, so that decay, pruning and the cap are all exercised.
const capped = createSentimentCore({ halfLifeMs: 2 * H, maxAgeMs: 8 * H, maxStoriesPerSymbol: 6 });
// The cap drops the oldest stories, including ones still in the window when stories from the
// future fill it up: early arrival is exact only while the cap does not bind.
const uncapped = createSentimentCore({ halfLifeMs: 2 * H, maxAgeMs: 8 * H });

function bars(n: number): Bar[] {
  const out: Bar[] = [];
  for (let i = 0; i < n; i++) {
    for (const symbol of SYMBOLS) {
      out.push({
        symbol,
        timeframe: "1h",
        time: T0 + i * H,
        open: 10,
        high: 11,
        low: 9,
        close: 10,
        volume: 1,
        seq: out.length,
      });
    }
  }
  return out;
}

const storyArb = (i: number) =>
  fc.record({
    minute: fc.integer({ min: -10 * 60, max: 30 * 60 }),
    symbols: fc.subarray(["A", "B", "C"], { minLength: 1 }),
    words: fc.array(fc.constantFrom(...WORDS), { minLength: 0, maxLength: 5 }),
    vendor: fc.option(fc.double({ min: -1, max: 1, noNaN: true }), { nil: null }),
    ticker: fc.option(fc.double({ min: -1, max: 1, noNaN: true }), { nil: null }),
  }).map(({ minute, symbols, words, vendor, ticker }): News => ({
    id: `n${i}`,
    symbols,
    publishedAt: T0 + minute * 60_000,
    title: words.join(" "),
    summary: words.slice().reverse().join(" "),
    source: "gen",
    vendorScore: vendor,
    tickerScores: ticker === null ? {} : { [symbols[0]]: ticker },
  }));

const newsListArb = fc.integer({ min: 0, max: 25 }).chain((n) =>
  fc.tuple(...Array.from({ length: n }, (_, i) => storyArb(i)))
);

const barEnv = (b: Bar) =>
  makeEnvelope("bar", {
    id: messageId("feed", "bar", `${b.symbol}:${b.time}`),
    producer: "feed",
    time: b.time,
    corr: barId(b.symbol, b.time),
  }, b);

function envelopes(barList: Bar[], news: News[]): AnyEnvelope[] {
  return mergeBarsAndNews(barList, news).map((it) =>
    it.kind === "bar" ? barEnv(it.bar) : newsEnvelope(it.news)
  );
}

/** The signals published, in order (restartAt: index where the core restarts from a snapshot). */
function run(msgs: readonly AnyEnvelope[], restartAt = -1, core = capped): DirectionSignal[] {
  let state = core.init();
  const out: DirectionSignal[] = [];
  msgs.forEach((m, k) => {
    if (k === restartAt) state = core.restore!(JSON.parse(JSON.stringify(core.snapshot!(state))));
    const step = core.step(state, m, 0);
    state = step.state;
    for (const o of step.out) out.push(o.msg.data as DirectionSignal);
  });
  return out;
}

const BAR_COUNT = 24;
const barList = bars(BAR_COUNT);

Deno.test("property: a bar's signal depends only on the news published by its close", () => {
  fc.assert(
    fc.property(newsListArb, (news) => {
      const all = run(envelopes(barList, news));
      assert.equal(all.length, barList.length);
      barList.forEach((b, k) => {
        const known = news.filter((n) => n.publishedAt <= barEvaluationTime(b));
        const alone = run(envelopes(barList.slice(0, k + 1), known));
        assert.deepEqual(alone[k], all[k], `bar ${b.symbol}@${(b.time - T0) / H}h`);
      });
    }),
    { numRuns: 60 },
  );
});

Deno.test("property: stories arriving earlier than the merged order (even before older bars) change nothing", () => {
  fc.assert(
    fc.property(
      newsListArb,
      fc.array(fc.nat(), { minLength: 25, maxLength: 25 }),
      (news, jumps) => {
        const merged = envelopes(barList, news);
        const reference = run(merged, -1, uncapped);
        // Move each story an arbitrary number of places earlier.
        const moved = merged.slice();
        news.forEach((n, i) => {
          const from = moved.findIndex((m) => m.type === "news" && m.data.id === n.id);
          const to = Math.max(0, from - (jumps[i] % (from + 1)));
          const [msg] = moved.splice(from, 1);
          moved.splice(to, 0, msg);
        });
        assert.deepEqual(run(moved, -1, uncapped), reference);
      },
    ),
    { numRuns: 100 },
  );
});

Deno.test("property: truncation, redelivery and a restart from a snapshot leave outputs unchanged", () => {
  fc.assert(
    fc.property(
      newsListArb,
      fc.integer({ min: 1, max: BAR_COUNT * SYMBOLS.length }),
      fc.array(fc.nat(), { maxLength: 10 }),
      fc.nat(),
      (news, keep, repeats, restart) => {
        const merged = envelopes(barList, news);
        const reference = run(merged);
        // Fewer bars at the end: the first outputs are the same.
        const short = run(envelopes(barList.slice(0, keep), news));
        assert.deepEqual(short, reference.slice(0, keep));
        // Redelivered messages (right after the original, or much later) add nothing.
        const redelivered = merged.slice();
        for (const r of repeats) {
          const k = r % merged.length;
          redelivered.splice(redelivered.indexOf(merged[k]) + 1 + (r % 3), 0, merged[k]);
        }
        assert.deepEqual(run(redelivered), reference);
        // A restart from a JSON snapshot anywhere continues identically.
        assert.deepEqual(run(merged, restart % (merged.length + 1)), reference);
      },
    ),
    { numRuns: 100 },
  );
});
