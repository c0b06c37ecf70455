// A batch of fixed-length windows, stored row-major as [windows, steps, features] float32:
// the one layout shared by training (tf.js), export and inference (onnxruntime-web).

export interface WindowBatch {
  readonly data: Float32Array;
  /** [windows, steps, features]. */
  readonly shape: readonly [number, number, number];
}

function positiveInt(x: number, what: string): void {
  if (!Number.isSafeInteger(x) || x <= 0) {
    throw new Error(`${what} must be a positive integer (got ${String(x)})`);
  }
}

/** Validates and wraps window data; non-finite values are refused, naming the position. */
export function windowBatch(data: Float32Array, shape: readonly number[]): WindowBatch {
  if (!(data instanceof Float32Array)) {
    throw new Error("windowBatch: data must be a Float32Array");
  }
  if (shape.length !== 3) {
    throw new Error(
      `windowBatch: shape must be [windows, steps, features] (got [${shape.join(", ")}])`,
    );
  }
  const [n, k, f] = shape;
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new Error(`windowBatch: windows must be a non-negative integer (got ${String(n)})`);
  }
  positiveInt(k, "windowBatch: steps");
  positiveInt(f, "windowBatch: features");
  if (data.length !== n * k * f) {
    throw new Error(
      `windowBatch: data has ${data.length} values but shape [${n}, ${k}, ${f}] needs ${n * k * f}`,
    );
  }
  const bad = data.findIndex((v) => !Number.isFinite(v));
  if (bad !== -1) {
    const w = Math.floor(bad / (k * f));
    const s = Math.floor((bad % (k * f)) / f);
    throw new Error(
      `windowBatch: value at window ${w}, step ${s}, feature ${bad % f} is ${data[bad]}`,
    );
  }
  return { data, shape: [n, k, f] };
}

/** Windows start..end-1 (end exclusive); shares no memory with the input. */
export function sliceWindows(batch: WindowBatch, start: number, end: number): WindowBatch {
  const [n, k, f] = batch.shape;
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end > n) {
    throw new Error(`sliceWindows: range [${start}, ${end}) is outside 0..${n}`);
  }
  if (end < start) throw new Error(`sliceWindows: end ${end} is before start ${start}`);
  const size = k * f;
  return { data: batch.data.slice(start * size, end * size), shape: [end - start, k, f] };
}

/** The windows at the given indices, in that order (used for seeded batch shuffling). */
export function gatherWindows(batch: WindowBatch, indices: ArrayLike<number>): WindowBatch {
  const [n, k, f] = batch.shape;
  const size = k * f;
  const out = new Float32Array(indices.length * size);
  for (let i = 0; i < indices.length; i++) {
    const idx = indices[i];
    if (!Number.isSafeInteger(idx) || idx < 0 || idx >= n) {
      throw new Error(
        `gatherWindows: index ${String(idx)} at position ${i} is outside 0..${n - 1}`,
      );
    }
    out.set(batch.data.subarray(idx * size, (idx + 1) * size), i * size);
  }
  return { data: out, shape: [indices.length, k, f] };
}

/**
 * Sliding windows over a row-major [rows, features] matrix: window j holds rows
 * j..j+steps-1, so it ends at row j+steps-1 and uses nothing after it.
 */
export function slidingWindows(
  rows: Float32Array,
  features: number,
  steps: number,
): WindowBatch {
  positiveInt(features, "slidingWindows: features");
  positiveInt(steps, "slidingWindows: steps");
  if (rows.length % features !== 0) {
    throw new Error(
      `slidingWindows: ${rows.length} values is not a whole number of rows of ${features}`,
    );
  }
  const count = rows.length / features;
  const n = Math.max(0, count - steps + 1);
  const size = steps * features;
  const out = new Float32Array(n * size);
  for (let j = 0; j < n; j++) out.set(rows.subarray(j * features, j * features + size), j * size);
  return windowBatch(out, [n, steps, features]);
}
