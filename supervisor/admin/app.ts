// The admin API: inspection for anyone who can reach 127.0.0.1, changes only with the
// bearer token. Handlers are plain Request → Response functions composed by Hono.
import { Hono } from "hono";
import type { Context, Next } from "hono";
import { timingSafeEqual } from "node:crypto";
import type { Store } from "../../shared/storage/mod.ts";
import {
  appendAudit,
  countVetoesByReason,
  equityCurve,
  listAudit,
  listFills,
  listOrders,
  listPositions,
  listVetoes,
  StorageInputError,
} from "../../shared/storage/mod.ts";
import {
  countFills,
  countOrdersByStatus,
  equityPeak,
  listDecisionVerdicts,
} from "../../shared/storage/queries.ts";
import type { TradingState } from "../../shared/messages/mod.ts";
import type { Bus } from "../../shared/bus/types.ts";
import type { Config } from "../../shared/config/mod.ts";
import { Activity } from "./activity.ts";
import { AdminMetrics } from "./metrics.ts";
import { agentDetail, deadLetters, recentBars, recentSymbols, streamsView } from "./inspect.ts";
import { openApiDocument } from "./openapi.ts";
import { chartsLibrary, dashboardPage, dashboardScript } from "./assets.ts";
import { liveEvents } from "./events.ts";

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
  /** The bus itself: stream lengths, pending entries, dead letters, recent entries. */
  streams: Bus;
  /** The running configuration; shown per agent with its secrets masked. */
  config: Config;
  agents(): Promise<AgentView[]>;
  tradingState(): Promise<TradingState>;
  /** Publishes an operator command on ops.commands; resolves once it is on the bus. */
  command(command: "kill" | "resume", actor: string, reason: string): Promise<string>;
  restartAgent(name: string): boolean;
}

export interface AdminOptions {
  /** How often /events looks for news (default 1000 ms). */
  eventsIntervalMs?: number;
  /** Aborted when the server stops: open event streams end so shutdown does not wait. */
  signal?: AbortSignal;
}

/** A request's bad input: answered 400 with the message. */
export class AdminInputError extends Error {}

function tokenMatches(given: string, expected: string): boolean {
  const a = new TextEncoder().encode(given);
  const b = new TextEncoder().encode(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function limitOf(c: Context, dflt: number, max = 10_000): number {
  const raw = c.req.query("limit");
  if (raw === undefined) return dflt;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(n) || n < 1 || n > max) {
    throw new AdminInputError(`limit must be an integer in 1..${max}, got ${JSON.stringify(raw)}`);
  }
  return n;
}

function symbolOf(c: Context, required = false): string | undefined {
  const s = c.req.query("symbol");
  if (s === "" || (required && s === undefined)) {
    throw new AdminInputError("symbol is required (e.g. ?symbol=BTC/USDT)");
  }
  return s;
}

export function createAdminApp(deps: AdminDeps, opts: AdminOptions = {}): Hono {
  const app = new Hono();
  const db = deps.store.db;
  const activity = new Activity(deps.streams);
  const metrics = new AdminMetrics(activity);

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

  app.onError((err, c) => {
    const status = err instanceof AdminInputError || err instanceof StorageInputError ? 400 : 500;
    return c.json({ error: err.message }, status);
  });
  app.notFound((c) => c.json({ error: `no route ${c.req.method} ${c.req.path}` }, 404));

  app.get("/", (c) => c.redirect("/dashboard"));
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
  app.get("/agents/:name", async (c) => {
    const name = c.req.param("name");
    const view = (await deps.agents()).find((a) => a.name === name);
    if (view === undefined) return c.json({ error: `no agent '${name}'` }, 404);
    await activity.sync();
    return c.json(await agentDetail(view, deps.streams, activity, deps.config));
  });
  app.get("/positions", async (c) => c.json({ positions: await listPositions(db) }));
  app.get(
    "/orders",
    async (c) =>
      c.json({ orders: await listOrders(db, { limit: limitOf(c, 100), symbol: symbolOf(c) }) }),
  );
  app.get(
    "/fills",
    async (c) =>
      c.json({ fills: await listFills(db, { limit: limitOf(c, 100), symbol: symbolOf(c) }) }),
  );
  app.get(
    "/equity",
    async (c) => c.json({ equity: await equityCurve(db, { limit: limitOf(c, 1_000) }) }),
  );
  app.get("/decisions", async (c) =>
    c.json({
      decisions: await listDecisionVerdicts(db, { limit: limitOf(c, 50), symbol: symbolOf(c) }),
    }));
  app.get("/vetoes", async (c) =>
    c.json({
      vetoes: await listVetoes(db, { limit: limitOf(c, 100), symbol: symbolOf(c) }),
      by_reason: await countVetoesByReason(db),
    }));
  app.get(
    "/audit",
    async (c) => c.json({ audit: await listAudit(db, { limit: limitOf(c, 100) }) }),
  );
  app.get("/streams", async (c) => c.json({ streams: await streamsView(deps.streams) }));
  app.get(
    "/dead-letters",
    async (c) => c.json({ dead_letters: await deadLetters(deps.streams, limitOf(c, 50, 1_000)) }),
  );
  app.get("/symbols", async (c) => c.json({ symbols: await recentSymbols(deps.streams) }));
  app.get("/bars", async (c) =>
    c.json({
      bars: await recentBars(deps.streams, symbolOf(c, true) as string, limitOf(c, 1_000)),
    }));

  app.get("/metrics", async (c) => {
    await activity.sync();
    const [tradingState, agents, streams, ordersByStatus, vetoesByReason, fills, last, peak] =
      await Promise.all([
        deps.tradingState(),
        deps.agents(),
        streamsView(deps.streams),
        countOrdersByStatus(db),
        countVetoesByReason(db),
        countFills(db),
        equityCurve(db, { limit: 1 }),
        equityPeak(db),
      ]);
    const text = await metrics.render({
      tradingState,
      agents,
      streams,
      ordersByStatus,
      vetoesByReason,
      fills,
      equity: last[0] ?? null,
      peakEquity: peak === null ? null : Math.max(peak, deps.config.INITIAL_CASH),
    });
    return c.body(text, 200, { "content-type": metrics.contentType });
  });
  app.get("/openapi.json", (c) => c.json(openApiDocument()));

  app.get("/dashboard", (c) => c.html(dashboardPage(deps.config.INITIAL_CASH)));
  app.get(
    "/dashboard/app.js",
    (c) => c.body(dashboardScript(), 200, { "content-type": "text/javascript; charset=utf-8" }),
  );
  app.get("/dashboard/lightweight-charts.js", async (c) =>
    c.body(await chartsLibrary(), 200, {
      "content-type": "text/javascript; charset=utf-8",
      "cache-control": "max-age=3600",
    }));
  app.get("/events", (c) =>
    liveEvents(c, {
      activity,
      agents: deps.agents,
      tradingState: deps.tradingState,
      intervalMs: opts.eventsIntervalMs ?? 1_000,
      signal: opts.signal,
    }));

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
