// Live bars from a ccxt exchange by polling fetchOHLCV. The ClosedBarTracker decides what is
// emitted (closed bars only, each once, in order); this file does the I/O around it: paging,
// bounded retries with backoff, and sleeping until the next bar closes.
//
// After an error or a restart (with `resumeFrom` = the last emitted open times), the next
// fetch starts right after the last emitted bar, so an outage is backfilled without repeats.
import type { Exchange } from "ccxt";
import { logger } from "../util/log.ts";
import { type Candle, ClosedBarTracker, type LiveIssue, nextEmitTime } from "./live_bar_tracker.ts";
import type { RawBar } from "./raw_bar.ts";
import {
  describeError,
  type RetryOptions,
  validateRetryOptions,
  withRetry,
} from "./retry_backoff.ts";

/** The slice of a ccxt Exchange the poller uses (a ccxt instance satisfies it). */
export interface OhlcvExchange {
  readonly id?: string;
  fetchOHLCV(
    symbol: string,
    timeframe?: string,
    since?: number,
    limit?: number,
  ): Promise<readonly Candle[]>;
}

export interface CcxtPollerOptions {
  readonly exchange: OhlcvExchange;
  /** ccxt unified symbols, e.g. "BTC/USDT". */
  readonly symbols: readonly string[];
  /** ccxt timeframe, e.g. "1m", "1h". */
  readonly timeframe: string;
  readonly onBar: (bar: RawBar) => void | Promise<void>;
  /** Default: a warning in the structured log. */
  readonly onIssue?: (issue: LiveIssue) => void;
  /** Wall clock in ms; inject for determinism. Default Date.now. */
  readonly now?: () => number;
  /** A bar is emitted only once its close is this far in the past. Default 2000. */
  readonly graceMs?: number;
  /** Candles per request; default 500 (Binance's default, its maximum is 1000). */
  readonly pageLimit?: number;
  /** Requests per symbol per poll while backfilling; default 100. */
  readonly maxPagesPerPoll?: number;
  /** Open times of the last bars already delivered, per symbol (resume after a restart). */
  readonly resumeFrom?: Readonly<Record<string, number>>;
  /** For symbols without resumeFrom: open time of the first bar wanted. */
  readonly startFrom?: number;
  /** For symbols without resumeFrom or startFrom: closed bars to deliver at start. Default 1. */
  readonly initialBars?: number;
  readonly retry?: RetryOptions;
  /** Abortable sleep; inject in tests. */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

const log = logger("live-ccxt");

export class CcxtBarPoller {
  readonly #opts: CcxtPollerOptions;
  readonly #tracker: ClosedBarTracker;
  readonly #now: () => number;
  readonly #sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly #onIssue: (issue: LiveIssue) => void;
  readonly #pageLimit: number;
  readonly #maxPages: number;

  constructor(opts: CcxtPollerOptions) {
    if (opts.symbols.length === 0) throw new Error("CcxtBarPoller: symbols is empty");
    if (new Set(opts.symbols).size !== opts.symbols.length) {
      throw new Error(`CcxtBarPoller: symbols repeat: ${opts.symbols.join(", ")}`);
    }
    this.#pageLimit = positiveInt("pageLimit", opts.pageLimit ?? 500);
    this.#maxPages = positiveInt("maxPagesPerPoll", opts.maxPagesPerPoll ?? 100);
    positiveInt("initialBars", opts.initialBars ?? 1);
    if (
      opts.startFrom !== undefined && !(Number.isSafeInteger(opts.startFrom) && opts.startFrom >= 0)
    ) {
      throw new Error(
        `CcxtBarPoller: startFrom must be an epoch time in ms, got ${opts.startFrom}`,
      );
    }
    validateRetryOptions(opts.retry ?? {});
    for (const symbol of Object.keys(opts.resumeFrom ?? {})) {
      if (!opts.symbols.includes(symbol)) {
        throw new Error(`CcxtBarPoller: resumeFrom names ${symbol}, which is not in symbols`);
      }
    }
    this.#opts = opts;
    this.#tracker = new ClosedBarTracker(opts.timeframe, opts.graceMs ?? 2000, opts.resumeFrom);
    this.#now = opts.now ?? Date.now;
    this.#sleep = opts.sleep ?? abortableSleep;
    this.#onIssue = opts.onIssue ??
      ((issue) => log.warn(`live data issue: ${issue.message}`, { ...issue }));
  }

  /** Open time of the last delivered bar per symbol: persist it, pass it back as resumeFrom. */
  lastEmitted(): Record<string, number> {
    return this.#tracker.snapshot();
  }

  /** Fetches every symbol once (paging through any backlog) and delivers the closed bars. */
  async pollOnce(signal?: AbortSignal): Promise<RawBar[]> {
    const delivered: RawBar[] = [];
    for (const symbol of this.#opts.symbols) {
      if (signal?.aborted) break;
      delivered.push(...await this.#pollSymbol(symbol, signal));
    }
    return delivered;
  }

  /**
   * Polls until `signal` aborts, sleeping until the next bar closes. Rejects when a fetch
   * still fails after the bounded retries: the supervisor restarts it with `resumeFrom`.
   */
  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      await this.pollOnce(signal);
      if (signal.aborted) return;
      const now = this.#now();
      await this.#sleep(
        nextEmitTime(now, this.#tracker.timeframeMs, this.#tracker.graceMs) - now,
        signal,
      );
    }
  }

  async #pollSymbol(symbol: string, signal?: AbortSignal): Promise<RawBar[]> {
    const tracker = this.#tracker;
    const tf = tracker.timeframeMs;
    if (tracker.cursor(symbol) === undefined) {
      const latestOpen = Math.floor(this.#now() / tf) * tf;
      tracker.startAt(
        symbol,
        this.#opts.startFrom ?? latestOpen - (this.#opts.initialBars ?? 1) * tf,
      );
    }
    const delivered: RawBar[] = [];
    for (let page = 1;; page++) {
      const since = tracker.cursor(symbol);
      const candles = await withRetry(
        `${this.#opts.exchange.id ?? "exchange"} fetchOHLCV ${symbol} ${tracker.timeframe}`,
        () => this.#opts.exchange.fetchOHLCV(symbol, tracker.timeframe, since, this.#pageLimit),
        this.#opts.retry ?? {},
        {
          sleep: this.#sleep,
          isRetryable: isTransientCcxtError,
          signal,
          onRetry: (attempt, delayMs, error) =>
            this.#onIssue({
              symbol,
              kind: "retry",
              message: `fetchOHLCV attempt ${attempt} failed (${describeError(error)}); ` +
                `retrying in ${delayMs} ms`,
            }),
        },
      );
      const selection = tracker.select(symbol, candles, this.#now());
      for (const issue of selection.issues) this.#onIssue(issue);
      for (const bar of selection.bars) {
        await this.#opts.onBar(bar);
        tracker.markEmitted(symbol, bar.time);
        delivered.push(bar);
      }
      if (
        candles.length < this.#pageLimit || selection.bars.length === 0 || selection.reachedOpenBar
      ) return delivered;
      if (page >= this.#maxPages) {
        this.#onIssue({
          symbol,
          kind: "backfill-incomplete",
          message: `backlog larger than ${this.#maxPages} pages of ${this.#pageLimit}; ` +
            "continuing on the next poll",
        });
        return delivered;
      }
    }
  }
}

/**
 * ccxt's OperationFailed family (NetworkError, RequestTimeout, ExchangeNotAvailable,
 * RateLimitExceeded, BadResponse...) is transient; its ExchangeError family (BadSymbol,
 * AuthenticationError...) is not. Errors from outside ccxt are treated as transient: the
 * retries are bounded either way.
 */
export function isTransientCcxtError(error: unknown): boolean {
  const chain: string[] = [];
  for (
    let p = Object.getPrototypeOf(error ?? {});
    p && p !== Object.prototype;
    p = Object.getPrototypeOf(p)
  ) {
    chain.push((p.constructor as { name?: string })?.name ?? "");
  }
  if (chain.includes("OperationFailed")) return true;
  return !chain.includes("BaseError");
}

/** The slice of a ccxt Exchange the probe uses. */
export interface ProbeTarget {
  readonly id?: string;
  loadMarkets(reload?: boolean): Promise<Record<string, unknown>>;
}

/**
 * Fail-fast connectivity check before going live: loads the markets within `timeoutMs` and
 * checks the wanted symbols exist. The error names --replay as the offline alternative.
 */
export async function probeExchange(
  exchange: ProbeTarget,
  timeoutMs: number,
  symbols: readonly string[] = [],
): Promise<{ marketCount: number }> {
  if (!(Number.isFinite(timeoutMs) && timeoutMs > 0)) {
    throw new Error(`probeExchange: timeoutMs must be a positive number, got ${timeoutMs}`);
  }
  const name = exchange.id ?? "exchange";
  const call = exchange.loadMarkets(true); // reload: cached markets would prove nothing
  call.catch(() => {}); // it may settle after the timeout; its outcome is then irrelevant
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`no answer within ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  let markets: Record<string, unknown>;
  try {
    markets = await Promise.race([call, timeout]);
  } catch (error) {
    throw new Error(
      `cannot reach ${name} (loadMarkets: ${describeError(error)}). Live mode needs network ` +
        "access to the exchange; to run offline use --replay <file-or-folder> with local data.",
    );
  } finally {
    clearTimeout(timer);
  }
  const unknown = symbols.filter((s) => !(s in markets));
  if (unknown.length > 0) {
    throw new Error(`${name} does not list ${unknown.join(", ")}`);
  }
  return { marketCount: Object.keys(markets).length };
}

export interface CcxtExchangeOptions {
  /** Replace the scheme+host of every REST url with this origin (a proxy or a test server). */
  readonly apiOrigin?: string;
  /** Merged into the exchange's ccxt options (e.g. { fetchMarkets: { types: ["spot"] } }). */
  readonly options?: Record<string, unknown>;
  /** Default true. */
  readonly enableRateLimit?: boolean;
  /** Request timeout in ms (ccxt default 10000). */
  readonly timeoutMs?: number;
}

/** Creates a ccxt exchange by id ("binance"); ccxt is loaded on first use only. */
export async function createCcxtExchange(
  id: string,
  opts: CcxtExchangeOptions = {},
): Promise<Exchange> {
  const ccxt = (await import("ccxt")).default as unknown as Record<string, unknown> & {
    exchanges: string[];
  };
  if (!ccxt.exchanges.includes(id)) {
    throw new Error(`unknown ccxt exchange '${id}'`);
  }
  const Ctor = ccxt[id] as new (config: Record<string, unknown>) => Exchange;
  const exchange = new Ctor({
    enableRateLimit: opts.enableRateLimit ?? true,
    ...(opts.timeoutMs !== undefined ? { timeout: opts.timeoutMs } : {}),
    options: opts.options ?? {},
  });
  if (opts.apiOrigin !== undefined) {
    const origin = new URL(opts.apiOrigin).origin;
    exchange.urls.api = rewriteOrigins(exchange.urls.api, origin) as typeof exchange.urls.api;
  }
  return exchange;
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

function positiveInt(field: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`CcxtBarPoller: ${field} must be an integer >= 1, got ${value}`);
  }
  return value;
}

export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, Math.max(0, ms));
    signal?.addEventListener("abort", done, { once: true });
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
  });
}
