// Which trained models a folder holds (`deno task train --out DIR`, then `--models DIR`):
// a card per learned agent, plus an ONNX network for trend, pattern and meta (the stacker). An agent without
// its files keeps the rule-based placeholder; a card that does not match what the agent
// computes is refused when the agent starts (checkCardMatches), never silently used.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { cardFileName } from "../shared/learn/card.ts";

export interface LearnedModels {
  dir: string | null;
  trend: boolean;
  pattern: boolean;
  volatility: boolean;
  regime: boolean;
  meta: boolean;
}

export const NO_MODELS: LearnedModels = {
  dir: null,
  trend: false,
  pattern: false,
  volatility: false,
  regime: false,
  meta: false,
};

/** Agents served by an ONNX network next to their card. */
const NETWORKS = new Set(["trend", "pattern", "meta"]);

export const cardPath = (dir: string, agent: string) => join(dir, cardFileName(agent));
export const onnxPath = (dir: string, agent: string) => join(dir, `${agent}.onnx`);

function has(dir: string, agent: string): boolean {
  return existsSync(cardPath(dir, agent)) &&
    (!NETWORKS.has(agent) || existsSync(onnxPath(dir, agent)));
}

export function findModels(dir: string): LearnedModels {
  if (!existsSync(dir)) throw new Error(`--models ${dir}: no such folder`);
  const found: LearnedModels = {
    dir,
    trend: has(dir, "trend"),
    pattern: has(dir, "pattern"),
    volatility: has(dir, "volatility"),
    regime: has(dir, "regime"),
    meta: has(dir, "meta"),
  };
  if (!found.trend && !found.pattern && !found.volatility && !found.regime && !found.meta) {
    throw new Error(
      `--models ${dir}: no model card found (expected trend.card.json + trend.onnx, ` +
        "pattern.card.json + pattern.onnx, volatility.card.json, regime.card.json or " +
        "meta.card.json + meta.onnx)",
    );
  }
  return found;
}

export interface InSampleOverlap {
  agent: string;
  /** The served model's training data span (ISO dates). */
  trainedFrom: string;
  trainedTo: string;
}

/**
 * Served models whose training data overlap [from, to]: a replay over that span is partly
 * in-sample and flatters the models. The served model is the last fold's: its train window.
 */
export async function inSampleOverlaps(
  models: LearnedModels,
  from: number,
  to: number,
  read: (path: string) => Promise<{ train_windows: { train: [string, string] }[] }>,
): Promise<InSampleOverlap[]> {
  const out: InSampleOverlap[] = [];
  if (models.dir === null) return out;
  for (const agent of ["trend", "pattern", "volatility", "regime", "meta"] as const) {
    if (!models[agent]) continue;
    const windows = (await read(cardPath(models.dir, agent))).train_windows;
    const last = windows[windows.length - 1];
    if (!last) continue;
    const [start, end] = last.train.map((d) => Date.parse(d));
    if (start <= to && end >= from) {
      out.push({ agent, trainedFrom: last.train[0], trainedTo: last.train[1] });
    }
  }
  return out;
}
