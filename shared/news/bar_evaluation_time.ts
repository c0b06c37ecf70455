// When a bar is known: at its close, open time + timeframe. News for a bar is evaluated at
// that instant, so a story counts for the bar exactly when it was public before the bar was.
// (A daily stock bar stamped 00:00 UTC thus closes at 00:00 UTC the next day, i.e. after the
// 16:00 New York close: after-hours news counts for that day's bar, which the next bar's
// open, where orders fill, follows anyway.)
import { parseTimeframe } from "../data/timeframe.ts";

export function barEvaluationTime(bar: { time: number; timeframe: string }): number {
  if (!Number.isSafeInteger(bar.time) || bar.time < 0) {
    throw new Error(`bar time ${bar.time}: expected a non-negative integer ms epoch`);
  }
  return bar.time + parseTimeframe(bar.timeframe);
}
