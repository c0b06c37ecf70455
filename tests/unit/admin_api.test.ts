// The admin API over fake supervisor/bus dependencies and a real in-memory SQLite store:
// reads are open, every change needs the bearer token and leaves an audit row.
import assert from "node:assert/strict";
import { type AdminDeps, type AgentView, createAdminApp } from "../../supervisor/admin/app.ts";
import {
  listAudit,
  migrate,
  openDatabase,
  type Store,
  upsertOrder,
  upsertPosition,
} from "../../shared/storage/mod.ts";
import type { TradingState } from "../../shared/messages/mod.ts";
import { MemoryBus } from "../../shared/bus/mod.ts";
import { parseConfig } from "../../shared/config/mod.ts";

const TOKEN = "correct-horse-battery-staple";

function agent(name: string, state: string): AgentView {
  return {
    name,
    state,
    incarnation: 0,
    restarts: 0,
    last_heartbeat: null,
    processed: 0,
    in_flight_ms: 0,
    last_error: null,
    streams: [],
  };
}

interface Harness {
  app: ReturnType<typeof createAdminApp>;
  store: Store;
  commands: { command: string; actor: string; reason: string }[];
  restarts: string[];
  [Symbol.asyncDispose](): Promise<void>;
}

async function harness(
  opts: { token?: string; agents?: AgentView[]; tradingState?: TradingState } = {},
): Promise<Harness> {
  const store = await openDatabase("sqlite::memory:");
  await migrate(store);
  const commands: Harness["commands"] = [];
  const restarts: string[] = [];
  const deps: AdminDeps = {
    token: "token" in opts ? opts.token : TOKEN,
    bus: "memory",
    mode: "paper",
    store,
    streams: new MemoryBus({ namespace: "admin-api-test", maxLen: 1_000 }),
    config: parseConfig({}),
    agents: () => Promise.resolve(opts.agents ?? [agent("trend", "running")]),
    tradingState: () => Promise.resolve(opts.tradingState ?? "ACTIVE"),
    command: (command, actor, reason) => {
      commands.push({ command, actor, reason });
      return Promise.resolve(`cmd-${commands.length}`);
    },
    restartAgent: (name) => {
      restarts.push(name);
      return name === "trend";
    },
  };
  return {
    app: createAdminApp(deps),
    store,
    commands,
    restarts,
    [Symbol.asyncDispose]: () => store.close(),
  };
}

const post = (h: Harness, path: string, authorization?: string) =>
  h.app.request(path, {
    method: "POST",
    headers: authorization === undefined ? {} : { authorization },
  });

const audit = (h: Harness) => listAudit(h.store.db, { limit: 100 });

Deno.test("GET /health reports status, trading state, bus and db", async () => {
  await using h = await harness({ tradingState: "REDUCING" });
  const res = await h.app.request("/health");
  assert.equal(res.status, 200);
  assert.match(res.headers.get("content-type") ?? "", /application\/json/);
  assert.deepEqual(await res.json(), {
    status: "ok",
    trading_state: "REDUCING",
    mode: "paper",
    bus: "memory",
    db: "sqlite",
    agents_up: 1,
    agents_total: 1,
  });
});

Deno.test("GET /health is degraded while an agent is restarting or escalated", async () => {
  await using h = await harness({
    agents: [agent("trend", "running"), agent("feed", "stopped"), agent("risk", "escalated")],
  });
  const body = await (await h.app.request("/health")).json();
  assert.equal(body.status, "degraded");
  assert.equal(body.agents_up, 1);
  assert.equal(body.agents_total, 3);
});

Deno.test("read routes answer without a token from the real store", async () => {
  await using h = await harness();
  await upsertPosition(h.store.db, {
    symbol: "BTC/USDT",
    quantity: 0.5,
    avgPrice: 100,
    lastPrice: 110,
  }, 1_700_000_000_000);
  await upsertOrder(h.store.db, {
    clientOrderId: "o1",
    symbol: "BTC/USDT",
    side: "buy",
    quantity: 0.5,
    status: "filled",
    reason: null,
    decisionId: "meta:decision:1",
  }, 1_700_000_000_000);
  const positions = await (await h.app.request("/positions")).json();
  assert.equal(positions.positions.length, 1);
  assert.equal(positions.positions[0].symbol, "BTC/USDT");
  assert.equal(positions.positions[0].quantity, 0.5);
  const orders = await (await h.app.request("/orders?symbol=BTC/USDT&limit=5")).json();
  assert.deepEqual(orders.orders.map((o: { clientOrderId: string }) => o.clientOrderId), ["o1"]);
  const none = await (await h.app.request("/orders?symbol=ETH/USDT")).json();
  assert.deepEqual(none.orders, []);
  assert.deepEqual(await (await h.app.request("/fills")).json(), { fills: [] });
  assert.deepEqual(await (await h.app.request("/equity")).json(), { equity: [] });
  const agents = await (await h.app.request("/agents")).json();
  assert.deepEqual(agents.agents.map((a: AgentView) => a.name), ["trend"]);
});

const CHANGES = ["/kill", "/resume", "/agents/trend/restart"] as const;

const REFUSED: { what: string; token: string | undefined; authorization: string | undefined }[] = [
  { what: "no Authorization header", token: TOKEN, authorization: undefined },
  { what: "a wrong token", token: TOKEN, authorization: "Bearer wrong-horse-battery-staple" },
  { what: "a prefix of the token", token: TOKEN, authorization: `Bearer ${TOKEN.slice(0, -1)}` },
  { what: "the token with another scheme", token: TOKEN, authorization: `Basic ${TOKEN}` },
  { what: "an empty bearer", token: TOKEN, authorization: "Bearer " },
  { what: "ADMIN_TOKEN unset, no header", token: undefined, authorization: undefined },
  { what: "ADMIN_TOKEN unset, some token", token: undefined, authorization: `Bearer ${TOKEN}` },
];

for (const path of CHANGES) {
  for (const r of REFUSED) {
    Deno.test(`POST ${path} with ${r.what} → 401 and nothing changes`, async () => {
      await using h = await harness({ token: r.token });
      const res = await post(h, path, r.authorization);
      assert.equal(res.status, 401);
      assert.match(res.headers.get("www-authenticate") ?? "", /^Bearer /);
      const body = await res.json();
      assert.equal(typeof body.error, "string");
      if (r.token === undefined) assert.match(body.error, /ADMIN_TOKEN is not set/);
      assert.deepEqual(h.commands, [], "a command was published");
      assert.deepEqual(h.restarts, [], "an agent was restarted");
      assert.deepEqual(await audit(h), [], "an audit row was written");
    });
  }
}

Deno.test("POST /kill with the token → 202, the command is published, and audited", async () => {
  await using h = await harness();
  const res = await post(h, "/kill?reason=drawdown%20alarm", `Bearer ${TOKEN}`);
  assert.equal(res.status, 202);
  assert.deepEqual(await res.json(), {
    accepted: true,
    command_id: "cmd-1",
    trading_state: "HALTED",
  });
  assert.deepEqual(h.commands, [{ command: "kill", actor: "admin-api", reason: "drawdown alarm" }]);
  const rows = await audit(h);
  assert.equal(rows.length, 1);
  assert.equal(rows[0].command, "kill");
  assert.equal(rows[0].effect, "published cmd-1");
  assert.equal(rows[0].actor, "admin-api");
  assert.equal(rows[0].channel, "http");
  assert.deepEqual(rows[0].args, { reason: "drawdown alarm" });
  assert.ok(Math.abs(rows[0].time - Date.now()) < 60_000);
});

Deno.test("POST /resume with the token (any case of 'bearer') → 202 and audited", async () => {
  await using h = await harness();
  const res = await post(h, "/resume", `bearer ${TOKEN}`);
  assert.equal(res.status, 202);
  assert.deepEqual(await res.json(), { accepted: true, command_id: "cmd-1" });
  assert.deepEqual(h.commands, [{
    command: "resume",
    actor: "admin-api",
    reason: "resume (admin API)",
  }]);
  const rows = await audit(h);
  assert.deepEqual(rows.map((r) => [r.command, r.effect]), [["resume", "published cmd-1"]]);
});

Deno.test("POST /agents/:name/restart with the token → 202 for a known agent, 404 otherwise; both audited", async () => {
  await using h = await harness();
  const ok = await post(h, "/agents/trend/restart", `Bearer ${TOKEN}`);
  assert.equal(ok.status, 202);
  assert.deepEqual(await ok.json(), { accepted: true, agent: "trend" });
  const missing = await post(h, "/agents/ghost/restart", `Bearer ${TOKEN}`);
  assert.equal(missing.status, 404);
  assert.deepEqual(await missing.json(), { error: "no agent 'ghost'" });
  assert.deepEqual(h.restarts, ["trend", "ghost"]);
  const rows = await audit(h); // newest first
  assert.deepEqual(
    rows.map((r) => [r.command, r.effect, r.args]),
    [
      ["restart", "no such agent", { agent: "ghost" }],
      ["restart", "restarting", { agent: "trend" }],
    ],
  );
});

Deno.test("unknown routes and wrong methods → 404 JSON naming the route", async () => {
  await using h = await harness();
  const res = await h.app.request("/nope");
  assert.equal(res.status, 404);
  assert.deepEqual(await res.json(), { error: "no route GET /nope" });
  const getKill = await h.app.request("/kill");
  assert.equal(getKill.status, 404);
  assert.deepEqual(await getKill.json(), { error: "no route GET /kill" });
  assert.deepEqual(h.commands, []);
});

Deno.test("a failing dependency → 500 JSON, and no audit row claims an effect", async () => {
  await using h = await harness();
  const app = createAdminApp({
    token: TOKEN,
    bus: "redis",
    mode: "paper",
    store: h.store,
    streams: new MemoryBus({ namespace: "admin-api-test", maxLen: 1_000 }),
    config: parseConfig({}),
    agents: () => Promise.reject(new Error("bus unreachable")),
    tradingState: () => Promise.resolve("ACTIVE"),
    command: () => Promise.reject(new Error("publish failed")),
    restartAgent: () => false,
  });
  const health = await app.request("/health");
  assert.equal(health.status, 500);
  assert.deepEqual(await health.json(), { error: "bus unreachable" });
  const kill = await app.request("/kill", {
    method: "POST",
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  assert.equal(kill.status, 500);
  assert.deepEqual(await kill.json(), { error: "publish failed" });
  assert.deepEqual(await audit(h), []);
});
