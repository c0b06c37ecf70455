// The thin actor shell around a pure core: consume, validate, step, publish, persist, ack.
//
// Order of effects per batch: run the side effect (ledger writes, idempotent by id) → one
// atomic bus commit of the outputs, the state snapshot and the acknowledgements. A crash
// before the commit leaves the entries pending, so they are redelivered to a state that has
// not seen them and give the same outputs (deterministic ids); after it, none of the three
// is redone. Every core also ignores a message it has already seen.
import type { Bus, Delivery } from "../../shared/bus/types.ts";
import { GroupConsumer } from "../../shared/bus/consumer.ts";
import {
  type AnyEnvelope,
  decode,
  encode,
  makeEnvelope,
  messageId,
  type StreamName,
  STREAMS,
} from "../../shared/messages/mod.ts";
import type { AnyAgentCore, Output } from "./core.ts";
import type { Logger } from "../../shared/util/log.ts";

export interface FaultPlan {
  kind: "crash" | "hang";
  /** Trigger when this many messages have been taken in (counted from this incarnation's start). */
  afterMessages: number;
}

export interface ActorStatus {
  processed: number;
  inFlightMs: number;
  deadLettered: number;
  failures: number;
  lastInput: { id: string; type: string } | null;
  lastOutputs: string[];
}

export interface ActorOptions<S> {
  core: AnyAgentCore<S>;
  bus: Bus;
  /** Consumer group: one per agent kind. */
  group: string;
  /** Stable across restarts, so a restarted agent finds its own pending entries. */
  consumer: string;
  incarnation: number;
  log: Logger;
  signal: AbortSignal;
  maxDeliveries: number;
  claimIdleMs: number;
  blockMs?: number;
  batch?: number;
  /** Durable effect of a message other than publishing (the ledger's database writes). */
  effect?: (inputs: AnyEnvelope[], outputs: Output[]) => Promise<void>;
  fault?: FaultPlan;
  /** Called after each message with the actor's counters (heartbeats read it). */
  onProgress?: (status: ActorStatus) => void;
}

export const snapshotKey = (group: string) => `state:${group}`;

export class Actor<S> {
  #state: S;
  #status: ActorStatus = {
    processed: 0,
    inFlightMs: 0,
    deadLettered: 0,
    failures: 0,
    lastInput: null,
    lastOutputs: [],
  };
  #inFlightSince: number | null = null;
  #taken = 0;
  readonly #consumer: GroupConsumer;

  constructor(readonly opts: ActorOptions<S>) {
    this.#state = opts.core.init();
    this.#consumer = new GroupConsumer(opts.bus, {
      group: opts.group,
      consumer: opts.consumer,
      streams: [...opts.core.inputs],
      count: opts.batch ?? 64,
      blockMs: opts.blockMs ?? 200,
      maxDeliveries: opts.maxDeliveries,
      claimIdleMs: opts.claimIdleMs,
      claimEveryMs: Math.max(250, Math.floor(opts.claimIdleMs / 2)),
      deadLetterStream: STREAMS.deadLetter,
      producer: opts.group,
    });
  }

  status(): ActorStatus {
    const inFlightMs = this.#inFlightSince === null ? 0 : performance.now() - this.#inFlightSince;
    return { ...this.#status, inFlightMs };
  }

  describe(): Record<string, unknown> {
    return this.opts.core.describe?.(this.#state) ?? {};
  }

  async run(): Promise<void> {
    const { opts } = this;
    await this.#consumer.start();
    this.#state = await this.#recover();
    let nextTick = opts.core.tick ? Date.now() + (opts.core.tickMs ?? 1000) : Infinity;
    while (!opts.signal.aborted) {
      const deliveries = await this.#consumer.next();
      // Once asked to stop we finish the batch in hand, never start another: the rest stay
      // pending and are redelivered to the next incarnation.
      if (deliveries.length > 0) await this.#handleBatch(deliveries);
      if (Date.now() >= nextTick && opts.core.tick) {
        nextTick = Date.now() + (opts.core.tickMs ?? 1000);
        const step = opts.core.tick(this.#state, Date.now());
        this.#state = step.state;
        // A tick's outputs and the state that says they were sent go together, like a
        // message's: a crash between the two would send them again after the restart.
        if (step.out.length > 0) await this.#commit([], [], step.out);
      }
    }
  }

  /**
   * Steps every message of a batch, then makes the batch's effects durable together:
   * outputs published (pipelined), side effect, one snapshot, one ack per stream. A crash
   * before the ack redelivers the whole batch, which replays to the same outputs.
   */
  async #handleBatch(deliveries: Delivery[]): Promise<void> {
    const { opts } = this;
    const done: Delivery[] = [];
    const inputs: AnyEnvelope[] = [];
    const outputs: Output[] = [];
    this.#inFlightSince = performance.now();
    try {
      const valid: { d: Delivery; msg: AnyEnvelope }[] = [];
      for (const d of deliveries) {
        this.#taken++;
        this.#maybeInjectFault();
        const decoded = decode(d.raw, d.stream as StreamName);
        if (decoded.ok) {
          valid.push({ d, msg: decoded.msg });
          continue;
        }
        opts.log.warn("invalid message dead-lettered", { stream: d.stream, entry: d.entryId });
        await this.#consumer.deadLetter(d, decoded.error);
        this.#status.deadLettered++;
      }
      if (valid.length > 1 && (await this.#stepTogether(valid, done, inputs, outputs))) {
        await this.#commit(done, inputs, outputs);
        return;
      }
      for (const { d, msg } of valid) {
        const started = performance.now();
        // Hang detection times each message (and the commit), not the whole batch.
        this.#inFlightSince = started;
        try {
          const step = await opts.core.step(this.#state, msg, Date.now());
          this.#state = step.state;
          this.#took(d, msg, step.out, performance.now() - started, done, inputs, outputs);
        } catch (e) {
          // Make durable what came before, then leave this one pending for redelivery. The
          // core may have changed its state in place before throwing, so the state to save
          // is rebuilt: the durable one with this batch's earlier messages stepped again
          // (deterministic), and the redelivery sees the same state as this attempt did.
          this.#state = await this.#recover();
          for (const m of inputs) {
            this.#state = (await opts.core.step(this.#state, m, Date.now())).state;
          }
          await this.#commit(done, inputs, outputs);
          done.length = inputs.length = outputs.length = 0;
          const error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
          opts.log.error("message failed; left pending for redelivery", { id: msg.id, error });
          this.#status.failures++;
          await this.#consumer.fail(d, error);
        }
      }
      await this.#commit(done, inputs, outputs);
    } finally {
      this.#inFlightSince = null;
      opts.onProgress?.(this.status());
    }
  }

  /**
   * One `stepBatch` call for the whole read, when the core has it. False (nothing taken, the
   * durable state back in place) when it has not or the call failed: the caller then steps
   * the messages one at a time, which isolates a bad one.
   */
  async #stepTogether(
    valid: { d: Delivery; msg: AnyEnvelope }[],
    done: Delivery[],
    inputs: AnyEnvelope[],
    outputs: Output[],
  ): Promise<boolean> {
    const core = this.opts.core;
    if (!("stepBatch" in core) || core.stepBatch === undefined) return false;
    const started = performance.now();
    this.#inFlightSince = started;
    let step;
    try {
      step = await core.stepBatch(this.#state, valid.map((v) => v.msg), Date.now());
      if (step.out.length !== valid.length) {
        throw new Error(`stepBatch gave ${step.out.length} output lists for ${valid.length}`);
      }
    } catch (e) {
      const error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
      this.opts.log.warn("batch step failed; stepping one message at a time", { error });
      this.#state = await this.#recover();
      return false;
    }
    this.#state = step.state;
    // Every output of the batch was ready only when the whole batch was.
    const latencyMs = performance.now() - started;
    valid.forEach(({ d, msg }, i) =>
      this.#took(d, msg, step.out[i], latencyMs, done, inputs, outputs)
    );
    return true;
  }

  #took(
    d: Delivery,
    msg: AnyEnvelope,
    out: Output[],
    latencyMs: number,
    done: Delivery[],
    inputs: AnyEnvelope[],
    outputs: Output[],
  ): void {
    for (const o of out) if (o.msg.type === "signal") o.msg.data.latencyMs = latencyMs;
    outputs.push(...out);
    inputs.push(msg);
    done.push(d);
    this.#status.lastInput = { id: msg.id, type: msg.type };
    if (out.length > 0) this.#status.lastOutputs = out.map((o) => o.msg.id);
  }

  async #commit(done: Delivery[], inputs: AnyEnvelope[], outputs: Output[]): Promise<void> {
    if (done.length === 0 && outputs.length === 0) return;
    this.#inFlightSince = performance.now();
    const { bus, core, effect, group } = this.opts;
    if (effect) await effect(inputs, outputs);
    const byStream = new Map<string, string[]>();
    for (const d of done) byStream.set(d.stream, [...(byStream.get(d.stream) ?? []), d.entryId]);
    // One atomic step: outputs, the state they leave behind and the acknowledgements.
    await bus.commit({
      publish: outputs.map((o) => ({ stream: o.stream, raw: encode(o.msg, o.stream) })),
      kv: core.snapshot
        ? { key: snapshotKey(group), value: JSON.stringify(core.snapshot(this.#state)) }
        : null,
      ack: [...byStream].map(([stream, ids]) => ({ stream, group, ids })),
    });
    this.#status.processed += done.length;
  }

  /** The state as of the last acknowledged message. */
  async #recover(): Promise<S> {
    const { core, bus, group, log } = this.opts;
    if (core.snapshot && core.restore) {
      const saved = await bus.kvGet(snapshotKey(group));
      return saved === null ? core.init() : core.restore(JSON.parse(saved));
    }
    // No snapshot: fold the core over every input it had acknowledged, outputs discarded.
    let state = core.init();
    const history = await acknowledgedHistory(bus, group, core.inputs);
    for (const [i, entry] of history.entries()) {
      // Yield now and then, so heartbeats go out during a long rebuild.
      if (i % 1000 === 999) await new Promise((r) => setTimeout(r, 0));
      const decoded = decode(entry.raw, entry.stream as StreamName);
      if (!decoded.ok) continue;
      try {
        state = (await core.step(state, decoded.msg, Date.now())).state;
      } catch {
        // It failed the first time as well and was dead-lettered then.
      }
    }
    if (history.length > 0) {
      log.info("state rebuilt from acknowledged inputs", { entries: history.length });
    }
    return state;
  }

  #maybeInjectFault(): void {
    const f = this.opts.fault;
    if (!f || this.opts.incarnation !== 0 || this.#taken !== f.afterMessages) return;
    this.opts.log.warn(`injecting fault: ${f.kind}`, { afterMessages: f.afterMessages });
    if (f.kind === "crash") {
      throw new InjectedCrash(`injected crash after ${f.afterMessages} messages`);
    }
    const until = Number.POSITIVE_INFINITY;
    while (performance.now() < until) { /* hang: a busy loop only termination ends */ }
  }
}

export class InjectedCrash extends Error {
  override name = "InjectedCrash";
}

/** Entries of `streams` delivered to `group` and acknowledged, merged in entry-id order. */
export async function acknowledgedHistory(
  bus: Bus,
  group: string,
  streams: readonly string[],
): Promise<{ stream: string; entryId: string; raw: string }[]> {
  const all: { stream: string; entryId: string; raw: string }[] = [];
  for (const stream of streams) {
    const info = await bus.info(stream);
    const g = info.groups.find((x) => x.group === group);
    if (!g || g.lastDeliveredId === "0-0") continue;
    const pending = new Set((await bus.pending(stream, group, 100_000)).map((p) => p.entryId));
    for (const e of await bus.range(stream, "-", g.lastDeliveredId)) {
      if (!pending.has(e.entryId)) all.push(e);
    }
  }
  return all.sort((a, b) => compareEntryIds(a.entryId, b.entryId));
}

export function compareEntryIds(a: string, b: string): number {
  const [am, as] = a.split("-").map(Number);
  const [bm, bs] = b.split("-").map(Number);
  return am !== bm ? am - bm : as - bs;
}

/** A heartbeat envelope for ops.heartbeats. */
export function heartbeatMessage(
  agent: string,
  incarnation: number,
  status: ActorStatus,
  now: number,
) {
  return makeEnvelope("heartbeat", {
    id: messageId(agent, "heartbeat", `${incarnation}:${now}`),
    producer: agent,
    time: now,
    corr: `hb:${agent}`,
  }, { agent, incarnation, processed: status.processed, inFlightMs: status.inFlightMs });
}
