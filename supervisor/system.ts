// The whole bot in one object: bus, storage, supervised agents, admin API, shutdown.
import type { Config } from "../shared/config/mod.ts";
import type { Bus } from "../shared/bus/types.ts";
import { serveBus } from "../shared/bus/remote.ts";
import { migrate, openDatabase, type Store } from "../shared/storage/mod.ts";
import {
  type Command,
  encode,
  makeEnvelope,
  messageId,
  STREAMS,
  type TradingState,
} from "../shared/messages/mod.ts";
import type { Logger } from "../shared/util/log.ts";
import type { FaultPlan } from "../agents/runtime/actor.ts";
import { snapshotKey } from "../agents/runtime/actor.ts";
import type { ReplayPlan, WorkerInit } from "../agents/runtime/protocol.ts";
import { inputsOf } from "../agents/registry.ts";
import { Supervisor } from "./supervisor.ts";
import { type LearnedModels, NO_MODELS } from "../agents/models.ts";
import type { ChildSpec } from "./spec.ts";
import { WorkerChild } from "./worker_child.ts";
import { type AgentView, createAdminApp } from "./admin/app.ts";
import { createStoreView, type OperatorChannels, startOperatorChannels } from "./operator/mod.ts";

/** Every agent the bot runs, in start order (consumers before the feed that drives them). */
export const AGENTS = [
  "ledger",
  "executor",
  "risk",
  "meta",
  "trend",
  "volatility",
  "regime",
] as const;
/** Agents whose view the meta agent waits for on every bar. */
export const EXPECTED_VIEWS = ["trend", "volatility", "regime"];

/** A replay with news runs the sentiment agent as well, and the meta agent waits for it. */
export function agentsFor(
  replay: ReplayPlan | null,
  models: LearnedModels = NO_MODELS,
): { agents: string[]; expected: string[] } {
  const news = (replay?.newsPaths ?? []).length > 0;
  const extra = [...(news ? ["sentiment"] : []), ...(models.pattern ? ["pattern"] : [])];
  return { agents: [...AGENTS, ...extra], expected: [...EXPECTED_VIEWS, ...extra] };
}

export interface SystemOptions {
  config: Config;
  bus: Bus;
  /** URL the agents use to reach Redis; null runs them on the in-process bus. */
  redisUrl: string | null;
  databaseUrl: string;
  replay: ReplayPlan | null;
  faults: Record<string, FaultPlan>;
  log: Logger;
  admin: boolean;
  /** false: no feed child; the caller publishes bars itself (benchmarks). Default true. */
  feed?: boolean;
  /** Trained models found by `findModels`; absent: the rule-based placeholders. */
  models?: LearnedModels;
  /** Start the Telegram bot and SMS alerts when configured (not for replays: no texts). */
  operator?: boolean;
}

export interface FeedDone {
  type: "feed_done";
  published: number;
  processed: number;
  symbols: string[];
  timeframe: string;
  firstClose: Record<string, number>;
  lastClose: Record<string, number>;
  firstTime: number;
  lastTime: number;
}

export class TradingSystem {
  readonly supervisor: Supervisor;
  store!: Store;
  #server: Deno.HttpServer | null = null;
  /** Ends the admin API's open event streams, so shutting its server down does not wait. */
  readonly #adminClosing = new AbortController();
  #operator: OperatorChannels | null = null;
  readonly feedDone = Promise.withResolvers<FeedDone>();
  readonly escalated = Promise.withResolvers<string>();

  constructor(readonly opts: SystemOptions) {
    const c = opts.config;
    this.supervisor = new Supervisor(
      {
        maxRestarts: c.RESTART_MAX,
        windowMs: c.RESTART_WINDOW_S * 1000,
        backoffBaseMs: c.RESTART_BACKOFF_MS,
        backoffMaxMs: c.RESTART_BACKOFF_MAX_MS,
        hangTimeoutMs: c.HANG_TIMEOUT_MS,
        startTimeoutMs: c.START_TIMEOUT_MS,
      },
      opts.log,
      (e) => {
        void this.#escalate(e.child, e.lastError);
      },
      (id, data) => {
        if (id === "feed" && (data as FeedDone)?.type === "feed_done") {
          this.feedDone.resolve(data as FeedDone);
        }
      },
    );
  }

  async start(): Promise<void> {
    const { opts } = this;
    this.store = await openDatabase(opts.databaseUrl);
    await migrate(this.store);
    const { agents, expected } = agentsFor(opts.replay, opts.models);
    const names: string[] = [...agents, ...(opts.feed === false ? [] : ["feed"])];
    const specs = names.map((name) => this.#spec(name, expected));
    this.supervisor.start(specs);
    if (opts.operator) {
      const c = opts.config;
      const view = createStoreView({
        store: this.store,
        agents: () => this.agentViews(),
        tradingState: () => this.tradingState(),
        mode: c.TRADING_MODE,
        initialCash: c.INITIAL_CASH,
        timeZone: c.ALERT_TIMEZONE,
      });
      this.#operator = await startOperatorChannels({
        config: c,
        bus: opts.bus,
        store: this.store,
        view,
        log: opts.log,
      });
    }
    if (opts.admin) this.#startAdmin();
  }

  #spec(name: string, expected: string[]): ChildSpec {
    const { opts } = this;
    return {
      id: name,
      // The replay feed ends normally at the end of its data: that is no reason to restart it.
      restart: name === "feed" ? "transient" : "permanent",
      shutdownMs: opts.config.SHUTDOWN_TIMEOUT_MS,
      ...(name === "ledger" ? { hangTimeoutMs: opts.config.LEDGER_HANG_TIMEOUT_MS } : {}),
      start: (incarnation) => {
        const base = {
          type: "init" as const,
          agent: name,
          incarnation,
          consumer: `${name}-1`,
          config: opts.config,
          fault: opts.faults[name],
          replay: opts.replay ?? undefined,
          expectedAgents: expected,
          modelsDir: opts.models?.dir ?? null,
        };
        if (opts.redisUrl !== null) {
          return new WorkerChild(name, { ...base, bus: { mode: "redis", url: opts.redisUrl } });
        }
        const channel = new MessageChannel();
        const server = serveBus(opts.bus, channel.port1);
        const init: WorkerInit = { ...base, bus: { mode: "remote", port: channel.port2 } };
        return new WorkerChild(name, init, [channel.port2], () => {
          server.close();
        });
      },
    };
  }

  async command(command: Command["command"], issuedBy: string, reason: string): Promise<string> {
    const now = Date.now();
    const id = messageId(issuedBy, "command", `${command}:${now}:${crypto.randomUUID()}`);
    const msg = makeEnvelope("command", { id, producer: "operator", time: now, corr: id }, {
      command,
      target: null,
      issuedBy,
      reason,
    });
    await this.opts.bus.publish(STREAMS.commands, encode(msg, STREAMS.commands));
    return id;
  }

  async tradingState(): Promise<TradingState> {
    const raw = await this.opts.bus.kvGet(snapshotKey("risk"));
    if (raw === null) return "ACTIVE";
    const s = JSON.parse(raw) as { tradingState?: TradingState };
    return s.tradingState ?? "ACTIVE";
  }

  async agentViews(): Promise<AgentView[]> {
    const infos = new Map<string, Awaited<ReturnType<Bus["info"]>>>();
    for (const stream of Object.values(STREAMS)) {
      infos.set(stream, await this.opts.bus.info(stream));
    }
    return this.supervisor.status().map((s) => ({
      name: s.id,
      state: s.state,
      incarnation: s.incarnation,
      restarts: s.restarts,
      last_heartbeat: s.lastHeartbeat === null ? null : new Date(s.lastHeartbeat).toISOString(),
      processed: s.processed,
      in_flight_ms: Math.round(s.inFlightMs),
      last_error: s.lastError,
      streams: inputsOf(s.id).map((stream) => {
        const g = infos.get(stream)?.groups.find((x) => x.group === s.id);
        return { stream, lag: g?.lag ?? null, pending: g?.pending ?? 0 };
      }),
    }));
  }

  #startAdmin(): void {
    const { config } = this.opts;
    const app = createAdminApp({
      token: config.ADMIN_TOKEN,
      bus: this.opts.bus.kind,
      mode: config.TRADING_MODE,
      store: this.store,
      streams: this.opts.bus,
      config,
      agents: () => this.agentViews(),
      tradingState: () => this.tradingState(),
      command: (cmd, actor, reason) => this.command(cmd, actor, reason),
      restartAgent: (name) => this.supervisor.restart(name),
    }, { signal: this.#adminClosing.signal });
    const telegram = this.#operator?.telegram;
    if (config.TELEGRAM_WEBHOOK_URL && telegram) {
      // Protected by Telegram's secret header, not by the admin bearer token.
      app.post(
        new URL(config.TELEGRAM_WEBHOOK_URL).pathname,
        (c) => telegram.webhookHandler(c.req.raw),
      );
    }
    this.#server = Deno.serve({
      hostname: config.ADMIN_HOST,
      port: config.ADMIN_PORT,
      onListen: ({ hostname, port }) =>
        this.opts.log.info("admin API listening", { url: `http://${hostname}:${port}` }),
    }, app.fetch);
  }

  get adminAddress(): Deno.NetAddr | null {
    return this.#server ? this.#server.addr as Deno.NetAddr : null;
  }

  async #escalate(child: string, lastError: string | null): Promise<void> {
    const now = Date.now();
    const alert = makeEnvelope("alert", {
      id: messageId("supervisor", "alert", `escalation:${child}:${now}`),
      producer: "supervisor",
      time: now,
      corr: `escalation:${child}`,
    }, {
      severity: "critical",
      code: "restart_intensity",
      message: `agent ${child} exceeded its restart intensity; trading halted`,
      details: { child, lastError },
    });
    try {
      await this.opts.bus.publish(STREAMS.alerts, encode(alert, STREAMS.alerts));
      await this.command("kill", "supervisor", `agent ${child} is crash-looping`);
    } catch (e) {
      this.opts.log.error("could not publish escalation", { error: (e as Error).message });
    }
    this.escalated.resolve(child);
  }

  /**
   * Waits until every consumer group has read and acknowledged everything; false when that
   * takes longer than `timeoutMs`, or when the backlog has not shrunk for `stallMs`.
   */
  async drain(timeoutMs: number, stallMs = timeoutMs): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    let best = Number.POSITIVE_INFINITY;
    let lastMove = Date.now();
    while (Date.now() < deadline) {
      let backlog = 0;
      for (const stream of Object.values(STREAMS)) {
        if (stream === STREAMS.heartbeats || stream === STREAMS.deadLetter) continue;
        const info = await this.opts.bus.info(stream);
        for (const g of info.groups) backlog += g.pending + (g.lag ?? 0);
      }
      if (backlog === 0) return true;
      if (backlog < best) {
        best = backlog;
        lastMove = Date.now();
      } else if (Date.now() - lastMove > stallMs) return false;
      await new Promise((r) => setTimeout(r, 50));
    }
    return false;
  }

  async shutdown(): Promise<void> {
    await this.supervisor.stop(["feed"]);
    await this.drain(this.opts.config.SHUTDOWN_TIMEOUT_MS);
    await this.supervisor.stop();
    this.#adminClosing.abort();
    if (this.#server) await this.#server.shutdown();
    await this.#operator?.stop();
    await this.store?.close();
  }
}
