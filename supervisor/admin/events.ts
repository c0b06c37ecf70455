// GET /events: server-sent events for the dashboard. Every interval it reads what reached
// the bus since the last look and forwards the entries a dashboard draws, plus the agents'
// states and the trading state when they changed. A burst too large to forward (or entries
// already dropped from the log) becomes one "resync" event: the page reloads over REST.
import type { Context } from "hono";
import { streamSSE } from "hono/streaming";
import type { Activity } from "./activity.ts";
import type { AgentView } from "./app.ts";
import type { TradingState } from "../../shared/messages/mod.ts";

export const FORWARDED_TYPES = new Set([
  "bar",
  "fill",
  "account",
  "decision",
  "verdict",
  "order_update",
  "alert",
  "command",
]);
/** More entries than this in one interval: tell the page to reload instead. */
const MAX_PER_TICK = 500;

export interface LiveEventsOptions {
  activity: Activity;
  agents(): Promise<AgentView[]>;
  tradingState(): Promise<TradingState>;
  intervalMs: number;
  signal?: AbortSignal;
}

export function liveEvents(c: Context, o: LiveEventsOptions): Response {
  return streamSSE(c, async (stream) => {
    const stop = () => stream.abort();
    o.signal?.addEventListener("abort", stop);
    try {
      await o.activity.sync();
      let seq = o.activity.lastSeq;
      let agentsSent = "";
      let stateSent = "";
      while (!stream.aborted && !stream.closed && !o.signal?.aborted) {
        const state = JSON.stringify({ trading_state: await o.tradingState() });
        if (state !== stateSent) {
          await stream.writeSSE({ event: "state", data: state });
          stateSent = state;
        }
        const agents = JSON.stringify({ agents: await o.agents() });
        if (agents !== agentsSent) {
          await stream.writeSSE({ event: "agents", data: agents });
          agentsSent = agents;
        }
        const { entries, gap, last } = o.activity.since(seq);
        seq = last;
        const wanted = entries.filter((e) => FORWARDED_TYPES.has(e.type));
        if (gap || wanted.length > MAX_PER_TICK) {
          await stream.writeSSE({
            event: "resync",
            data: JSON.stringify({ seq }),
            id: String(seq),
          });
        } else {
          for (const e of wanted) {
            await stream.writeSSE({
              event: e.type,
              id: String(e.seq),
              data: JSON.stringify({
                seq: e.seq,
                id: e.id,
                time: e.time,
                corr: e.corr,
                published_at: e.publishedAt,
                data: e.data,
              }),
            });
          }
        }
        await stream.sleep(o.intervalMs);
        await o.activity.sync();
      }
    } finally {
      o.signal?.removeEventListener("abort", stop);
    }
  }, async (err, stream) => {
    await stream.writeSSE({ event: "failure", data: JSON.stringify({ error: err.message }) });
  });
}
