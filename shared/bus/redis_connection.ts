// Opening Redis connections that fail fast and do not spam: the first connect either
// succeeds within the timeout or is abandoned for good (no background retries, no unhandled
// rejection); a connection lost later is retried a bounded number of times with backoff,
// logging once per outage rather than once per attempt.
import { createClient } from "redis";
import { logger } from "../util/log.ts";

const log = logger("bus.redis");

export type RedisClient = ReturnType<typeof createClient>;

export interface RedisConnectionOptions {
  url: string;
  connectTimeoutMs: number;
  /** Reconnection attempts after a connection that had worked is lost (default 10). */
  maxReconnectAttempts?: number;
  /** Shown in logs: which connection of the bus this is. */
  role: string;
}

/** Backoff of reconnection attempt `n` (0-based): 50 ms doubling, at most 2 s. */
export const reconnectDelayMs = (n: number): number => Math.min(2000, 50 * 2 ** n);

export async function openRedis(opts: RedisConnectionOptions): Promise<RedisClient> {
  if (!(opts.connectTimeoutMs > 0)) {
    throw new Error(`invalid connectTimeoutMs ${opts.connectTimeoutMs}: expected > 0`);
  }
  const maxAttempts = opts.maxReconnectAttempts ?? 10;
  let everReady = false;
  let outage = false;
  const client = createClient({
    url: opts.url,
    socket: {
      connectTimeout: opts.connectTimeoutMs,
      reconnectStrategy: (retries: number, cause: Error) => {
        if (!everReady) return cause;
        if (retries >= maxAttempts) {
          log.error("giving up reconnecting to Redis", { role: opts.role, attempts: retries });
          return new Error(`Redis connection lost after ${retries} reconnection attempts`);
        }
        return reconnectDelayMs(retries);
      },
    },
  });
  client.on("error", (e: Error) => {
    if (!everReady || outage) return; // the first failure is reported by the caller
    outage = true;
    log.warn("Redis connection lost; reconnecting", { role: opts.role, error: e.message });
  });
  client.on("ready", () => {
    if (outage) log.info("Redis connection restored", { role: opts.role });
    everReady = true;
    outage = false;
  });
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`no answer within ${opts.connectTimeoutMs} ms`)),
      opts.connectTimeoutMs,
    );
  });
  const connecting = client.connect();
  try {
    await Promise.race([connecting, timeout]);
    return client;
  } catch (e) {
    connecting.catch(() => {}); // settles after destroy(); nobody is waiting for it any more
    try {
      client.destroy();
    } catch { /* was not open */ }
    throw e;
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
}
