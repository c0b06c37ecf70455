// The one tf.js instance of the project and its backend switch. Backends (measured under
// Deno 2.9.6, see README.md): "wasm" (tfjs-backend-wasm, SIMD, single thread) trains the GRU
// several times faster than "cpu" (pure JS), but has no Conv2DBackpropFilter kernel, so
// convolutional models train on "cpu". The .wasm binaries are read from the installed
// package folder, never fetched.
import * as tf from "@tensorflow/tfjs";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import { fileURLToPath } from "node:url";

export { tf };

export const TF_BACKENDS = ["wasm", "cpu"] as const;
export type TfBackendName = typeof TF_BACKENDS[number];

/** Folder (with trailing slash) holding the tfjs-backend-wasm .wasm files. */
export function tfWasmDir(): string {
  return fileURLToPath(new URL("./", import.meta.resolve("@tensorflow/tfjs-backend-wasm")));
}

let wasmPathsSet = false;

/** Makes `name` the active tf.js backend; tensors and variables move with it on use. */
export async function useTfBackend(name: TfBackendName): Promise<void> {
  if (!TF_BACKENDS.includes(name)) {
    throw new Error(
      `useTfBackend: unknown backend '${String(name)}' (accepted: ${TF_BACKENDS.join(", ")})`,
    );
  }
  if (name === "wasm" && !wasmPathsSet) {
    setWasmPaths(tfWasmDir());
    wasmPathsSet = true;
  }
  if (tf.getBackend() === name) return;
  const ok = await tf.setBackend(name);
  if (!ok || tf.getBackend() !== name) {
    throw new Error(`useTfBackend: tf.js could not initialise the '${name}' backend`);
  }
}

// tf.js would otherwise pick the highest-priority registered backend (wasm) lazily and fail
// on the first synchronous call before it is ready; "cpu" is always available. train()
// switches to the backend it needs.
await useTfBackend("cpu");
