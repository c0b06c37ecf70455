// `deno task train`: argument parsing with errors naming the flag, and one end-to-end run on
// SPY daily (one fold, one epoch) that writes loadable ONNX models and valid cards.
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { createPatternCore } from "../../agents/pattern/mod.ts";
import { createLearnedTrendCore } from "../../agents/trend/mod.ts";
import { devDataPath } from "../../shared/data/mod.ts";
import { fingerprintFiles, readCard } from "../../shared/learn/mod.ts";
import { OnnxModel } from "../../shared/nn/onnx_model.ts";
import { parseTrainArgs } from "../../shared/train/cli.ts";

const SPY = devDataPath("etf_daily/SPY.csv");

const TRAIN_CLI = fileURLToPath(new URL("../../shared/train/cli.ts", import.meta.url));

/** Runs `deno task train` with these arguments; stdout and stderr as text. */
async function runTrain(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const r = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", TRAIN_CLI, ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder();
  return { code: r.code, stdout: text.decode(r.stdout), stderr: text.decode(r.stderr) };
}

Deno.test("parseTrainArgs: defaults, repeated --data, agent list", () => {
  assert.deepEqual(parseTrainArgs(["--data", "a.csv", "--data", "b.csv", "--out", "m"]), {
    dataFiles: ["a.csv", "b.csv"],
    outDir: "m",
    agents: ["trend", "pattern", "volatility", "regime", "meta"],
  });
  assert.deepEqual(
    parseTrainArgs([
      "--data",
      "a.csv",
      "--out",
      "m",
      "--timeframe",
      "1d",
      "--horizon",
      "5",
      "--agents",
      "pattern, trend,volatility",
      "--max-folds",
      "2",
      "--epochs",
      "3",
    ]),
    {
      dataFiles: ["a.csv"],
      outDir: "m",
      agents: ["pattern", "trend", "volatility"],
      timeframe: "1d",
      horizon: 5,
      maxFolds: 2,
      nn: { epochs: 3 },
    },
  );
  assert.deepEqual(
    parseTrainArgs(["--data", "a", "--out", "m", "--train-bars", "400", "--test-bars", "100"]).nn,
    { trainBars: 400, testBars: 100 },
  );
});

Deno.test("parseTrainArgs: every bad argument is named", () => {
  const bad: [string[], RegExp][] = [
    [["--out", "m"], /--data: at least one file/],
    [["--data", "a"], /--out: an output folder is required/],
    [
      ["--data", "a", "--out", "m", "--horizon", "0"],
      /--horizon: expected an integer >= 1 \(got '0'\)/,
    ],
    [["--data", "a", "--out", "m", "--max-folds", "1.5"], /--max-folds: expected an integer/],
    [["--data", "a", "--out", "m", "--test-bars", "0"], /--test-bars: expected an integer/],
    [
      ["--data", "a", "--out", "m", "--agents", "trend,bogus"],
      /--agents: unknown agent\(s\) 'bogus'/,
    ],
    [["--data", "a", "--out", "m", "--agents", ","], /--agents: unknown agent\(s\) \(none given\)/],
    [["--data", "--out", "m"], /--data: missing value/],
    [["--data", "a", "--out", "m", "--seed", "1"], /unknown argument '--seed'/],
  ];
  for (const [args, re] of bad) assert.throws(() => parseTrainArgs(args), re, args.join(" "));
});

Deno.test("deno task train: one fold on SPY writes ONNX models and cards the agents accept", async () => {
  const out = await Deno.makeTempDir({ prefix: "train_cli_" });
  try {
    const { code, stdout, stderr } = await runTrain(
      ["--data", SPY, "--out", out, "--max-folds", "1", "--epochs", "1"]
        .concat(["--agents", "trend,pattern,volatility,regime"]),
    );
    assert.equal(code, 0, stderr);
    for (const agent of ["trend", "pattern"]) {
      assert.match(stdout, new RegExp(`${agent}: 1 folds`));
    }
    assert.equal((await readCard(`${out}/volatility.card.json`)).agent, "volatility");
    assert.equal((await readCard(`${out}/regime.card.json`)).agent, "regime");
    assert.match(stdout, /model \(out-of-sample\)/);
    assert.match(stdout, /previous_direction/);
    const trendCard = await readCard(`${out}/trend.card.json`);
    const patternCard = await readCard(`${out}/pattern.card.json`);
    assert.equal(trendCard.data_sha256, await fingerprintFiles([SPY]));
    assert.equal(trendCard.params.timeframe, "1d");
    assert.ok(trendCard.oos.n > 0 && patternCard.oos.n > 0);
    const trend = await OnnxModel.load(`${out}/trend.onnx`);
    const pattern = await OnnxModel.load(`${out}/pattern.onnx`);
    assert.equal(trend.metadata.agent, "trend");
    assert.equal(trend.metadata.created_at, trendCard.created_at);
    createLearnedTrendCore({ model: trend, card: trendCard });
    createPatternCore({ model: pattern, card: patternCard });
    // a card swapped between the models is refused
    assert.throws(
      () => createPatternCore({ model: pattern, card: trendCard }),
      /the card is for agent 'trend', not 'pattern'/,
    );
    await trend.release();
    await pattern.release();
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});

Deno.test("deno task train: a missing data file fails with its name", async () => {
  const r = await runTrain(["--data", "/nonexistent/X.csv", "--out", "/tmp/never"]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^train: .*\/nonexistent\/X\.csv/m);
});

Deno.test("deno task train: meta (in the default agent list) refuses too few out-of-sample rows by name", async () => {
  const out = await Deno.makeTempDir({ prefix: "train_cli_meta_" });
  try {
    const { code, stderr } = await runTrain(
      ["--data", SPY, "--out", out, "--max-folds", "1", "--epochs", "1"],
    );
    assert.equal(code, 1);
    assert.match(stderr, /^train: meta: .* too few for the stacker's walk-forward/m);
    assert.match(stderr, /--agents trend,pattern,volatility,regime/);
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});
