import assert from "node:assert/strict";
import { LEAK_ACCURACY_THRESHOLD, leakWarning } from "../../shared/learn/mod.ts";

Deno.test("leak warning: above 0.6 on daily or longer bars", () => {
  assert.equal(LEAK_ACCURACY_THRESHOLD, 0.6);
  const w = leakWarning({ accuracy: 0.6123, n: 750 }, "1d");
  assert.equal(
    w,
    "out-of-sample directional accuracy 0.6123 over 750 samples on 1d bars is above 0.6: " +
      "treat as a leak to hunt down (features, labels or splits that see past bar t)",
  );
  assert.match(leakWarning({ accuracy: 0.7, n: 50 }, "1w") ?? "", /treat as a leak to hunt down/);
  assert.match(leakWarning({ accuracy: 0.61, n: 50 }, "2d") ?? "", /on 2d bars/);
});

Deno.test("leak warning: none at or below 0.6, intraday, or without an accuracy", () => {
  assert.equal(leakWarning({ accuracy: 0.6, n: 750 }, "1d"), null);
  assert.equal(leakWarning({ accuracy: 0.55, n: 750 }, "1d"), null);
  assert.equal(leakWarning({ accuracy: 0.9, n: 750 }, "5m"), null);
  assert.equal(leakWarning({ accuracy: 0.9, n: 750 }, "23h"), null);
  assert.equal(leakWarning({ accuracy: null, n: 0 }, "1d"), null);
});

Deno.test("leak warning: a malformed timeframe is refused", () => {
  assert.throws(() => leakWarning({ accuracy: 0.7, n: 1 }, "daily"), /invalid timeframe 'daily'/);
});
