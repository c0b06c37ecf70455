// News in the replay: GOOG daily 2022-2023 with the Alpha Vantage news of those years, on
// real Redis and PostgreSQL. The sentiment agent runs only when --news is given, signals
// once per bar, votes in every decision, and the run is as deterministic as one without news.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import pg from "pg";
import { loadBarFile } from "../../shared/data/mod.ts";
import { cleanup, PG_URL, runReplay, SHARED_DATA, uniqueName } from "./replay_helpers.ts";

const GOOG = `${SHARED_DATA}etf_daily/GOOG.csv`;
const NEWS = `${SHARED_DATA}news`;
// Loss halts off: the runs should trade to the end, so there are fills to compare.
const ENV = { RISK_MAX_DRAWDOWN: "1", RISK_DAILY_LOSS_LIMIT: "1" };

/** The CSV's header lines and its rows dated 2022 and 2023, in a temp file (not the repo). */
async function googDaily2022To2023(): Promise<string> {
  const lines = readFileSync(GOOG, "utf8").split("\n");
  const header = lines.filter((l) => l !== "" && !/^\d{4}-\d{2}-\d{2}/.test(l));
  const rows = lines.filter((l) => /^202[23]-/.test(l));
  const dir = await Deno.makeTempDir({ prefix: "news-e2e-" });
  const path = `${dir}/GOOG.csv`;
  await Deno.writeTextFile(path, [...header, ...rows].join("\n") + "\n");
  return path;
}

async function query<T>(sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    return (await client.query(sql)).rows as T[];
  } finally {
    await client.end();
  }
}

interface DecisionPayload {
  barTime: number;
  votes: { agent: string }[];
  missing: string[];
}

interface Tables {
  signalsByAgent: Record<string, number>;
  sentimentBarTimes: number[];
  decisions: DecisionPayload[];
}

async function tables(schema: string): Promise<Tables> {
  const counts = await query<{ agent: string; n: number }>(
    `select agent, count(*)::int as n from "${schema}".signals group by agent`,
  );
  const times = await query<{ t: string }>(
    `select bar_time::text as t from "${schema}".signals where agent = 'sentiment' order by 1`,
  );
  const decisions = await query<{ payload: string }>(
    `select payload from "${schema}".decisions order by bar_time`,
  );
  return {
    signalsByAgent: Object.fromEntries(counts.map((r) => [r.agent, r.n])),
    sentimentBarTimes: times.map((r) => Number(r.t)).sort((a, b) => a - b),
    decisions: decisions.map((r) => JSON.parse(r.payload) as DecisionPayload),
  };
}

async function run(data: string, news: boolean, args: string[] = []) {
  const name = uniqueName(news ? "e2e_news" : "e2e_nonews");
  try {
    const result = await runReplay(name, {
      replay: [data],
      news: news ? [NEWS] : [],
      redis: true,
      postgres: true,
      env: { ...ENV, HANG_TIMEOUT_MS: "3000", CLAIM_IDLE_MS: "1000", RESTART_MAX: "20" },
      args,
    });
    assert.equal(result.code, 0, result.stderr.slice(-3000));
    assert.match(result.stderr, /"bus":"redis"/);
    return { ...result, tables: await tables(name) };
  } finally {
    await cleanup(name);
  }
}

Deno.test({
  name: "e2e: GOOG 2022-2023 with --news runs the sentiment agent, deterministically",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const data = await googDaily2022To2023();
    try {
      const bars = (await loadBarFile(data)).bars;
      assert.equal(bars.length, 501);
      const barTimes = bars.map((b) => b.time);

      const first = await run(data, true);
      assert.match(first.stderr, /"msg":"news loaded","files":3,"stories":\d+/);
      const merged = first.stderr.match(/"msg":"news merged into the replay","stories":(\d+)/);
      assert.ok(merged && Number(merged[1]) > 1000, "the GOOG stories of 2022-2023 went out");

      const t = first.tables;
      for (const agent of ["trend", "volatility", "regime", "sentiment"]) {
        assert.equal(t.signalsByAgent[agent], bars.length, `${agent} signals`);
      }
      assert.deepEqual(t.sentimentBarTimes, barTimes, "one sentiment signal per bar");
      assert.equal(t.decisions.length, bars.length);
      for (const d of t.decisions) {
        assert.ok(!d.missing.includes("sentiment"), `sentiment missing at ${d.barTime}`);
        assert.ok(d.votes.some((v) => v.agent === "sentiment"), `no sentiment vote ${d.barTime}`);
      }

      const second = await run(data, true);
      const a = first.summary!;
      const b = second.summary!;
      assert.ok(a.fills.length > 0, "the run traded");
      assert.deepEqual(b.fills, a.fills);
      assert.deepEqual(b.equity_curve, a.equity_curve);
      assert.deepEqual(second.tables.decisions, t.decisions);

      // The sentiment agent crashed mid-replay: restarted from its snapshot, same outcome.
      const crashed = await run(data, true, ["--fault", "sentiment:crash@900"]);
      assert.match(crashed.stderr, /injected crash/);
      assert.match(
        crashed.stderr,
        /restarting[^\n]*"child":"sentiment"|"child":"sentiment"[^\n]*restarting/,
      );
      assert.deepEqual(crashed.summary!.fills, a.fills);
      assert.deepEqual(crashed.summary!.equity_curve, a.equity_curve);
      assert.deepEqual(crashed.tables.decisions, t.decisions);

      // Without --news: no sentiment agent, no sentiment signals, the meta agent does not wait.
      const plain = await run(data, false);
      assert.equal(plain.tables.signalsByAgent.sentiment, undefined);
      assert.deepEqual(Object.keys(plain.tables.signalsByAgent).sort(), [
        "regime",
        "trend",
        "volatility",
      ]);
      assert.equal(plain.tables.decisions.length, bars.length);
      for (const d of plain.tables.decisions) {
        assert.deepEqual(d.missing, []);
        assert.ok(!d.votes.some((v) => v.agent === "sentiment"));
      }
      assert.doesNotMatch(plain.stderr, /news loaded|news merged/);
      assert.equal(plain.summary!.bars, a.bars);
      console.log(JSON.stringify({
        withNews: statistics(a),
        withoutNews: statistics(plain.summary!),
      }));
    } finally {
      await Deno.remove(data.slice(0, data.lastIndexOf("/")), { recursive: true });
    }
  },
});

function statistics(s: NonNullable<Awaited<ReturnType<typeof runReplay>>["summary"]>) {
  return {
    bars: s.bars,
    trades: s.trades,
    total_return: s.total_return,
    buy_hold_return: s.buy_hold_return,
    max_drawdown: s.max_drawdown,
    sharpe: s.sharpe,
    win_rate: s.win_rate,
    fees: s.fees,
    exposure: s.exposure,
  };
}
