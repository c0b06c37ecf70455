// Emulated order types, protective exits, the kill switch and restarts of the replay core.
import assert from "node:assert/strict";
import { createExecutorCore, type ExecutorState } from "../../agents/executor/core.ts";
import { newOrder, type OrderProgress, transition } from "../../agents/executor/order_state.ts";
import type { Output } from "../../agents/runtime/core.ts";
import {
  type AnyEnvelope,
  barId,
  clientOrderIdFor,
  type Fill,
  makeEnvelope,
  messageId,
  type Order,
  type OrderUpdate,
  type Protection,
  validate,
} from "../../shared/messages/mod.ts";

const H = 3_600_000;
const T0 = 1_700_000_000_000;
const SLIP = 5;
const core = createExecutorCore({ initialCash: 10_000, feeBps: 10, slippageBps: SLIP });
const t = (i: number) => T0 + i * H;

function bar(i: number, o: number, h: number, l: number, c: number, symbol = "AAA"): AnyEnvelope {
  return makeEnvelope("bar", {
    id: messageId("feed", "bar", `${symbol}:${t(i)}`),
    producer: "feed",
    time: t(i),
    corr: barId(symbol, t(i)),
  }, {
    symbol,
    timeframe: "1h",
    time: t(i),
    open: o,
    high: h,
    low: l,
    close: c,
    volume: 1,
    seq: i,
  });
}

const decisionOf = (i: number, symbol = "AAA") =>
  messageId("meta", "decision", `${symbol}:${t(i)}`);
const coid = (i: number, symbol = "AAA") => clientOrderIdFor(decisionOf(i, symbol));

function verdict(
  i: number,
  order: Partial<Order> & { side: "buy" | "sell"; quantity: number } | null,
  protection: Protection | null = null,
  symbol = "AAA",
): AnyEnvelope {
  return makeEnvelope("verdict", {
    id: messageId("risk", "verdict", `${symbol}:${t(i)}`),
    producer: "risk",
    time: t(i),
    corr: barId(symbol, t(i)),
  }, {
    decisionId: decisionOf(i, symbol),
    symbol,
    barTime: t(i),
    outcome: order === null ? "none" : "order",
    order: order === null
      ? null
      : { clientOrderId: coid(i, symbol), symbol, type: "market", refPrice: 100, ...order },
    reasons: [],
    tradingState: "ACTIVE",
    protection,
  });
}

function command(id: string, c: "kill" | "resume", flatten?: boolean): AnyEnvelope {
  return makeEnvelope("command", { id, producer: "operator", time: 5, corr: id }, {
    command: c,
    target: null,
    issuedBy: "test",
    reason: "test",
    ...(flatten === undefined ? {} : { flatten }),
  });
}

function run(msgs: AnyEnvelope[], state: ExecutorState = core.init(), c = core) {
  const out: Output[] = [];
  for (const m of msgs) {
    const step = c.step(state, m, 0);
    state = step.state;
    out.push(...step.out);
  }
  for (const o of out) {
    const v = validate(o.msg, o.stream);
    assert.ok(v.ok, `${o.msg.id}: ${!v.ok && v.error}`);
  }
  return { state, out };
}

const updates = (out: Output[]) =>
  out.filter((o) => o.msg.type === "order_update").map((o) => o.msg.data as OrderUpdate);
const fills = (out: Output[]) =>
  out.filter((o) => o.msg.type === "fill").map((o) => o.msg.data as Fill);
const close = (a: number, b: number) => Math.abs(a - b) < 1e-9 * Math.max(1, Math.abs(b));

/** Every order's updates, replayed through the state machine: each move must be legal. */
function assertLegal(out: Output[]): void {
  const orders = new Map<string, OrderProgress>();
  for (const u of updates(out)) {
    let p = orders.get(u.clientOrderId) ?? newOrder(u.quantity);
    p = transition(
      p,
      u.status === "filled" || u.status === "partially_filled"
        ? {
          kind: "fill",
          filledQty: Math.min(u.filledQuantity ?? u.quantity, p.quantity),
          done: true,
        }
        : u.status === "submitted"
        ? { kind: "submit" }
        : u.status === "cancelled"
        ? { kind: "cancel" }
        : u.status === "rejected"
        ? { kind: "reject" }
        : { kind: "expire" },
    );
    orders.set(u.clientOrderId, p);
  }
}

const bracket = { stopLoss: 90, takeProfit: 120, basis: "atr_stop" };
const entry = [
  bar(0, 100, 101, 99, 100),
  verdict(0, { side: "buy", quantity: 10, bracket }),
  bar(1, 100, 102, 98, 101), // entry fills at 100.05; protective orders rest from here
  verdict(1, null),
];

Deno.test("bracket: entry fills, then stop and take-profit rest as an OCO pair", () => {
  const { state, out } = run(entry);
  assertLegal(out);
  const u = updates(out);
  assert.deepEqual(u.map((x) => [x.status, x.type, x.reason]), [
    ["submitted", "market", null],
    ["filled", "market", null],
    ["submitted", "stop_market", "atr_stop"],
    ["submitted", "take_profit", "atr_stop"],
  ]);
  const stopId = clientOrderIdFor(`${decisionOf(0)}:stop_loss`);
  assert.equal(u[2].clientOrderId, stopId);
  assert.equal(u[2].quantity, 10);
  assert.deepEqual(
    Object.keys(state.pending).sort(),
    [
      stopId,
      clientOrderIdFor(`${decisionOf(0)}:take_profit`),
    ].sort(),
  );
});

Deno.test("stop: touched inside the bar fills at the stop less slippage; OCO cancels the TP", () => {
  const { state, out } = run([...entry, bar(2, 95, 96, 85, 88)]);
  assertLegal(out);
  const f = fills(out);
  assert.equal(f.length, 2);
  assert.ok(close(f[1].price, 90 * (1 - SLIP / 1e4)), `${f[1].price}`);
  assert.equal(f[1].quantity, 10);
  assert.equal(f[1].side, "sell");
  const last = updates(out).slice(-2);
  assert.deepEqual(last.map((x) => [x.type, x.status, x.reason]), [
    ["stop_market", "filled", "stop_loss"],
    ["take_profit", "cancelled", "oco"],
  ]);
  assert.equal(state.positions.AAA.quantity, 0);
  assert.deepEqual(state.pending, {});
  assert.deepEqual(state.protection, {});
});

Deno.test("stop: a gap through the stop fills at the open, not at the stop", () => {
  const { out } = run([...entry, bar(2, 80, 82, 75, 78)]);
  const f = fills(out);
  assert.ok(close(f[1].price, 80 * (1 - SLIP / 1e4)), `${f[1].price}`);
});

Deno.test("take-profit: fills at its level without slippage; at the open on a gap up", () => {
  const inside = fills(run([...entry, bar(2, 110, 125, 105, 115)]).out);
  assert.equal(inside[1].price, 120);
  const gap = fills(run([...entry, bar(2, 130, 131, 125, 126)]).out);
  assert.equal(gap[1].price, 130);
  // Both levels inside one bar: the stop is assumed first (the pessimistic reading).
  const both = run([...entry, bar(2, 100, 125, 85, 100)]).out;
  assert.ok(close(fills(both)[1].price, 90 * (1 - SLIP / 1e4)));
  assert.equal(updates(both).at(-1)!.status, "cancelled");
});

Deno.test("protection from later verdicts tightens the stop, never loosens it", () => {
  const stopOf = (s: ExecutorState) =>
    Object.values(s.pending).find((p) => p.role === "stop_loss")!.order;
  const a = run([...entry, bar(2, 101, 102, 100, 101)]);
  const tighter = run(
    [verdict(2, null, { stopLoss: 95, takeProfit: 120, basis: "trailing" })],
    a.state,
  );
  assertLegal([...a.out, ...tighter.out]);
  assert.deepEqual(updates(tighter.out).map((x) => [x.status, x.reason]), [
    ["cancelled", "replaced"],
    ["submitted", "trailing"],
  ]);
  assert.equal(stopOf(tighter.state).stopPrice, 95);
  const before = JSON.stringify(tighter.state.pending);
  const looser = run([
    bar(3, 101, 102, 100, 101),
    verdict(3, null, { stopLoss: 91, takeProfit: 120, basis: "trailing" }),
  ], tighter.state);
  assert.deepEqual(updates(looser.out), [], "a lower stop changes nothing");
  assert.equal(stopOf(looser.state).stopPrice, 95);
  assert.equal(JSON.stringify(looser.state.pending), before);
  const noStop = run([
    bar(4, 101, 102, 100, 101),
    verdict(4, null, { stopLoss: null, takeProfit: null, basis: "x" }),
  ], looser.state);
  assert.equal(stopOf(noStop.state).stopPrice, 95, "no stop given keeps the stop");
  assert.deepEqual(updates(noStop.out).map((x) => [x.type, x.status]), [
    ["take_profit", "cancelled"],
  ]);
});

Deno.test("a risk exit closes the position and cancels its protective orders", () => {
  const { state, out } = run([
    ...entry,
    bar(2, 101, 102, 100, 101),
    verdict(2, { side: "sell", quantity: 10 }),
    bar(3, 102, 103, 101, 102),
  ]);
  assertLegal(out);
  assert.equal(state.positions.AAA.quantity, 0);
  assert.deepEqual(
    updates(out).slice(-3).map((x) => [x.type, x.status, x.reason]),
    [
      ["market", "filled", null],
      ["stop_market", "cancelled", "position_closed"],
      ["take_profit", "cancelled", "position_closed"],
    ],
  );
});

Deno.test("limit, stop_market and stop_limit entries trade on later bars only", () => {
  const limit = run([
    bar(0, 100, 101, 94, 100), // touches 95 on the decision bar: must not fill
    verdict(0, { side: "buy", quantity: 1, type: "limit", limitPrice: 95 }),
    bar(1, 100, 101, 96, 100),
    verdict(1, null),
    bar(2, 99, 100, 94, 96),
  ]).out;
  assert.deepEqual(fills(limit).map((f) => [f.barTime, f.price]), [[t(2), 95]]);
  const stopBuy = run([
    bar(0, 100, 101, 99, 100),
    verdict(0, { side: "buy", quantity: 1, type: "stop_market", stopPrice: 105 }),
    bar(1, 101, 106, 100, 104),
  ]).out;
  assert.ok(close(fills(stopBuy)[0].price, 105 * (1 + SLIP / 1e4)));
  // stop_limit sell: the gap below the limit triggers it but does not fill; it then rests
  // as a limit and fills when the price comes back.
  const sl = run([
    bar(0, 100, 101, 99, 100),
    verdict(0, { side: "buy", quantity: 2 }),
    bar(1, 100, 101, 99, 100),
    verdict(1, { side: "sell", quantity: 2, type: "stop_limit", stopPrice: 95, limitPrice: 94 }),
    bar(2, 90, 93, 89, 92),
    verdict(2, null),
    bar(3, 92, 95, 91, 94),
  ]);
  assertLegal(sl.out);
  assert.deepEqual(fills(sl.out).map((f) => [f.side, f.barTime, f.price]).slice(1), [
    ["sell", t(3), 94],
  ]);
  const bad = run([
    bar(0, 100, 101, 99, 100),
    verdict(0, { side: "buy", quantity: 1, type: "limit" }),
  ]).out;
  assert.match(updates(bad)[0].reason!, /^invalid_order: a limit order needs limitPrice/);
  assert.equal(updates(bad)[0].status, "rejected");
});

Deno.test("restart: working stops survive a snapshot round trip and trade the same", () => {
  const rest = [bar(2, 101, 102, 100, 101), verdict(2, null), bar(3, 95, 96, 85, 88)];
  const straight = run([...entry, ...rest]).out;
  const first = run(entry);
  const snap = JSON.parse(JSON.stringify(core.snapshot!(first.state)));
  const fresh = createExecutorCore({ initialCash: 10_000, feeBps: 10, slippageBps: SLIP });
  const resumed = run(rest, fresh.restore!(snap), fresh);
  assert.deepEqual([...first.out, ...resumed.out], straight);
  assert.equal(fills(resumed.out).length, 1);
});

Deno.test("duplicate deliveries of a verdict, bars and a command create one order each", () => {
  const once = run([...entry, command("cmd-1", "kill", true), bar(2, 101, 102, 100, 101)]);
  const msgs = [
    entry[0],
    entry[1],
    entry[1],
    entry[0],
    entry[2],
    entry[1],
    entry[3],
    entry[2],
    command("cmd-1", "kill", true),
    entry[3],
    command("cmd-1", "kill", true),
    bar(2, 101, 102, 100, 101),
    entry[1],
  ];
  const dup = run(msgs);
  assert.deepEqual(dup.out, once.out);
  const ids = updates(dup.out).map((u) => `${u.clientOrderId}:${u.status}`);
  assert.equal(new Set(ids).size, ids.length);
});

Deno.test("kill switch: cancels every working order; afterwards nothing new fills", () => {
  const { state, out } = run([
    ...entry,
    bar(2, 101, 102, 100, 101),
    verdict(2, { side: "buy", quantity: 1, type: "limit", limitPrice: 50 }),
    command("cmd-k", "kill"),
    bar(3, 101, 102, 100, 101),
    verdict(3, { side: "buy", quantity: 1 }),
    bar(4, 60, 130, 40, 60), // would trigger the stop, the take-profit and the limit
    verdict(4, null),
    bar(5, 100, 101, 99, 100),
  ]);
  assertLegal(out);
  const after = out.slice(out.findIndex((o) => o.msg.corr === "cmd-k"));
  assert.deepEqual(
    updates(after).map((u) => [u.type, u.status, u.reason]),
    [
      ["stop_market", "cancelled", "kill_switch"],
      ["take_profit", "cancelled", "kill_switch"],
      ["limit", "cancelled", "kill_switch"],
      ["market", "rejected", "kill_switch: trading is halted"],
    ],
  );
  assert.equal(fills(after).length, 0, "no fill after the kill");
  assert.equal(state.positions.AAA.quantity, 10, "no flatten: the position stays");
  assert.equal(state.halted, true);
  // An operator resume lets orders through again.
  const resumed = run([
    command("cmd-r", "resume"),
    verdict(5, { side: "buy", quantity: 1 }),
    bar(6, 100, 101, 99, 100),
  ], state);
  assert.equal(fills(resumed.out).length, 1);
});

Deno.test("kill switch with flatten: every position is closed at its next bar's open", () => {
  const { state, out } = run([
    bar(0, 100, 101, 99, 100),
    bar(0, 50, 51, 49, 50, "BBB"),
    verdict(0, { side: "buy", quantity: 10, bracket }),
    verdict(0, { side: "buy", quantity: 20 }, null, "BBB"),
    bar(1, 100, 101, 99, 100),
    bar(1, 50, 51, 49, 50, "BBB"),
    verdict(1, null),
    verdict(1, null, null, "BBB"),
    command("cmd-f", "kill", true),
    bar(2, 97, 98, 96, 97),
    bar(2, 52, 53, 51, 52, "BBB"),
  ]);
  assertLegal(out);
  const after = out.slice(out.findIndex((o) => o.msg.corr === "cmd-f"));
  const f = fills(after);
  assert.deepEqual(f.map((x) => [x.symbol, x.side, x.quantity, x.barTime]), [
    ["AAA", "sell", 10, t(2)],
    ["BBB", "sell", 20, t(2)],
  ]);
  assert.ok(close(f[0].price, 97 * (1 - SLIP / 1e4)));
  assert.ok(
    updates(after).filter((u) => u.status === "filled").every((u) =>
      u.reason === "kill_switch_flatten"
    ),
  );
  assert.equal(state.positions.AAA.quantity, 0);
  assert.equal(state.positions.BBB.quantity, 0);
  assert.deepEqual(state.pending, {});
  // KILL_FLATTEN from the configuration applies when the command does not say.
  const flattening = createExecutorCore({ killFlatten: true, slippageBps: SLIP });
  const viaConfig = run(
    [...entry, command("cmd-c", "kill"), bar(2, 97, 98, 96, 97)],
    undefined,
    flattening,
  );
  assert.equal(viaConfig.state.positions.AAA.quantity, 0);
});
