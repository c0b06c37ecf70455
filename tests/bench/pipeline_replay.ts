// The full replay path as a user runs it: `supervisor/main.ts --replay FILE --no-admin` in a
// subprocess on real Redis, timed from its own log lines (stderr, one JSON object a line):
// the feed's "replay starting" (data loaded, `bars` to publish) to main's "stopping" (the
// feed reported that the executor processed every bar).
import { connectRedis, scratchDatabase, uniqueName } from "./pipeline_system.ts";
import type { BenchTarget } from "./pipeline_system.ts";
import { AGENTS } from "../../supervisor/system.ts";
import { snapshotKey } from "../../agents/runtime/actor.ts";
import type { Bus } from "../../shared/bus/types.ts";
import { barOrder, type HopRow, readTraces, serialLoop } from "./pipeline_hops.ts";
import { type MemorySamples, sampleMemory } from "./memory.ts";

export const REPO = new URL("../../", import.meta.url).pathname;

export interface ReplayLogTiming {
  bars: number;
  /** Epoch ms of the two log lines (the logger's `t`, millisecond resolution). */
  startMs: number;
  stopMs: number;
  /** main's reason for stopping: "done" when the replay ran to its end. */
  why: string;
}

/** Finds the two lines in a run's stderr; non-JSON lines (banners) are skipped. */
export function parseReplayLog(stderr: string): ReplayLogTiming {
  let start: { t: number; bars: number } | null = null;
  let stop: { t: number; why: string } | null = null;
  for (const line of stderr.split("\n")) {
    if (!line.startsWith("{")) continue;
    let o: Record<string, unknown>;
    try {
      o = JSON.parse(line);
    } catch {
      continue;
    }
    const t = typeof o.t === "string" ? Date.parse(o.t) : NaN;
    if (o.msg === "replay starting" && start === null) {
      if (!Number.isFinite(t) || !Number.isSafeInteger(o.bars) || (o.bars as number) <= 0) {
        throw new Error(`"replay starting" line without a valid t and bars: ${line}`);
      }
      start = { t, bars: o.bars as number };
    } else if (o.msg === "stopping" && o.component === "main" && stop === null) {
      if (!Number.isFinite(t)) throw new Error(`"stopping" line without a valid t: ${line}`);
      stop = { t, why: String(o.why) };
    }
  }
  if (start === null) throw new Error(`no "replay starting" line in the replay's stderr`);
  if (stop === null) throw new Error(`no "stopping" line from main in the replay's stderr`);
  if (stop.t < start.t) throw new Error(`"stopping" (${stop.t}) before "replay starting"`);
  return { bars: start.bars, startMs: start.t, stopMs: stop.t, why: stop.why };
}

export interface ReplayResult {
  timing: ReplayLogTiming;
  barsPerS: number;
  /** Subprocess start to exit: Deno start-up, data loading, agents, statistics, shutdown. */
  wallMs: number;
  exitCode: number;
  /** Where a bar's time goes in the pipelined replay (Redis entry-id clock). */
  loop: HopRow[];
  /** Largest state snapshot seen per agent (bytes), sampled every second during the run. */
  snapshotBytes: Record<string, number>;
  /** RSS of the subprocess (all its agent workers are threads of it), sampled. */
  memory: MemorySamples;
}

/** Samples the agents' snapshot sizes until `stop` resolves. */
async function sampleSnapshots(bus: Bus, stop: Promise<void>): Promise<Record<string, number>> {
  const max: Record<string, number> = {};
  let done = false;
  stop.finally(() => (done = true));
  while (!done) {
    for (const agent of AGENTS) {
      const v = await bus.kvGet(snapshotKey(agent)).catch(() => null);
      if (v !== null) max[agent] = Math.max(max[agent] ?? 0, new TextEncoder().encode(v).length);
    }
    await Promise.race([stop, new Promise((r) => setTimeout(r, 1_000))]);
  }
  return max;
}

/** Environment passed through to the subprocess; every bot setting is set explicitly. */
const PASS_THROUGH = ["HOME", "PATH", "TMPDIR", "DENO_DIR", "XDG_CACHE_HOME", "LANG"];

export async function runReplayPhase(
  file: string,
  target: BenchTarget,
  timeoutMs: number,
  /** More arguments for main.ts (e.g. --models DIR). */
  extraArgs: readonly string[] = [],
): Promise<ReplayResult> {
  const name = uniqueName("replay");
  const db = await scratchDatabase(name, target.pgUrl);
  const env: Record<string, string> = {};
  for (const k of PASS_THROUGH) {
    const v = Deno.env.get(k);
    if (v !== undefined) env[k] = v;
  }
  Object.assign(env, {
    REDIS_URL: target.redisUrl,
    BUS_NAMESPACE: name,
    DATABASE_URL: db.url,
    LOG_LEVEL: "info",
    DOTENV_PATH: "/nonexistent/.env",
  });
  // main.ts runs a replay under `${BUS_NAMESPACE}.replay`, and leaves it there.
  const observer = await connectRedis(target.redisUrl, `${name}.replay`);
  const ended = Promise.withResolvers<void>();
  const sampling = sampleSnapshots(observer, ended.promise);
  const started = performance.now();
  try {
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-all",
        "supervisor/main.ts",
        "--replay",
        file,
        "--no-admin",
        ...extraArgs,
      ],
      cwd: REPO,
      env,
      clearEnv: true,
      stdout: "piped",
      stderr: "piped",
      signal: AbortSignal.timeout(timeoutMs),
    }).spawn();
    const memory = sampleMemory(child.pid);
    const out = await child.output().finally(() => ended.resolve());
    const memorySamples = memory.stop();
    const wallMs = performance.now() - started;
    const stderr = new TextDecoder().decode(out.stderr);
    if (out.code !== 0) {
      throw new Error(
        `replay exited with code ${out.code}${out.signal ? ` (${out.signal})` : ""} after ` +
          `${Math.round(wallMs)} ms; stderr ends:\n${stderr.slice(-1500)}`,
      );
    }
    const timing = parseReplayLog(stderr);
    if (timing.why !== "done") throw new Error(`replay stopped early: why=${timing.why}`);
    const seconds = (timing.stopMs - timing.startMs) / 1000;
    const traces = await readTraces(observer);
    return {
      timing,
      barsPerS: seconds > 0 ? timing.bars / seconds : Infinity,
      wallMs,
      exitCode: out.code,
      loop: serialLoop(traces, barOrder(traces)),
      snapshotBytes: await sampling,
      memory: memorySamples,
    };
  } finally {
    ended.resolve();
    await sampling.catch(() => {});
    await observer.destroy().catch(() => {});
    await observer.close().catch(() => {});
    try {
      const bus = await connectRedis(target.redisUrl, name);
      await bus.destroy().finally(() => bus.close());
    } catch { /* nothing to clean, or Redis gone: reported by the phase itself */ }
    await db.drop().catch(() => {});
  }
}
