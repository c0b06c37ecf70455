// The one way a predictive agent publishes its view: the envelope's id, producer, time and
// correlation all follow from the signal itself, so a replay reproduces them exactly.
import { barId, makeEnvelope, messageId, type Signal } from "../../shared/messages/mod.ts";
import type { Output } from "./core.ts";

export function signalOutput(signal: Signal): Output {
  const key = `${signal.symbol}:${signal.barTime}`;
  return {
    stream: "signals",
    msg: makeEnvelope("signal", {
      id: messageId(signal.agent, "signal", key),
      producer: signal.agent,
      time: signal.barTime,
      corr: barId(signal.symbol, signal.barTime),
    }, signal),
  };
}
