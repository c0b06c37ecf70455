import assert from "node:assert/strict";
import { createExecutorCore, type ExecutorState } from "../../agents/executor/core.ts";
import type { Output } from "../../agents/runtime/core.ts";
import {
  type Account,
  type AnyEnvelope,
  barId,
  clientOrderIdFor,
  type Fill,
  makeEnvelope,
  messageId,
  type OrderUpdate,
  validate,
} from "../../shared/messages/mod.ts";

const H = 3_600_000;
const T0 = 1_700_000_000_000;
const core = createExecutorCore({ initialCash: 10_000, feeBps: 10, slippageBps: 5 });

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

function verdict(
  symbol: string,
  barTime: number,
  order: { side: "buy" | "sell"; quantity: number } | null,
): AnyEnvelope {
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
    outcome: order === null ? "none" : "order",
    order: order === null ? null : {
      clientOrderId: clientOrderIdFor(decisionId),
      symbol,
      type: "market",
      refPrice: 100,
      ...order,
    },
    reasons: [],
    tradingState: "ACTIVE",
  });
}

function run(msgs: AnyEnvelope[], state: ExecutorState = core.init()) {
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

const types = (out: Output[]) => out.map((o) => `${o.msg.type}:${o.msg.id}`);

Deno.test("executor: an order decided on bar t fills at bar t+1's open, then an account", () => {
  const coid = clientOrderIdFor(messageId("meta", "decision", `AAA:${T0}`));
  const { state, out } = run([
    bar("AAA", T0, 99, 100),
    verdict("AAA", T0, { side: "buy", quantity: 10 }),
    bar("AAA", T0 + H, 100, 110),
  ]);
  assert.deepEqual(types(out), [
    `account:executor:account:AAA:${T0}`,
    `order_update:executor:order_update:${coid}:submitted`,
    `fill:executor:fill:${coid}`,
    `order_update:executor:order_update:${coid}:filled`,
    `account:executor:account:AAA:${T0 + H}`,
  ]);
  const first = out[0].msg.data as Account;
  assert.deepEqual(first, {
    symbol: "AAA",
    barTime: T0,
    cash: 10_000,
    equity: 10_000,
    positions: [],
    fees: 0,
    barsProcessed: 1,
  });
  const fill = out[2].msg.data as Fill;
  assert.equal(fill.price, 100.05);
  assert.equal(fill.quantity, 10);
  assert.equal(fill.barTime, T0 + H);
  assert.ok(Math.abs(fill.fee - 1.0005) < 1e-12);
  assert.equal(out[2].msg.corr, barId("AAA", T0 + H));
  const upd = out[3].msg.data as OrderUpdate;
  assert.equal(upd.status, "filled");
  assert.equal(upd.decisionId, `meta:decision:AAA:${T0}`);
  const acct = out[4].msg.data as Account;
  const cash = 10_000 - 1000.5 - fill.fee;
  assert.ok(Math.abs(acct.cash - cash) < 1e-9);
  assert.deepEqual(acct.positions, [{
    symbol: "AAA",
    quantity: 10,
    avgPrice: 100.05,
    lastPrice: 110,
  }]);
  assert.equal(acct.equity, acct.cash + 10 * 110);
  assert.equal(acct.barsProcessed, 2);
  assert.equal(Object.keys(state.pending).length, 0);
});

Deno.test("executor: a bar whose predecessor has no verdict yet is buffered until it comes", () => {
  const a = run([bar("AAA", T0, 99, 100), bar("AAA", T0 + H, 100, 110)]);
  assert.equal(a.out.length, 1, "only the first bar's account");
  assert.equal(a.state.queue.length, 1);
  const b = run([verdict("AAA", T0, { side: "buy", quantity: 10 })], a.state);
  assert.deepEqual(b.out.map((o) => o.msg.type), [
    "order_update",
    "fill",
    "order_update",
    "account",
  ]);
  assert.equal(b.state.queue.length, 0);
  // the same outputs as when the verdict came first
  const c = run([
    bar("AAA", T0, 99, 100),
    verdict("AAA", T0, { side: "buy", quantity: 10 }),
    bar("AAA", T0 + H, 100, 110),
  ]);
  assert.deepEqual([...a.out, ...b.out], c.out);
});

Deno.test("executor: redelivered bars and verdicts change nothing and emit nothing", () => {
  const msgs = [
    bar("AAA", T0, 99, 100),
    verdict("AAA", T0, { side: "buy", quantity: 10 }),
    bar("AAA", T0 + H, 100, 110),
  ];
  const once = run(msgs);
  const snapshot = JSON.stringify(once.state);
  const again = run(msgs, once.state);
  assert.equal(again.out.length, 0);
  assert.equal(JSON.stringify(again.state), snapshot);
  // a duplicate verdict between the bars does not create a second order
  const dup = run([msgs[0], msgs[1], msgs[1], msgs[2], msgs[1]]);
  assert.deepEqual(dup.out, once.out);
});

Deno.test("executor: an unaffordable buy and an oversized sell are rejected, with the reason", () => {
  const { out, state } = run([
    bar("AAA", T0, 99, 100),
    verdict("AAA", T0, { side: "buy", quantity: 100 }),
    bar("AAA", T0 + H, 100, 100),
    verdict("AAA", T0 + H, { side: "sell", quantity: 1 }),
    bar("AAA", T0 + 2 * H, 100, 100),
  ]);
  const updates = out.filter((o) => o.msg.type === "order_update").map((o) =>
    o.msg.data as OrderUpdate
  );
  assert.deepEqual(updates.map((u) => u.status), [
    "submitted",
    "rejected",
    "submitted",
    "rejected",
  ]);
  assert.match(
    updates[1].reason!,
    /^insufficient_cash: cost 10015.005 \(notional 10005 \+ fee 10.005\) exceeds cash 10000$/,
  );
  assert.match(updates[3].reason!, /^insufficient_position/);
  assert.equal(out.filter((o) => o.msg.type === "fill").length, 0);
  assert.equal(state.cash, 10_000);
  assert.equal(out.filter((o) => o.msg.type === "account").length, 3);
});

Deno.test("executor: a 'none' verdict settles the bar without an order", () => {
  const { out } = run([
    bar("AAA", T0, 99, 100),
    bar("AAA", T0 + H, 100, 101),
    verdict("AAA", T0, null),
  ]);
  assert.deepEqual(out.map((o) => o.msg.type), ["account", "account"]);
  assert.equal((out[1].msg.data as Account).barsProcessed, 2);
});

Deno.test("executor: symbols are independent; equity sums every position", () => {
  const { out } = run([
    bar("AAA", T0, 10, 10),
    bar("BBB", T0, 20, 20),
    verdict("AAA", T0, { side: "buy", quantity: 100 }),
    verdict("BBB", T0, { side: "buy", quantity: 50 }),
    bar("BBB", T0 + H, 20, 30),
    bar("AAA", T0 + H, 10, 12),
  ]);
  const last = out[out.length - 1].msg.data as Account;
  assert.deepEqual(last.positions.map((p) => [p.symbol, p.quantity, p.lastPrice]), [
    ["AAA", 100, 12],
    ["BBB", 50, 30],
  ]);
  assert.equal(last.equity, last.cash + 100 * 12 + 50 * 30);
});

Deno.test("executor: snapshot is plain JSON and restores; bad snapshots are refused", () => {
  const { state } = run([bar("AAA", T0, 99, 100), bar("AAA", T0 + H, 100, 110)]);
  const json = JSON.parse(JSON.stringify(core.snapshot!(state)));
  const restored = core.restore!(json);
  assert.deepEqual(restored, state);
  const v = verdict("AAA", T0, { side: "buy", quantity: 1 });
  assert.deepEqual(core.step(restored, v, 0).out, core.step(state, v, 0).out);
  assert.throws(() => core.restore!({ ...json, cash: -1 }), /executor: invalid snapshot: cash/);
  assert.throws(
    () => createExecutorCore({ feeBps: -1 }),
    /feeBps: expected a number in \[0, 10000\)/,
  );
  assert.throws(
    () => createExecutorCore({ initialCash: 0 }),
    /initialCash: expected a finite number > 0/,
  );
});
