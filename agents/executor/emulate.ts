// Emulated order types on the bar stream: whether a working order trades on a bar, and at
// what price. Pure. A bar is only OHLC, so the path inside it is unknown; the conventions:
//   - the open comes first: an order whose level the bar gaps through fills at the open
//     (a sell stop at min(open, stop), a buy stop at max(open, stop), a limit at the open);
//   - otherwise a level inside [low, high] fills at the level itself;
//   - stop and stop-market fills pay slippage, limit and take-profit fills do not (a limit
//     price is guaranteed), market orders fill at the open with slippage.
import type { Bar, Order } from "../../shared/messages/mod.ts";
import { executionPrice } from "./paper.ts";

export interface EmulatedFill {
  price: number;
  /** Filled at the bar's open (a market order, or a gap through the level). */
  atOpen: boolean;
}

export interface Emulation {
  fill: EmulatedFill | null;
  /** stop_limit only: the stop has triggered (now or before); it rests as a limit. */
  triggered: boolean;
}

/** What is missing or wrong in an order's prices, or null when its type has what it needs. */
export function orderProblem(o: Order): string | null {
  switch (o.type) {
    case "market":
      return null;
    case "limit":
      return o.limitPrice === undefined ? "a limit order needs limitPrice" : null;
    case "stop_market":
      return o.stopPrice === undefined ? "a stop_market order needs stopPrice" : null;
    case "stop_limit":
      return o.stopPrice === undefined || o.limitPrice === undefined
        ? "a stop_limit order needs stopPrice and limitPrice"
        : null;
    case "take_profit":
      return o.limitPrice === undefined && o.stopPrice === undefined
        ? "a take_profit order needs limitPrice (or stopPrice)"
        : null;
  }
}

/** A limit at `level`: buys at or below it, sells at or above it. */
function limitFill(side: Order["side"], level: number, bar: Bar): EmulatedFill | null {
  if (side === "buy") {
    if (bar.open <= level) return { price: bar.open, atOpen: true };
    return bar.low <= level ? { price: level, atOpen: false } : null;
  }
  if (bar.open >= level) return { price: bar.open, atOpen: true };
  return bar.high >= level ? { price: level, atOpen: false } : null;
}

/** Does the bar trade through the stop? Buy stops trigger on the way up, sell stops down. */
function stopTouched(side: Order["side"], stop: number, bar: Bar): "open" | "intrabar" | null {
  if (side === "buy") return bar.open >= stop ? "open" : bar.high >= stop ? "intrabar" : null;
  return bar.open <= stop ? "open" : bar.low <= stop ? "intrabar" : null;
}

/**
 * How `o` trades on `bar` (a bar after the one it was decided on). `triggered`: a stop_limit
 * whose stop already triggered on an earlier bar.
 */
export function emulate(o: Order, bar: Bar, slippageBps: number, triggered = false): Emulation {
  const problem = orderProblem(o);
  if (problem !== null) throw new RangeError(`${o.clientOrderId}: ${problem}`);
  switch (o.type) {
    case "market":
      return {
        fill: { price: executionPrice(bar.open, o.side, slippageBps), atOpen: true },
        triggered: false,
      };
    case "limit":
      return { fill: limitFill(o.side, o.limitPrice!, bar), triggered: false };
    case "take_profit":
      return { fill: limitFill(o.side, o.limitPrice ?? o.stopPrice!, bar), triggered: false };
    case "stop_market": {
      const stop = o.stopPrice!;
      const touch = stopTouched(o.side, stop, bar);
      if (touch === null) return { fill: null, triggered: false };
      const base = touch === "open" ? bar.open : stop;
      return {
        fill: { price: executionPrice(base, o.side, slippageBps), atOpen: touch === "open" },
        triggered: true,
      };
    }
    case "stop_limit": {
      const limit = o.limitPrice!;
      if (triggered) return { fill: limitFill(o.side, limit, bar), triggered: true };
      const touch = stopTouched(o.side, o.stopPrice!, bar);
      if (touch === null) return { fill: null, triggered: false };
      // Triggered in this bar: it trades as a limit from the trigger price on. Only the
      // trigger price itself is known to have traded after the trigger.
      const start = touch === "open" ? bar.open : o.stopPrice!;
      const ok = o.side === "buy" ? start <= limit : start >= limit;
      return { fill: ok ? { price: start, atOpen: touch === "open" } : null, triggered: true };
    }
  }
}
