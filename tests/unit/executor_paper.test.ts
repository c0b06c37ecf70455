import assert from "node:assert/strict";
import {
  type Book,
  buyCost,
  equityOf,
  executeMarketOrder,
  executionPrice,
  floorToStep,
  markToMarket,
  openPositions,
  roundToStep,
} from "../../agents/executor/paper.ts";
import type { Order } from "../../shared/messages/mod.ts";

const model = { feeBps: 10, slippageBps: 5, quantityStep: 1e-8 };
const order = (side: "buy" | "sell", quantity: number, symbol = "AAA"): Order => ({
  clientOrderId: "o1",
  symbol,
  side,
  quantity,
  type: "market",
  refPrice: 100,
});

Deno.test("floorToStep: largest grid value not above x, as the nearest double to the decimal", () => {
  assert.equal(floorToStep(0.3, 0.1), 0.3); // 0.3 / 0.1 = 2.9999999999999996 in binary
  assert.equal(floorToStep(0.123456789, 1e-8), 0.12345678);
  assert.equal(floorToStep(1.999999999, 1e-8), 1.99999999);
  assert.equal(floorToStep(5, 1), 5);
  assert.equal(floorToStep(0, 1e-8), 0);
  assert.equal(Object.is(floorToStep(1e-9, 1e-8), 0), true); // never -0
  for (const x of [0.1, 0.7, 1.15, 33.33333333, 1234.56789012]) {
    assert.ok(floorToStep(x, 1e-8) <= x);
  }
});

Deno.test("roundToStep: removes binary noise; refuses a quantity beyond 2^53 steps", () => {
  assert.equal(roundToStep(0.1 + 0.2, 1e-8), 0.3);
  assert.equal(roundToStep(1 - 0.9, 1e-8), 0.1);
  assert.throws(
    () => roundToStep(1e9, 1e-8),
    /more than 2\^53 steps of 1e-8: precision would be lost/,
  );
  assert.throws(() => floorToStep(NaN, 1e-8), /quantity must be finite/);
  assert.throws(() => floorToStep(1, 0), /quantity step must be > 0/);
});

Deno.test("paper: a buy fills at open × (1 + slippage) and pays fee = notional × feeBps / 1e4", () => {
  const book: Book = { cash: 10_000, fees: 0, positions: {} };
  const r = executeMarketOrder(book, order("buy", 10), 100, model);
  assert.equal(r.status, "filled");
  if (r.status !== "filled") return;
  assert.equal(r.price, 100.05); // 100 × 1.0005
  assert.equal(r.quantity, 10);
  assert.ok(Math.abs(r.fee - 1.0005) < 1e-12); // 1000.5 × 10 / 1e4
  assert.ok(Math.abs(r.book.cash - (10_000 - 1000.5 - 1.0005)) < 1e-9);
  assert.deepEqual(r.book.positions.AAA, { quantity: 10, avgPrice: 100.05, lastPrice: 0 });
  assert.equal(book.cash, 10_000, "the input book is untouched");
});

Deno.test("paper: a sell fills at open × (1 − slippage); avg price kept, reset when flat", () => {
  const book: Book = {
    cash: 0,
    fees: 1,
    positions: { AAA: { quantity: 2, avgPrice: 90, lastPrice: 95 } },
  };
  const r = executeMarketOrder(book, order("sell", 1.5), 200, model);
  assert.equal(r.status, "filled");
  if (r.status !== "filled") return;
  assert.equal(r.price, 199.9); // 200 × 0.9995
  assert.ok(Math.abs(r.fee - 0.29985) < 1e-12); // 299.85 × 0.001
  assert.ok(Math.abs(r.book.cash - (299.85 - 0.29985)) < 1e-9);
  assert.deepEqual(r.book.positions.AAA, { quantity: 0.5, avgPrice: 90, lastPrice: 95 });
  assert.ok(Math.abs(r.book.fees - 1.29985) < 1e-12);
  const all = executeMarketOrder(r.book, order("sell", 0.5), 200, model);
  assert.equal(all.status, "filled");
  if (all.status === "filled") assert.deepEqual(all.book.positions.AAA.quantity, 0);
  if (all.status === "filled") assert.deepEqual(all.book.positions.AAA.avgPrice, 0);
});

Deno.test("paper: no fill without the cash (incl. fee) or the position", () => {
  const book: Book = { cash: 1000, fees: 0, positions: {} };
  // 10 × 100.05 = 1000.5 > 1000
  const r = executeMarketOrder(book, order("buy", 10), 100, model);
  assert.equal(r.status, "rejected");
  if (r.status === "rejected") {
    assert.equal(r.reason, "insufficient_cash");
    assert.match(r.detail, /exceeds cash 1000/);
  }
  // exactly affordable: 9 × 100.05 × 1.001 = 901.35045
  const ok = executeMarketOrder(
    { ...book, cash: buyCost(9, 100.05, 10).cost },
    order("buy", 9),
    100,
    model,
  );
  assert.equal(ok.status, "filled");
  if (ok.status === "filled") assert.equal(ok.book.cash, 0);
  const s = executeMarketOrder(book, order("sell", 1), 100, model);
  assert.equal(s.status, "rejected");
  if (s.status === "rejected") assert.equal(s.reason, "insufficient_position");
  const tiny = executeMarketOrder(book, order("buy", 1e-9), 100, model);
  assert.equal(tiny.status, "rejected");
  if (tiny.status === "rejected") assert.equal(tiny.reason, "quantity_below_step");
});

Deno.test("paper: mark to market and equity = cash + Σ quantity × last price", () => {
  let book: Book = {
    cash: 50,
    fees: 0,
    positions: {
      BBB: { quantity: 2, avgPrice: 10, lastPrice: 11 },
      AAA: { quantity: 0.5, avgPrice: 100, lastPrice: 100 },
      CCC: { quantity: 0, avgPrice: 0, lastPrice: 7 },
    },
  };
  book = markToMarket(book, "AAA", 120);
  assert.equal(markToMarket(book, "ZZZ", 1), book);
  const positions = openPositions(book);
  assert.deepEqual(positions.map((p) => p.symbol), ["AAA", "BBB"]);
  assert.equal(equityOf(book, positions), 50 + 0.5 * 120 + 2 * 11);
  assert.equal(executionPrice(100, "buy", 0), 100);
});
