// The two latency phases. Each starts the whole bot (all agents as workers, real Redis,
// feed:false), publishes real bars itself exactly as the feed would (barEnvelope, seq from
// 0 without gaps), and waits for each bar's verdict on "orders" before the next bar or
// cycle goes out: latency, not queueing. Bars before `warmup` are published, not measured.
import type { RawBar } from "../../shared/data/mod.ts";
import { barEnvelope, barId, encode, STREAMS } from "../../shared/messages/mod.ts";
import type { Verdict } from "../../shared/messages/mod.ts";
import { type BenchTarget, startBenchSystem } from "./pipeline_system.ts";
import { ExecutorInputWatcher } from "./pipeline_watch.ts";
import { barHops, cycleStages, type HopRow, readTraces } from "./pipeline_hops.ts";
import {
  cpuByLabel,
  cpuPressureMicros,
  newWorkerThreads,
  redisCpuSeconds,
  threadTimes,
} from "./pipeline_cpu.ts";
import { AGENTS } from "../../supervisor/system.ts";

export interface PhaseLimits {
  /** The measuring loop stops here (performance.now() clock); results are then partial. */
  deadline: number;
  /** Longest wait for one bar's (or cycle's) verdicts; above the meta agent's 15 s deadline. */
  verdictTimeoutMs: number;
}

export interface PhaseResult {
  /** One sample per measured bar (one symbol) or cycle (46 symbols), ms. */
  samples: number[];
  /** Published, measured or not. */
  published: number;
  outcomes: Record<Verdict["outcome"], number>;
  /** Bar's publish → the executor's order_update "submitted" (bars whose verdict was an order). */
  submittedSamples: number[];
  /** Order verdicts whose "submitted" did not appear within 2 s of the phase's end. */
  submittedMissing: number;
  /** XADD round trip of the benchmark's own publish (a floor under every figure). */
  publishSamples: number[];
  hops: HopRow[];
  /** Why the phase stopped before its planned end (null: it did not). */
  stoppedEarly: string | null;
  namespace: string;
  cpu: PhaseCpu;
}

/** CPU used while the steps were published and answered (warm-up included). */
export interface PhaseCpu {
  wallMs: number;
  bars: number;
  /** Label (agent name, main thread, runtime threads) → CPU ms and run-queue wait ms. */
  byLabel: Record<string, { ms: number; waitMs: number | null }>;
  /** Share of the wall time during which some task of the machine waited for a CPU. */
  cpuPressure: number | null;
  /** The Redis server's CPU ms (the whole server: other clients count too); null: unknown. */
  redisMs: number | null;
}

const noOutcomes = (): Record<Verdict["outcome"], number> => ({ order: 0, veto: 0, none: 0 });

/** Groups aligned bars into clock steps (one timestamp each), keeping their order. */
export function clockSteps(bars: readonly RawBar[]): RawBar[][] {
  const steps: RawBar[][] = [];
  for (const b of bars) {
    const last = steps[steps.length - 1];
    if (last !== undefined && last[0].time === b.time) last.push(b);
    else if (last !== undefined && last[0].time > b.time) {
      throw new Error(
        `bars are not in time order at ${b.symbol} ${new Date(b.time).toISOString()}`,
      );
    } else steps.push([b]);
  }
  return steps;
}

/**
 * Publishes the steps in order, each step's bars at once (pipelined on one connection),
 * and measures from just before the first XADD to the arrival of the step's last verdict.
 */
async function runSteps(
  label: "one" | "cycle",
  steps: readonly (readonly RawBar[])[],
  warmup: number,
  target: BenchTarget,
  limits: PhaseLimits,
): Promise<PhaseResult> {
  const threadsBefore = threadTimes();
  const sys = await startBenchSystem(label, target);
  const workers = newWorkerThreads(threadsBefore);
  const labels = new Map<string, string>(
    workers.length === AGENTS.length ? workers.map((tid, i) => [tid, AGENTS[i]]) : [],
  );
  const watcher = new ExecutorInputWatcher(sys.bus);
  const result: PhaseResult = {
    samples: [],
    published: 0,
    outcomes: noOutcomes(),
    submittedSamples: [],
    submittedMissing: 0,
    publishSamples: [],
    hops: [],
    stoppedEarly: null,
    namespace: sys.namespace,
    cpu: { wallMs: 0, bars: 0, byLabel: {}, redisMs: null, cpuPressure: null },
  };
  const publishedAt = new Map<string, number>();
  const measured: string[][] = [];
  try {
    watcher.start();
    const redis0 = await redisCpuSeconds(target.redisUrl);
    const cpu0 = threadTimes();
    const psi0 = cpuPressureMicros();
    const wall0 = performance.now();
    let seq = 0;
    for (const [i, step] of steps.entries()) {
      if (performance.now() > limits.deadline) {
        result.stoppedEarly = `phase time cap reached after ${i} of ${steps.length} steps`;
        break;
      }
      const raws = step.map((bar, k) => encode(barEnvelope(bar, seq + k), STREAMS.bars));
      const corrs = step.map((bar) => barId(bar.symbol, bar.time));
      seq += step.length;
      const t0 = performance.now();
      await Promise.all(raws.map((raw) => sys.bus.publish(STREAMS.bars, raw)));
      const t1 = performance.now();
      result.published += step.length;
      const wait = Math.min(limits.verdictTimeoutMs, Math.max(1, limits.deadline - t0));
      let lastAt: number;
      try {
        lastAt = await watcher.waitForVerdicts(corrs, wait);
      } catch (e) {
        result.stoppedEarly = `step ${i}: ${(e as Error).message}`;
        break;
      }
      if (i < warmup) continue;
      result.samples.push(lastAt - t0);
      result.publishSamples.push((t1 - t0) / step.length);
      measured.push(corrs);
      for (const c of corrs) publishedAt.set(c, t0);
    }
    const wallMs = performance.now() - wall0;
    const cpu1 = threadTimes();
    const psi1 = cpuPressureMicros();
    const redis1 = await redisCpuSeconds(target.redisUrl);
    result.cpu = {
      wallMs,
      bars: result.published,
      byLabel: Object.fromEntries(cpuByLabel(cpu0, cpu1, labels)),
      redisMs: redis0 === null || redis1 === null ? null : (redis1 - redis0) * 1000,
      cpuPressure: psi0 === null || psi1 === null ? null : (psi1 - psi0) / 1000 / wallMs,
    };
    // The executor's "submitted" follows the verdict; give the last ones a moment to land.
    const orderCorrs = () =>
      [...publishedAt.keys()].filter((c) => watcher.verdicts.get(c)?.outcome === "order");
    const settleBy = performance.now() + 2_000;
    while (
      orderCorrs().some((c) => !watcher.submitted.has(c)) && performance.now() < settleBy
    ) await new Promise((r) => setTimeout(r, 20));
    for (const corr of publishedAt.keys()) {
      const v = watcher.verdicts.get(corr);
      if (v !== undefined) result.outcomes[v.outcome]++;
    }
    for (const c of orderCorrs()) {
      const at = watcher.submitted.get(c);
      if (at !== undefined) result.submittedSamples.push(at - publishedAt.get(c)!);
      else result.submittedMissing++;
    }
    await watcher.stop();
    const traces = await readTraces(sys.bus);
    result.hops = label === "cycle"
      ? [...cycleStages(traces, measured), ...barHops(traces, measured.flat())]
      : barHops(traces, measured.flat());
  } finally {
    await watcher.stop();
    await sys.close();
  }
  return result;
}

/** One symbol: one bar at a time. */
export function runOneSymbol(
  bars: readonly RawBar[],
  warmup: number,
  target: BenchTarget,
  limits: PhaseLimits,
): Promise<PhaseResult> {
  const symbols = new Set(bars.map((b) => b.symbol));
  if (symbols.size !== 1) {
    throw new Error(
      `one-symbol phase: expected bars of one symbol, got ${[...symbols].join(", ")}`,
    );
  }
  return runSteps("one", bars.map((b) => [b]), warmup, target, limits);
}

/** Many symbols: one clock step (every bar of one timestamp) at a time. */
export function runCycles(
  steps: readonly (readonly RawBar[])[],
  warmup: number,
  target: BenchTarget,
  limits: PhaseLimits,
): Promise<PhaseResult> {
  return runSteps("cycle", steps, warmup, target, limits);
}
