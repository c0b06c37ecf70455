import assert from "node:assert/strict";
import { exposure, profitFactor, roundTrips, winRate } from "../../shared/stats/mod.ts";

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
