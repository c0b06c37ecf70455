// The storage contract: every Store (SQLite, PostgreSQL) must pass these unchanged.
// Run by tests/unit/storage_sqlite.test.ts and tests/unit/storage_postgres.test.ts.
import assert from "node:assert/strict";
import fc from "fast-check";
import { sql } from "kysely";
import type {
  Account,
  Decision,
  Fill,
  OrderUpdate,
  Position,
  Signal,
  Veto,
} from "../../shared/messages/schemas.ts";
import {
  appendAudit,
  appliedMigrations,
  countVetoesByReason,
  equityCurve,
  insertDecision,
  insertFill,
  insertOrderEvent,
  insertSignal,
  insertVeto,
  listAudit,
  listDecisions,
  listFills,
  listOrderEvents,
  listOrders,
  listPositions,
  listSignals,
  listVetoes,
  MAX_LIST_LIMIT,
  migrate,
  StorageInputError,
  type Store,
  TABLES,
  upsertEquity,
  upsertOrder,
  upsertPosition,
} from "../../shared/storage/mod.ts";
import { allFills } from "../../shared/storage/queries.ts";

export interface StoreHandle {
  store: Store;
  /** Closes the store and removes whatever it created (e.g. the test's schema). */
  dispose(): Promise<void>;
}
export type StoreFactory = () => Promise<StoreHandle>;

/** Floats that lose precision in careless storage (decimal text, float32, numeric). */
export const AWKWARD_POSITIVE = [
  0.1 + 0.2,
  1e-8,
  123456789.123456789,
  1 / 3,
  Math.PI * 1e15,
  1.7976931348623157e308, // largest double
  2.2250738585072014e-308, // smallest normal
  5e-324, // smallest subnormal
  9007199254740991, // 2^53 - 1
  9007199254740994, // 2^53 + 2: a double, not a safe integer
  0.000123456789012345678,
] as const;

/** Times that overflow int4 or need all 53 bits. */
export const BIG_TIMES = [
  0,
  2 ** 31 - 1,
  2 ** 31,
  2 ** 32 + 1,
  1_700_000_000_123,
  2 ** 41,
  Number.MAX_SAFE_INTEGER,
] as const;

const SYM = "BTC/USDT";

function fill(over: Partial<Fill> = {}): Fill {
  return {
    clientOrderId: "o-1",
    symbol: SYM,
    side: "buy",
    quantity: 0.5,
    price: 42_000.5,
    fee: 0.021,
    barTime: 1_700_000_000_000,
    ...over,
  };
}

function decision(over: Partial<Decision> = {}): Decision {
  return {
    symbol: SYM,
    barTime: 1_700_000_000_000,
    refPrice: 42_000.25,
    target: "long",
    probs: { down: 0.2, flat: 0.1, up: 0.7 },
    confidence: 0.1 + 0.2,
    disagreement: 1 / 3,
    votes: [{
      agent: "trend",
      probs: { down: 0.2, flat: 0.1, up: 0.7 },
      confidence: 0.6,
      weight: 1,
    }],
    missing: ["sentiment"],
    volatilityForecast: 0.0123456789,
    regime: "trend",
    reason: "trend up",
    ...over,
  };
}

function signal(over: Partial<Extract<Signal, { kind: "direction" }>> = {}): Signal {
  return {
    kind: "direction",
    agent: "trend",
    probs: { down: 0.25, flat: 0.25, up: 0.5 },
    symbol: SYM,
    barTime: 1_700_000_000_000,
    confidence: 0.5,
    latencyMs: 1.25,
    model: "ema-cross",
    ...over,
  };
}

function veto(codes: string[], over: Partial<Veto> = {}): Veto {
  return {
    decisionId: "meta:decision:1",
    symbol: SYM,
    barTime: 1_700_000_000_000,
    reasons: codes.map((code) => ({
      code,
      detail: `${code} detail`,
      values: { limit: 0.25, ok: false, n: null },
    })),
    tradingState: "ACTIVE",
    ...over,
  };
}

function orderUpdate(over: Partial<OrderUpdate> = {}): OrderUpdate {
  return {
    clientOrderId: "o-1",
    symbol: SYM,
    side: "buy",
    quantity: 0.5,
    status: "new",
    reason: null,
    decisionId: "meta:decision:1",
    ...over,
  };
}

function account(barTime: number, over: Partial<Account> = {}): Account {
  return {
    symbol: SYM,
    barTime,
    cash: 10_000,
    equity: 10_000,
    positions: [],
    fees: 0,
    barsProcessed: 1,
    ...over,
  };
}

async function count(store: Store, table: (typeof TABLES)[number]): Promise<number> {
  const r = await sql<{ n: number | string }>`select count(*) as n from ${sql.table(table)}`
    .execute(store.db);
  return Number(r.rows[0].n);
}

export function storageContract(label: string, factory: StoreFactory): void {
  const test = (name: string, fn: (store: Store) => Promise<void>) =>
    Deno.test(`storage contract (${label}): ${name}`, async () => {
      const handle = await factory();
      try {
        await migrate(handle.store);
        await fn(handle.store);
      } finally {
        await handle.dispose();
      }
    });

  Deno.test(`storage contract (${label}): migrations are recorded and idempotent`, async () => {
    const handle = await factory();
    try {
      const all = ["0001_initial", "0002_order_events"];
      assert.deepEqual(await appliedMigrations(handle.store), []);
      assert.deepEqual(await migrate(handle.store), all);
      assert.deepEqual(await migrate(handle.store), []);
      assert.deepEqual(await appliedMigrations(handle.store), all);
      const recorded = await sql<{ name: string }>`select name from kysely_migration order by name`
        .execute(handle.store.db);
      assert.deepEqual(recorded.rows.map((r) => r.name), all);
      for (const table of TABLES) assert.equal(await count(handle.store, table), 0, table);
    } finally {
      await handle.dispose();
    }
  });

  test("a signal is stored once and read back equal", async (store) => {
    const s = signal();
    assert.equal(await insertSignal(store.db, "trend:signal:1", s, 1_700_000_000_500), true);
    assert.equal(await insertSignal(store.db, "trend:signal:1", s, 1_700_000_000_500), false);
    const vol: Signal = {
      kind: "volatility",
      agent: "volatility",
      realized: 0.011,
      parkinson: 1e-8,
      forecast: 0.1 + 0.2,
      symbol: "ETH/USDT",
      barTime: 2 ** 41,
      confidence: 1,
      latencyMs: 0,
      model: "garch",
    };
    assert.equal(await insertSignal(store.db, "vol:signal:1", vol, 2 ** 41), true);
    assert.equal(await count(store, "signals"), 2);
    assert.deepEqual(await listSignals(store.db, { limit: 10 }), [
      { id: "vol:signal:1", createdAt: 2 ** 41, signal: vol },
      { id: "trend:signal:1", createdAt: 1_700_000_000_500, signal: s },
    ]);
    assert.deepEqual(
      (await listSignals(store.db, { limit: 10, agent: "trend" })).map((x) => x.id),
      ["trend:signal:1"],
    );
    assert.deepEqual(
      (await listSignals(store.db, { limit: 10, symbol: "ETH/USDT" })).map((x) => x.id),
      ["vol:signal:1"],
    );
  });

  test("a decision is stored once and read back equal, newest first", async (store) => {
    const d1 = decision({ barTime: 1000 });
    const d2 = decision({ barTime: 2000, target: "flat", volatilityForecast: null });
    const d3 = decision({ barTime: 2000, symbol: "ETH/USDT", target: "hold" });
    assert.equal(await insertDecision(store.db, "d1", d1), true);
    assert.equal(await insertDecision(store.db, "d2", d2), true);
    assert.equal(await insertDecision(store.db, "d3", d3), true);
    assert.equal(await insertDecision(store.db, "d1", { ...d1, target: "short" }), false);
    assert.deepEqual(await listDecisions(store.db, { limit: 10 }), [
      { ...d3, id: "d3" },
      { ...d2, id: "d2" },
      { ...d1, id: "d1" },
    ]);
    assert.deepEqual((await listDecisions(store.db, { limit: 2 })).map((d) => d.id), ["d3", "d2"]);
    assert.deepEqual(
      (await listDecisions(store.db, { limit: 10, symbol: SYM })).map((d) => d.id),
      ["d2", "d1"],
    );
  });

  test("a veto is stored once; reasons are counted per veto", async (store) => {
    const v1 = veto(["max_position", "daily_loss"], { barTime: 1 });
    assert.equal(await insertVeto(store.db, "v1", v1), true);
    assert.equal(await insertVeto(store.db, "v1", v1), false);
    assert.equal(
      await insertVeto(store.db, "v2", veto(["halted", "halted"], { barTime: 2 })),
      true,
    );
    assert.equal(
      await insertVeto(store.db, "v3", veto(["daily_loss", "halted"], { barTime: 3 })),
      true,
    );
    assert.equal(await insertVeto(store.db, "v4", veto(["daily_loss"], { barTime: 4 })), true);
    assert.equal(await count(store, "vetoes"), 4);
    assert.equal(await count(store, "veto_reasons"), 7);
    assert.deepEqual(await countVetoesByReason(store.db), [
      { code: "daily_loss", count: 3 },
      { code: "halted", count: 2 },
      { code: "max_position", count: 1 },
    ]);
    const listed = await listVetoes(store.db, { limit: 10 });
    assert.deepEqual(listed.map((v) => v.id), ["v4", "v3", "v2", "v1"]);
    assert.deepEqual(listed[3], { ...v1, id: "v1" });
  });

  test("awkward floats round-trip exactly", async (store) => {
    for (const [i, x] of AWKWARD_POSITIVE.entries()) {
      await insertFill(store.db, `f${i}`, fill({ quantity: x, price: x, fee: x, barTime: i }));
    }
    const back = await listFills(store.db, { limit: 100 });
    assert.equal(back.length, AWKWARD_POSITIVE.length);
    for (const f of back) {
      const expected = AWKWARD_POSITIVE[f.barTime];
      for (const v of [f.quantity, f.price, f.fee]) {
        assert.ok(Object.is(v, expected), `${f.id}: stored ${expected} came back as ${v}`);
      }
    }
    // Signed values: positions and equity may be negative.
    for (const [i, x] of AWKWARD_POSITIVE.entries()) {
      await upsertPosition(
        store.db,
        { symbol: `S${i}`, quantity: -x, avgPrice: x, lastPrice: x },
        i,
      );
      await upsertEquity(store.db, account(i, { cash: -x, equity: x, fees: x }));
    }
    for (const p of await listPositions(store.db)) {
      const x = AWKWARD_POSITIVE[Number(p.symbol.slice(1))];
      assert.ok(Object.is(p.quantity, -x) && Object.is(p.avgPrice, x) && Object.is(p.lastPrice, x));
    }
    for (const e of await equityCurve(store.db)) {
      const x = AWKWARD_POSITIVE[e.barTime];
      assert.ok(Object.is(e.cash, -x) && Object.is(e.equity, x) && Object.is(e.fees, x));
    }
  });

  test("ms times beyond 2^31 round-trip exactly", async (store) => {
    for (const [i, t] of BIG_TIMES.entries()) {
      await insertFill(store.db, `f${i}`, fill({ barTime: t }));
      await upsertEquity(store.db, account(t));
      await upsertOrder(store.db, orderUpdate({ clientOrderId: `o${i}` }), t);
      await insertSignal(store.db, `s${i}`, signal({ barTime: t }), t);
    }
    const fills = await listFills(store.db, { limit: 100 });
    assert.deepEqual(fills.map((f) => f.barTime), [...BIG_TIMES].reverse());
    assert.deepEqual((await equityCurve(store.db)).map((e) => e.barTime), [...BIG_TIMES]);
    const orders = await listOrders(store.db, { limit: 100 });
    assert.deepEqual(orders.map((o) => o.updatedAt), [...BIG_TIMES].reverse());
    assert.deepEqual(orders.map((o) => o.createdAt), [...BIG_TIMES].reverse());
    const signals = await listSignals(store.db, { limit: 100 });
    assert.deepEqual(signals.map((s) => s.createdAt), [...BIG_TIMES].reverse());
    assert.deepEqual(signals.map((s) => s.signal.barTime), [...BIG_TIMES].reverse());
    for (const t of BIG_TIMES) assert.equal(typeof t, "number");
  });

  test("orders: status moves forward only, redelivery is a no-op", async (store) => {
    const u = orderUpdate();
    assert.equal(await upsertOrder(store.db, u, 1000), true);
    assert.equal(await upsertOrder(store.db, u, 1000), false, "identical redelivery");
    assert.equal(await upsertOrder(store.db, { ...u, status: "submitted" }, 1000), true);
    assert.equal(
      await upsertOrder(store.db, { ...u, status: "filled", quantity: 99, symbol: "X" }, 2000),
      true,
    );
    assert.equal(await upsertOrder(store.db, { ...u, status: "submitted" }, 3000), false);
    assert.equal(await upsertOrder(store.db, u, 1000), false, "old 'new' redelivered");
    const [o] = await listOrders(store.db, { limit: 10 });
    assert.deepEqual(o, {
      ...u,
      status: "filled",
      type: "market",
      updatedAt: 2000,
      createdAt: 1000,
    });
    // Same rank: a later update (e.g. another partial fill) wins; an earlier one does not.
    const p = orderUpdate({ clientOrderId: "o-2", status: "partially_filled", reason: "first" });
    await upsertOrder(store.db, p, 10);
    assert.equal(await upsertOrder(store.db, { ...p, reason: "second" }, 20), true);
    assert.equal(await upsertOrder(store.db, { ...p, reason: "stale" }, 15), false);
    const o2 = (await listOrders(store.db, { limit: 10, symbol: SYM })).find((x) =>
      x.clientOrderId === "o-2"
    );
    assert.equal(o2?.reason, "second");
    assert.equal(o2?.updatedAt, 20);
    assert.equal(await count(store, "orders"), 2);
  });

  test("order events: every transition kept in order, redelivery stored once", async (store) => {
    const sub = orderUpdate({ status: "submitted", type: "stop_market", filledQuantity: 0 });
    const part = { ...sub, status: "partially_filled" as const, filledQuantity: 0.1 + 0.2 };
    const done = { ...sub, status: "filled" as const, filledQuantity: 0.5, reason: "stop_loss" };
    const other = orderUpdate({ clientOrderId: "o-2", status: "cancelled", reason: "kill_switch" });
    assert.equal(await insertOrderEvent(store.db, "e1", sub, 2 ** 41), true);
    assert.equal(await insertOrderEvent(store.db, "e2", other, 5), true);
    assert.equal(await insertOrderEvent(store.db, "e3", part, 2 ** 41 + 1), true);
    assert.equal(await insertOrderEvent(store.db, "e1", sub, 2 ** 41), false, "redelivery");
    assert.equal(await insertOrderEvent(store.db, "e4", done, 2 ** 41 + 2), true);
    const mine = await listOrderEvents(store.db, { clientOrderId: "o-1", limit: 10 });
    assert.deepEqual(mine.map((e) => [e.eventId, e.status, e.filledQuantity, e.time]), [
      ["e1", "submitted", 0, 2 ** 41],
      ["e3", "partially_filled", 0.1 + 0.2, 2 ** 41 + 1],
      ["e4", "filled", 0.5, 2 ** 41 + 2],
    ]);
    assert.equal(mine[0].type, "stop_market");
    assert.equal(mine[2].reason, "stop_loss");
    const all = await listOrderEvents(store.db, { limit: 10 });
    assert.deepEqual(all.map((e) => e.eventId), ["e1", "e2", "e3", "e4"]);
    assert.deepEqual(all[1], {
      ...other,
      eventId: "e2",
      seq: all[1].seq,
      type: "market",
      filledQuantity: null,
      time: 5,
    });
    for (let i = 1; i < all.length; i++) assert.ok(all[i].seq > all[i - 1].seq);
    assert.equal(await count(store, "order_events"), 4);
    await assert.rejects(
      insertOrderEvent(store.db, "e5", { ...sub, status: "lost" as "new" }, 1),
      /insertOrderEvent e5: status/,
    );
    await assert.rejects(listOrderEvents(store.db, { limit: 0 }), /limit must be an integer/);
  });

  test("orders: listing is newest first with symbol and status filters", async (store) => {
    await upsertOrder(store.db, orderUpdate({ clientOrderId: "a", status: "filled" }), 30);
    await upsertOrder(store.db, orderUpdate({ clientOrderId: "b", symbol: "ETH/USDT" }), 20);
    await upsertOrder(
      store.db,
      orderUpdate({ clientOrderId: "c", status: "rejected", reason: "no cash" }),
      30,
    );
    await upsertOrder(store.db, orderUpdate({ clientOrderId: "d" }), 10);
    const ids = async (o: Parameters<typeof listOrders>[1]) =>
      (await listOrders(store.db, o)).map((x) => x.clientOrderId);
    assert.deepEqual(await ids({ limit: 10 }), ["c", "a", "b", "d"]);
    assert.deepEqual(await ids({ limit: 2 }), ["c", "a"]);
    assert.deepEqual(await ids({ limit: 10, symbol: SYM }), ["c", "a", "d"]);
    assert.deepEqual(await ids({ limit: 10, status: "rejected" }), ["c"]);
    assert.deepEqual(await ids({ limit: 10, symbol: "ETH/USDT", status: "filled" }), []);
    assert.equal(
      (await listOrders(store.db, { limit: 10, status: "rejected" }))[0].reason,
      "no cash",
    );
  });

  test("fills: idempotent, newest first, filtered by symbol and order", async (store) => {
    const f1 = fill({ barTime: 10 });
    const f2 = fill({ barTime: 20, clientOrderId: "o-2", side: "sell" });
    const f3 = fill({ barTime: 20, symbol: "ETH/USDT", clientOrderId: "o-3" });
    assert.equal(await insertFill(store.db, "f1", f1), true);
    assert.equal(await insertFill(store.db, "f2", f2), true);
    assert.equal(await insertFill(store.db, "f3", f3), true);
    assert.equal(await insertFill(store.db, "f2", f2), false);
    assert.deepEqual(await listFills(store.db, { limit: 10 }), [
      { ...f3, id: "f3" },
      { ...f2, id: "f2" },
      { ...f1, id: "f1" },
    ]);
    assert.deepEqual((await listFills(store.db, { limit: 10, symbol: SYM })).map((f) => f.id), [
      "f2",
      "f1",
    ]);
    assert.deepEqual(
      (await listFills(store.db, { limit: 10, clientOrderId: "o-3" })).map((f) => f.id),
      ["f3"],
    );
    assert.deepEqual((await listFills(store.db, { limit: 1 })).map((f) => f.id), ["f3"]);
  });

  test("allFills: every fill once, ascending (bar time, id), across page boundaries", async (store) => {
    const ids: string[] = [];
    // 3 bar times × 4 fills: page boundaries fall inside runs of equal bar time.
    for (const t of [30, 10, 20]) {
      for (const k of ["d", "b", "a", "c"]) {
        ids.push(`f-${t}-${k}`);
        await insertFill(
          store.db,
          `f-${t}-${k}`,
          fill({ barTime: t, clientOrderId: `o-${t}-${k}` }),
        );
      }
    }
    const expected = [...ids].sort((a, b) =>
      Number(a.split("-")[1]) - Number(b.split("-")[1]) || (a < b ? -1 : 1)
    );
    for (const page of [1, 3, 4, 5, 100]) {
      assert.deepEqual((await allFills(store.db, page)).map((f) => f.id), expected, `page ${page}`);
    }
    assert.equal((await allFills(store.db))[0].barTime, 10);
  });

  test("positions: upsert keeps the latest, ignores older updates", async (store) => {
    const p: Position = { symbol: SYM, quantity: 0.5, avgPrice: 100, lastPrice: 101 };
    assert.equal(await upsertPosition(store.db, p, 1000), true);
    assert.equal(await upsertPosition(store.db, p, 1000), false, "identical redelivery");
    assert.equal(await upsertPosition(store.db, { ...p, quantity: 0, lastPrice: 105 }, 2000), true);
    assert.equal(await upsertPosition(store.db, { ...p, quantity: 9 }, 1500), false, "older");
    assert.equal(
      await upsertPosition(store.db, { ...p, quantity: -0.25 }, 2000),
      true,
      "same time",
    );
    assert.equal(
      await upsertPosition(store.db, {
        symbol: "ADA/USDT",
        quantity: 3,
        avgPrice: 0.3,
        lastPrice: 0.31,
      }, 5),
      true,
    );
    assert.deepEqual(await listPositions(store.db), [
      { symbol: "ADA/USDT", quantity: 3, avgPrice: 0.3, lastPrice: 0.31, updatedAt: 5 },
      { ...p, quantity: -0.25, updatedAt: 2000 },
    ]);
  });

  test("equity: last write for a bar time wins; curve is ascending with bounds", async (store) => {
    const pos: Position[] = [{ symbol: SYM, quantity: 0.1, avgPrice: 100, lastPrice: 110 }];
    for (const t of [300, 100, 200, 400]) {
      assert.equal(await upsertEquity(store.db, account(t, { equity: t })), true);
    }
    assert.equal(await upsertEquity(store.db, account(200, { equity: 200 })), false, "identical");
    assert.equal(
      await upsertEquity(
        store.db,
        account(200, { equity: 201, cash: 5, fees: 0.5, positions: pos }),
      ),
      true,
    );
    const curve = await equityCurve(store.db);
    assert.deepEqual(curve.map((e) => e.barTime), [100, 200, 300, 400]);
    assert.deepEqual(curve[1], { barTime: 200, cash: 5, equity: 201, fees: 0.5, positions: pos });
    assert.deepEqual((await equityCurve(store.db, { from: 200, to: 300 })).map((e) => e.barTime), [
      200,
      300,
    ]);
    assert.deepEqual((await equityCurve(store.db, { limit: 2 })).map((e) => e.barTime), [300, 400]);
    assert.deepEqual(
      (await equityCurve(store.db, { to: 300, limit: 2 })).map((e) => e.barTime),
      [200, 300],
    );
    assert.equal(await count(store, "equity_snapshots"), 4);
  });

  test("audit log: appends in order, event ids dedupe, no update or delete", async (store) => {
    const ids: number[] = [];
    for (let i = 0; i < 5; i++) {
      const id = await appendAudit(store.db, {
        time: 1_700_000_000_000, // same time: the id, not the time, orders entries
        actor: "alice",
        channel: i % 2 ? "telegram" : "http",
        command: i === 0 ? "kill" : "resume",
        args: { i, reason: "test", nested: [1, 0.1 + 0.2, null] },
        effect: `effect ${i}`,
      });
      assert.ok(id !== null);
      ids.push(id);
    }
    for (let i = 1; i < ids.length; i++) assert.ok(ids[i] > ids[i - 1], `ids ${ids}`);
    const cmd = {
      eventId: "cmd-1",
      time: 5,
      actor: "bob",
      channel: "cli",
      command: "pause",
      args: null,
      effect: "paused",
    };
    const first = await appendAudit(store.db, cmd);
    assert.ok(first !== null && first > ids[4]);
    assert.equal(await appendAudit(store.db, cmd), null, "same eventId is appended once");
    assert.equal(await count(store, "audit_log"), 6);

    const all = await listAudit(store.db, { limit: 100 });
    assert.deepEqual(all.map((a) => a.id), [first, ...[...ids].reverse()]);
    assert.deepEqual(all[0], { id: first, ...cmd });
    assert.deepEqual(all[5].args, { i: 0, reason: "test", nested: [1, 0.1 + 0.2, null] });
    assert.equal(all[5].eventId, null);
    const page = await listAudit(store.db, { limit: 2, beforeId: ids[3] });
    assert.deepEqual(page.map((a) => a.id), [ids[2], ids[1]]);

    await assert.rejects(
      sql`update audit_log set effect = 'tampered'`.execute(store.db),
      /append-only/,
    );
    await assert.rejects(sql`delete from audit_log`.execute(store.db), /append-only/);
    assert.equal(await count(store, "audit_log"), 6);
    assert.deepEqual(
      (await listAudit(store.db, { limit: 100 })).map((a) => a.effect),
      all.map((a) => a.effect),
    );
  });

  test("bad input is refused with a message naming the field, and nothing is written", async (store) => {
    await assert.rejects(
      insertFill(store.db, "f", fill({ price: NaN })),
      (e: Error) => e instanceof StorageInputError && /price/.test(e.message),
    );
    await assert.rejects(insertFill(store.db, "f", fill({ quantity: -1 })), /quantity/);
    await assert.rejects(insertFill(store.db, "", fill()), /id must be a non-empty string/);
    await assert.rejects(insertFill(store.db, "f", fill({ barTime: 1.5 })), /barTime/);
    await assert.rejects(insertSignal(store.db, "s", signal(), -1), /createdAt/);
    await assert.rejects(
      upsertOrder(store.db, orderUpdate(), Number.MAX_SAFE_INTEGER + 2),
      /time: expected a safe integer/,
    );
    await assert.rejects(
      upsertOrder(store.db, orderUpdate({ status: "lost" as "new" }), 1),
      /status/,
    );
    await assert.rejects(
      upsertPosition(store.db, { symbol: "", quantity: 1, avgPrice: 1, lastPrice: 1 }, 1),
      /symbol/,
    );
    await assert.rejects(upsertEquity(store.db, account(1, { cash: Infinity })), /cash/);
    await assert.rejects(insertVeto(store.db, "v", veto([])), /reasons/);
    await assert.rejects(
      appendAudit(store.db, {
        time: 1,
        actor: "a",
        channel: "c",
        command: "k",
        args: { x: NaN },
        effect: "",
      }),
      /args\.x: NaN is not representable/,
    );
    await assert.rejects(
      appendAudit(store.db, {
        time: 1,
        actor: "",
        channel: "c",
        command: "k",
        args: {},
        effect: "",
      }),
      /actor/,
    );
    for (const table of TABLES) assert.equal(await count(store, table), 0, table);

    await assert.rejects(listFills(store.db, { limit: 0 }), /limit must be an integer/);
    await assert.rejects(listOrders(store.db, { limit: MAX_LIST_LIMIT + 1 }), /limit/);
    await assert.rejects(listOrders(store.db, { limit: 1.5 }), /limit/);
    await assert.rejects(listFills(store.db, { limit: 1, symbol: "" }), /symbol/);
    await assert.rejects(
      equityCurve(store.db, { from: 10, to: 5 }),
      /from \(10\) is after to \(5\)/,
    );
    await assert.rejects(listAudit(store.db, { limit: 1, beforeId: 0.5 }), /beforeId/);
  });

  test("a corrupt stored row is reported, not returned", async (store) => {
    await insertFill(store.db, "f1", fill());
    await sql`update fills set side = 'sideways' where id = 'f1'`.execute(store.db);
    await assert.rejects(
      listFills(store.db, { limit: 1 }),
      /stored fills row 'f1' is invalid: side/,
    );
    await insertDecision(store.db, "d1", decision());
    await sql`update decisions set payload = '{not json' where id = 'd1'`.execute(store.db);
    await assert.rejects(
      listDecisions(store.db, { limit: 1 }),
      /decisions row 'd1' payload: stored JSON/,
    );
  });

  test("writes inside a caller's transaction commit or roll back together", async (store) => {
    await assert.rejects(
      store.db.transaction().execute(async (trx) => {
        await insertFill(trx, "f1", fill());
        await insertVeto(trx, "v1", veto(["x"]));
        throw new Error("boom");
      }),
      /boom/,
    );
    assert.equal(await count(store, "fills"), 0);
    assert.equal(await count(store, "veto_reasons"), 0);
    await store.db.transaction().execute(async (trx) => {
      await insertFill(trx, "f1", fill());
      await insertVeto(trx, "v1", veto(["x"]));
    });
    assert.equal(await count(store, "fills"), 1);
    assert.deepEqual(await countVetoesByReason(store.db), [{ code: "x", count: 1 }]);
  });

  test("property: random fills with duplicates come back as exactly the distinct set", async (store) => {
    const fillArb: fc.Arbitrary<Fill> = fc.record({
      clientOrderId: fc.stringMatching(/^o[0-9a-f]{1,8}$/),
      symbol: fc.constantFrom("BTC/USDT", "ETH/USDT", "SOL/USDT"),
      side: fc.constantFrom("buy" as const, "sell" as const),
      quantity: fc.double({
        min: Number.MIN_VALUE,
        max: 1e300,
        noNaN: true,
        noDefaultInfinity: true,
      }),
      price: fc.double({ min: Number.MIN_VALUE, max: 1e300, noNaN: true, noDefaultInfinity: true }),
      fee: fc.double({ min: 0, max: 1e12, noNaN: true, noDefaultInfinity: true }),
      barTime: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.tuple(fc.string({ minLength: 1, maxLength: 12 }), fillArb), {
          minLength: 1,
          maxLength: 15,
          selector: ([id]) => id,
        }),
        fc.array(fc.nat(), { minLength: 1, maxLength: 40 }),
        async (distinct, picks) => {
          await store.db.deleteFrom("fills").execute();
          // Every distinct fill at least once, then redeliveries in random order.
          const order = [...distinct.map((_, i) => i), ...picks.map((p) => p % distinct.length)];
          for (const i of order) await insertFill(store.db, distinct[i][0], distinct[i][1]);
          const back = await listFills(store.db, { limit: MAX_LIST_LIMIT });
          const byId = (
            a: { id: string },
            b: { id: string },
          ) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
          assert.deepStrictEqual(
            [...back].sort(byId),
            distinct.map(([id, f]) => ({ ...f, id })).sort(byId),
          );
        },
      ),
      { numRuns: 40 },
    );
  });
}
