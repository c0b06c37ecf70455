import assert from "node:assert/strict";
import fc from "fast-check";
import {
  compareFillsForMatching,
  exposure,
  profitFactor,
  roundTrips,
  winRate,
} from "../../shared/stats/mod.ts";

const near = (a: number, b: number) =>
  assert.ok(Math.abs(a - b) < 1e-12, `expected ${b}, got ${a}`);

Deno.test("roundTrips: FIFO lots, a lot is a trade once fully sold, fees shared by quantity", () => {
  const trips = roundTrips([
    { time: 1, symbol: "A", side: "buy", quantity: 1, price: 10, fee: 0.1 },
    { time: 2, symbol: "A", side: "buy", quantity: 1, price: 20, fee: 0.2 },
    { time: 3, symbol: "A", side: "sell", quantity: 1.5, price: 30, fee: 0.3 },
    { time: 4, symbol: "A", side: "sell", quantity: 0.5, price: 10, fee: 0.05 },
  ]);
  assert.equal(trips.length, 2);
  // lot 1: (30 − 10) × 1 − 0.1 − 0.3 × (1 / 1.5)
  assert.deepEqual({ ...trips[0], pnl: 0 }, {
    symbol: "A",
    entryTime: 1,
    exitTime: 3,
    quantity: 1,
    entryPrice: 10,
    exitPrice: 30,
    pnl: 0,
  });
  near(trips[0].pnl, 19.7);
  // lot 2: (30 − 20) × 0.5 + (10 − 20) × 0.5 − 0.2 − 0.3 × (0.5 / 1.5) − 0.05
  assert.equal(trips[1].exitTime, 4);
  near(trips[1].exitPrice, 20);
  near(trips[1].pnl, -0.35);
  near(winRate(trips)!, 0.5);
  near(profitFactor(trips)!, 19.7 / 0.35);
});

Deno.test("roundTrips: an open lot is not a trade; symbols are matched separately", () => {
  const trips = roundTrips([
    { time: 1, symbol: "A", side: "buy", quantity: 2, price: 10, fee: 0 },
    { time: 1, symbol: "B", side: "buy", quantity: 1, price: 5, fee: 0 },
    { time: 2, symbol: "B", side: "sell", quantity: 1, price: 4, fee: 0 },
    { time: 2, symbol: "A", side: "sell", quantity: 1, price: 11, fee: 0 },
  ]);
  assert.deepEqual(trips.map((t) => [t.symbol, t.pnl]), [["B", -1]]);
  assert.equal(winRate([]), null);
  assert.equal(profitFactor([]), null);
});

Deno.test("exposure: a fill at bar t already counts for bar t; rounding residue does not", () => {
  const curve = [[1, 1], [2, 1], [3, 1], [4, 1]] as const;
  assert.equal(
    exposure(curve, [
      { time: 2, symbol: "A", side: "buy", quantity: 0.3, price: 1, fee: 0 },
      { time: 3, symbol: "A", side: "sell", quantity: 0.1, price: 1, fee: 0 },
      { time: 4, symbol: "A", side: "sell", quantity: 0.2, price: 1, fee: 0 },
    ]),
    0.5, // bars 2 and 3; 0.3 − 0.1 − 0.2 = 2.8e-17 at bar 4 is flat
  );
});

Deno.test("compareFillsForMatching: a bar's entry and its stop-out, stored sell-first, match as one trade", () => {
  // as the 46-stock replay stored PEP: the bar of 2000-01-24 holds a buy and the sell of all
  const stored = [
    { time: 2, symbol: "PEP", side: "sell" as const, quantity: 3, price: 9, fee: 0 },
    { time: 2, symbol: "PEP", side: "buy" as const, quantity: 1, price: 11, fee: 0 },
    { time: 1, symbol: "PEP", side: "buy" as const, quantity: 2, price: 10, fee: 0 },
  ];
  assert.throws(
    () => roundTrips([...stored].sort((a, b) => a.time - b.time)),
    /exceeds the held quantity/,
  );
  const trips = roundTrips([...stored].sort(compareFillsForMatching));
  assert.deepEqual(trips.map((t) => [t.entryTime, t.quantity, t.entryPrice, t.pnl]), [
    [1, 2, 10, -2],
    [2, 1, 11, -2],
  ]);
});

Deno.test("compareFillsForMatching: any order within a bar matches like the true order (long-only FIFO)", () => {
  // a true sequence of fills that never sells more than is held, with at most one buy and one
  // sell per bar (one decision and at most one exit per symbol and bar)
  const step = fc.record({
    bar: fc.boolean(),
    buy: fc.boolean(),
    quantity: fc.integer({ min: 1, max: 5 }),
    price: fc.integer({ min: 1, max: 100 }),
  });
  fc.assert(
    fc.property(fc.array(step, { maxLength: 40 }), fc.integer(), (steps, seed) => {
      let time = 0;
      let held = 0;
      let boughtAt = -1;
      let soldAt = -1;
      const fills = [];
      for (const s of steps) {
        if (s.bar || (s.buy ? boughtAt : soldAt) === time) time++;
        if (s.buy) boughtAt = time;
        else soldAt = time;
        const quantity = s.buy ? s.quantity : Math.min(s.quantity, held);
        if (quantity === 0) continue;
        held += s.buy ? quantity : -quantity;
        fills.push({
          time,
          symbol: "A",
          side: s.buy ? "buy" as const : "sell" as const,
          quantity,
          price: s.price,
          fee: 0,
        });
      }
      const truth = roundTrips(fills);
      // shuffle within each bar (deterministically from the seed), then sort
      let r = seed >>> 0;
      const shuffled = fills.map((f) => {
        r = (Math.imul(r, 1103515245) + 12345) >>> 0;
        return { f, key: r };
      }).sort((a, b) => a.f.time - b.f.time || a.key - b.key).map((x) => x.f);
      const matched = roundTrips(shuffled.sort(compareFillsForMatching));
      assert.deepEqual(
        matched.map((t) => [t.entryTime, t.exitTime, t.quantity, t.entryPrice]).sort(),
        truth.map((t) => [t.entryTime, t.exitTime, t.quantity, t.entryPrice]).sort(),
      );
      const total = (ts: typeof truth) => ts.reduce((a, t) => a + t.pnl, 0);
      assert.ok(Math.abs(total(matched) - total(truth)) < 1e-9);
    }),
    { numRuns: 300 },
  );
});
