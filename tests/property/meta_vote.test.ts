// Invariants of the meta agent's vote, over random signals and arrival orders.
import assert from "node:assert/strict";
import fc from "fast-check";
import { createMetaCore, type MetaOptions } from "../../agents/meta/core.ts";
import { combineVotes, decideTarget } from "../../agents/meta/vote.ts";
import type { Output } from "../../agents/runtime/core.ts";
import {
  type AnyEnvelope,
  barId,
  type Decision,
  type DirectionProbs,
  makeEnvelope,
  messageId,
  type Signal,
  type Vote,
} from "../../shared/messages/mod.ts";

const T = 1_600_000_000_000;

const probsArb: fc.Arbitrary<DirectionProbs> = fc
  .tuple(
    fc.integer({ min: 0, max: 1000 }),
    fc.integer({ min: 0, max: 1000 }),
    fc.integer({ min: 0, max: 1000 }),
  )
  .filter(([a, b, c]) => a + b + c > 0)
  .map(([a, b, c]) => ({ down: a / (a + b + c), flat: b / (a + b + c), up: c / (a + b + c) }));
const unit = fc.double({ min: 0, max: 1, noNaN: true });

const voteArb = (agent: string): fc.Arbitrary<Vote> =>
  fc.record({ probs: probsArb, confidence: unit, weight: unit }).map((v) => ({ agent, ...v }));
const votesArb = fc.uniqueArray(fc.constantFrom("trend", "pattern", "sentiment", "x1", "x2"), {
  maxLength: 5,
}).chain((agents) => fc.tuple(...agents.map(voteArb)));

const sameEnsemble = (a: ReturnType<typeof combineVotes>, b: ReturnType<typeof combineVotes>) => {
  for (const k of ["down", "flat", "up"] as const) {
    assert.ok(Math.abs(a.probs[k] - b.probs[k]) <= 1e-12, `${k}: ${a.probs[k]} vs ${b.probs[k]}`);
  }
  assert.ok(Math.abs(a.confidence - b.confidence) <= 1e-12);
  assert.ok(Math.abs(a.disagreement - b.disagreement) <= 1e-12);
};

Deno.test("vote: probabilities sum to 1 and every figure is in [0, 1]", () => {
  fc.assert(fc.property(votesArb, (votes) => {
    const e = combineVotes(votes);
    assert.ok(Math.abs(e.probs.down + e.probs.flat + e.probs.up - 1) < 1e-12);
    for (const x of [e.probs.down, e.probs.flat, e.probs.up, e.confidence, e.disagreement]) {
      assert.ok(x >= 0 && x <= 1, String(x));
    }
  }));
});

Deno.test("vote: a voter with weight 0 changes nothing when another weighs more", () => {
  fc.assert(fc.property(votesArb, probsArb, (votes, probs) => {
    fc.pre(votes.some((v) => v.weight > 0));
    const without = combineVotes(votes);
    const withZero = combineVotes([...votes, { agent: "zero", probs, confidence: 0, weight: 0 }]);
    sameEnsemble(withZero, without);
  }));
});

Deno.test("vote: unanimity gives disagreement 0", () => {
  fc.assert(fc.property(
    fc.constantFrom("down", "flat", "up"),
    fc.array(fc.tuple(fc.double({ min: 0.34, max: 1, noNaN: true }), unit), {
      minLength: 1,
      maxLength: 6,
    }),
    (dir, raw) => {
      const votes = raw.map(([top, weight], i) => {
        const rest = (1 - top) / 2;
        const probs = { down: rest, flat: rest, up: rest, [dir]: top } as DirectionProbs;
        return { agent: `a${i}`, probs, confidence: weight, weight };
      });
      // every voter's argmax is `dir` (strictly, top > 1/3 > rest), so the ensemble's is too
      const e = combineVotes(votes);
      assert.equal(e.disagreement, 0);
    },
  ));
});

Deno.test("vote: the target respects the thresholds", () => {
  const thresholds = fc.record({ margin: unit, minConfidence: unit, maxDisagreement: unit });
  fc.assert(fc.property(votesArb, thresholds, (votes, t) => {
    const e = combineVotes(votes);
    const { target } = decideTarget(e, t);
    const edge = e.probs.up - e.probs.down;
    const longOk = edge >= t.margin && e.confidence >= t.minConfidence &&
      e.disagreement <= t.maxDisagreement;
    if (target === "long") assert.ok(longOk);
    else if (target === "flat") assert.ok(!longOk && -edge >= t.margin);
    else assert.ok(!longOk && -edge < t.margin);
  }));
});

// ---- the core: arrival order and absent agents ----

function env(s: Signal): AnyEnvelope {
  return makeEnvelope("signal", {
    id: messageId(s.agent, "signal", `${s.symbol}:${s.barTime}`),
    producer: s.agent,
    time: s.barTime,
    corr: barId(s.symbol, s.barTime),
  }, s);
}
function barEnv(symbol: string, time: number, close: number): AnyEnvelope {
  return makeEnvelope("bar", {
    id: messageId("feed", "bar", `${symbol}:${time}`),
    producer: "feed",
    time,
    corr: barId(symbol, time),
  }, {
    symbol,
    timeframe: "1h",
    time,
    open: close,
    high: close,
    low: close,
    close,
    volume: 1,
    seq: 0,
  });
}

const direction = (agent: "trend" | "pattern" | "sentiment", symbol: string, barTime: number) =>
  fc.record({ probs: probsArb, confidence: unit }).map((r) =>
    env({ kind: "direction", agent, symbol, barTime, ...r, latencyMs: 0, model: "m" })
  );
const regimeSig = (symbol: string, barTime: number) =>
  fc.constantFrom("trend", "range", "unknown").map((regime) =>
    env({
      kind: "regime",
      agent: "regime",
      symbol,
      barTime,
      regime: regime as "trend",
      probs: { trend: 0.5, range: 0.5 },
      confidence: 0.5,
      latencyMs: 0,
      model: "m",
    })
  );
const volSig = (symbol: string, barTime: number) =>
  fc.double({ min: 0, max: 0.2, noNaN: true }).map((forecast) =>
    env({
      kind: "volatility",
      agent: "volatility",
      symbol,
      barTime,
      realized: forecast,
      parkinson: forecast,
      forecast,
      confidence: 0.5,
      latencyMs: 0,
      model: "m",
    })
  );

/** Every message of a few bars of two symbols. */
const barsArb = fc.array(
  fc.tuple(
    fc.constantFrom("AAA", "BBB"),
    fc.integer({ min: 0, max: 5 }),
    fc.double({ min: 1, max: 1000, noNaN: true }),
  ),
  { minLength: 1, maxLength: 4 },
).chain((raw) => {
  const keys = [
    ...new Map(raw.map(([s, i, c]) => [`${s}:${i}`, [s, T + i * 3_600_000, c] as const])).values(),
  ];
  return fc.tuple(...keys.map(([s, t, c]) =>
    fc.tuple(
      direction("trend", s, t),
      direction("pattern", s, t),
      direction("sentiment", s, t),
      regimeSig(s, t),
      volSig(s, t),
    ).map((sigs) => [barEnv(s, t, c), ...sigs])
  )).map((groups) => groups.flat());
});

function decisions(opts: Partial<MetaOptions>, msgs: AnyEnvelope[]): Map<string, Decision> {
  const core = createMetaCore({ deadlineMs: 1000, ...opts });
  let state = core.init();
  const out: Output[] = [];
  for (const m of msgs) {
    const step = core.step(state, m, 0);
    state = step.state;
    out.push(...step.out);
  }
  out.push(...core.tick!(state, 1000).out);
  const map = new Map<string, Decision>();
  for (const o of out) {
    assert.ok(!map.has(o.msg.id), `two decisions ${o.msg.id}`);
    map.set(o.msg.id, o.msg.data as Decision);
  }
  return map;
}

Deno.test("meta: the decision does not depend on the order messages arrive in (bit for bit)", () => {
  const all = ["trend", "pattern", "sentiment", "regime", "volatility"] as const;
  fc.assert(fc.property(
    barsArb.chain((msgs) =>
      fc.tuple(fc.constant(msgs), fc.shuffledSubarray(msgs, { minLength: msgs.length }))
    ),
    ([msgs, shuffled]) => {
      const a = decisions({ expected: [...all] }, msgs);
      const b = decisions({ expected: [...all] }, shuffled);
      assert.deepEqual(b, a);
      assert.equal(a.size, msgs.filter((m) => m.type === "bar").length);
    },
  ));
});

Deno.test("meta: an absent agent changes nothing versus a run without it", () => {
  fc.assert(fc.property(barsArb, (msgs) => {
    const withoutPattern = msgs.filter((m) => !(m.type === "signal" && m.data.agent === "pattern"));
    const expected = ["trend", "sentiment", "regime", "volatility"] as const;
    // not expected: its signals are ignored
    const a = decisions({ expected: [...expected] }, msgs);
    const b = decisions({ expected: [...expected] }, withoutPattern);
    assert.deepEqual(a, b);
    // expected but silent: the same vote, only listed as missing (decided at the deadline)
    const c = decisions({ expected: [...expected, "pattern"] }, withoutPattern);
    for (const [id, d] of a) {
      const e = c.get(id)!;
      assert.deepEqual(e.missing, ["pattern"]);
      assert.deepEqual({ ...e, missing: [], reason: "" }, { ...d, missing: [], reason: "" });
    }
  }));
});
