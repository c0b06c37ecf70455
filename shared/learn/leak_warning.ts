// Out-of-sample direction accuracy this high on daily bars is far more often a leak (a
// feature, label or split that sees the future) than skill.
import { DAY_MS, parseTimeframe } from "../data/timeframe.ts";
import type { MetricSet } from "./metrics.ts";

export const LEAK_ACCURACY_THRESHOLD = 0.6;

/**
 * A warning when out-of-sample accuracy exceeds 0.6 on bars of a day or longer, else null.
 * It reads `accuracy` (the 3-class argmax accuracy): with a dead zone so wide that flat
 * dominates, the majority baseline alone can pass 0.6, so compare with the baselines before
 * dismissing or trusting the figure.
 */
export function leakWarning(
  metrics: Pick<MetricSet, "accuracy" | "n">,
  timeframe: string,
): string | null {
  const barMs = parseTimeframe(timeframe);
  const { accuracy, n } = metrics;
  if (accuracy === null || barMs < DAY_MS || accuracy <= LEAK_ACCURACY_THRESHOLD) return null;
  return `out-of-sample directional accuracy ${accuracy.toFixed(4)} over ${n} samples on ` +
    `${timeframe} bars is above ${LEAK_ACCURACY_THRESHOLD}: treat as a leak to hunt down ` +
    `(features, labels or splits that see past bar t)`;
}
