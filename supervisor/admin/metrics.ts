// Prometheus metrics. Two kinds: counters and latency histograms fed by the bus entries the
// admin process reads (since it started), and gauges set from a snapshot of the supervisor,
// the streams and the database at each scrape.
import { Counter, Gauge, Histogram, Registry } from "prom-client";
import type { Activity, TailEntry } from "./activity.ts";
import type { AgentView } from "./app.ts";
import type { StreamView } from "./inspect.ts";
import { TRADING_STATES, type TradingState } from "../../shared/messages/mod.ts";

export interface MetricsSnapshot {
  tradingState: TradingState;
  agents: AgentView[];
  streams: StreamView[];
  ordersByStatus: { status: string; count: number }[];
  vetoesByReason: { code: string; count: number }[];
  fills: number;
  /** The latest equity point, if any. */
  equity: { equity: number; cash: number; fees: number; barTime: number } | null;
  /** Peak of the equity curve (with the initial cash), for the drawdown gauge. */
  peakEquity: number | null;
}

const LATENCY_BUCKETS = [
  0.001,
  0.0025,
  0.005,
  0.01,
  0.025,
  0.05,
  0.1,
  0.25,
  0.5,
  1,
  2.5,
  5,
  10,
  30,
];
/** Bars whose publication time we remember, to time decisions and verdicts against them. */
const MAX_OPEN_BARS = 50_000;

export class AdminMetrics {
  readonly registry = new Registry();
  readonly #barPublished = new Map<string, number>();
  readonly #bars: Counter<"symbol">;
  readonly #barToDecision: Histogram<string>;
  readonly #barToVerdict: Histogram<string>;
  readonly #signalCompute: Histogram<"agent">;
  readonly #verdicts: Counter<"outcome">;
  readonly #gauges: {
    state: Gauge<"state">;
    up: Gauge<"agent">;
    restarts: Gauge<"agent">;
    processed: Gauge<"agent">;
    length: Gauge<"stream">;
    pending: Gauge<"stream" | "group">;
    lag: Gauge<"stream" | "group">;
    orders: Gauge<"status">;
    vetoes: Gauge<"reason">;
    fills: Gauge<string>;
    equity: Gauge<string>;
    cash: Gauge<string>;
    fees: Gauge<string>;
    drawdown: Gauge<string>;
  };

  constructor(activity: Activity) {
    const registers = [this.registry];
    this.#bars = new Counter({
      name: "tradebot_bars_total",
      help: "Bars published on md.bars since the admin API started, by symbol",
      labelNames: ["symbol"],
      registers,
    });
    this.#barToDecision = new Histogram({
      name: "tradebot_bar_to_decision_seconds",
      help: "Wall-clock time from a bar's publication to the meta agent's decision on it",
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.#barToVerdict = new Histogram({
      name: "tradebot_bar_to_verdict_seconds",
      help: "Wall-clock time from a bar's publication to risk's verdict on its decision",
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.#signalCompute = new Histogram({
      name: "tradebot_signal_compute_seconds",
      help: "Compute time of each signal as its agent reports it",
      labelNames: ["agent"],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.#verdicts = new Counter({
      name: "tradebot_verdicts_total",
      help: "Risk verdicts since the admin API started, by outcome (order, veto, none)",
      labelNames: ["outcome"],
      registers,
    });
    const gauge = <L extends string>(name: string, help: string, labelNames: L[] = []) =>
      new Gauge<L>({ name, help, labelNames, registers });
    this.#gauges = {
      state: gauge("tradebot_trading_state", "1 for the current trading state", ["state"]),
      up: gauge("tradebot_agent_up", "1 while the agent is running", ["agent"]),
      restarts: gauge("tradebot_agent_restarts", "Restarts of the agent so far", ["agent"]),
      processed: gauge(
        "tradebot_agent_processed_messages",
        "Messages the agent's current incarnation processed",
        ["agent"],
      ),
      length: gauge("tradebot_stream_length", "Entries in the stream", ["stream"]),
      pending: gauge(
        "tradebot_stream_pending",
        "Entries delivered to the group but not acknowledged",
        ["stream", "group"],
      ),
      lag: gauge("tradebot_stream_lag", "Entries not yet delivered to the group", [
        "stream",
        "group",
      ]),
      orders: gauge("tradebot_orders", "Stored orders by status", ["status"]),
      vetoes: gauge("tradebot_vetoes", "Vetoes naming each reason code", ["reason"]),
      fills: gauge("tradebot_fills", "Stored fills"),
      equity: gauge("tradebot_equity", "Equity after the latest bar"),
      cash: gauge("tradebot_cash", "Cash after the latest bar"),
      fees: gauge("tradebot_fees", "Fees paid so far"),
      drawdown: gauge("tradebot_drawdown", "Fall of equity from its peak, as a fraction ≤ 0"),
    };
    activity.onEntry((e) => this.#observe(e));
  }

  #observe(e: TailEntry): void {
    if (e.type === "bar") {
      const d = e.data as { symbol: string };
      this.#bars.inc({ symbol: d.symbol });
      this.#barPublished.set(e.corr, e.publishedAt);
      if (this.#barPublished.size > MAX_OPEN_BARS) {
        this.#barPublished.delete(this.#barPublished.keys().next().value as string);
      }
    } else if (e.type === "signal") {
      const d = e.data as { agent: string; latencyMs: number };
      this.#signalCompute.observe({ agent: d.agent }, d.latencyMs / 1000);
    } else if (e.type === "decision" || e.type === "verdict") {
      const published = this.#barPublished.get(e.corr);
      const h = e.type === "decision" ? this.#barToDecision : this.#barToVerdict;
      if (published !== undefined) h.observe(Math.max(0, e.publishedAt - published) / 1000);
      if (e.type === "verdict") {
        this.#verdicts.inc({ outcome: (e.data as { outcome: string }).outcome });
      }
    }
  }

  /** The text exposition after setting every gauge from `s`. */
  async render(s: MetricsSnapshot): Promise<string> {
    const g = this.#gauges;
    for (const x of Object.values(g)) x.reset();
    for (const state of TRADING_STATES) g.state.set({ state }, state === s.tradingState ? 1 : 0);
    for (const a of s.agents) {
      g.up.set({ agent: a.name }, a.state === "running" ? 1 : 0);
      g.restarts.set({ agent: a.name }, a.restarts);
      g.processed.set({ agent: a.name }, a.processed);
    }
    for (const info of s.streams) {
      g.length.set({ stream: info.stream }, info.length);
      for (const grp of info.groups) {
        g.pending.set({ stream: info.stream, group: grp.group }, grp.pending);
        if (grp.lag !== null) g.lag.set({ stream: info.stream, group: grp.group }, grp.lag);
      }
    }
    for (const o of s.ordersByStatus) g.orders.set({ status: o.status }, o.count);
    for (const v of s.vetoesByReason) g.vetoes.set({ reason: v.code }, v.count);
    g.fills.set(s.fills);
    if (s.equity !== null) {
      g.equity.set(s.equity.equity);
      g.cash.set(s.equity.cash);
      g.fees.set(s.equity.fees);
      if (s.peakEquity !== null && s.peakEquity > 0) {
        g.drawdown.set(Math.min(0, s.equity.equity / s.peakEquity - 1));
      }
    }
    return await this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
