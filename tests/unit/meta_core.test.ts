import assert from "node:assert/strict";
import { createMetaCore, type MetaState } from "../../agents/meta/core.ts";
import type { Output } from "../../agents/runtime/core.ts";
import type { WorkerInit } from "../../agents/runtime/protocol.ts";
import { buildAgent, metaDeadlineMs } from "../../agents/registry.ts";
import type { Bus } from "../../shared/bus/types.ts";
import { parseConfig } from "../../shared/config/mod.ts";
import { logger } from "../../shared/util/log.ts";
import {
  type AnyEnvelope,
  barId,
  type Decision,
  makeEnvelope,
  messageId,
  type Signal,
  validate,
} from "../../shared/messages/mod.ts";

const T = 1_700_000_000_000;

function bar(symbol: string, time: number, close = 100): AnyEnvelope {
  return makeEnvelope("bar", {
    id: messageId("feed", "bar", `${symbol}:${time}`),
    producer: "feed",
    time,
    corr: barId(symbol, time),
  }, {
    symbol,
    timeframe: "1d",
    time,
    open: close,
    high: close * 1.01,
    low: close * 0.99,
    close,
    volume: 10,
    seq: 0,
  });
}

function signal(s: Signal): AnyEnvelope {
  return makeEnvelope("signal", {
    id: messageId(s.agent, "signal", `${s.symbol}:${s.barTime}`),
    producer: s.agent,
    time: s.barTime,
    corr: barId(s.symbol, s.barTime),
  }, s);
}

const base = { latencyMs: 1, model: "test" };
const trend = (symbol: string, barTime: number, up = 0.7, confidence = 0.6) =>
  signal({
    kind: "direction",
    agent: "trend",
    symbol,
    barTime,
    probs: { down: (1 - up) / 2, flat: (1 - up) / 2, up },
    confidence,
    ...base,
  });
const vol = (symbol: string, barTime: number, forecast = 0.02) =>
  signal({
    kind: "volatility",
    agent: "volatility",
    symbol,
    barTime,
    realized: 0.01,
    parkinson: 0.01,
    forecast,
    confidence: 0.5,
    ...base,
  });
const regime = (symbol: string, barTime: number, r: "trend" | "range" = "trend") =>
  signal({
    kind: "regime",
    agent: "regime",
    symbol,
    barTime,
    regime: r,
    probs: { trend: r === "trend" ? 0.8 : 0.2, range: r === "trend" ? 0.2 : 0.8 },
    confidence: 0.6,
    ...base,
  });

function run(core: ReturnType<typeof createMetaCore>, msgs: AnyEnvelope[], now = 0) {
  let state: MetaState = core.init();
  const out: Output[] = [];
  for (const m of msgs) {
    const step = core.step(state, m, now);
    state = step.state;
    out.push(...step.out);
  }
  return { state, out };
}

const decisionOf = (o: Output): Decision => {
  assert.equal(o.msg.type, "decision");
  return o.msg.data as Decision;
};

Deno.test("meta: decides once the bar and every expected signal are in", () => {
  const core = createMetaCore();
  const { out } = run(core, [trend("AAA", T), bar("AAA", T, 123.5), vol("AAA", T, 0.03)]);
  assert.equal(out.length, 0);
  const { out: out2 } = run(core, [
    trend("AAA", T),
    bar("AAA", T, 123.5),
    vol("AAA", T, 0.03),
    regime("AAA", T),
  ]);
  assert.equal(out2.length, 1);
  const o = out2[0];
  assert.equal(o.stream, "decisions");
  assert.equal(o.msg.id, "meta:decision:AAA:" + T);
  assert.equal(o.msg.corr, barId("AAA", T));
  assert.equal(o.msg.time, T);
  assert.ok(validate(o.msg, "decisions").ok);
  const d = decisionOf(o);
  assert.equal(d.refPrice, 123.5);
  assert.equal(d.volatilityForecast, 0.03);
  assert.equal(d.regime, "trend");
  assert.deepEqual(d.missing, []);
  // the only voter: probs are trend's, confidence |0.7 − 0.15|
  assert.ok(Math.abs(d.probs.up - 0.7) < 1e-12);
  assert.ok(Math.abs(d.confidence - 0.55) < 1e-12);
  assert.equal(d.disagreement, 0);
  assert.equal(d.target, "long");
  assert.deepEqual(d.votes, [{
    agent: "trend",
    probs: { down: 0.15000000000000002, flat: 0.15000000000000002, up: 0.7 },
    confidence: 0.6,
    weight: 0.6,
  }]);
});

Deno.test("meta: a range regime halves the trend agent's weight", () => {
  const core = createMetaCore();
  const { out } = run(core, [
    bar("AAA", T),
    trend("AAA", T),
    vol("AAA", T),
    regime("AAA", T, "range"),
  ]);
  const d = decisionOf(out[0]);
  assert.equal(d.regime, "range");
  assert.equal(d.votes[0].weight, 0.3);
  assert.equal(d.votes[0].confidence, 0.6);
});

Deno.test("meta: hit-rate weights do not depend on how far the bars run ahead of the signals", () => {
  const DAY = 86_400_000;
  const n = 200; // well beyond the hit track's bar memory (horizon + 1 + 64)
  const closes = Array.from({ length: n }, (_, i) => 100 + 10 * Math.sin(i / 3) + i / 10);
  const bars = closes.map((c, i) => bar("AAA", T + i * DAY, c));
  const signals = closes.flatMap((_, i) => {
    const t = T + i * DAY;
    // right about the next close four times in five: a skill the hit rate picks up
    const rises = closes[i + 1] > closes[i];
    const up = rises !== (i % 5 === 0) ? 0.7 : 0.3;
    return [trend("AAA", t, up), vol("AAA", t), regime("AAA", t)];
  });
  const interleaved = bars.flatMap((b, i) => [b, ...signals.slice(3 * i, 3 * i + 3)]);
  const decide = (msgs: AnyEnvelope[]) =>
    new Map(run(createMetaCore(), msgs).out.map((o) => [o.msg.id, decisionOf(o)]));
  const lockstep = decide(interleaved);
  const barsFirst = decide([...bars, ...signals]);
  assert.equal(lockstep.size, n);
  assert.deepEqual(barsFirst, lockstep);
  // the weights did move off 1 (enough calls resolved), so the comparison means something
  const last = lockstep.get(messageId("meta", "decision", `AAA:${T + (n - 1) * DAY}`))!;
  assert.notEqual(last.votes[0].weight, last.votes[0].confidence);
});

Deno.test("meta: at the deadline the bar is decided with what is in; silent agents are missing", () => {
  const core = createMetaCore({ deadlineMs: 1000 });
  let { state } = run(core, [bar("AAA", T), trend("AAA", T)], 5000);
  assert.equal(core.tick!(state, 5999).out.length, 0);
  const step = core.tick!(state, 6000);
  state = step.state;
  assert.equal(step.out.length, 1);
  const d = decisionOf(step.out[0]);
  assert.deepEqual(d.missing, ["volatility", "regime"]);
  assert.equal(d.regime, "unknown");
  assert.equal(d.volatilityForecast, null);
  assert.match(d.reason, /missing: volatility, regime; deadline passed/);
  // late signals for a decided bar are ignored
  assert.equal(core.step(state, vol("AAA", T), 7000).out.length, 0);
  assert.equal(core.step(state, regime("AAA", T), 7000).out.length, 0);
  assert.equal(core.tick!(state, 99_999).out.length, 0);
  assert.equal(Object.keys(state.pending).length, 0);
});

Deno.test("meta: signals are frozen at the deadline; the bar, when it comes, decides at once", () => {
  const core = createMetaCore({ deadlineMs: 1000 });
  let { state } = run(core, [trend("AAA", T)], 0);
  state = core.tick!(state, 1000).state; // deadline passes without the bar
  assert.equal(core.step(state, vol("AAA", T), 1100).out.length, 0);
  const step = core.step(state, bar("AAA", T, 50), 1200);
  assert.equal(step.out.length, 1);
  const d = decisionOf(step.out[0]);
  assert.equal(d.refPrice, 50);
  assert.deepEqual(d.missing, ["volatility", "regime"]);
});

Deno.test("meta: redelivery and agents outside the expected list change nothing", () => {
  const core = createMetaCore({ expected: ["trend"] });
  const patternSig = signal({
    kind: "direction",
    agent: "pattern",
    symbol: "AAA",
    barTime: T,
    probs: { down: 1, flat: 0, up: 0 },
    confidence: 1,
    ...base,
  });
  const { out } = run(core, [
    patternSig,
    bar("AAA", T),
    bar("AAA", T),
    trend("AAA", T),
    trend("AAA", T),
    bar("AAA", T),
  ]);
  assert.equal(out.length, 1);
  const d = decisionOf(out[0]);
  assert.deepEqual(d.votes.map((v) => v.agent), ["trend"]);
  assert.equal(d.regime, "unknown");
});

Deno.test("meta: the collection is bounded; the oldest bar is decided or dropped", () => {
  const core = createMetaCore({ expected: ["trend"], maxPending: 2 });
  let { state, out } = run(core, [bar("AAA", T), trend("BBB", T), bar("CCC", T)], 0);
  // three bars pending > 2: the oldest (AAA, first seen, with its bar) is decided now
  assert.equal(out.length, 1);
  assert.equal(out[0].msg.id, `meta:decision:AAA:${T}`);
  assert.match(decisionOf(out[0]).reason, /collection memory full/);
  assert.equal(Object.keys(state.pending).length, 2);
  // a fourth evicts BBB, which has no bar: dropped, nothing published
  const step = core.step(state, bar("DDD", T), 1);
  state = step.state;
  assert.equal(step.out.length, 0);
  assert.deepEqual(Object.values(state.pending).map((p) => p.symbol).sort(), ["CCC", "DDD"]);
});

Deno.test("meta: decided bars are remembered within a bounded window (older ones count as decided)", () => {
  const core = createMetaCore({ expected: ["trend"], decidedMemory: 2 });
  const msgs = [0, 1, 2].flatMap((i) => [bar("AAA", T + i), trend("AAA", T + i)]);
  const { state, out } = run(core, msgs);
  assert.equal(out.length, 3);
  assert.deepEqual(state.decided["AAA"], { floor: T, times: [T + 1, T + 2] });
  assert.equal(core.step(state, bar("AAA", T), 0).out.length, 0);
  assert.equal(core.step(state, bar("AAA", T - 5), 0).out.length, 0);
  assert.equal(Object.keys(state.pending).length, 0);
});

Deno.test("meta: snapshot is plain JSON and restores to an equivalent state", () => {
  const core = createMetaCore();
  const { state } = run(core, [bar("AAA", T), trend("AAA", T), vol("AAA", T)], 10);
  const json = JSON.parse(JSON.stringify(core.snapshot!(state)));
  const restored = core.restore!(json);
  assert.deepEqual(restored, state);
  const a = core.step(state, regime("AAA", T), 20);
  const b = core.step(restored, regime("AAA", T), 20);
  assert.deepEqual(b.out, a.out);
  assert.equal(a.out.length, 1);
});

Deno.test("meta: bad options and bad snapshots are refused with the field named", () => {
  assert.throws(
    () => createMetaCore({ expected: ["trend", "oracle" as "trend"] }),
    /expected: unknown agent 'oracle'/,
  );
  assert.throws(
    () => createMetaCore({ margin: 2 }),
    /margin: expected a number in \[0, 1\] \(got 2\)/,
  );
  assert.throws(() => createMetaCore({ deadlineMs: 0 }), /deadlineMs: expected an integer > 0/);
  const core = createMetaCore();
  assert.throws(
    () => core.restore!({ pending: {}, decided: { AAA: { floor: "x" } } }),
    /decided.AAA.floor/,
  );
});

Deno.test("meta: an unexpected message type is an error, not a silent skip", () => {
  const core = createMetaCore();
  const cmd = makeEnvelope("command", { id: "c1", producer: "operator", time: 1, corr: "c1" }, {
    command: "kill",
    target: null,
    issuedBy: "test",
    reason: "",
  });
  assert.throws(() => core.step(core.init(), cmd, 0), /meta: unexpected message type 'command'/);
});

Deno.test("meta: a replay waits REPLAY_META_DEADLINE_MS, so a 20 s stall of the machine changes nothing", async () => {
  const built = async (replay: boolean) => {
    const init = {
      agent: "meta",
      config: parseConfig({}),
      expectedAgents: ["trend", "volatility", "regime"],
      modelsDir: null,
      ...(replay ? { replay: { paths: ["x.csv"] } } : {}),
    } as unknown as WorkerInit;
    assert.equal(metaDeadlineMs(init), replay ? 600_000 : 15_000);
    return (await buildAgent(init, null as unknown as Bus, logger("test"))).core as ReturnType<
      typeof createMetaCore
    >;
  };
  for (const replay of [false, true]) {
    const core = await built(replay);
    const { state } = run(core, [bar("AAA", T), trend("AAA", T)], 5000);
    const stalled = core.tick!(state, 5000 + 20_000).out;
    assert.equal(stalled.length, replay ? 0 : 1, replay ? "replay" : "live");
    if (replay) assert.equal(core.tick!(state, 5000 + 600_000).out.length, 1);
  }
});
