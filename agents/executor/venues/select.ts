// Builds the venue named by the configuration, wrapped in the retry policy.
//
//   VENUE=paper   (default) → null: the executor uses its paper exchange
//   VENUE=ccxt    → EXCHANGE (ccxt id) with EXCHANGE_API_KEY / _SECRET / _PASSWORD, on its
//                   sandbox/testnet unless EXCHANGE_SANDBOX=false; EXCHANGE_API_URL
//                   replaces the REST origin (proxy, stand-in)
//   VENUE=alpaca  → ALPACA_BASE_URL (paper by default) with ALPACA_API_KEY / _SECRET
//
// Real money (ccxt without sandbox, Alpaca outside paper-api) is refused unless
// TRADING_MODE=live and LIVE_TRADING_CONFIRMED=yes.
import type { Config } from "../../../shared/config/mod.ts";
import { ALPACA_PAPER_URL } from "../../../shared/config/venue.ts";
import { AlpacaVenue } from "./alpaca_venue.ts";
import { createCcxtClient } from "./ccxt_client.ts";
import { CcxtVenue } from "./ccxt_venue.ts";
import { type RetryEnv, withRetries } from "./retry.ts";
import type { Venue } from "./types.ts";

export type VenueConfig = Pick<
  Config,
  | "VENUE"
  | "EXCHANGE"
  | "EXCHANGE_API_KEY"
  | "EXCHANGE_SECRET"
  | "EXCHANGE_PASSWORD"
  | "EXCHANGE_SANDBOX"
  | "EXCHANGE_API_URL"
  | "ALPACA_API_KEY"
  | "ALPACA_API_SECRET"
  | "ALPACA_BASE_URL"
  | "TRADING_MODE"
  | "LIVE_TRADING_CONFIRMED"
  | "VENUE_TIMEOUT_MS"
  | "VENUE_RETRY_DEADLINE_MS"
  | "VENUE_RETRY_BASE_MS"
  | "VENUE_RETRY_MAX_MS"
  | "SYMBOLS"
>;

export class VenueConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "VenueConfigError";
  }
}

/** Whether this configuration would trade real money. */
export function isLiveVenue(c: VenueConfig): boolean {
  if (c.VENUE === "ccxt") return !c.EXCHANGE_SANDBOX;
  if (c.VENUE === "alpaca") return new URL(c.ALPACA_BASE_URL).origin !== ALPACA_PAPER_URL;
  return false;
}

/** Refuses what the configuration must not do; returns nothing when it may proceed. */
export function checkVenueConfig(c: VenueConfig): void {
  if (isLiveVenue(c) && !(c.TRADING_MODE === "live" && c.LIVE_TRADING_CONFIRMED === "yes")) {
    const what = c.VENUE === "ccxt"
      ? `${c.EXCHANGE} without its sandbox (EXCHANGE_SANDBOX=false)`
      : `Alpaca at ${c.ALPACA_BASE_URL} (not ${ALPACA_PAPER_URL})`;
    throw new VenueConfigError(
      `refusing to trade real money on ${what}: set TRADING_MODE=live and ` +
        "LIVE_TRADING_CONFIRMED=yes to confirm, or use the sandbox / paper endpoint",
    );
  }
  if (c.VENUE === "ccxt" && (!c.EXCHANGE_API_KEY || !c.EXCHANGE_SECRET)) {
    throw new VenueConfigError("VENUE=ccxt needs EXCHANGE_API_KEY and EXCHANGE_SECRET");
  }
  if (c.VENUE === "alpaca" && (!c.ALPACA_API_KEY || !c.ALPACA_API_SECRET)) {
    throw new VenueConfigError("VENUE=alpaca needs ALPACA_API_KEY and ALPACA_API_SECRET");
  }
  if (c.VENUE === "ccxt") quoteCurrencyOf(c.SYMBOLS);
}

/** The one quote currency of the traded ccxt symbols ("BTC/USDT,ETH/USDT" → USDT). */
export function quoteCurrencyOf(symbols: readonly string[]): string {
  const quotes = new Set(symbols.map((s) => s.split("/")[1]));
  const [quote] = quotes;
  if (quotes.size !== 1 || !quote) {
    throw new VenueConfigError(
      `SYMBOLS must be BASE/QUOTE pairs with one quote currency, got ${symbols.join(",")}`,
    );
  }
  return quote;
}

/**
 * The configured real venue with retries, or null for VENUE=paper (the executor's paper
 * exchange, agents/executor/venues/paper_venue.ts, is built by the executor itself).
 */
export async function selectVenue(c: VenueConfig, retryEnv: RetryEnv = {}): Promise<Venue | null> {
  checkVenueConfig(c);
  const policy = {
    deadlineMs: c.VENUE_RETRY_DEADLINE_MS,
    baseDelayMs: c.VENUE_RETRY_BASE_MS,
    maxDelayMs: c.VENUE_RETRY_MAX_MS,
  };
  switch (c.VENUE) {
    case "paper":
      return null;
    case "ccxt": {
      let exchange;
      try {
        exchange = await createCcxtClient({
          id: c.EXCHANGE,
          apiKey: c.EXCHANGE_API_KEY,
          secret: c.EXCHANGE_SECRET,
          password: c.EXCHANGE_PASSWORD,
          sandbox: c.EXCHANGE_SANDBOX,
          apiUrl: c.EXCHANGE_API_URL,
          timeoutMs: c.VENUE_TIMEOUT_MS,
        });
      } catch (e) {
        throw new VenueConfigError(`VENUE=ccxt: ${(e as Error).message}`);
      }
      return withRetries(
        new CcxtVenue(exchange, { quoteCurrency: quoteCurrencyOf(c.SYMBOLS) }),
        policy,
        retryEnv,
      );
    }
    case "alpaca":
      return withRetries(
        new AlpacaVenue({
          baseUrl: c.ALPACA_BASE_URL,
          keyId: c.ALPACA_API_KEY!,
          secretKey: c.ALPACA_API_SECRET!,
          timeoutMs: c.VENUE_TIMEOUT_MS,
        }),
        policy,
        retryEnv,
      );
  }
}
