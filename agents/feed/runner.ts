// The feed: replay (the backtest) or live ccxt bars, published on md.bars exactly once;
// with --news, a replay also publishes the stories on md.news, each before the first bar
// that closes at or after its publication (replay_sequence.ts).
//
// Replay applies back-pressure: it never runs more than a window of bars ahead of the
// executor, the last agent of the chain, whose account events say how far it has got. The
// window is a few clock steps (4 bars per symbol, at most FEED_WINDOW): enough to keep
// every agent busy, small enough that nothing piles up waiting in an agent's state. Stories
// do not count against the window; the saved progress is a position in the merged sequence.
import type { Bus } from "../../shared/bus/types.ts";
import type { Config } from "../../shared/config/mod.ts";
import { barEnvelope, decode, encode, type News, STREAMS } from "../../shared/messages/mod.ts";
import type { Logger } from "../../shared/util/log.ts";
import { newsEnvelope, readNewsReplay } from "../../shared/news/mod.ts";
import { compareStreamIds, parseStreamId } from "../../shared/bus/stream_ids.ts";
import type { ReplayPlan } from "../runtime/protocol.ts";
import {
  batchEnd,
  clockStepEnd,
  decodeProgress,
  encodeProgress,
  type ReplayItem,
  type ReplaySequence,
  replaySequence,
} from "./replay_sequence.ts";
import {
  abortableSleep,
  alignBars,
  CcxtBarPoller,
  createCcxtExchange,
  loadReplaySources,
  probeExchange,
  type RawBar,
  resampleBars,
  summarizeReport,
} from "../../shared/data/mod.ts";

export interface FeedContext {
  bus: Bus;
  config: Config;
  replay: ReplayPlan | null;
  log: Logger;
  signal: AbortSignal;
  setStatus(f: () => { processed: number; inFlightMs: number }): void;
  notify(data: unknown): void;
}

const PROGRESS_KEY = "feed:progress";
const LIVE_RESUME_KEY = "feed:live-resume";

export function runFeed(ctx: FeedContext): Promise<void> {
  return ctx.replay ? runReplay(ctx, ctx.replay) : runLive(ctx);
}

/** Loads, validates, adjusts, resamples and aligns the replay files into one bar sequence. */
export async function loadReplayBars(
  plan: ReplayPlan,
  policy: "reject" | "drop",
  log?: Logger,
): Promise<{ bars: RawBar[]; timeframe: string; symbols: string[] }> {
  const sources = await loadReplaySources(plan.paths, { policy });
  for (const note of sources.notes) log?.info(note);
  for (const s of sources.series) log?.info(summarizeReport(s.report), { symbol: s.symbol });
  const series = sources.series.map((s) =>
    plan.timeframe && plan.timeframe !== s.timeframe ? resampleBars(s.bars, plan.timeframe) : s.bars
  );
  const bars = alignBars(series).flatMap((step) => step.bars);
  const timeframes = [...new Set(series.flatMap((s) => s.length > 0 ? [s[0].timeframe] : []))];
  if (timeframes.length > 1) {
    throw new Error(
      `replay files have different timeframes (${timeframes.join(", ")}): pass --timeframe`,
    );
  }
  return {
    bars,
    timeframe: timeframes[0] ?? plan.timeframe ?? "?",
    symbols: sources.series.map((s) => s.symbol),
  };
}

/** Follows the executor's account events: how many bars it has fully processed. */
class ExecutorProgress {
  processed = 0;
  #cursor = "0-0";
  constructor(private readonly bus: Bus) {}

  async waitFor(target: number, signal: AbortSignal, stallMs: number): Promise<void> {
    let lastMove = Date.now();
    while (this.processed < target && !signal.aborted) {
      const before = this.processed;
      const entries = await this.bus.readAfter(
        [{ stream: STREAMS.execEvents, afterId: this.#cursor }],
        512,
        200,
      );
      for (const e of entries) {
        this.#cursor = e.entryId;
        const d = decode(e.raw, STREAMS.execEvents);
        if (d.ok && d.msg.type === "account") {
          this.processed = Math.max(this.processed, d.msg.data.barsProcessed);
        }
      }
      if (this.processed > before) lastMove = Date.now();
      else if (Date.now() - lastMove > stallMs) {
        throw new Error(
          `the executor has not processed a bar for ${stallMs} ms (at ${this.processed}, ` +
            `waiting for ${target}): the pipeline is stuck`,
        );
      }
    }
  }
}

/** Bars the replay may run ahead of the executor: four clock steps, within the cap. */
export function replayWindow(cap: number, symbols: number): number {
  return Math.max(1, Math.min(cap, 4 * Math.max(1, symbols)));
}

/** Streams whose consumers the replay waits for (operator and diagnostic streams excluded). */
const DATA_STREAMS = [
  STREAMS.bars,
  STREAMS.news,
  STREAMS.signals,
  STREAMS.decisions,
  STREAMS.orders,
  STREAMS.vetoes,
  STREAMS.execEvents,
];

/** Entries not yet acknowledged by the slowest consumer group of any data stream. */
export async function largestBacklog(bus: Bus): Promise<number> {
  let worst = 0;
  for (const stream of DATA_STREAMS) {
    for (const g of (await bus.info(stream)).groups) {
      worst = Math.max(worst, (g.lag ?? 0) + g.pending);
    }
  }
  return worst;
}

async function waitForBacklog(bus: Bus, cap: number, signal: AbortSignal, stallMs: number) {
  let last = await largestBacklog(bus);
  let lastMove = Date.now();
  while (last > cap && !signal.aborted) {
    await abortableSleep(20, signal);
    const now = await largestBacklog(bus);
    if (now < last) lastMove = Date.now();
    else if (Date.now() - lastMove > stallMs) {
      throw new Error(`a consumer has not caught up for ${stallMs} ms (backlog ${now} entries)`);
    }
    last = now;
  }
}

async function runReplay(ctx: FeedContext, plan: ReplayPlan): Promise<void> {
  const { bus, config, log, signal } = ctx;
  const { bars, timeframe, symbols } = await loadReplayBars(plan, config.VALIDATION_POLICY, log);
  if (bars.length === 0) throw new Error("the replay files hold no bars");
  const news = await loadReplayNews(plan, log);
  const seq = replaySequence(bars, news, symbols);
  const stories = seq.items.length - seq.bars;
  if (news.length > 0) {
    log.info("news merged into the replay", {
      stories,
      ignored: news.length - stories,
      why: "stories naming no replayed symbol are not published",
    });
  }
  let index = decodeProgress(seq, await bus.kvGet(PROGRESS_KEY));
  if (index > 0) {
    log.info("resuming replay", { from: index, bars: seq.barsBefore[index], of: seq.items.length });
  }
  ctx.setStatus(() => ({ processed: index, inFlightMs: 0 }));
  log.info("replay starting", { bars: bars.length, stories, symbols: symbols.length, timeframe });

  const window = replayWindow(config.FEED_WINDOW, symbols.length);
  const progress = new ExecutorProgress(bus);
  // A stall long enough to outlast an agent's restart (hang detection plus backoff).
  const stallMs = Math.max(60_000, 4 * config.HANG_TIMEOUT_MS + config.META_DEADLINE_MS);
  const backlogCap = 16 * window;
  let lastBarTime = index > 0 ? lastBarTimeBefore(seq, index) : null;
  while (index < seq.items.length && !signal.aborted) {
    const barsOut = seq.barsBefore[index];
    if (barsOut < seq.bars && barsOut - progress.processed >= window) {
      await progress.waitFor(barsOut - window + 1, signal, stallMs);
      if (signal.aborted) break;
    }
    // The executor is the end of the trading chain, but not the slowest reader: the ledger
    // (database writes) may fall behind. Wait for every consumer group, not just the chain.
    await waitForBacklog(bus, backlogCap, signal, stallMs);
    if (signal.aborted) break;
    // As many bars as the window allows go out together (pipelined); at a real-time
    // speed, one clock step at a time with the pause in between.
    let end: number;
    if (plan.speed === "max") {
      end = batchEnd(seq, index, Math.min(seq.bars, progress.processed + window));
    } else {
      end = clockStepEnd(seq, index);
      const next = seq.items.slice(index, end).find((it) => it.kind === "bar");
      if (next?.kind === "bar" && lastBarTime !== null && lastBarTime < next.bar.time) {
        await abortableSleep((next.bar.time - lastBarTime) / plan.speed, signal);
        if (signal.aborted) break;
      }
    }
    const batch = seq.items.slice(index, end);
    await publishNewsFirst(bus, batch, signal, stallMs);
    if (signal.aborted) break;
    await Promise.all(
      batch.flatMap((item) =>
        item.kind === "bar"
          ? [bus.publish(STREAMS.bars, encode(barEnvelope(item.bar, item.bar.seq), STREAMS.bars))]
          : []
      ),
    );
    for (const item of batch) if (item.kind === "bar") lastBarTime = item.bar.time;
    index = end;
    await bus.kvSet(PROGRESS_KEY, encodeProgress(seq, index));
  }
  if (signal.aborted) return;
  await progress.waitFor(bars.length, signal, stallMs);
  const firstClose: Record<string, number> = {};
  const lastClose: Record<string, number> = {};
  for (const b of bars) {
    firstClose[b.symbol] ??= b.close;
    lastClose[b.symbol] = b.close;
  }
  ctx.notify({
    type: "feed_done",
    published: seq.barsBefore[index],
    processed: progress.processed,
    symbols,
    timeframe,
    firstClose,
    lastClose,
    firstTime: bars[0].time,
    lastTime: bars[bars.length - 1].time,
  });
  // Stay up until the supervisor stops us, so a normal end is not mistaken for a crash.
  await new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve()));
}

async function loadReplayNews(plan: ReplayPlan, log: Logger): Promise<News[]> {
  const paths = plan.newsPaths ?? [];
  if (paths.length === 0) return [];
  const report = await readNewsReplay(paths);
  for (const note of report.notes) log.info(note);
  log.info("news loaded", {
    files: report.files.length,
    stories: report.news.length,
    duplicates: report.duplicates,
    conflicts: report.conflicts.length,
  });
  return report.news;
}

function lastBarTimeBefore(seq: ReplaySequence, index: number): number | null {
  for (let i = index - 1; i >= 0; i--) {
    const item = seq.items[i];
    if (item.kind === "bar") return item.bar.time;
  }
  return null;
}

/** The group that reads md.news: the sentiment agent's. */
const NEWS_READER = "sentiment";

/**
 * Publishes the batch's stories, then waits until the sentiment agent has been handed every
 * one of them before any bar of the batch goes out. Entry ids order one stream, not two:
 * without this wait a read could bring a bar before a story published ahead of it (ids
 * within one millisecond, or the per-stream COUNT of a read). A story sent a few bars early
 * is harmless: the sentiment core only counts stories published by a bar's close.
 */
async function publishNewsFirst(
  bus: Bus,
  batch: readonly ReplayItem[],
  signal: AbortSignal,
  stallMs: number,
): Promise<void> {
  const ids = await Promise.all(
    batch.flatMap((item) =>
      item.kind === "news"
        ? [bus.publish(STREAMS.news, encode(newsEnvelope(item.news), STREAMS.news))]
        : []
    ),
  );
  if (ids.length === 0 || !batch.some((item) => item.kind === "bar")) return;
  const last = ids.map((id) => parseStreamId(id)).reduce((a, b) =>
    compareStreamIds(a, b) < 0 ? b : a
  );
  const since = Date.now();
  while (!signal.aborted) {
    const group = (await bus.info(STREAMS.news)).groups.find((g) => g.group === NEWS_READER);
    if (group && compareStreamIds(parseStreamId(group.lastDeliveredId), last) >= 0) return;
    if (Date.now() - since > stallMs) {
      throw new Error(
        `the ${NEWS_READER} agent has not read the news for ${stallMs} ms ` +
          `(${group ? `last read ${group.lastDeliveredId}` : "no consumer group"}): is it running?`,
      );
    }
    await abortableSleep(group ? 2 : 50, signal);
  }
}

async function runLive(ctx: FeedContext): Promise<void> {
  const { bus, config, log, signal } = ctx;
  const exchange = await createCcxtExchange(config.EXCHANGE);
  await probeExchange(exchange, 10_000, config.SYMBOLS);
  const saved = await bus.kvGet(LIVE_RESUME_KEY);
  const state = saved === null
    ? { seq: 0, resumeFrom: {} as Record<string, number> }
    : JSON.parse(saved) as { seq: number; resumeFrom: Record<string, number> };
  let seq = state.seq;
  ctx.setStatus(() => ({ processed: seq, inFlightMs: 0 }));
  const poller: CcxtBarPoller = new CcxtBarPoller({
    exchange,
    symbols: config.SYMBOLS,
    timeframe: config.TIMEFRAME,
    resumeFrom: state.resumeFrom,
    onBar: async (bar) => {
      await bus.publish(STREAMS.bars, encode(barEnvelope(bar, seq), STREAMS.bars));
      seq++;
      await bus.kvSet(
        LIVE_RESUME_KEY,
        JSON.stringify({ seq, resumeFrom: { ...poller.lastEmitted(), [bar.symbol]: bar.time } }),
      );
    },
  });
  log.info("live feed polling", {
    exchange: config.EXCHANGE,
    symbols: config.SYMBOLS,
    timeframe: config.TIMEFRAME,
  });
  await poller.run(signal);
}
