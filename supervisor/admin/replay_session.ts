// A replay run in this process on the in-process bus, with the admin API up, that stays up
// after the data ends so the dashboard can be looked at: for the screenshot script and the
// browser test.
import { parseConfig } from "../../shared/config/mod.ts";
import { MemoryBus } from "../../shared/bus/mod.ts";
import { logger } from "../../shared/util/log.ts";
import { type FeedDone, TradingSystem } from "../system.ts";
import { type ReplaySummary, replaySummary } from "../summary.ts";

export interface ReplaySession {
  system: TradingSystem;
  bus: MemoryBus;
  feed: FeedDone;
  summary: ReplaySummary;
  /** http://127.0.0.1:PORT */
  url: string;
  close(): Promise<void>;
}

export interface ReplaySessionOptions {
  paths: string[];
  token: string;
  /** Settings on top of the defaults (e.g. INITIAL_CASH). */
  settings?: Record<string, string>;
  timeoutMs?: number;
}

export async function startReplaySession(o: ReplaySessionOptions): Promise<ReplaySession> {
  const dir = await Deno.makeTempDir({ prefix: "dashboard-replay-" });
  const namespace = `dash_${crypto.randomUUID().slice(0, 8)}`;
  const config = parseConfig({
    DATABASE_URL: `sqlite:${dir}/replay.db`,
    BUS_NAMESPACE: namespace,
    ADMIN_HOST: "127.0.0.1",
    ADMIN_PORT: "0",
    ADMIN_TOKEN: o.token,
    LOG_LEVEL: "warn",
    ...o.settings,
  });
  const bus = new MemoryBus({ namespace, maxLen: config.STREAM_MAXLEN });
  const system = new TradingSystem({
    config,
    bus,
    redisUrl: null,
    databaseUrl: config.DATABASE_URL,
    replay: { paths: o.paths, newsPaths: [], timeframe: null, speed: "max" },
    faults: {},
    log: logger("replay-session"),
    admin: true,
  });
  const close = async () => {
    await system.shutdown();
    await bus.close();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  };
  try {
    await system.start();
    const timeout = AbortSignal.timeout(o.timeoutMs ?? 240_000);
    const feed = await Promise.race([
      system.feedDone.promise,
      new Promise<never>((_, reject) =>
        timeout.addEventListener("abort", () => reject(new Error("the replay timed out")))
      ),
      system.escalated.promise.then((c) => {
        throw new Error(`agent ${c} kept crashing`);
      }),
    ]);
    if (!(await system.drain(Number.POSITIVE_INFINITY, 60_000))) {
      throw new Error("the agents stopped making progress before the records were complete");
    }
    const summary = await replaySummary(system.store, bus, feed, config.INITIAL_CASH);
    const addr = system.adminAddress;
    if (addr === null) throw new Error("the admin API did not start");
    return { system, bus, feed, summary, url: `http://127.0.0.1:${addr.port}`, close };
  } catch (e) {
    await close();
    throw e;
  }
}
