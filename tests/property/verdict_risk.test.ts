// Invariants of the risk agent over random sequences of bars, decisions, account snapshots,
// fills and operator commands, delivered in random order with redeliveries (bars of one
// symbol in time order, as the feed publishes them).
import assert from "node:assert/strict";
import fc from "fast-check";
import { createRiskCore, type RiskOptions, type RiskState } from "../../agents/risk/core.ts";
import { utcDay } from "../../agents/risk/limits.ts";
import { buyCost, executionPrice } from "../../agents/executor/paper.ts";
import type { Output } from "../../agents/runtime/core.ts";
import {
  type Account,
  type AnyEnvelope,
  barId,
  type Decision,
  makeEnvelope,
  messageId,
  type TradingState,
  validate,
  type Verdict,
} from "../../shared/messages/mod.ts";

const H = 3_600_000;
const T0 = 19_000 * 86_400_000;
const SYMBOLS = ["AAA", "BBB", "CCC"] as const;
const SECTORS: Record<string, string> = { AAA: "Tech", BBB: "Tech", CCC: "Energy" };

interface BarCase {
  symbol: string;
  barTime: number;
  bar: AnyEnvelope;
  decision: AnyEnvelope | null;
  account: AnyEnvelope | null;
}

const price = fc.integer({ min: 1, max: 500_000 }).map((c) => c / 100);
const qty = fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 10_000_000 }).map((q) => q / 1e5));

const env = <T extends AnyEnvelope["type"]>(
  type: T,
  producer: string,
  key: string,
  time: number,
  corr: string,
  data: Extract<AnyEnvelope, { type: T }>["data"],
) =>
  makeEnvelope(type, { id: messageId(producer, type, key), producer, time, corr }, data as never);

/** One bar of one symbol: its bar, maybe a decision, maybe an account (both usually). */
const barArb = (symbol: string, barTime: number): fc.Arbitrary<BarCase> =>
  fc.record({
    target: fc.constantFrom("long", "long", "long", "flat", "short", "hold") as fc.Arbitrary<
      Decision["target"]
    >,
    refPrice: price,
    range: fc.integer({ min: 0, max: 500 }).map((r) => r / 1e4),
    cash: fc.integer({ min: 100, max: 5_000_000 }).map((c) => c / 100),
    held: qty,
    others: fc.array(fc.tuple(qty, price), { minLength: 2, maxLength: 2 }),
    forecast: fc.option(fc.integer({ min: 1, max: 1000 }).map((f) => f / 1e4), { nil: null }),
    disagreement: fc.integer({ min: 0, max: 100 }).map((x) => x / 100),
    hasDecision: fc.integer({ min: 0, max: 9 }).map((n) => n > 0),
    hasAccount: fc.integer({ min: 0, max: 9 }).map((n) => n > 0),
  }).map((r) => {
    const others = SYMBOLS.filter((s) => s !== symbol);
    const positions = [
      { symbol, quantity: r.held, avgPrice: r.refPrice, lastPrice: r.refPrice },
      ...others.map((s, i) => ({
        symbol: s,
        quantity: r.others[i][0],
        avgPrice: r.others[i][1],
        lastPrice: r.others[i][1],
      })),
    ].filter((p) => p.quantity > 0).sort((a, b) => (a.symbol < b.symbol ? -1 : 1));
    const account: Account = {
      symbol,
      barTime,
      cash: r.cash,
      equity: r.cash + positions.reduce((s, p) => s + p.quantity * p.lastPrice, 0),
      positions,
      fees: 0,
      barsProcessed: 1,
    };
    const corr = barId(symbol, barTime);
    const decision: Decision = {
      symbol,
      barTime,
      refPrice: r.refPrice,
      target: r.target,
      probs: { down: 0.2, flat: 0.2, up: 0.6 },
      confidence: 0.4,
      disagreement: r.disagreement,
      votes: [],
      missing: [],
      volatilityForecast: r.forecast,
      regime: "trend",
      reason: "",
    };
    const p = r.refPrice;
    return {
      symbol,
      barTime,
      bar: env("bar", "feed", `${symbol}:${barTime}`, barTime, corr, {
        symbol,
        timeframe: "1h",
        time: barTime,
        open: p,
        high: p * (1 + r.range),
        low: p * (1 - r.range),
        close: p,
        volume: 1,
        seq: 0,
      }),
      // The executor's account of a bar follows risk's verdict on the bar before, so an
      // account always has its decision (risk waits for it: core.ts, determinism).
      decision: r.hasDecision || r.hasAccount
        ? env("decision", "meta", `${symbol}:${barTime}`, barTime, corr, decision)
        : null,
      account: r.hasAccount
        ? env("account", "executor", `${symbol}:${barTime}`, barTime, corr, account)
        : null,
    };
  });

const commandArb = fc.tuple(
  fc.integer({ min: 0, max: 6 }),
  fc.constantFrom("kill", "pause", "resume", "restart"),
).map(([n, command]) => {
  const id = messageId("operator", "command", `${n}`);
  return makeEnvelope("command", { id, producer: "operator", time: T0 + n, corr: id }, {
    command: command as "kill",
    target: null,
    issuedBy: "test",
    reason: "",
  });
});

const fillArb = fc.tuple(
  fc.integer({ min: 0, max: 1000 }),
  fc.constantFrom(...SYMBOLS),
  fc.constantFrom("buy", "sell") as fc.Arbitrary<"buy" | "sell">,
  fc.integer({ min: 1, max: 100 }),
  price,
  fc.integer({ min: 0, max: 60 }),
).map(([n, symbol, side, q, p, i]) =>
  env("fill", "executor", `f${n}`, T0 + i * H, barId(symbol, T0 + i * H), {
    clientOrderId: `o${n}`,
    symbol,
    side,
    quantity: q,
    price: p,
    fee: 0,
    barTime: T0 + i * H,
  })
);

/** Bars of one symbol keep their time order; everything else is shuffled. */
function feedOrder(msgs: AnyEnvelope[]): AnyEnvelope[] {
  const out = [...msgs];
  for (const s of SYMBOLS) {
    const at = out.flatMap((m, i) => (m.type === "bar" && m.data.symbol === s ? [i] : []));
    const sorted = at.map((i) => out[i]).sort((a, b) => a.time - b.time);
    at.forEach((i, k) => (out[i] = sorted[k]));
  }
  return out;
}

const scenarioArb = fc.tuple(
  fc.array(fc.tuple(fc.constantFrom(...SYMBOLS), fc.integer({ min: 0, max: 60 })), {
    minLength: 1,
    maxLength: 14,
  }),
  fc.array(commandArb, { maxLength: 5 }),
  fc.array(fillArb, { maxLength: 10 }),
).chain(([keys, commands, fills]) => {
  const unique = [
    ...new Map(keys.map(([s, i]) => [`${s}:${i}`, [s, T0 + i * H] as const])).values(),
  ];
  return fc.tuple(...unique.map(([s, t]) => barArb(s, t))).chain((bars) => {
    const msgs = [
      ...bars.flatMap((b) =>
        [b.bar, b.decision, b.account].filter((m): m is AnyEnvelope => m !== null)
      ),
      ...commands,
      ...fills,
    ];
    return fc.tuple(
      fc.constant(bars),
      fc.shuffledSubarray(msgs, { minLength: msgs.length }).map(feedOrder),
    );
  });
});

interface Step {
  msg: AnyEnvelope;
  out: Output[];
  before: RiskState;
  after: RiskState;
}

function run(opts: Partial<RiskOptions>, msgs: AnyEnvelope[]) {
  const core = createRiskCore(opts);
  let state = core.init();
  const steps: Step[] = [];
  for (const msg of msgs) {
    const before = structuredClone(state);
    const step = core.step(state, msg, 0);
    state = step.state;
    steps.push({ msg, out: step.out, before, after: structuredClone(state) });
  }
  return { state, steps, out: steps.flatMap((s) => s.out) };
}

const SIZINGS = ["fixed_fractional", "half_kelly", "vol_target", "max_fraction"] as const;

// Limits set low enough to bind often: gross and net below 1, a sector cap below two
// positions, two open positions, one buy a day.
const tight = (sizing: (typeof SIZINGS)[number]): Partial<RiskOptions> => ({
  sizing,
  riskPerTrade: 0.05,
  kellyMinTrades: 2,
  kellyPriorFraction: 0.2,
  periodsPerYear: 8760,
  volTarget: 0.5,
  maxPositionFraction: 0.3,
  maxGrossExposure: 0.6,
  maxNetExposure: 0.5,
  maxSectorFraction: 0.32,
  sectors: SECTORS,
  maxOpenPositions: 2,
  maxOrdersPerDay: 1,
  feeBps: 10,
  slippageBps: 5,
  minNotional: 0,
  atrPeriod: 2,
  trailingPct: 0.05,
  takeProfitPct: 0.2,
  maxHoldingBars: 3,
  volSpikeWindow: 4,
  volSpikeRatio: 2,
  disagreementWindow: 2,
  maxDisagreement: 0.8,
  maxConsecutiveLosses: 2,
  // random accounts run far ahead of decisions: stale data would block nearly every buy
  staleBars: 0,
  // random accounts' equities jump around: a drawdown scale-down would shrink most buys to 0
  drawdownScaleStart: 0.9,
  drawdownScaleEnd: 1,
});

function checkOrderWithinLimits(v: Verdict, bars: BarCase[], o: Partial<RiskOptions>): void {
  if (v.order === null) return;
  const bar = bars.find((b) => b.symbol === v.symbol && b.barTime === v.barTime)!;
  const a = bar.account!.data as Account;
  const d = bar.decision!.data as Decision;
  const held = a.positions.find((p) => p.symbol === v.symbol)?.quantity ?? 0;
  const q = v.order.quantity;
  assert.ok(q > 0);
  if (v.order.side === "sell") {
    assert.ok(q <= held, `sell ${q} > held ${held}`);
    assert.equal(v.order.reduceOnly, true);
    return;
  }
  const p = d.refPrice;
  const others = a.positions.filter((x) => x.symbol !== v.symbol);
  const value = (held + q) * p;
  const sum = (xs: typeof others) => xs.reduce((s, x) => s + x.quantity * x.lastPrice, 0);
  assert.ok(value <= o.maxPositionFraction! * a.equity, "position fraction exceeded");
  assert.ok(sum(others) + value <= o.maxGrossExposure! * a.equity, "gross exposure exceeded");
  assert.ok(sum(others) + value <= o.maxNetExposure! * a.equity, "net exposure exceeded");
  const sector = others.filter((x) => o.sectors![x.symbol] === o.sectors![v.symbol]);
  assert.ok(sum(sector) + value <= o.maxSectorFraction! * a.equity, "sector exposure exceeded");
  if (held === 0) assert.ok(others.length < o.maxOpenPositions!, "open positions exceeded");
  const cost = buyCost(q, executionPrice(p, "buy", o.slippageBps!), o.feeBps!).cost;
  assert.ok(cost <= a.cash, `cost ${cost} > cash ${a.cash}`);
  const stop = v.order.bracket?.stopLoss;
  if (stop !== undefined && stop !== null) assert.ok(stop < p, "a stop at or above the entry");
}

Deno.test("risk: approved orders stay within every limit; one verdict per decision", () => {
  fc.assert(
    fc.property(scenarioArb, fc.constantFrom(...SIZINGS), ([bars, msgs], sizing) => {
      // Loss limits off here (equity stays > 0), so most decisions get sized; halts are below.
      const o = { ...tight(sizing), dailyLossLimit: 1, maxDrawdown: 1 };
      // without operator commands most bars are ACTIVE, so the limits are what binds
      const { out } = run(o, msgs.filter((m) => m.type !== "command"));
      for (const m of out) assert.ok(validate(m.msg, m.stream).ok, m.msg.id);
      const vs = out.filter((m) => m.msg.type === "verdict").map((m) => m.msg.data as Verdict);
      for (const b of bars) {
        const n = vs.filter((v) => v.symbol === b.symbol && v.barTime === b.barTime).length;
        assert.equal(n, b.decision !== null && b.account !== null ? 1 : 0);
      }
      const buysPerDay = new Map<number, number>();
      for (const v of vs) {
        checkOrderWithinLimits(v, bars, o);
        if (v.order?.side === "buy") {
          const day = utcDay(v.barTime);
          buysPerDay.set(day, (buysPerDay.get(day) ?? 0) + 1);
        }
        if (v.tradingState === "HALTED") {
          assert.notEqual(v.outcome, "order");
          assert.equal(v.protection, undefined);
        }
        if (v.tradingState === "REDUCING" && v.outcome === "order") {
          assert.equal(v.order!.side, "sell");
        }
        if (v.outcome === "veto") {
          const veto = out.find((m) => m.msg.id === `risk:veto:${v.symbol}:${v.barTime}`);
          assert.ok(veto !== undefined && veto.stream === "risk.vetoes");
          assert.ok(v.reasons.length > 0);
        }
      }
      for (const [day, n] of buysPerDay) assert.ok(n <= o.maxOrdersPerDay!, `${n} buys on ${day}`);
    }),
    { numRuns: 300 },
  );
});

const exitsArb = fc.record({
  stopPct: fc.constantFrom(0, 0.1),
  stopAtrMult: fc.constantFrom(0.5, 3),
  trailingPct: fc.constantFrom(0, 0.05),
});

Deno.test("risk: a stop never loosens while its position stays open", () => {
  fc.assert(
    fc.property(scenarioArb, exitsArb, ([, msgs], exits) => {
      const o = { ...tight("max_fraction"), ...exits, dailyLossLimit: 1, maxDrawdown: 1 };
      const { steps } = run({ ...o, maxHoldingBars: 0, volSpikeRatio: 0, staleBars: 0 }, msgs);
      for (const { before, after, out } of steps) {
        for (const [s, t] of Object.entries(after.tracked)) {
          const prev = before.tracked[s];
          if (prev === undefined || prev.openedAt !== t.openedAt) continue;
          if (prev.stopLoss !== null) assert.ok(t.stopLoss! >= prev.stopLoss, `${s} stop fell`);
          assert.ok(t.highest >= prev.highest);
        }
        // One message can release several queued bars' verdicts; the last of a symbol's holds
        // the level risk tracks after the step.
        const last = new Map(
          out.flatMap((o) => o.msg.type === "verdict" ? [[o.msg.data.symbol, o] as const] : []),
        );
        for (const o of last.values()) {
          if (o.msg.type !== "verdict" || !o.msg.data.protection) continue;
          // what goes to the executor is exactly the level risk tracks
          assert.deepEqual(
            o.msg.data.protection.stopLoss,
            after.tracked[o.msg.data.symbol].stopLoss,
          );
        }
      }
    }),
    { numRuns: 200 },
  );
});

Deno.test("risk: the trading state follows the commands; HALTED lets nothing through, REDUCING only sells", () => {
  // Breakers and loss limits that cannot trigger: the state is driven by commands alone.
  const calm: Partial<RiskOptions> = {
    ...tight("max_fraction"),
    dailyLossLimit: 1,
    maxDrawdown: 1,
    volSpikeRatio: 0,
    staleBars: 0,
    maxDisagreement: 1,
    maxConsecutiveLosses: 0,
  };
  fc.assert(
    fc.property(scenarioArb, ([, msgs]) => {
      const { steps } = run(calm, msgs);
      let model: TradingState = "ACTIVE";
      const seen = new Set<string>();
      for (const { msg, out } of steps) {
        if (msg.type === "command" && !seen.has(msg.id)) {
          seen.add(msg.id);
          const c = msg.data.command;
          if (c === "kill") model = "HALTED";
          else if (c === "pause" && model === "ACTIVE") model = "REDUCING";
          else if (c === "resume") model = "ACTIVE";
        }
        for (const o of out) {
          if (o.msg.type !== "verdict") continue;
          const v = o.msg.data;
          assert.equal(v.tradingState, model);
          if (model === "HALTED") assert.notEqual(v.outcome, "order");
          if (model === "REDUCING" && v.order !== null) assert.equal(v.order.side, "sell");
        }
      }
    }),
    { numRuns: 300 },
  );
});

Deno.test("risk: breakers move the state with an alert; after a halt nothing passes until a resume", () => {
  fc.assert(
    fc.property(scenarioArb, ([, msgs]) => {
      const o = {
        ...tight("max_fraction"),
        dailyLossLimit: 0.02,
        maxDrawdown: 0.1,
        lossStreakAction: "halted" as const,
        staleBars: 5,
      };
      const { steps } = run(o, msgs);
      let halted = false;
      for (const { before, after, out } of steps) {
        const alerts = out.filter((x) => x.msg.type === "alert");
        if (before.tradingState !== after.tradingState) {
          assert.ok(alerts.length > 0, `${before.tradingState} -> ${after.tradingState} silently`);
        }
        for (const x of out) {
          if (x.msg.type === "alert" && x.msg.data.severity === "critical") halted = true;
          if (x.msg.type === "alert" && x.msg.data.code === "operator_resume") halted = false;
          if (x.msg.type === "verdict") {
            if (halted) assert.notEqual(x.msg.data.outcome, "order");
            if (x.msg.data.tradingState !== "ACTIVE") {
              assert.ok(x.msg.data.order === null || x.msg.data.order.side === "sell");
            }
          }
        }
        assert.equal(after.tradingState === "HALTED", halted);
      }
    }),
    { numRuns: 300 },
  );
});

Deno.test("risk: redelivery is idempotent", () => {
  fc.assert(
    fc.property(
      scenarioArb.chain(([bars, msgs]) =>
        fc.tuple(
          fc.constant(bars),
          fc.constant(msgs),
          fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 8 }),
        )
      ),
      ([, msgs, dups]) => {
        const withDups = [...msgs];
        for (const [which, offset] of dups) {
          const at = which % withDups.length;
          withDups.splice(Math.min(withDups.length, at + 1 + (offset % 5)), 0, withDups[at]);
        }
        const o = { ...tight("half_kelly"), dailyLossLimit: 0.05, maxDrawdown: 0.2 };
        assert.deepEqual(run(o, withDups).out, run(o, msgs).out);
      },
    ),
    { numRuns: 300 },
  );
});
