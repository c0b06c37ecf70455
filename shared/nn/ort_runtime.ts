// onnxruntime-web configuration: the WASM backend, its .wasm/.mjs read from the installed
// package's dist folder (never a CDN), and the thread count.
import * as ort from "onnxruntime-web";

export { ort };

/** URL (with trailing slash) of onnxruntime-web's dist folder in the npm cache. */
export function ortWasmDir(): string {
  const entry = import.meta.resolve("onnxruntime-web");
  if (!entry.startsWith("file:")) {
    throw new Error(`ortWasmDir: onnxruntime-web resolved to '${entry}', not a local file`);
  }
  return new URL("./", entry).href;
}

export interface OrtOptions {
  /**
   * WASM threads: a count (1 disables the worker pool) or "auto", the default: as many as
   * `autoThreadCount` gives for this machine. Left out once onnxruntime-web is configured,
   * it keeps the configured count.
   */
  readonly numThreads?: number | "auto";
}

/**
 * onnxruntime-web's own default, min(4, ⌈cores / 2⌉), when the runtime has shared memory for
 * WASM threads; 1 without it. Half the cores because the inference runs beside the other
 * agents' workers; on the 2-core development machine this is 1, where 2 threads measured
 * slower for these small models (README.md).
 */
export function autoThreadCount(cores: number, sharedMemory: boolean): number {
  if (!Number.isFinite(cores) || cores < 1 || !sharedMemory) return 1;
  return Math.min(4, Math.ceil(cores / 2));
}

const hasSharedMemory = (): boolean => typeof SharedArrayBuffer === "function";

/** The count `numThreads` asks for on this machine. */
export function resolveThreadCount(numThreads: number | "auto"): number {
  const n = numThreads === "auto"
    ? autoThreadCount(navigator.hardwareConcurrency, hasSharedMemory())
    : numThreads;
  if (!Number.isSafeInteger(n) || n < 1 || n > 64) {
    throw new Error(
      `configureOrt: numThreads must be an integer in 1..64 or "auto" (got ${String(n)})`,
    );
  }
  return n;
}

let configured: { numThreads: number } | null = null;

/**
 * Sets ort.env once, before the first session. onnxruntime-web reads the WASM settings when
 * it initialises, so a later call asking for a different thread count is refused rather
 * than silently ignored.
 */
export function configureOrt(opts: OrtOptions = {}): void {
  if (opts.numThreads === undefined && configured !== null) return;
  const numThreads = resolveThreadCount(opts.numThreads ?? "auto");
  if (configured !== null) {
    if (configured.numThreads !== numThreads) {
      throw new Error(
        `configureOrt: onnxruntime-web already runs with numThreads=${configured.numThreads}; ` +
          `it cannot change to ${numThreads} in the same process`,
      );
    }
    return;
  }
  ort.env.wasm.wasmPaths = ortWasmDir();
  ort.env.wasm.numThreads = numThreads;
  ort.env.logLevel = "error";
  configured = { numThreads };
}

/**
 * The thread count inference runs with: null before the first session; after it, what
 * onnxruntime-web settled on (it falls back to 1 when WASM threads turn out unsupported).
 */
export function ortThreads(): number | null {
  return configured === null ? null : ort.env.wasm.numThreads ?? configured.numThreads;
}
