// What flowed over the bus lately, for the admin API: the last entries of every stream and
// of every producer on it, and a numbered log of recent events for live updates. It reads
// the streams itself (XREAD without a group, so no agent's delivery is affected) and only
// when asked (`sync()`): no background timer to start or stop.
import type { Bus, StreamEntry } from "../../shared/bus/types.ts";
import { parseStreamId } from "../../shared/bus/stream_ids.ts";
import { decode, type StreamName, STREAMS } from "../../shared/messages/mod.ts";
import { readLast } from "./read_last.ts";

export interface TailEntry {
  /** Position in this process's event log (0 for entries seeded at the first sync). */
  seq: number;
  stream: string;
  entryId: string;
  /** Wall-clock ms at which the bus accepted the entry (its id's time part). */
  publishedAt: number;
  type: string;
  id: string;
  producer: string;
  /** Event time of the message (bar time in replays). */
  time: number;
  corr: string;
  data: unknown;
}

export type EntryListener = (e: TailEntry) => void;

/** Heartbeats are many and say nothing the supervisor does not already report. */
export const TAILED_STREAMS: readonly StreamName[] = Object.values(STREAMS)
  .filter((s) => s !== STREAMS.heartbeats);

export interface ActivityOptions {
  /** Entries kept per stream, and per producer on a stream. */
  perStream?: number;
  /** Entries kept in the numbered log that live updates read. */
  logSize?: number;
  /** Upper bound of entries read by one sync; the rest waits for the next. */
  maxPerSync?: number;
}

function toTail(e: StreamEntry, seq: number): TailEntry {
  const publishedAt = parseStreamId(e.entryId).ms;
  const d = decode(e.raw, e.stream as StreamName);
  if (!d.ok) {
    return {
      seq,
      stream: e.stream,
      entryId: e.entryId,
      publishedAt,
      type: "undecodable",
      id: e.entryId,
      producer: "unknown",
      time: publishedAt,
      corr: "",
      data: { error: d.error },
    };
  }
  const { type, id, producer, time, corr, data } = d.msg;
  return {
    seq,
    stream: e.stream,
    entryId: e.entryId,
    publishedAt,
    type,
    id,
    producer,
    time,
    corr,
    data,
  };
}

class Ring<T> {
  readonly items: T[] = [];
  constructor(readonly size: number) {}
  push(x: T): void {
    this.items.push(x);
    if (this.items.length > this.size) this.items.splice(0, this.items.length - this.size);
  }
}

export class Activity {
  readonly #bus: Bus;
  readonly #perStream: number;
  readonly #logSize: number;
  readonly #maxPerSync: number;
  readonly #byStream = new Map<string, Ring<TailEntry>>();
  readonly #byProducer = new Map<string, Ring<TailEntry>>();
  readonly #log: TailEntry[] = [];
  readonly #listeners: EntryListener[] = [];
  #cursors: Map<string, string> | null = null;
  #seq = 0;
  #syncing: Promise<void> | null = null;

  constructor(bus: Bus, opts: ActivityOptions = {}) {
    this.#bus = bus;
    this.#perStream = opts.perStream ?? 20;
    this.#logSize = opts.logSize ?? 2_000;
    this.#maxPerSync = opts.maxPerSync ?? 50_000;
  }

  /** Called for every entry read after the first sync (not for the seeded history). */
  onEntry(listener: EntryListener): void {
    this.#listeners.push(listener);
  }

  /** Reads what was published since the last sync; concurrent callers share one read. */
  sync(): Promise<void> {
    this.#syncing ??= this.#sync().finally(() => {
      this.#syncing = null;
    });
    return this.#syncing;
  }

  async #sync(): Promise<void> {
    if (this.#cursors === null) {
      this.#cursors = await this.#seed();
      return;
    }
    const cursors = this.#cursors;
    let read = 0;
    while (read < this.#maxPerSync) {
      const batch = await this.#bus.readAfter(
        TAILED_STREAMS.map((stream) => ({ stream, afterId: cursors.get(stream) ?? "0-0" })),
        1_000,
        0,
      );
      if (batch.length === 0) return;
      for (const e of batch) {
        cursors.set(e.stream, e.entryId);
        const t = toTail(e, ++this.#seq);
        this.#keep(t);
        this.#log.push(t);
        for (const l of this.#listeners) l(t);
      }
      if (this.#log.length > this.#logSize) this.#log.splice(0, this.#log.length - this.#logSize);
      read += batch.length;
    }
  }

  async #seed(): Promise<Map<string, string>> {
    const cursors = new Map<string, string>();
    for (const stream of TAILED_STREAMS) {
      const info = await this.#bus.info(stream);
      cursors.set(stream, info.lastEntryId ?? "0-0");
      if (info.lastEntryId === null) continue;
      // Seeded history is everything up to the cursor just taken, so nothing is seen twice.
      const last = await readLast(this.#bus, stream, this.#perStream * 4);
      for (const e of last) {
        if (cursorAfter(e.entryId, info.lastEntryId)) continue;
        this.#keep(toTail(e, 0));
      }
    }
    return cursors;
  }

  #keep(t: TailEntry): void {
    ring(this.#byStream, t.stream, this.#perStream).push(t);
    ring(this.#byProducer, `${t.stream}|${t.producer}`, this.#perStream).push(t);
  }

  /** The last entries of a stream, oldest first. */
  recent(stream: string): TailEntry[] {
    return [...(this.#byStream.get(stream)?.items ?? [])];
  }

  /** The last entries `producer` published, over every stream, oldest first. */
  publishedBy(producer: string): TailEntry[] {
    const out: TailEntry[] = [];
    for (const [key, r] of this.#byProducer) {
      if (key.endsWith(`|${producer}`)) out.push(...r.items);
    }
    return out.sort((a, b) => a.publishedAt - b.publishedAt || a.seq - b.seq);
  }

  /** Log entries after `seq`; `gap` is true when some were already dropped from the log. */
  since(seq: number): { entries: TailEntry[]; gap: boolean; last: number } {
    const entries = this.#log.filter((e) => e.seq > seq);
    const oldest = this.#log.length > 0 ? this.#log[0].seq : this.#seq + 1;
    return { entries, gap: seq + 1 < oldest && seq < this.#seq, last: this.#seq };
  }

  /** Sequence number of the newest log entry. */
  get lastSeq(): number {
    return this.#seq;
  }
}

function ring(map: Map<string, Ring<TailEntry>>, key: string, size: number): Ring<TailEntry> {
  let r = map.get(key);
  if (r === undefined) {
    r = new Ring(size);
    map.set(key, r);
  }
  return r;
}

function cursorAfter(id: string, cursor: string): boolean {
  const a = parseStreamId(id);
  const b = parseStreamId(cursor);
  return a.ms > b.ms || (a.ms === b.ms && a.seq > b.seq);
}
