// deno task train --data FILE [--data FILE ...] --out DIR [--timeframe TF] [--horizon N]
//                 [--agents trend,pattern,volatility,regime,meta] [--max-folds M] [--epochs E]
//                 [--train-bars B] [--test-bars B]
// --agents defaults to all five; --train-bars/--test-bars size the trend and pattern folds
// (default 756/252 bars: three years and one year of daily bars).
// Walk-forward training of the learned agents; prints the out-of-sample metrics next to the
// baselines and writes <out>/<agent>.onnx (trend, pattern, meta) and <out>/<agent>.card.json.
// meta (the learned stacker) is trained on the out-of-sample predictions of the trend and/or
// pattern models trained in the same run.
import {
  formatSummary,
  TRAINABLE_AGENTS,
  type TrainableAgent,
  trainAgents,
  type TrainRequest,
} from "./orchestrate.ts";

export const USAGE = "usage: deno task train --data FILE [--data FILE ...] --out DIR " +
  "[--timeframe TF] [--horizon N] [--agents trend,pattern,volatility,regime,meta] " +
  "[--max-folds M] [--epochs E] [--train-bars B] [--test-bars B]";

export type CliRequest = Omit<TrainRequest, "createdAt" | "codeVersion" | "log">;

function positiveInt(flag: string, value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < 1) {
    throw new Error(`${flag}: expected an integer >= 1 (got '${value}')`);
  }
  return n;
}

/** Parses the command line; throws naming the offending flag. */
export function parseTrainArgs(args: readonly string[]): CliRequest {
  const dataFiles: string[] = [];
  let outDir: string | undefined;
  let timeframe: string | undefined;
  let horizon: number | undefined;
  let maxFolds: number | undefined;
  let epochs: number | undefined;
  let trainBars: number | undefined;
  let testBars: number | undefined;
  let agents: TrainableAgent[] = [...TRAINABLE_AGENTS];
  for (let i = 0; i < args.length; i++) {
    const flag = args[i];
    const value = args[i + 1];
    const need = () => {
      if (value === undefined || value.startsWith("--")) {
        throw new Error(`${flag}: missing value\n${USAGE}`);
      }
      i++;
      return value;
    };
    switch (flag) {
      case "--data":
        dataFiles.push(need());
        break;
      case "--out":
        outDir = need();
        break;
      case "--timeframe":
        timeframe = need();
        break;
      case "--horizon":
        horizon = positiveInt(flag, need());
        break;
      case "--max-folds":
        maxFolds = positiveInt(flag, need());
        break;
      case "--epochs":
        epochs = positiveInt(flag, need());
        break;
      case "--train-bars":
        trainBars = positiveInt(flag, need());
        break;
      case "--test-bars":
        testBars = positiveInt(flag, need());
        break;
      case "--agents": {
        const list = need().split(",").map((s) => s.trim()).filter((s) => s.length > 0);
        const bad = list.filter((a) => !(TRAINABLE_AGENTS as readonly string[]).includes(a));
        if (list.length === 0 || bad.length > 0) {
          throw new Error(
            `--agents: unknown agent(s) ${bad.map((b) => `'${b}'`).join(", ") || "(none given)"}` +
              ` (accepted: ${TRAINABLE_AGENTS.join(", ")})`,
          );
        }
        agents = [...new Set(list)] as TrainableAgent[];
        break;
      }
      default:
        throw new Error(`unknown argument '${flag}'\n${USAGE}`);
    }
  }
  if (dataFiles.length === 0) throw new Error(`--data: at least one file is required\n${USAGE}`);
  if (outDir === undefined) throw new Error(`--out: an output folder is required\n${USAGE}`);
  const nnGiven = {
    ...(epochs === undefined ? {} : { epochs }),
    ...(trainBars === undefined ? {} : { trainBars }),
    ...(testBars === undefined ? {} : { testBars }),
  };
  const nn = Object.keys(nnGiven).length > 0 ? nnGiven : undefined;
  return {
    dataFiles,
    outDir,
    agents,
    ...(timeframe === undefined ? {} : { timeframe }),
    ...(horizon === undefined ? {} : { horizon }),
    ...(maxFolds === undefined ? {} : { maxFolds }),
    ...(nn === undefined ? {} : { nn }),
  };
}

/** The checked-out commit (read-only git), or "unknown" outside a git checkout. */
export async function codeVersion(): Promise<string> {
  try {
    const r = await new Deno.Command("git", {
      args: ["rev-parse", "HEAD"],
      cwd: new URL("..", import.meta.url),
      stdout: "piped",
      stderr: "null",
    }).output();
    const sha = new TextDecoder().decode(r.stdout).trim();
    return r.success && sha.length > 0 ? sha : "unknown";
  } catch {
    return "unknown";
  }
}

if (import.meta.main) {
  let req: CliRequest;
  try {
    req = parseTrainArgs(Deno.args);
  } catch (e) {
    console.error((e as Error).message);
    Deno.exit(2);
  }
  const t0 = performance.now();
  let results;
  try {
    results = await trainAgents({
      ...req,
      createdAt: new Date().toISOString(),
      codeVersion: await codeVersion(),
      log: (line) => console.error(line),
    });
  } catch (e) {
    console.error(`train: ${(e as Error).message}`);
    Deno.exit(1);
  }
  console.log(formatSummary(results));
  console.log(`trained in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}
