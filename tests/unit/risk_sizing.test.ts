import assert from "node:assert/strict";
import { largestOnGrid, sizeDecision, type SizingOptions } from "../../agents/risk/sizing.ts";
import type { Account, Decision } from "../../shared/messages/mod.ts";

const opts: SizingOptions = {
  maxPositionFraction: 0.25,
  maxGrossExposure: 1,
  maxNetExposure: 1,
  maxSectorFraction: 1,
  sectors: {},
  maxOpenPositions: 20,
  maxOrdersPerDay: 100,
  feeBps: 10,
  slippageBps: 5,
  quantityStep: 1e-8,
  minQuantity: 0,
  minNotional: 0,
  rebalanceBand: 0,
};

const decision = (target: Decision["target"], refPrice = 100): Decision => ({
  symbol: "AAA",
  barTime: 0,
  refPrice,
  target,
  probs: { down: 0.1, flat: 0.2, up: 0.7 },
  confidence: 0.6,
  disagreement: 0,
  votes: [],
  missing: [],
  volatilityForecast: null,
  regime: "trend",
  reason: "",
});

const account = (cash: number, positions: [string, number, number][] = []): Account => ({
  symbol: "AAA",
  barTime: 0,
  cash,
  equity: cash + positions.reduce((s, [, q, p]) => s + q * p, 0),
  positions: positions.map(([symbol, quantity, lastPrice]) => ({
    symbol,
    quantity,
    avgPrice: lastPrice,
    lastPrice,
  })),
  fees: 0,
  barsProcessed: 1,
});

Deno.test("sizing long: target = floor(equity × fraction / price) − held", () => {
  const s = sizeDecision(decision("long"), account(10_000), opts);
  assert.equal(s.kind, "order");
  if (s.kind !== "order") return;
  assert.equal(s.side, "buy");
  assert.equal(s.quantity, 25); // 10 000 × 0.25 / 100
  assert.deepEqual(s.reasons.map((r) => r.code), ["target_long"]);
  assert.equal(s.reasons[0].values.targetQuantity, 25);

  // 7.5 held at 100 of equity 10 000: buy the 17.5 missing
  const part = sizeDecision(decision("long"), account(9_250, [["AAA", 7.5, 100]]), opts);
  assert.equal(part.kind === "order" && part.quantity, 17.5);
  // a non-round target: 10 000 × 0.25 / 300 = 8.333… → 8.33333333
  const odd = sizeDecision(decision("long", 300), account(10_000), opts);
  assert.equal(odd.kind === "order" && odd.quantity, 8.33333333);
});

Deno.test("sizing long: capped by gross exposure, then by cash incl. slippage and fee", () => {
  // equity 10 000 = cash 1 000 + BBB 90 × 100; gross room 1 000 → 10 AAA; cash then allows less
  const s = sizeDecision(decision("long"), account(1_000, [["BBB", 90, 100]]), opts);
  assert.equal(s.kind, "order");
  if (s.kind !== "order") return;
  assert.deepEqual(s.reasons.map((r) => r.code), [
    "target_long",
    "size_capped_gross",
    "size_capped_cash",
  ]);
  const gross = s.reasons[1].values;
  assert.equal(gross.requested, 25);
  assert.equal(gross.allowed, 10);
  assert.equal(gross.grossBefore, 9_000);
  const cash = s.reasons[2].values;
  assert.equal(cash.requested, 10);
  assert.equal(cash.estimatedPrice, 100.05);
  // largest q on the 1e-8 grid with q × 100.05 × 1.001 ≤ 1000: 1000 / 100.15005 = 9.985017481…
  assert.equal(s.quantity, 9.98501748);
  assert.ok(s.quantity * 100.05 * 1.001 <= 1000);
  assert.ok((s.quantity + 1e-8) * 100.05 * 1.001 > 1000);
});

Deno.test("sizing: nothing to do, exits, shorts and impossible buys", () => {
  const atTarget = sizeDecision(decision("long"), account(7_500, [["AAA", 25, 100]]), opts);
  assert.deepEqual([atTarget.kind, atTarget.reasons[0].code], ["none", "at_target"]);
  const above = sizeDecision(decision("long"), account(5_000, [["AAA", 50, 100]]), opts);
  assert.equal(above.kind, "none", "a long target never sells");

  const exit = sizeDecision(decision("flat"), account(0, [["AAA", 3.25, 100]]), opts);
  assert.deepEqual(exit, {
    kind: "order",
    side: "sell",
    quantity: 3.25,
    reasons: [{ code: "exit", detail: "sell the whole position of 3.25", values: { held: 3.25 } }],
  });
  const flat = sizeDecision(decision("flat"), account(100), opts);
  assert.deepEqual([flat.kind, flat.reasons[0].code], ["none", "already_flat"]);
  const short = sizeDecision(decision("short"), account(100), opts);
  assert.deepEqual([short.kind, short.reasons[0].code], ["veto", "shorting_disabled"]);
  const hold = sizeDecision(decision("hold"), account(100), opts);
  assert.equal(hold.kind, "none");

  const full = sizeDecision(decision("long"), account(0, [["BBB", 100, 100]]), opts);
  assert.equal(full.kind, "veto");
  // the gross cap already leaves nothing: no cash reason is added on top
  assert.deepEqual(full.reasons.map((r) => r.code), ["target_long", "size_capped_gross"]);
  assert.equal(full.reasons[1].values.allowed, 0);
  const broke = sizeDecision(decision("long"), { ...account(0), equity: 0 }, opts);
  assert.deepEqual([broke.kind, broke.reasons[0].code], ["veto", "no_equity"]);
});

Deno.test("largestOnGrid: the largest grid value passing an exact check", () => {
  assert.equal(largestOnGrid(2.5, 0.5, (q) => q <= 2), 2);
  assert.equal(largestOnGrid(-1, 0.5, () => true), 0);
  assert.equal(largestOnGrid(1, 0.5, () => false), 0);
  // the estimate 0.3 / 0.1 lands just below 3 in binary; the floor still finds 0.3
  assert.equal(largestOnGrid(0.3, 0.1, (q) => q * 10 <= 3), 0.3);
});

Deno.test("sizing: a buy below the minimum notional is dust: no order, with the reason", () => {
  const poor: Account = { ...account(1_000), cash: 5 };
  const s = sizeDecision(decision("long", 100), poor, { ...opts, minNotional: 10 });
  assert.equal(s.kind, "none");
  const dust = s.reasons.find((r) => r.code === "below_min_notional");
  assert.ok(dust, JSON.stringify(s.reasons));
  assert.ok((dust.values.notional as number) < 10);
  // The same account with no minimum buys what the cash allows.
  const t = sizeDecision(decision("long", 100), poor, opts);
  assert.equal(t.kind, "order");
});

Deno.test("sizing: a top-up within the rebalance band is skipped; a larger one goes", () => {
  // Target: 25% of 10,000 = 2,500 → 25 units at 100. Holding 24 → a top-up of 1 unit (100),
  // 4% of the target value.
  const held = account(7_600, [["AAA", 24, 100]]);
  const small = sizeDecision(decision("long", 100), held, { ...opts, rebalanceBand: 0.1 });
  assert.equal(small.kind, "none");
  assert.equal(small.reasons[0].code, "within_rebalance_band");
  const big = sizeDecision(decision("long", 100), account(8_000, [["AAA", 20, 100]]), {
    ...opts,
    rebalanceBand: 0.1,
  });
  assert.equal(big.kind, "order");
  assert.equal(big.kind === "order" ? big.quantity : 0, 5);
});
