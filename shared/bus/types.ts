// The message bus: Redis streams semantics, implemented twice (Redis, in-process).
// Both implementations must pass tests/contract/bus_contract.ts unchanged.

/** One entry handed to a consumer group member. */
export interface Delivery {
  stream: string;
  entryId: string;
  /** The encoded envelope (JSON) exactly as published. */
  raw: string;
  /** Times this entry has been delivered to the group, including this one (≥ 1). */
  deliveries: number;
}

export interface StreamEntry {
  stream: string;
  entryId: string;
  raw: string;
}

export interface PendingEntry {
  entryId: string;
  consumer: string;
  idleMs: number;
  deliveries: number;
}

export interface GroupInfo {
  group: string;
  consumers: number;
  /** Delivered to a member but not acknowledged yet. */
  pending: number;
  /** Entries in the stream not yet delivered to the group (null when unknown). */
  lag: number | null;
  lastDeliveredId: string;
}

export interface StreamInfo {
  stream: string;
  length: number;
  lastEntryId: string | null;
  groups: GroupInfo[];
}

export interface ReadGroupOptions {
  /** Max entries per call (over all streams). */
  count: number;
  /** How long to wait for new entries when none are available (0: do not block). */
  blockMs: number;
  /**
   * true: return this consumer's own pending entries (XREADGROUP … 0) instead of new ones;
   * used once at start so a restarted consumer finishes what it had in flight first.
   */
  pending?: boolean;
}

export interface Bus {
  readonly kind: "redis" | "memory";
  /** Key prefix of every stream and key this bus touches (tests use a unique one). */
  readonly namespace: string;
  /** XADD with approximate MAXLEN trimming; returns the entry id. */
  publish(stream: string, raw: string): Promise<string>;
  /** XGROUP CREATE … MKSTREAM; idempotent. startId "0" (default) delivers the whole stream. */
  ensureGroup(stream: string, group: string, startId?: "0" | "$"): Promise<void>;
  /** XREADGROUP over several streams; the result is in per-stream id order. */
  readGroup(
    group: string,
    consumer: string,
    streams: string[],
    opts: ReadGroupOptions,
  ): Promise<Delivery[]>;
  /** XACK; returns how many entries were acknowledged now. */
  ack(stream: string, group: string, entryIds: string[]): Promise<number>;
  /** XAUTOCLAIM of entries idle ≥ minIdleMs, with their delivery counts after the claim. */
  claimIdle(
    stream: string,
    group: string,
    consumer: string,
    minIdleMs: number,
    count: number,
  ): Promise<Delivery[]>;
  /** XPENDING (extended form), oldest first. */
  pending(stream: string, group: string, count?: number): Promise<PendingEntry[]>;
  /** XRANGE start..end inclusive ("-" and "+" for the ends). */
  range(stream: string, start?: string, end?: string, count?: number): Promise<StreamEntry[]>;
  /** XREAD without a group: entries after `afterId` ("$" = only new ones), blocking up to blockMs. */
  readAfter(
    cursors: { stream: string; afterId: string }[],
    count: number,
    blockMs: number,
  ): Promise<StreamEntry[]>;
  info(stream: string): Promise<StreamInfo>;
  /**
   * Publishes, stores one key and acknowledges as one atomic step (Redis: MULTI/EXEC), in
   * one round trip: the "effects durable, then ack" contract without a window between them.
   */
  commit(c: Commit): Promise<void>;
  kvGet(key: string): Promise<string | null>;
  kvSet(key: string, value: string): Promise<void>;
  /** Deletes every stream and key under this bus's namespace (tests, `--fresh` runs). */
  destroy(): Promise<void>;
  close(): Promise<void>;
}

export interface Commit {
  publish: { stream: string; raw: string }[];
  kv: { key: string; value: string } | null;
  ack: { stream: string; group: string; ids: string[] }[];
}

export interface BusOptions {
  namespace: string;
  /** Approximate MAXLEN per stream. */
  maxLen: number;
}
