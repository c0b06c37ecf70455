// The sentiment agent core: one valid signal per bar, hand-computed probabilities, point in
// time, idempotence under redelivery, bounded memory and snapshot/restore.
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import {
  createSentimentCore,
  resolveSentimentOptions,
  SENTIMENT_MODEL,
  type SentimentState,
} from "../../agents/sentiment/mod.ts";
import type { AgentCore } from "../../agents/runtime/core.ts";
import {
  type AnyEnvelope,
  type DirectionSignal,
  type Envelope,
  makeEnvelope,
  type News,
  validate,
} from "../../shared/messages/mod.ts";
import { loadNewsReplay, mergeBarsAndNews, newsEnvelope } from "../../shared/news/mod.ts";
import { assertSignalContract, barEnvelope, readEtfDaily, toBar } from "./features_fixtures.ts";

const H = 3_600_000;
const T0 = Date.UTC(2024, 0, 1);
const hourBar = (i: number, symbol = "X", timeframe = "1h") =>
  barEnvelope(
    symbol,
    {
      time: T0 + i * H,
      open: 100,
      high: 101,
      low: 99,
      close: 100,
      volume: 1,
    },
    i,
    timeframe,
  );
const story = (id: string, publishedAt: number, over: Partial<News> = {}): News => ({
  id,
  symbols: ["X"],
  publishedAt,
  title: "The book was good.",
  summary: "",
  source: "test",
  vendorScore: 0.1,
  tickerScores: { X: 0.3 },
  ...over,
});
const news = (n: News) => newsEnvelope(n);

/** Runs `msgs` through a fresh core; returns every signal published, in order. */
function run(core: AgentCore<SentimentState>, msgs: readonly AnyEnvelope[]): DirectionSignal[] {
  let state = core.init();
  const out: DirectionSignal[] = [];
  for (const m of msgs) {
    const step = core.step(state, m, 0);
    state = step.state;
    for (const o of step.out) out.push(o.msg.data as DirectionSignal);
  }
  return out;
}

Deno.test("without news: the signal contract holds and every signal is uniform with confidence 0", () => {
  const msgs = readEtfDaily("GOOG").slice(0, 60).map((b, i) => barEnvelope("GOOG", b, i));
  const signals = assertSignalContract(createSentimentCore(), msgs) as DirectionSignal[];
  assert.equal(signals.length, 60);
  for (const s of signals) {
    assert.deepEqual(s.probs, { down: 1 / 3, flat: 1 / 3, up: 1 / 3 });
    assert.equal(s.confidence, 0);
    assert.equal(s.model, SENTIMENT_MODEL);
    assert.equal(s.kind, "direction");
  }
});

Deno.test("hand-computed signal: one story one half-life before the close", () => {
  const core = createSentimentCore({ halfLifeMs: H, scoreScale: 0.5, halfConfidenceWeight: 2 });
  // Bar 5 opens at T0+5h and closes at T0+6h; the story is one half-life older: weight 1/2.
  const [sig] = run(core, [news(story("s", T0 + 5 * H)), hourBar(5)]);
  const score = (0.4404 + 0.3) / 2; // VADER title, no summary, vendor's ticker score
  const c = 0.5 / (0.5 + 2);
  const z = score / 0.5;
  const total = Math.exp(-z) + 1 + Math.exp(z);
  const mix = (p: number) => (1 - c) / 3 + c * p;
  assert.ok(Math.abs(sig.confidence - c) < 1e-15);
  assert.ok(Math.abs(sig.probs.up - mix(Math.exp(z) / total)) < 1e-12);
  assert.ok(Math.abs(sig.probs.flat - mix(1 / total)) < 1e-12);
  assert.ok(Math.abs(sig.probs.down - mix(Math.exp(-z) / total)) < 1e-12);
  assert.ok(sig.probs.up > sig.probs.flat && sig.probs.flat > sig.probs.down);
  // Bad news the same way gives the mirror image.
  const [bad] = run(core, [
    news(story("s", T0 + 5 * H, { title: "Today sux", tickerScores: { X: -0.3 } })),
    hourBar(5),
  ]);
  assert.ok(bad.probs.down > bad.probs.up);
});

Deno.test("point in time: a story published after a bar's close does not reach that bar, even when it arrives first", () => {
  const core = createSentimentCore();
  const after = story("late", T0 + 6 * H + 1);
  const atClose = story("atClose", T0 + 6 * H);
  const [first, second] = run(core, [news(after), hourBar(5), hourBar(6)]);
  assert.equal(first.confidence, 0);
  assert.deepEqual(first, run(core, [hourBar(5)])[0]);
  // The next bar closes after the story: now it counts.
  assert.ok(second.confidence > 0);
  // Published exactly at the close counts.
  const [onTime] = run(core, [news(atClose), hourBar(5)]);
  assert.ok(onTime.confidence > 0);
  // Arrival order of stories that precede the bar does not matter.
  const a = story("a", T0 + 2 * H);
  const b = story("b", T0 + 4 * H, { title: "Today sux" });
  assert.deepEqual(
    run(core, [news(a), news(b), hourBar(5)]),
    run(core, [news(b), news(a), hourBar(5)]),
  );
});

Deno.test("redelivery: a story counts once, a bar at or before the last one gives nothing", () => {
  const core = createSentimentCore();
  const msgs = [news(story("a", T0)), hourBar(1), news(story("b", T0 + 1.5 * H)), hourBar(2)];
  const once = run(core, msgs);
  const twice = run(core, [msgs[0], msgs[0], msgs[1], msgs[0], msgs[1], msgs[2], msgs[2], msgs[3]]);
  assert.deepEqual(twice, once);
  assert.equal(run(core, [hourBar(3), hourBar(2), hourBar(3)]).length, 1);
});

Deno.test("real GOOG 2022: one valid signal per bar, news-driven confidence, merged replay order", async () => {
  const path = fileURLToPath(
    new URL("../../../shared/data/news/GOOG_news_2022-01_2023-12.json.gz", import.meta.url),
  );
  const stories = await loadNewsReplay([path]);
  const daily = readEtfDaily("GOOG").filter((b) => b.date >= "2022-01-01" && b.date < "2022-07-01");
  const bars = daily.map((b, i) => toBar("GOOG", b, i));
  const items = mergeBarsAndNews(bars, stories.filter((n) => n.publishedAt < Date.UTC(2022, 6)));
  const msgs: AnyEnvelope[] = items.map((it) =>
    it.kind === "bar" ? barEnvelope("GOOG", daily[it.bar.seq], it.bar.seq) : newsEnvelope(it.news)
  );
  const core = createSentimentCore({ symbols: ["GOOG"] });
  let state = core.init();
  const signals: DirectionSignal[] = [];
  for (const m of msgs) {
    const step = core.step(state, m, 0);
    state = step.state;
    if (m.type !== "bar") {
      assert.deepEqual(step.out, []);
      continue;
    }
    assert.equal(step.out.length, 1);
    const out = step.out[0];
    assert.equal(out.stream, "signals");
    const checked = validate(JSON.parse(JSON.stringify(out.msg)), "signals");
    assert.ok(checked.ok, checked.ok ? "" : checked.error);
    assert.equal(out.msg.id, `sentiment:signal:GOOG:${m.data.time}`);
    assert.equal(out.msg.corr, `bar:GOOG:${m.data.time}`);
    assert.equal(out.msg.time, m.data.time);
    signals.push(out.msg.data as DirectionSignal);
  }
  assert.equal(signals.length, bars.length);
  // The first bar (2022-01-03, closing 2022-01-04 00:00Z) already sees the first story,
  // stamped 2022-01-03 16:55 New York = 21:55Z.
  assert.ok(signals[0].confidence > 0);
  assert.ok(signals.filter((s) => s.confidence > 0).length > 0.9 * signals.length);
  assert.ok(signals.every((s) => s.confidence < 1));
  // Other tickers were not kept: memory holds GOOG only.
  assert.deepEqual([...state.symbols.keys()], ["GOOG"]);
});

Deno.test("snapshot and restore through JSON mid-stream continue exactly as without a restart", () => {
  const core = createSentimentCore({ halfLifeMs: 2 * H, maxAgeMs: 6 * H });
  const msgs: AnyEnvelope[] = [];
  for (let i = 0; i < 40; i++) {
    msgs.push(
      news(story(`s${i}`, T0 + i * H + 0.5 * H, i % 3 === 0 ? { title: "Today sux" } : {})),
    );
    msgs.push(news(story(`y${i}`, T0 + i * H, { symbols: ["Y"], tickerScores: {} })));
    msgs.push(hourBar(i));
    if (i % 2 === 0) msgs.push(hourBar(i, "Y"));
  }
  const whole = run(core, msgs);
  for (const cut of [0, 1, 17, 60, msgs.length]) {
    let state = core.init();
    const out: DirectionSignal[] = [];
    msgs.forEach((m, k) => {
      if (k === cut) state = core.restore!(JSON.parse(JSON.stringify(core.snapshot!(state))));
      const step = core.step(state, m, 0);
      state = step.state;
      for (const o of step.out) out.push(o.msg.data as DirectionSignal);
    });
    assert.deepEqual(out, whole, `restart at ${cut}`);
  }
});

Deno.test("restore refuses what it did not write, naming the field", () => {
  const core = createSentimentCore();
  const good = {
    v: 1,
    latestEvalTime: 10,
    symbols: {
      X: { timeframe: "1h", lastBarTime: 0, lastEvalTime: 10, stories: [["a", 1, 0.5]] },
    },
  };
  assert.ok(core.restore!(good).symbols.get("X"));
  const cases: [unknown, RegExp][] = [
    [null, /sentiment snapshot: \(root\)/],
    [{ ...good, v: 2 }, /sentiment snapshot: v: /],
    [{ ...good, latestEvalTime: -1 }, /latestEvalTime/],
    [
      { ...good, symbols: { X: { ...good.symbols.X, stories: [["a", 1, "x"]] } } },
      /symbols\.X\.stories\.0\.2/,
    ],
    [
      { ...good, symbols: { X: { ...good.symbols.X, stories: [["b", 2, 0], ["a", 1, 0]] } } },
      /symbols\.X\.stories: not sorted or not unique/,
    ],
    [
      { ...good, symbols: { X: { ...good.symbols.X, stories: [["a", 1, 0], ["a", 2, 0]] } } },
      /not sorted or not unique/,
    ],
  ];
  for (const [bad, expected] of cases) assert.throws(() => core.restore!(bad), expected);
});

Deno.test("memory stays bounded: old stories, news-only symbols and the per-symbol cap", () => {
  const core = createSentimentCore({ halfLifeMs: H, maxAgeMs: 5 * H, maxStoriesPerSymbol: 3 });
  let state = core.init();
  for (let i = 0; i < 200; i++) {
    for (
      const m of [
        news(story(`x${i}`, T0 + i * H)),
        news(story(`o${i}`, T0 + i * H, { symbols: ["OTHER"], tickerScores: {} })),
        hourBar(i),
      ]
    ) state = core.step(state, m, 0).state;
  }
  // Bar 199 closes at T0+200h: stories from T0+195h on may still count, capped at 3.
  const x = state.symbols.get("X")!;
  assert.deepEqual(x.stories.map((s) => s.id), ["x197", "x198", "x199"]);
  // OTHER never had a bar: pruned against the newest close of any symbol, and capped.
  const other = state.symbols.get("OTHER")!;
  assert.deepEqual(other.stories.map((s) => s.id), ["o197", "o198", "o199"]);
  // A story too old to count is not even stored; a news-only symbol whose stories all aged
  // out is forgotten.
  state = core.step(state, news(story("ancient", T0)), 0).state;
  assert.ok(!state.symbols.get("X")!.stories.some((s) => s.id === "ancient"));
  state = core.step(state, hourBar(300), 0).state;
  assert.equal(state.symbols.has("OTHER"), false);
  const described = core.describe!(state);
  assert.equal(described.model, SENTIMENT_MODEL);
  assert.deepEqual((described.symbols as Record<string, unknown>).X, {
    timeframe: "1h",
    lastBarTime: T0 + 300 * H,
    stories: 0,
  });
});

Deno.test("bad input: unknown message type, a symbol changing timeframe, bad options", () => {
  const core = createSentimentCore();
  let state = core.init();
  state = core.step(state, hourBar(1), 0).state;
  assert.throws(
    () => core.step(state, hourBar(2, "X", "1d"), 0),
    /timeframe '1d', earlier bars of X had '1h'/,
  );
  assert.equal(state.symbols.get("X")!.lastBarTime, T0 + H);
  const hb = makeEnvelope("heartbeat", { id: "h", producer: "t", time: 0, corr: "c" }, {
    agent: "x",
    incarnation: 0,
    processed: 0,
    inFlightMs: 0,
  }) as Envelope<"heartbeat">;
  assert.throws(
    () => core.step(state, hb, 0),
    /expected a 'bar' or 'news' message, got 'heartbeat'/,
  );
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ halfLifeMs: 0 }, /halfLifeMs: expected a finite number > 0/],
    [{ maxAgeMs: -1 }, /maxAgeMs/],
    [{ scoreScale: Infinity }, /scoreScale/],
    [{ halfConfidenceWeight: NaN }, /halfConfidenceWeight/],
    [{ maxStoriesPerSymbol: 1.5 }, /maxStoriesPerSymbol: expected an integer >= 1/],
    [{ symbols: [""] }, /symbols: expected null or a list of non-empty strings/],
    [{ weights: { title: 0, summary: 0, vendor: 0 } }, /at least one weight/],
    [{ halflife: 1 }, /halflife: unknown option/],
  ];
  for (const [bad, expected] of cases) {
    assert.throws(() => resolveSentimentOptions(bad as never), expected);
  }
  assert.equal(core.name, "sentiment");
  assert.deepEqual(core.inputs, ["md.bars", "md.news"]);
});
