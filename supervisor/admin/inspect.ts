// Read-only views of the bus for the admin API: streams with their groups, dead letters,
// recent bars, and one agent in detail.
import type { Bus, StreamEntry } from "../../shared/bus/types.ts";
import { parseStreamId } from "../../shared/bus/stream_ids.ts";
import type { Config } from "../../shared/config/mod.ts";
import { type Bar, decode, STREAMS } from "../../shared/messages/mod.ts";
import type { Activity, TailEntry } from "./activity.ts";
import { agentSettings } from "./agent_config.ts";
import type { AgentView } from "./app.ts";
import { readLast } from "./read_last.ts";

export interface StreamView {
  stream: string;
  length: number;
  last_entry_id: string | null;
  groups: {
    group: string;
    consumers: number;
    pending: number;
    lag: number | null;
    last_delivered_id: string;
  }[];
}

export async function streamsView(bus: Bus): Promise<StreamView[]> {
  const out: StreamView[] = [];
  for (const stream of Object.values(STREAMS)) {
    const info = await bus.info(stream);
    out.push({
      stream,
      length: info.length,
      last_entry_id: info.lastEntryId,
      groups: info.groups.map((g) => ({
        group: g.group,
        consumers: g.consumers,
        pending: g.pending,
        lag: g.lag,
        last_delivered_id: g.lastDeliveredId,
      })),
    });
  }
  return out;
}

export interface DeadLetterView {
  entry_id: string;
  dead_lettered_at: number;
  /** The stream, entry and group that gave up on the message, and why. */
  stream: string | null;
  original_entry_id: string | null;
  group: string | null;
  deliveries: number | null;
  error: string;
  /** The original message as published (possibly not JSON: that may be why it died). */
  raw: string | null;
}

/** The last `n` dead letters, newest first. */
export async function deadLetters(bus: Bus, n: number): Promise<DeadLetterView[]> {
  const entries = await readLast(bus, STREAMS.deadLetter, n);
  return entries.reverse().map((e) => {
    const at = parseStreamId(e.entryId).ms;
    const d = decode(e.raw, STREAMS.deadLetter);
    if (!d.ok || d.msg.type !== "dead_letter") {
      return {
        entry_id: e.entryId,
        dead_lettered_at: at,
        stream: null,
        original_entry_id: null,
        group: null,
        deliveries: null,
        error: d.ok ? `unexpected ${d.msg.type}` : `undecodable dead letter: ${d.error}`,
        raw: e.raw,
      };
    }
    const x = d.msg.data;
    return {
      entry_id: e.entryId,
      dead_lettered_at: at,
      stream: x.stream,
      original_entry_id: x.entryId,
      group: x.group,
      deliveries: x.deliveries,
      error: x.error,
      raw: x.raw,
    };
  });
}

function barOf(e: StreamEntry): Bar | null {
  const d = decode(e.raw, STREAMS.bars);
  return d.ok && d.msg.type === "bar" ? d.msg.data : null;
}

/** Symbols among the last bars published (sorted). */
export async function recentSymbols(bus: Bus, lookBack = 2_000): Promise<string[]> {
  const symbols = new Set<string>();
  for (const e of await readLast(bus, STREAMS.bars, lookBack)) {
    const b = barOf(e);
    if (b !== null) symbols.add(b.symbol);
  }
  return [...symbols].sort();
}

/**
 * The last `n` bars of `symbol` from md.bars, ascending and one per bar time (a re-published
 * bar replaces the earlier copy).
 */
export async function recentBars(bus: Bus, symbol: string, n: number): Promise<Bar[]> {
  // A cheap text test before decoding: most entries of a multi-symbol stream are skipped.
  const needle = JSON.stringify(symbol);
  const entries = await readLast(bus, STREAMS.bars, n, (e) => {
    if (!e.raw.includes(needle)) return false;
    return barOf(e)?.symbol === symbol;
  });
  const byTime = new Map<number, Bar>();
  for (const e of entries) {
    const b = barOf(e) as Bar;
    byTime.set(b.time, b);
  }
  return [...byTime.values()].sort((a, b) => a.time - b.time);
}

interface EntryView {
  stream: string;
  entry_id: string;
  published_at: number;
  type: string;
  id: string;
  producer: string;
  time: number;
  data: unknown;
}

const entryView = (t: TailEntry): EntryView => ({
  stream: t.stream,
  entry_id: t.entryId,
  published_at: t.publishedAt,
  type: t.type,
  id: t.id,
  producer: t.producer,
  time: t.time,
  data: t.data,
});

function delivered(id: string, lastDelivered: string): boolean {
  const a = parseStreamId(id);
  const b = parseStreamId(lastDelivered);
  return a.ms < b.ms || (a.ms === b.ms && a.seq <= b.seq);
}

/**
 * One agent: what the supervisor knows, its settings, per input stream its lag, pending
 * entries (oldest first) and the last entries delivered to it, and its last outputs.
 */
export async function agentDetail(
  view: AgentView,
  bus: Bus,
  activity: Activity,
  config: Config,
  keep = 5,
) {
  const inputs = [];
  for (const s of view.streams) {
    const info = await bus.info(s.stream);
    const group = info.groups.find((g) => g.group === view.name);
    const pending = group ? await bus.pending(s.stream, view.name, 20) : [];
    const last = group
      ? activity.recent(s.stream).filter((e) => delivered(e.entryId, group.lastDeliveredId))
      : [];
    inputs.push({
      stream: s.stream,
      lag: group?.lag ?? null,
      pending: group?.pending ?? 0,
      pending_entries: pending.map((p) => ({
        entry_id: p.entryId,
        consumer: p.consumer,
        idle_ms: p.idleMs,
        deliveries: p.deliveries,
      })),
      last_delivered_id: group?.lastDeliveredId ?? null,
      last_inputs: last.slice(-keep).map(entryView),
    });
  }
  return {
    ...view,
    config: agentSettings(view.name, config),
    inputs,
    last_outputs: activity.publishedBy(view.name).slice(-keep).map(entryView),
  };
}
