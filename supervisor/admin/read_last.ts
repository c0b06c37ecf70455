// The last entries of a stream without XREVRANGE: the bus reads forward only, so we read
// windows of entry-id time backwards from the stream's end, each a little wider, until
// enough entries were found or the stream's start was passed.
import type { Bus, StreamEntry } from "../../shared/bus/types.ts";
import { parseStreamId } from "../../shared/bus/stream_ids.ts";

const PAGE = 1_000;

/** Every entry of `stream` in the inclusive/exclusive bounds, paging forward. */
async function readWindow(bus: Bus, stream: string, start: string, end: string) {
  const out: StreamEntry[] = [];
  let from = start;
  for (;;) {
    const page = await bus.range(stream, from, end, PAGE);
    out.push(...page);
    if (page.length < PAGE) return out;
    from = `(${page[page.length - 1].entryId}`;
  }
}

/**
 * The last `n` entries of `stream` that `accept` keeps, oldest first. Cost grows with the
 * entries in the windows read, not with the length of the stream.
 */
export async function readLast(
  bus: Bus,
  stream: string,
  n: number,
  accept: (e: StreamEntry) => boolean = () => true,
): Promise<StreamEntry[]> {
  if (!Number.isSafeInteger(n) || n < 1) throw new RangeError(`readLast: n must be ≥ 1, got ${n}`);
  const [first] = await bus.range(stream, "-", "+", 1);
  if (first === undefined) return [];
  const firstMs = parseStreamId(first.entryId).ms;
  const info = await bus.info(stream);
  if (info.lastEntryId === null) return [];
  let endMs = parseStreamId(info.lastEntryId).ms + 1; // exclusive upper bound, in ms
  let width = 1_000;
  let found: StreamEntry[] = [];
  while (found.length < n && endMs > firstMs) {
    const lo = Math.max(firstMs, endMs - width);
    const chunk = (await readWindow(bus, stream, String(lo), `(${endMs}-0`)).filter(accept);
    found = chunk.concat(found);
    endMs = lo;
    width *= 4;
  }
  return found.slice(-n);
}
