// Walk-forward splits with a purge and an embargo (López de Prado, AFML ch. 7), over sample
// indices 0..n−1 in time order. Every range is half-open: [start, end).
//
// Purge: the label of sample i spans bars i..i+horizon, so a training sample with
// i + horizon ≥ test.start shares outcome bars with the test window; the last `horizon`
// samples before each test window are removed from its training window.
// Embargo: the `embargo` samples right after a test window have features built from the
// test window's outcomes, so no model scored on that window may train on them. A
// walk-forward training window always ends before its own test window, so the embargo
// never removes a sample from it; each fold still reports its embargoed range for callers
// that refit on later data (and later folds may train on it: their models are scored on
// later windows, which those samples do not leak into).

export type Range = readonly [start: number, end: number];

export interface WalkForwardOptions {
  /** Number of samples. */
  n: number;
  /** Training window length (rolling) or the first training window's length (expanding). */
  trainSize: number;
  /** Test window length; the last test window is cut short at n. */
  testSize: number;
  /** Distance between consecutive test starts; default testSize, never less. */
  step?: number;
  /** rolling: fixed-length training windows; expanding: every training window starts at 0. */
  mode: "rolling" | "expanding";
  /** Label horizon N: the purge length. */
  horizon: number;
  /** Samples after each test window that training must not use. */
  embargo: number;
}

export interface Fold {
  index: number;
  train: Range;
  test: Range;
  /** Removed between train and test: [test.start − horizon, test.start). */
  purged: Range;
  /** [test.end, min(n, test.end + embargo)). */
  embargoed: Range;
}

/**
 * Folds in time order: the first test window starts at trainSize + horizon, the next ones
 * every `step` samples. Throws when the options are invalid or too short for one fold.
 */
export function walkForwardSplits(opts: WalkForwardOptions): Fold[] {
  const { n, trainSize, testSize, mode, horizon, embargo } = opts;
  integer("n", n, 0);
  integer("trainSize", trainSize, 1);
  integer("testSize", testSize, 1);
  integer("horizon", horizon, 0);
  integer("embargo", embargo, 0);
  const step = opts.step ?? testSize;
  integer("step", step, 1);
  if (step < testSize) {
    throw new RangeError(
      `step: must be >= testSize (${testSize}) so test windows do not overlap (got ${step})`,
    );
  }
  if (mode !== "rolling" && mode !== "expanding") {
    throw new RangeError(`mode: expected "rolling" or "expanding" (got ${String(mode)})`);
  }
  const firstTest = trainSize + horizon;
  if (firstTest >= n) {
    throw new RangeError(
      `n=${n} is too short for one fold: trainSize (${trainSize}) + horizon (${horizon}) ` +
        `leaves no sample to test`,
    );
  }
  const folds: Fold[] = [];
  for (let start = firstTest; start < n; start += step) {
    const end = Math.min(n, start + testSize);
    const trainEnd = start - horizon;
    const trainStart = mode === "expanding" ? 0 : trainEnd - trainSize;
    folds.push({
      index: folds.length,
      train: [trainStart, trainEnd],
      test: [start, end],
      purged: [trainEnd, start],
      embargoed: [end, Math.min(n, end + embargo)],
    });
  }
  return folds;
}

/** The test indices of all folds, in time order (the concatenated out-of-sample set). */
export function outOfSampleIndices(folds: readonly Fold[]): number[] {
  const out: number[] = [];
  for (const f of folds) for (let i = f.test[0]; i < f.test[1]; i++) out.push(i);
  return out;
}

function integer(name: string, value: number, min: number): void {
  if (!Number.isSafeInteger(value) || value < min) {
    throw new RangeError(`${name}: expected an integer >= ${min} (got ${value})`);
  }
}
