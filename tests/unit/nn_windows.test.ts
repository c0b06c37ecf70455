// Window batches and normalised candle windows: layout, values checked by hand, no
// look-ahead (truncation invariance) and clear errors for bad input.
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  type Candle,
  candleWindows,
  gatherWindows,
  sliceWindows,
  slidingWindows,
  windowBatch,
} from "../../shared/nn/mod.ts";

Deno.test("slidingWindows: window j holds rows j..j+steps-1", () => {
  // 4 rows × 2 features: row r = [10r, 10r + 1].
  const rows = new Float32Array([0, 1, 10, 11, 20, 21, 30, 31]);
  const w = slidingWindows(rows, 2, 3);
  assert.deepEqual(w.shape, [2, 3, 2]);
  assert.deepEqual([...w.data], [0, 1, 10, 11, 20, 21, 10, 11, 20, 21, 30, 31]);
  assert.deepEqual(slidingWindows(rows, 2, 5).shape, [0, 5, 2]);
});

Deno.test("sliceWindows and gatherWindows copy the chosen windows in order", () => {
  const w = windowBatch(new Float32Array([1, 2, 3, 4, 5, 6]), [3, 1, 2]);
  assert.deepEqual([...sliceWindows(w, 1, 3).data], [3, 4, 5, 6]);
  assert.deepEqual([...gatherWindows(w, [2, 0, 2]).data], [5, 6, 1, 2, 5, 6]);
  const s = sliceWindows(w, 0, 1);
  s.data[0] = 99;
  assert.equal(w.data[0], 1, "a slice must not share memory with its source");
  assert.throws(() => sliceWindows(w, 2, 4), /range \[2, 4\) is outside 0..3/);
  assert.throws(() => gatherWindows(w, [0, 3]), /index 3 at position 1 is outside 0..2/);
});

Deno.test("windowBatch refuses wrong lengths, shapes and non-finite values, naming them", () => {
  assert.throws(() => windowBatch(new Float32Array(5), [2, 1, 2]), /5 values but shape/);
  assert.throws(() => windowBatch(new Float32Array(4), [2, 2]), /shape must be \[windows/);
  assert.throws(() => windowBatch(new Float32Array(4), [1, 0, 4]), /steps must be a positive/);
  const bad = new Float32Array(8);
  bad[5] = Number.NaN;
  assert.throws(() => windowBatch(bad, [2, 2, 2]), /window 1, step 0, feature 1 is NaN/);
});

const bar = (close: number, volume = 100): Candle => ({
  open: close * 0.99,
  high: close * 1.02,
  low: close * 0.98,
  close,
  volume,
});

Deno.test("candleWindows scales prices by the window's last close and centres log volume", () => {
  const bars = [bar(100, 0), bar(110, Math.E - 1), bar(121, Math.E ** 2 - 1)];
  const w = candleWindows(bars, 2);
  assert.deepEqual(w.shape, [2, 2, 5]);
  const at = (j: number, s: number, c: number) => w.data[(j * 2 + s) * 5 + c];
  // Window 0 = bars 0..1, scaled by close 110.
  assert.ok(Math.abs(at(0, 0, 3) - Math.log(100 / 110)) < 1e-7);
  assert.ok(Math.abs(at(0, 0, 0) - Math.log(99 / 110)) < 1e-7);
  assert.ok(Math.abs(at(0, 1, 1) - Math.log(1.02)) < 1e-7);
  assert.equal(at(0, 1, 3), 0);
  // log1p volumes 0 and 1 → mean 0.5 → -0.5, +0.5.
  assert.ok(Math.abs(at(0, 0, 4) + 0.5) < 1e-7);
  assert.ok(Math.abs(at(0, 1, 4) - 0.5) < 1e-7);
  // Window 1 = bars 1..2, scaled by close 121: close of bar 1 is ln(110/121).
  assert.ok(Math.abs(at(1, 0, 3) - Math.log(110 / 121)) < 1e-7);
});

Deno.test("candleWindows: a window ending at bar t is unchanged when later bars are appended", () => {
  const candle = fc.record({
    close: fc.double({ min: 1, max: 1000, noNaN: true }),
    volume: fc.double({ min: 0, max: 1e9, noNaN: true }),
  }).map(({ close, volume }) => bar(close, volume));
  fc.assert(
    fc.property(
      fc.array(candle, { minLength: 1, maxLength: 40 }),
      fc.integer({ min: 1, max: 10 }),
      fc.integer({ min: 0, max: 40 }),
      (bars, steps, cut) => {
        const full = candleWindows(bars, steps);
        const prefix = candleWindows(bars.slice(0, Math.min(cut, bars.length)), steps);
        const size = steps * 5;
        assert.deepEqual(
          [...prefix.data],
          [...full.data.subarray(0, prefix.shape[0] * size)],
        );
      },
    ),
  );
});

Deno.test("candleWindows refuses non-positive prices and negative volume, naming the bar", () => {
  assert.throws(() => candleWindows([bar(1), { ...bar(1), low: 0 }], 1), /bar 1 low must be/);
  assert.throws(() => candleWindows([{ ...bar(1), volume: -1 }], 1), /bar 0 volume must be/);
  assert.throws(() => candleWindows([bar(1)], 0), /steps must be a positive integer/);
  assert.throws(
    () => candleWindows([{ ...bar(1), close: Number.NaN }], 1),
    /bar 0 close must be a positive finite number \(got NaN\)/,
  );
});
