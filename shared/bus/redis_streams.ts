// The Redis bus: streams under `${namespace}:`, key-values under `${namespace}:kv:`.
// Non-blocking commands share one connection (node-redis pipelines concurrent calls);
// every blocking read borrows a dedicated connection from a small pool, so a reader that
// waits never delays a publish or an ack, and concurrent blocking reads are safe.
//
// Semantics worth knowing (Redis 7.0, the same in MemoryBus):
// - readGroup's `count` is over all streams (XREADGROUP's COUNT is per stream), so reads over
//   several streams run as one Lua script; when nothing is there a blocking XREAD on the
//   streams' last ids wakes the reader, which then reads again. The first stream served
//   rotates between calls, so one busy stream cannot starve the others.
// - readAfter's `count` is per stream, as XREAD's; the result is merged in id order.
// - Delivery counts: ">" reads give 1; re-reading own pending entries and XAUTOCLAIM both
//   increment the count (and reset idle); the count returned is the one after the read.
// - Pending entries whose data was trimmed away are acknowledged and dropped with a warning.
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
import { openRedis, type RedisClient } from "./redis_connection.ts";
import { CLAIM_IDLE, READ_GROUP, type Script } from "./redis_scripts.ts";
import { compareStreamIds, parseRangeBound, parseStreamId } from "./stream_ids.ts";
import type {
  Bus,
  BusOptions,
  Commit,
  Delivery,
  GroupInfo,
  PendingEntry,
  ReadGroupOptions,
  StreamEntry,
  StreamInfo,
} from "./types.ts";
import { logger } from "../util/log.ts";

const log = logger("bus.redis");

export interface RedisBusOptions extends BusOptions {
  url: string;
  connectTimeoutMs: number;
  maxReconnectAttempts?: number;
}

const DEFAULT_PENDING_COUNT = 1000;
const SCAN_BATCH = 500;

export class RedisStreamsBus implements Bus {
  readonly kind = "redis" as const;
  readonly namespace: string;
  readonly #opts: RedisBusOptions;
  readonly #main: RedisClient;
  readonly #idle: RedisClient[] = [];
  readonly #busy = new Set<RedisClient>();
  readonly #shas = new Map<string, string>();
  #closed = false;
  #rotation = 0;

  private constructor(main: RedisClient, opts: RedisBusOptions) {
    this.#main = main;
    this.#opts = opts;
    this.namespace = opts.namespace;
  }

  /** Connects (or rejects within connectTimeoutMs, leaving nothing running behind). */
  static async connect(opts: RedisBusOptions): Promise<RedisStreamsBus> {
    checkBusOptions(opts);
    const main = await openRedis({ ...opts, role: "main" });
    return new RedisStreamsBus(main, opts);
  }

  async publish(stream: string, raw: string): Promise<string> {
    this.#checkOpen();
    checkName(stream, "stream");
    checkRaw(raw);
    const args = ["XADD", this.#key(stream), "MAXLEN", "~", String(this.#opts.maxLen), "*"];
    return asString(await this.#main.sendCommand([...args, "raw", raw]), "XADD reply");
  }

  async ensureGroup(stream: string, group: string, startId: "0" | "$" = "0"): Promise<void> {
    this.#checkOpen();
    checkName(stream, "stream");
    checkLabel(group, "group");
    if (startId !== "0" && startId !== "$") {
      throw new Error(`invalid startId ${JSON.stringify(startId)}: expected "0" or "$"`);
    }
    try {
      await this.#main.sendCommand([
        "XGROUP",
        "CREATE",
        this.#key(stream),
        group,
        startId,
        "MKSTREAM",
      ]);
    } catch (e) {
      if (!(e instanceof Error && e.message.startsWith("BUSYGROUP"))) throw e;
    }
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
    if (opts.pending === true) {
      return (await this.#readScript(group, consumer, streams, opts.count, "0")).deliveries;
    }
    return this.#readGroupNew(group, consumer, streams, opts);
  }

  async ack(stream: string, group: string, entryIds: string[]): Promise<number> {
    this.#checkOpen();
    checkName(stream, "stream");
    checkLabel(group, "group");
    checkEntryIds(entryIds);
    if (entryIds.length === 0) return 0;
    const reply = await this.#main.sendCommand(["XACK", this.#key(stream), group, ...entryIds]);
    return asNumber(reply, "XACK reply");
  }

  async claimIdle(
    stream: string,
    group: string,
    consumer: string,
    minIdleMs: number,
    count: number,
  ): Promise<Delivery[]> {
    this.#checkOpen();
    checkName(stream, "stream");
    checkLabel(group, "group");
    checkLabel(consumer, "consumer");
    checkNonNegative(minIdleMs, "minIdleMs");
    checkPositiveInt(count, "count");
    const args = [group, consumer, String(Math.ceil(minIdleMs)), String(count)];
    const reply = asArray(await this.#eval(CLAIM_IDLE, [this.#key(stream)], args), "claim reply");
    const claimed = asArray(reply[0], "claimed entries").map((item): Delivery => {
      const [entryId, raw, n] = asArray(item, "claimed entry");
      return {
        stream,
        entryId: asString(entryId, "entry id"),
        raw: asString(raw, "raw"),
        deliveries: asNumber(n, "delivery count"),
      };
    });
    const dropped = asArray(reply[1], "dropped ids").map((id) => asString(id, "entry id"));
    if (dropped.length > 0) warnDropped(stream, group, dropped);
    return claimed;
  }

  async pending(
    stream: string,
    group: string,
    count = DEFAULT_PENDING_COUNT,
  ): Promise<PendingEntry[]> {
    this.#checkOpen();
    checkName(stream, "stream");
    checkLabel(group, "group");
    checkPositiveInt(count, "count");
    const reply = await this.#main.sendCommand([
      "XPENDING",
      this.#key(stream),
      group,
      "-",
      "+",
      String(count),
    ]);
    return asArray(reply, "XPENDING reply").map((item) => {
      const [entryId, consumer, idle, n] = asArray(item, "XPENDING entry");
      return {
        entryId: asString(entryId, "entry id"),
        consumer: asString(consumer, "consumer"),
        idleMs: asNumber(idle, "idle"),
        deliveries: asNumber(n, "delivery count"),
      };
    });
  }

  async range(stream: string, start = "-", end = "+", count?: number): Promise<StreamEntry[]> {
    this.#checkOpen();
    checkName(stream, "stream");
    parseRangeBound(start, "start");
    parseRangeBound(end, "end");
    const args = ["XRANGE", this.#key(stream), start, end];
    if (count !== undefined) args.push("COUNT", String(checkPositiveInt(count, "count")));
    return parseEntries(stream, await this.#main.sendCommand(args));
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
    const ids = cursors.map((c) => checkCursorId(c.afterId));
    checkPositiveInt(count, "count");
    checkNonNegative(blockMs, "blockMs");
    const keys = cursors.map((c) => this.#key(c.stream));
    const head = ["XREAD", "COUNT", String(count)];
    const block = Math.ceil(blockMs);
    const reply = block > 0
      ? await this.#blocking([...head, "BLOCK", String(block), "STREAMS", ...keys, ...ids])
      : await this.#main.sendCommand([...head, "STREAMS", ...keys, ...ids]);
    return this.#parseMultiStream(reply).flatMap((e) =>
      e.raw === null ? [] : [{ stream: e.stream, entryId: e.entryId, raw: e.raw }]
    );
  }

  async info(stream: string): Promise<StreamInfo> {
    this.#checkOpen();
    checkName(stream, "stream");
    const key = this.#key(stream);
    let streamReply: unknown;
    let groupsReply: unknown;
    try {
      [streamReply, groupsReply] = await Promise.all([
        this.#main.sendCommand(["XINFO", "STREAM", key]),
        this.#main.sendCommand(["XINFO", "GROUPS", key]),
      ]);
    } catch (e) {
      if (e instanceof Error && /no such key/i.test(e.message)) {
        return { stream, length: 0, lastEntryId: null, groups: [] };
      }
      throw e;
    }
    const fields = pairs(streamReply, "XINFO STREAM reply");
    const lastEntry = fields.get("last-entry");
    const groups = asArray(groupsReply, "XINFO GROUPS reply").map((g): GroupInfo => {
      const f = pairs(g, "XINFO GROUPS entry");
      const lag = f.get("lag");
      return {
        group: asString(f.get("name"), "group name"),
        consumers: asNumber(f.get("consumers"), "consumers"),
        pending: asNumber(f.get("pending"), "pending"),
        lag: lag === null || lag === undefined ? null : asNumber(lag, "lag"),
        lastDeliveredId: asString(f.get("last-delivered-id"), "last-delivered-id"),
      };
    });
    return {
      stream,
      length: asNumber(fields.get("length"), "length"),
      lastEntryId: Array.isArray(lastEntry) ? asString(lastEntry[0], "last entry id") : null,
      groups,
    };
  }

  async kvGet(key: string): Promise<string | null> {
    this.#checkOpen();
    const reply = await this.#main.sendCommand(["GET", this.#kvKey(key)]);
    return reply === null ? null : asString(reply, "GET reply");
  }

  /** MULTI/EXEC: the outputs, the snapshot and the acknowledgements land together or not at all. */
  async commit(c: Commit): Promise<void> {
    this.#checkOpen();
    const multi = this.#main.multi();
    for (const p of c.publish) {
      checkName(p.stream, "stream");
      checkRaw(p.raw);
      multi.addCommand([
        "XADD",
        this.#key(p.stream),
        "MAXLEN",
        "~",
        String(this.#opts.maxLen),
        "*",
        "raw",
        p.raw,
      ]);
    }
    if (c.kv) multi.addCommand(["SET", this.#kvKey(c.kv.key), c.kv.value]);
    for (const a of c.ack) {
      checkEntryIds(a.ids);
      if (a.ids.length > 0) multi.addCommand(["XACK", this.#key(a.stream), a.group, ...a.ids]);
    }
    await multi.exec();
  }

  async kvSet(key: string, value: string): Promise<void> {
    this.#checkOpen();
    if (typeof value !== "string") throw new Error(`invalid kv value for '${key}': not a string`);
    await this.#main.sendCommand(["SET", this.#kvKey(key), value]);
  }

  async destroy(): Promise<void> {
    this.#checkOpen();
    let cursor = "0";
    do {
      const reply = asArray(
        await this.#main.sendCommand([
          "SCAN",
          cursor,
          "MATCH",
          `${this.namespace}:*`,
          "COUNT",
          String(SCAN_BATCH),
        ]),
        "SCAN reply",
      );
      cursor = asString(reply[0], "SCAN cursor");
      const keys = asArray(reply[1], "SCAN keys").map((k) => asString(k, "key"));
      if (keys.length > 0) await this.#main.sendCommand(["UNLINK", ...keys]);
    } while (cursor !== "0");
  }

  /** Closes every connection; blocking reads still waiting return []. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const c of [...this.#idle, ...this.#busy]) destroyQuietly(c);
    this.#idle.length = 0;
    this.#busy.clear();
    try {
      await this.#main.close();
    } catch {
      destroyQuietly(this.#main);
    }
  }

  // ── internals ────────────────────────────────────────────────────────────────

  #checkOpen(): void {
    if (this.#closed) throw new Error(`bus '${this.namespace}' is closed`);
  }

  #key(stream: string): string {
    return `${this.namespace}:${stream}`;
  }

  #kvKey(key: string): string {
    return `${this.namespace}:kv:${checkKvKey(key)}`;
  }

  /**
   * New entries: one native XREADGROUP … BLOCK over every stream, so a reader wakes on the
   * first entry in any of them within one round trip; entries come back merged in id order.
   */
  async #readGroupNew(
    group: string,
    consumer: string,
    streams: string[],
    opts: ReadGroupOptions,
  ): Promise<Delivery[]> {
    // COUNT is per stream in Redis: split the budget so the whole call stays within it.
    const perStream = Math.max(1, Math.floor(opts.count / streams.length));
    const head = ["XREADGROUP", "GROUP", group, consumer, "COUNT", String(perStream)];
    const tail = ["STREAMS", ...streams.map((s) => this.#key(s)), ...streams.map(() => ">")];
    const block = Math.ceil(opts.blockMs);
    const reply = block > 0
      ? await this.#blocking([...head, "BLOCK", String(block), ...tail])
      : await this.#main.sendCommand([...head, ...tail]);
    const out: Delivery[] = [];
    const foreign = new Map<string, string[]>();
    for (const e of this.#parseMultiStream(reply)) {
      if (e.raw === null) foreign.set(e.stream, [...(foreign.get(e.stream) ?? []), e.entryId]);
      else out.push({ stream: e.stream, entryId: e.entryId, raw: e.raw, deliveries: 1 });
    }
    for (const [stream, ids] of foreign) {
      await this.ack(stream, group, ids);
      warnDropped(stream, group, ids);
    }
    return out;
  }

  async #readScript(
    group: string,
    consumer: string,
    streams: string[],
    count: number,
    mode: ">" | "0",
  ): Promise<{ deliveries: Delivery[]; tails: string[] }> {
    const keys = streams.map((s) => this.#key(s));
    const reply = asArray(
      await this.#eval(READ_GROUP, keys, [group, consumer, String(count), mode]),
      "read reply",
    );
    const streamAt = (i: unknown): string => {
      const s = streams[asNumber(i, "stream index") - 1];
      if (s === undefined) throw new Error(`read reply: stream index ${String(i)} out of range`);
      return s;
    };
    const deliveries = asArray(reply[0], "deliveries").map((item): Delivery => {
      const [i, entryId, raw, n] = asArray(item, "delivery");
      return {
        stream: streamAt(i),
        entryId: asString(entryId, "entry id"),
        raw: asString(raw, "raw"),
        deliveries: asNumber(n, "delivery count"),
      };
    });
    for (const item of asArray(reply[1], "dropped")) {
      const [i, ids] = asArray(item, "dropped entry");
      warnDropped(streamAt(i), group, asArray(ids, "ids").map((x) => asString(x, "entry id")));
    }
    const tails = asArray(reply[2], "tails").map((t) => asString(t, "tail id"));
    return { deliveries, tails };
  }

  /** A blocking command on a pooled connection; null when it timed out or the bus closed. */
  async #blocking(args: string[]): Promise<unknown> {
    let conn = this.#idle.pop();
    while (conn !== undefined && !conn.isReady) {
      destroyQuietly(conn); // lost while idle
      conn = this.#idle.pop();
    }
    if (conn === undefined) {
      conn = await openRedis({ ...this.#opts, role: "blocking-read" });
      if (this.#closed) {
        destroyQuietly(conn);
        return null;
      }
    }
    this.#busy.add(conn);
    try {
      return await conn.sendCommand(args);
    } catch (e) {
      if (this.#closed) return null;
      throw e;
    } finally {
      this.#busy.delete(conn);
      if (this.#closed || !conn.isReady) destroyQuietly(conn);
      else this.#idle.push(conn);
    }
  }

  /** EVALSHA with the sha SCRIPT LOAD gave; loads again when the server forgot it. */
  async #eval(s: Script, keys: string[], args: string[]): Promise<unknown> {
    const tail = [String(keys.length), ...keys, ...args];
    let sha = this.#shas.get(s.name);
    if (sha !== undefined) {
      try {
        return await this.#main.sendCommand(["EVALSHA", sha, ...tail]);
      } catch (e) {
        if (!(e instanceof Error && e.message.startsWith("NOSCRIPT"))) throw e;
      }
    }
    sha = asString(await this.#main.sendCommand(["SCRIPT", "LOAD", s.source]), "SCRIPT LOAD");
    this.#shas.set(s.name, sha);
    return await this.#main.sendCommand(["EVALSHA", sha, ...tail]);
  }

  /** XREAD/XREADGROUP reply → entries merged in id order (raw null: entry without data). */
  #parseMultiStream(reply: unknown): (Omit<StreamEntry, "raw"> & { raw: string | null })[] {
    if (reply === null) return [];
    const prefix = `${this.namespace}:`;
    const out: { stream: string; entryId: string; raw: string | null; order: number }[] = [];
    asArray(reply, "stream reply").forEach((item, order) => {
      const [key, entries] = asArray(item, "stream reply item");
      const stream = asString(key, "stream key").slice(prefix.length);
      for (const e of asArray(entries, "entries")) {
        const [entryId, fields] = asArray(e, "entry");
        out.push({ stream, entryId: asString(entryId, "entry id"), raw: rawOf(fields), order });
      }
    });
    if (out.length > 1 && out.some((e) => e.order > 0)) {
      out.sort((a, b) =>
        compareStreamIds(parseStreamId(a.entryId), parseStreamId(b.entryId)) || a.order - b.order
      );
    }
    return out.map(({ stream, entryId, raw }) => ({ stream, entryId, raw }));
  }
}

function parseEntries(stream: string, reply: unknown): StreamEntry[] {
  const out: StreamEntry[] = [];
  for (const e of asArray(reply, "XRANGE reply")) {
    const [entryId, fields] = asArray(e, "entry");
    const raw = rawOf(fields);
    if (raw !== null) out.push({ stream, entryId: asString(entryId, "entry id"), raw });
  }
  return out;
}

function rawOf(fields: unknown): string | null {
  if (fields === null || fields === undefined) return null;
  const f = asArray(fields, "entry fields");
  for (let i = 0; i + 1 < f.length; i += 2) if (f[i] === "raw") return asString(f[i + 1], "raw");
  return null;
}

function pairs(reply: unknown, what: string): Map<string, unknown> {
  const a = asArray(reply, what);
  const m = new Map<string, unknown>();
  for (let i = 0; i + 1 < a.length; i += 2) m.set(asString(a[i], `${what} field`), a[i + 1]);
  return m;
}

function asArray(x: unknown, what: string): unknown[] {
  if (!Array.isArray(x)) throw new Error(`unexpected Redis ${what}: ${JSON.stringify(x)}`);
  return x;
}

function asString(x: unknown, what: string): string {
  if (typeof x !== "string") throw new Error(`unexpected Redis ${what}: ${JSON.stringify(x)}`);
  return x;
}

function asNumber(x: unknown, what: string): number {
  if (typeof x !== "number") throw new Error(`unexpected Redis ${what}: ${JSON.stringify(x)}`);
  return x;
}

function destroyQuietly(c: RedisClient): void {
  try {
    c.destroy();
  } catch { /* already closed */ }
}

function warnDropped(stream: string, group: string, ids: string[]): void {
  log.warn("pending entries without data (trimmed from the stream) were acknowledged; dropped", {
    stream,
    group,
    entryIds: ids.slice(0, 20),
    count: ids.length,
  });
}
