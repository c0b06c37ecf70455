// `deno task run`: the bot. Paper trading on live public data by default; `--replay` runs
// the same agents over files (the backtest) and prints the statistics at the end.
import { parseArgs } from "node:util";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { ConfigError, loadConfig } from "../shared/config/mod.ts";
import type { Config } from "../shared/config/mod.ts";
import { connectBus } from "../shared/bus/connect.ts";
import { logger, registerSecret, setLogLevel } from "../shared/util/log.ts";
import { formatStatsColumns, formatStatsTable } from "../shared/stats/mod.ts";
import { parseDatabaseUrl } from "../shared/storage/mod.ts";
import { createCcxtExchange, probeExchange } from "../shared/data/mod.ts";
import type { FaultPlan } from "../agents/runtime/actor.ts";
import type { ReplayPlan } from "../agents/runtime/protocol.ts";
import { type FeedDone, TradingSystem } from "./system.ts";
import { formatRiskEvents, type ReplaySummary, replaySummary } from "./summary.ts";
import { findModels, inSampleOverlaps, type LearnedModels } from "../agents/models.ts";
import { readCard } from "../shared/learn/card.ts";
import { checkVenueConfig } from "../agents/executor/venues/select.ts";
import { operatorConfigProblems } from "../shared/config/operator.ts";
import { writeReplayReport } from "./report/html.ts";
import pg from "pg";

const USAGE = `usage: deno task run [options]
  --replay PATH      replay a data file or folder (repeatable); without it: live paper trading
  --news PATH        with --replay: publish the news of a file or folder (repeatable) between
                     the bars and run the sentiment agent
  --models DIR       serve the trained models in DIR (deno task train --out DIR) instead of
                     the rule-based trend/volatility/regime agents; pattern runs if present
  --timeframe TF     resample replay bars to TF (e.g. 15m from 5m files)
  --speed max|N      replay as fast as the agents go (default) or at N× real time
  --summary FILE     write the replay statistics, fills and equity curve as JSON
  --report FILE      write the replay as one HTML page (equity, drawdown, monthly returns,
                     trades, per-agent contribution)
  --compare FILE     print the statistics beside those of an earlier --summary FILE of the
                     same data (e.g. the placeholder rules beside --models DIR)
  --resume           continue an interrupted replay instead of starting it afresh
  --fault A:KIND@N   test hook: make agent A crash|hang after N messages (first run only)
  --no-admin         do not start the admin API
  --help`;

export interface CliOptions {
  replay: ReplayPlan | null;
  summary: string | null;
  /** `--compare FILE`: an earlier run's summary to show beside this one. */
  compare: string | null;
  /** `--report FILE`: the replay as one self-contained HTML page. */
  report: string | null;
  resume: boolean;
  faults: Record<string, FaultPlan>;
  admin: boolean;
  /** `--models DIR`: trained models to serve instead of the rule-based placeholders. */
  models: string | null;
}

export function parseCli(args: string[]): CliOptions {
  const { values } = parseArgs({
    args,
    options: {
      replay: { type: "string", multiple: true },
      news: { type: "string", multiple: true },
      models: { type: "string" },
      timeframe: { type: "string" },
      speed: { type: "string", default: "max" },
      summary: { type: "string" },
      compare: { type: "string" },
      report: { type: "string" },
      resume: { type: "boolean", default: false },
      fault: { type: "string", multiple: true },
      "no-admin": { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    console.log(USAGE);
    Deno.exit(0);
  }
  const speed = values.speed === "max" ? "max" : Number(values.speed);
  if (speed !== "max" && !(Number.isFinite(speed) && speed > 0)) {
    throw new Error(`--speed: expected "max" or a positive number, got ${values.speed}`);
  }
  const faults: Record<string, FaultPlan> = {};
  for (const f of values.fault ?? []) {
    const m = f.match(/^([a-z]+):(crash|hang)@(\d+)$/);
    if (!m) throw new Error(`--fault: expected AGENT:crash@N or AGENT:hang@N, got ${f}`);
    faults[m[1]] = { kind: m[2] as FaultPlan["kind"], afterMessages: Number(m[3]) };
  }
  const replayPaths = values.replay ?? [];
  const newsPaths = values.news ?? [];
  if (
    replayPaths.length === 0 &&
    (values.timeframe || values.summary || values.compare || values.report ||
      newsPaths.length > 0)
  ) {
    throw new Error(
      "--timeframe, --summary, --compare, --report and --news apply to --replay runs only",
    );
  }
  return {
    replay: replayPaths.length > 0
      ? { paths: replayPaths, newsPaths, timeframe: values.timeframe ?? null, speed }
      : null,
    summary: values.summary ?? null,
    compare: values.compare ?? null,
    report: values.report ?? null,
    resume: values.resume,
    faults,
    admin: !values["no-admin"],
    models: values.models ?? null,
  };
}

/**
 * A replay never writes into the live trading records: it gets its own bus namespace and,
 * unless DATABASE_URL names one explicitly, its own SQLite file (PostgreSQL: its own schema).
 */
export function replayConfig(config: Config, env: Record<string, string>): Config {
  const explicitDb = env.DATABASE_URL;
  let db = "sqlite:data/replay.db";
  if (explicitDb) {
    const target = parseDatabaseUrl(explicitDb);
    if (target.kind === "postgres" && target.schema === null) {
      const u = new URL(explicitDb);
      u.searchParams.set("schema", "replay");
      db = u.toString();
    } else db = explicitDb;
  }
  return { ...config, DATABASE_URL: db, BUS_NAMESPACE: `${config.BUS_NAMESPACE}.replay` };
}

async function dropReplayDatabase(url: string): Promise<void> {
  const target = parseDatabaseUrl(url);
  if (target.kind === "sqlite") {
    if (target.path !== ":memory:") {
      for (const suffix of ["", "-wal", "-shm"]) rmSync(target.path + suffix, { force: true });
    }
    return;
  }
  if (target.schema === null) {
    throw new Error("refusing to clear a PostgreSQL database without a schema");
  }
  const client = new pg.Client({ connectionString: target.connectionString });
  await client.connect();
  try {
    await client.query(`drop schema if exists "${target.schema}" cascade`);
  } finally {
    await client.end();
  }
}

async function main(): Promise<number> {
  const log = logger("main");
  let cli: CliOptions;
  let config: Config;
  try {
    cli = parseCli(Deno.args);
    config = loadConfig();
  } catch (e) {
    console.error(
      e instanceof ConfigError ? e.message : `error: ${(e as Error).message}\n${USAGE}`,
    );
    return 2;
  }
  setLogLevel(config.LOG_LEVEL);
  for (
    const s of [
      config.ADMIN_TOKEN,
      config.REDIS_URL,
      config.DATABASE_URL,
      config.TELEGRAM_BOT_TOKEN,
      config.TWILIO_AUTH_TOKEN,
    ]
  ) registerSecret(s);
  for (const s of [config.EXCHANGE_SECRET, config.EXCHANGE_PASSWORD, config.ALPACA_API_SECRET]) {
    registerSecret(s);
  }
  if (!cli.replay) {
    try {
      checkVenueConfig(config);
      const operatorProblems = operatorConfigProblems(config);
      if (operatorProblems.length > 0) throw new Error(operatorProblems.join("; "));
      if (config.TRADING_MODE === "live" && config.VENUE === "paper") {
        throw new Error("TRADING_MODE=live needs a real venue: set VENUE=ccxt or VENUE=alpaca");
      }
    } catch (e) {
      console.error(`error: ${(e as Error).message}`);
      return 2;
    }
  }
  if (cli.replay) config = replayConfig(config, Deno.env.toObject());
  else {
    // Live data: find out now, not through a crash-looping feed, that the exchange is there.
    try {
      const exchange = await createCcxtExchange(config.EXCHANGE, { timeoutMs: 10_000 });
      await probeExchange(exchange, 10_000, config.SYMBOLS);
    } catch (e) {
      console.error(`error: ${(e as Error).message}`);
      return 1;
    }
  }

  const { bus, fallbackReason } = await connectBus({
    redisUrl: config.REDIS_URL,
    namespace: config.BUS_NAMESPACE,
    maxLen: config.STREAM_MAXLEN,
    connectTimeoutMs: 2_000,
  });
  if (fallbackReason !== null) {
    console.error(
      "\n" + "!".repeat(78) + "\n" +
        `!! IN-PROCESS BUS: ${fallbackReason}\n` +
        "!! Agents talk through memory in this process; nothing survives a restart of the bot.\n" +
        "!! Set REDIS_URL=redis://127.0.0.1:6379 for durable streams.\n" +
        "!".repeat(78) + "\n",
    );
  }
  if (cli.replay && !cli.resume) {
    await bus.destroy();
    await dropReplayDatabase(config.DATABASE_URL);
  }
  const dbTarget = parseDatabaseUrl(config.DATABASE_URL);
  if (dbTarget.kind === "sqlite" && dbTarget.path !== ":memory:") {
    mkdirSync(dirname(dbTarget.path), { recursive: true });
  }

  let models: LearnedModels | undefined;
  try {
    models = cli.models === null ? undefined : findModels(cli.models);
  } catch (e) {
    console.error(`error: ${(e as Error).message}`);
    return 2;
  }
  const system = new TradingSystem({
    config,
    bus,
    redisUrl: fallbackReason === null ? config.REDIS_URL ?? null : null,
    databaseUrl: config.DATABASE_URL,
    replay: cli.replay,
    faults: cli.faults,
    log,
    admin: cli.admin,
    models,
    operator: cli.replay === null,
  });
  await system.start();
  log.info("bot started", {
    mode: config.TRADING_MODE,
    bus: bus.kind,
    db: system.store.kind,
    replay: cli.replay?.paths ?? null,
    news: cli.replay?.newsPaths ?? null,
  });

  const stopped = Promise.withResolvers<string>();
  const onSignal = (name: string) => () => stopped.resolve(name);
  Deno.addSignalListener("SIGINT", onSignal("SIGINT"));
  Deno.addSignalListener("SIGTERM", onSignal("SIGTERM"));

  const outcome = await Promise.race([
    system.feedDone.promise.then((f) => ({ kind: "done" as const, feed: f })),
    stopped.promise.then((s) => ({ kind: "signal" as const, name: s })),
    system.escalated.promise.then((c) => ({ kind: "escalated" as const, child: c })),
  ]);
  log.info("stopping", { why: outcome.kind });
  let exitCode = 0;
  if (outcome.kind === "done") {
    // The figures come from the database: wait until every record is in it.
    if (await system.drain(Number.POSITIVE_INFINITY, 60_000)) {
      exitCode = await report(system, outcome.feed, config, cli);
    } else {
      console.error("error: the agents stopped making progress before the records were complete");
      exitCode = 1;
    }
  } else if (outcome.kind === "escalated") {
    console.error(`stopping: agent ${outcome.child} kept crashing; trading was halted`);
    exitCode = 1;
  }
  await system.shutdown();
  await bus.close();
  return exitCode;
}

async function report(
  system: TradingSystem,
  feed: FeedDone,
  config: Config,
  cli: CliOptions,
): Promise<number> {
  const agents = cli.models === null ? "placeholder rules" : `models: ${cli.models}`;
  const summary = await replaySummary(
    system.store,
    system.opts.bus,
    feed,
    config.INITIAL_CASH,
    agents,
  );
  const inSample = system.opts.models
    ? await inSampleOverlaps(system.opts.models, feed.firstTime, feed.lastTime, readCard)
    : [];
  console.log(
    `\nReplay of ${
      feed.symbols.join(", ")
    } (${feed.timeframe}, ${summary.bars} bars of the common clock, ` +
      `${feed.published} bars in all)\n`,
  );
  let compareProblem: string | null = null;
  if (cli.compare) {
    const earlier = readComparable(cli.compare, summary);
    if (typeof earlier === "string") {
      compareProblem = earlier;
      console.log(formatStatsTable(summary));
    } else {
      console.log(formatStatsColumns([
        { title: earlier.agents, stats: earlier },
        { title: summary.agents, stats: summary },
      ]));
    }
  } else console.log(formatStatsTable(summary));
  console.log("\n" + formatRiskEvents(summary.risk_events));
  for (const o of inSample) {
    console.log(
      `\nWARNING: IN-SAMPLE. The ${o.agent} model was trained on ${o.trainedFrom.slice(0, 10)}` +
        ` .. ${o.trainedTo.slice(0, 10)}, which this replay covers: these figures flatter it.`,
    );
  }
  if (cli.summary) {
    mkdirSync(dirname(cli.summary), { recursive: true });
    writeFileSync(cli.summary, JSON.stringify({ ...summary, in_sample: inSample }, null, 2));
    console.log(`\nsummary written to ${cli.summary}`);
  }
  if (cli.report) {
    mkdirSync(dirname(cli.report), { recursive: true });
    await writeReplayReport(system.store, cli.report, summary);
    console.log(`report written to ${cli.report}`);
  }
  if (compareProblem !== null) {
    console.error(`error: --compare ${cli.compare}: ${compareProblem}`);
    return 2;
  }
  return 0;
}

/** The earlier summary when it describes a run over the same bars; else why not. */
export function readComparable(file: string, now: ReplaySummary): ReplaySummary | string {
  let earlier: ReplaySummary;
  try {
    earlier = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    return `cannot read it: ${(e as Error).message}`;
  }
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  const checks: [string, unknown, unknown][] = [
    ["symbols", earlier.symbols, now.symbols],
    ["timeframe", earlier.timeframe, now.timeframe],
    ["first bar", earlier.first_time, now.first_time],
    ["last bar", earlier.last_time, now.last_time],
    ["bars", earlier.bars, now.bars],
  ];
  const differ = checks.filter(([, a, b]) => !same(a, b));
  if (differ.length > 0) {
    return "not a run over the same data (" +
      differ.map(([what, a, b]) => `${what}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`)
        .join("; ") +
      ")";
  }
  return { ...earlier, agents: earlier.agents ?? "earlier run" };
}

if (import.meta.main) {
  Deno.exit(await main());
}
