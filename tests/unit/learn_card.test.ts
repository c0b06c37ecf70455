import assert from "node:assert/strict";
import { join } from "node:path";
import {
  cardFileName,
  checkCardMatches,
  directionMetrics,
  type ModelCard,
  ModelCardError,
  parseCard,
  readCard,
  trainWindowsFromFolds,
  walkForwardSplits,
  writeCard,
} from "../../shared/learn/mod.ts";

const metrics = {
  accuracy: 0.52,
  balanced_accuracy: 0.41,
  log_loss: 1.05,
  brier: 0.63,
  auc: 0.54,
  rank_ic: 0.03,
  n: 1200,
};

function validCard(): ModelCard {
  return {
    agent: "trend",
    inputs: {
      features: ["ret_1", "ret_5", "rsi_14"],
      window: 32,
      normalisation: { mean: [0, 0.001, 50], std: [0.01, 0.02, 10] },
    },
    outputs: { classes: ["down", "flat", "up"] },
    train_windows: [
      {
        train: ["2010-01-04T00:00:00.000Z", "2012-12-31T00:00:00.000Z"],
        test: ["2013-01-09T00:00:00.000Z", "2013-06-28T00:00:00.000Z"],
      },
      {
        train: ["2010-01-04T00:00:00.000Z", "2013-06-20T00:00:00.000Z"],
        test: ["2013-07-01T00:00:00.000Z", "2013-12-31T00:00:00.000Z"],
      },
    ],
    data_sha256: "a".repeat(64),
    params: { units: 32, dropout: 0.1, layers: [32, 16], seed: 7, optimiser: { name: "adam" } },
    created_at: "2024-05-01T12:00:00Z",
    code_version: "ec1c64c",
    oos: metrics,
    baselines: { majority: { ...metrics, auc: null, rank_ic: null }, previous_direction: metrics },
  };
}

/** The message of the ModelCardError thrown by `parseCard` on a mutated card. */
function parseError(mutate: (card: Record<string, unknown>) => void): string {
  const card = structuredClone(validCard()) as unknown as Record<string, unknown>;
  mutate(card);
  try {
    parseCard(card, "card under test");
  } catch (e) {
    assert.ok(e instanceof ModelCardError);
    return e.message;
  }
  assert.fail("the card was accepted");
}

Deno.test("card: a valid card parses, with free-form params and extra metrics kept", () => {
  const card = validCard();
  assert.deepEqual(parseCard(card), card);
  const withQlike = { ...card, oos: { ...metrics, qlike: 1.7 } };
  assert.equal(parseCard(withQlike).oos.qlike, 1.7);
  const perFeature = {
    ...card,
    inputs: {
      ...card.inputs,
      normalisation: {
        per_feature: {
          ret_1: { mean: 0, std: 1 },
          ret_5: { mean: 0, std: 2 },
          rsi_14: { mean: 50, std: 10 },
        },
      },
    },
  };
  assert.deepEqual(parseCard(perFeature), perFeature);
  const units = { ...card, outputs: { units: "per-bar std of log returns" } };
  assert.deepEqual(parseCard(units).outputs, { units: "per-bar std of log returns" });
  assert.equal(
    parseCard({ ...card, inputs: { ...card.inputs, normalisation: null } }).inputs.normalisation,
    null,
  );
});

Deno.test("card: each invalid field is named in the error", () => {
  const cases: [string, (c: Record<string, unknown>) => void, RegExp][] = [
    ["missing hash", (c) => delete c.data_sha256, /^invalid card under test: data_sha256: /],
    ["short hash", (c) => (c.data_sha256 = "abc"), /data_sha256: expected 64 lowercase hex/],
    ["unknown key", (c) => (c.extra = 1), /\(root\): Unrecognized key: "extra"/],
    ["bad time", (c) => (c.created_at = "yesterday"), /created_at: Invalid ISO datetime/],
    ["empty agent", (c) => (c.agent = ""), /agent: /],
    ["no code version", (c) => delete c.code_version, /code_version: /],
    ["duplicate feature", (c) => {
      (c.inputs as { features: string[] }).features = ["a", "b", "a"];
    }, /inputs\.features\.2: duplicate feature 'a'/],
    ["norm length", (c) => {
      (c.inputs as { normalisation: { mean: number[] } }).normalisation.mean = [0, 0];
    }, /inputs\.normalisation\.mean: has 2 values for 3 features/],
    ["zero std", (c) => {
      (c.inputs as { normalisation: { std: number[] } }).normalisation.std[1] = 0;
    }, /inputs\.normalisation/],
    ["window", (c) => {
      (c.inputs as { window: number }).window = 0;
    }, /inputs\.window: /],
    ["classes", (c) => (c.outputs = { classes: ["up", "up"] }), /outputs/],
    ["no windows", (c) => (c.train_windows = []), /train_windows: /],
    ["test before train ends", (c) => {
      (c.train_windows as { test: string[] }[])[0].test[0] = "2012-06-01T00:00:00Z";
    }, /train_windows\.0\.test: must start after training ends/],
    ["overlapping tests", (c) => {
      (c.train_windows as { test: string[] }[])[1].test[0] = "2013-06-01T00:00:00Z";
    }, /train_windows\.1\.test: test windows must be in time order/],
    ["metric range", (c) => {
      (c.oos as { auc: number }).auc = 1.5;
    }, /oos\.auc: /],
    ["NaN metric", (c) => {
      (c.oos as { brier: number }).brier = NaN;
    }, /oos\.brier: /],
    ["missing metric", (c) => {
      delete (c.baselines as { majority: { n?: number } }).majority.n;
    }, /baselines\.majority\.n: /],
    ["no baselines", (c) => (c.baselines = {}), /baselines: needs at least one baseline/],
    ["params not JSON", (c) => (c.params = { f: () => 1 }), /params\.f: /],
  ];
  for (const [what, mutate, pattern] of cases) {
    assert.match(parseError(mutate), pattern, what);
  }
  assert.throws(() => parseCard(null), /invalid model card: \(root\): /);
});

Deno.test("card: written then read back; read errors name the file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = join(dir, cardFileName("trend"));
    assert.ok(path.endsWith("trend.card.json"));
    await writeCard(path, validCard());
    assert.deepEqual(await readCard(path), validCard());
    await assert.rejects(
      () => writeCard(path, { ...validCard(), data_sha256: "x" }),
      /data_sha256/,
    );
    assert.deepEqual(await readCard(path), validCard(), "an invalid card is never written");

    const wrongName = join(dir, "pattern.card.json");
    await Deno.copyFile(path, wrongName);
    await assert.rejects(
      () => readCard(wrongName),
      /agent is 'trend' but the file is named for 'pattern'/,
    );
    const notJson = join(dir, "x.card.json");
    await Deno.writeTextFile(notJson, "{ agent: trend");
    await assert.rejects(() => readCard(notJson), new RegExp(`model card ${notJson} is not JSON`));
    await assert.rejects(
      () => readCard(join(dir, "missing.card.json")),
      /cannot read model card .*missing\.card\.json/,
    );
    const bad = join(dir, "other.json");
    await Deno.writeTextFile(bad, JSON.stringify({ ...validCard(), agent: 3 }));
    await assert.rejects(() => readCard(bad), new RegExp(`invalid model card ${bad}: agent: `));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("card check: an exact match passes", () => {
  checkCardMatches(validCard(), {
    agent: "trend",
    features: ["ret_1", "ret_5", "rsi_14"],
    window: 32,
    classes: ["down", "flat", "up"],
  });
});

Deno.test("card check: every difference is named", () => {
  const card = validCard();
  const have = { agent: "trend", features: ["ret_1", "ret_5", "rsi_14"], window: 32 };
  const fails = (h: Parameters<typeof checkCardMatches>[1], pattern: RegExp) =>
    assert.throws(() => checkCardMatches(card, h), (e: Error) => {
      assert.ok(e instanceof ModelCardError);
      assert.match(e.message, /^model card for 'trend' does not match agent '/);
      assert.match(e.message, pattern);
      return true;
    });
  fails({ ...have, agent: "pattern" }, /the card is for agent 'trend', not 'pattern'/);
  fails({ ...have, features: ["ret_1", "rsi_14"] }, /missing features the model needs: 'ret_5'/);
  fails(
    { ...have, features: [...have.features, "atr_14"] },
    /features the model was not trained on: 'atr_14'/,
  );
  fails(
    { ...have, features: ["ret_1", "rsi_14", "ret_5"] },
    /feature order differs: position 1 is 'ret_5' in the card but 'rsi_14' in the agent/,
  );
  fails(
    { ...have, features: ["ret_1", "ret_5", "ret_1", "rsi_14"] },
    /the agent lists features twice: 'ret_1'/,
  );
  fails({ ...have, window: 16 }, /window length: the card needs 32 bars, the agent has 16/);
  fails(
    { ...have, classes: ["up", "flat", "down"] },
    /output classes: the card has 'down', 'flat', 'up'/,
  );
  fails(
    { agent: "regime", features: ["ret_1"], window: 1 },
    /not 'regime'; missing features the model needs: 'ret_5', 'rsi_14'; window length/,
  );
  const volCard = { ...card, outputs: { units: "per-bar sd" } };
  assert.throws(
    () => checkCardMatches(volCard, { ...have, classes: ["down", "flat", "up"] }),
    /outputs: the card has units 'per-bar sd', the agent expects classes/,
  );
});

Deno.test("card: train windows from folds and bar times; real metrics fit the schema", () => {
  const day = 86_400_000;
  const t0 = Date.UTC(2020, 0, 1);
  const times = Array.from({ length: 20 }, (_, i) => t0 + i * day);
  const folds = walkForwardSplits({
    n: 20,
    trainSize: 5,
    testSize: 8,
    mode: "rolling",
    horizon: 2,
    embargo: 0,
  });
  const windows = trainWindowsFromFolds(folds, times);
  assert.deepEqual(windows, [
    {
      train: ["2020-01-01T00:00:00.000Z", "2020-01-05T00:00:00.000Z"],
      test: ["2020-01-08T00:00:00.000Z", "2020-01-15T00:00:00.000Z"],
    },
    {
      train: ["2020-01-09T00:00:00.000Z", "2020-01-13T00:00:00.000Z"],
      test: ["2020-01-16T00:00:00.000Z", "2020-01-20T00:00:00.000Z"],
    },
  ]);
  assert.throws(
    () => trainWindowsFromFolds(folds, times.slice(0, 10)),
    /no bar time for sample 1\d/,
  );
  const oos = directionMetrics({
    probs: [{ down: 0.2, flat: 0.3, up: 0.5 }, { down: 0.5, flat: 0.3, up: 0.2 }],
    labels: ["up", "up"],
    forwardReturns: [0.01, 0.02],
  });
  const card = parseCard({ ...validCard(), train_windows: windows, oos });
  assert.deepEqual(card.oos, oos);
});
