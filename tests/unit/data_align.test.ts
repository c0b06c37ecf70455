// Several symbols on one clock: synthetic cases, a property, and the real sp500 files
// (../shared/data/sp500_daily) where FB joins in 2012.
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  alignBars,
  alignedSteps,
  devDataPath,
  loadBarFile,
  type RawBar,
} from "../../shared/data/mod.ts";

const bar = (symbol: string, time: number): RawBar => ({
  symbol,
  timeframe: "1d",
  time,
  open: 1,
  high: 1,
  low: 1,
  close: 1,
  volume: 0,
});

Deno.test("steps ascend, bars are in symbol order, late starters join later", () => {
  const steps = alignBars([
    [bar("MSFT", 2), bar("MSFT", 3)],
    [bar("AAPL", 1), bar("AAPL", 2), bar("AAPL", 4)],
    [bar("FB", 3), bar("FB", 4)],
  ]);
  assert.deepEqual(
    steps.map((s) => [s.time, s.bars.map((b) => b.symbol)]),
    [
      [1, ["AAPL"]],
      [2, ["AAPL", "MSFT"]],
      [3, ["FB", "MSFT"]],
      [4, ["AAPL", "FB"]],
    ],
  );
  assert.deepEqual(alignBars([]), []);
  assert.deepEqual(alignBars([[], [bar("A", 1)]]).length, 1);
});

Deno.test("alignment rejects unsorted, mixed or repeated series", () => {
  assert.throws(() => alignBars([[bar("A", 2), bar("A", 1)]]), /A bars are not strictly ascending/);
  assert.throws(() => alignBars([[bar("A", 1), bar("A", 1)]]), /not strictly ascending/);
  assert.throws(() => alignBars([[bar("A", 1), bar("B", 2)]]), /series of A also holds a B bar/);
  assert.throws(
    () => alignBars([[bar("A", 1)], [bar("A", 2)]]),
    /A appears in more than one series/,
  );
});

Deno.test("property: every bar appears exactly once, at its own time, in symbol order", () => {
  const seriesArb = fc.uniqueArray(fc.constantFrom("AAPL", "B", "FB", "MSFT", "ZZ", "a"), {
    maxLength: 5,
  }).chain((symbols) =>
    fc.tuple(
      ...symbols.map((s) =>
        fc.uniqueArray(fc.integer({ min: 0, max: 50 }), { maxLength: 20 }).map((ts) =>
          ts.sort((a, b) => a - b).map((t) => bar(s, t))
        )
      ),
    )
  );
  fc.assert(fc.property(seriesArb, (series) => {
    const steps = [...alignedSteps(series)];
    const seen = steps.flatMap((s) => s.bars);
    assert.equal(seen.length, series.reduce((n, s) => n + s.length, 0));
    for (let i = 0; i < steps.length; i++) {
      if (i > 0) assert.ok(steps[i].time > steps[i - 1].time);
      assert.ok(steps[i].bars.length > 0);
      const symbols = steps[i].bars.map((b) => b.symbol);
      assert.deepEqual(symbols, [...symbols].sort());
      for (const b of steps[i].bars) assert.equal(b.time, steps[i].time);
    }
  }));
});

Deno.test("real data: FB joins on 2012-05-18, AAPL is there from 1999", async () => {
  const [aapl, fb] = await Promise.all(
    ["AAPL", "FB"].map((s) => loadBarFile(devDataPath(`sp500_daily/${s}.csv.gz`))),
  );
  const steps = alignBars([fb.bars, aapl.bars]);
  assert.equal(steps.length, aapl.bars.length, "FB trades on no day AAPL does not");
  assert.equal(steps[0].time, Date.UTC(1999, 10, 1));
  const joined = steps.findIndex((s) => s.bars.length === 2);
  assert.equal(steps[joined].time, Date.UTC(2012, 4, 18));
  assert.deepEqual(steps[joined].bars.map((b) => b.symbol), ["AAPL", "FB"]);
  assert.ok(steps.slice(joined).every((s) => s.bars.length === 2));
});
