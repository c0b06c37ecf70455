// Retries around any Venue: exponential backoff with full jitter inside a deadline, at least
// the venue's Retry-After on 429, never for a final error (rejection, auth, invalid). A submit
// that failed in transit may have reached the venue, so before every resubmission the order
// is looked up by its client id: a retry never creates a second order.
import type { OrderType } from "../../../shared/messages/mod.ts";
import {
  type Venue,
  type VenueBalances,
  type VenueCapabilities,
  VenueError,
  type VenueFill,
  type VenueMarket,
  type VenueOrder,
  type VenueOrderRequest,
} from "./types.ts";

export interface RetryPolicy {
  /** No attempt starts later than this after the first. */
  readonly deadlineMs: number;
  /** Backoff cap of the first retry; doubles per attempt. */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

export interface RetryAttempt {
  readonly operation: string;
  /** The attempt that failed, from 1. */
  readonly attempt: number;
  readonly error: VenueError;
  /** Wait before the next attempt. */
  readonly delayMs: number;
}

export interface RetryEnv {
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  /** In [0, 1). */
  readonly random?: () => number;
  readonly onRetry?: (a: RetryAttempt) => void;
}

/**
 * Thrown when a retryable failure outlived the deadline: the caller raises an alert. `kind`
 * and `retryAfterS` are the last failure's; `exhausted` tells it apart from a first failure.
 */
export class VenueRetriesExhausted extends VenueError {
  readonly exhausted = true;
  constructor(
    readonly operation: string,
    readonly attempts: number,
    readonly elapsedMs: number,
    readonly lastError: VenueError,
  ) {
    super(
      lastError.kind,
      `${operation} still failing after ${attempts} attempts over ${elapsedMs} ms: ` +
        lastError.message,
      lastError.retryAfterS,
    );
    this.name = "VenueRetriesExhausted";
  }
}

export function validatePolicy(p: RetryPolicy): RetryPolicy {
  for (const [k, v] of Object.entries(p)) {
    if (!(Number.isFinite(v) && v >= 0)) {
      throw new Error(`retry policy: ${k} must be a number >= 0, got ${v}`);
    }
  }
  if (p.maxDelayMs < p.baseDelayMs) {
    throw new Error(`retry policy: maxDelayMs ${p.maxDelayMs} < baseDelayMs ${p.baseDelayMs}`);
  }
  return p;
}

/**
 * Wait before attempt `attempt + 1`: full jitter over min(max, base·2^(attempt−1)), and never
 * less than the venue's Retry-After.
 */
export function backoffDelay(
  policy: RetryPolicy,
  attempt: number,
  random: number,
  retryAfterS: number | null,
): number {
  const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  const jittered = Math.floor(random * cap);
  return retryAfterS === null ? jittered : Math.max(jittered, Math.ceil(retryAfterS * 1000));
}

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Runs `fn` until it succeeds, fails finally, or the deadline would be passed. */
export async function retrying<T>(
  operation: string,
  policy: RetryPolicy,
  env: RetryEnv,
  fn: (attempt: number) => Promise<T>,
): Promise<T> {
  const now = env.now ?? Date.now;
  const sleep = env.sleep ?? defaultSleep;
  const random = env.random ?? Math.random;
  const start = now();
  for (let attempt = 1;; attempt++) {
    try {
      return await fn(attempt);
    } catch (e) {
      if (!(e instanceof VenueError) || !e.retryable) throw e;
      const delayMs = backoffDelay(policy, attempt, random(), e.retryAfterS);
      const elapsed = now() - start;
      if (elapsed + delayMs > policy.deadlineMs) {
        throw new VenueRetriesExhausted(operation, attempt, elapsed, e);
      }
      env.onRetry?.({ operation, attempt, error: e, delayMs });
      await sleep(delayMs);
    }
  }
}

/** The venue with every call retried; submit looks its order up before each resubmission. */
export function withRetries(venue: Venue, policy: RetryPolicy, env: RetryEnv = {}): Venue {
  validatePolicy(policy);
  const run = <T>(op: string, fn: (attempt: number) => Promise<T>) =>
    retrying(`${venue.name} ${op}`, policy, env, fn);
  return {
    get name(): string {
      return venue.name;
    },
    get capabilities(): VenueCapabilities {
      return venue.capabilities;
    },
    markets: (symbols: readonly string[]): Promise<VenueMarket[]> =>
      run("markets", () => venue.markets(symbols)),
    submit: (r: VenueOrderRequest): Promise<VenueOrder> =>
      run(`submit ${r.clientOrderId}`, async (attempt) => {
        if (attempt > 1) {
          const existing = await venue.fetchOrder(r.clientOrderId, r.symbol);
          if (existing !== null) return existing;
        }
        return await venue.submit(r);
      }),
    cancel: (id: string, symbol: string): Promise<VenueOrder> =>
      run(`cancel ${id}`, () => venue.cancel(id, symbol)),
    fetchOrder: (id: string, symbol: string): Promise<VenueOrder | null> =>
      run(`fetchOrder ${id}`, () => venue.fetchOrder(id, symbol)),
    openOrders: (symbol?: string): Promise<VenueOrder[]> =>
      run("openOrders", () => venue.openOrders(symbol)),
    fills: (since: number, symbols: readonly string[]): Promise<VenueFill[]> =>
      run("fills", () => venue.fills(since, symbols)),
    balances: (): Promise<VenueBalances> => run("balances", () => venue.balances()),
    acceptsOrders: (now: number, type: OrderType): Promise<boolean> =>
      run("acceptsOrders", () => venue.acceptsOrders(now, type)),
    close: () => venue.close(),
  };
}
