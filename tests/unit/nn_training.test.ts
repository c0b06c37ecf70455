// tf.js training under Deno: a GRU learns a planted signal on the WASM backend, training is
// reproducible from its seed, CNNs are routed to the CPU backend, and bad input is refused.
import assert from "node:assert/strict";
import {
  buildCnnClassifier,
  buildGruClassifier,
  predictWithTf,
  sliceWindows,
  train,
  trainingBackendFor,
} from "../../shared/nn/mod.ts";
import { syntheticWindows } from "./nn_fixtures.ts";

const STEPS = 12;
const FEATURES = 3;
const OPTS = { epochs: 2, batchSize: 32, seed: 11, learningRate: 0.02 };

Deno.test("GRU trains on wasm, its loss falls and it beats the majority class out of sample", async () => {
  const { x, labels } = syntheticWindows(700, STEPS, FEATURES, 1);
  const model = buildGruClassifier({ steps: STEPS, features: FEATURES, units: 16, seed: 3 });
  const report = await train(model, sliceWindows(x, 0, 500), labels.slice(0, 500), {
    ...OPTS,
    epochs: 6,
  });
  assert.equal(report.backend, "wasm");
  assert.equal(report.lossPerEpoch.length, 6);
  const [first, last] = [report.lossPerEpoch[0], report.lossPerEpoch[5]];
  assert.ok(last < first * 0.8, `loss should fall: ${report.lossPerEpoch.join(", ")}`);
  const probs = predictWithTf(model, sliceWindows(x, 500, 700));
  const test = labels.slice(500);
  let hits = 0;
  const counts = [0, 0, 0];
  for (let i = 0; i < test.length; i++) {
    const p = probs.subarray(i * 3, i * 3 + 3);
    if (p.indexOf(Math.max(...p)) === test[i]) hits++;
    counts[test[i]]++;
  }
  const accuracy = hits / test.length;
  const majority = Math.max(...counts) / test.length;
  console.log(
    `GRU wasm: ms/epoch ${report.msPerEpoch.map((m) => m.toFixed(0)).join(", ")} ` +
      `(500 windows [${STEPS}, ${FEATURES}], batch 32); accuracy ${accuracy} vs majority ${majority}`,
  );
  assert.ok(accuracy > majority + 0.1, `accuracy ${accuracy} vs majority ${majority}`);
});

Deno.test("training is reproducible from the seed, and another seed gives other weights", async () => {
  const { x, labels } = syntheticWindows(96, STEPS, FEATURES, 2);
  const run = async (seed: number) => {
    const model = buildGruClassifier({ steps: STEPS, features: FEATURES, units: 8, seed });
    const r = await train(model, x, labels, { ...OPTS, seed });
    return { losses: r.lossPerEpoch, out: predictWithTf(model, sliceWindows(x, 0, 8)) };
  };
  const a = await run(5);
  const b = await run(5);
  const c = await run(6);
  assert.deepEqual(a.losses, b.losses);
  assert.deepEqual([...a.out], [...b.out]);
  assert.notDeepEqual([...a.out], [...c.out]);
});

Deno.test("CNN trains on cpu by default; asking for wasm is refused with the reason", async () => {
  const { x, labels } = syntheticWindows(64, STEPS, 5, 3);
  const cnn = buildCnnClassifier({ steps: STEPS, seed: 1 });
  assert.equal(trainingBackendFor(cnn), "cpu");
  assert.equal(trainingBackendFor(buildGruClassifier({ steps: 4, features: 2, seed: 1 })), "wasm");
  await assert.rejects(
    train(cnn, x, labels, { ...OPTS, backend: "wasm" }),
    /no Conv2DBackpropFilter kernel\); use backend "cpu"/,
  );
  const r = await train(cnn, x, labels, { ...OPTS, epochs: 1 });
  assert.equal(r.backend, "cpu");
  assert.ok(Number.isFinite(r.lossPerEpoch[0]));
});

Deno.test("train refuses bad options, labels and window shapes, naming what is wrong", async () => {
  const { x, labels } = syntheticWindows(10, STEPS, FEATURES, 4);
  const model = buildGruClassifier({ steps: STEPS, features: FEATURES, units: 4, seed: 1 });
  await assert.rejects(
    train(model, x, labels, { ...OPTS, epochs: 0 }),
    /epochs must be a positive/,
  );
  await assert.rejects(train(model, x, labels, { ...OPTS, batchSize: 2.5 }), /batchSize must be/);
  await assert.rejects(train(model, x, labels, { ...OPTS, learningRate: 0 }), /learningRate/);
  await assert.rejects(train(model, x, labels, { ...OPTS, seed: 0.5 }), /seed must be a safe/);
  await assert.rejects(train(model, x, labels.slice(1), OPTS), /9 labels for 10 windows/);
  const bad = Int32Array.from(labels);
  bad[3] = 3;
  await assert.rejects(train(model, x, bad, OPTS), /label 3 is 3, expected an integer in 0..2/);
  const other = syntheticWindows(10, STEPS, FEATURES + 1, 4).x;
  await assert.rejects(train(model, other, labels, OPTS), /takes windows of \[12, 3\]/);
  await assert.rejects(train(model, sliceWindows(x, 0, 0), [], OPTS), /no windows/);
  assert.throws(() => buildGruClassifier({ steps: 0, features: 2, seed: 1 }), /steps must be/);
  assert.throws(
    () => buildCnnClassifier({ steps: 2, kernelSize: 3, seed: 1 }),
    /kernelSize 3 exceeds steps 2/,
  );
});
