// Runs `deno task run --replay …` as a user would (a subprocess), with its own Redis
// namespace and PostgreSQL schema, and cleans both up afterwards.
import { createClient } from "redis";
import pg from "pg";
import { readFileSync } from "node:fs";
import type { ReplaySummary } from "../../supervisor/summary.ts";

export const REPO = new URL("../../", import.meta.url).pathname;
export const SHARED_DATA = new URL("../../../shared/data/", import.meta.url).pathname;
export const REDIS_URL = Deno.env.get("TEST_REDIS_URL") ?? "redis://127.0.0.1:6379";
export const PG_URL = Deno.env.get("TEST_POSTGRES_URL") ??
  "postgres://postgres@127.0.0.1:5432/test";

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
  summary: Summary | null;
}

export type Summary = ReplaySummary;

export interface RunOptions {
  replay: string[];
  /** News files or folders, each passed as --news. */
  news?: string[];
  env?: Record<string, string>;
  args?: string[];
  redis?: boolean;
  postgres?: boolean;
  timeoutMs?: number;
}

export function uniqueName(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
}

export async function runReplay(name: string, opts: RunOptions): Promise<RunResult> {
  const dir = await Deno.makeTempDir({ prefix: "replay-e2e-" });
  const summaryPath = `${dir}/summary.json`;
  const env: Record<string, string> = {
    BUS_NAMESPACE: name,
    LOG_LEVEL: "info",
    DOTENV_PATH: `${dir}/none.env`,
    ...(opts.redis ? { REDIS_URL } : {}),
    DATABASE_URL: opts.postgres ? `${PG_URL}?schema=${name}` : `sqlite:${dir}/replay.db`,
    ...opts.env,
  };
  const cmd = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-all",
      "supervisor/main.ts",
      ...opts.replay.flatMap((p) => ["--replay", p]),
      ...(opts.news ?? []).flatMap((p) => ["--news", p]),
      "--summary",
      summaryPath,
      "--no-admin",
      ...(opts.args ?? []),
    ],
    cwd: REPO,
    env,
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(opts.timeoutMs ?? 300_000),
  });
  const out = await cmd.output();
  let summary: Summary | null = null;
  try {
    summary = JSON.parse(readFileSync(summaryPath, "utf8"));
  } catch { /* no summary: the caller asserts on code and stderr */ }
  await Deno.remove(dir, { recursive: true });
  return {
    code: out.code,
    stdout: new TextDecoder().decode(out.stdout),
    stderr: new TextDecoder().decode(out.stderr),
    summary,
  };
}

/** Deletes the Redis keys and the PostgreSQL schema a run created. */
export async function cleanup(name: string): Promise<void> {
  const client = createClient({ url: REDIS_URL });
  await client.connect();
  for await (const keys of client.scanIterator({ MATCH: `${name}*`, COUNT: 1000 })) {
    if (keys.length > 0) await client.del(keys);
  }
  await client.quit();
  const pgc = new pg.Client({ connectionString: PG_URL });
  await pgc.connect();
  await pgc.query(`drop schema if exists "${name}" cascade`);
  await pgc.query(`drop schema if exists "replay" cascade`).catch(() => {});
  await pgc.end();
}

export async function pgCount(schema: string, table: string): Promise<number> {
  const pgc = new pg.Client({ connectionString: PG_URL });
  await pgc.connect();
  try {
    const r = await pgc.query(`select count(*)::int as n from "${schema}"."${table}"`);
    return r.rows[0].n as number;
  } finally {
    await pgc.end();
  }
}

/** The first `rows` data rows of a CSV (header kept), written to a temp file named `name`. */
export async function csvHead(source: string, rows: number, name: string): Promise<string> {
  const lines = readFileSync(source, "utf8").split("\n");
  const dir = await Deno.makeTempDir({ prefix: "replay-data-" });
  const path = `${dir}/${name}`;
  await Deno.writeTextFile(path, lines.slice(0, rows + 1).join("\n") + "\n");
  return path;
}
