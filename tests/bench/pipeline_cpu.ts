// CPU time spent during a phase, per thread of this process (Linux /proc/self/task) and by
// the Redis server (INFO cpu), and how long runnable threads waited for a CPU (schedstat,
// and the kernel's CPU pressure): on a 2-core machine a latency figure is only as good as
// the CPU it had. Deno names its worker threads "worker-N" in creation order; the
// supervisor creates the agents' workers one after another in AGENTS order, which maps
// them back.
import { createClient } from "redis";

/** Linux reports thread times in clock ticks of USER_HZ, 100 on every mainstream kernel. */
const TICK_MS = 10;

export interface ThreadTimes {
  name: string;
  /** CPU time (ms). */
  ms: number;
  /** Time runnable but waiting for a CPU (ms); null without schedstat. */
  waitMs: number | null;
}

/** CPU and run-queue wait (ms) of a /proc/…/schedstat line: "cpu_ns wait_ns slices". */
export function parseSchedstat(text: string): { ms: number; waitMs: number } {
  const [cpu, wait] = text.trim().split(/\s+/).map(Number);
  if (!Number.isFinite(cpu) || !Number.isFinite(wait)) {
    throw new Error(`unexpected schedstat line: ${JSON.stringify(text)}`);
  }
  return { ms: cpu / 1e6, waitMs: wait / 1e6 };
}

/** utime + stime (ms) of one /proc/…/task/TID/stat line; the name is parsed by the caller. */
export function statCpuMs(stat: string): number {
  // The command name is in parentheses and may contain spaces or ")".
  const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const utime = Number(rest[11]);
  const stime = Number(rest[12]);
  if (!Number.isSafeInteger(utime) || !Number.isSafeInteger(stime)) {
    throw new Error(`unexpected /proc stat line: ${stat.slice(0, 120)}`);
  }
  return (utime + stime) * TICK_MS;
}

/** tid → times; empty where /proc is not available. Threads that exit are not seen. */
export function threadTimes(): Map<string, ThreadTimes> {
  const out = new Map<string, ThreadTimes>();
  let entries: Deno.DirEntry[];
  try {
    entries = [...Deno.readDirSync("/proc/self/task")];
  } catch {
    return out;
  }
  for (const e of entries) {
    const dir = `/proc/self/task/${e.name}`;
    try {
      const name = Deno.readTextFileSync(`${dir}/comm`).trim();
      let sched: { ms: number; waitMs: number } | null = null;
      try {
        sched = parseSchedstat(Deno.readTextFileSync(`${dir}/schedstat`));
      } catch { /* kernel without schedstat: clock ticks of stat instead */ }
      out.set(
        e.name,
        sched === null
          ? { name, ms: statCpuMs(Deno.readTextFileSync(`${dir}/stat`)), waitMs: null }
          : { name, ...sched },
      );
    } catch { /* the thread ended between listing and reading */ }
  }
  return out;
}

const workerNumber = (name: string): number | null => {
  const m = /^worker-(\d+)$/.exec(name);
  return m === null ? null : Number(m[1]);
};

/** Worker threads created since `before`, in creation order. */
export function newWorkerThreads(before: Map<string, ThreadTimes>): string[] {
  return [...threadTimes()].filter(([tid, t]) => !before.has(tid) && workerNumber(t.name) !== null)
    .sort((a, b) => workerNumber(a[1].name)! - workerNumber(b[1].name)!).map(([tid]) => tid);
}

/**
 * CPU ms per label between two snapshots. `labels` names some threads (the agents' workers);
 * the main thread is "main (bench, supervisor)", an unnamed worker keeps its thread name,
 * everything else is "runtime threads".
 */
export function cpuByLabel(
  before: Map<string, ThreadTimes>,
  after: Map<string, ThreadTimes>,
  labels: Map<string, string>,
): Map<string, { ms: number; waitMs: number | null }> {
  const out = new Map<string, { ms: number; waitMs: number | null }>();
  const pid = String(Deno.pid);
  for (const [tid, t] of after) {
    const label = labels.get(tid) ??
      (tid === pid
        ? "main (bench, supervisor)"
        : workerNumber(t.name) !== null
        ? t.name
        : "runtime threads (tokio, V8 helpers)");
    const b = before.get(tid);
    const ms = t.ms - (b?.ms ?? 0);
    const waitMs = t.waitMs === null ? null : t.waitMs - (b?.waitMs ?? 0);
    const sum = out.get(label) ?? { ms: 0, waitMs: 0 };
    out.set(label, {
      ms: sum.ms + ms,
      waitMs: sum.waitMs === null || waitMs === null ? null : sum.waitMs + waitMs,
    });
  }
  return out;
}

/** The Redis server's CPU seconds so far (user + system), or null if INFO cannot be read. */
export async function redisCpuSeconds(url: string): Promise<number | null> {
  const client = createClient({ url, socket: { connectTimeout: 2_000, reconnectStrategy: false } });
  try {
    await client.connect();
    const info = await client.info("cpu");
    const field = (k: string) => Number(new RegExp(`^${k}:([0-9.]+)`, "m").exec(info)?.[1]);
    const s = field("used_cpu_user") + field("used_cpu_sys");
    return Number.isFinite(s) ? s : null;
  } catch {
    return null;
  } finally {
    await client.close().catch(() => {});
  }
}

/** Total µs during which some runnable task waited for a CPU (PSI), or null. */
export function cpuPressureMicros(): number | null {
  try {
    const text = Deno.readTextFileSync("/proc/pressure/cpu");
    const total = Number(/^some .*total=(\d+)/m.exec(text)?.[1]);
    return Number.isFinite(total) ? total : null;
  } catch {
    return null;
  }
}
