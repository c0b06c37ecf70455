// The replay's merged publication order (bars and news) and its resume position.
import assert from "node:assert/strict";
import fc from "fast-check";
import type { News } from "../../shared/messages/mod.ts";
import type { RawBar } from "../../shared/data/mod.ts";
import {
  batchEnd,
  clockStepEnd,
  decodeProgress,
  encodeProgress,
  replaySequence,
} from "../../agents/feed/replay_sequence.ts";

const DAY = 86_400_000;
const T0 = Date.UTC(2022, 0, 3);

function bar(symbol: string, day: number): RawBar {
  return {
    symbol,
    timeframe: "1d",
    time: T0 + day * DAY,
    open: 100,
    high: 101,
    low: 99,
    close: 100.5,
    volume: 1_000,
  };
}

function story(id: string, publishedAt: number, symbols = ["GOOG"]): News {
  return {
    id,
    symbols,
    publishedAt,
    title: id,
    summary: "",
    source: "test",
    vendorScore: null,
    tickerScores: {},
  };
}

const kinds = (items: { kind: string }[]) => items.map((i) => i.kind[0]).join("");

Deno.test("feed news: a story goes out before the first bar that closes at or after it", () => {
  const bars = [bar("GOOG", 0), bar("GOOG", 1), bar("GOOG", 2)];
  const news = [
    story("late", T0 + 3 * DAY + 1), // after the last close: at the end
    story("day1", T0 + DAY + 5), // closes with bar 1 (at T0 + 2 days)
    story("pre", T0 - DAY), // before everything
    story("atClose", T0 + DAY), // exactly bar 0's close: counts for bar 0
  ];
  const seq = replaySequence(bars, news, ["GOOG"]);
  assert.equal(kinds(seq.items), "nnbnbbn");
  const ids = seq.items.map((i) => i.kind === "news" ? i.news.id : `b${i.bar.seq}`);
  assert.deepEqual(ids, ["pre", "atClose", "b0", "day1", "b1", "b2", "late"]);
  assert.deepEqual(seq.barsBefore, [0, 0, 0, 1, 1, 2, 3, 3]);
  assert.equal(seq.bars, 3);
});

Deno.test("feed news: stories naming no replayed symbol are left out", () => {
  const seq = replaySequence([bar("GOOG", 0)], [
    story("aapl", T0, ["AAPL"]),
    story("both", T0, ["AAPL", "GOOG"]),
  ], ["GOOG"]);
  assert.deepEqual(
    seq.items.map((i) => i.kind === "news" ? i.news.id : "bar"),
    ["both", "bar"],
  );
});

Deno.test("feed news: batches hold at most the bar limit and the stories before the next bar", () => {
  const bars = [0, 1, 2, 3].map((d) => bar("GOOG", d));
  const news = [story("a", T0), story("b", T0 + DAY + 1), story("c", T0 + 2 * DAY + 1)];
  const seq = replaySequence(bars, news, ["GOOG"]);
  assert.equal(kinds(seq.items), "nbnbnbb"); // a b0 b b1 c b2 b3
  assert.equal(batchEnd(seq, 0, 1), 3); // a, b0, b (the story before b1 goes with it)
  assert.equal(batchEnd(seq, 3, 2), 5);
  assert.equal(batchEnd(seq, 5, 4), 7);
  assert.equal(batchEnd(seq, 7, 4), 7); // nothing left
  assert.equal(batchEnd(seq, 3, 1), 4); // a limit already reached still moves one item
  assert.throws(() => batchEnd(seq, 8, 4), /position 8 is outside 0\.\.7/);
});

Deno.test("feed news: a clock step is one bar time with the stories around it", () => {
  const bars = [bar("AAA", 0), bar("BBB", 0), bar("AAA", 1), bar("BBB", 1)];
  const news = [story("x", T0, ["AAA"]), story("y", T0 + DAY + 1, ["BBB"])];
  const seq = replaySequence(bars, news, ["AAA", "BBB"]);
  assert.equal(kinds(seq.items), "nbbnbb");
  assert.equal(clockStepEnd(seq, 0), 4); // x, both day-0 bars, y (before the day-1 bars)
  assert.equal(clockStepEnd(seq, 4), 6);
  assert.equal(clockStepEnd(seq, 6), 6);
});

Deno.test("feed news: batches cover the sequence once, in order, within the window", () => {
  fc.assert(fc.property(
    fc.integer({ min: 1, max: 30 }),
    fc.array(fc.integer({ min: -2 * DAY, max: 32 * DAY }), { maxLength: 40 }),
    fc.integer({ min: 1, max: 6 }),
    fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 50 }),
    (nBars, offsets, window, lags) => {
      const bars = Array.from({ length: nBars }, (_, d) => bar("GOOG", d));
      const news = offsets.map((o, i) => story(`s${i}`, T0 + o));
      const seq = replaySequence(bars, news, ["GOOG"]);
      assert.equal(seq.items.length, nBars + news.length);
      // Every story precedes every bar that closes at or after it; bars keep seq order.
      let seen = 0;
      for (const item of seq.items) {
        if (item.kind === "bar") assert.equal(item.bar.seq, seen++);
      }
      for (let i = 0; i < seq.items.length; i++) {
        const it = seq.items[i];
        if (it.kind !== "news") continue;
        for (let j = 0; j < i; j++) {
          const b = seq.items[j];
          if (b.kind === "bar") assert.ok(b.bar.time + DAY < it.news.publishedAt);
        }
      }
      // The feed's loop: executor `processed` lags a few bars behind what went out.
      let index = 0;
      let step = 0;
      while (index < seq.items.length) {
        const out = seq.barsBefore[index];
        const processed = Math.max(0, out - lags[step++ % lags.length]);
        const limit = Math.min(seq.bars, Math.max(processed, out - window + 1) + window);
        const end = batchEnd(seq, index, limit);
        assert.ok(end > index);
        assert.ok(seq.barsBefore[end] - out <= Math.max(1, limit - out));
        assert.equal(decodeProgress(seq, encodeProgress(seq, end)), end);
        index = end;
      }
      assert.equal(index, seq.items.length);
    },
  ));
});

Deno.test("feed news: the resume position is the merged index, checked against the plan", () => {
  const bars = [0, 1, 2].map((d) => bar("GOOG", d));
  const withNews = replaySequence(bars, [story("a", T0), story("b", T0 + DAY + 1)], ["GOOG"]);
  const plain = replaySequence(bars, [], ["GOOG"]);
  assert.equal(decodeProgress(withNews, null), 0);
  const saved = encodeProgress(withNews, 3); // a, b0, b: one bar out, but index 3
  assert.deepEqual(JSON.parse(saved), { index: 3, bars: 1, items: 5 });
  assert.equal(decodeProgress(withNews, saved), 3);
  // The same saved position does not fit a replay without the news (or other data).
  assert.throws(() => decodeProgress(plain, saved), /does not match this replay.*--news changed/);
  // A bare bar count (saved before news existed) resumes a replay without news only.
  assert.equal(decodeProgress(plain, "2"), 2);
  assert.throws(() => decodeProgress(withNews, "2"), /bar count \(2\).*has news/);
  assert.throws(() => decodeProgress(plain, "9"), /9 bars published, but the replay has 3/);
  assert.throws(() => decodeProgress(plain, "{oops"), /expected JSON/);
  assert.throws(
    () => decodeProgress(plain, JSON.stringify({ index: -1, bars: 0, items: 3 })),
    /non-negative integers/,
  );
  assert.throws(
    () => decodeProgress(withNews, JSON.stringify({ index: 3, bars: 2, items: 5 })),
    /does not match/,
  );
});

Deno.test("feed news: a story with a bad publication time is rejected by name", () => {
  assert.throws(
    () => replaySequence([bar("GOOG", 0)], [story("bad", Number.NaN)], ["GOOG"]),
    /news bad: publishedAt NaN is not a ms epoch/,
  );
});
