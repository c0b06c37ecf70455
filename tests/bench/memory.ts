// Memory of the running system: resident set size of a process from /proc/<pid>/status
// (Linux), sampled while it runs. Agent workers are threads of their process, so a process's
// RSS already holds every agent worker it runs.

export interface ProcMemory {
  /** Resident set size now (VmRSS), MiB. */
  rssMiB: number;
  /** Peak resident set size so far (VmHWM), MiB. */
  peakMiB: number;
  threads: number;
}

const KIB_FIELD = (name: string) => new RegExp(`^${name}:\\s+(\\d+)\\s+kB$`, "m");

/** VmRSS, VmHWM and Threads of a /proc/<pid>/status text. */
export function parseProcStatus(text: string): ProcMemory {
  const kib = (name: string) => {
    const m = KIB_FIELD(name).exec(text);
    if (m === null) throw new Error(`/proc status: no '${name}: N kB' line`);
    return Number(m[1]) / 1024;
  };
  const threads = /^Threads:\s+(\d+)$/m.exec(text);
  if (threads === null) throw new Error("/proc status: no 'Threads: N' line");
  return { rssMiB: kib("VmRSS"), peakMiB: kib("VmHWM"), threads: Number(threads[1]) };
}

/** null when the process is gone or /proc is not there (not Linux). */
export function procMemory(pid: number | "self"): ProcMemory | null {
  try {
    return parseProcStatus(Deno.readTextFileSync(`/proc/${pid}/status`));
  } catch {
    return null;
  }
}

export interface MemorySamples {
  /** Largest VmRSS seen, MiB (null: never readable). */
  maxRssMiB: number | null;
  /** Last VmHWM read before the process ended, MiB. */
  peakMiB: number | null;
  maxThreads: number | null;
  samples: number;
}

/** Folds one reading into the running figures (a missing reading changes nothing). */
export function addSample(s: MemorySamples, m: ProcMemory | null): MemorySamples {
  if (m === null) return s;
  return {
    maxRssMiB: Math.max(s.maxRssMiB ?? 0, m.rssMiB),
    peakMiB: Math.max(s.peakMiB ?? 0, m.peakMiB),
    maxThreads: Math.max(s.maxThreads ?? 0, m.threads),
    samples: s.samples + 1,
  };
}

export const NO_SAMPLES: MemorySamples = {
  maxRssMiB: null,
  peakMiB: null,
  maxThreads: null,
  samples: 0,
};

/** Samples `pid` every `everyMs` until `stop()`; returns the figures. */
export function sampleMemory(pid: number | "self", everyMs = 250) {
  let s = addSample(NO_SAMPLES, procMemory(pid));
  const timer = setInterval(() => (s = addSample(s, procMemory(pid))), everyMs);
  return {
    stop(): MemorySamples {
      clearInterval(timer);
      s = addSample(s, procMemory(pid));
      return s;
    },
  };
}

/** The main isolate's heap (Deno.memoryUsage), MiB: the JS of the main thread only. */
export function mainHeapMiB(): { heapUsed: number; heapTotal: number; external: number } {
  const m = Deno.memoryUsage();
  const mib = (x: number) => x / 1024 / 1024;
  return { heapUsed: mib(m.heapUsed), heapTotal: mib(m.heapTotal), external: mib(m.external) };
}
