// The model card `<agent>.card.json` that travels with every trained model: what it reads,
// what it predicts, what it was trained and scored on. An agent calls `checkCardMatches` at
// start and refuses a model whose inputs are not exactly the features it computes.
import { z } from "zod";
import type { Fold } from "./walk_forward.ts";

const finite = z.number().finite();
const unit = finite.min(0).max(1).nullable();
const isoTime = z.iso.datetime({ offset: true });

/** Metric keys as `directionMetrics` returns them; a metric that does not apply is null. */
export const MetricSetSchema = z.object({
  accuracy: unit,
  balanced_accuracy: unit,
  log_loss: finite.nonnegative().nullable(),
  brier: finite.min(0).max(2).nullable(),
  auc: unit,
  rank_ic: finite.min(-1).max(1).nullable(),
  n: z.number().int().nonnegative(),
})
  // other figures (e.g. a volatility model's QLIKE) may sit beside them
  .catchall(finite.nullable());

const NormalisationSchema = z.union([
  z.object({ mean: z.array(finite), std: z.array(finite.positive()) }).strict(),
  z.object({
    per_feature: z.record(z.string(), z.object({ mean: finite, std: finite.positive() }).strict()),
  }).strict(),
  z.null(),
]);

const InputsSchema = z.object({
  /** Feature names in the order the model reads them. */
  features: z.array(z.string().min(1)).min(1),
  /** Bars per sample (1 for a model of the current bar only). */
  window: z.number().int().min(1),
  /** Applied as (x − mean) / std before the model; null when the model takes raw inputs. */
  normalisation: NormalisationSchema,
}).strict().superRefine((inputs, ctx) => {
  const seen = new Set<string>();
  inputs.features.forEach((f, i) => {
    if (seen.has(f)) {
      ctx.addIssue({ code: "custom", path: ["features", i], message: `duplicate feature '${f}'` });
    }
    seen.add(f);
  });
  const norm = inputs.normalisation;
  if (norm === null) return;
  if ("mean" in norm) {
    for (const key of ["mean", "std"] as const) {
      if (norm[key].length !== inputs.features.length) {
        ctx.addIssue({
          code: "custom",
          path: ["normalisation", key],
          message: `has ${norm[key].length} values for ${inputs.features.length} features`,
        });
      }
    }
    return;
  }
  const keys = Object.keys(norm.per_feature);
  const missing = inputs.features.filter((f) => !(f in norm.per_feature));
  const extra = keys.filter((k) => !seen.has(k));
  if (missing.length > 0 || extra.length > 0) {
    ctx.addIssue({
      code: "custom",
      path: ["normalisation", "per_feature"],
      message: `must cover exactly the features (missing: ${list(missing)}; not a feature: ` +
        `${list(extra)})`,
    });
  }
});

const OutputsSchema = z.union([
  z.object({ classes: z.array(z.string().min(1)).min(2) }).strict().refine(
    (o) => new Set(o.classes).size === o.classes.length,
    { message: "classes must be distinct", path: ["classes"] },
  ),
  z.object({ units: z.string().min(1) }).strict(),
]);

const TrainWindowSchema = z.object({
  /** First and last bar time of the training samples (inclusive). */
  train: z.tuple([isoTime, isoTime]),
  /** First and last bar time of the test samples (inclusive). */
  test: z.tuple([isoTime, isoTime]),
}).strict().superRefine((w, ctx) => {
  const [a, b, c, d] = [...w.train, ...w.test].map(Date.parse);
  if (a > b) ctx.addIssue({ code: "custom", path: ["train"], message: "starts after it ends" });
  if (c > d) ctx.addIssue({ code: "custom", path: ["test"], message: "starts after it ends" });
  if (b >= c) {
    ctx.addIssue({ code: "custom", path: ["test"], message: "must start after training ends" });
  }
});

export const ModelCardSchema = z.object({
  agent: z.string().min(1),
  inputs: InputsSchema,
  outputs: OutputsSchema,
  train_windows: z.array(TrainWindowSchema).min(1).superRefine((ws, ctx) => {
    for (let i = 1; i < ws.length; i++) {
      if (Date.parse(ws[i].test[0]) <= Date.parse(ws[i - 1].test[1])) {
        ctx.addIssue({
          code: "custom",
          path: [i, "test"],
          message: "test windows must be in time order and must not overlap",
        });
      }
    }
  }),
  /** Hex SHA-256 of the training inputs (see `fingerprint`). */
  data_sha256: z.string().regex(/^[0-9a-f]{64}$/, "expected 64 lowercase hex digits"),
  /** Hyper-parameters, free-form JSON. */
  params: z.record(z.string(), z.json()),
  created_at: isoTime,
  /** The commit (or other version) of the code that trained the model. */
  code_version: z.string().min(1),
  /** Metrics over the concatenated out-of-sample windows. */
  oos: MetricSetSchema,
  /** The same metrics for naive baselines, by baseline name. */
  baselines: z.record(z.string().min(1), MetricSetSchema).refine(
    (b) => Object.keys(b).length > 0,
    "needs at least one baseline",
  ),
}).strict();

export type MetricSetRecord = z.infer<typeof MetricSetSchema>;
export type ModelCard = z.infer<typeof ModelCardSchema>;
export type TrainWindow = z.infer<typeof TrainWindowSchema>;

export class ModelCardError extends Error {
  override name = "ModelCardError";
}

export function cardFileName(agent: string): string {
  return `${agent}.card.json`;
}

/** Validates a parsed card; the error names every offending field (`source` says where). */
export function parseCard(value: unknown, source = "model card"): ModelCard {
  const parsed = ModelCardSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.slice(0, 10).map((i) =>
    `${i.path.map(String).join(".") || "(root)"}: ${i.message}`
  );
  throw new ModelCardError(`invalid ${source}: ${issues.join("; ")}`);
}

/**
 * Reads and validates a card. A file named `<agent>.card.json` must hold that agent's card,
 * so a card copied under the wrong name is refused too.
 */
export async function readCard(path: string): Promise<ModelCard> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    throw new ModelCardError(`cannot read model card ${path}: ${(e as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new ModelCardError(`model card ${path} is not JSON: ${(e as Error).message}`);
  }
  const card = parseCard(value, `model card ${path}`);
  const named = /([^\\/]+)\.card\.json$/.exec(path)?.[1];
  if (named !== undefined && named !== card.agent) {
    throw new ModelCardError(
      `model card ${path}: agent is '${card.agent}' but the file is named for '${named}'`,
    );
  }
  return card;
}

/** Validates, then writes pretty-printed JSON; never writes an invalid card. */
export async function writeCard(path: string, card: ModelCard): Promise<void> {
  const checked = parseCard(card, `model card for ${path}`);
  await Deno.writeTextFile(path, JSON.stringify(checked, null, 2) + "\n");
}

export interface ComputableInputs {
  agent: string;
  /** The features the agent computes, in the order it hands them to the model. */
  features: readonly string[];
  window: number;
  /** The classes the agent expects, in order, when it reads class probabilities. */
  classes?: readonly string[];
}

/** Throws a ModelCardError naming every difference between the card and what the agent has. */
export function checkCardMatches(card: ModelCard, have: ComputableInputs): void {
  const problems: string[] = [];
  if (card.agent !== have.agent) {
    problems.push(`the card is for agent '${card.agent}', not '${have.agent}'`);
  }
  const want = card.inputs.features;
  const missing = want.filter((f) => !have.features.includes(f));
  const extra = have.features.filter((f) => !want.includes(f));
  const repeated = have.features.filter((f, k) => have.features.indexOf(f) !== k);
  if (missing.length > 0) {
    problems.push(`missing features the model needs: ${list(missing)}`);
  }
  if (extra.length > 0) problems.push(`features the model was not trained on: ${list(extra)}`);
  if (repeated.length > 0) problems.push(`the agent lists features twice: ${list(repeated)}`);
  if (missing.length === 0 && extra.length === 0 && repeated.length === 0) {
    // same set, no repeats on either side (the schema forbids them in the card)
    const i = want.findIndex((f, k) => have.features[k] !== f);
    if (i >= 0) {
      problems.push(
        `feature order differs: position ${i} is '${want[i]}' in the card but ` +
          `'${have.features[i]}' in the agent (card order: ${list(want)})`,
      );
    }
  }
  if (card.inputs.window !== have.window) {
    problems.push(
      `window length: the card needs ${card.inputs.window} bars, the agent has ${have.window}`,
    );
  }
  if (have.classes !== undefined) {
    const cls = "classes" in card.outputs ? card.outputs.classes : null;
    if (cls === null) {
      problems.push(
        `outputs: the card has units '${
          "units" in card.outputs ? card.outputs.units : ""
        }', the agent expects classes ${list(have.classes)}`,
      );
    } else if (cls.join("\u0000") !== have.classes.join("\u0000")) {
      problems.push(
        `output classes: the card has ${list(cls)}, the agent expects ${list(have.classes)}`,
      );
    }
  }
  if (problems.length > 0) {
    throw new ModelCardError(
      `model card for '${card.agent}' does not match agent '${have.agent}': ${problems.join("; ")}`,
    );
  }
}

/**
 * The card's train_windows from walk-forward folds and the bar time (ms) of each sample:
 * first and last bar of each training and test range, inclusive.
 */
export function trainWindowsFromFolds(
  folds: readonly Fold[],
  times: readonly number[],
): TrainWindow[] {
  const iso = (i: number) => {
    const t = times[i];
    if (!Number.isFinite(t)) {
      throw new RangeError(
        `trainWindowsFromFolds: no bar time for sample ${i} (${times.length} times)`,
      );
    }
    return new Date(t).toISOString();
  };
  return folds.map((f) => {
    if (f.train[1] <= f.train[0] || f.test[1] <= f.test[0]) {
      throw new RangeError(`trainWindowsFromFolds: fold ${f.index} has an empty range`);
    }
    return {
      train: [iso(f.train[0]), iso(f.train[1] - 1)],
      test: [iso(f.test[0]), iso(f.test[1] - 1)],
    };
  });
}

function list(xs: readonly string[]): string {
  return xs.length === 0 ? "none" : xs.map((x) => `'${x}'`).join(", ");
}
