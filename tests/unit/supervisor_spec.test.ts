// The pure parts of supervision: restart policy, backoff delays and the restart intensity.
import assert from "node:assert/strict";
import fc from "fast-check";
import { backoffDelay, exceedsIntensity, shouldRestart } from "../../supervisor/spec.ts";

Deno.test("shouldRestart: permanent always, transient only after an abnormal exit, temporary never", () => {
  assert.equal(shouldRestart("permanent", true), true);
  assert.equal(shouldRestart("permanent", false), true);
  assert.equal(shouldRestart("transient", true), false);
  assert.equal(shouldRestart("transient", false), true);
  assert.equal(shouldRestart("temporary", true), false);
  assert.equal(shouldRestart("temporary", false), false);
});

Deno.test("backoffDelay doubles from the base and stops at the cap", () => {
  assert.deepEqual(
    [0, 1, 2, 3, 4, 5, 6, 7].map((n) => backoffDelay(n, 100, 5_000)),
    [100, 200, 400, 800, 1_600, 3_200, 5_000, 5_000],
  );
  // A huge restart count must not overflow to Infinity or NaN.
  assert.equal(backoffDelay(10_000, 100, 5_000), 5_000);
  assert.equal(backoffDelay(Number.MAX_SAFE_INTEGER, 1, 60_000), 60_000);
});

Deno.test("exceedsIntensity: R restarts within P are allowed, the next one escalates", () => {
  const now = 100_000;
  // Two restarts in the last 10 s, R = 3: a third is still allowed.
  assert.equal(exceedsIntensity([95_000, 99_000], now, 3, 10_000), false);
  // Three already: a fourth exceeds.
  assert.equal(exceedsIntensity([91_000, 95_000, 99_000], now, 3, 10_000), true);
  // A restart exactly P ago is outside the window.
  assert.equal(exceedsIntensity([90_000, 95_000, 99_000], now, 3, 10_000), false);
  assert.equal(exceedsIntensity([], now, 1, 10_000), false);
  assert.equal(exceedsIntensity([], now, 0, 10_000), true);
});

Deno.test("property: backoffDelay is monotone in the restart count, capped, and at least min(base, cap)", () => {
  fc.assert(
    fc.property(
      fc.nat({ max: 200 }),
      fc.nat({ max: 200 }),
      fc.integer({ min: 1, max: 10_000 }),
      fc.integer({ min: 1, max: 1_000_000 }),
      (a, b, base, max) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        const dLo = backoffDelay(lo, base, max);
        const dHi = backoffDelay(hi, base, max);
        assert.ok(Number.isFinite(dLo) && Number.isFinite(dHi));
        assert.ok(dLo <= dHi, `delay(${lo})=${dLo} > delay(${hi})=${dHi}`);
        assert.ok(dHi <= max, `delay ${dHi} above cap ${max}`);
        assert.ok(dLo >= Math.min(base, max));
      },
    ),
  );
});

const restartTimes = fc.array(fc.integer({ min: 0, max: 100_000 }), { maxLength: 30 });

Deno.test("property: exceedsIntensity counts only restarts inside the window", () => {
  fc.assert(
    fc.property(
      restartTimes,
      fc.integer({ min: 0, max: 20 }),
      fc.integer({ min: 1, max: 50_000 }),
      (times, maxRestarts, windowMs) => {
        const now = 100_000;
        const recent = times.filter((t) => now - t < windowMs);
        const old = times.filter((t) => now - t >= windowMs);
        // Restarts older than the window never change the verdict.
        assert.equal(
          exceedsIntensity(times, now, maxRestarts, windowMs),
          exceedsIntensity(recent, now, maxRestarts, windowMs),
        );
        assert.equal(exceedsIntensity(old, now, maxRestarts, windowMs), maxRestarts === 0);
        // One more restart is allowed exactly while fewer than R happened in the window.
        assert.equal(
          exceedsIntensity(times, now, maxRestarts, windowMs),
          recent.length >= maxRestarts,
        );
      },
    ),
  );
});

Deno.test("property: exceedsIntensity is monotone (more recent restarts or a smaller R never relax it)", () => {
  fc.assert(
    fc.property(
      restartTimes,
      fc.integer({ min: 0, max: 100_000 }),
      fc.integer({ min: 0, max: 20 }),
      fc.integer({ min: 1, max: 50_000 }),
      (times, extra, maxRestarts, windowMs) => {
        const now = 100_000;
        const before = exceedsIntensity(times, now, maxRestarts, windowMs);
        if (before) {
          assert.equal(exceedsIntensity([...times, extra], now, maxRestarts, windowMs), true);
          if (maxRestarts > 0) {
            assert.equal(exceedsIntensity(times, now, maxRestarts - 1, windowMs), true);
          }
        } else {
          assert.equal(exceedsIntensity(times, now, maxRestarts + 1, windowMs), false);
        }
      },
    ),
  );
});
