// `--news` on the command line, and which agents a replay with news runs and waits for.
import assert from "node:assert/strict";
import { parseCli } from "../../supervisor/main.ts";
import { AGENTS, agentsFor, EXPECTED_VIEWS } from "../../supervisor/system.ts";
import { coreFor } from "../../agents/registry.ts";
import { parseConfig } from "../../shared/config/mod.ts";

Deno.test("feed news: --news is repeatable and lands in the replay plan", () => {
  const cli = parseCli(["--replay", "a.csv", "--news", "n1", "--news", "n2.json.gz"]);
  assert.deepEqual(cli.replay?.newsPaths, ["n1", "n2.json.gz"]);
  assert.deepEqual(parseCli(["--replay", "a.csv"]).replay?.newsPaths, []);
});

Deno.test("feed news: --news without --replay is refused by name", () => {
  assert.throws(() => parseCli(["--news", "n1"]), /--news apply to --replay runs only/);
});

Deno.test("feed news: with news the sentiment agent runs and the meta agent waits for it", () => {
  const plan = { paths: ["a.csv"], timeframe: null, speed: "max" as const };
  const withNews = agentsFor({ ...plan, newsPaths: ["n"] });
  assert.deepEqual(withNews.agents, [...AGENTS, "sentiment"]);
  assert.deepEqual(withNews.expected, ["trend", "volatility", "regime", "sentiment"]);
  for (const none of [null, plan, { ...plan, newsPaths: [] }]) {
    const r = agentsFor(none);
    assert.ok(!r.agents.includes("sentiment"));
    assert.deepEqual(r.agents, [...AGENTS]);
    assert.deepEqual(r.expected, EXPECTED_VIEWS);
  }
});

Deno.test("feed news: the registry builds the sentiment core on bars and news", () => {
  const core = coreFor("sentiment", parseConfig({}), []);
  assert.equal(core.name, "sentiment");
  assert.deepEqual([...core.inputs], ["md.bars", "md.news"]);
  const meta = coreFor("meta", parseConfig({}), withNewsExpected());
  assert.equal(meta.name, "meta");
});

function withNewsExpected(): string[] {
  return agentsFor({ paths: ["a"], newsPaths: ["n"], timeframe: null, speed: "max" }).expected;
}
