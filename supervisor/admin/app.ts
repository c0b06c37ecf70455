// The admin API: inspection for anyone who can reach 127.0.0.1, changes only with the
// bearer token. Handlers are plain Request → Response functions composed by Hono.
import { Hono } from "hono";
import type { Context, Next } from "hono";
import { timingSafeEqual } from "node:crypto";
import type { Store } from "../../shared/storage/mod.ts";
import {
  appendAudit,
  equityCurve,
  listFills,
  listOrders,
  listPositions,
} from "../../shared/storage/mod.ts";
import type { TradingState } from "../../shared/messages/mod.ts";

export interface AgentView {
  name: string;
  state: string;
  incarnation: number;
  restarts: number;
  last_heartbeat: string | null;
  processed: number;
  in_flight_ms: number;
  last_error: string | null;
  streams: { stream: string; lag: number | null; pending: number }[];
}

export interface AdminDeps {
  token: string | undefined;
  bus: "redis" | "memory";
  mode: "paper" | "live";
  store: Store;
  agents(): Promise<AgentView[]>;
  tradingState(): Promise<TradingState>;
  /** Publishes an operator command on ops.commands; resolves once it is on the bus. */
  command(command: "kill" | "resume", actor: string, reason: string): Promise<string>;
  restartAgent(name: string): boolean;
}

function tokenMatches(given: string, expected: string): boolean {
  const a = new TextEncoder().encode(given);
  const b = new TextEncoder().encode(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function createAdminApp(deps: AdminDeps): Hono {
  const app = new Hono();
  const db = deps.store.db;

  const requireToken = async (c: Context, next: Next) => {
    const header = c.req.header("authorization") ?? "";
    const m = header.match(/^Bearer\s+(.+)$/i);
    if (!deps.token || !m || !tokenMatches(m[1].trim(), deps.token)) {
      c.header("WWW-Authenticate", 'Bearer realm="admin"');
      return c.json({
        error: deps.token
          ? "a valid bearer token is required"
          : "ADMIN_TOKEN is not set: changes through the admin API are disabled",
      }, 401);
    }
    await next();
  };

  const limitOf = (c: Context, dflt: number): number => {
    const raw = c.req.query("limit");
    const n = raw === undefined ? dflt : Number(raw);
    return Number.isInteger(n) && n > 0 && n <= 10_000 ? n : dflt;
  };

  app.onError((err, c) => c.json({ error: err.message }, 500));
  app.notFound((c) => c.json({ error: `no route ${c.req.method} ${c.req.path}` }, 404));

  app.get("/health", async (c) => {
    const agents = await deps.agents();
    const down = agents.filter((a) => a.state !== "running" && a.state !== "stopped");
    return c.json({
      status: down.length === 0 ? "ok" : "degraded",
      trading_state: await deps.tradingState(),
      mode: deps.mode,
      bus: deps.bus,
      db: deps.store.kind,
      agents_up: agents.filter((a) => a.state === "running").length,
      agents_total: agents.length,
    });
  });
  app.get("/agents", async (c) => c.json({ agents: await deps.agents() }));
  app.get("/positions", async (c) => c.json({ positions: await listPositions(db) }));
  app.get("/orders", async (c) =>
    c.json({
      orders: await listOrders(db, { limit: limitOf(c, 100), symbol: c.req.query("symbol") }),
    }));
  app.get("/fills", async (c) =>
    c.json({
      fills: await listFills(db, { limit: limitOf(c, 100), symbol: c.req.query("symbol") }),
    }));
  app.get(
    "/equity",
    async (c) => c.json({ equity: await equityCurve(db, { limit: limitOf(c, 1_000) }) }),
  );

  const audited = async (
    command: string,
    effect: string,
    args: Record<string, string>,
  ) => {
    await appendAudit(db, {
      time: Date.now(),
      actor: "admin-api",
      channel: "http",
      command,
      args,
      effect,
    });
  };

  app.post("/kill", requireToken, async (c) => {
    const reason = c.req.query("reason") ?? "kill switch (admin API)";
    const id = await deps.command("kill", "admin-api", reason);
    await audited("kill", `published ${id}`, { reason });
    return c.json({ accepted: true, command_id: id, trading_state: "HALTED" }, 202);
  });
  app.post("/resume", requireToken, async (c) => {
    const reason = c.req.query("reason") ?? "resume (admin API)";
    const id = await deps.command("resume", "admin-api", reason);
    await audited("resume", `published ${id}`, { reason });
    return c.json({ accepted: true, command_id: id }, 202);
  });
  app.post("/agents/:name/restart", requireToken, async (c) => {
    const name = c.req.param("name") ?? "";
    const ok = deps.restartAgent(name);
    await audited("restart", ok ? "restarting" : "no such agent", { agent: name });
    return ok
      ? c.json({ accepted: true, agent: name }, 202)
      : c.json({ error: `no agent '${name}'` }, 404);
  });
  return app;
}
