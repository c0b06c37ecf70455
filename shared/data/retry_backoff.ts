// Bounded retries with exponential backoff (no jitter: jitter would need injected randomness
// and one poller per venue does not stampede).

export interface RetryOptions {
  /** Total attempts including the first; default 5. */
  readonly maxAttempts?: number;
  /** Delay after the first failure; doubles each time up to maxDelayMs. Default 1000. */
  readonly initialDelayMs?: number;
  /** Default 30000. */
  readonly maxDelayMs?: number;
}

export interface RetryHooks {
  readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly isRetryable: (error: unknown) => boolean;
  readonly onRetry?: (attempt: number, delayMs: number, error: unknown) => void;
  readonly signal?: AbortSignal;
}

export class RetriesExhaustedError extends Error {
  constructor(what: string, readonly attempts: number, override readonly cause: unknown) {
    super(`${what} failed after ${attempts} attempt(s): ${describeError(cause)}`);
    this.name = "RetriesExhaustedError";
  }
}

export function backoffDelayMs(failures: number, opts: RetryOptions = {}): number {
  const initial = opts.initialDelayMs ?? 1000;
  const max = opts.maxDelayMs ?? 30_000;
  return Math.min(max, initial * 2 ** (failures - 1));
}

export function validateRetryOptions(opts: RetryOptions): void {
  const { maxAttempts = 5, initialDelayMs = 1000, maxDelayMs = 30_000 } = opts;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) {
    throw new Error(`retry.maxAttempts must be an integer >= 1, got ${maxAttempts}`);
  }
  if (!(initialDelayMs >= 0) || !(maxDelayMs >= initialDelayMs)) {
    throw new Error(
      `retry delays must satisfy 0 <= initialDelayMs <= maxDelayMs, got ${initialDelayMs} and ${maxDelayMs}`,
    );
  }
}

/** Runs `fn` until it succeeds, a non-retryable error occurs, or attempts run out. */
export async function withRetry<T>(
  what: string,
  fn: () => Promise<T>,
  opts: RetryOptions,
  hooks: RetryHooks,
): Promise<T> {
  const maxAttempts = opts.maxAttempts ?? 5;
  for (let attempt = 1;; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if (!hooks.isRetryable(error)) throw error;
      if (attempt >= maxAttempts) throw new RetriesExhaustedError(what, attempt, error);
      if (hooks.signal?.aborted) throw error;
      const delay = backoffDelayMs(attempt, opts);
      hooks.onRetry?.(attempt, delay, error);
      await hooks.sleep(delay, hooks.signal);
    }
  }
}

export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
