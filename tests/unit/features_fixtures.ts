// Test fixtures for the feature and predictive-agent tests: tiny readers of the real data in
// <repo>/../shared/data (independent of the project's loaders) and deterministic synthetic
// series. Not a test file itself.
import type { AgentCore, Output } from "../../agents/runtime/core.ts";
import assert from "node:assert/strict";
import type { AnyEnvelope, Bar, Envelope, Signal } from "../../shared/messages/mod.ts";
import { barId, makeEnvelope, messageId, validate } from "../../shared/messages/mod.ts";
import type { FeatureBar } from "../../shared/features/mod.ts";

export const DATA_DIR = new URL("../../../shared/data/", import.meta.url);

export interface DatedBar extends FeatureBar {
  date: string;
}

/** etf_daily/<SYMBOL>.csv: three header lines, then Date,Close,High,Low,Open,Volume. */
export function readEtfDaily(symbol: string): DatedBar[] {
  const text = Deno.readTextFileSync(new URL(`etf_daily/${symbol}.csv`, DATA_DIR));
  const lines = text.trim().split(/\r?\n/);
  if (!lines[0].startsWith("Price,Close,High,Low,Open,Volume")) {
    throw new Error(`etf_daily/${symbol}.csv: unexpected header '${lines[0]}'`);
  }
  return lines.slice(3).map((line, i) => {
    const [date, close, high, low, open, volume] = line.split(",");
    const bar = {
      date,
      time: Date.parse(`${date}T00:00:00Z`),
      open: Number(open),
      high: Number(high),
      low: Number(low),
      close: Number(close),
      volume: Number(volume),
    };
    for (const [k, v] of Object.entries(bar)) {
      if (typeof v === "number" && !Number.isFinite(v)) {
        throw new Error(`etf_daily/${symbol}.csv line ${i + 4}: ${k} is not a number`);
      }
    }
    return bar;
  });
}

/**
 * intraday_5m/<SYMBOL>_5min.csv: timestamp,open,high,low,close,volume. The "-0400" suffix
 * is wrong (the clock is UTC, see the data README), so it is dropped and the time read as UTC.
 */
export function readIntraday5m(symbol: string): DatedBar[] {
  const text = Deno.readTextFileSync(new URL(`intraday_5m/${symbol}_5min.csv`, DATA_DIR));
  const lines = text.trim().split(/\r?\n/);
  return lines.slice(1).map((line) => {
    const [ts, open, high, low, close, volume] = line.split(",");
    const clock = ts.slice(0, 19).replace(" ", "T");
    return {
      date: ts.slice(0, 10),
      time: Date.parse(`${clock}Z`),
      open: Number(open),
      high: Number(high),
      low: Number(low),
      close: Number(close),
      volume: Number(volume),
    };
  });
}

/** Park–Miller LCG: deterministic uniforms in (0, 1) for hand-made series. */
export function lcg(seed: number): () => number {
  let s = (Math.abs(Math.trunc(seed)) % 2147483646) + 1;
  return () => {
    s = (s * 48271) % 2147483647;
    return s / 2147483647;
  };
}

export type Shape = "up" | "down" | "flat" | "zigzag";

/**
 * Daily bars from 2020-01-01. "up"/"down": ±0.8% drift a bar plus ±0.4% noise; "flat":
 * noise around 100 with no drift (mean-reverting); "zigzag": alternating +1% / -1%.
 */
export function syntheticBars(shape: Shape, n: number, seed = 1): FeatureBar[] {
  const rnd = lcg(seed);
  const out: FeatureBar[] = [];
  let close = 100;
  for (let i = 0; i < n; i++) {
    const noise = (rnd() - 0.5) * 0.008;
    const open = close;
    if (shape === "up") close = open * Math.exp(0.008 + noise);
    else if (shape === "down") close = open * Math.exp(-0.008 + noise);
    else if (shape === "flat") close = 100 * Math.exp((rnd() - 0.5) * 0.02);
    else close = open * Math.exp(i % 2 === 0 ? 0.01 : -0.01);
    const high = Math.max(open, close) * (1 + 0.002 + rnd() * 0.003);
    const low = Math.min(open, close) * (1 - 0.002 - rnd() * 0.003);
    out.push({ time: Date.UTC(2020, 0, 1) + i * 86_400_000, open, high, low, close, volume: 1e6 });
  }
  return out;
}

export function toBar(symbol: string, b: FeatureBar, seq: number, timeframe = "1d"): Bar {
  return {
    symbol,
    timeframe,
    time: b.time,
    open: b.open,
    high: b.high,
    low: b.low,
    close: b.close,
    volume: b.volume,
    seq,
  };
}

export function barEnvelope(
  symbol: string,
  b: FeatureBar,
  seq: number,
  timeframe = "1d",
): Envelope<"bar"> {
  return makeEnvelope("bar", {
    id: messageId("feed", "bar", `${symbol}:${b.time}`),
    producer: "feed",
    time: b.time,
    corr: barId(symbol, b.time),
  }, toBar(symbol, b, seq, timeframe));
}

/** Relative closeness: |a - b| <= tol * max(|a|, |b|) (so 0 matches only 0). */
export function closeRel(a: number, b: number, tol = 1e-9): boolean {
  return Math.abs(a - b) <= tol * Math.max(Math.abs(a), Math.abs(b));
}

/** Feeds `msgs` to a fresh core; returns the outputs of each step. */
export function runCore<S>(core: AgentCore<S>, msgs: readonly AnyEnvelope[]): Output[][] {
  let state = core.init();
  return msgs.map((m) => {
    const step = core.step(state, m, 0);
    state = step.state;
    return step.out;
  });
}

/**
 * The contract every bar-driven predictive core keeps: exactly one valid signal per new
 * bar (ids, corr, time derived from the bar), nothing for a redelivered or older bar, and
 * outputs that do not depend on later bars.
 */
export function assertSignalContract<S>(core: AgentCore<S>, msgs: readonly Envelope<"bar">[]) {
  let state = core.init();
  const outputs: Output[] = [];
  msgs.forEach((m, i) => {
    const step = core.step(state, m, 1_000 + i);
    state = step.state;
    assert.equal(step.out.length, 1, `bar ${i}: expected exactly one output`);
    const [out] = step.out;
    assert.equal(out.stream, "signals");
    const checked = validate(out.msg, "signals");
    assert.ok(checked.ok, `bar ${i}: ${checked.ok ? "" : checked.error}`);
    const bar = m.data;
    assert.equal(out.msg.type, "signal");
    assert.equal(out.msg.id, `${core.name}:signal:${bar.symbol}:${bar.time}`);
    assert.equal(out.msg.producer, core.name);
    assert.equal(out.msg.time, bar.time);
    assert.equal(out.msg.corr, `bar:${bar.symbol}:${bar.time}`);
    const data = out.msg.data as Signal;
    assert.equal(data.agent, core.name);
    assert.equal(data.symbol, bar.symbol);
    assert.equal(data.barTime, bar.time);
    assert.equal(data.latencyMs, 0);
    outputs.push(out);
    // Redelivery of this bar, and of an older one, produce nothing.
    assert.deepEqual(core.step(state, m, 0).out, []);
    if (i > 0) assert.deepEqual(core.step(state, msgs[i - 1], 0).out, []);
  });
  // Truncation invariance: a shorter history gives the same first outputs.
  for (const n of [1, Math.floor(msgs.length / 3), msgs.length - 1]) {
    const short = runCore(core, msgs.slice(0, n)).flat();
    assert.deepEqual(short, outputs.slice(0, n), `first ${n} outputs differ`);
  }
  return outputs.map((o) => o.msg.data as Signal);
}
