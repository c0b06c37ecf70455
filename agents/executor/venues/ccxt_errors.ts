// ccxt's exception classes → VenueError kinds. Classified by the prototype chain's class
// names so this module does not load ccxt.
import { VenueError, type VenueErrorKind } from "./types.ts";

/** Most specific first: the first class name found in the chain decides. */
const KIND_BY_CLASS: readonly [string, VenueErrorKind][] = [
  ["RequestTimeout", "timeout"],
  ["RateLimitExceeded", "rate_limited"],
  ["DDoSProtection", "rate_limited"],
  ["ExchangeNotAvailable", "server"],
  ["InvalidNonce", "network"],
  ["NetworkError", "network"],
  ["BadResponse", "server"],
  ["OperationFailed", "server"],
  ["OrderNotFound", "not_found"],
  ["AuthenticationError", "auth"],
  ["InsufficientFunds", "rejected"],
  ["InvalidOrder", "rejected"],
  ["MarketClosed", "market_closed"],
  ["OperationRejected", "rejected"],
  ["BadSymbol", "invalid"],
  ["ArgumentsRequired", "invalid"],
  ["NotSupported", "invalid"],
  ["BadRequest", "rejected"],
  ["ExchangeError", "rejected"],
];

function classChain(error: unknown): string[] {
  const chain: string[] = [];
  for (
    let p = error !== null && typeof error === "object" ? Object.getPrototypeOf(error) : null;
    p && p !== Object.prototype;
    p = Object.getPrototypeOf(p)
  ) {
    chain.push((p.constructor as { name?: string })?.name ?? "");
  }
  return chain;
}

/** Seconds from a Retry-After header value (delta-seconds or an HTTP date). */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | null {
  if (value === null || value === undefined || value.trim() === "") return null;
  const s = Number(value.trim());
  if (Number.isFinite(s) && s >= 0) return s;
  const at = Date.parse(value);
  return Number.isFinite(at) ? Math.max(0, (at - now) / 1000) : null;
}

/** Strips the secret-free but noisy "binance " prefix ccxt puts on messages. */
function venueMessage(error: Error, exchangeId: string): string {
  const m = error.message.startsWith(exchangeId + " ")
    ? error.message.slice(exchangeId.length + 1)
    : error.message;
  // ccxt appends the raw JSON body; prefer the venue's own "msg"/"message" when present.
  const json = /\{.*\}\s*$/.exec(m)?.[0];
  if (json) {
    try {
      const body = JSON.parse(json) as { msg?: unknown; message?: unknown; code?: unknown };
      const text = typeof body.msg === "string"
        ? body.msg
        : typeof body.message === "string"
        ? body.message
        : null;
      if (text !== null) return body.code !== undefined ? `${text} (code ${body.code})` : text;
    } catch { /* not JSON: keep the whole message */ }
  }
  return m;
}

/** Any error thrown by a ccxt call, as a VenueError; VenueErrors pass through unchanged. */
export function toVenueError(error: unknown, exchangeId: string, operation: string): VenueError {
  if (error instanceof VenueError) return error;
  const chain = classChain(error);
  const kind = KIND_BY_CLASS.find(([name]) => chain.includes(name))?.[1];
  if (kind === undefined || !(error instanceof Error)) {
    // Outside ccxt's hierarchy: a fetch failure surfaced raw, or a bug. Unknown means the
    // request may or may not have reached the venue, which is what "network" says.
    return new VenueError("network", `${exchangeId} ${operation}: ${String(error)}`);
  }
  const retryAfter = (error as { retryAfterS?: unknown }).retryAfterS;
  return new VenueError(
    kind,
    `${exchangeId} ${operation}: ${venueMessage(error, exchangeId)}`,
    typeof retryAfter === "number" ? retryAfter : null,
  );
}
