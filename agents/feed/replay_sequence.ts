// The replay as one sequence of items (bars, and news when the replay has news) and the
// arithmetic the feed does on it: how many bars lie before a position, where the next batch
// ends, and the resume position saved in "feed:progress". Pure: the feed does the I/O.
import type { Bar, News } from "../../shared/messages/mod.ts";
import type { RawBar } from "../../shared/data/mod.ts";
import { mergeBarsAndNews, type ReplayItem } from "../../shared/news/mod.ts";

export type { ReplayItem };

export interface ReplaySequence {
  items: ReplayItem[];
  /** barsBefore[i]: bars among items[0, i); length items.length + 1. */
  barsBefore: number[];
  bars: number;
}

/**
 * Bars keep their feed order and get `seq` = their index among the bars (the executor's
 * progress counts bars, never news); stories go in by mergeBarsAndNews. Only stories that
 * name a replayed symbol are kept: the others concern no agent of this run.
 */
export function replaySequence(
  bars: readonly RawBar[],
  news: readonly News[],
  symbols: readonly string[],
): ReplaySequence {
  const wanted = new Set(symbols);
  const relevant = news.filter((n) => n.symbols.some((s) => wanted.has(s)));
  const withSeq: Bar[] = bars.map((b, seq) => ({ ...b, seq }));
  const items = mergeBarsAndNews(withSeq, relevant);
  const barsBefore = new Array<number>(items.length + 1);
  barsBefore[0] = 0;
  for (let i = 0; i < items.length; i++) {
    barsBefore[i + 1] = barsBefore[i] + (items[i].kind === "bar" ? 1 : 0);
  }
  return { items, barsBefore, bars: bars.length };
}

/**
 * End (exclusive) of the batch that starts at `from` and may hold bars up to bar count
 * `barLimit` in all: it stops just before the first bar past the limit, so the stories that
 * precede that bar go out now. At least one item when any is left; never past the end.
 */
export function batchEnd(seq: ReplaySequence, from: number, barLimit: number): number {
  const n = seq.items.length;
  checkPosition(seq, from);
  let end = from;
  while (end < n && (seq.items[end].kind === "news" || seq.barsBefore[end] < barLimit)) end++;
  return end === from && from < n ? from + 1 : end;
}

/**
 * End (exclusive) of one clock step from `from` (real-time speed): the stories before the
 * next bar, then every bar with that bar's time, then the stories before the bar after.
 */
export function clockStepEnd(seq: ReplaySequence, from: number): number {
  checkPosition(seq, from);
  const { items } = seq;
  let end = from;
  while (end < items.length && items[end].kind === "news") end++;
  const first = items[end];
  if (first?.kind !== "bar") return end;
  const time = first.bar.time;
  while (end < items.length) {
    const item = items[end];
    if (item.kind === "bar" && item.bar.time !== time) break;
    end++;
  }
  return end;
}

/** The saved position: the index in the merged sequence, with checks against a changed plan. */
export interface ReplayProgress {
  index: number;
  bars: number;
  items: number;
}

export function encodeProgress(seq: ReplaySequence, index: number): string {
  checkPosition(seq, index);
  const p: ReplayProgress = { index, bars: seq.barsBefore[index], items: seq.items.length };
  return JSON.stringify(p);
}

/**
 * The position to resume from. Null (nothing saved) is 0. A bare integer is a bar count
 * saved before replays had news; it is a position only in a sequence without news.
 */
export function decodeProgress(seq: ReplaySequence, saved: string | null): number {
  if (saved === null) return 0;
  const text = saved.trim();
  if (/^\d+$/.test(text)) {
    const bars = Number(text);
    if (seq.items.length !== seq.bars) {
      throw new Error(
        `feed:progress holds a bar count (${bars}) from a replay without news; this replay ` +
          "has news: start it afresh (without --resume)",
      );
    }
    if (bars > seq.bars) {
      throw new Error(`feed:progress: ${bars} bars published, but the replay has ${seq.bars}`);
    }
    return bars;
  }
  let p: unknown;
  try {
    p = JSON.parse(text);
  } catch {
    throw new Error(`feed:progress: expected JSON {index, bars, items}, got ${saved}`);
  }
  const r = p as Partial<ReplayProgress>;
  if (
    typeof p !== "object" || p === null ||
    ![r.index, r.bars, r.items].every((v) => Number.isSafeInteger(v) && (v as number) >= 0)
  ) {
    throw new Error(`feed:progress: expected non-negative integers index, bars, items: ${saved}`);
  }
  const { index, bars, items } = r as ReplayProgress;
  if (items !== seq.items.length || index > items || seq.barsBefore[index] !== bars) {
    throw new Error(
      `feed:progress (item ${index} of ${items}, ${bars} bars) does not match this replay ` +
        `(${seq.items.length} items, ${seq.bars} bars): the data or --news changed since the ` +
        "interrupted run; start it afresh (without --resume)",
    );
  }
  return index;
}

function checkPosition(seq: ReplaySequence, i: number): void {
  if (!Number.isSafeInteger(i) || i < 0 || i > seq.items.length) {
    throw new Error(`replay position ${i} is outside 0..${seq.items.length}`);
  }
}
