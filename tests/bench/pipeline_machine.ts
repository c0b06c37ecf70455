// Facts about the machine a benchmark ran on: absolute timings mean little without them.
import { cpus } from "node:os";

/** The 1, 5 and 15 minute load averages of a /proc/loadavg line. */
export function parseLoadavg(text: string): [number, number, number] {
  const parts = text.trim().split(/\s+/).slice(0, 3).map(Number);
  if (parts.length !== 3 || parts.some((x) => !Number.isFinite(x) || x < 0)) {
    throw new Error(`/proc/loadavg: expected three load averages, got ${JSON.stringify(text)}`);
  }
  return parts as [number, number, number];
}

/** null where /proc is not available (not Linux). */
export function loadavg(): [number, number, number] | null {
  try {
    return parseLoadavg(Deno.readTextFileSync("/proc/loadavg"));
  } catch {
    return null;
  }
}

export interface MachineFacts {
  cores: number;
  cpu_model: string | null;
  os: string;
  deno: string;
  v8: string;
}

export function machineFacts(): MachineFacts {
  const list = cpus();
  return {
    cores: navigator.hardwareConcurrency,
    cpu_model: list.length > 0 ? list[0].model : null,
    os: `${Deno.build.os} ${Deno.osRelease()}`,
    deno: Deno.version.deno,
    v8: Deno.version.v8,
  };
}
