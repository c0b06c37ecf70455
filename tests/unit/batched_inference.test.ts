// Batched inference of the learned trend (GRU) and pattern (CNN) cores: the bars of several
// S&P 500 stocks (../shared/data/sp500_daily) that close together go through ONE model run,
// and every signal equals, bit for bit, the one-bar-at-a-time path, whatever the grouping.
import assert from "node:assert/strict";
import fc from "fast-check";
import { createLearnedTrendCore } from "../../agents/trend/mod.ts";
import { createPatternCore } from "../../agents/pattern/mod.ts";
import type { AsyncAgentCore, Output } from "../../agents/runtime/core.ts";
import { loadReplayBars } from "../../agents/feed/runner.ts";
import { barEnvelope } from "../../shared/messages/mod.ts";
import { devDataPath } from "../../shared/data/mod.ts";
import type { AnyEnvelope, DirectionSignal } from "../../shared/messages/mod.ts";
import { OnnxModel } from "../../shared/nn/onnx_model.ts";
import { clockSteps } from "../bench/pipeline_phases.ts";
import { trainedOnSpy } from "./train_nn_fixtures.ts";

const SYMBOLS = ["AAPL", "MSFT", "JPM", "XOM", "KO", "PFE"];
const STEPS = 90;

let bars: Promise<AnyEnvelope[][]> | null = null;
/** The first STEPS clock steps from 2010 of six stocks: one bar envelope per symbol each. */
function stockSteps(): Promise<AnyEnvelope[][]> {
  bars ??= (async () => {
    const paths = SYMBOLS.map((s) => devDataPath(`sp500_daily/${s}.csv.gz`));
    const loaded = await loadReplayBars({ paths, timeframe: null, speed: "max" }, "drop");
    const from = Date.parse("2010-01-01T00:00:00Z");
    const steps = clockSteps(loaded.bars.filter((b) => b.time >= from)).slice(0, STEPS);
    let seq = 0;
    return steps.map((step) => step.map((b) => barEnvelope(b, seq++)));
  })();
  return bars;
}

/** A model whose predict calls are recorded (batch size of each), answering as the real one. */
function countingModel(model: OnnxModel): { model: OnnxModel; batches: number[] } {
  const batches: number[] = [];
  const spy = Object.create(model) as OnnxModel;
  spy.predict = (batch: Float32Array, shape: readonly number[]) => {
    batches.push(shape[0]);
    return model.predict(batch, shape);
  };
  return { model: spy, batches };
}

type Kind = "trend" | "pattern";

async function coreFor(kind: Kind, model?: OnnxModel): Promise<AsyncAgentCore<unknown>> {
  const trained = await trainedOnSpy(kind);
  const m = model ?? trained.model;
  const core = kind === "trend"
    ? createLearnedTrendCore({ model: m, card: trained.card })
    : createPatternCore({ model: m, card: trained.card });
  return core as AsyncAgentCore<unknown>;
}

/** Outputs of `step` folded over the messages, one list per message. */
async function oneByOne(core: AsyncAgentCore<unknown>, msgs: AnyEnvelope[]): Promise<Output[][]> {
  let state = core.init();
  const out: Output[][] = [];
  for (const m of msgs) {
    const s = await core.step(state, m, 0);
    state = s.state;
    out.push(s.out);
  }
  return out;
}

/** Outputs of `stepBatch` over consecutive groups of the given sizes. */
async function inGroups(
  core: AsyncAgentCore<unknown>,
  msgs: AnyEnvelope[],
  sizes: number[],
): Promise<Output[][]> {
  let state = core.init();
  const out: Output[][] = [];
  let i = 0;
  for (const size of sizes) {
    const s = await core.stepBatch!(state, msgs.slice(i, i + size), 0);
    state = s.state;
    out.push(...s.out);
    i += size;
  }
  assert.equal(i, msgs.length, "the group sizes must cover every message");
  return out;
}

const probsOf = (out: Output[][]) =>
  out.flat().map((o) => {
    assert.equal(o.msg.type, "signal");
    const s = o.msg.data as DirectionSignal;
    return [s.probs.down, s.probs.flat, s.probs.up];
  });

/** Signals that came from the model (a model output is never exactly uniform). */
const modelSignals = (out: Output[][]) =>
  out.flat().filter((o) => (o.msg.data as DirectionSignal).confidence > 0).length;

function maxDiff(a: number[][], b: number[][]): number {
  assert.equal(a.length, b.length);
  let m = 0;
  a.forEach((row, i) => row.forEach((v, c) => (m = Math.max(m, Math.abs(v - b[i][c])))));
  return m;
}

for (const kind of ["trend", "pattern"] as const) {
  Deno.test(`${kind}: the bars of one clock step run as one batch, equal to one at a time`, async () => {
    const steps = await stockSteps();
    const msgs = steps.flat();
    const single = countingModel((await trainedOnSpy(kind)).model);
    const reference = await oneByOne(await coreFor(kind, single.model), msgs);
    const counted = countingModel((await trainedOnSpy(kind)).model);
    const batched = await inGroups(
      await coreFor(kind, counted.model),
      msgs,
      steps.map((s) => s.length),
    );
    // One model run per clock step with a full window, over all of that step's full windows
    // (the one-at-a-time path ran one single-window model call per full window).
    assert.ok(single.batches.every((n) => n === 1));
    const windowsPerStep: number[] = [];
    let seen = 0;
    for (const step of steps) {
      seen += step.length;
      const signals = reference.slice(seen - step.length, seen).flat();
      const full = modelSignals([signals]);
      if (full > 0) windowsPerStep.push(full);
    }
    assert.deepEqual(counted.batches, windowsPerStep);
    assert.equal(counted.batches.reduce((a, b) => a + b, 0), single.batches.length);
    assert.ok(counted.batches.filter((n) => n === SYMBOLS.length).length >= 30);
    // Same messages (ids, order, payload) and probabilities within 1e-6; in fact bit-equal.
    assert.equal(reference.length, msgs.length);
    assert.ok(maxDiff(probsOf(reference), probsOf(batched)) <= 1e-6);
    assert.deepEqual(batched, reference);
    const signals = reference.flat().map((o) => o.msg.data as DirectionSignal);
    assert.ok(signals.some((s) => s.confidence > 0), "some signals come from the model");
  });

  Deno.test(`${kind}: any grouping of the bars gives the same signals (fast-check)`, async () => {
    const msgs = (await stockSteps()).flat();
    const reference = await oneByOne(await coreFor(kind), msgs);
    assert.ok(modelSignals(reference) > 100);
    const core = await coreFor(kind);
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 50 }), { maxLength: 40 }),
        async (raw) => {
          const sizes: number[] = [];
          let left = msgs.length;
          for (const n of raw) {
            if (left === 0) break;
            sizes.push(Math.min(n, left));
            left -= sizes[sizes.length - 1];
          }
          if (left > 0) sizes.push(left);
          assert.deepEqual(await inGroups(core, msgs, sizes), reference);
        },
      ),
      { numRuns: 12, seed: 42 },
    );
  });

  Deno.test(`${kind}: a batch with redeliveries and repeats answers like one at a time`, async () => {
    const msgs = (await stockSteps()).flat();
    // Redeliveries inside a batch and the same symbol several times in one batch.
    const mixed = [...msgs.slice(0, 450), msgs[449], msgs[20], ...msgs.slice(450)];
    const reference = await oneByOne(await coreFor(kind), mixed);
    assert.deepEqual(reference[450], []);
    assert.deepEqual(reference[451], []);
    assert.ok(modelSignals(reference.slice(400)) > 50);
    assert.deepEqual(
      await inGroups(await coreFor(kind), mixed, [100, 345, 60, mixed.length - 505]),
      reference,
    );
  });

  Deno.test(`${kind}: a bad message fails the whole batch with the one-at-a-time error`, async () => {
    const msgs = (await stockSteps()).flat().slice(0, 12);
    const m = msgs[3];
    const hourly = { ...m, data: { ...(m.type === "bar" ? m.data : {}), timeframe: "1h" } };
    const core = await coreFor(kind);
    await assert.rejects(
      core.stepBatch!(core.init(), [...msgs.slice(0, 3), hourly as AnyEnvelope], 0),
      new RegExp(`${kind}: bar \\w+@\\d+ has timeframe '1h'`),
    );
  });
}
