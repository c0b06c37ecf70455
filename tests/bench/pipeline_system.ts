// The whole bot for a benchmark phase: every agent as a worker on real Redis, under a
// namespace of its own, with a fresh database (temp SQLite file, or a PostgreSQL schema),
// and no feed: the benchmark publishes the bars itself. `close()` leaves nothing behind.
import pg from "pg";
import { parseConfig } from "../../shared/config/mod.ts";
import { RedisStreamsBus } from "../../shared/bus/redis_streams.ts";
import type { Bus } from "../../shared/bus/types.ts";
import { logger } from "../../shared/util/log.ts";
import { inputsOf } from "../../agents/registry.ts";
import { AGENTS, TradingSystem } from "../../supervisor/system.ts";

export const DEFAULT_REDIS_URL = "redis://127.0.0.1:6379";
export const DEFAULT_PG_URL = "postgres://postgres@127.0.0.1:5432/test";

export interface BenchTarget {
  redisUrl: string;
  /** null: a temp SQLite file; else the PostgreSQL server URL (a schema of its own is used). */
  pgUrl: string | null;
}

export interface BenchSystem {
  bus: Bus;
  system: TradingSystem;
  namespace: string;
  /** Shuts the agents down, deletes the namespace's streams and the database. Idempotent. */
  close(): Promise<void>;
}

/** Unique, and valid as a bus namespace and as a PostgreSQL schema name. */
export function uniqueName(label: string): string {
  return `bench_${label}_${Date.now().toString(36)}_${crypto.randomUUID().slice(0, 8)}`;
}

/** A database for one run: the URL to hand to the bot and how to delete it afterwards. */
export async function scratchDatabase(
  name: string,
  pgUrl: string | null,
): Promise<{ url: string; drop(): Promise<void> }> {
  if (pgUrl === null) {
    const dir = await Deno.makeTempDir({ prefix: `${name}-` });
    return {
      url: `sqlite:${dir}/bench.db`,
      drop: () => Deno.remove(dir, { recursive: true }).catch(() => {}),
    };
  }
  const u = new URL(pgUrl);
  u.searchParams.set("schema", name);
  return { url: u.toString(), drop: () => dropPgSchema(pgUrl, name) };
}

async function dropPgSchema(pgUrl: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: pgUrl });
  await client.connect();
  try {
    await client.query(`drop schema if exists "${schema}" cascade`);
  } finally {
    await client.end();
  }
}

export async function connectRedis(url: string, namespace: string): Promise<Bus> {
  try {
    return await RedisStreamsBus.connect({
      url,
      namespace,
      maxLen: 1_000_000,
      connectTimeoutMs: 3_000,
    });
  } catch (e) {
    throw new Error(
      `the pipeline benchmark needs a real Redis at REDIS_URL (${url}): ${(e as Error).message}`,
    );
  }
}

export async function startBenchSystem(label: string, target: BenchTarget): Promise<BenchSystem> {
  const namespace = uniqueName(label);
  const db = await scratchDatabase(namespace, target.pgUrl);
  const config = parseConfig({
    REDIS_URL: target.redisUrl,
    DATABASE_URL: db.url,
    BUS_NAMESPACE: namespace,
    LOG_LEVEL: "warn",
  });
  let bus: Bus;
  try {
    bus = await connectRedis(target.redisUrl, namespace);
  } catch (e) {
    await db.drop();
    throw e;
  }
  const system = new TradingSystem({
    config,
    bus,
    redisUrl: target.redisUrl,
    databaseUrl: db.url,
    replay: null,
    faults: {},
    log: logger(`bench.${label}`),
    admin: false,
    feed: false,
  });
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    try {
      await system.shutdown();
    } finally {
      await bus.destroy().catch(() => {});
      await bus.close().catch(() => {});
      await db.drop().catch(() => {});
    }
  };
  try {
    await system.start();
    await waitForConsumerGroups(bus, config.START_TIMEOUT_MS);
  } catch (e) {
    await close();
    throw e;
  }
  return { bus, system, namespace, close };
}

/** Every agent has created its consumer group on each of its input streams. */
async function waitForConsumerGroups(bus: Bus, timeoutMs: number): Promise<void> {
  const wanted = AGENTS.flatMap((agent) => inputsOf(agent).map((stream) => ({ agent, stream })));
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const missing: string[] = [];
    for (const { agent, stream } of wanted) {
      const info = await bus.info(stream);
      if (!info.groups.some((g) => g.group === agent)) missing.push(`${agent} on ${stream}`);
    }
    if (missing.length === 0) return;
    if (performance.now() > deadline) {
      throw new Error(`agents not subscribed after ${timeoutMs} ms: ${missing.join(", ")}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
