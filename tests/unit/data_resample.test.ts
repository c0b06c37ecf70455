// 5m → 15m resampling on the real intraday files (../shared/data/intraday_5m) and on random
// series: complete buckets only (unless allowPartial), built only from their own bars.
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  BarResampler,
  devDataPath,
  loadBarFile,
  type RawBar,
  resampleBars,
} from "../../shared/data/mod.ts";

const M5 = 300_000;
const M15 = 900_000;
const utc = (s: string) => Date.parse(s + "Z");

/** The reference: aggregate of exactly the source bars in [t, t + span). */
function expectedBar(source: readonly RawBar[], time: number, span: number, tf: string): RawBar {
  const inside = source.filter((b) => b.time >= time && b.time < time + span);
  return {
    symbol: inside[0].symbol,
    timeframe: tf,
    time,
    open: inside[0].open,
    high: Math.max(...inside.map((b) => b.high)),
    low: Math.min(...inside.map((b) => b.low)),
    close: inside[inside.length - 1].close,
    volume: inside.reduce((s, b) => s + b.volume, 0),
  };
}

Deno.test("real 5m files: 25 complete 15m bars per full day, each equal to its 3 source bars", async () => {
  for (const symbol of ["QQQ", "IWM", "TSLA"]) {
    const { bars } = await loadBarFile(devDataPath(`intraday_5m/${symbol}_5min.csv`));
    const out = resampleBars(bars, "15m");
    const perDay = new Map<string, number>();
    for (const b of out) {
      assert.equal(b.timeframe, "15m");
      assert.equal(b.time % M15, 0);
      assert.deepEqual(b, expectedBar(bars, b.time, M15, "15m"));
      assert.equal(bars.filter((s) => s.time >= b.time && s.time < b.time + M15).length, 3);
      const day = new Date(b.time).toISOString().slice(0, 10);
      perDay.set(day, (perDay.get(day) ?? 0) + 1);
    }
    // Each day runs 09:35..16:00 (bar open times): 09:30 holds 2 bars, 16:00 holds 1; the
    // 25 buckets 09:45..15:45 are complete.
    const full = [...perDay.entries()].slice(0, -1);
    assert.ok(full.length >= 39, `${symbol}: ${full.length} full days`);
    for (const [day, n] of full) assert.equal(n, 25, `${symbol} ${day}`);
    const partial = resampleBars(bars, "15m", { allowPartial: true });
    const firstDay = partial.filter((b) => b.time < utc("2023-07-11T00:00"));
    assert.equal(firstDay.length, 27);
    assert.equal(firstDay[0].time, utc("2023-07-10T09:30"));
    assert.deepEqual(firstDay[0], expectedBar(bars, utc("2023-07-10T09:30"), M15, "15m"));
  }
});

Deno.test("IWM's cut-short last day (ends 13:30) yields no partial bucket unless allowed", async () => {
  const { bars } = await loadBarFile(devDataPath("intraday_5m/IWM_5min.csv"));
  const last = bars[bars.length - 1];
  assert.equal(last.time, utc("2023-09-05T13:30"));
  const complete = resampleBars(bars, "15m");
  assert.equal(complete[complete.length - 1].time, utc("2023-09-05T13:15"));
  const partial = resampleBars(bars, "15m", { allowPartial: true });
  const tail = partial[partial.length - 1];
  assert.equal(tail.time, utc("2023-09-05T13:30"));
  assert.deepEqual(
    [tail.open, tail.high, tail.low, tail.close, tail.volume],
    [last.open, last.high, last.low, last.close, last.volume],
  );
});

const seriesArb = fc.array(
  fc.record({
    present: fc.boolean(),
    low: fc.integer({ min: 1, max: 1000 }),
    span: fc.integer({ min: 0, max: 50 }),
    volume: fc.integer({ min: 0, max: 10_000 }),
  }),
  { maxLength: 60 },
).map((slots) => {
  const bars: RawBar[] = [];
  const start = utc("2023-07-10T09:35");
  slots.forEach((s, i) => {
    if (!s.present && i % 7 !== 0) return;
    bars.push({
      symbol: "X",
      timeframe: "5m",
      time: start + i * M5,
      open: s.low + s.span / 2,
      high: s.low + s.span,
      low: s.low,
      close: s.low + s.span / 3,
      volume: s.volume,
    });
  });
  return bars;
});

Deno.test("property: output bars aggregate exactly their bucket; incomplete ones only with allowPartial", () => {
  fc.assert(fc.property(seriesArb, fc.constantFrom("10m", "15m", "30m", "1h"), (bars, target) => {
    const span = target === "1h" ? 3_600_000 : Number(target.slice(0, -1)) * 60_000;
    const need = span / M5;
    const complete = resampleBars(bars, target);
    const partial = resampleBars(bars, target, { allowPartial: true });
    const buckets = new Set(bars.map((b) => Math.floor(b.time / span) * span));
    assert.deepEqual(partial.map((b) => b.time), [...buckets]);
    for (const b of partial) assert.deepEqual(b, expectedBar(bars, b.time, span, target));
    const full = partial.filter((b) =>
      bars.filter((s) => s.time >= b.time && s.time < b.time + span).length === need
    );
    assert.deepEqual(complete, full);
  }));
});

Deno.test("property: no look-ahead: resampling any prefix gives a prefix of the output", () => {
  fc.assert(fc.property(seriesArb, fc.nat(), (bars, cut) => {
    const all = resampleBars(bars, "15m");
    const k = bars.length === 0 ? 0 : cut % (bars.length + 1);
    const prefix = resampleBars(bars.slice(0, k), "15m");
    assert.deepEqual(prefix, all.slice(0, prefix.length));
    // Streaming: a bar is returned by push() of its bucket's last source bar, not later.
    const r = new BarResampler("5m", "15m");
    for (const b of bars) {
      for (const out of r.push(b)) assert.equal(out.time + M15 - M5, b.time);
    }
  }));
});

Deno.test("bad resampling requests fail with what is wrong", () => {
  const bar = (time: number, symbol = "X", timeframe = "5m"): RawBar => ({
    symbol,
    timeframe,
    time,
    open: 1,
    high: 1,
    low: 1,
    close: 1,
    volume: 0,
  });
  const t = utc("2023-07-10T09:35");
  assert.throws(() => new BarResampler("5m", "7m"), /7m: the target is not a whole multiple/);
  assert.throws(() => resampleBars([bar(t + M5), bar(t)], "15m"), /strictly ascending/);
  assert.throws(
    () => resampleBars([bar(t), bar(t + M5, "Y")], "15m"),
    /resampler is for X, got a Y bar/,
  );
  assert.throws(
    () => resampleBars([bar(t), bar(t + M5, "X", "1m")], "15m"),
    /expects 5m bars, got 1m/,
  );
  assert.throws(() => resampleBars([bar(t + 60_000)], "15m"), /not on a 5m boundary/);
  assert.deepEqual(resampleBars([], "15m"), []);
});
