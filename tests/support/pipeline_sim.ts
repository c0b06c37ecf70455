// meta → risk → executor as pure cores over shared in-memory stream logs, delivered under a
// seeded random schedule with redeliveries: what the pipeline determinism tests run.
import assert from "node:assert/strict";
import { readEtfDaily } from "../unit/features_fixtures.ts";
import { createExecutorCore, type ExecutorOptions } from "../../agents/executor/core.ts";
import { createMetaCore } from "../../agents/meta/core.ts";
import { createRiskCore, type RiskOptions } from "../../agents/risk/core.ts";
import type { AgentCore } from "../../agents/runtime/core.ts";
import {
  type AnyEnvelope,
  barEnvelope,
  barId,
  makeEnvelope,
  messageId,
  type Signal,
  type StreamName,
  validate,
} from "../../shared/messages/mod.ts";

/**
 * Daily bars of etf_daily/<symbol>.csv with from ≤ date < to, as the feed publishes them: one
 * clock, `seq` in (time, symbol) order.
 */
export function etfBars(symbols: readonly string[], from: string, to: string): AnyEnvelope[] {
  const rows = symbols.flatMap((symbol, rank) =>
    readEtfDaily(symbol).filter((b) => b.date >= from && b.date < to).map((b) => ({
      rank,
      bar: { symbol, timeframe: "1d", ...b },
    }))
  );
  rows.sort((a, b) => a.bar.time - b.bar.time || a.rank - b.rank);
  return rows.map(({ bar: { date: _date, ...bar } }, seq) => barEnvelope(bar, seq));
}

/**
 * Per symbol, signals from closes up to and including bar i only: 10-bar momentum (trend),
 * realised volatility (volatility) and a regime from the momentum's strength.
 */
export function momentumSignals(bars: AnyEnvelope[]): AnyEnvelope[] {
  const closes = new Map<string, number[]>();
  const out: AnyEnvelope[] = [];
  for (const b of bars) {
    if (b.type !== "bar") continue;
    const symbol = b.data.symbol;
    const seen = closes.get(symbol) ?? [];
    seen.push(b.data.close);
    closes.set(symbol, seen);
    const past = seen.slice(-11);
    const momentum = past.length > 1 ? past[past.length - 1] / past[0] - 1 : 0;
    const c = Math.min(1, Math.abs(momentum) * 20);
    const fav = (1 + 2 * c) / 3;
    const other = (1 - c) / 3;
    const probs = momentum >= 0
      ? { down: other, flat: other, up: fav }
      : { down: fav, flat: other, up: other };
    const rets = past.slice(1).map((x, k) => Math.log(x / past[k]));
    const sd = rets.length > 1 ? Math.sqrt(rets.reduce((s, r) => s + r * r, 0) / rets.length) : 0;
    const common = { symbol, barTime: b.data.time, latencyMs: 0, model: "test" };
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
        id: messageId(s.agent, "signal", `${symbol}:${s.barTime}`),
        producer: s.agent,
        time: s.barTime,
        corr: barId(symbol, s.barTime),
      }, s));
    }
  }
  return out;
}

export function mulberry32(seed: number): () => number {
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

export interface PipelineOptions {
  risk?: Partial<RiskOptions>;
  executor?: Partial<ExecutorOptions>;
}

/**
 * Runs meta, risk and the paper executor over shared stream logs, picking at random (seeded)
 * which core reads which of its streams next; one delivery in ten is a redelivery of an entry
 * already handled. Every published message is validated. The logs by stream.
 */
export function simulatePipeline(
  seed: number,
  bars: AnyEnvelope[],
  signals: AnyEnvelope[],
  options: PipelineOptions = {},
): Map<StreamName, AnyEnvelope[]> {
  const rand = mulberry32(seed);
  const logs = new Map<StreamName, AnyEnvelope[]>([
    ["md.bars", [...bars]],
    ["signals", [...signals]],
  ]);
  const cores = [
    createMetaCore(),
    createRiskCore(options.risk),
    createExecutorCore(options.executor),
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

/** A stream's messages by id (as JSON): equal for two runs iff they published the same. */
export const canonicalStream = (logs: Map<StreamName, AnyEnvelope[]>, stream: StreamName) =>
  new Map((logs.get(stream) ?? []).map((m) => [m.id, JSON.stringify(m)]));
