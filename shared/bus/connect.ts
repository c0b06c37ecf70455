// Chooses the bus: Redis when a URL is given and answers in time, else the in-process bus,
// with the reason, which the caller prints loudly (a bot on the memory bus loses its
// streams when the process exits).
import { checkName, checkPositiveInt } from "./args.ts";
import { MemoryBus } from "./memory.ts";
import { RedisStreamsBus } from "./redis_streams.ts";
import type { Bus } from "./types.ts";
import { scrub } from "../util/log.ts";

export interface ConnectBusOptions {
  redisUrl?: string;
  namespace: string;
  maxLen: number;
  connectTimeoutMs: number;
}

export interface ConnectedBus {
  bus: Bus;
  /** Why the memory bus is used (null: Redis is). */
  fallbackReason: string | null;
}

export async function connectBus(opts: ConnectBusOptions): Promise<ConnectedBus> {
  checkName(opts.namespace, "namespace");
  checkPositiveInt(opts.maxLen, "maxLen");
  checkPositiveInt(opts.connectTimeoutMs, "connectTimeoutMs");
  const memory = () => new MemoryBus({ namespace: opts.namespace, maxLen: opts.maxLen });
  const url = opts.redisUrl?.trim();
  if (url === undefined || url === "") {
    return { bus: memory(), fallbackReason: "REDIS_URL is not set: using the in-process bus" };
  }
  try {
    const bus = await RedisStreamsBus.connect({
      url,
      namespace: opts.namespace,
      maxLen: opts.maxLen,
      connectTimeoutMs: opts.connectTimeoutMs,
    });
    return { bus, fallbackReason: null };
  } catch (e) {
    const error = scrub(e instanceof Error ? e.message : String(e));
    return {
      bus: memory(),
      fallbackReason: `Redis at ${
        redactUrl(url)
      } is unreachable (${error}): using the in-process bus`,
    };
  }
}

/** The URL without credentials, for messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.username !== "" || u.password !== "") {
      u.username = "";
      u.password = "";
    }
    return u.toString();
  } catch {
    return "(unparseable URL)";
  }
}
