// Each sizing mode with numbers computed by hand, the cap and the drawdown scale-down.
import assert from "node:assert/strict";
import { drawdownScale, planFraction, type SizingInputs } from "../../agents/risk/sizing_modes.ts";
import { DEFAULT_RISK_OPTIONS, type RiskOptions } from "../../agents/risk/options.ts";
import { sizeDecision } from "../../agents/risk/sizing.ts";
import type { ClosedTrade } from "../../agents/risk/trades.ts";
import type { Account, Decision } from "../../shared/messages/mod.ts";

const base: SizingInputs = {
  price: 100,
  stop: 95,
  closedTrades: [],
  volatilityForecast: null,
  inferredPeriodsPerYear: null,
  drawdown: 0,
};
const o = (over: Partial<RiskOptions>): RiskOptions => ({ ...DEFAULT_RISK_OPTIONS, ...over });
const trade = (ret: number): ClosedTrade => ({ symbol: "X", closedAt: 0, pnl: ret, ret });

Deno.test("fixed fractional: equity × risk / |entry − stop|", () => {
  // 1 % of equity over a 5-point stop: quantity = E × 0.01 / 5, value = E × 0.01 × 100 / 5 = 0.2 E
  const p = planFraction(base, o({ sizing: "fixed_fractional", riskPerTrade: 0.01 }));
  assert.equal(p.kind, "size");
  if (p.kind !== "size") return;
  assert.ok(Math.abs(p.fraction - 0.2) < 1e-12);
  assert.deepEqual(p.reasons.map((r) => r.code), ["sizing_fixed_fractional"]);
  // on 10 000 equity at 100 that is 20 units: losing 5 each is 100 = 1 % of 10 000
  const acct: Account = {
    symbol: "X",
    barTime: 0,
    cash: 10_000,
    equity: 10_000,
    positions: [],
    fees: 0,
    barsProcessed: 1,
  };
  const s = sizeDecision(decision(), acct, o({ rebalanceBand: 0 }), { ...p, ordersToday: 0 });
  assert.equal(s.kind === "order" && s.quantity, 20);
  // a 2-point stop wants 0.5 of equity: capped at 0.25, and the cap is a reason
  const capped = planFraction({ ...base, stop: 98 }, o({ sizing: "fixed_fractional" }));
  assert.equal(capped.kind === "size" && capped.fraction, 0.25);
  assert.deepEqual(capped.reasons.map((r) => r.code), [
    "sizing_fixed_fractional",
    "size_capped_position",
  ]);
  assert.equal(capped.reasons[1].values.requested, 0.5);
  const none = planFraction({ ...base, stop: null }, o({ sizing: "fixed_fractional" }));
  assert.deepEqual([none.kind, none.reasons[0].code], ["veto", "no_stop_distance"]);
});

Deno.test("half Kelly: prior before the minimum sample, then half of W/L − (1−W)/G", () => {
  const opts = o({ sizing: "half_kelly", kellyMinTrades: 4, kellyPriorFraction: 0.05 });
  const few = planFraction({ ...base, closedTrades: [trade(0.1), trade(-0.05)] }, opts);
  assert.equal(few.kind === "size" && few.fraction, 0.05);
  assert.equal(few.reasons[0].code, "sizing_kelly_prior");
  // 3 wins of +10 %, 1 loss of −20 %: W = 0.75, G = 0.1, L = 0.2
  // f* = 0.75 / 0.2 − 0.25 / 0.1 = 3.75 − 2.5 = 1.25; half = 0.625 → capped at 0.25
  const trades = [trade(0.1), trade(0.1), trade(0.1), trade(-0.2)];
  const k = planFraction({ ...base, closedTrades: trades }, opts);
  assert.equal(k.kind, "size");
  assert.equal(k.reasons[0].code, "sizing_half_kelly");
  assert.ok(Math.abs((k.reasons[0].values.kelly as number) - 1.25) < 1e-12);
  assert.ok(Math.abs((k.reasons[0].values.fraction as number) - 0.625) < 1e-12);
  assert.equal(k.kind === "size" && k.fraction, 0.25);
  // 2 wins of +5 %, 2 losses of −5 %: f* = 0.5/0.05 − 0.5/0.05 = 0: no edge, vetoed
  const even = [trade(0.05), trade(0.05), trade(-0.05), trade(-0.05)];
  const z = planFraction({ ...base, closedTrades: even }, opts);
  assert.deepEqual([z.kind, z.reasons[0].code], ["veto", "kelly_no_edge"]);
  // 1 win of +30 %, 3 losses of −10 %: W = 0.25 → 0.25/0.1 − 0.75/0.3 = 0 … with +40 %:
  // 2.5 − 0.75/0.4 = 0.625, half 0.3125 → cap 0.25; with a 0.5 cap: 0.3125
  const skew = [trade(0.4), trade(-0.1), trade(-0.1), trade(-0.1)];
  const s = planFraction({ ...base, closedTrades: skew }, { ...opts, maxPositionFraction: 0.5 });
  assert.ok(s.kind === "size" && Math.abs(s.fraction - 0.3125) < 1e-12);
});

Deno.test("vol target: target vol / (forecast × √periods a year)", () => {
  // 1 % a day × √256 = 16 % a year; target 8 % → 0.5 of equity, capped at 0.25
  const v = planFraction(
    { ...base, volatilityForecast: 0.01 },
    o({ sizing: "vol_target", volTarget: 0.08, periodsPerYear: 256 }),
  );
  assert.equal(v.reasons[0].values.annualised, 0.16);
  assert.equal(v.reasons[0].values.fraction, 0.5);
  assert.equal(v.kind === "size" && v.fraction, 0.25);
  // inferred periods when the setting is 0: 2 % × √400 = 40 %; 10 % / 40 % = 0.25 → no cap
  const w = planFraction(
    { ...base, volatilityForecast: 0.02, inferredPeriodsPerYear: 400 },
    o({ sizing: "vol_target", volTarget: 0.1, periodsPerYear: 0, maxPositionFraction: 0.5 }),
  );
  assert.equal(w.kind === "size" && w.fraction, 0.25);
  assert.deepEqual(w.reasons.map((r) => r.code), ["sizing_vol_target"]);
  const none = planFraction(base, o({ sizing: "vol_target" }));
  assert.deepEqual([none.kind, none.reasons[0].code], ["veto", "no_vol_forecast"]);
});

Deno.test("drawdown: linear scale-down between the two thresholds, reported as a reason", () => {
  assert.equal(drawdownScale(0.05, 0.1, 0.2), 1);
  assert.equal(drawdownScale(0.1, 0.1, 0.2), 1);
  assert.ok(Math.abs(drawdownScale(0.15, 0.1, 0.2) - 0.5) < 1e-12);
  assert.equal(drawdownScale(0.2, 0.1, 0.2), 0);
  const p = planFraction(
    { ...base, drawdown: 0.175 },
    o({ sizing: "max_fraction", drawdownScaleStart: 0.1, drawdownScaleEnd: 0.25 }),
  );
  // (0.25 − 0.175) / 0.15 = 0.5 of the 0.25 cap
  assert.ok(p.kind === "size" && Math.abs(p.fraction - 0.125) < 1e-12);
  assert.equal(p.reasons[1].code, "size_reduced_drawdown");
  assert.equal(p.reasons[1].values.requested, 0.25);
});

Deno.test("venue precision: quantity step and minimum quantity", () => {
  const acct: Account = {
    symbol: "X",
    barTime: 0,
    cash: 10_000,
    equity: 10_000,
    positions: [],
    fees: 0,
    barsProcessed: 1,
  };
  // 0.2 × 10 000 / 30 = 66.67 → 66 on a whole-unit step
  const plan = { fraction: 0.2, reasons: [], ordersToday: 0 };
  const s = sizeDecision(decision(30), acct, o({ quantityStep: 1 }), plan);
  assert.equal(s.kind === "order" && s.quantity, 66);
  const small = sizeDecision(decision(30), acct, o({ quantityStep: 1, minQuantity: 100 }), plan);
  assert.deepEqual([small.kind, small.reasons.at(-1)?.code], ["none", "below_min_quantity"]);
});

function decision(refPrice = 100): Decision {
  return {
    symbol: "X",
    barTime: 0,
    refPrice,
    target: "long",
    probs: { down: 0.1, flat: 0.2, up: 0.7 },
    confidence: 0.6,
    disagreement: 0,
    votes: [],
    missing: [],
    volatilityForecast: null,
    regime: "trend",
    reason: "",
  };
}
