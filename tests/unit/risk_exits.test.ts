import assert from "node:assert/strict";
import fc from "fast-check";
import { emptyAtr, nextAtr } from "../../agents/risk/atr.ts";
import { entryProtection, type Tracked, trail } from "../../agents/risk/exits.ts";
import { streamingAtr } from "../../shared/features/indicators.ts";

const exits = { stopPct: 0.1, stopAtrMult: 3, trailingPct: 0, takeProfitPct: 0.2 };

Deno.test("ATR: the serialisable Wilder ATR equals shared/features' streamingAtr bar by bar", () => {
  fc.assert(fc.property(
    fc.array(fc.tuple(fc.integer({ min: 100, max: 10_000 }), fc.integer({ min: 0, max: 500 })), {
      minLength: 1,
      maxLength: 60,
    }),
    fc.integer({ min: 1, max: 14 }),
    (raw, period) => {
      const ref = streamingAtr(period);
      let s = emptyAtr();
      for (const [c, r] of raw) {
        const bar = { high: c + r, low: c - r / 2, close: c };
        const want = ref(bar);
        s = JSON.parse(JSON.stringify(nextAtr(s, bar, period)));
        if (want === null) assert.equal(s.atr, null);
        else assert.ok(Math.abs(s.atr! - want) <= 1e-9 * want + 1e-12, `${s.atr} vs ${want}`);
      }
    },
  ));
  // hand-computed: period 2; bars (h, l, c) = (10, 8, 9), (11, 9, 10), (12, 9, 11), (11, 10, 10)
  let s = emptyAtr();
  for (const [high, low, close] of [[10, 8, 9], [11, 9, 10], [12, 9, 11], [11, 10, 10]]) {
    s = nextAtr(s, { high, low, close }, 2);
  }
  // TRs from the 2nd bar: 2, 3, 1 → first ATR (2 + 3) / 2 = 2.5, then 2.5 + (1 − 2.5) / 2 = 1.75
  assert.equal(s.atr, 1.75);
});

Deno.test("exits: entry bracket takes the tighter of the fixed and ATR stops", () => {
  // 100 × 0.9 = 90 vs 100 − 3 × 2 = 94: the ATR stop is tighter
  assert.deepEqual(entryProtection(100, 2, exits), {
    stopLoss: 94,
    takeProfit: 120,
    basis: "atr_stop",
  });
  assert.deepEqual(entryProtection(100, 5, exits), {
    stopLoss: 90,
    takeProfit: 120,
    basis: "fixed_pct_stop",
  });
  assert.deepEqual(entryProtection(100, null, { ...exits, stopPct: 0, takeProfitPct: 0 }), {
    stopLoss: null,
    takeProfit: null,
    basis: "no_stop",
  });
});

Deno.test("exits: the chandelier and trailing stops rise with the high and never fall", () => {
  const t: Tracked = {
    entryPrice: 100,
    openedAt: 0,
    barsHeld: 0,
    highest: 100,
    stopLoss: 94,
    takeProfit: 120,
    basis: "atr_stop",
  };
  // high 110, ATR 2 → 110 − 6 = 104
  const up = trail(t, 110, 2, exits);
  assert.equal(up.tightened, true);
  assert.equal(up.tracked.stopLoss, 104);
  assert.equal(up.tracked.barsHeld, 1);
  // ATR jumps to 10: 110 − 30 = 80 < 104 → the stop stays
  const wide = trail(up.tracked, 105, 10, exits);
  assert.equal(wide.tightened, false);
  assert.equal(wide.tracked.stopLoss, 104);
  // trailing 5 % off the high of 120 = 114 beats 120 − 3 × 10 = 90
  const tr = trail(wide.tracked, 120, 10, { ...exits, trailingPct: 0.05 });
  assert.deepEqual([tr.tracked.stopLoss, tr.tracked.basis], [114, "trailing_stop"]);
  fc.assert(fc.property(
    fc.array(
      fc.tuple(fc.integer({ min: 1, max: 1000 }), fc.option(fc.integer({ min: 1, max: 200 }))),
      {
        maxLength: 40,
      },
    ),
    fc.constantFrom(0, 0.05),
    (path, trailingPct) => {
      let cur = t;
      for (const [high, atr] of path) {
        const next = trail(cur, high, atr, { ...exits, trailingPct }).tracked;
        assert.ok(next.stopLoss! >= cur.stopLoss!);
        cur = next;
      }
    },
  ));
});
