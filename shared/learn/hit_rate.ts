// Rolling out-of-sample hit rate of each agent's direction calls, for one symbol, kept online
// and strictly point in time. A call made at bar b (up when P(up) > P(down), down when
// P(down) > P(up), none on a tie) is resolved by the close `horizon` bars later: a hit when
// the sign of close[b + horizon] − close[b] is the call's (an unchanged close resolves
// nothing). Each resolution is stamped with the bar time of the close that resolved it, and
// the hit rate asked for at bar time t counts only resolutions stamped ≤ t: a call whose
// horizon has not passed at t never counts, whatever order the messages came in.
// The state is plain JSON (it goes into the meta agent's snapshot).
import type { DirectionProbs } from "./direction.ts";

export interface HitRateOptions {
  /** Bars until a call is resolved (the label horizon). */
  horizon: number;
  /** Resolved calls per agent that the rate is computed over (the newest). */
  window: number;
  /** Pseudo-hits and pseudo-misses added to the rate (shrinks it toward 1/2). */
  prior: number;
  /** Fewer resolved calls than this weigh 1: a handful of calls is noise, not skill. */
  minResolved: number;
}

export const DEFAULT_HIT_RATE_OPTIONS: Readonly<HitRateOptions> = Object.freeze({
  horizon: 1,
  window: 100,
  prior: 5,
  minResolved: 20,
});

/** Bars remembered beyond the horizon, so a call decided a little late still resolves. */
const BAR_SLACK = 64;
/** Resolutions kept beyond the window, for queries at a slightly earlier bar time. */
const RESOLVED_SLACK = 64;

export interface PendingCall {
  barTime: number;
  agent: string;
  /** +1 up, −1 down. */
  dir: 1 | -1;
}

export interface Resolution {
  /** Bar time of the close that resolved the call. */
  at: number;
  hit: boolean;
}

export interface HitTrack {
  /** The newest bars [time, close], ascending by time. */
  bars: [number, number][];
  /** Calls whose resolving close has not been seen. */
  pending: PendingCall[];
  /** Per agent, resolutions ascending by `at`. */
  resolved: Record<string, Resolution[]>;
}

export const emptyHitTrack = (): HitTrack => ({ bars: [], pending: [], resolved: {} });

export function checkHitRateOptions(o: HitRateOptions): void {
  const problems: string[] = [];
  if (!(Number.isSafeInteger(o.horizon) && o.horizon >= 1)) {
    problems.push(`horizon: expected an integer >= 1 (got ${o.horizon})`);
  }
  if (!(Number.isSafeInteger(o.window) && o.window >= 1)) {
    problems.push(`window: expected an integer >= 1 (got ${o.window})`);
  }
  if (!(Number.isSafeInteger(o.minResolved) && o.minResolved >= 0)) {
    problems.push(`minResolved: expected an integer >= 0 (got ${o.minResolved})`);
  }
  if (!(Number.isFinite(o.prior) && o.prior > 0)) {
    problems.push(`prior: expected a number > 0 (got ${o.prior})`);
  }
  if (problems.length > 0) throw new RangeError(`hit rate options: ${problems.join("; ")}`);
}

/** The call of a forecast: +1, −1, or null when P(up) = P(down). */
export function directionCall(p: DirectionProbs): 1 | -1 | null {
  return p.up > p.down ? 1 : p.down > p.up ? -1 : null;
}

function resolve(track: HitTrack, call: PendingCall, base: number, at: number, close: number) {
  const realised = Math.sign(close - base);
  if (realised === 0) return;
  const list = (track.resolved[call.agent] ??= []);
  const r = { at, hit: realised === call.dir };
  let i = list.length;
  while (i > 0 && list[i - 1].at > at) i--;
  list.splice(i, 0, r);
}

function trimResolved(track: HitTrack, o: HitRateOptions): void {
  for (const list of Object.values(track.resolved)) {
    const extra = list.length - (o.window + RESOLVED_SLACK);
    if (extra > 0) list.splice(0, extra);
  }
}

/**
 * Records a bar's close (bars must come in time order per symbol; an older or repeated bar is
 * ignored) and resolves the calls made `horizon` bars before it.
 */
export function recordBar(track: HitTrack, time: number, close: number, o: HitRateOptions): void {
  if (!(Number.isFinite(close) && close > 0)) {
    throw new RangeError(`hit rate: close must be finite and > 0 (got ${close})`);
  }
  const last = track.bars.at(-1);
  if (last !== undefined && time <= last[0]) return;
  track.bars.push([time, close]);
  if (track.bars.length > o.horizon + 1 + BAR_SLACK) track.bars.shift();
  const j = track.bars.length - 1 - o.horizon;
  if (j < 0) return;
  const [baseTime, baseClose] = track.bars[j];
  const still: PendingCall[] = [];
  for (const c of track.pending) {
    if (c.barTime === baseTime) resolve(track, c, baseClose, time, close);
    // a call older than the base bar has lost its base close: it can never resolve
    else if (c.barTime > baseTime) still.push(c);
  }
  track.pending = still;
  trimResolved(track, o);
}

/**
 * Records the direction calls made at `barTime` (one per agent). A call whose resolving close
 * is already known is resolved at once, stamped with that close's bar time.
 */
export function recordCalls(
  track: HitTrack,
  barTime: number,
  calls: readonly { agent: string; probs: DirectionProbs }[],
  o: HitRateOptions,
): void {
  const j = track.bars.findIndex(([t]) => t === barTime);
  for (const { agent, probs } of calls) {
    const dir = directionCall(probs);
    if (dir === null) continue;
    const call: PendingCall = { barTime, agent, dir };
    if (j >= 0 && j + o.horizon < track.bars.length) {
      const [at, close] = track.bars[j + o.horizon];
      resolve(track, call, track.bars[j][1], at, close);
    } else if (j >= 0 || track.bars.length === 0 || barTime > track.bars.at(-1)![0]) {
      track.pending.push(call);
    }
    // else: its bar is older than every bar remembered, so it cannot be resolved
  }
  trimResolved(track, o);
}

export interface HitCount {
  hits: number;
  n: number;
}

/** Hits among the agent's newest `window` calls resolved at or before bar time `at`. */
export function hitCount(track: HitTrack, agent: string, at: number, o: HitRateOptions): HitCount {
  const list = track.resolved[agent] ?? [];
  let end = list.length;
  while (end > 0 && list[end - 1].at > at) end--;
  const from = Math.max(0, end - o.window);
  let hits = 0;
  for (let i = from; i < end; i++) if (list[i].hit) hits++;
  return { hits, n: end - from };
}

/**
 * The vote weight of a hit count: the odds p / (1 − p) of the shrunk hit rate
 * p = (hits + prior) / (n + 2·prior); exactly 1 below `minResolved` calls. 1 for a coin flip
 * or no history, above 1 for an agent that has been right more often than wrong.
 */
export function hitRateWeight(
  c: HitCount,
  o: Pick<HitRateOptions, "prior" | "minResolved">,
): number {
  if (c.n < o.minResolved) return 1;
  const p = (c.hits + o.prior) / (c.n + 2 * o.prior);
  return p / (1 - p);
}
