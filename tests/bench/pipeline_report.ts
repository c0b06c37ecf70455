// The benchmark's result as JSON (exact keys) and as a plain table.
import type { LatencySummary } from "./pipeline_percentile.ts";
import type { HopRow } from "./pipeline_hops.ts";
import type { MachineFacts } from "./pipeline_machine.ts";
import type { PhaseCpu } from "./pipeline_phases.ts";

export const TARGETS = { bar_to_order_p99_ms: 25, cycle46_p99_ms: 100 } as const;

export const DEFINITIONS = {
  bar_to_order_ms: "Per bar, one symbol, one bar in flight: from just before the benchmark's " +
    'XADD of the bar on md.bars to the moment its blocking XREAD on "orders" returned risk\'s ' +
    "verdict for that bar (corr bar:SYMBOL:TIME). Risk publishes exactly one verdict per " +
    "decision, whatever its outcome (order, veto, none): that entry is the order message the " +
    "executor consumes. Bench-process clock (performance.now).",
  bar_to_submitted_ms: "Same start, until the executor's order_update with status " +
    '"submitted" for that bar appeared on exec.events. Only bars whose verdict was an order: ' +
    "for a veto or none verdict the executor publishes nothing at verdict time.",
  cycle46_ms: "One clock step of the S&P 500 folder: every bar of one timestamp XADDed at " +
    "once (pipelined on one connection); from just before the first XADD to the arrival of " +
    'the last of their verdicts on "orders". The next step goes out after all verdicts.',
  replay_bars_per_s: "supervisor/main.ts --replay BTCUSD_1d.csv --no-admin as a subprocess: " +
    'the bars field of the feed\'s "replay starting" log line divided by the time from that ' +
    'line to main\'s "stopping" line, which comes after the executor has processed every ' +
    "bar. The feed keeps up to FEED_WINDOW bars in flight (throughput, not latency).",
  cpu: "Per published bar: CPU time of each thread of the bench process (agents by worker " +
    "thread, from /proc/self/task/*/schedstat), the time it was runnable but waiting for a " +
    "CPU (run-queue wait), and the Redis server's CPU (INFO cpu; the whole server, so other " +
    "clients count too). cpu_pressure: share of the wall time in which some task of the " +
    "machine waited for a CPU (/proc/pressure/cpu).",
  hops: "Per-hop durations from Redis stream entry ids (the server's clock at XADD, 1 ms " +
    "resolution), read back after each phase; 'core compute' is the signal's latencyMs, the " +
    "time the actor shell measured around the core's step.",
} as const;

export interface PhaseReport {
  summary: LatencySummary;
  published: number;
  warmup: number;
  outcomes: Record<string, number>;
  publishXadd: LatencySummary;
  hops: HopRow[];
  stoppedEarly: string | null;
  cpu: PhaseCpu;
  extra: Record<string, unknown>;
}

export interface ReplayReport {
  barsPerS: number;
  bars: number;
  pipelineS: number;
  wallS: number;
  loop: HopRow[];
  snapshotBytes: Record<string, number>;
}

export interface BenchReport {
  machine: MachineFacts & {
    loadavg_start: number[] | null;
    loadavg_end: number[] | null;
  };
  database: "sqlite" | "postgres";
  one: PhaseReport | null;
  submitted: LatencySummary;
  cycle: PhaseReport | null;
  replay: ReplayReport | null;
  errors: string[];
}

const r3 = (x: number | null): number | null => (x === null ? null : Math.round(x * 1000) / 1000);
const rs = (s: LatencySummary): LatencySummary => ({ p50: r3(s.p50), p99: r3(s.p99), n: s.n });
const EMPTY: LatencySummary = { p50: null, p99: null, n: 0 };

const below = (s: LatencySummary | undefined, limit: number): boolean | null =>
  s === undefined || s.p99 === null ? null : s.p99 < limit;

interface CpuRow {
  label: string;
  /** CPU ms per published bar. */
  cpu: number;
  /** Run-queue wait ms per published bar (null: unknown). */
  wait: number | null;
}

/** Per published bar, by thread label, biggest first; the process total and Redis last. */
export function cpuPerBar(c: PhaseCpu): CpuRow[] {
  if (c.bars === 0) return [];
  const rows: CpuRow[] = Object.entries(c.byLabel).map(([label, v]) => ({
    label,
    cpu: v.ms / c.bars,
    wait: v.waitMs === null ? null : v.waitMs / c.bars,
  }));
  rows.sort((a, b) => b.cpu - a.cpu);
  rows.push({
    label: "bench process, all threads",
    cpu: rows.reduce((s, r) => s + r.cpu, 0),
    wait: rows.some((r) => r.wait === null) ? null : rows.reduce((s, r) => s + r.wait!, 0),
  });
  if (c.redisMs !== null) {
    rows.push({ label: "redis-server (whole server)", cpu: c.redisMs / c.bars, wait: null });
  }
  return rows;
}

function phaseJson(p: PhaseReport | null): Record<string, unknown> | null {
  if (p === null) return null;
  return {
    ...p.extra,
    warmup: p.warmup,
    published_bars: p.published,
    outcomes: p.outcomes,
    publish_xadd_ms: rs(p.publishXadd),
    hops_ms: Object.fromEntries(p.hops.map((h) => [h.hop, rs(h.summary)])),
    stopped_early: p.stoppedEarly,
    cpu: {
      wall_ms: r3(p.cpu.wallMs),
      bars: p.cpu.bars,
      busy_cores: p.cpu.wallMs > 0 ? r3(busy(p.cpu) / p.cpu.wallMs) : null,
      cpu_pressure: r3(p.cpu.cpuPressure),
      ms_per_bar: Object.fromEntries(
        cpuPerBar(p.cpu).map((c) => [c.label, { cpu: r3(c.cpu), runqueue_wait: r3(c.wait) }]),
      ),
    },
  };
}

export function reportJson(r: BenchReport): Record<string, unknown> {
  return {
    bar_to_order_ms: rs(r.one?.summary ?? EMPTY),
    bar_to_submitted_ms: rs(r.submitted),
    cycle46_ms: rs(r.cycle?.summary ?? EMPTY),
    replay_bars_per_s: r.replay === null ? null : Math.round(r.replay.barsPerS * 10) / 10,
    replay_bars: r.replay?.bars ?? null,
    replay_pipeline_s: r3(r.replay?.pipelineS ?? null),
    replay_wall_s: r3(r.replay?.wallS ?? null),
    replay_loop_ms: r.replay === null
      ? null
      : Object.fromEntries(r.replay.loop.map((h) => [h.hop, rs(h.summary)])),
    replay_max_snapshot_bytes: r.replay?.snapshotBytes ?? null,
    targets: TARGETS,
    target_met: {
      bar_to_order_p99: below(r.one?.summary, TARGETS.bar_to_order_p99_ms),
      cycle46_p99: below(r.cycle?.summary, TARGETS.cycle46_p99_ms),
    },
    machine: r.machine,
    database: r.database,
    one_symbol: phaseJson(r.one),
    cycle46: phaseJson(r.cycle),
    definitions: DEFINITIONS,
    errors: r.errors,
  };
}

/** CPU ms of the bench process and the Redis server together. */
const busy = (c: PhaseCpu) =>
  Object.values(c.byLabel).reduce((s, v) => s + v.ms, 0) + (c.redisMs ?? 0);

const ms = (x: number | null) => (x === null ? "—" : x.toFixed(2));

function row(label: string, s: LatencySummary, target: string): string {
  return `${label.padEnd(34)} ${ms(s.p50).padStart(9)} ${ms(s.p99).padStart(9)} ${
    String(s.n).padStart(6)
  }  ${target}`;
}

function hopTable(title: string, hops: HopRow[]): string[] {
  if (hops.length === 0) return [];
  return [
    "",
    `${title} (Redis entry-id clock, 1 ms resolution)`,
    `${"hop".padEnd(40)} ${"p50".padStart(7)} ${"p99".padStart(7)} ${"n".padStart(6)}`,
    ...hops.map((h) =>
      `${h.hop.padEnd(40)} ${ms(h.summary.p50).padStart(7)} ${ms(h.summary.p99).padStart(7)} ${
        String(h.summary.n).padStart(6)
      }`
    ),
  ];
}

export function reportTable(r: BenchReport): string {
  const m = r.machine;
  const verdict = (ok: boolean | null) => (ok === null ? "" : ok ? " (met)" : " (MISSED)");
  const lines = [
    `machine: ${m.cores} cores (${
      m.cpu_model ?? "?"
    }), ${m.os}, deno ${m.deno}; database ${r.database}`,
    `load average (1/5/15 min): start ${m.loadavg_start?.join(" ") ?? "?"}, end ${
      m.loadavg_end?.join(" ") ?? "?"
    }`,
    "",
    `${"figure (ms)".padEnd(34)} ${"p50".padStart(9)} ${"p99".padStart(9)} ${
      "n".padStart(6)
    }  target`,
    row(
      "bar → verdict on orders, 1 symbol",
      r.one?.summary ?? EMPTY,
      `p99 < ${TARGETS.bar_to_order_p99_ms}${
        verdict(below(r.one?.summary, TARGETS.bar_to_order_p99_ms))
      }`,
    ),
    row("bar → executor 'submitted'", r.submitted, "(order verdicts only)"),
    row(
      "cycle of 46 symbols",
      r.cycle?.summary ?? EMPTY,
      `p99 < ${TARGETS.cycle46_p99_ms}${verdict(below(r.cycle?.summary, TARGETS.cycle46_p99_ms))}`,
    ),
    r.replay === null
      ? "replay: not measured"
      : `replay: ${r.replay.barsPerS.toFixed(1)} bars/s (${r.replay.bars} bars in ${
        r.replay.pipelineS.toFixed(2)
      } s from "replay starting" to "stopping"; ${
        r.replay.wallS.toFixed(2)
      } s wall for the whole subprocess)`,
  ];
  for (const [name, p] of [["1 symbol", r.one], ["46 symbols", r.cycle]] as const) {
    if (p === null) continue;
    lines.push(
      "",
      `${name}: ${p.published} bars published (${p.warmup} warm-up steps unmeasured); ` +
        `verdicts of measured bars: ${
          Object.entries(p.outcomes).map(([k, v]) => `${k} ${v}`).join(", ")
        }; own XADD per bar p50 ${ms(p.publishXadd.p50)} ms` +
        (p.stoppedEarly ? `; STOPPED EARLY: ${p.stoppedEarly}` : ""),
    );
    lines.push(...hopTable(`${name}: per hop`, p.hops));
    const cpu = cpuPerBar(p.cpu);
    if (cpu.length > 0) {
      lines.push(
        "",
        `${name}: CPU per published bar (${p.cpu.bars} bars in ${
          (p.cpu.wallMs / 1000).toFixed(1)
        } s, ${(busy(p.cpu) / p.cpu.wallMs).toFixed(2)} cores busy incl. Redis; some task ` +
          `of the machine waited for a CPU ${
            p.cpu.cpuPressure === null ? "?" : (100 * p.cpu.cpuPressure).toFixed(0)
          } % of the time)`,
        `  ${"thread".padEnd(40)} ${"cpu ms".padStart(8)} ${"wait ms".padStart(8)}`,
        ...cpu.map((c) =>
          `  ${c.label.padEnd(40)} ${c.cpu.toFixed(3).padStart(8)} ${
            (c.wait === null ? "—" : c.wait.toFixed(3)).padStart(8)
          }`
        ),
      );
    }
  }
  if (r.replay !== null) {
    lines.push(...hopTable("replay: the per-bar serial loop", r.replay.loop));
    const snaps = Object.entries(r.replay.snapshotBytes).sort((a, b) => b[1] - a[1]);
    if (snaps.length > 0) {
      lines.push(
        `replay: largest state snapshot (bytes, written with every batch): ${
          snaps.map(([k, v]) => `${k} ${v}`).join(", ")
        }`,
      );
    }
  }
  lines.push("", "definitions:");
  for (const [k, v] of Object.entries(DEFINITIONS)) lines.push(`  ${k}: ${v}`);
  if (r.errors.length > 0) lines.push("", "errors:", ...r.errors.map((e) => `  ${e}`));
  return lines.join("\n");
}
