// The input guard of a per-symbol core served from a model card: the message must be a bar of
// the timeframe the model was trained on; a bar at or before the symbol's last one is a
// redelivery (null); a malformed bar is refused with the reason.
import { checkFeatureBar, FeatureError } from "../../shared/features/mod.ts";
import type { AnyEnvelope, Bar } from "../../shared/messages/mod.ts";

export function newCardBar(
  agent: string,
  model: string,
  msg: AnyEnvelope,
  trainedTimeframe: string,
  lastTime: number | undefined,
): Bar | null {
  if (msg.type !== "bar") {
    throw new Error(`${agent}: expected a 'bar' message, got '${msg.type}' (${msg.id})`);
  }
  const bar = msg.data;
  if (bar.timeframe !== trainedTimeframe) {
    throw new FeatureError(
      `${agent}: bar ${bar.symbol}@${bar.time} has timeframe '${bar.timeframe}', but the ` +
        `${model} card was trained on '${trainedTimeframe}' bars`,
    );
  }
  if (lastTime !== undefined && bar.time <= lastTime) return null;
  const problem = checkFeatureBar(bar, lastTime ?? null);
  if (problem !== null) throw new FeatureError(`rejected bar at ${bar.time}: ${problem}`);
  return bar;
}
