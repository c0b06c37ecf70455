// Seven ETFs on one clock through meta → risk → executor, with limits that couple the symbols
// (shared cash, gross exposure, open positions, orders per day, one loss streak over all
// trades): whichever way the streams interleave, risk publishes the same verdicts, vetoes and
// alerts and the executor the same fills. Risk judges the decision of bar (s, t) after exactly
// the executor's events up to its account of (s, t), in the executor's order.
import assert from "node:assert/strict";
import type { Verdict } from "../../shared/messages/mod.ts";
import {
  canonicalStream,
  etfBars,
  momentumSignals,
  simulatePipeline,
} from "../support/pipeline_sim.ts";

const SYMBOLS = ["SPY", "QQQ", "IWM", "TLT", "GLD", "HYG", "USO"];

Deno.test("pipeline, 7 symbols coupled by risk limits: the same verdicts under any schedule", () => {
  const bars = etfBars(SYMBOLS, "2019-06-01", "2020-07-01");
  assert.equal(bars.length, 7 * 273); // 273 trading days from 2019-06-03 to 2020-06-30
  const signals = momentumSignals(bars);
  const risk = {
    maxPositionFraction: 0.3,
    maxOpenPositions: 3,
    maxOrdersPerDay: 2,
    maxConsecutiveLosses: 3,
    breakerCooldownBars: 3,
    dailyLossLimit: 0.5,
    maxDrawdown: 0.9,
  };
  const runs = [11, 12, 13, 14].map((seed) =>
    simulatePipeline(seed, bars, signals, { risk, executor: { initialCash: 100_000 } })
  );
  for (
    const stream of ["decisions", "orders", "risk.vetoes", "exec.events", "ops.alerts"] as const
  ) {
    for (const [i, r] of runs.entries()) {
      if (i === 0) continue;
      const a = canonicalStream(runs[0], stream);
      const b = canonicalStream(r, stream);
      const differing = [...new Set([...a.keys(), ...b.keys()])].filter((k) =>
        a.get(k) !== b.get(k)
      );
      assert.deepEqual(differing.slice(0, 3), [], `${stream}: run ${i} differs from run 0`);
    }
  }
  // The limits did couple the symbols in these runs (the test would be empty otherwise).
  const verdicts = runs[0].get("orders")!.map((m) => m.data as Verdict);
  assert.equal(verdicts.length, bars.length);
  const codes = new Map<string, number>();
  for (const v of verdicts) {
    for (const r of v.reasons) codes.set(r.code, (codes.get(r.code) ?? 0) + 1);
  }
  for (const code of ["max_open_positions", "max_orders_per_day"]) {
    assert.ok((codes.get(code) ?? 0) > 0, `no '${code}' in ${JSON.stringify([...codes])}`);
  }
  const alerts = (runs[0].get("ops.alerts") ?? []).map((m) => (m.data as { code: string }).code);
  assert.ok(alerts.includes("consecutive_losses"), `alerts: ${alerts.join(",")}`);
  const events = runs[0].get("exec.events")!;
  const fills = events.filter((m) => m.type === "fill");
  assert.ok(fills.length >= 20, `${fills.length} fills`);
  // Buys approved on one bar reserve their cash for each other (pending_buys_reserved): the
  // executor rejects none of them for want of cash (16 were rejected before the reservation).
  const rejected = events.filter((m) => m.type === "order_update" && m.data.status === "rejected");
  assert.deepEqual(rejected.map((m) => m.type === "order_update" && m.data.reason), []);
  assert.ok((codes.get("pending_buys_reserved") ?? 0) > 0);
});
