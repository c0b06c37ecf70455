// Invariants of the paper exchange over random prices, random orders and random
// interleavings / redeliveries of bars and verdicts.
import assert from "node:assert/strict";
import fc from "fast-check";
import { createExecutorCore, type ExecutorState } from "../../agents/executor/core.ts";
import type { Output } from "../../agents/runtime/core.ts";
import {
  type Account,
  type AnyEnvelope,
  barId,
  clientOrderIdFor,
  makeEnvelope,
  messageId,
  validate,
} from "../../shared/messages/mod.ts";

const H = 3_600_000;
const T0 = 1_700_000_000_000;
const core = createExecutorCore({ initialCash: 10_000, feeBps: 10, slippageBps: 5 });

type Intent = { side: "buy" | "sell"; quantity: number } | null;

const priceArb = fc.integer({ min: 100, max: 100_000 }).map((c) => c / 100);
const intentArb: fc.Arbitrary<Intent> = fc.oneof(
  fc.constant(null),
  fc.record({
    side: fc.constantFrom("buy" as const, "sell" as const),
    quantity: fc.integer({ min: 1, max: 2_000_000 }).map((q) => q / 1e4),
  }),
);
const seriesArb = (symbol: string) =>
  fc.array(fc.tuple(priceArb, priceArb, intentArb), { minLength: 2, maxLength: 10 }).map((rows) =>
    rows.map(([open, close, intent], i) => ({
      bar: bar(symbol, T0 + i * H, open, close),
      verdict: verdict(symbol, T0 + i * H, intent),
    }))
  );

function bar(symbol: string, time: number, open: number, close: number): AnyEnvelope {
  return makeEnvelope("bar", {
    id: messageId("feed", "bar", `${symbol}:${time}`),
    producer: "feed",
    time,
    corr: barId(symbol, time),
  }, {
    symbol,
    timeframe: "1h",
    time,
    open,
    high: Math.max(open, close),
    low: Math.min(open, close),
    close,
    volume: 1,
    seq: 0,
  });
}

function verdict(symbol: string, barTime: number, intent: Intent): AnyEnvelope {
  const decisionId = messageId("meta", "decision", `${symbol}:${barTime}`);
  return makeEnvelope("verdict", {
    id: messageId("risk", "verdict", `${symbol}:${barTime}`),
    producer: "risk",
    time: barTime,
    corr: barId(symbol, barTime),
  }, {
    decisionId,
    symbol,
    barTime,
    outcome: intent === null ? "none" : "order",
    order: intent === null ? null : {
      clientOrderId: clientOrderIdFor(decisionId),
      symbol,
      type: "market",
      refPrice: 1,
      ...intent,
    },
    reasons: [],
    tradingState: "ACTIVE",
  });
}

/**
 * A random merge of the bar and verdict sequences (each kept in order), with redeliveries.
 * A verdict for bar t always comes after bar t: risk cannot judge before the executor's
 * account of that bar exists. Whether it comes before or after bar t+1 is random.
 */
const interleavingArb = (rows: { bar: AnyEnvelope; verdict: AnyEnvelope }[]) =>
  fc.tuple(
    fc.array(fc.boolean(), { minLength: 2 * rows.length, maxLength: 2 * rows.length }),
    fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 6 }),
  ).map(([picks, dups]) => {
    const bars = rows.map((r) => r.bar);
    const verdicts = rows.map((r) => r.verdict);
    const seq: AnyEnvelope[] = [];
    for (const takeBar of picks) {
      const verdictReady = verdicts.length > bars.length;
      if ((takeBar && bars.length > 0) || !verdictReady) seq.push(bars.shift()!);
      else seq.push(verdicts.shift()!);
    }
    for (const [which, offset] of dups) {
      const at = which % seq.length;
      seq.splice(Math.min(seq.length, at + 1 + (offset % 4)), 0, seq[at]);
    }
    return seq;
  });

const canonical = (rows: { bar: AnyEnvelope; verdict: AnyEnvelope }[]) =>
  rows.flatMap((r) => [r.bar, r.verdict]);

function run(msgs: AnyEnvelope[]): { state: ExecutorState; out: Output[] } {
  let state = core.init();
  const out: Output[] = [];
  for (const m of msgs) {
    const step = core.step(state, m, 0);
    state = step.state;
    out.push(...step.out);
    checkBook(state);
  }
  return { state, out };
}

function checkBook(state: ExecutorState): void {
  assert.ok(state.cash >= 0, `cash ${state.cash}`);
  for (const [s, p] of Object.entries(state.positions)) {
    assert.ok(p.quantity >= 0, `${s} quantity ${p.quantity}`);
  }
}

function checkOutputs(out: Output[]): void {
  const fills = new Set<string>();
  for (const o of out) {
    const v = validate(o.msg, o.stream);
    assert.ok(v.ok, `${o.msg.id}: ${!v.ok && v.error}`);
    if (o.msg.type === "fill") {
      assert.ok(
        !fills.has(o.msg.data.clientOrderId),
        `second fill for ${o.msg.data.clientOrderId}`,
      );
      fills.add(o.msg.data.clientOrderId);
    }
    if (o.msg.type === "account") {
      const a = o.msg.data as Account;
      const recomputed = a.cash + a.positions.reduce((s, p) => s + p.quantity * p.lastPrice, 0);
      assert.ok(Math.abs(recomputed - a.equity) <= 1e-9 * Math.max(1, Math.abs(a.equity)));
      assert.ok(a.cash >= 0);
      for (const p of a.positions) assert.ok(p.quantity > 0);
    }
  }
  const ids = out.map((o) => o.msg.id);
  assert.equal(new Set(ids).size, ids.length, "an output id was emitted twice");
}

const byId = (out: Output[]) => new Map(out.map((o) => [o.msg.id, JSON.stringify(o)]));

Deno.test("executor: cash and positions never negative; equity identity; one fill per order", () => {
  fc.assert(
    fc.property(
      fc.tuple(seriesArb("AAA"), seriesArb("BBB")).chain(([a, b]) =>
        fc.tuple(interleavingArb(a), interleavingArb(b), fc.array(fc.boolean(), { maxLength: 60 }))
      ),
      ([a, b, mix]) => {
        // merge the two symbols' sequences randomly
        const seq: AnyEnvelope[] = [];
        let i = 0;
        while (a.length + b.length > 0) {
          const fromA = b.length === 0 || (a.length > 0 && (mix[i++] ?? true));
          seq.push(fromA ? a.shift()! : b.shift()!);
        }
        checkOutputs(run(seq).out);
      },
    ),
    { numRuns: 200 },
  );
});

Deno.test("executor: any interleaving and redelivery gives the outputs of the canonical order", () => {
  fc.assert(
    fc.property(
      seriesArb("AAA").chain((rows) => fc.tuple(fc.constant(rows), interleavingArb(rows))),
      ([rows, shuffled]) => {
        const want = run(canonical(rows));
        const got = run(shuffled);
        checkOutputs(got.out);
        assert.deepEqual(byId(got.out), byId(want.out));
        // fills and accounts also come in the same order
        const seqOf = (out: Output[]) =>
          out.filter((o) => o.msg.type !== "order_update").map((o) => JSON.stringify(o));
        assert.deepEqual(seqOf(got.out), seqOf(want.out));
        assert.deepEqual(got.state.positions, want.state.positions);
        assert.equal(got.state.cash, want.state.cash);
      },
    ),
    { numRuns: 300 },
  );
});

Deno.test("executor: a redelivered verdict never creates a second order or fill", () => {
  fc.assert(fc.property(seriesArb("AAA"), fc.nat(), (rows, k) => {
    const msgs = canonical(rows);
    const v = rows[k % rows.length].verdict;
    const once = run(msgs);
    const twice = run([...msgs, v, v]);
    assert.deepEqual(twice.out, once.out);
  }));
});

Deno.test("executor: with several symbols sharing the cash, fills and accounts follow feed order whatever the verdicts' timing", () => {
  fc.assert(
    fc.property(
      seriesArb("AAA"),
      seriesArb("BBB"),
      fc.array(fc.nat(5), { minLength: 80, maxLength: 80 }),
      (a, b, coin) => {
        const n = Math.min(a.length, b.length);
        // The feed's order: one clock step at a time, symbols alphabetically.
        const bars = Array.from({ length: n }, (_, i) => [a[i].bar, b[i].bar]).flat();
        // Risk settles the symbols' bars in whatever order its joins complete, so the two
        // symbols' verdict streams interleave at random (each in its own order); a verdict
        // for (s, t) exists only once the executor has published its account for (s, t).
        const simulate = (pick: (k: number) => number): Output[] => {
          const lanes = [a.slice(0, n).map((x) => x.verdict), b.slice(0, n).map((x) => x.verdict)];
          const next = [0, 0];
          const accounted = new Set<string>();
          let state = core.init();
          const out: Output[] = [];
          let i = 0, k = 0;
          while (i < bars.length || next[0] < n || next[1] < n) {
            const ready = [0, 1].filter((l) =>
              next[l] < n && accounted.has(lanes[l][next[l]].corr)
            );
            const choice = pick(k++) % (ready.length + 1);
            let msg: AnyEnvelope;
            if (i < bars.length && (ready.length === 0 || choice === ready.length)) msg = bars[i++];
            else if (ready.length > 0) {
              const l = ready[choice % ready.length];
              msg = lanes[l][next[l]++];
            } else break; // nothing can move: the executor is stuck (asserted below)
            const step = core.step(state, msg, 0);
            state = step.state;
            for (const o of step.out) if (o.msg.type === "account") accounted.add(o.msg.corr);
            out.push(...step.out);
          }
          assert.equal(next[0] + next[1], 2 * n, "every verdict was delivered");
          return out;
        };
        const book = (out: Output[]) =>
          out.filter((o) => o.msg.type === "fill" || o.msg.type === "account").map((o) => o.msg);
        const eager = book(simulate(() => 0));
        const random = book(simulate((k) => coin[k % coin.length]));
        assert.deepEqual(random, eager);
      },
    ),
    { numRuns: 300 },
  );
});
