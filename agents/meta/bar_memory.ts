// Bounded memory of the bar times already settled for one symbol (decided by meta, given a
// verdict by risk). The newest `capacity` times are kept exactly; older ones collapse into
// a watermark, so a message for a bar at or below it counts as settled (it is late).
import { z } from "zod";

export interface BarMemory {
  /** Every bar time ≤ floor counts as settled; -1 when nothing has been forgotten yet. */
  floor: number;
  /** Settled bar times above the floor, ascending. */
  times: number[];
}

export const BarMemorySchema = z.object({
  floor: z.number().int().min(-1),
  times: z.array(z.number().int().nonnegative()),
});

export const emptyBarMemory = (): BarMemory => ({ floor: -1, times: [] });

export function isSettled(mem: BarMemory | undefined, barTime: number): boolean {
  if (mem === undefined) return false;
  return barTime <= mem.floor || binarySearch(mem.times, barTime) >= 0;
}

/** Records `barTime` as settled, forgetting the oldest times beyond `capacity`. */
export function settle(mem: BarMemory, barTime: number, capacity: number): void {
  if (isSettled(mem, barTime)) return;
  const at = -binarySearch(mem.times, barTime) - 1;
  mem.times.splice(at, 0, barTime);
  while (mem.times.length > capacity) mem.floor = Math.max(mem.floor, mem.times.shift()!);
}

/** Index of `x` in ascending `xs`, or -(insertion point) - 1 when absent. */
function binarySearch(xs: readonly number[], x: number): number {
  let lo = 0;
  let hi = xs.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (xs[mid] < x) lo = mid + 1;
    else if (xs[mid] > x) hi = mid - 1;
    else return mid;
  }
  return -lo - 1;
}
