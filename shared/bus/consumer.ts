// The reliable consumption policy, on top of any Bus:
// 1. after start, this consumer's own pending entries first, in order (a restarted consumer
//    finishes what it had in flight before taking anything new);
// 2. every `claimEveryMs`, entries idle ≥ `claimIdleMs` are claimed from any member of the
//    group (dead consumers, and this one's own failed entries: that is how fail() retries);
// 3. then new entries, blocking up to `blockMs`.
// Any delivery beyond `maxDeliveries` is dead-lettered (published, then acknowledged) and
// never returned. At-least-once: callers acknowledge after the effect is durable.
import { encode, makeEnvelope } from "../messages/codec.ts";
import { STREAMS } from "../messages/schemas.ts";
import { checkLabel, checkName, checkNonNegative, checkPositiveInt, checkStreams } from "./args.ts";
import type { Bus, Delivery } from "./types.ts";

export interface GroupConsumerOptions {
  group: string;
  consumer: string;
  streams: string[];
  /** Max deliveries returned by one next(). */
  count: number;
  blockMs: number;
  /** A delivery whose count exceeds this is dead-lettered instead of returned. */
  maxDeliveries: number;
  claimIdleMs: number;
  claimEveryMs: number;
  deadLetterStream?: string;
  /** Producer named on dead-letter envelopes. */
  producer: string;
  /** Wall clock (ms): claim schedule, and the time of a dead letter whose input has none. */
  now?: () => number;
}

/** fail() errors kept for the dead-letter message; bounded in case others ack our entries. */
const MAX_RECORDED_ERRORS = 10_000;

export const deadLetterId = (group: string, stream: string, entryId: string): string =>
  `dead-letter:${group}:${stream}:${entryId}`;

export class GroupConsumer {
  readonly #bus: Bus;
  readonly #o: Required<Omit<GroupConsumerOptions, "now">>;
  readonly #now: () => number;
  #phase: "stopped" | "pending" | "live" = "stopped";
  #seenPending = new Set<string>();
  #lastClaimAt = -Infinity;
  #errors = new Map<string, string>();
  #busy = false;

  constructor(bus: Bus, opts: GroupConsumerOptions) {
    checkLabel(opts.group, "group");
    checkLabel(opts.consumer, "consumer");
    checkStreams(opts.streams);
    checkPositiveInt(opts.count, "count");
    checkNonNegative(opts.blockMs, "blockMs");
    checkPositiveInt(opts.maxDeliveries, "maxDeliveries");
    checkNonNegative(opts.claimIdleMs, "claimIdleMs");
    checkNonNegative(opts.claimEveryMs, "claimEveryMs");
    checkLabel(opts.producer, "producer");
    const deadLetterStream = checkName(
      opts.deadLetterStream ?? STREAMS.deadLetter,
      "deadLetterStream",
    );
    if (opts.streams.includes(deadLetterStream)) {
      throw new Error(`invalid streams: the dead-letter stream '${deadLetterStream}' is an input`);
    }
    this.#bus = bus;
    this.#o = {
      group: opts.group,
      consumer: opts.consumer,
      streams: [...opts.streams],
      count: opts.count,
      blockMs: opts.blockMs,
      maxDeliveries: opts.maxDeliveries,
      claimIdleMs: opts.claimIdleMs,
      claimEveryMs: opts.claimEveryMs,
      deadLetterStream,
      producer: opts.producer,
    };
    this.#now = opts.now ?? Date.now;
  }

  get group(): string {
    return this.#o.group;
  }

  get consumer(): string {
    return this.#o.consumer;
  }

  /** Creates the group on every stream (whole stream: start id "0"); idempotent. */
  async start(): Promise<void> {
    for (const stream of this.#o.streams) await this.#bus.ensureGroup(stream, this.#o.group, "0");
    this.#phase = "pending";
    this.#seenPending.clear();
    this.#lastClaimAt = -Infinity;
  }

  /** The next deliveries to process (possibly none after blockMs). Not reentrant. */
  async next(): Promise<Delivery[]> {
    if (this.#phase === "stopped") throw new Error("GroupConsumer.next() called before start()");
    if (this.#busy) throw new Error("GroupConsumer.next() called while another next() runs");
    this.#busy = true;
    try {
      while (this.#phase === "pending") {
        const got = await this.#nextPending();
        if (got.length > 0) return got;
      }
      if (this.#now() - this.#lastClaimAt >= this.#o.claimEveryMs) {
        this.#lastClaimAt = this.#now();
        const claimed = await this.#screen(await this.#claim());
        if (claimed.length > 0) return claimed;
      }
      const { group, consumer, streams, count, blockMs } = this.#o;
      return await this.#screen(
        await this.#bus.readGroup(group, consumer, streams, { count, blockMs }),
      );
    } finally {
      this.#busy = false;
    }
  }

  /** Acknowledges; false when it was not pending any more (acked elsewhere, or twice). */
  async ack(d: Delivery): Promise<boolean> {
    const n = await this.#bus.ack(d.stream, this.#o.group, [d.entryId]);
    this.#errors.delete(entryKey(d));
    return n === 1;
  }

  /** Records why processing failed; the entry stays pending and comes back after claimIdleMs. */
  fail(d: Delivery, error: string): void {
    const key = entryKey(d);
    this.#errors.delete(key);
    this.#errors.set(key, String(error));
    if (this.#errors.size > MAX_RECORDED_ERRORS) {
      this.#errors.delete(this.#errors.keys().next().value as string);
    }
  }

  /** Publishes a dead_letter envelope for the delivery, then acknowledges it. */
  async deadLetter(d: Delivery, error: string): Promise<void> {
    const { group, producer, deadLetterStream } = this.#o;
    const id = deadLetterId(group, d.stream, d.entryId);
    const origin = originOf(d.raw);
    const msg = makeEnvelope(
      "dead_letter",
      {
        id,
        producer,
        time: origin.time ?? Math.max(0, Math.floor(this.#now())),
        corr: origin.corr ?? id,
      },
      { stream: d.stream, entryId: d.entryId, group, error, deliveries: d.deliveries, raw: d.raw },
    );
    await this.#bus.publish(deadLetterStream, encode(msg));
    await this.#bus.ack(d.stream, group, [d.entryId]);
    this.#errors.delete(entryKey(d));
  }

  async #nextPending(): Promise<Delivery[]> {
    const { group, consumer, streams, count } = this.#o;
    const batch = await this.#bus.readGroup(group, consumer, streams, {
      count,
      blockMs: 0,
      pending: true,
    });
    const fresh = batch.filter((d) => !this.#seenPending.has(entryKey(d)));
    for (const d of fresh) this.#seenPending.add(entryKey(d));
    // A short batch means the list is exhausted. Re-reading entries already handed out (left
    // pending by fail()) would only inflate their delivery counts, so that also ends it.
    if (batch.length < count || fresh.length === 0) {
      this.#phase = "live";
      this.#seenPending.clear();
    }
    return await this.#screen(fresh);
  }

  async #claim(): Promise<Delivery[]> {
    const { group, consumer, streams, claimIdleMs, count } = this.#o;
    const out: Delivery[] = [];
    for (const stream of streams) {
      if (out.length >= count) break;
      const got = await this.#bus.claimIdle(
        stream,
        group,
        consumer,
        claimIdleMs,
        count - out.length,
      );
      out.push(...got);
    }
    return out;
  }

  /** Dead-letters deliveries past maxDeliveries; returns the others in order. */
  async #screen(batch: Delivery[]): Promise<Delivery[]> {
    const keep: Delivery[] = [];
    for (const d of batch) {
      if (d.deliveries <= this.#o.maxDeliveries) {
        keep.push(d);
        continue;
      }
      const last = this.#errors.get(entryKey(d));
      const error = `exceeded ${this.#o.maxDeliveries} deliveries` +
        (last === undefined ? "" : `; last error: ${last}`);
      await this.deadLetter(d, error);
    }
    return keep;
  }
}

const entryKey = (d: Delivery): string => `${d.stream}\u0000${d.entryId}`;

/** Time and correlation id of the message when it has usable ones (it may be garbage). */
function originOf(raw: string): { time?: number; corr?: string } {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return {};
  }
  if (typeof value !== "object" || value === null) return {};
  const { time, corr } = value as { time?: unknown; corr?: unknown };
  return {
    time: typeof time === "number" && Number.isSafeInteger(time) && time >= 0 ? time : undefined,
    corr: typeof corr === "string" && corr.length > 0 ? corr : undefined,
  };
}
