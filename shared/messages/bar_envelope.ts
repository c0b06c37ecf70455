// The feed's envelope of a bar: one id per (symbol, open time), so a republished bar is the
// same message. The feed and the tests that stand in for it build bars only through this.
import { makeEnvelope } from "./codec.ts";
import { barId, messageId } from "./ids.ts";
import type { Bar } from "./schemas.ts";

export function barEnvelope(bar: Omit<Bar, "seq">, seq: number) {
  const data: Bar = { ...bar, seq };
  return makeEnvelope("bar", {
    id: messageId("feed", "bar", `${bar.symbol}:${bar.time}`),
    producer: "feed",
    time: bar.time,
    corr: barId(bar.symbol, bar.time),
  }, data);
}
