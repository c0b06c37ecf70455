// The venue executor against an in-memory venue: one venue order per decision whatever is
// redelivered or retried, fills polled and published once, emulated stops, the kill switch,
// and reconciliation that makes the venue the truth.
import assert from "node:assert/strict";
import {
  createVenueExecutorCore,
  type VenueExecutorState,
} from "../../agents/executor/venue_executor.ts";
import { diffWithVenue } from "../../agents/executor/reconcile.ts";
import { PaperVenue } from "../../agents/executor/venues/paper_venue.ts";
import type { Venue } from "../../agents/executor/venues/types.ts";
import type { Output } from "../../agents/runtime/core.ts";
import {
  type Alert,
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
import { FakeVenue } from "../support/fake_venue.ts";

const H = 3_600_000;
const T0 = 1_700_000_000_000;
const t = (i: number) => T0 + i * H;
const decisionOf = (i: number) => messageId("meta", "decision", `AAA:${t(i)}`);
const coid = (i: number) => clientOrderIdFor(decisionOf(i));

function bar(i: number, o: number, h: number, l: number, c: number): AnyEnvelope {
  return makeEnvelope("bar", {
    id: messageId("feed", "bar", `AAA:${t(i)}`),
    producer: "feed",
    time: t(i),
    corr: barId("AAA", t(i)),
  }, {
    symbol: "AAA",
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

function verdict(
  i: number,
  order: Partial<Order> & { side: "buy" | "sell"; quantity: number } | null,
  protection: Protection | null = null,
): AnyEnvelope {
  return makeEnvelope("verdict", {
    id: messageId("risk", "verdict", `AAA:${t(i)}`),
    producer: "risk",
    time: t(i),
    corr: barId("AAA", t(i)),
  }, {
    decisionId: decisionOf(i),
    symbol: "AAA",
    barTime: t(i),
    outcome: order === null ? "none" : "order",
    order: order === null
      ? null
      : { clientOrderId: coid(i), symbol: "AAA", type: "market", refPrice: 100, ...order },
    reasons: [],
    tradingState: "ACTIVE",
    protection,
  });
}

function kill(id: string, flatten: boolean): AnyEnvelope {
  return makeEnvelope("command", { id, producer: "operator", time: 1, corr: id }, {
    command: "kill",
    target: null,
    flatten,
    issuedBy: "test",
    reason: "test",
  });
}

function setup(venue: Venue, interval = 1_000_000) {
  return createVenueExecutorCore({
    venue,
    symbols: ["AAA"],
    reconcileIntervalMs: interval,
    killFlatten: false,
  });
}

async function run(
  core: ReturnType<typeof setup>,
  msgs: AnyEnvelope[],
  state: VenueExecutorState = core.init(),
  now = 1000,
) {
  const out: Output[] = [];
  for (const m of msgs) {
    const step = await core.step(state, m, now);
    state = step.state;
    out.push(...step.out);
  }
  for (const o of out) {
    const v = validate(o.msg, o.stream);
    assert.ok(v.ok, `${o.msg.id}: ${!v.ok && v.error}`);
  }
  return { state, out };
}

const of = <T>(out: Output[], type: string) =>
  out.filter((o) => o.msg.type === type).map((o) => o.msg.data as T);

Deno.test("venue executor: a verdict becomes one venue order; fills are polled and published once", async () => {
  const venue = new FakeVenue();
  venue.setPrice("AAA", 100);
  const core = setup(venue);
  const v = verdict(0, { side: "buy", quantity: 10 });
  const { state, out } = await run(core, [
    bar(0, 100, 101, 99, 100),
    v,
    v,
    bar(1, 100, 101, 99, 100),
    v,
  ]);
  assert.deepEqual(venue.submits, [coid(0)]);
  assert.equal(venue.orders.size, 1);
  assert.deepEqual(of<OrderUpdate>(out, "order_update").map((u) => u.status), [
    "submitted",
    "filled",
  ]);
  const fills = of<Fill>(out, "fill");
  assert.equal(fills.length, 1);
  assert.deepEqual([fills[0].clientOrderId, fills[0].quantity, fills[0].price], [coid(0), 10, 100]);
  assert.equal(state.positions.AAA.quantity, 10);
  const restored = core.restore!(JSON.parse(JSON.stringify(core.snapshot!(state))));
  assert.deepEqual(restored, state);
  assert.throws(() => core.restore!({ ...state, cash: "x" }), /executor: invalid snapshot: cash/);
  assert.ok(Math.abs(state.cash - (10_000 - 1000 - 1)) < 1e-9);
  // The same verdict after a crash (state from before it): the venue answers with its order.
  const replay = await run(
    core,
    [v],
    structuredClone((await run(setup(venue), [bar(0, 100, 101, 99, 100)])).state),
  );
  assert.equal(venue.orders.size, 1, "no second order at the venue");
  assert.equal(of<OrderUpdate>(replay.out, "order_update")[0].clientOrderId, coid(0));
});

Deno.test("venue executor: a timeout after the venue took the order is retried without a duplicate", async () => {
  const venue = new FakeVenue();
  venue.fail("submit", "timeout", 1, true); // the order reached the venue, the answer did not
  const core = setup(venue);
  const a = await run(core, [bar(0, 100, 101, 99, 100), verdict(0, { side: "buy", quantity: 1 })]);
  assert.equal(of<Alert>(a.out, "alert")[0].code, "venue_unavailable");
  assert.equal(a.state.orders[coid(0)].status, "new");
  venue.setPrice("AAA", 100);
  venue.fillOrder(coid(0), 1, 100);
  const b = await run(core, [bar(1, 100, 101, 99, 100)], a.state);
  assert.deepEqual(venue.submits, [coid(0), coid(0)]);
  assert.equal(venue.orders.size, 1);
  assert.deepEqual(of<OrderUpdate>(b.out, "order_update").map((u) => u.status), [
    "submitted",
    "filled",
  ]);
  assert.equal(of<Fill>(b.out, "fill").length, 1);
});

Deno.test("venue executor: a rejection is final and carries the venue's reason", async () => {
  const venue = new FakeVenue();
  venue.rejectWith = "Account has insufficient balance for requested action.";
  const { out, state } = await run(setup(venue), [
    bar(0, 100, 101, 99, 100),
    verdict(0, { side: "buy", quantity: 1 }),
  ]);
  const u = of<OrderUpdate>(out, "order_update");
  assert.deepEqual(u.map((x) => [x.status, x.reason]), [
    ["rejected", "rejected: Account has insufficient balance for requested action."],
  ]);
  assert.deepEqual(state.orders, {});
});

Deno.test("venue executor: stops the venue cannot hold are emulated on bars and sent as market", async () => {
  const venue = new FakeVenue();
  venue.setPrice("AAA", 100);
  const core = setup(venue);
  const a = await run(core, [
    bar(0, 100, 101, 99, 100),
    verdict(0, { side: "buy", quantity: 10 }, { stopLoss: 90, takeProfit: 130, basis: "atr" }),
    bar(1, 100, 101, 99, 100),
  ]);
  const stopId = clientOrderIdFor(`${decisionOf(0)}:stop_loss`);
  assert.equal(a.state.orders[stopId].emulated, true);
  assert.equal(venue.orders.has(stopId), false, "an emulated stop is not at the venue");
  venue.setPrice("AAA", 89);
  const b = await run(core, [bar(2, 95, 96, 85, 88)], a.state);
  const sent = venue.orders.get(stopId)!;
  assert.deepEqual([sent.type, sent.side, sent.quantity, sent.status], [
    "market",
    "sell",
    10,
    "filled",
  ]);
  assert.equal(b.state.positions.AAA.quantity, 0);
  const u = of<OrderUpdate>(b.out, "order_update").map((x) => [x.type, x.status, x.reason]);
  assert.deepEqual(u, [
    ["take_profit", "cancelled", "oco"],
    ["stop_market", "filled", "stop_loss"],
  ]);
});

Deno.test("venue executor: kill cancels every open order at the venue and flattens", async () => {
  const venue = new FakeVenue();
  venue.setPrice("AAA", 100);
  const core = setup(venue);
  const a = await run(core, [
    bar(0, 100, 101, 99, 100),
    verdict(0, { side: "buy", quantity: 10 }),
    bar(1, 100, 101, 99, 100),
    verdict(1, { side: "buy", quantity: 1, type: "limit", limitPrice: 50 }),
  ]);
  await venue.submit({
    clientOrderId: "by-hand",
    symbol: "AAA",
    side: "buy",
    quantity: 1,
    type: "limit",
    limitPrice: 40,
  });
  const b = await run(core, [kill("cmd-1", true)], a.state);
  assert.deepEqual((await venue.openOrders()).length, 0);
  assert.equal(venue.orders.get("by-hand")!.status, "cancelled");
  const u = of<OrderUpdate>(b.out, "order_update").map((x) => [x.type, x.status, x.reason]);
  assert.deepEqual(u, [
    ["limit", "cancelled", "kill_switch"],
    ["market", "submitted", "kill_switch_flatten"],
    ["market", "filled", "kill_switch_flatten"],
  ]);
  assert.equal(venue.positions.get("AAA"), 0);
  const c = await run(
    core,
    [verdict(2, { side: "buy", quantity: 1 }), bar(2, 100, 101, 99, 100)],
    b.state,
  );
  assert.equal(of<OrderUpdate>(c.out, "order_update")[0].status, "rejected");
  assert.equal(of<Fill>(c.out, "fill").length, 1, "only the flatten fill, picked up by the poll");
  assert.equal(c.state.positions.AAA.quantity, 0);
});

Deno.test("venue executor: reconciliation repairs missed fills, unknown orders and positions", async () => {
  const venue = new FakeVenue();
  const core = setup(venue, 60_000);
  const a = await run(core, [
    bar(0, 100, 101, 99, 100),
    verdict(0, { side: "buy", quantity: 5, type: "limit", limitPrice: 99 }),
  ]);
  assert.deepEqual(of<Alert>(a.out, "alert"), [], "adopting a fresh venue is not a difference");
  // While "down": the limit filled, someone placed an order by hand, a deposit of 7 units.
  venue.fillOrder(coid(0), 5, 99);
  await venue.submit({
    clientOrderId: "manual-1",
    symbol: "AAA",
    side: "sell",
    quantity: 1,
    type: "limit",
    limitPrice: 200,
  });
  venue.positions.set("AAA", 12);
  const b = await run(core, [bar(1, 100, 101, 99, 100)], a.state, 1000 + 60_000);
  const u = of<OrderUpdate>(b.out, "order_update");
  assert.deepEqual(u.map((x) => [x.clientOrderId, x.status]), [
    [coid(0), "filled"],
    ["manual-1", "submitted"],
  ]);
  assert.equal(u[1].reason, "reconciled: order found at the venue");
  assert.equal(of<Fill>(b.out, "fill").length, 1);
  const alerts = of<Alert>(b.out, "alert");
  assert.deepEqual(alerts.map((x) => [x.severity, x.code]), [["warning", "reconcile_differences"]]);
  assert.deepEqual(alerts[0].details.unknown, ["manual-1"]);
  assert.deepEqual(alerts[0].details.positions, [{ symbol: "AAA", local: 5, venue: 12 }]);
  assert.equal(b.state.positions.AAA.quantity, 12, "the venue is the truth");
  assert.equal(b.state.orders["manual-1"].status, "submitted", "adopted and tracked");
});

Deno.test("reconcile: the pure diff", () => {
  const r = diffWithVenue({
    orders: [
      { clientOrderId: "a", symbol: "X", status: "submitted", filledQty: 0, atVenue: true },
      { clientOrderId: "b", symbol: "X", status: "submitted", filledQty: 0, atVenue: true },
      { clientOrderId: "c", symbol: "X", status: "submitted", filledQty: 0, atVenue: false },
    ],
    fillIds: new Set(["t1"]),
    cash: 100,
    positions: { X: 1 },
  }, {
    orders: new Map([["a", null], ["b", {
      clientOrderId: "b",
      venueOrderId: "vb",
      symbol: "X",
      side: "buy",
      type: "market",
      quantity: 2,
      filledQuantity: 2,
      averagePrice: 10,
      status: "filled",
      reason: null,
      updatedAt: 5,
    }]]),
    openOrders: [],
    fills: [
      {
        tradeId: "t1",
        clientOrderId: "z",
        venueOrderId: "vz",
        symbol: "X",
        side: "buy",
        quantity: 1,
        price: 10,
        fee: 0,
        time: 1,
      },
      {
        tradeId: "t2",
        clientOrderId: "b",
        venueOrderId: "vb",
        symbol: "X",
        side: "buy",
        quantity: 2,
        price: 10,
        fee: 0.5,
        time: 5,
      },
    ],
    balances: { cash: 79.5, positions: [{ symbol: "X", quantity: 3 }] },
  });
  assert.deepEqual(r.missing.map((o) => o.clientOrderId), ["a"]);
  assert.deepEqual(r.changed.map((x) => x.local.clientOrderId), ["b"]);
  assert.deepEqual(r.newFills.map((f) => f.tradeId), ["t2"]);
  assert.deepEqual(r.positions, []);
  assert.equal(r.cash, null, "100 − 20 − 0.5 = 79.5");
});

Deno.test("paper venue: idempotent submit, fills at the next bar's open, stops on bars", async () => {
  const venue = new PaperVenue(10_000, { feeBps: 10, slippageBps: 0, quantityStep: 1e-8 }, () => 7);
  const core = setup(venue);
  const a = await run(core, [
    bar(0, 100, 101, 99, 100),
    verdict(0, { side: "buy", quantity: 10 }),
    verdict(0, { side: "buy", quantity: 10 }),
    bar(1, 102, 103, 101, 102),
  ]);
  const f = of<Fill>(a.out, "fill");
  assert.deepEqual(f.map((x) => [x.quantity, x.price]), [[10, 102]]);
  assert.equal((await venue.openOrders()).length, 0);
  assert.deepEqual((await venue.balances()).positions, [{ symbol: "AAA", quantity: 10 }]);
  await venue.submit({
    clientOrderId: "s1",
    symbol: "AAA",
    side: "sell",
    quantity: 10,
    type: "stop_market",
    stopPrice: 95,
    reduceOnly: true,
  });
  const b2 = bar(2, 96, 97, 94, 95);
  assert.ok(b2.type === "bar");
  await venue.observeBar(b2.data);
  assert.equal((await venue.fetchOrder("s1", "AAA"))!.status, "filled");
  assert.equal((await venue.fetchOrder("s1", "AAA"))!.averagePrice, 95);
});
