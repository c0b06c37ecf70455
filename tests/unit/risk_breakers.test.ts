import assert from "node:assert/strict";
import {
  checkDecision,
  emptyBreakers,
  expireTrips,
  median,
  observeInterval,
} from "../../agents/risk/breakers.ts";
import { applyFill, emptyTradeRecord, kellyStats } from "../../agents/risk/trades.ts";
import type { Decision, Fill } from "../../shared/messages/mod.ts";

const H = 3_600_000;
const o = {
  volSpikeRatio: 3,
  volSpikeWindow: 4,
  staleBars: 2,
  maxDisagreement: 0.6,
  disagreementWindow: 2,
  breakerCooldownBars: 3,
};
const d = (barTime: number, forecast: number | null, disagreement = 0): Decision => ({
  symbol: "X",
  barTime,
  refPrice: 100,
  target: "long",
  probs: { down: 0.1, flat: 0.2, up: 0.7 },
  confidence: 0.6,
  disagreement,
  votes: [],
  missing: [],
  volatilityForecast: forecast,
  regime: "trend",
  reason: "",
});

Deno.test("breakers: volatility spike against the median of the previous forecasts", () => {
  const b = emptyBreakers();
  assert.deepEqual(checkDecision(b, d(0, 0.01), o), []);
  assert.deepEqual(checkDecision(b, d(H, 0.02), o), []); // 2 of 4 needed before judging
  // median(0.01, 0.02) = 0.015; 0.045 = 3 × 0.015 fires
  const r = checkDecision(b, d(2 * H, 0.045), o);
  assert.deepEqual(r.map((x) => x.code), ["volatility_spike"]);
  assert.equal(r[0].values.median, 0.015);
  assert.equal(median([3, 1, 2]), 2);
});

Deno.test("breakers: stale data in bar intervals; disagreement over a full window", () => {
  const b = emptyBreakers();
  observeInterval(b, 0, 2 * H);
  observeInterval(b, 2 * H, 3 * H);
  assert.equal(b.barInterval, H);
  b.newestBarTime = 10 * H;
  assert.deepEqual(checkDecision(b, d(8 * H, null), o), []); // 2 bars behind: at the limit
  const r = checkDecision(b, d(7 * H, null), o);
  assert.deepEqual([r[0].code, r[0].values.lagBars], ["stale_market_data", 3]);
  const c = emptyBreakers();
  assert.deepEqual(checkDecision(c, d(0, null, 0.9), o), []); // window not full
  assert.deepEqual(checkDecision(c, d(H, null, 0.3), o).map((x) => x.code), ["agent_disagreement"]);
  assert.deepEqual(checkDecision(c, d(2 * H, null, 0.2), o), []); // (0.3 + 0.2) / 2
});

Deno.test("breakers: a trip expires after the cooldown in bars", () => {
  const b = emptyBreakers();
  b.barInterval = H;
  b.trips["volatility_spike:X"] = { code: "volatility_spike", symbol: "X", firedAt: 5 * H };
  assert.deepEqual(expireTrips(b, 7 * H, o), []);
  assert.deepEqual(expireTrips(b, 8 * H, o).map((t) => t.code), ["volatility_spike"]);
  assert.deepEqual(b.trips, {});
});

const fill = (side: "buy" | "sell", quantity: number, price: number, fee = 0): Fill => ({
  clientOrderId: "o",
  symbol: "X",
  side,
  quantity,
  price,
  fee,
  barTime: 0,
});

Deno.test("trades: closed from fills, with fees; loss streak; Kelly statistics", () => {
  const r = emptyTradeRecord();
  assert.equal(applyFill(r, fill("buy", 10, 100, 1), 1e-8, 10), null);
  assert.equal(applyFill(r, fill("sell", 4, 110, 0.5), 1e-8, 10), null); // partial
  const closed = applyFill(r, fill("sell", 6, 90, 0.5), 1e-8, 10)!;
  // paid 1001; got 440 − 0.5 + 540 − 0.5 = 979 → −22 on 1001
  assert.ok(Math.abs(closed.pnl + 22) < 1e-9);
  assert.ok(Math.abs(closed.ret + 22 / 1001) < 1e-12);
  assert.equal(r.lossStreak, 1);
  applyFill(r, fill("buy", 1, 100), 1e-8, 10);
  applyFill(r, fill("sell", 1, 90), 1e-8, 10);
  assert.equal(r.lossStreak, 2);
  applyFill(r, fill("buy", 1, 100), 1e-8, 10);
  applyFill(r, fill("sell", 1, 130), 1e-8, 10);
  assert.equal(r.lossStreak, 0);
  const k = kellyStats(r.closed)!;
  assert.equal(k.trades, 3);
  assert.ok(Math.abs(k.winRate - 1 / 3) < 1e-12);
  assert.ok(Math.abs(k.avgWin - 0.3) < 1e-12);
  assert.equal(kellyStats(r.closed.slice(0, 2)), null, "no win: no Kelly");
  assert.equal(applyFill(r, fill("sell", 1, 100), 1e-8, 10), null, "a sell of nothing held");
});
