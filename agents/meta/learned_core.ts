// The meta agent with the learned stacker: the same collection as the rule core (core.ts),
// but a bar whose base agents' direction signals are all in is decided on the stacker's
// calibrated probabilities, run through onnxruntime-web (one batch for every bar ready
// together). A bar missing one of them (deadline) falls back to the weighted vote, saying so.
// The should-trade rule (margin, confidence, disagreement) applies to either.
import type { AsyncAgentCore, Output, Step } from "../runtime/core.ts";
import type { AnyEnvelope, DirectionProbs } from "../../shared/messages/mod.ts";
import type { ModelCard } from "../../shared/learn/card.ts";
import { ModelCardError } from "../../shared/learn/card.ts";
import { stackerRow } from "../../shared/learn/stacker_inputs.ts";
import type { OnnxModel } from "../../shared/nn/onnx_model.ts";
import {
  decideReady,
  metaCollector,
  type MetaOptions,
  type MetaState,
  type ReadyBar,
  resolveMetaOptions,
} from "./core.ts";
import { checkStackerCard } from "./stacker_card.ts";

export interface LearnedMetaOptions {
  model: OnnxModel;
  card: ModelCard;
  /** Everything but mode and the hit-rate horizon (which come from the card). */
  options?: Partial<Omit<MetaOptions, "mode">>;
}

export function createLearnedMetaCore(
  { model, card, options = {} }: LearnedMetaOptions,
): AsyncAgentCore<MetaState> {
  const base = resolveMetaOptions({ ...options, mode: "weighted" });
  const contract = checkStackerCard(card, base.expected);
  const f = contract.features.length;
  const dims = model.sampleDims;
  if (dims.length !== 2 || dims[0] !== 1 || dims[1] !== f) {
    throw new ModelCardError(
      `meta: the model takes [${dims.join(", ")}] per sample but the card describes [1, ${f}]`,
    );
  }
  const opts = resolveMetaOptions({
    ...options,
    mode: "learned",
    hitRate: { ...base.hitRate, ...(contract.hitRate ?? {}), horizon: contract.horizon },
  });
  const c = metaCollector(opts);
  const tNote = contract.temperature === null ? "" : `, T ${contract.temperature.toFixed(3)}`;
  const note = `learned stacker (${card.created_at}${tNote})`;

  async function decideAll(state: MetaState, ready: ReadyBar[]): Promise<Output[]> {
    const rows: number[][] = [];
    const rowOf = new Map<ReadyBar, number>();
    for (const r of ready) {
      const probs: Record<string, DirectionProbs> = {};
      for (const a of contract.baseAgents) {
        const s = r.p.signals[a as keyof typeof r.p.signals];
        if (s?.kind === "direction") probs[a] = s.probs;
      }
      const row = stackerRow(contract.baseAgents, probs);
      if (row === null) continue;
      rowOf.set(r, rows.length);
      rows.push(row.map((x, i) => (x - contract.mean[i]) / contract.std[i]));
    }
    let out: Float32Array = new Float32Array(0);
    if (rows.length > 0) {
      out = await model.predict(Float32Array.from(rows.flat()), [rows.length, 1, f]);
    }
    return ready.map((r) => {
      const i = rowOf.get(r);
      if (i === undefined) {
        const lacking = contract.baseAgents.filter((a) =>
          r.p.signals[a as keyof typeof r.p.signals]?.kind !== "direction"
        );
        return decideReady(
          state,
          r,
          { ...opts, mode: "weighted" },
          null,
          `stacker lacks ${lacking.join(", ")}: weighted vote`,
        );
      }
      const [down, flat, up] = Array.from(out.subarray(i * 3, i * 3 + 3), Number);
      const s = down + flat + up;
      if (![down, flat, up].every((v) => Number.isFinite(v) && v >= 0) || !(s > 0)) {
        throw new Error(`meta: stacker output [${down}, ${flat}, ${up}] is not a distribution`);
      }
      return decideReady(state, r, opts, {
        probs: { down: down / s, flat: flat / s, up: up / s },
        note,
      });
    });
  }

  return {
    name: "meta",
    inputs: ["md.bars", "signals"],
    tickMs: opts.tickMs,
    init: c.init,
    async step(state: MetaState, msg: AnyEnvelope, now: number): Promise<Step<MetaState>> {
      return { state, out: await decideAll(state, c.onMessage(state, msg, now)) };
    },
    tick(state: MetaState, now: number): Step<MetaState> {
      const weighted = { ...opts, mode: "weighted" as const };
      const why = "decided by the deadline tick, where the stacker does not run: weighted vote";
      return {
        state,
        out: c.onTick(state, now).map((r) => decideReady(state, r, weighted, null, why)),
      };
    },
    snapshot: (state) => state,
    restore: c.restore,
    describe: (state) => ({ ...c.describe(state), model: note, base: contract.baseAgents }),
  };
}
