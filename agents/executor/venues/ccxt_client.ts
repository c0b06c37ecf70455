// Builds the ccxt exchange object behind a CcxtVenue: credentials, sandbox/testnet, an
// optional origin override of every REST url (a proxy or a stand-in), and two fixes to how
// ccxt classifies HTTP answers (see patchHttpErrors).
import type { Exchange } from "ccxt";
import { parseRetryAfter } from "./ccxt_errors.ts";
import { createVenueFetch } from "./http_fetch.ts";

export interface CcxtClientConfig {
  /** ccxt exchange id, e.g. "binance". */
  readonly id: string;
  readonly apiKey?: string;
  readonly secret?: string;
  readonly password?: string;
  /** Use the exchange's sandbox/testnet; refused when the exchange has none. */
  readonly sandbox: boolean;
  /** Replaces scheme+host of every REST url (after the sandbox switch). */
  readonly apiUrl?: string;
  readonly timeoutMs?: number;
  /** Default true (ccxt's own throttle). */
  readonly enableRateLimit?: boolean;
  /** Merged over the per-exchange defaults below. */
  readonly options?: Record<string, unknown>;
}

/** Spot-only defaults: no futures/margin endpoints, no private currency list at start. */
const EXCHANGE_OPTIONS: Record<string, Record<string, unknown>> = {
  binance: {
    defaultType: "spot",
    fetchMarkets: { types: ["spot"] },
    fetchCurrencies: false,
    fetchMargins: false,
    warnOnFetchOpenOrdersWithoutSymbol: false,
  },
};

type CcxtModule = Record<string, unknown> & { exchanges: string[] };
type ErrorCtor = new (message: string) => Error;

export async function createCcxtClient(cfg: CcxtClientConfig): Promise<Exchange> {
  const ccxt = (await import("ccxt")).default as unknown as CcxtModule;
  if (!ccxt.exchanges.includes(cfg.id)) {
    throw new Error(`unknown ccxt exchange '${cfg.id}' (EXCHANGE)`);
  }
  const Ctor = ccxt[cfg.id] as new (config: Record<string, unknown>) => Exchange;
  const exchange = new Ctor({
    apiKey: cfg.apiKey,
    secret: cfg.secret,
    password: cfg.password,
    enableRateLimit: cfg.enableRateLimit ?? true,
    ...(cfg.timeoutMs !== undefined ? { timeout: cfg.timeoutMs } : {}),
    options: { ...EXCHANGE_OPTIONS[cfg.id], ...cfg.options },
  });
  if (cfg.sandbox) {
    if (!exchange.urls?.test) {
      throw new Error(
        `${cfg.id} has no sandbox/testnet in ccxt; set EXCHANGE_SANDBOX=false only for live ` +
          "trading (which also needs TRADING_MODE=live and LIVE_TRADING_CONFIRMED=yes)",
      );
    }
    exchange.setSandboxMode(true);
  }
  if (cfg.apiUrl !== undefined) {
    const origin = new URL(cfg.apiUrl).origin;
    exchange.urls.api = rewriteOrigins(exchange.urls.api, origin) as typeof exchange.urls.api;
  }
  patchHttpErrors(exchange, ccxt);
  useSendOnceFetch(exchange);
  return exchange;
}

/**
 * ccxt lets an exchange's handleErrors classify an answer before the HTTP status is looked
 * at, and Binance's throws a plain ExchangeError (final) for any JSON {code,msg} it does not
 * know, even on a 5xx whose outcome is unknown. Here a 5xx is always ExchangeNotAvailable
 * (retryable) and a 429/418 carries the Retry-After header's seconds.
 */
export function patchHttpErrors(exchange: Exchange, ccxt: CcxtModule): void {
  const ex = exchange as unknown as {
    id: string;
    handleErrors: (
      code: number,
      reason: string,
      url: string,
      method: string,
      headers: Record<string, string>,
      body: string,
      ...rest: unknown[]
    ) => unknown;
  };
  const original = ex.handleErrors.bind(exchange);
  const NotAvailable = ccxt.ExchangeNotAvailable as ErrorCtor;
  const RateLimited = ccxt.RateLimitExceeded as ErrorCtor;
  ex.handleErrors = (code, reason, url, method, headers, body, ...rest) => {
    if (code === 429 || code === 418) {
      const e = new RateLimited(`${ex.id} ${code} ${reason} ${body ?? ""}`.trim());
      const retryAfter = parseRetryAfter(headers?.["Retry-After"] ?? headers?.["retry-after"]);
      Object.assign(e, { retryAfterS: retryAfter });
      throw e;
    }
    if (code >= 500 && code <= 599) {
      throw new NotAvailable(`${ex.id} ${code} ${reason} ${body ?? ""}`.trim());
    }
    return original(code, reason, url, method, headers, body, ...rest);
  };
}

/** Orders are written once by the HTTP layer (see http_fetch.ts); close() releases it. */
function useSendOnceFetch(exchange: Exchange): void {
  const vf = createVenueFetch();
  const ex = exchange as unknown as {
    fetchImplementation: unknown;
    close?: () => Promise<void>;
  };
  ex.fetchImplementation = vf.fetch;
  const closeExchange = ex.close?.bind(exchange);
  ex.close = async () => {
    vf.close();
    await closeExchange?.();
  };
}

function rewriteOrigins(value: unknown, origin: string): unknown {
  if (typeof value === "string") return value.replace(/^https?:\/\/[^/]+/, origin);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, rewriteOrigins(v, origin)]),
    );
  }
  return value;
}
