// Shared helpers of the nn_* tests: seeded synthetic windows with a learnable signal, the
// real SPY daily candles (../shared/data/etf_daily), output comparison, ONNX tampering and
// latency percentiles.
import { Prng } from "../../shared/econometrics/prng.ts";
import { decodeModel, onnx } from "../../shared/nn/onnx_builder.ts";
import { type Candle, type WindowBatch, windowBatch } from "../../shared/nn/mod.ts";
import { nearestRank } from "../bench/pipeline_percentile.ts";

/**
 * Windows of standard-normal features; the label is the sign, with a dead zone, of the sum
 * of feature 0 over the last four steps: 0 (down) < -1 ≤ 1 (flat) ≤ 1 < 2 (up).
 */
export function syntheticWindows(
  n: number,
  steps: number,
  features: number,
  seed: number,
): { x: WindowBatch; labels: Int32Array } {
  const rng = new Prng(seed);
  const data = new Float32Array(n * steps * features);
  for (let i = 0; i < data.length; i++) data[i] = rng.nextNormal();
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let t = steps - 4; t < steps; t++) s += data[(i * steps + t) * features];
    labels[i] = s < -1 ? 0 : s > 1 ? 2 : 1;
  }
  return { x: windowBatch(data, [n, steps, features]), labels };
}

export function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw new Error(`maxAbsDiff: lengths ${a.length} and ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

export interface DatedCandle extends Candle {
  readonly date: string;
}

/** SPY daily candles from the yfinance export (3-line header; Close,High,Low,Open,Volume). */
export async function readSpyCandles(): Promise<DatedCandle[]> {
  const url = new URL("../../../shared/data/etf_daily/SPY.csv", import.meta.url);
  const lines = (await Deno.readTextFile(url)).trim().split(/\r?\n/);
  if (lines[0] !== "Price,Close,High,Low,Open,Volume") {
    throw new Error(`SPY.csv: unexpected header '${lines[0]}'`);
  }
  return lines.slice(3).map((line, i) => {
    const [date, close, high, low, open, volume] = line.split(",");
    const c = {
      date,
      open: Number(open),
      high: Number(high),
      low: Number(low),
      close: Number(close),
      volume: Number(volume),
    };
    if (![c.open, c.high, c.low, c.close, c.volume].every(Number.isFinite)) {
      throw new Error(`SPY.csv: row ${i + 4} is not numeric: ${line}`);
    }
    return c;
  });
}

/** Rewrites the float values of one initialiser of an ONNX model (for wrong-export tests). */
export function tamperInitializer(
  bytes: Uint8Array,
  name: string,
  change: (values: Float32Array, dims: number[]) => Float32Array,
): Uint8Array {
  const model = decodeModel(bytes);
  const init = model.graph?.initializer?.find((t) => t.name === name);
  if (!init) throw new Error(`tamperInitializer: no initializer '${name}'`);
  const dims = (init.dims ?? []).map(Number);
  init.floatData = Array.from(change(Float32Array.from(init.floatData ?? []), dims));
  return onnx.ModelProto.encode(model).finish();
}

export interface Latency {
  readonly p50: number;
  readonly p99: number;
  readonly n: number;
}

/** Nearest-rank p50/p99 of `runs` sequential calls, in milliseconds. */
export async function measureLatency(runs: number, call: () => Promise<unknown>): Promise<Latency> {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await call();
    samples.push(performance.now() - t0);
  }
  return { p50: nearestRank(samples, 50), p99: nearestRank(samples, 99), n: runs };
}
