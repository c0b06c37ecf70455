// Batched against one-by-one inference for the bars of N symbols that close together: per
// clock step, the learned core's `stepBatch` over all of the step's bars (one model run)
// against `step` bar by bar (N runs), on two copies of the core fed the same bars. The
// signals of both must be identical; the time is per clock step.
import type { AsyncAgentCore, Output } from "../../agents/runtime/core.ts";
import type { AnyEnvelope } from "../../shared/messages/mod.ts";

export interface BatchComparison {
  /** ms per clock step, one entry per measured step. */
  oneByOne: number[];
  batched: number[];
  /** Bars per clock step (min..max). */
  barsPerStep: { min: number; max: number };
  /** Steps whose outputs differed between the two paths (must be 0). */
  mismatches: number;
}

const same = (a: Output[][], b: Output[][]) => JSON.stringify(a) === JSON.stringify(b);

export async function compareBatching(
  makeCore: () => AsyncAgentCore<unknown>,
  steps: readonly AnyEnvelope[][],
  warmupSteps: number,
): Promise<BatchComparison> {
  const single = makeCore();
  const batch = makeCore();
  if (batch.stepBatch === undefined) throw new Error(`${batch.name}: the core has no stepBatch`);
  let s1 = single.init();
  let s2 = batch.init();
  const r: BatchComparison = {
    oneByOne: [],
    batched: [],
    barsPerStep: { min: Infinity, max: 0 },
    mismatches: 0,
  };
  for (const [i, step] of steps.entries()) {
    // Alternate which path goes first, so neither always runs on a warmer cache.
    const order = i % 2 === 0 ? ["single", "batch"] : ["batch", "single"];
    let outSingle: Output[][] = [];
    let outBatch: Output[][] = [];
    let tSingle = 0;
    let tBatch = 0;
    for (const which of order) {
      const t0 = performance.now();
      if (which === "single") {
        for (const m of step) {
          const s = await single.step(s1, m, 0);
          s1 = s.state;
          outSingle.push(s.out);
        }
        tSingle = performance.now() - t0;
      } else {
        const s = await batch.stepBatch(s2, step, 0);
        s2 = s.state;
        outBatch = s.out;
        tBatch = performance.now() - t0;
      }
    }
    if (!same(outSingle, outBatch)) r.mismatches++;
    outSingle = [];
    if (i < warmupSteps) continue;
    r.oneByOne.push(tSingle);
    r.batched.push(tBatch);
    r.barsPerStep.min = Math.min(r.barsPerStep.min, step.length);
    r.barsPerStep.max = Math.max(r.barsPerStep.max, step.length);
  }
  return r;
}
