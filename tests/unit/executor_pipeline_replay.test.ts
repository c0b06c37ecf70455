// meta → risk → executor on real daily bars (etf_daily/SPY.csv, 2018..2019), delivered under
// random schedules with redeliveries: the same decisions, verdicts, fills and accounts come
// out every time, orders fill at the next bar's open (protective stops inside the bar's
// range), and the replay statistics add up.
import assert from "node:assert/strict";
import { createExecutorCore } from "../../agents/executor/core.ts";
import { createMetaCore } from "../../agents/meta/core.ts";
import { createRiskCore } from "../../agents/risk/core.ts";
import type { AgentCore } from "../../agents/runtime/core.ts";
import {
  type Account,
  type AnyEnvelope,
  barId,
  type Fill,
  makeEnvelope,
  messageId,
  type Signal,
  type StreamName,
  validate,
  type Verdict,
} from "../../shared/messages/mod.ts";
import { computeStats, type EquityPoint, type StatsFill } from "../../shared/stats/mod.ts";

const DATA = new URL("../../../shared/data/", import.meta.url);

function spyBars(): AnyEnvelope[] {
  const lines = Deno.readTextFileSync(new URL("etf_daily/SPY.csv", DATA)).trim().split("\n").slice(
    3,
  );
  const rows = lines.map((l) => l.split(",")).filter((r) =>
    r[0] >= "2018-01-01" && r[0] < "2020-01-01"
  );
  return rows.map(([date, close, high, low, open, volume], seq) => {
    const time = Date.parse(`${date}T00:00:00Z`);
    return makeEnvelope("bar", {
      id: messageId("feed", "bar", `SPY:${time}`),
      producer: "feed",
      time,
      corr: barId("SPY", time),
    }, {
      symbol: "SPY",
      timeframe: "1d",
      time,
      open: Number(open),
      high: Number(high),
      low: Number(low),
      close: Number(close),
      volume: Number(volume),
      seq,
    });
  });
}

/** Signals from closes up to and including bar i only: 10-bar momentum and realised vol. */
function signalsFor(bars: AnyEnvelope[]): AnyEnvelope[] {
  const closes = bars.map((b) => (b.type === "bar" ? b.data.close : NaN));
  const out: AnyEnvelope[] = [];
  bars.forEach((b, i) => {
    if (b.type !== "bar") return;
    const past = closes.slice(Math.max(0, i - 10), i + 1);
    const momentum = past.length > 1 ? past[past.length - 1] / past[0] - 1 : 0;
    const c = Math.min(1, Math.abs(momentum) * 20);
    const fav = (1 + 2 * c) / 3;
    const other = (1 - c) / 3;
    const probs = momentum >= 0
      ? { down: other, flat: other, up: fav }
      : { down: fav, flat: other, up: other };
    const rets = past.slice(1).map((x, k) => Math.log(x / past[k]));
    const sd = rets.length > 1 ? Math.sqrt(rets.reduce((s, r) => s + r * r, 0) / rets.length) : 0;
    const common = { symbol: "SPY", barTime: b.data.time, latencyMs: 0, model: "test" };
    const sigs: Signal[] = [
      { kind: "direction", agent: "trend", probs, confidence: c, ...common },
      {
        kind: "volatility",
        agent: "volatility",
        realized: sd,
        parkinson: sd,
        forecast: sd,
        confidence: 0.5,
        ...common,
      },
      {
        kind: "regime",
        agent: "regime",
        regime: c > 0.3 ? "trend" : "range",
        probs: { trend: c, range: 1 - c },
        confidence: 0.5,
        ...common,
      },
    ];
    for (const s of sigs) {
      out.push(makeEnvelope("signal", {
        id: messageId(s.agent, "signal", `SPY:${s.barTime}`),
        producer: s.agent,
        time: s.barTime,
        corr: barId("SPY", s.barTime),
      }, s));
    }
  });
  return out;
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Node {
  core: AgentCore<unknown>;
  state: unknown;
  cursors: Map<StreamName, number>;
}

/** Runs the three cores over shared stream logs, picking who reads next at random. */
function replay(seed: number, bars: AnyEnvelope[], signals: AnyEnvelope[]) {
  const rand = mulberry32(seed);
  const logs = new Map<StreamName, AnyEnvelope[]>([["md.bars", [...bars]], ["signals", [
    ...signals,
  ]]]);
  const cores = [
    createMetaCore(),
    createRiskCore({ maxPositionFraction: 0.5, dailyLossLimit: 0.5, maxDrawdown: 0.9 }),
    createExecutorCore({ initialCash: 100_000 }),
  ] as AgentCore<unknown>[];
  const nodes: Node[] = cores.map((core) => ({
    core,
    state: core.init(),
    cursors: new Map(core.inputs.map((s) => [s, 0])),
  }));
  for (;;) {
    const ready: [Node, StreamName][] = [];
    for (const n of nodes) {
      for (const [s, c] of n.cursors) if (c < (logs.get(s)?.length ?? 0)) ready.push([n, s]);
    }
    if (ready.length === 0) break;
    const [node, stream] = ready[Math.floor(rand() * ready.length)];
    const at = node.cursors.get(stream)!;
    // one delivery in ten is a redelivery of an already handled entry
    const redeliver = at > 0 && rand() < 0.1;
    const msg = logs.get(stream)![redeliver ? Math.floor(rand() * at) : at];
    if (!redeliver) node.cursors.set(stream, at + 1);
    const step = node.core.step(node.state, msg, 0);
    node.state = step.state;
    for (const o of step.out) {
      const v = validate(JSON.parse(JSON.stringify(o.msg)), o.stream);
      assert.ok(v.ok, `${o.msg.id}: ${!v.ok && v.error}`);
      if (!logs.has(o.stream)) logs.set(o.stream, []);
      logs.get(o.stream)!.push(o.msg);
    }
  }
  return logs;
}

Deno.test("pipeline: replays give identical decisions, verdicts, fills and accounts", () => {
  const bars = spyBars();
  assert.equal(bars.length, 503); // 251 + 252 trading days of 2018 and 2019 in etf_daily/SPY.csv
  const signals = signalsFor(bars);
  const runs = [1, 2, 3].map((seed) => replay(seed, bars, signals));
  const canon = (logs: Map<StreamName, AnyEnvelope[]>, stream: StreamName) =>
    new Map((logs.get(stream) ?? []).map((m) => [m.id, JSON.stringify(m)]));
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
