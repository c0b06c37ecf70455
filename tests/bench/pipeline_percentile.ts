// Nearest-rank percentiles of latency samples: the reported value is always one that was
// actually measured (no interpolation between two samples).

export interface LatencySummary {
  /** null when there are no samples. */
  p50: number | null;
  p99: number | null;
  n: number;
}

/**
 * The smallest sample such that at least p % of the samples are ≤ it (rank ⌈p/100 · n⌉,
 * 1-based); p = 0 gives the minimum. The input need not be sorted and is not modified.
 */
export function nearestRank(samples: readonly number[], p: number): number {
  if (!Array.isArray(samples) || samples.length === 0) {
    throw new Error("nearestRank: expected a non-empty array of samples");
  }
  if (typeof p !== "number" || !Number.isFinite(p) || p < 0 || p > 100) {
    throw new Error(`nearestRank: p must be a number in [0, 100] (got ${String(p)})`);
  }
  const bad = samples.findIndex((x) => typeof x !== "number" || !Number.isFinite(x));
  if (bad !== -1) {
    throw new Error(`nearestRank: sample ${bad} is not a finite number (${String(samples[bad])})`);
  }
  const sorted = [...samples].sort((a, b) => a - b);
  // Multiply before dividing: p·n is exact for integer p, so an integral rank stays exact
  // (p/100 first would give 0.07 · 100 = 7.000000000000001, ⌈⌉ of which is 8).
  const rank = Math.max(1, Math.ceil((p * sorted.length) / 100));
  return sorted[rank - 1];
}

export function summarize(samples: readonly number[]): LatencySummary {
  if (samples.length === 0) return { p50: null, p99: null, n: 0 };
  return { p50: nearestRank(samples, 50), p99: nearestRank(samples, 99), n: samples.length };
}
