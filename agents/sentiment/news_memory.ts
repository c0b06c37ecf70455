// The sentiment agent's memory: per symbol, the scored stories that can still count for a
// future bar, and the last bar processed. Bounded: a story older than maxAge before the
// symbol's last evaluation time can never count again and is dropped; a symbol with no bar
// yet is pruned against the newest evaluation time of any symbol (bars arrive in time order
// across symbols in a replay, so its first bar cannot close earlier); and each symbol keeps
// at most `maxStories`, the newest, as a last resort. While that cap does not bind, the
// memory holds exactly the stories that can still count, whatever order they arrived in;
// when it binds (more stories than it holds within maxAge, or many early arrivals from the
// future) the oldest go first, and outputs then depend on what arrived when.
import { z } from "zod";
import { compareStories, type ScoredStory } from "../../shared/news/mod.ts";

export interface SymbolMemory {
  timeframe: string | null;
  lastBarTime: number | null;
  lastEvalTime: number | null;
  /** Sorted by (publishedAt, id); ids unique. */
  stories: ScoredStory[];
}

export interface NewsMemory {
  symbols: Map<string, SymbolMemory>;
  /** Newest evaluation time of any bar processed, null before the first. */
  latestEvalTime: number | null;
}

export interface MemoryLimits {
  maxAgeMs: number;
  maxStories: number;
}

export const emptyMemory = (): NewsMemory => ({ symbols: new Map(), latestEvalTime: null });

export function symbolMemory(mem: NewsMemory, symbol: string): SymbolMemory {
  let s = mem.symbols.get(symbol);
  if (s === undefined) {
    s = { timeframe: null, lastBarTime: null, lastEvalTime: null, stories: [] };
    mem.symbols.set(symbol, s);
  }
  return s;
}

/** Stories published before this can never count for the symbol again (null: no bound yet). */
export function cutoffFor(mem: NewsMemory, s: SymbolMemory, limits: MemoryLimits): number | null {
  const at = s.lastEvalTime ?? mem.latestEvalTime;
  return at === null ? null : at - limits.maxAgeMs;
}

/**
 * Adds a story unless it is already held (same id: a redelivery counts once) or too old to
 * count. Returns whether it was added.
 */
export function remember(
  mem: NewsMemory,
  symbol: string,
  story: ScoredStory,
  limits: MemoryLimits,
): boolean {
  const s = symbolMemory(mem, symbol);
  const cutoff = cutoffFor(mem, s, limits);
  if (cutoff !== null && story.publishedAt < cutoff) return false;
  if (s.stories.some((x) => x.id === story.id)) return false;
  let i = s.stories.length;
  while (i > 0 && compareStories(s.stories[i - 1], story) > 0) i--;
  s.stories.splice(i, 0, story);
  if (s.stories.length > limits.maxStories) {
    s.stories.splice(0, s.stories.length - limits.maxStories);
  }
  return s.stories.includes(story);
}

/** Drops what can no longer count: run after a bar moved the evaluation times on. */
export function prune(mem: NewsMemory, limits: MemoryLimits): void {
  for (const [symbol, s] of mem.symbols) {
    const cutoff = cutoffFor(mem, s, limits);
    if (cutoff === null) continue;
    let n = 0;
    while (n < s.stories.length && s.stories[n].publishedAt < cutoff) n++;
    if (n > 0) s.stories.splice(0, n);
    // A symbol that only ever appeared in news, all of it now too old: forget it entirely.
    if (s.lastBarTime === null && s.stories.length === 0) mem.symbols.delete(symbol);
  }
}

const epoch = z.number().int().nonnegative();
const SnapshotSchema = z.object({
  v: z.literal(1),
  latestEvalTime: epoch.nullable(),
  symbols: z.record(
    z.string().min(1),
    z.object({
      timeframe: z.string().min(1).nullable(),
      lastBarTime: epoch.nullable(),
      lastEvalTime: epoch.nullable(),
      /** [id, publishedAt, score] */
      stories: z.array(z.tuple([z.string().min(1), epoch, z.number().finite()])),
    }),
  ),
});
export type MemorySnapshot = z.infer<typeof SnapshotSchema>;

export function memorySnapshot(mem: NewsMemory): MemorySnapshot {
  const symbols: MemorySnapshot["symbols"] = {};
  for (const [symbol, s] of [...mem.symbols].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    symbols[symbol] = {
      timeframe: s.timeframe,
      lastBarTime: s.lastBarTime,
      lastEvalTime: s.lastEvalTime,
      stories: s.stories.map((x) => [x.id, x.publishedAt, x.score]),
    };
  }
  return { v: 1, latestEvalTime: mem.latestEvalTime, symbols };
}

/** Throws naming the field when `value` is not a snapshot this version wrote. */
export function restoreMemory(value: unknown): NewsMemory {
  const parsed = SnapshotSchema.safeParse(value);
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    throw new Error(
      `sentiment snapshot: ${i.path.map(String).join(".") || "(root)"}: ${i.message}`,
    );
  }
  const mem = emptyMemory();
  mem.latestEvalTime = parsed.data.latestEvalTime;
  for (const [symbol, s] of Object.entries(parsed.data.symbols)) {
    const stories = s.stories.map(([id, publishedAt, score]) => ({ id, publishedAt, score }));
    const sorted = stories.every((x, k) => k === 0 || compareStories(stories[k - 1], x) < 0);
    if (!sorted || new Set(stories.map((x) => x.id)).size !== stories.length) {
      throw new Error(`sentiment snapshot: symbols.${symbol}.stories: not sorted or not unique`);
    }
    mem.symbols.set(symbol, { ...s, stories });
  }
  return mem;
}
