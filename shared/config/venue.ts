// Where orders go: the paper exchange (default), a ccxt exchange, or Alpaca.
// EXCHANGE (the ccxt id) is a top-level setting shared with the live data feed.
import { z } from "zod";
import { posInt } from "./fields.ts";

/** "true"/"false"/"1"/"0"/"yes"/"no" (z.coerce.boolean would read "false" as true). */
const flag = (dflt: boolean) =>
  z.union([z.boolean(), z.enum(["true", "false", "1", "0", "yes", "no"])])
    .default(dflt)
    .transform((v) => v === true || v === "true" || v === "1" || v === "yes");

const httpUrl = z.string().regex(/^https?:\/\/[^/\s]+/, { message: "expected http(s)://host…" });

export const ALPACA_PAPER_URL = "https://paper-api.alpaca.markets";
export const ALPACA_LIVE_URL = "https://api.alpaca.markets";

export const VENUE_SETTINGS = {
  VENUE: z.enum(["paper", "ccxt", "alpaca"]).default("paper"),
  EXCHANGE_API_KEY: z.string().min(1).optional(),
  EXCHANGE_SECRET: z.string().min(1).optional(),
  EXCHANGE_PASSWORD: z.string().min(1).optional(),
  /** The exchange's sandbox/testnet; false means real money (needs the live opt-in). */
  EXCHANGE_SANDBOX: flag(true),
  /** Replaces the scheme+host of the exchange's REST urls (a proxy or a stand-in). */
  EXCHANGE_API_URL: httpUrl.optional(),
  ALPACA_API_KEY: z.string().min(1).optional(),
  ALPACA_API_SECRET: z.string().min(1).optional(),
  ALPACA_BASE_URL: httpUrl.default(ALPACA_PAPER_URL),
  /** Per-request timeout of venue calls. */
  VENUE_TIMEOUT_MS: posInt(10_000),
  /** Retries of a venue call (network, timeout, 429, 5xx) stop after this long, then alert. */
  VENUE_RETRY_DEADLINE_MS: posInt(60_000),
  VENUE_RETRY_BASE_MS: posInt(250),
  VENUE_RETRY_MAX_MS: posInt(10_000),
};
