// The pure part of the live source: which polled candles become bars.
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  type Candle,
  candleToBar,
  ClosedBarTracker,
  isClosed,
  nextEmitTime,
} from "../../shared/data/mod.ts";

const MIN = 60_000;
const T0 = Date.UTC(2024, 0, 1, 10, 0);
const candle = (
  time: number,
  close = 100,
): Candle => [time, 100, Math.max(101, close), 99, close, 5];

Deno.test("candleToBar maps ccxt's [t,o,h,l,c,v] and names what is wrong", () => {
  assert.deepEqual(candleToBar("BTC/USDT", "1m", [T0, 1, 2, 0.5, 1.5, 10]), {
    symbol: "BTC/USDT",
    timeframe: "1m",
    time: T0,
    open: 1,
    high: 2,
    low: 0.5,
    close: 1.5,
    volume: 10,
  });
  assert.match(candleToBar("X", "1m", [T0, 1, 2, 0.5, undefined, 10]) as string, /lacks a numeric/);
  assert.match(candleToBar("X", "1m", [T0, 1, 2]) as string, /lacks a numeric/);
  assert.match(candleToBar("X", "1m", [T0, 0, 2, 0.5, 1, 10]) as string, /non-positive price/);
  assert.match(candleToBar("X", "1m", [T0, 1, 2, 0.5, 1, -1]) as string, /negative volume/);
  assert.match(candleToBar("X", "1m", [T0, 1, 1.2, 0.5, 1.5, 1]) as string, /high\/low outside/);
  assert.match(candleToBar("X", "1m", [1.5, 1, 2, 0.5, 1, 1]) as string, /time 1.5 is invalid/);
});

Deno.test("a bar is closed once open + timeframe <= now - grace", () => {
  assert.equal(isClosed(T0, MIN, T0 + MIN + 1999, 2000), false);
  assert.equal(isClosed(T0, MIN, T0 + MIN + 2000, 2000), true);
  assert.equal(nextEmitTime(T0 + MIN + 1999, MIN, 2000), T0 + MIN + 2000);
  assert.equal(nextEmitTime(T0 + MIN + 2000, MIN, 2000), T0 + 2 * MIN + 2000);
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 1e13 }),
      fc.integer({ min: 0, max: 59_999 }),
      (now, grace) => {
        const next = nextEmitTime(now, MIN, grace);
        assert.ok(next > now && next - now <= MIN);
        // At `next` exactly one more bar has closed than just before it.
        const closedBy = (t: number) => Math.floor((t - grace) / MIN);
        assert.equal(closedBy(next), closedBy(next - 1) + 1);
      },
    ),
  );
});

Deno.test("select skips the forming candle, already-emitted bars and duplicates", () => {
  const tracker = new ClosedBarTracker("1m", 2000);
  tracker.startAt("BTC/USDT", T0 + 30_000);
  assert.equal(tracker.cursor("BTC/USDT"), T0);
  const now = T0 + 3 * MIN + 10_000; // candles T0, +1, +2 closed; +3 forming
  const polled = [
    candle(T0),
    candle(T0 + MIN),
    candle(T0 + MIN, 200),
    candle(T0 + 2 * MIN),
    candle(T0 + 3 * MIN),
  ];
  const sel = tracker.select("BTC/USDT", polled, now);
  assert.deepEqual(sel.bars.map((b) => b.time), [T0, T0 + MIN, T0 + 2 * MIN]);
  assert.deepEqual(sel.issues, []);
  assert.equal(sel.bars[1].close, 200, "a repeated candle: the later copy wins");
  for (const b of sel.bars) tracker.markEmitted("BTC/USDT", b.time);
  assert.equal(tracker.cursor("BTC/USDT"), T0 + 3 * MIN);
  assert.deepEqual(tracker.select("BTC/USDT", polled, now).bars, []);
  assert.throws(() => tracker.markEmitted("BTC/USDT", T0 + MIN), /is not after the last emitted/);
  assert.deepEqual(tracker.snapshot(), { "BTC/USDT": T0 + 2 * MIN });
});

Deno.test("select reports invalid candles and bars the exchange does not have", () => {
  const tracker = new ClosedBarTracker("1m", 0, { X: T0 });
  const sel = tracker.select(
    "X",
    [candle(T0 + 3 * MIN), [T0 + 4 * MIN, 1, 0.5, 2, 1, 1], [T0 + 5 * MIN + 5, 1, 1, 1, 1, 1]],
    T0 + 10 * MIN,
  );
  assert.deepEqual(sel.bars.map((b) => b.time), [T0 + 3 * MIN]);
  assert.deepEqual(sel.issues.map((i) => i.kind), ["invalid-candle", "invalid-candle", "gap"]);
  assert.match(
    sel.issues[2].message,
    /no 1m bars from 2024-01-01T10:01:00.000Z to 2024-01-01T10:03:00.000Z/,
  );
});

Deno.test("tracker options are validated", () => {
  assert.throws(() => new ClosedBarTracker("1 m", 0), /invalid timeframe '1 m'/);
  assert.throws(() => new ClosedBarTracker("1m", 60_000), /graceMs must be in \[0, 60000\)/);
  assert.throws(
    () => new ClosedBarTracker("1m", 0, { X: T0 + 1 }),
    /resumeFrom.X=.* is not a 1m bar open time/,
  );
});
