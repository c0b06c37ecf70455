// VWAP anchored to sessions: the package's cumulative VWAP restarted at every anchor
// boundary. With a null anchor it is cumulative since the first bar.
import type { VwapAnchor } from "./config.ts";
import { type Hlcv, type Streaming, streamingCumulativeVwap } from "./indicators.ts";

/** The session a bar opening at `time` belongs to (all bars share session 0 without anchor). */
export function vwapSession(time: number, anchor: VwapAnchor | null): number {
  return anchor === null ? 0 : Math.floor((time - anchor.offsetMs) / anchor.periodMs);
}

export function streamingSessionVwap(
  anchor: VwapAnchor | null,
): Streaming<Hlcv & { time: number }, number | null> {
  let session: number | null = null;
  let vwap = streamingCumulativeVwap();
  return (bar) => {
    const s = vwapSession(bar.time, anchor);
    if (session !== null && s !== session) vwap = streamingCumulativeVwap();
    session = s;
    return vwap(bar);
  };
}
