import assert from "node:assert/strict";
import fc from "fast-check";
import { createMetaCore } from "../../agents/meta/core.ts";
import type { Output } from "../../agents/runtime/core.ts";
import {
  type AnyEnvelope,
  barId,
  type Decision,
  makeEnvelope,
  messageId,
  type Signal,
} from "../../shared/messages/mod.ts";

const T0 = 1_700_000_000_000;
const DAY = 86_400_000;

function barEnv(symbol: string, time: number, close: number): AnyEnvelope {
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
    high: close,
    low: close,
    close,
    volume: 1,
    seq: 0,
  });
}

function sigEnv(s: Signal): AnyEnvelope {
  return makeEnvelope("signal", {
    id: messageId(s.agent, "signal", `${s.symbol}:${s.barTime}`),
    producer: s.agent,
    time: s.barTime,
    corr: barId(s.symbol, s.barTime),
  }, s);
}

const dirSig = (agent: "trend" | "pattern", symbol: string, barTime: number, up: number) =>
  sigEnv({
    kind: "direction",
    agent,
    symbol,
    barTime,
    probs: { down: (1 - up) * 0.6, flat: (1 - up) * 0.4, up },
    confidence: Math.abs(up - 0.5) * 2,
    latencyMs: 0,
    model: "m",
  });

/** Per bar of each symbol: the bar and both signals, in a drawn order within the bar. */
const scenarioArb = fc.record({
  closes: fc.array(fc.integer({ min: 90, max: 110 }), { minLength: 3, maxLength: 40 }),
  ups: fc.array(
    fc.tuple(
      fc.double({ min: 0.05, max: 0.9, noNaN: true }),
      fc.double({
        min: 0.05,
        max: 0.9,
        noNaN: true,
      }),
    ),
    { minLength: 40, maxLength: 40 },
  ),
  orders: fc.array(fc.array(fc.nat(2), { minLength: 3, maxLength: 3 }), {
    minLength: 80,
    maxLength: 80,
  }),
  mode: fc.constantFrom("average" as const, "weighted" as const),
  horizon: fc.integer({ min: 1, max: 3 }),
});

type Scenario = typeof scenarioArb extends fc.Arbitrary<infer S> ? S : never;

function messages(s: Scenario, bars: number): AnyEnvelope[] {
  const out: AnyEnvelope[] = [];
  for (let i = 0; i < bars; i++) {
    ["AAA", "BBB"].forEach((sym, k) => {
      const t = T0 + i * DAY;
      const close = s.closes[i] + k;
      const group = [
        barEnv(sym, t, close),
        dirSig("trend", sym, t, s.ups[i][k]),
        dirSig("pattern", sym, t, s.ups[i][1 - k]),
      ];
      // a random order within the bar (bars themselves come in time order)
      const keys = s.orders[i * 2 + k];
      out.push(
        ...group.map((m, j) => [keys[j], j, m] as const)
          .sort((a, b) => a[0] - b[0] || a[1] - b[1]).map(([, , m]) => m),
      );
    });
  }
  return out;
}

function run(s: Scenario, bars: number): Map<string, Decision> {
  const core = createMetaCore({
    expected: ["trend", "pattern"],
    mode: s.mode,
    hitRate: { horizon: s.horizon, window: 5, prior: 1, minResolved: 2 },
  });
  let state = core.init();
  const out: Output[] = [];
  for (const m of messages(s, bars)) {
    const step = core.step(state, m, 0);
    state = step.state;
    out.push(...step.out);
  }
  return new Map(out.map((o) => [o.msg.id, o.msg.data as Decision]));
}

Deno.test("meta: a decision at bar t is unchanged when later bars are appended or removed", () => {
  fc.assert(
    fc.property(scenarioArb, fc.nat(), (s, cutSeed) => {
      const n = s.closes.length;
      const cut = 1 + (cutSeed % n);
      const full = run(s, n);
      const short = run(s, cut);
      assert.equal(full.size, 2 * n);
      assert.equal(short.size, 2 * cut);
      for (const [id, d] of short) assert.deepEqual(full.get(id), d, id);
    }),
    { numRuns: 60 },
  );
});

Deno.test("meta: weighted mode moves the weights once calls resolve; average mode never does", () => {
  // trend always calls up, pattern always down; closes rise every bar: trend is always right
  const s: Scenario = {
    closes: Array.from({ length: 12 }, (_, i) => 100 + i),
    ups: Array.from({ length: 40 }, () => [0.8, 0.1] as [number, number]),
    orders: Array.from({ length: 80 }, () => [0, 1, 2]),
    mode: "weighted",
    horizon: 1,
  };
  const weighted = [...run(s, 12).values()].filter((d) => d.symbol === "AAA");
  const ratio = (d: Decision) => {
    const w = Object.fromEntries(d.votes.map((v) => [v.agent, v.weight / v.confidence]));
    return w.trend / w.pattern;
  };
  // bars 0, 1: fewer than minResolved (2) calls resolved, so weights are the confidences
  assert.equal(ratio(weighted[0]), 1);
  assert.equal(ratio(weighted[1]), 1);
  // from bar 2 (calls of bars 0 and 1 resolved): trend's odds grow, pattern's shrink
  assert.ok(ratio(weighted[2]) > 1);
  // window 5: the rate grows until 5 calls are in, then stays at 5 of 5
  assert.ok(ratio(weighted[3]) > ratio(weighted[2]));
  assert.equal(ratio(weighted[11]), ratio(weighted[7]));
  const average = [...run({ ...s, mode: "average" }, 12).values()];
  for (const d of average) for (const v of d.votes) assert.equal(v.weight, 1);
});
