// Protective exits never reuse a client order id. Consumers (the ledger, the risk agent)
// treat a second message with a known envelope id as a redelivery and drop it; a fill's id
// derives from its client order id, so an exit re-placed under the id of an earlier, filled
// one had its fill dropped: the ledger lost it, and the restart test saw "a fill was
// published twice". Here: the case found by the restart test, a level that needs a second
// order, the invariant over random sequences of bars and verdicts, and the venue executor,
// which skipped such a second order and left the position without its stop.
import assert from "node:assert/strict";
import fc from "fast-check";
import { createExecutorCore, type ExecutorState } from "../../agents/executor/core.ts";
import { createVenueExecutorCore } from "../../agents/executor/venue_executor.ts";
import { FakeVenue } from "../support/fake_venue.ts";
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
const STEP = 1e-8;
const core = createExecutorCore({ initialCash: 10_000, feeBps: 10, slippageBps: 5 });
const t = (i: number) => T0 + i * H;
const decisionOf = (i: number) => messageId("meta", "decision", `AAA:${t(i)}`);

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

type OrderSpec = Partial<Order> & { side: "buy" | "sell"; quantity: number };

function verdict(i: number, order: OrderSpec | null, protection: Protection | null = null) {
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
    order: order === null ? null : {
      clientOrderId: clientOrderIdFor(decisionOf(i)),
      symbol: "AAA",
      type: "market",
      refPrice: 100,
      ...order,
    },
    reasons: [],
    tradingState: "ACTIVE",
    protection,
  });
}

function run(msgs: AnyEnvelope[]): { state: ExecutorState; out: Output[] } {
  let state = core.init();
  const out: Output[] = [];
  for (const m of msgs) {
    const step = core.step(state, m, 0);
    state = step.state;
    out.push(...step.out);
  }
  for (const o of out) {
    const v = validate(o.msg, o.stream);
    assert.ok(v.ok, `${o.msg.id}: ${!v.ok && v.error}`);
  }
  return { state, out };
}

const fills = (out: Output[]) =>
  out.filter((o) => o.msg.type === "fill").map((o) => o.msg.data as Fill);

/** Two different messages under one envelope id: the second would be dropped downstream. */
function idClashes(out: Output[]): string[] {
  const seen = new Map<string, string>();
  const clashes: string[] = [];
  for (const o of out) {
    const body = JSON.stringify(o.msg);
    const before = seen.get(o.msg.id);
    if (before !== undefined && before !== body) clashes.push(o.msg.id);
    seen.set(o.msg.id, body);
  }
  return clashes;
}

/** What a consumer that drops known ids (the ledger) holds, against the executor's book. */
function assertLedgerMatches(state: ExecutorState, out: Output[]): void {
  const taken = new Set<string>();
  let qty = 0;
  let cash = 10_000;
  for (const o of out) {
    if (o.msg.type !== "fill" || taken.has(o.msg.id)) continue;
    taken.add(o.msg.id);
    const f = o.msg.data as Fill;
    qty += f.side === "buy" ? f.quantity : -f.quantity;
    cash += f.side === "buy" ? -(f.quantity * f.price + f.fee) : f.quantity * f.price - f.fee;
  }
  const held = state.positions.AAA?.quantity ?? 0;
  assert.ok(Math.abs(qty - held) <= 1e-6, `ledger holds ${qty}, executor ${held}`);
  assert.ok(Math.abs(cash - state.cash) <= 1e-6, `ledger cash ${cash}, executor ${state.cash}`);
}

/** Per client order id: submitted once, at most one terminal status, nothing after it. */
function assertOneLifePerId(out: Output[]): void {
  const life = new Map<string, string[]>();
  for (const o of out) {
    if (o.msg.type !== "order_update") continue;
    const u = o.msg.data as OrderUpdate;
    life.set(u.clientOrderId, [...(life.get(u.clientOrderId) ?? []), u.status]);
  }
  for (const [id, statuses] of life) {
    const terminal = statuses.filter((s) => s !== "submitted" && s !== "partially_filled");
    assert.ok(
      statuses.filter((s) => s === "submitted").length <= 1 && terminal.length <= 1 &&
        (terminal.length === 0 || statuses.at(-1) === terminal[0]),
      `${id}: ${statuses.join(" → ")}`,
    );
  }
}

Deno.test("stop triggered on the bar an add filled at the open: one fill closes it all", () => {
  const stopId = clientOrderIdFor(`${decisionOf(0)}:stop_loss`);
  const { state, out } = run([
    bar(0, 100, 101, 99, 100),
    verdict(0, { side: "buy", quantity: 10 }, { stopLoss: 90, takeProfit: null, basis: "atr" }),
    bar(1, 100, 102, 98, 101), // entry fills; the stop rests for 10 from here
    verdict(1, { side: "buy", quantity: 2 }), // an add, filled at the next open
    bar(2, 95, 96, 85, 88), // the add fills at 95, then the stop is touched inside the bar
    verdict(2, null),
    bar(3, 87, 89, 80, 86),
  ]);
  const f = fills(out);
  assert.deepEqual(f.map((x) => [x.side, x.quantity, x.barTime]), [
    ["buy", 10, t(1)],
    ["buy", 2, t(2)],
    ["sell", 12, t(2)],
  ]);
  assert.equal(f[2].clientOrderId, stopId);
  assert.equal(state.positions.AAA.quantity, 0);
  assert.deepEqual(idClashes(out), []);
  assertOneLifePerId(out);
  assertLedgerMatches(state, out);
});

Deno.test("a level re-placed after its order closed gets a fresh id", () => {
  // The stop's order is cancelled when a sell closes the position; the level outlives it
  // while a limit entry works, and protects the position that entry opens.
  const stopId = clientOrderIdFor(`${decisionOf(0)}:stop_loss`);
  const { state, out } = run([
    bar(0, 100, 101, 99, 100),
    verdict(0, { side: "buy", quantity: 10 }, { stopLoss: 90, takeProfit: null, basis: "atr" }),
    bar(1, 100, 102, 98, 101), // entry fills; the stop rests
    verdict(1, { side: "buy", quantity: 5, type: "limit", limitPrice: 95 }), // rests
    bar(2, 101, 102, 99, 100),
    verdict(2, { side: "sell", quantity: 10, reduceOnly: true }), // exit at the next open
    bar(3, 100, 101, 98, 99), // flat: the stop is cancelled, its level kept for the entry
    verdict(3, null),
    bar(4, 98, 99, 94, 96), // the limit buy fills at 95: the level needs an order again
    verdict(4, null),
  ]);
  const statuses = out.filter((o) => o.msg.type === "order_update")
    .map((o) => o.msg.data as OrderUpdate)
    .filter((u) => u.type === "stop_market")
    .map((u) => [u.clientOrderId, u.status, u.quantity]);
  const again = clientOrderIdFor(`${decisionOf(0)}:stop_loss:2`);
  assert.deepEqual(statuses, [
    [stopId, "submitted", 10],
    [stopId, "cancelled", 10],
    [again, "submitted", 5],
  ]);
  assert.ok(state.pending[again] !== undefined);
  assert.deepEqual(idClashes(out), []);
  assertOneLifePerId(out);
});

const price = fc.integer({ min: 80, max: 120 });
const stepArb = fc.record({
  open: price,
  spread: fc.integer({ min: 0, max: 15 }),
  close: price,
  order: fc.option(
    fc.record({
      side: fc.constantFrom("buy" as const, "sell" as const),
      quantity: fc.integer({ min: 1, max: 20 }),
      limit: fc.option(price, { freq: 3 }),
    }),
    { freq: 2 },
  ),
  protection: fc.option(
    fc.record({
      stopLoss: fc.option(fc.integer({ min: 70, max: 110 })),
      takeProfit: fc.option(fc.integer({ min: 95, max: 140 })),
    }),
    { freq: 2 },
  ),
});

Deno.test("property: no envelope id names two messages; the ledger's view matches the book", () => {
  fc.assert(
    fc.property(fc.array(stepArb, { minLength: 1, maxLength: 40 }), (steps) => {
      const msgs: AnyEnvelope[] = [];
      steps.forEach((s, i) => {
        const high = Math.max(s.open, s.close) + s.spread;
        const low = Math.max(1, Math.min(s.open, s.close) - s.spread);
        msgs.push(bar(i, s.open, high, low, s.close));
        const order: OrderSpec | null = s.order === null ? null : {
          side: s.order.side,
          quantity: s.order.quantity,
          ...(s.order.side === "sell" ? { reduceOnly: true } : {}),
          ...(s.order.limit === null ? {} : { type: "limit", limitPrice: s.order.limit }),
        };
        const protection = s.protection === null ? null : { ...s.protection, basis: "atr" };
        msgs.push(verdict(i, order, protection));
      });
      const { state, out } = run(msgs);
      assert.deepEqual(idClashes(out), []);
      assertOneLifePerId(out);
      assertLedgerMatches(state, out);
      const ids = fills(out).map((f) => f.clientOrderId);
      assert.equal(new Set(ids).size, ids.length, `a client order id filled twice: ${ids}`);
      assert.ok((state.positions.AAA?.quantity ?? 0) >= -STEP);
    }),
    { numRuns: 400 },
  );
});

Deno.test("venue executor: a level whose order closed protects the next position, fresh id", async () => {
  const venue = new FakeVenue();
  venue.setPrice("AAA", 100);
  const vcore = createVenueExecutorCore({
    venue,
    symbols: ["AAA"],
    reconcileIntervalMs: 1_000_000,
    killFlatten: false,
  });
  let state = vcore.init();
  const out: Output[] = [];
  const feed = async (msgs: AnyEnvelope[]) => {
    for (const m of msgs) {
      const step = await vcore.step(state, m, 1000);
      state = step.state;
      out.push(...step.out);
    }
  };
  await feed([
    bar(0, 100, 101, 99, 100),
    verdict(0, { side: "buy", quantity: 10 }, { stopLoss: 90, takeProfit: null, basis: "atr" }),
    bar(1, 100, 101, 99, 100), // the entry's fill is polled; the stop rests (emulated)
    verdict(1, { side: "buy", quantity: 5, type: "limit", limitPrice: 95 }), // rests at the venue
    verdict(2, { side: "sell", quantity: 10, reduceOnly: true }),
    bar(3, 100, 101, 99, 100), // flat: the stop is cancelled, its level kept for the entry
  ]);
  const stopId = clientOrderIdFor(`${decisionOf(0)}:stop_loss`);
  assert.equal(state.orders[stopId], undefined);
  venue.fillOrder(clientOrderIdFor(decisionOf(1)), 5, 95);
  await feed([bar(4, 96, 97, 94, 96)]);
  const again = clientOrderIdFor(`${decisionOf(0)}:stop_loss:2`);
  assert.equal(state.positions.AAA.quantity, 5);
  assert.equal(state.orders[again]?.order.quantity, 5, "the new position has its stop");
  assert.equal(state.orders[again].order.stopPrice, 90);
  const stops = out.filter((o) => o.msg.type === "order_update")
    .map((o) => o.msg.data as OrderUpdate)
    .filter((u) => u.type === "stop_market")
    .map((u) => [u.clientOrderId, u.status]);
  assert.deepEqual(stops, [
    [stopId, "submitted"],
    [stopId, "cancelled"],
    [again, "submitted"],
  ]);
  assert.deepEqual(idClashes(out), []);
});
