// Fixed-size windows over the newest values and the statistics computed on them. Each
// statistic is recomputed from the window (no running sums), so nothing drifts over a long
// stream and a value depends only on the values inside its window.

export class RollingWindow {
  readonly #buf: number[];
  #start = 0;
  #count = 0;

  constructor(readonly size: number) {
    if (!Number.isInteger(size) || size < 1) {
      throw new RangeError(`RollingWindow size: expected an integer >= 1 (got ${size})`);
    }
    this.#buf = new Array<number>(size);
  }

  push(value: number): void {
    if (this.#count < this.size) {
      this.#buf[(this.#start + this.#count) % this.size] = value;
      this.#count++;
    } else {
      this.#buf[this.#start] = value;
      this.#start = (this.#start + 1) % this.size;
    }
  }

  get length(): number {
    return this.#count;
  }

  get full(): boolean {
    return this.#count === this.size;
  }

  /** Oldest first. */
  values(): number[] {
    const out = new Array<number>(this.#count);
    for (let i = 0; i < this.#count; i++) out[i] = this.#buf[(this.#start + i) % this.size];
    return out;
  }
}

export function mean(xs: readonly number[]): number {
  if (xs.length === 0) throw new RangeError("mean: empty sample");
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}

/** Sample standard deviation (n - 1 denominator), two-pass for accuracy. */
export function sampleStdDev(xs: readonly number[]): number {
  if (xs.length < 2) throw new RangeError(`sampleStdDev: need >= 2 values (got ${xs.length})`);
  const m = mean(xs);
  let ss = 0;
  for (const x of xs) ss += (x - m) * (x - m);
  return Math.sqrt(ss / (xs.length - 1));
}

/**
 * Mid-rank percentile of `x` within `xs` (which should contain x): (below + equal / 2) / n,
 * in (0, 1); ties share a rank so a constant sample ranks every value at 0.5.
 */
export function percentileRank(xs: readonly number[], x: number): number {
  if (xs.length === 0) throw new RangeError("percentileRank: empty sample");
  let below = 0;
  let equal = 0;
  for (const v of xs) {
    if (v < x) below++;
    else if (v === x) equal++;
  }
  return (below + equal / 2) / xs.length;
}
