// OnnxModel (onnxruntime-web, WASM): loading from bytes and from a file, batched predict
// equal to one-at-a-time predict, refusal of bad input, and latency per window for batch
// sizes 1 and 46 (the S&P 500 universe of ../shared/data/sp500_daily).
import assert from "node:assert/strict";
import {
  buildCnnClassifier,
  buildGruClassifier,
  configureOrt,
  exportCnnToOnnx,
  exportGruToOnnx,
  OnnxModel,
  ortWasmDir,
  predictWithTf,
  sliceWindows,
} from "../../shared/nn/mod.ts";
import { maxAbsDiff, measureLatency, syntheticWindows } from "./nn_fixtures.ts";

const STEPS = 30;
const FEATURES = 8;

Deno.test("onnxruntime-web's wasm is read from the installed package folder", async () => {
  const dir = ortWasmDir();
  assert.match(dir, /^file:.*onnxruntime-web.*\/dist\/$/);
  const wasm = await Deno.stat(new URL("ort-wasm-simd-threaded.wasm", dir));
  assert.ok(wasm.isFile && wasm.size > 1_000_000);
});

Deno.test("a model loads from a file path and answers like the same bytes", async () => {
  const model = buildGruClassifier({ steps: STEPS, features: FEATURES, units: 8, seed: 2 });
  const bytes = exportGruToOnnx(model);
  const path = await Deno.makeTempFile({ suffix: ".onnx" });
  try {
    await Deno.writeFile(path, bytes);
    const fromFile = await OnnxModel.load(path);
    const fromBytes = await OnnxModel.load(bytes, { warmUp: false });
    try {
      const { x } = syntheticWindows(5, STEPS, FEATURES, 1);
      const a = await fromFile.predictWindows(x);
      assert.deepEqual([...a], [...await fromBytes.predictWindows(x)]);
      assert.ok(maxAbsDiff(a, predictWithTf(model, x)) <= 1e-5);
      assert.equal(fromFile.inputName, "input");
      assert.equal(fromFile.outputName, "probabilities");
    } finally {
      await fromFile.release();
      await fromBytes.release();
    }
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("a batch of 46 gives the same rows as 46 single-window calls", async () => {
  const model = buildCnnClassifier({ steps: STEPS, seed: 3 });
  const onnxModel = await OnnxModel.load(exportCnnToOnnx(model));
  try {
    const { x } = syntheticWindows(46, STEPS, 5, 4);
    const batched = await onnxModel.predictWindows(x);
    for (let i = 0; i < 46; i++) {
      const one = await onnxModel.predictWindows(sliceWindows(x, i, i + 1));
      assert.ok(maxAbsDiff(one, batched.subarray(i * 3, i * 3 + 3)) <= 1e-6, `window ${i}`);
    }
    // Concurrent calls are serialised, each getting its own answer.
    const [p, q] = await Promise.all([
      onnxModel.predictWindows(sliceWindows(x, 0, 1)),
      onnxModel.predictWindows(sliceWindows(x, 1, 2)),
    ]);
    assert.ok(maxAbsDiff(p, batched.subarray(0, 3)) <= 1e-6);
    assert.ok(maxAbsDiff(q, batched.subarray(3, 6)) <= 1e-6);
    // The input is copied at call time: changing it while the call is queued has no effect.
    const mine = sliceWindows(x, 2, 3);
    const pending = onnxModel.predictWindows(mine);
    mine.data.fill(5);
    assert.ok(maxAbsDiff(await pending, batched.subarray(6, 9)) <= 1e-6);
  } finally {
    await onnxModel.release();
  }
});

Deno.test("predict refuses wrong shapes, lengths and non-finite values; load refuses junk", async () => {
  const bytes = exportGruToOnnx(buildGruClassifier({ steps: 4, features: 2, units: 3, seed: 1 }));
  const onnxModel = await OnnxModel.load(bytes, { expectSampleDims: [4, 2] });
  try {
    await assert.rejects(
      onnxModel.predict(new Float32Array(8), [1, 2, 4]),
      /shape \[1, 2, 4\] does not match \[n>=1, 4, 2\]/,
    );
    await assert.rejects(onnxModel.predict(new Float32Array(8), [0, 4, 2]), /does not match/);
    await assert.rejects(
      onnxModel.predict(new Float32Array(7), [1, 4, 2]),
      /batch has 7 values, shape \[1, 4, 2\] needs 8/,
    );
    const nan = new Float32Array(8);
    nan[6] = Number.NaN;
    await assert.rejects(onnxModel.predict(nan, [1, 4, 2]), /input value 6 is NaN/);
    // The model still answers after refused calls.
    assert.equal((await onnxModel.predict(new Float32Array(8), [1, 4, 2])).length, 3);
  } finally {
    await onnxModel.release();
  }
  await assert.rejects(onnxModel.predict(new Float32Array(8), [1, 4, 2]), /was released/);
  await assert.rejects(
    OnnxModel.load(bytes, { expectSampleDims: [30, 8] }),
    /takes input \[batch, 4, 2\] but \[batch, 30, 8\] was expected/,
  );
  await assert.rejects(OnnxModel.load(new Uint8Array([1, 2, 3, 4])), /not an ONNX model/);
  await assert.rejects(OnnxModel.load("/nonexistent/model.onnx"), /cannot read ONNX model/);
  assert.throws(() => configureOrt({ numThreads: 64 }), /already runs with numThreads=\d+;/);
  assert.throws(() => configureOrt({ numThreads: 0 }), /numThreads must be an integer in 1..64/);
});

Deno.test("latency per window, batch 1 and batch 46 (GRU 16 and CNN 8 over 30 steps)", async () => {
  const gru = await OnnxModel.load(
    exportGruToOnnx(buildGruClassifier({ steps: STEPS, features: FEATURES, seed: 5 })),
  );
  const cnn = await OnnxModel.load(exportCnnToOnnx(buildCnnClassifier({ steps: STEPS, seed: 5 })));
  try {
    for (const [name, model, features] of [["GRU", gru, FEATURES], ["CNN", cnn, 5]] as const) {
      for (const batch of [1, 46]) {
        const { x } = syntheticWindows(batch, STEPS, features, batch);
        const lat = await measureLatency(200, () => model.predictWindows(x));
        console.log(
          `${name} batch ${batch}: p50 ${lat.p50.toFixed(3)} ms, p99 ${lat.p99.toFixed(3)} ms ` +
            `per call (${(lat.p50 / batch).toFixed(4)} ms per window at p50), n=${lat.n}`,
        );
        assert.ok(lat.p50 > 0 && lat.p99 >= lat.p50 && Number.isFinite(lat.p99));
      }
    }
  } finally {
    await gru.release();
    await cnn.release();
  }
});
