import assert from "node:assert/strict";
import { createRiskCore, type RiskState } from "../../agents/risk/core.ts";
import type { Output } from "../../agents/runtime/core.ts";
import {
  type Account,
  type Alert,
  type AnyEnvelope,
  barId,
  clientOrderIdFor,
  type Command,
  type Decision,
  makeEnvelope,
  messageId,
  validate,
  type Verdict,
  type Veto,
} from "../../shared/messages/mod.ts";

const DAY = 86_400_000;
const T = 19_000 * DAY + 3_600_000;
// The sizing and exits of the first release (size at the cap, no stops): the join, the
// trading state and the snapshot are what these tests are about (sizing modes and exits have
// their own tests in risk_sizing_modes / risk_exits).
const core = createRiskCore({ sizing: "max_fraction", stopPct: 0, stopAtrMult: 0 });

function decision(
  symbol: string,
  barTime: number,
  target: Decision["target"],
  refPrice = 100,
): AnyEnvelope {
  return makeEnvelope("decision", {
    id: messageId("meta", "decision", `${symbol}:${barTime}`),
    producer: "meta",
    time: barTime,
    corr: barId(symbol, barTime),
  }, {
    symbol,
    barTime,
    refPrice,
    target,
    probs: { down: 0.1, flat: 0.2, up: 0.7 },
    confidence: 0.6,
    disagreement: 0,
    votes: [],
    missing: [],
    volatilityForecast: null,
    regime: "trend",
    reason: "test",
  });
}

function account(
  symbol: string,
  barTime: number,
  cash: number,
  held = 0,
  price = 100,
): AnyEnvelope {
  const data: Account = {
    symbol,
    barTime,
    cash,
    equity: cash + held * price,
    positions: held > 0 ? [{ symbol, quantity: held, avgPrice: price, lastPrice: price }] : [],
    fees: 0,
    barsProcessed: 1,
  };
  return makeEnvelope("account", {
    id: messageId("executor", "account", `${symbol}:${barTime}`),
    producer: "executor",
    time: barTime,
    corr: barId(symbol, barTime),
  }, data);
}

function command(n: number, c: Command["command"], target: string | null = null): AnyEnvelope {
  const id = messageId("operator", "command", String(n));
  return makeEnvelope("command", { id, producer: "operator", time: T + n, corr: id }, {
    command: c,
    target,
    issuedBy: "telegram:ops",
    reason: "test",
  });
}

/** The bar a decision descends from (risk joins decision, account and bar). */
function barOf(d: AnyEnvelope): AnyEnvelope {
  const x = d.data as Decision;
  return makeEnvelope("bar", {
    id: messageId("feed", "bar", `${x.symbol}:${x.barTime}`),
    producer: "feed",
    time: x.barTime,
    corr: barId(x.symbol, x.barTime),
  }, {
    symbol: x.symbol,
    timeframe: "1h",
    time: x.barTime,
    open: x.refPrice,
    high: x.refPrice,
    low: x.refPrice,
    close: x.refPrice,
    volume: 1,
    seq: 0,
  });
}

/**
 * A risk core fed step by step; every decision is preceded by its bar (as the feed publishes
 * first), and every output is validated.
 */
function session(c = core, start: RiskState = c.init()) {
  const s = {
    state: start,
    out: [] as Output[],
    feed(msgs: AnyEnvelope[]) {
      for (const m of msgs.flatMap((m) => m.type === "decision" ? [barOf(m), m] : [m])) {
        const step = c.step(s.state, m, 0);
        s.state = step.state;
        for (const o of step.out) {
          const v = validate(o.msg, o.stream);
          assert.ok(v.ok, `${o.msg.id}: ${!v.ok && v.error}`);
        }
        s.out.push(...step.out);
      }
    },
  };
  return s;
}

/** Runs the messages through the module's core. */
function run(msgs: AnyEnvelope[], state: RiskState = core.init()) {
  const s = session(core, state);
  s.feed(msgs);
  return { state: s.state, out: s.out };
}

const verdicts = (out: Output[]) =>
  out.filter((o) => o.msg.type === "verdict").map((o) => o.msg.data as Verdict);

Deno.test("risk: joins decision and account in either order into one verdict", () => {
  const a = run([decision("AAA", T, "long"), account("AAA", T, 10_000)]);
  const b = run([account("AAA", T, 10_000), decision("AAA", T, "long")]);
  assert.deepEqual(a.out, b.out);
  assert.equal(a.out.length, 1);
  const o = a.out[0];
  assert.equal(o.stream, "orders");
  assert.equal(o.msg.id, `risk:verdict:AAA:${T}`);
  assert.equal(o.msg.corr, barId("AAA", T));
  assert.equal(o.msg.time, T);
  const v = o.msg.data as Verdict;
  assert.equal(v.outcome, "order");
  assert.equal(v.decisionId, `meta:decision:AAA:${T}`);
  assert.deepEqual(v.order, {
    clientOrderId: clientOrderIdFor(`meta:decision:AAA:${T}`),
    symbol: "AAA",
    side: "buy",
    quantity: 25,
    type: "market",
    refPrice: 100,
  });
  assert.equal(v.tradingState, "ACTIVE");
  assert.equal(run([decision("AAA", T, "long")]).out.length, 0, "no verdict without the account");
});

Deno.test("risk: redelivered decisions and accounts emit nothing the second time", () => {
  const msgs = [decision("AAA", T, "long"), account("AAA", T, 10_000)];
  const first = run(msgs);
  const again = run([...msgs, ...msgs], first.state);
  assert.equal(again.out.length, 0);
  const dup = run([msgs[0], msgs[0], msgs[1], msgs[1], msgs[0]]);
  assert.deepEqual(dup.out, first.out);
});

Deno.test("risk: hold and already-flat give 'none'; short is vetoed with a veto message", () => {
  assert.equal(
    verdicts(run([decision("AAA", T, "hold"), account("AAA", T, 100)]).out)[0].outcome,
    "none",
  );
  assert.equal(
    verdicts(run([decision("AAA", T, "flat"), account("AAA", T, 100)]).out)[0].outcome,
    "none",
  );
  const { out } = run([decision("AAA", T, "short"), account("AAA", T, 100)]);
  assert.deepEqual(out.map((o) => [o.stream, o.msg.id]), [
    ["orders", `risk:verdict:AAA:${T}`],
    ["risk.vetoes", `risk:veto:AAA:${T}`],
  ]);
  const veto = out[1].msg.data as Veto;
  assert.equal(veto.reasons[0].code, "shorting_disabled");
  assert.equal(verdicts(out)[0].outcome, "veto");
});

Deno.test("risk: kill halts (critical alert) and nothing passes; resume reactivates", () => {
  const { state, out } = run([
    command(1, "kill"),
    decision("AAA", T, "long"),
    account("AAA", T, 10_000),
  ]);
  assert.equal(out[0].stream, "ops.alerts");
  assert.equal(
    out[0].msg.id,
    `risk:alert:HALTED:kill_switch:${messageId("operator", "command", "1")}`,
  );
  const alert = out[0].msg.data as Alert;
  assert.equal(alert.severity, "critical");
  assert.equal(alert.code, "kill_switch");
  assert.deepEqual([alert.details.from, alert.details.to], ["ACTIVE", "HALTED"]);
  const v = verdicts(out)[0];
  assert.equal(v.outcome, "veto");
  assert.equal(v.order, null);
  assert.equal(v.tradingState, "HALTED");
  assert.equal(v.reasons[0].code, "halted");
  assert.equal(v.reasons[0].values.cause, "kill_switch");
  assert.equal(v.reasons[0].values.quantity, 25);
  // even an exit is held back while halted
  const exit = run([decision("AAA", T + 1, "flat"), account("AAA", T + 1, 0, 5)], state);
  assert.equal(verdicts(exit.out)[0].outcome, "veto");
  // a second kill changes nothing; a redelivered one is ignored
  assert.equal(run([command(2, "kill"), command(1, "kill")], exit.state).out.length, 0);
  const resumed = run([
    command(3, "resume"),
    decision("AAA", T + 2, "long"),
    account("AAA", T + 2, 10_000),
  ], exit.state);
  assert.equal((resumed.out[0].msg.data as Alert).severity, "info");
  assert.equal(resumed.state.tradingState, "ACTIVE");
  assert.equal(verdicts(resumed.out)[0].outcome, "order");
});

Deno.test("risk: pause lets only exposure-reducing orders through", () => {
  const paused = run([command(1, "pause")]);
  assert.equal((paused.out[0].msg.data as Alert).severity, "warning");
  assert.equal(paused.state.tradingState, "REDUCING");
  const buy = run([decision("AAA", T, "long"), account("AAA", T, 10_000)], paused.state);
  const v = verdicts(buy.out)[0];
  assert.equal(v.outcome, "veto");
  assert.equal(v.reasons[0].code, "reducing");
  assert.equal(v.reasons[0].values.side, "buy");
  const sell = run([decision("AAA", T + 1, "flat"), account("AAA", T + 1, 9_500, 5)], buy.state);
  const s = verdicts(sell.out)[0];
  assert.equal(s.outcome, "order");
  assert.deepEqual([s.order?.side, s.order?.quantity], ["sell", 5]);
  // pause does not loosen a halt
  const halted = run([command(2, "kill"), command(3, "pause")], sell.state);
  assert.equal(halted.state.tradingState, "HALTED");
  assert.equal(halted.out.length, 1);
});

Deno.test("risk: the daily loss limit halts on the account that breaks it; resume rebases", () => {
  const { state, out } = run([
    account("AAA", T, 10_000),
    decision("AAA", T, "hold"),
    decision("AAA", T + 1, "long"),
    account("AAA", T + 1, 9_400), // −6 % on the day
  ]);
  const alert = out.find((o) => o.stream === "ops.alerts")!;
  assert.equal(alert.msg.id, `risk:alert:HALTED:daily_loss_limit:AAA:${T + 1}`);
  assert.equal((alert.msg.data as Alert).severity, "critical");
  assert.equal(state.cause, "daily_loss_limit");
  const v = verdicts(out);
  assert.deepEqual(v.map((x) => [x.outcome, x.tradingState]), [["none", "ACTIVE"], [
    "veto",
    "HALTED",
  ]]);
  const resumed = run([command(1, "resume")], state);
  assert.equal(resumed.state.watch.dayStartEquity, 9_400);
  assert.equal(resumed.state.watch.peakEquity, 9_400);
  const next = run([decision("AAA", T + 2, "long"), account("AAA", T + 2, 9_300)], resumed.state);
  assert.equal(verdicts(next.out)[0].outcome, "order", "−1 % from the rebased start is fine");
});

Deno.test("risk: a command aimed at another agent is ignored; fills and order updates too", () => {
  const { state, out } = run([command(1, "kill", "trend")]);
  assert.equal(out.length, 0);
  assert.equal(state.tradingState, "ACTIVE");
  assert.equal(run([command(2, "kill", "risk")]).state.tradingState, "HALTED");
  assert.equal(run([command(3, "kill", "all")]).state.tradingState, "HALTED");
  const fill = makeEnvelope("fill", {
    id: "f",
    producer: "executor",
    time: T,
    corr: barId("AAA", T),
  }, {
    clientOrderId: "o1",
    symbol: "AAA",
    side: "buy",
    quantity: 1,
    price: 1,
    fee: 0,
    barTime: T,
  });
  assert.equal(run([fill]).out.length, 0);
});

Deno.test("risk: snapshot is plain JSON and restores; bad options are refused", () => {
  const { state } = run([decision("AAA", T, "long"), command(1, "pause")]);
  const json = JSON.parse(JSON.stringify(core.snapshot!(state)));
  const restored = core.restore!(json);
  assert.deepEqual(restored, state);
  const acct = account("AAA", T, 10_000);
  assert.deepEqual(core.step(restored, acct, 0).out, core.step(state, acct, 0).out);
  assert.throws(
    () => core.restore!({ ...json, tradingState: "PANIC" }),
    /risk: invalid snapshot: tradingState/,
  );
  assert.throws(
    () => createRiskCore({ maxPositionFraction: 1.5 }),
    /maxPositionFraction: expected a number in \(0, 1\] \(got 1.5\)/,
  );
  assert.throws(() => createRiskCore({ quantityStep: 0 }), /quantityStep/);
  assert.throws(() => createRiskCore({ maxDrawdwn: 0.1 } as never), /maxDrawdwn: unknown option/);
});

Deno.test("risk: a decision is judged after exactly the executor's events before its account", () => {
  // The executor published: account AAA@T (equity 10,000), then account BBB@T with equity
  // 9,000 (−10 %: the daily loss limit). Whether BBB's account reaches risk before or after
  // the decision of AAA@T, AAA@T is judged on the state before the loss, BBB@T after it.
  const loss = account("BBB", T, 9_000);
  const early = run([account("AAA", T, 10_000), loss, decision("AAA", T, "long")]);
  const late = run([account("AAA", T, 10_000), decision("AAA", T, "long"), loss]);
  for (const { out, state } of [early, late]) {
    const [aaa] = verdicts(out);
    assert.equal(aaa.symbol, "AAA");
    assert.equal(aaa.outcome, "order");
    assert.equal(aaa.tradingState, "ACTIVE");
    assert.equal(state.tradingState, "HALTED");
    assert.equal(state.cause, "daily_loss_limit");
    const bbb = run([decision("BBB", T, "long")], structuredClone(state));
    assert.equal(verdicts(bbb.out)[0].outcome, "veto");
    assert.equal(verdicts(bbb.out)[0].tradingState, "HALTED");
  }
  // While AAA@T waits for its decision, BBB's account waits behind it (nothing applied yet).
  const waiting = run([account("AAA", T, 10_000), loss]);
  assert.equal(waiting.state.tradingState, "ACTIVE");
  assert.equal(waiting.state.execQueue.length, 2);
  assert.equal(core.describe!(waiting.state).blockedOn, `${T}|AAA`);
});

Deno.test("risk: an older snapshot's waiting accounts are restored into the queue in bar order", () => {
  const { state } = run([decision("AAA", T, "long")]);
  const older = structuredClone(state) as unknown as Record<string, unknown>;
  delete older.execQueue;
  older.accounts = {
    [`${T + DAY}|BBB`]: account("BBB", T + DAY, 10_000).data,
    [`${T}|BBB`]: account("BBB", T, 10_000).data,
  };
  const restored = core.restore!(JSON.parse(JSON.stringify(older)));
  assert.deepEqual(
    restored.execQueue.map((e) => e.kind === "account" ? e.account.barTime : null),
    [T, T + DAY],
  );
});

Deno.test("risk: a losing streak while HALTED trips quietly; the same streak while ACTIVE alerts", () => {
  const streaky = createRiskCore({
    ...{ sizing: "max_fraction" as const },
    maxConsecutiveLosses: 2,
  });
  const fill = (n: number, side: "buy" | "sell", price: number) =>
    makeEnvelope("fill", {
      id: messageId("executor", "fill", `f${n}`),
      producer: "executor",
      time: T + n * DAY,
      corr: barId("AAA", T + n * DAY),
    }, {
      clientOrderId: `o${n}`,
      symbol: "AAA",
      side,
      quantity: 1,
      price,
      fee: 0,
      barTime: T + n * DAY,
    });
  const losses = [
    fill(1, "buy", 100),
    fill(2, "sell", 90),
    fill(3, "buy", 100),
    fill(4, "sell", 90),
  ];
  const alertsOf = (msgs: AnyEnvelope[]) => {
    const s = session(streaky);
    s.feed(msgs);
    const codes = s.out.filter((o) => o.stream === "ops.alerts")
      .map((o) => (o.msg.data as Alert).code);
    return { codes, state: s.state };
  };
  const active = alertsOf(losses);
  assert.deepEqual(active.codes, ["consecutive_losses"]);
  assert.equal(active.state.tradingState, "REDUCING");
  const halted = alertsOf([command(1, "kill"), ...losses]);
  assert.deepEqual(halted.codes, ["kill_switch"]);
  assert.equal(halted.state.tradingState, "HALTED");
  assert.deepEqual(Object.keys(halted.state.breakers.trips), ["consecutive_losses"]);
});

Deno.test("risk: at the end of the drawdown scale the state says REDUCING (not a silent ACTIVE)", () => {
  // Drawdown halt off, sizes shrink to nothing at a 20 % drawdown.
  const scaled = createRiskCore({
    sizing: "max_fraction",
    stopPct: 0,
    stopAtrMult: 0,
    maxDrawdown: 1,
    dailyLossLimit: 1,
    drawdownScaleStart: 0.1,
    drawdownScaleEnd: 0.2,
  });
  const s = session(scaled);
  const { feed, out } = s;
  feed([decision("AAA", T, "flat"), account("AAA", T, 10_000)]);
  feed([account("AAA", T + DAY, 7_900), decision("AAA", T + DAY, "long")]); // −21 %
  const alert = out.find((o) => o.stream === "ops.alerts")!.msg.data as Alert;
  assert.equal(alert.code, "drawdown_size_zero");
  assert.equal(alert.details.to, "REDUCING");
  assert.ok(Math.abs((alert.details.drawdown as number) - 0.21) < 1e-12);
  const v = verdicts(out).at(-1)!;
  assert.equal(v.tradingState, "REDUCING");
  assert.notEqual(v.outcome, "order");
  // the operator's resume rebases the peak: the next long is sized again
  feed([command(7, "resume")]);
  assert.equal(s.state.tradingState, "ACTIVE");
  feed([account("AAA", T + 2 * DAY, 7_900), decision("AAA", T + 2 * DAY, "long")]);
  const after = verdicts(out).at(-1)!;
  assert.equal(after.outcome, "order");
  assert.equal(after.order?.side, "buy");
});

Deno.test("risk: buys approved on one bar share the cash; the next account releases the reservation", () => {
  const wide = createRiskCore({
    sizing: "max_fraction",
    stopPct: 0,
    stopAtrMult: 0,
    maxPositionFraction: 0.6,
    maxSectorFraction: 1,
  });
  const s = session(wide);
  const { feed, out } = s;
  // Both accounts of bar T show the same 10,000 cash: the first buy takes 60 × 100.
  feed([
    account("AAA", T, 10_000),
    decision("AAA", T, "long"),
    account("BBB", T, 10_000),
    decision("BBB", T, "long"),
  ]);
  const [a, b] = verdicts(out);
  assert.equal(a.order?.quantity, 60);
  const cost = 60 * 100 * 1.0005 * 1.001; // slippage 5 bps, fee 10 bps
  assert.ok(Math.abs(s.state.pendingBuys.AAA.cost - cost) < 1e-9);
  // BBB sees the cash that is left, not the whole 10,000
  const left = 10_000 - cost;
  assert.ok(b.order !== null && b.order.quantity * 100 * 1.0005 * 1.001 <= left + 1e-9);
  assert.ok(b.order!.quantity > 39 && b.order!.quantity < 40, String(b.order!.quantity));
  const reserved = b.reasons.find((r) => r.code === "pending_buys_reserved")!;
  assert.equal(reserved.values.symbols, "AAA");
  assert.ok(Math.abs((reserved.values.cashAfterPending as number) - left) < 1e-9);
  // AAA's next account (its buy filled at T + 1's open) settles the reservation
  feed([account("AAA", T + DAY, 4_000, 60)]);
  assert.deepEqual(Object.keys(s.state.pendingBuys), ["BBB"]);
});
