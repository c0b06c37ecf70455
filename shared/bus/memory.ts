// The in-process bus: Redis streams semantics in one process (the whole bot runs on it when
// Redis is unreachable). Behaviour follows Redis 7.0, checked against a real server:
// - XREADGROUP ">" delivers entries after the group's last-delivered id, delivery count 1;
// - re-reading own pending entries (XREADGROUP … 0) increments their delivery count and
//   resets their idle time, as XAUTOCLAIM does;
// - pending entries whose stream entry was trimmed away are dropped from the pending list
//   when read or claimed (XAUTOCLAIM's "deleted ids"), with a warning;
// - a consumer exists once it got an entry or read its pending list.
// One difference: `lag` is always known here (Redis may report null after deletions).
import {
  checkBusOptions,
  checkCursorId,
  checkEntryIds,
  checkKvKey,
  checkLabel,
  checkName,
  checkNonNegative,
  checkPositiveInt,
  checkRaw,
  checkReadGroupOptions,
  checkStreams,
} from "./args.ts";
import {
  compareStreamIds,
  formatStreamId,
  parseRangeBound,
  parseStreamId,
  type StreamId,
  withinRange,
  ZERO_ID,
} from "./stream_ids.ts";
import type {
  Bus,
  BusOptions,
  Commit,
  Delivery,
  PendingEntry,
  ReadGroupOptions,
  StreamEntry,
  StreamInfo,
} from "./types.ts";
import { logger } from "../util/log.ts";

const log = logger("bus.memory");

interface MemEntry {
  id: StreamId;
  entryId: string;
  raw: string;
}

interface PendingRecord {
  id: StreamId;
  consumer: string;
  deliveredAt: number;
  deliveries: number;
}

interface MemGroup {
  lastDelivered: StreamId;
  /** Insertion order is id order: entries enter only through ">" reads, in id order. */
  pel: Map<string, PendingRecord>;
  consumers: Set<string>;
}

interface MemStream {
  /** Live entries are entries[head..]; trimming advances head, compaction is amortised. */
  entries: MemEntry[];
  head: number;
  lastId: StreamId;
  groups: Map<string, MemGroup>;
}

export interface MemoryBusOptions extends BusOptions {
  /** Wall clock for entry ids and idle times (tests inject one). */
  now?: () => number;
}

const DEFAULT_PENDING_COUNT = 1000;

export class MemoryBus implements Bus {
  readonly kind = "memory" as const;
  readonly namespace: string;
  readonly #maxLen: number;
  readonly #slack: number;
  readonly #now: () => number;
  #streams = new Map<string, MemStream>();
  #kv = new Map<string, string>();
  #waiters = new Map<string, Set<() => void>>();
  #closed = false;
  #rotation = 0;

  constructor(opts: MemoryBusOptions) {
    checkBusOptions(opts);
    this.namespace = opts.namespace;
    this.#maxLen = opts.maxLen;
    // Like Redis "~" trimming, whole chunks go at once: length stays in [maxLen, maxLen+slack).
    this.#slack = Math.max(1, Math.min(100, Math.floor(opts.maxLen / 10)));
    this.#now = opts.now ?? Date.now;
  }

  publish(stream: string, raw: string): Promise<string> {
    return this.#run(() => {
      checkName(stream, "stream");
      checkRaw(raw);
      const s = this.#stream(stream, true);
      const now = Math.max(0, Math.floor(this.#now()));
      const id = now > s.lastId.ms
        ? { ms: now, seq: 0 }
        : { ms: s.lastId.ms, seq: s.lastId.seq + 1 };
      s.lastId = id;
      const entryId = formatStreamId(id);
      s.entries.push({ id, entryId, raw });
      this.#trim(s);
      this.#wake(stream);
      return entryId;
    });
  }

  ensureGroup(stream: string, group: string, startId: "0" | "$" = "0"): Promise<void> {
    return this.#run(() => {
      checkName(stream, "stream");
      checkLabel(group, "group");
      if (startId !== "0" && startId !== "$") {
        throw new Error(`invalid startId ${JSON.stringify(startId)}: expected "0" or "$"`);
      }
      const s = this.#stream(stream, true);
      if (s.groups.has(group)) return;
      s.groups.set(group, {
        lastDelivered: startId === "$" ? s.lastId : ZERO_ID,
        pel: new Map(),
        consumers: new Set(),
      });
    });
  }

  async readGroup(
    group: string,
    consumer: string,
    streams: string[],
    opts: ReadGroupOptions,
  ): Promise<Delivery[]> {
    this.#checkOpen();
    checkLabel(group, "group");
    checkLabel(consumer, "consumer");
    checkStreams(streams);
    checkReadGroupOptions(opts);
    if (opts.pending === true) return this.#readOwnPending(group, consumer, streams, opts.count);
    const deadline = performance.now() + opts.blockMs;
    for (;;) {
      const got = this.#readNew(group, consumer, streams, opts.count);
      if (got.length > 0) return got;
      const left = deadline - performance.now();
      if (left <= 0 || this.#closed) return [];
      await this.#waitForPublish(streams, left);
      if (this.#closed) return [];
    }
  }

  ack(stream: string, group: string, entryIds: string[]): Promise<number> {
    return this.#run(() => {
      checkName(stream, "stream");
      checkLabel(group, "group");
      checkEntryIds(entryIds);
      const g = this.#streams.get(stream)?.groups.get(group);
      if (g === undefined) return 0;
      let acked = 0;
      for (const id of entryIds) if (g.pel.delete(id)) acked++;
      return acked;
    });
  }

  claimIdle(
    stream: string,
    group: string,
    consumer: string,
    minIdleMs: number,
    count: number,
  ): Promise<Delivery[]> {
    return this.#run(() => {
      checkName(stream, "stream");
      checkLabel(group, "group");
      checkLabel(consumer, "consumer");
      checkNonNegative(minIdleMs, "minIdleMs");
      checkPositiveInt(count, "count");
      const s = this.#stream(stream, false);
      const g = this.#group(s, stream, group);
      const now = this.#now();
      const out: Delivery[] = [];
      const gone: string[] = [];
      for (const [entryId, rec] of g.pel) {
        if (out.length >= count) break;
        if (now - rec.deliveredAt < minIdleMs) continue;
        const entry = s === undefined ? undefined : findEntry(s, rec.id);
        if (entry === undefined) {
          g.pel.delete(entryId);
          gone.push(entryId);
          continue;
        }
        rec.consumer = consumer;
        rec.deliveredAt = now;
        rec.deliveries++;
        out.push({ stream, entryId, raw: entry.raw, deliveries: rec.deliveries });
      }
      if (out.length > 0) g.consumers.add(consumer);
      if (gone.length > 0) warnGone(stream, group, gone);
      return out;
    });
  }

  pending(stream: string, group: string, count = DEFAULT_PENDING_COUNT): Promise<PendingEntry[]> {
    return this.#run(() => {
      checkName(stream, "stream");
      checkLabel(group, "group");
      checkPositiveInt(count, "count");
      const g = this.#group(this.#stream(stream, false), stream, group);
      const now = this.#now();
      const out: PendingEntry[] = [];
      for (const [entryId, rec] of g.pel) {
        if (out.length >= count) break;
        out.push({
          entryId,
          consumer: rec.consumer,
          idleMs: Math.max(0, now - rec.deliveredAt),
          deliveries: rec.deliveries,
        });
      }
      return out;
    });
  }

  range(stream: string, start = "-", end = "+", count?: number): Promise<StreamEntry[]> {
    return this.#run(() => {
      checkName(stream, "stream");
      const lo = parseRangeBound(start, "start");
      const hi = parseRangeBound(end, "end");
      if (count !== undefined) checkPositiveInt(count, "count");
      const s = this.#streams.get(stream);
      if (s === undefined) return [];
      const out: StreamEntry[] = [];
      const limit = count ?? Infinity;
      for (let i = firstAtOrAfter(s, lo.id); i < s.entries.length && out.length < limit; i++) {
        const e = s.entries[i];
        if (compareStreamIds(e.id, hi.id) > 0) break;
        if (withinRange(e.id, lo, hi)) out.push({ stream, entryId: e.entryId, raw: e.raw });
      }
      return out;
    });
  }

  async readAfter(
    cursors: { stream: string; afterId: string }[],
    count: number,
    blockMs: number,
  ): Promise<StreamEntry[]> {
    this.#checkOpen();
    if (!Array.isArray(cursors) || cursors.length === 0) {
      throw new Error("invalid cursors: expected a non-empty array of { stream, afterId }");
    }
    checkStreams(cursors.map((c) => c?.stream), "cursors");
    checkPositiveInt(count, "count");
    checkNonNegative(blockMs, "blockMs");
    // "$" is resolved once, at the call, as XREAD does.
    const resolved = cursors.map((c) => {
      const after = checkCursorId(c.afterId);
      const id = after === "$"
        ? (this.#streams.get(c.stream)?.lastId ?? ZERO_ID)
        : parseStreamId(after, "cursor id");
      return { stream: c.stream, after: id };
    });
    const deadline = performance.now() + blockMs;
    for (;;) {
      const got = this.#collectAfter(resolved, count);
      if (got.length > 0) return got;
      const left = deadline - performance.now();
      if (left <= 0 || this.#closed) return [];
      await this.#waitForPublish(resolved.map((c) => c.stream), left);
      if (this.#closed) return [];
    }
  }

  info(stream: string): Promise<StreamInfo> {
    return this.#run(() => {
      checkName(stream, "stream");
      const s = this.#streams.get(stream);
      if (s === undefined) return { stream, length: 0, lastEntryId: null, groups: [] };
      const length = s.entries.length - s.head;
      return {
        stream,
        length,
        lastEntryId: length > 0 ? s.entries[s.entries.length - 1].entryId : null,
        groups: [...s.groups].map(([name, g]) => ({
          group: name,
          consumers: g.consumers.size,
          pending: g.pel.size,
          lag: s.entries.length - firstAfter(s, g.lastDelivered),
          lastDeliveredId: formatStreamId(g.lastDelivered),
        })),
      };
    });
  }

  /** Validates everything first, then applies it all synchronously: atomic like MULTI/EXEC. */
  commit(c: Commit): Promise<void> {
    return this.#run(() => {
      for (const p of c.publish) {
        checkName(p.stream, "stream");
        checkRaw(p.raw);
      }
      if (c.kv) checkKvKey(c.kv.key);
      for (const a of c.ack) {
        checkName(a.stream, "stream");
        checkLabel(a.group, "group");
        checkEntryIds(a.ids);
      }
      // Each call below runs its body at once (see #run), so nothing interleaves.
      for (const p of c.publish) void this.publish(p.stream, p.raw);
      if (c.kv) void this.kvSet(c.kv.key, c.kv.value);
      for (const a of c.ack) void this.ack(a.stream, a.group, a.ids);
    });
  }

  kvGet(key: string): Promise<string | null> {
    return this.#run(() => this.#kv.get(checkKvKey(key)) ?? null);
  }

  kvSet(key: string, value: string): Promise<void> {
    return this.#run(() => {
      checkKvKey(key);
      if (typeof value !== "string") throw new Error(`invalid kv value for '${key}': not a string`);
      this.#kv.set(key, value);
    });
  }

  destroy(): Promise<void> {
    return this.#run(() => {
      this.#streams.clear();
      this.#kv.clear();
      // Blocked group reads fail (their group is gone), as Redis unblocks them with an error;
      // plain reads re-check and keep waiting.
      for (const stream of [...this.#waiters.keys()]) this.#wake(stream);
    });
  }

  close(): Promise<void> {
    this.#closed = true;
    for (const stream of [...this.#waiters.keys()]) this.#wake(stream);
    return Promise.resolve();
  }

  // ── internals ────────────────────────────────────────────────────────────────

  /** Runs a synchronous body as a promise: bad arguments become rejections, never throws. */
  #run<T>(body: () => T): Promise<T> {
    try {
      this.#checkOpen();
      return Promise.resolve(body());
    } catch (e) {
      return Promise.reject(e);
    }
  }

  #checkOpen(): void {
    if (this.#closed) throw new Error(`bus '${this.namespace}' is closed`);
  }

  #stream(name: string, create: true): MemStream;
  #stream(name: string, create: false): MemStream | undefined;
  #stream(name: string, create: boolean): MemStream | undefined {
    let s = this.#streams.get(name);
    if (s === undefined && create) {
      s = { entries: [], head: 0, lastId: ZERO_ID, groups: new Map() };
      this.#streams.set(name, s);
    }
    return s;
  }

  #group(s: MemStream | undefined, stream: string, group: string): MemGroup {
    const g = s?.groups.get(group);
    if (g === undefined) {
      throw new Error(`NOGROUP no consumer group '${group}' on stream '${stream}'`);
    }
    return g;
  }

  #trim(s: MemStream): void {
    const length = s.entries.length - s.head;
    if (length < this.#maxLen + this.#slack) return;
    s.head += length - this.#maxLen;
    if (s.head > 1024 && s.head * 2 > s.entries.length) {
      s.entries = s.entries.slice(s.head);
      s.head = 0;
    }
  }

  #readNew(group: string, consumer: string, streams: string[], count: number): Delivery[] {
    const groups = streams.map((name) => this.#group(this.#streams.get(name), name, group));
    const start = this.#rotation++ % streams.length;
    const now = this.#now();
    const out: Delivery[] = [];
    for (let k = 0; k < streams.length && out.length < count; k++) {
      const i = (start + k) % streams.length;
      const s = this.#streams.get(streams[i]) as MemStream;
      const g = groups[i];
      for (let j = firstAfter(s, g.lastDelivered); j < s.entries.length; j++) {
        if (out.length >= count) break;
        const e = s.entries[j];
        g.lastDelivered = e.id;
        g.pel.set(e.entryId, { id: e.id, consumer, deliveredAt: now, deliveries: 1 });
        g.consumers.add(consumer);
        out.push({ stream: streams[i], entryId: e.entryId, raw: e.raw, deliveries: 1 });
      }
    }
    return out;
  }

  #readOwnPending(group: string, consumer: string, streams: string[], count: number): Delivery[] {
    const groups = streams.map((name) => this.#group(this.#streams.get(name), name, group));
    const now = this.#now();
    const out: Delivery[] = [];
    streams.forEach((stream, i) => {
      const s = this.#streams.get(stream) as MemStream;
      const g = groups[i];
      g.consumers.add(consumer);
      const gone: string[] = [];
      for (const [entryId, rec] of g.pel) {
        if (out.length >= count) break;
        if (rec.consumer !== consumer) continue;
        const entry = findEntry(s, rec.id);
        if (entry === undefined) {
          g.pel.delete(entryId);
          gone.push(entryId);
          continue;
        }
        rec.deliveredAt = now;
        rec.deliveries++;
        out.push({ stream, entryId, raw: entry.raw, deliveries: rec.deliveries });
      }
      if (gone.length > 0) warnGone(stream, group, gone);
    });
    return out;
  }

  #collectAfter(cursors: { stream: string; after: StreamId }[], count: number): StreamEntry[] {
    const found: (StreamEntry & { id: StreamId; order: number })[] = [];
    cursors.forEach(({ stream, after }, order) => {
      const s = this.#streams.get(stream);
      if (s === undefined) return;
      const end = Math.min(s.entries.length, firstAfter(s, after) + count);
      for (let j = firstAfter(s, after); j < end; j++) {
        const e = s.entries[j];
        found.push({ stream, entryId: e.entryId, raw: e.raw, id: e.id, order });
      }
    });
    found.sort((a, b) => compareStreamIds(a.id, b.id) || a.order - b.order);
    return found.map(({ stream, entryId, raw }) => ({ stream, entryId, raw }));
  }

  /** Resolves on a publish to one of `streams`, on close, or after `ms`; never rejects. */
  #waitForPublish(streams: string[], ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        for (const s of streams) this.#waiters.get(s)?.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      for (const s of streams) {
        let set = this.#waiters.get(s);
        if (set === undefined) this.#waiters.set(s, set = new Set());
        set.add(wake);
      }
    });
  }

  #wake(stream: string): void {
    const set = this.#waiters.get(stream);
    if (set === undefined) return;
    this.#waiters.delete(stream);
    for (const wake of set) wake();
  }
}

/** Index of the first live entry with id > `after`. */
function firstAfter(s: MemStream, after: StreamId): number {
  let lo = s.head;
  let hi = s.entries.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareStreamIds(s.entries[mid].id, after) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Index of the first live entry with id ≥ `from`. */
function firstAtOrAfter(s: MemStream, from: StreamId): number {
  let lo = s.head;
  let hi = s.entries.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareStreamIds(s.entries[mid].id, from) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function findEntry(s: MemStream, id: StreamId): MemEntry | undefined {
  const i = firstAtOrAfter(s, id);
  const e = s.entries[i];
  return e !== undefined && compareStreamIds(e.id, id) === 0 ? e : undefined;
}

function warnGone(stream: string, group: string, ids: string[]): void {
  log.warn("pending entries were trimmed from the stream before being processed; dropped", {
    stream,
    group,
    entryIds: ids.slice(0, 20),
    count: ids.length,
  });
}
