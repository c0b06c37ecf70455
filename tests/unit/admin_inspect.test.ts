// The admin API's inspection routes over a real in-memory bus and SQLite store: streams and
// dead letters, one agent's inputs and outputs, decisions joined with verdicts, Prometheus
// metrics, the OpenAPI document, and clear 400s for bad queries.
import assert from "node:assert/strict";
import { type AdminDeps, type AgentView, createAdminApp } from "../../supervisor/admin/app.ts";
import {
  insertDecision,
  insertVeto,
  migrate,
  openDatabase,
  upsertEquity,
  upsertOrder,
} from "../../shared/storage/mod.ts";
import { MemoryBus } from "../../shared/bus/mod.ts";
import { parseConfig } from "../../shared/config/mod.ts";
import { barId, type Decision, encode, makeEnvelope, STREAMS } from "../../shared/messages/mod.ts";

const T0 = 1_700_000_000_000;
const DAY = 86_400_000;

function decision(barTime: number, target: Decision["target"]): Decision {
  return {
    symbol: "BTC/USDT",
    barTime,
    refPrice: 100,
    target,
    probs: { down: 0.2, flat: 0.2, up: 0.6 },
    confidence: 0.6,
    disagreement: 0.1,
    votes: [{
      agent: "trend",
      probs: { down: 0.2, flat: 0.2, up: 0.6 },
      confidence: 0.6,
      weight: 1,
    }],
    missing: [],
    volatilityForecast: 0.02,
    regime: "trend",
    reason: "test",
  };
}

async function setup() {
  let now = T0;
  const bus = new MemoryBus({ namespace: "admin-inspect", maxLen: 10_000, now: () => now });
  const store = await openDatabase("sqlite::memory:");
  await migrate(store);
  const views: AgentView[] = [{
    name: "meta",
    state: "running",
    incarnation: 1,
    restarts: 2,
    last_heartbeat: null,
    processed: 3,
    in_flight_ms: 0,
    last_error: null,
    streams: [{ stream: STREAMS.bars, lag: 0, pending: 1 }],
  }];
  const deps: AdminDeps = {
    token: "x".repeat(20),
    bus: "memory",
    mode: "paper",
    store,
    streams: bus,
    config: parseConfig({ ADMIN_TOKEN: "secret-token-0123456789", META_DEADLINE_MS: "1234" }),
    agents: () => Promise.resolve(views),
    tradingState: () => Promise.resolve("ACTIVE"),
    command: () => Promise.resolve("c"),
    restartAgent: () => false,
  };
  const app = createAdminApp(deps);
  const bar = (i: number) =>
    makeEnvelope("bar", {
      id: `feed:bar:${i}`,
      producer: "feed",
      time: T0 + i * DAY,
      corr: barId("BTC/USDT", T0 + i * DAY),
    }, {
      symbol: "BTC/USDT",
      timeframe: "1d",
      time: T0 + i * DAY,
      open: 100 + i,
      high: 102 + i,
      low: 99 + i,
      close: 101 + i,
      volume: 5,
      seq: i,
    });
  const publishBar = async (i: number) => {
    await bus.publish(STREAMS.bars, encode(bar(i), STREAMS.bars));
  };
  const publishDecision = async (i: number, at: number) => {
    now = at;
    const env = makeEnvelope("decision", {
      id: `meta:decision:${i}`,
      producer: "meta",
      time: T0 + i * DAY,
      corr: barId("BTC/USDT", T0 + i * DAY),
    }, decision(T0 + i * DAY, "long"));
    await bus.publish(STREAMS.decisions, encode(env, STREAMS.decisions));
  };
  const json = async (path: string) => {
    const r = await app.request(path);
    return { status: r.status, body: await r.json() };
  };
  return {
    bus,
    store,
    app,
    json,
    publishBar,
    publishDecision,
    setNow: (t: number) => (now = t),
    [Symbol.asyncDispose]: async () => {
      await store.close();
      await bus.close();
    },
  };
}

Deno.test("/streams and /dead-letters report lengths, groups, pending entries and dead letters", async () => {
  await using h = await setup();
  for (let i = 0; i < 3; i++) await h.publishBar(i);
  await h.bus.ensureGroup(STREAMS.bars, "meta");
  const got = await h.bus.readGroup("meta", "meta-1", [STREAMS.bars], { count: 2, blockMs: 0 });
  assert.equal(got.length, 2);
  const dead = makeEnvelope("dead_letter", {
    id: "dl:1",
    producer: "meta",
    time: T0,
    corr: "dl:1",
  }, {
    stream: STREAMS.bars,
    entryId: got[0].entryId,
    group: "meta",
    error: "boom",
    deliveries: 6,
    raw: "{}",
  });
  await h.bus.publish(STREAMS.deadLetter, encode(dead, STREAMS.deadLetter));

  const { body } = await h.json("/streams");
  const bars = body.streams.find((s: { stream: string }) => s.stream === STREAMS.bars);
  assert.equal(bars.length, 3);
  assert.deepEqual(
    bars.groups.map((
      g: { group: string; pending: number; lag: number },
    ) => [g.group, g.pending, g.lag]),
    [["meta", 2, 1]],
  );
  const dl = body.streams.find((s: { stream: string }) => s.stream === STREAMS.deadLetter);
  assert.equal(dl.length, 1);

  const letters = (await h.json("/dead-letters")).body.dead_letters;
  assert.equal(letters.length, 1);
  assert.equal(letters[0].error, "boom");
  assert.equal(letters[0].stream, STREAMS.bars);
  assert.equal(letters[0].original_entry_id, got[0].entryId);
  assert.equal(letters[0].deliveries, 6);
});

Deno.test("/agents/:name shows settings (secrets masked), pending entries, last inputs and outputs", async () => {
  await using h = await setup();
  for (let i = 0; i < 4; i++) await h.publishBar(i);
  await h.bus.ensureGroup(STREAMS.bars, "meta");
  await h.bus.readGroup("meta", "meta-1", [STREAMS.bars], { count: 3, blockMs: 0 });
  await h.publishDecision(0, T0 + 50);
  const { status, body } = await h.json("/agents/meta");
  assert.equal(status, 200);
  assert.equal(body.restarts, 2);
  assert.equal(body.config.META_DEADLINE_MS, 1234);
  assert.equal(body.config.ADMIN_TOKEN, undefined, "an unrelated secret leaked into an agent view");
  assert.ok(!JSON.stringify(body).includes("secret-token-0123456789"));
  const input = body.inputs[0];
  assert.equal(input.stream, STREAMS.bars);
  assert.equal(input.pending, 3);
  assert.equal(input.lag, 1);
  assert.equal(input.pending_entries.length, 3);
  // Delivered entries only: the fourth bar has not reached the agent yet.
  assert.deepEqual(input.last_inputs.map((e: { id: string }) => e.id), [
    "feed:bar:0",
    "feed:bar:1",
    "feed:bar:2",
  ]);
  assert.deepEqual(body.last_outputs.map((e: { id: string; type: string }) => [e.type, e.id]), [[
    "decision",
    "meta:decision:0",
  ]]);
  assert.equal((await h.json("/agents/ghost")).status, 404);
});

Deno.test("/decisions joins each decision with its order or veto; none when neither exists", async () => {
  await using h = await setup();
  await insertDecision(h.store.db, "d1", decision(T0, "long"));
  await insertDecision(h.store.db, "d2", decision(T0 + DAY, "flat"));
  await insertDecision(h.store.db, "d3", decision(T0 + 2 * DAY, "hold"));
  await upsertOrder(h.store.db, {
    clientOrderId: "o1",
    symbol: "BTC/USDT",
    side: "buy",
    quantity: 1,
    status: "filled",
    reason: null,
    decisionId: "d1",
  }, T0);
  await insertVeto(h.store.db, "v2", {
    decisionId: "d2",
    symbol: "BTC/USDT",
    barTime: T0 + DAY,
    reasons: [{ code: "halted", detail: "trading is halted", values: {} }],
    tradingState: "HALTED",
  });
  const { body } = await h.json("/decisions?symbol=BTC/USDT&limit=10");
  assert.deepEqual(
    body.decisions.map((
      d: { decision: { id: string }; outcome: string },
    ) => [d.decision.id, d.outcome]),
    [["d3", "none"], ["d2", "veto"], ["d1", "order"]],
  );
  assert.equal(body.decisions[2].orders[0].clientOrderId, "o1");
  assert.equal(body.decisions[1].veto.reasons[0].code, "halted");
  assert.equal(body.decisions[2].decision.votes[0].agent, "trend");
  assert.equal((await h.json("/decisions?limit=1")).body.decisions.length, 1);
});

Deno.test("bad query parameters → 400 naming the problem", async () => {
  await using h = await setup();
  for (
    const path of [
      "/fills?limit=0",
      "/orders?limit=abc",
      "/decisions?limit=10001",
      "/bars",
      "/fills?symbol=",
    ]
  ) {
    const { status, body } = await h.json(path);
    assert.equal(status, 400, path);
    assert.match(body.error, /limit|symbol/, path);
  }
});

Deno.test("/bars and /symbols read the last bars of md.bars", async () => {
  await using h = await setup();
  for (let i = 0; i < 5; i++) {
    h.setNow(T0 + i * 10_000);
    await h.publishBar(i);
  }
  assert.deepEqual((await h.json("/symbols")).body.symbols, ["BTC/USDT"]);
  const { body } = await h.json("/bars?symbol=BTC/USDT&limit=3");
  assert.deepEqual(body.bars.map((b: { seq: number }) => b.seq), [2, 3, 4]);
  assert.deepEqual((await h.json("/bars?symbol=ETH/USDT")).body.bars, []);
});

Deno.test("/metrics: Prometheus text with latency, orders, vetoes, equity and trading state", async () => {
  await using h = await setup();
  await h.app.request("/metrics"); // first look: the history before it is not timed
  h.setNow(T0 + 1_000);
  await h.publishBar(0);
  await h.publishDecision(0, T0 + 1_040); // 40 ms after its bar
  const verdict = makeEnvelope("verdict", {
    id: "risk:verdict:0",
    producer: "risk",
    time: T0,
    corr: barId("BTC/USDT", T0),
  }, {
    decisionId: "meta:decision:0",
    symbol: "BTC/USDT",
    barTime: T0,
    outcome: "veto",
    order: null,
    reasons: [{ code: "halted", detail: "x", values: {} }],
    tradingState: "HALTED",
  });
  h.setNow(T0 + 1_300);
  await h.bus.publish(STREAMS.orders, encode(verdict, STREAMS.orders));
  await insertVeto(h.store.db, "v", {
    decisionId: "meta:decision:0",
    symbol: "BTC/USDT",
    barTime: T0,
    reasons: [{ code: "halted", detail: "x", values: {} }],
    tradingState: "HALTED",
  });
  await upsertEquity(h.store.db, {
    symbol: "BTC/USDT",
    barTime: T0,
    cash: 5_000,
    equity: 12_000,
    positions: [],
    fees: 3,
    barsProcessed: 1,
  });
  await upsertEquity(h.store.db, {
    symbol: "BTC/USDT",
    barTime: T0 + DAY,
    cash: 5_000,
    equity: 9_000,
    positions: [],
    fees: 4,
    barsProcessed: 2,
  });
  const res = await h.app.request("/metrics");
  assert.equal(res.status, 200);
  assert.match(res.headers.get("content-type") ?? "", /^text\/plain; version=0\.0\.4/);
  const text = await res.text();
  const line = (re: RegExp) => {
    const m = text.match(re);
    assert.ok(m, `no line matching ${re}`);
    return Number(m[1]);
  };
  assert.equal(line(/^tradebot_bars_total\{symbol="BTC\/USDT"\} (\S+)$/m), 1);
  assert.equal(line(/^tradebot_bar_to_decision_seconds_sum (\S+)$/m), 0.04);
  assert.equal(line(/^tradebot_bar_to_verdict_seconds_count (\S+)$/m), 1);
  assert.equal(line(/^tradebot_bar_to_verdict_seconds_sum (\S+)$/m), 0.3);
  assert.equal(line(/^tradebot_bar_to_verdict_seconds_bucket\{le="0.25"\} (\S+)$/m), 0);
  assert.equal(line(/^tradebot_bar_to_verdict_seconds_bucket\{le="0.5"\} (\S+)$/m), 1);
  assert.equal(line(/^tradebot_verdicts_total\{outcome="veto"\} (\S+)$/m), 1);
  assert.equal(line(/^tradebot_vetoes\{reason="halted"\} (\S+)$/m), 1);
  assert.equal(line(/^tradebot_equity (\S+)$/m), 9_000);
  assert.equal(line(/^tradebot_drawdown (\S+)$/m), -0.25);
  assert.equal(line(/^tradebot_trading_state\{state="ACTIVE"\} (\S+)$/m), 1);
  assert.equal(line(/^tradebot_trading_state\{state="HALTED"\} (\S+)$/m), 0);
  assert.equal(line(/^tradebot_agent_restarts\{agent="meta"\} (\S+)$/m), 2);
  assert.equal(line(/^tradebot_stream_length\{stream="md.bars"\} (\S+)$/m), 1);
});

Deno.test("/openapi.json documents every registered route and method, and nothing else", async () => {
  await using h = await setup();
  const doc = (await h.json("/openapi.json")).body;
  assert.equal(doc.openapi.slice(0, 2), "3.");
  const registered = new Set(
    h.app.routes
      .filter((r) => r.method !== "ALL")
      .map((r) => `${r.method.toLowerCase()} ${r.path.replace(/:(\w+)/g, "{$1}")}`),
  );
  const documented = new Set<string>();
  for (const [path, ops] of Object.entries(doc.paths as Record<string, object>)) {
    for (const method of Object.keys(ops)) documented.add(`${method} ${path}`);
  }
  assert.deepEqual([...registered].sort(), [...documented].sort());
  for (const path of ["/kill", "/resume", "/agents/{name}/restart"]) {
    assert.deepEqual(doc.paths[path].post.security, [{ bearer: [] }], path);
  }
});

Deno.test("/dashboard and its assets are served by the app, with no external URL", async () => {
  await using h = await setup();
  const page = await (await h.app.request("/dashboard")).text();
  assert.match(page, /data-initial-equity="10000"/);
  const srcs = [...page.matchAll(/src="([^"]+)"/g)].map((m) => m[1]);
  assert.deepEqual(srcs, ["/dashboard/lightweight-charts.js", "/dashboard/app.js"]);
  assert.ok(!/https?:\/\//.test(page));
  const lib = await h.app.request("/dashboard/lightweight-charts.js");
  assert.equal(lib.status, 200);
  const text = await lib.text();
  assert.match(text, /LightweightCharts/);
  assert.ok(text.length > 50_000);
  const app = await (await h.app.request("/dashboard/app.js")).text();
  assert.match(app, /new EventSource\("\/events"\)/);
});
