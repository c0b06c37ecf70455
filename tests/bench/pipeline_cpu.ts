// CPU time spent during a phase, per thread of this process (Linux /proc/self/task) and by
// the Redis server (INFO cpu): on a 2-core machine a latency figure is only as good as the
// CPU it had. Deno names its worker threads "worker-N" in creation order; the supervisor
// creates the agents' workers one after another in AGENTS order, which maps them back.
import { createClient } from "redis";

/** Linux reports thread times in clock ticks of USER_HZ, 100 on every mainstream kernel. */
const TICK_MS = 10;

export interface ThreadTimes {
  name: string;
  ms: number;
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
    try {
      const name = Deno.readTextFileSync(`/proc/self/task/${e.name}/comm`).trim();
      const ms = statCpuMs(Deno.readTextFileSync(`/proc/self/task/${e.name}/stat`));
      out.set(e.name, { name, ms });
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
): Map<string, number> {
  const out = new Map<string, number>();
  const pid = String(Deno.pid);
  for (const [tid, t] of after) {
    const label = labels.get(tid) ??
      (tid === pid
        ? "main (bench, supervisor)"
        : workerNumber(t.name) !== null
        ? t.name
        : "runtime threads (tokio, V8 helpers)");
    const ms = t.ms - (before.get(tid)?.ms ?? 0);
    out.set(label, (out.get(label) ?? 0) + ms);
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
