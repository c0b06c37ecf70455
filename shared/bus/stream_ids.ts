// Redis stream entry ids (`<ms>-<seq>`): parsing, ordering and range bounds. Both bus
// implementations validate ids with these functions, so bad ids fail the same way.

export interface StreamId {
  ms: number;
  seq: number;
}

const ID_RE = /^(\d{1,16})-(\d{1,16})$/;
const MS_RE = /^\d{1,16}$/;

/** Parses a complete id `<ms>-<seq>`; throws an error naming `what` on anything else. */
export function parseStreamId(id: string, what = "entry id"): StreamId {
  const m = typeof id === "string" ? ID_RE.exec(id) : null;
  if (m === null) throw new Error(`invalid ${what} ${JSON.stringify(id)}: expected <ms>-<seq>`);
  const ms = Number(m[1]);
  const seq = Number(m[2]);
  if (!Number.isSafeInteger(ms) || !Number.isSafeInteger(seq)) {
    throw new Error(`invalid ${what} ${JSON.stringify(id)}: parts exceed 2^53`);
  }
  return { ms, seq };
}

export const formatStreamId = (id: StreamId): string => `${id.ms}-${id.seq}`;

export function compareStreamIds(a: StreamId, b: StreamId): number {
  return a.ms !== b.ms ? a.ms - b.ms : a.seq - b.seq;
}

export const ZERO_ID: StreamId = { ms: 0, seq: 0 };
const MAX_ID: StreamId = { ms: Number.MAX_SAFE_INTEGER, seq: Number.MAX_SAFE_INTEGER };

/** An inclusive bound of XRANGE after resolving "-", "+", "<ms>" and "(" (exclusive). */
export interface RangeBound {
  id: StreamId;
  exclusive: boolean;
}

/**
 * Accepts what XRANGE accepts: "-", "+", "<ms>", "<ms>-<seq>", and "(" before an id for an
 * exclusive bound. A bare "<ms>" means "<ms>-0" as a start and "<ms>-<max>" as an end.
 */
export function parseRangeBound(bound: string, side: "start" | "end"): RangeBound {
  if (typeof bound !== "string") throw new Error(`invalid range ${side}: not a string`);
  if (bound === "-") return { id: ZERO_ID, exclusive: false };
  if (bound === "+") return { id: MAX_ID, exclusive: false };
  const exclusive = bound.startsWith("(");
  const body = exclusive ? bound.slice(1) : bound;
  if (MS_RE.test(body)) {
    const ms = Number(body);
    if (!Number.isSafeInteger(ms)) throw new Error(`invalid range ${side} ${bound}: too large`);
    const seq = side === "start" ? 0 : Number.MAX_SAFE_INTEGER;
    return { id: { ms, seq }, exclusive };
  }
  try {
    return { id: parseStreamId(body, `range ${side}`), exclusive };
  } catch {
    throw new Error(
      `invalid range ${side} ${JSON.stringify(bound)}: expected "-", "+", <ms>, <ms>-<seq>` +
        ` or "(" before an id`,
    );
  }
}

export function withinRange(id: StreamId, start: RangeBound, end: RangeBound): boolean {
  const lo = compareStreamIds(id, start.id);
  const hi = compareStreamIds(id, end.id);
  return (start.exclusive ? lo > 0 : lo >= 0) && (end.exclusive ? hi < 0 : hi <= 0);
}
