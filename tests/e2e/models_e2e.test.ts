// Train → serve: `deno task train` writes cards and ONNX models, `deno task run --models DIR`
// serves them in the supervised system, and a replay over the training span is flagged.
import assert from "node:assert/strict";
import pg from "pg";
import { readFileSync } from "node:fs";
import { cleanup, PG_URL, REPO, runReplay, SHARED_DATA, uniqueName } from "./replay_helpers.ts";

const SPY = `${SHARED_DATA}etf_daily/SPY.csv`;

/** The yfinance file's 3 header lines plus the data rows [from, to). */
async function spySlice(from: number, to: number, dir: string): Promise<string> {
  const lines = readFileSync(SPY, "utf8").trimEnd().split("\n");
  const path = `${dir}/SPY.csv`;
  await Deno.writeTextFile(
    path,
    [...lines.slice(0, 3), ...lines.slice(3 + from, 3 + to)].join("\n"),
  );
  return path;
}

async function modelsBySignal(schema: string): Promise<Record<string, number>> {
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  try {
    const r = await c.query(
      `select agent, payload::json->>'model' as model, count(*)::int as n
         from "${schema}".signals group by 1, 2 order by 1`,
    );
    return Object.fromEntries(
      r.rows.map((x: { agent: string; model: string; n: number }) => [
        `${x.agent}|${x.model.split(":")[0]}`,
        x.n,
      ]),
    );
  } finally {
    await c.end();
  }
}

Deno.test({
  name: "e2e: trained models are served by --models, out of sample; an in-sample replay is flagged",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "models-e2e-" });
    const trainDir = `${dir}/train`;
    const testDir = `${dir}/test`;
    await Deno.mkdir(trainDir);
    await Deno.mkdir(testDir);
    const trainData = await spySlice(0, 1700, trainDir); // 2010-01 .. 2016-09
    const testData = await spySlice(1700, 3021, testDir); // 2016-10 .. 2021-12
    const models = `${dir}/models`;
    const train = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-all",
        "shared/train/cli.ts",
        "--data",
        trainData,
        "--out",
        models,
        "--agents",
        "trend,pattern,volatility,regime",
        "--max-folds",
        "1",
        "--epochs",
        "1",
      ],
      cwd: REPO,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const trainLog = new TextDecoder().decode(train.stdout) +
      new TextDecoder().decode(train.stderr);
    assert.equal(train.code, 0, trainLog.slice(-2000));
    for (const f of ["trend.onnx", "trend.card.json", "pattern.onnx", "volatility.card.json"]) {
      assert.ok((await Deno.stat(`${models}/${f}`)).isFile, f);
    }

    const name = uniqueName("e2e_models");
    const inSampleName = uniqueName("e2e_models_in");
    try {
      const run = await runReplay(name, {
        replay: [testData],
        redis: true,
        postgres: true,
        args: ["--models", models],
      });
      assert.equal(run.code, 0, run.stderr.slice(-3000));
      assert.doesNotMatch(run.stdout, /IN-SAMPLE/);
      const bars = 3021 - 1700;
      assert.equal(run.summary!.bars, bars);
      // Every view came from the trained models, and pattern ran as a fifth view.
      assert.deepEqual(await modelsBySignal(name), {
        "pattern|onnx": bars,
        "regime|hmm": bars,
        "trend|onnx": bars,
        "volatility|garch": bars,
      });

      const inSample = await runReplay(inSampleName, {
        replay: [trainData],
        redis: true,
        args: ["--models", models],
      });
      assert.equal(inSample.code, 0, inSample.stderr.slice(-3000));
      assert.match(inSample.stdout, /WARNING: IN-SAMPLE\. The trend model was trained on/);
    } finally {
      await cleanup(name);
      await cleanup(inSampleName);
      await Deno.remove(dir, { recursive: true });
    }
  },
});
