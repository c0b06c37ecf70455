// One typed configuration object, read from the environment (and .env, and an optional
// JSON file named by CONFIG_FILE), validated at start with errors that name the field.
import { z } from "zod";
import { readFileSync } from "node:fs";
import { parse as parseDotEnv } from "dotenv";

import { fraction, list, posInt } from "./fields.ts";
import { RISK_SETTINGS } from "./risk.ts";
import { OPERATOR_SETTINGS } from "./operator.ts";
import { VENUE_SETTINGS } from "./venue.ts";

export const ConfigSchema = z.object({
  REDIS_URL: z.string().url().optional(),
  DATABASE_URL: z.string().regex(/^(sqlite:.+|postgres(ql)?:\/\/.+)$/, {
    message: "expected sqlite:PATH or postgres://…",
  }).default("sqlite:data/bot.db"),
  ADMIN_HOST: z.string().default("127.0.0.1"),
  ADMIN_PORT: z.coerce.number().int().min(0).max(65535).default(8787),
  ADMIN_TOKEN: z.string().min(16, { message: "must be at least 16 characters" }).optional(),
  EXCHANGE: z.string().min(1).default("binance"),
  SYMBOLS: list("BTC/USDT,ETH/USDT"),
  TIMEFRAME: z.string().regex(/^\d+[mhdw]$/, { message: "expected e.g. 5m, 15m, 1h, 1d" })
    .default("1h"),
  TRADING_MODE: z.enum(["paper", "live"]).default("paper"),
  /** Kill switch: also close every open position (a kill command's `flatten` overrides it). */
  KILL_FLATTEN: z.union([z.boolean(), z.enum(["true", "false", "1", "0"])]).default(false)
    .transform((v) => v === true || v === "true" || v === "1"),
  /** How often the executor reconciles its orders, fills and balances with a real venue. */
  RECONCILE_INTERVAL_MS: posInt(60_000),
  /** Live trading needs TRADING_MODE=live and this set to exactly "yes". */
  LIVE_TRADING_CONFIRMED: z.string().optional(),
  INITIAL_CASH: z.coerce.number().finite().positive().default(10_000),
  FEE_BPS: z.coerce.number().finite().min(0).max(1000).default(10),
  SLIPPAGE_BPS: z.coerce.number().finite().min(0).max(1000).default(5),
  BUS_NAMESPACE: z.string().regex(/^[A-Za-z0-9_.-]+$/).default("tb"),
  STREAM_MAXLEN: posInt(1_000_000),
  MAX_DELIVERIES: posInt(5),
  CLAIM_IDLE_MS: posInt(5_000),
  HEARTBEAT_MS: posInt(500),
  HANG_TIMEOUT_MS: posInt(5_000),
  /** The ledger's step is a batch of up to 256 messages in one transaction: seconds under load. */
  LEDGER_HANG_TIMEOUT_MS: posInt(30_000),
  START_TIMEOUT_MS: posInt(60_000),
  RESTART_MAX: posInt(5),
  RESTART_WINDOW_S: posInt(60),
  RESTART_BACKOFF_MS: posInt(100),
  RESTART_BACKOFF_MAX_MS: posInt(5_000),
  SHUTDOWN_TIMEOUT_MS: posInt(5_000),
  META_DEADLINE_MS: posInt(15_000),
  /**
   * The same wait in a replay. Wall-clock time has no meaning for replayed bars: a stall of the
   * machine longer than META_DEADLINE_MS would turn decisions into holds and change the result.
   */
  REPLAY_META_DEADLINE_MS: posInt(600_000),
  META_MIN_CONFIDENCE: fraction(0.1),
  /** average | weighted | learned; unset: learned when --models holds meta.card.json, else weighted. */
  META_MODE: z.enum(["average", "weighted", "learned"]).optional(),
  META_MAX_DISAGREEMENT: fraction(0.6),
  FEED_WINDOW: posInt(256),
  VALIDATION_POLICY: z.enum(["reject", "drop"]).default("drop"),
  ...RISK_SETTINGS,
  ...OPERATOR_SETTINGS,
  ...VENUE_SETTINGS,
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error"]).default("info"),
}).superRefine((c, ctx) => {
  if (c.TRADING_MODE === "live" && c.LIVE_TRADING_CONFIRMED !== "yes") {
    ctx.addIssue({
      code: "custom",
      path: ["LIVE_TRADING_CONFIRMED"],
      message: "TRADING_MODE=live also needs LIVE_TRADING_CONFIRMED=yes (paper is the default)",
    });
  }
});

export type Config = z.infer<typeof ConfigSchema>;

/** Names whose values are secrets: never logged, masked in /agents and in errors. */
export const SECRET_KEYS = [
  "ADMIN_TOKEN",
  "REDIS_URL",
  "DATABASE_URL",
  "TELEGRAM_BOT_TOKEN",
  "TWILIO_AUTH_TOKEN",
  "EXCHANGE_API_KEY",
  "EXCHANGE_SECRET",
  "EXCHANGE_PASSWORD",
  "ALPACA_API_KEY",
  "ALPACA_API_SECRET",
] as const;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  ${problems.join("\n  ")}`);
  }
}

/** Validates raw key/value settings. Later sources override earlier ones. */
export function parseConfig(...sources: Record<string, unknown>[]): Config {
  const merged: Record<string, unknown> = {};
  for (const src of sources) {
    for (const [k, v] of Object.entries(src)) if (v !== undefined && v !== "") merged[k] = v;
  }
  const parsed = ConfigSchema.safeParse(merged);
  if (parsed.success) return parsed.data;
  throw new ConfigError(parsed.error.issues.map((i) => {
    const field = i.path.map(String).join(".") || "(root)";
    const given = merged[field];
    const shown = given === undefined
      ? "unset"
      : (SECRET_KEYS as readonly string[]).includes(field)
      ? "(secret)"
      : JSON.stringify(given);
    return `${field}: ${i.message} (got ${shown})`;
  }));
}

/** KEY=VALUE lines of a .env file (parsed by dotenv); a missing file is no settings. */
export function readDotEnv(path = ".env"): Record<string, string> {
  try {
    return parseDotEnv(readFileSync(path, "utf8"));
  } catch {
    return {};
  }
}

/** File < .env < process environment. */
export function loadConfig(env: Record<string, string> = Deno.env.toObject()): Config {
  const dotenv = readDotEnv(env.DOTENV_PATH ?? ".env");
  const fileName = env.CONFIG_FILE ?? dotenv.CONFIG_FILE;
  let file: Record<string, unknown> = {};
  if (fileName) {
    try {
      file = JSON.parse(readFileSync(fileName, "utf8"));
    } catch (e) {
      // A JSON syntax error quotes the text around it, and the file may hold secrets.
      const why = e instanceof SyntaxError
        ? `not valid JSON${/ at position \d+.*$/.exec(e.message)?.[0] ?? ""}`
        : (e as Error).message;
      throw new ConfigError([`CONFIG_FILE: cannot read ${fileName}: ${why}`]);
    }
    if (typeof file !== "object" || file === null || Array.isArray(file)) {
      throw new ConfigError([`CONFIG_FILE: ${fileName} must hold a JSON object of settings`]);
    }
  }
  return parseConfig(file, dotenv, env);
}

/** The configuration as it may be shown to an operator: secrets masked. */
export function redactedConfig(c: Config): Record<string, unknown> {
  const out: Record<string, unknown> = { ...c };
  for (const k of SECRET_KEYS) if (out[k] !== undefined) out[k] = "***";
  return out;
}
