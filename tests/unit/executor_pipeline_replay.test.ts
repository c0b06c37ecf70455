// meta → risk → executor on real daily bars (etf_daily/SPY.csv, 2018..2019), delivered under
// random schedules with redeliveries: the same decisions, verdicts, fills and accounts come
// out every time, orders fill at the next bar's open (protective stops inside the bar's
// range), and the replay statistics add up.
import assert from "node:assert/strict";
import {
  type Account,
  type Fill,
  type StreamName,
  type Verdict,
} from "../../shared/messages/mod.ts";
import { computeStats, type EquityPoint, type StatsFill } from "../../shared/stats/mod.ts";
import {
  canonicalStream,
  etfBars,
  momentumSignals,
  simulatePipeline,
} from "../support/pipeline_sim.ts";

Deno.test("pipeline: replays give identical decisions, verdicts, fills and accounts", () => {
  const bars = etfBars(["SPY"], "2018-01-01", "2020-01-01");
  assert.equal(bars.length, 503); // 251 + 252 trading days of 2018 and 2019 in etf_daily/SPY.csv
  const signals = momentumSignals(bars);
  const risk = { maxPositionFraction: 0.5, dailyLossLimit: 0.5, maxDrawdown: 0.9 };
  const runs = [1, 2, 3].map((seed) =>
    simulatePipeline(seed, bars, signals, { risk, executor: { initialCash: 100_000 } })
  );
  const canon = canonicalStream;
  for (
    const stream of ["decisions", "orders", "risk.vetoes", "exec.events", "ops.alerts"] as const
  ) {
    for (const r of runs.slice(1)) {
      assert.deepEqual(
        canon(r, stream),
        canon(runs[0], stream),
        stream,
      );
    }
  }
  const logs = runs[0];
  const ids = (s: StreamName) => (logs.get(s) ?? []).map((m) => m.id);
  for (const s of ["decisions", "orders", "exec.events"] as const) {
    assert.equal(new Set(ids(s)).size, ids(s).length, `${s}: an id published twice`);
  }
  assert.equal(ids("decisions").length, bars.length);
  assert.equal(ids("orders").length, bars.length);

  // every order fills at the open of the bar after the one it was decided on; the other
  // fills are the executor's protective stops (risk's default fixed-% / ATR stops): sells at
  // the stop inside the bar's range, or at the open when the bar gapped through it
  const times = bars.map((b) => b.time);
  const verdicts = logs.get("orders")!.map((m) => m.data as Verdict);
  const decidedAt = new Map(
    verdicts.filter((v) => v.order).map((v) => [v.order!.clientOrderId, v.barTime]),
  );
  const events = logs.get("exec.events")!;
  const stopIds = new Set(
    events.flatMap((m) =>
      m.type === "order_update" && m.data.type === "stop_market" && m.data.status === "filled"
        ? [m.data.clientOrderId]
        : []
    ),
  );
  const fills = events.filter((m) => m.type === "fill").map((m) => m.data as Fill);
  assert.ok(fills.length >= 10, `only ${fills.length} fills`);
  let stopFills = 0;
  for (const f of fills) {
    const bar = bars.find((b) => b.time === f.barTime)!;
    if (bar.type !== "bar") throw new Error("not a bar");
    const t = decidedAt.get(f.clientOrderId);
    if (t === undefined) {
      assert.ok(stopIds.has(f.clientOrderId), `${f.clientOrderId}: a fill of no order`);
      assert.equal(f.side, "sell");
      const base = f.price / 0.9995;
      const eps = 1e-9 * bar.data.open;
      assert.ok(base >= bar.data.low - eps && base <= bar.data.open + eps, `stop at ${base}`);
      stopFills++;
      continue;
    }
    assert.equal(f.barTime, times[times.indexOf(t) + 1]);
    assert.equal(f.price, f.side === "buy" ? bar.data.open * 1.0005 : bar.data.open * 0.9995);
  }
  assert.equal(stopFills, stopIds.size);
  assert.ok(stopFills > 0 && stopFills < fills.length, `${stopFills} stop fills`);

  // replay statistics from the executor's accounts (one per bar) and fills
  const accounts = events.filter((m) => m.type === "account").map((m) => m.data as Account);
  assert.equal(accounts.length, bars.length);
  const curve: EquityPoint[] = accounts.map((a) => [a.barTime, a.equity]);
  const statsFills: StatsFill[] = fills.map((f) => ({ ...f, time: f.barTime }));
  const stats = computeStats({
    equityCurve: curve,
    fills: statsFills,
    initialEquity: 100_000,
    buyHoldReturn: null,
    periodsPerYear: 252,
  });
  const last = accounts[accounts.length - 1];
  assert.equal(stats.final_equity, last.equity);
  assert.ok(Math.abs(stats.fees - last.fees) < 1e-9);
  const buys = fills.filter((f) => f.side === "buy").length;
  const openLots = last.positions.length > 0 ? 1 : 0;
  assert.ok(
    stats.trades <= buys && stats.trades >= buys - openLots - 1,
    `${stats.trades} of ${buys}`,
  );
  assert.ok(stats.exposure > 0 && stats.exposure < 1);
  assert.ok(stats.max_drawdown < 0 && stats.max_drawdown >= -1);
});
