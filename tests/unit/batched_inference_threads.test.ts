// onnxruntime-web's thread count: "auto" (the default) follows onnxruntime-web's own rule,
// min(4, ⌈cores / 2⌉) with shared memory, 1 without; the count in force is reported.
import assert from "node:assert/strict";
import {
  autoThreadCount,
  configureOrt,
  ortThreads,
  resolveThreadCount,
} from "../../shared/nn/ort_runtime.ts";
import { buildCnnClassifier, exportCnnToOnnx, OnnxModel } from "../../shared/nn/mod.ts";

Deno.test("ort threads: auto is min(4, ⌈cores/2⌉) with shared memory, else 1", () => {
  assert.deepEqual(
    [1, 2, 3, 4, 6, 8, 16, 64].map((c) => autoThreadCount(c, true)),
    [1, 1, 2, 2, 3, 4, 4, 4],
  );
  assert.equal(autoThreadCount(8, false), 1);
  assert.equal(autoThreadCount(Number.NaN, true), 1);
  assert.equal(autoThreadCount(0, true), 1);
  const auto = resolveThreadCount("auto");
  assert.equal(auto, autoThreadCount(navigator.hardwareConcurrency, true));
  assert.equal(resolveThreadCount(3), 3);
  assert.throws(() => resolveThreadCount(0), /integer in 1..64 or "auto"/);
  assert.throws(() => resolveThreadCount(1.5), /integer in 1..64 or "auto"/);
});

Deno.test("ort threads: the first session fixes the count; later loads keep it", async () => {
  const bytes = exportCnnToOnnx(buildCnnClassifier({ steps: 8, seed: 1 }));
  const first = await OnnxModel.load(bytes);
  const threads = ortThreads();
  assert.ok(threads !== null && threads >= 1 && threads <= resolveThreadCount("auto"));
  // Unset keeps what is configured; "auto" and the same count agree with it; another is refused.
  configureOrt();
  configureOrt({ numThreads: "auto" });
  const second = await OnnxModel.load(bytes, { numThreads: resolveThreadCount("auto") });
  assert.throws(
    () => configureOrt({ numThreads: resolveThreadCount("auto") + 1 }),
    /already runs with numThreads=\d+; it cannot change to \d+/,
  );
  assert.equal(ortThreads(), threads);
  await first.release();
  await second.release();
});
