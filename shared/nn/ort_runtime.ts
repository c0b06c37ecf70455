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
  /** WASM threads; 1 disables the worker pool. Default 1 (see README.md for measurements). */
  readonly numThreads?: number;
}

let configured: { numThreads: number } | null = null;

/**
 * Sets ort.env once, before the first session. onnxruntime-web reads the WASM settings when
 * it initialises, so a later call asking for a different thread count is refused rather
 * than silently ignored.
 */
export function configureOrt(opts: OrtOptions = {}): void {
  const numThreads = opts.numThreads ?? 1;
  if (!Number.isSafeInteger(numThreads) || numThreads < 1 || numThreads > 64) {
    throw new Error(
      `configureOrt: numThreads must be an integer in 1..64 (got ${String(numThreads)})`,
    );
  }
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
