// Where the time goes, read after a phase from the streams themselves: a Redis entry id
// starts with the server's clock (ms) at XADD, so the ids of a bar, its signals, decision,
// account, verdict and order update give each hop's duration at 1 ms resolution, without
// a second reader disturbing the measurement.
import type { Bus, StreamEntry } from "../../shared/bus/types.ts";
import { decode, type StreamName, STREAMS } from "../../shared/messages/mod.ts";
import { type LatencySummary, summarize } from "./pipeline_percentile.ts";

/** XADD times (Redis clock, ms) of everything that descends from one bar. */
export interface BarTrace {
  bar: number | null;
  /** agent → XADD time of its signal. */
  signals: Record<string, number>;
  /** agent → the compute time the actor shell measured around the core's step (ms). */
  signalCompute: Record<string, number>;
  decision: number | null;
  /** The executor's account for this bar: the bar is processed, risk may judge it. */
  account: number | null;
  verdict: number | null;
  submitted: number | null;
}

export const entryMs = (entryId: string): number => {
  const ms = Number(entryId.slice(0, entryId.indexOf("-")));
  if (!Number.isSafeInteger(ms)) throw new Error(`not a stream entry id: ${entryId}`);
  return ms;
};

const emptyTrace = (): BarTrace => ({
  bar: null,
  signals: {},
  signalCompute: {},
  decision: null,
  account: null,
  verdict: null,
  submitted: null,
});

/** Groups entries of the pipeline's streams by the bar they descend from (corr). */
export function traceBars(entries: readonly StreamEntry[]): Map<string, BarTrace> {
  const out = new Map<string, BarTrace>();
  for (const e of entries) {
    const d = decode(e.raw, e.stream as StreamName);
    if (!d.ok) throw new Error(`invalid message on ${e.stream} (${e.entryId}): ${d.error}`);
    const m = d.msg;
    const t = entryMs(e.entryId);
    let trace = out.get(m.corr);
    if (trace === undefined) out.set(m.corr, trace = emptyTrace());
    if (m.type === "bar") trace.bar ??= t;
    else if (m.type === "signal") {
      trace.signals[m.data.agent] ??= t;
      trace.signalCompute[m.data.agent] ??= m.data.latencyMs;
    } else if (m.type === "decision") trace.decision ??= t;
    else if (m.type === "account") trace.account ??= t;
    else if (m.type === "verdict") trace.verdict ??= t;
    else if (m.type === "order_update" && m.data.status === "submitted") trace.submitted ??= t;
  }
  return out;
}

export async function readTraces(bus: Bus): Promise<Map<string, BarTrace>> {
  const streams = [
    STREAMS.bars,
    STREAMS.signals,
    STREAMS.decisions,
    STREAMS.orders,
    STREAMS.execEvents,
  ];
  const entries: StreamEntry[] = [];
  for (const s of streams) entries.push(...await bus.range(s, "-", "+"));
  return traceBars(entries);
}

export interface HopRow {
  hop: string;
  summary: LatencySummary;
}

const lastOf = (xs: number[]): number | null => (xs.length === 0 ? null : Math.max(...xs));

function collect(
  rows: Map<string, number[]>,
  hop: string,
  from: number | null,
  to: number | null,
): void {
  if (!rows.has(hop)) rows.set(hop, []);
  if (from !== null && to !== null) rows.get(hop)!.push(to - from);
}

/** Per-bar hops (Redis clock, ms) over the given bars, in pipeline order. */
export function barHops(traces: Map<string, BarTrace>, corrs: readonly string[]): HopRow[] {
  const rows = new Map<string, number[]>();
  const compute = new Map<string, number[]>();
  for (const corr of corrs) {
    const t = traces.get(corr);
    if (t === undefined) continue;
    for (const [agent, at] of Object.entries(t.signals).sort()) {
      collect(rows, `bar → ${agent} signal`, t.bar, at);
    }
    const lastSignal = lastOf(Object.values(t.signals));
    collect(rows, "last signal → decision (meta)", lastSignal, t.decision);
    collect(rows, "bar → account (executor)", t.bar, t.account);
    collect(rows, "decision → verdict (risk)", t.decision, t.verdict);
    const ready = t.decision === null || t.account === null
      ? null
      : Math.max(t.decision, t.account);
    collect(rows, "max(decision, account) → verdict", ready, t.verdict);
    collect(rows, "verdict → submitted (executor)", t.verdict, t.submitted);
    collect(rows, "bar → verdict (Redis clock)", t.bar, t.verdict);
    for (const [agent, ms] of Object.entries(t.signalCompute)) {
      if (!compute.has(agent)) compute.set(agent, []);
      compute.get(agent)!.push(ms);
    }
  }
  const out = [...rows].map(([hop, xs]) => ({ hop, summary: summarize(xs) }));
  for (const [agent, xs] of [...compute].sort()) {
    out.push({ hop: `${agent} core compute (its own timer)`, summary: summarize(xs) });
  }
  return out.filter((r) => r.summary.n > 0);
}

/**
 * Per-cycle stage completion (Redis clock, ms), each from the first bar's XADD of the
 * cycle to the last message of that stage: where a 46-bar cycle spends its time.
 */
export function cycleStages(
  traces: Map<string, BarTrace>,
  cycles: readonly (readonly string[])[],
): HopRow[] {
  const rows = new Map<string, number[]>();
  for (const corrs of cycles) {
    const ts = corrs.map((c) => traces.get(c)).filter((t): t is BarTrace => t !== undefined);
    if (ts.length !== corrs.length) continue;
    const barTimes = ts.flatMap((t) => nonNull(t.bar));
    const start = barTimes.length === ts.length ? Math.min(...barTimes) : null;
    const stage = (pick: (t: BarTrace) => number[]) => {
      const xs = ts.flatMap(pick);
      return xs.length === 0 ? null : Math.max(...xs);
    };
    collect(rows, "first bar → last bar XADD", start, stage((t) => nonNull(t.bar)));
    collect(rows, "first bar → last signal", start, stage((t) => Object.values(t.signals)));
    collect(rows, "first bar → last decision", start, stage((t) => nonNull(t.decision)));
    collect(rows, "first bar → last account", start, stage((t) => nonNull(t.account)));
    collect(rows, "first bar → last verdict", start, stage((t) => nonNull(t.verdict)));
  }
  return [...rows].map(([hop, xs]) => ({ hop, summary: summarize(xs) }))
    .filter((r) => r.summary.n > 0);
}

const nonNull = (x: number | null): number[] => (x === null ? [] : [x]);

/**
 * The per-symbol serial loop of a pipelined replay: the executor processes bar t (and
 * publishes its account) only once the verdict of t−1 is in, and risk judges t only with
 * that account. With meta running ahead, one bar costs an executor turn plus a risk turn.
 * `corrs` are one symbol's bars in feed order.
 */
export function serialLoop(traces: Map<string, BarTrace>, corrs: readonly string[]): HopRow[] {
  const rows = new Map<string, number[]>();
  for (let i = 1; i < corrs.length; i++) {
    const prev = traces.get(corrs[i - 1]);
    const t = traces.get(corrs[i]);
    if (prev === undefined || t === undefined) continue;
    collect(rows, "verdict(t−1) → verdict(t): period", prev.verdict, t.verdict);
    collect(rows, "verdict(t−1) → account(t): executor turn", prev.verdict, t.account);
    if (t.decision !== null && t.account !== null && t.decision <= t.account) {
      collect(rows, "account(t) → verdict(t): risk turn", t.account, t.verdict);
    }
    collect(rows, "decision(t) → account(t): meta's lead", t.decision, t.account);
  }
  return [...rows].map(([hop, xs]) => ({ hop, summary: summarize(xs) }))
    .filter((r) => r.summary.n > 0);
}

/** Bars in the order the md.bars stream holds them (readTraces reads that stream first). */
export function barOrder(traces: Map<string, BarTrace>): string[] {
  return [...traces].filter(([, t]) => t.bar !== null).map(([corr]) => corr);
}
