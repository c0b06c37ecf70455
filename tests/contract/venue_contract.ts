// The contract every Venue implementation meets, run against real clients talking to
// stand-ins (ccxt → Binance stand-in, AlpacaVenue → Alpaca stand-in). A venue without a
// stand-in (the paper exchange) passes a harness without `faults`: the fault tests are then
// skipped, the rest run unchanged.
import assert from "node:assert/strict";
import type { Fault } from "../support/standin_http.ts";
import {
  type RetryAttempt,
  type RetryPolicy,
  VenueRetriesExhausted,
  withRetries,
} from "../../agents/executor/venues/retry.ts";
import { type Venue, VenueError } from "../../agents/executor/venues/types.ts";

export interface FaultControl {
  /** Method and path of the venue's submit endpoint. */
  readonly submitRoute: readonly [string, string];
  inject(method: string, path: string, fault: Fault, times?: number): void;
  count(method: string, path: string): number;
  /** The next submit is refused with this reason (the venue's own words). */
  rejectNextOrder(reason: string): void;
  /** A client of the same venue signing with a wrong secret. */
  venueWithWrongSecret(): Promise<Venue>;
}

export interface VenueHarness {
  readonly venue: Venue;
  readonly symbol: string;
  /** A valid quantity on the venue's step whose notional clears the minimum. */
  readonly quantity: number;
  /** A quantity off the venue's step. */
  readonly offStepQuantity: number;
  /** Current market price. */
  readonly price: number;
  /** On-step limit prices far below / at-or-above the market. */
  readonly farBelow: number;
  readonly marketableBuy: number;
  /** Moves the market price (resting orders match against it). */
  setPrice(price: number): void;
  /** Caps how much of an order fills per matching pass; null = unlimited. */
  setLiquidity(quantity: number | null): void;
  /** Orders the venue itself holds with this client id. */
  ordersWithClientId(clientOrderId: string): number;
  /** Quote cash the account starts with. */
  readonly startingCash: number;
  readonly faults?: FaultControl;
  close(): Promise<void>;
}

/** A fake clock advanced only by the retry sleeps, so delays are exact. */
export function fakeRetryEnv(random = 0.5) {
  const clock = { now: 1_000_000 };
  const sleeps: number[] = [];
  const retries: RetryAttempt[] = [];
  return {
    clock,
    sleeps,
    retries,
    env: {
      now: () => clock.now,
      sleep: (ms: number) => {
        sleeps.push(ms);
        clock.now += ms;
        return Promise.resolve();
      },
      random: () => random,
      onRetry: (a: RetryAttempt) => retries.push(a),
    },
  };
}

export const POLICY: RetryPolicy = { deadlineMs: 30_000, baseDelayMs: 200, maxDelayMs: 5_000 };

let seq = 0;
const cid = (tag: string) => `t-${tag}-${Date.now().toString(36)}-${seq++}`;

const close = (a: number, b: number, what: string) =>
  assert.ok(Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b)), `${what}: ${a} != ${b}`);

async function rejectsWith(p: Promise<unknown>, kind: VenueError["kind"]): Promise<VenueError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof VenueError, `expected a VenueError, got ${e}`);
    assert.equal(e.kind, kind, `kind of: ${e.message}`);
    return e;
  }
  assert.fail(`expected a VenueError "${kind}"`);
}

export function venueContract(label: string, make: () => Promise<VenueHarness>): void {
  const test = (name: string, fn: (h: VenueHarness) => Promise<void>, needsFaults = false) =>
    Deno.test({
      name: `venue contract [${label}]: ${name}`,
      sanitizeOps: false,
      sanitizeResources: false,
      fn: async (t) => {
        const h = await make();
        try {
          if (needsFaults && !h.faults) {
            await t.step({ name: "no stand-in for faults", ignore: true, fn: () => {} });
            return;
          }
          await fn(h);
        } finally {
          await h.close();
        }
      },
    });

  test("market order fills; fetchOrder, fills and balances agree", async (h) => {
    const id = cid("mkt");
    const since = Date.now() - 1000;
    const o = await h.venue.submit({
      clientOrderId: id,
      symbol: h.symbol,
      side: "buy",
      quantity: h.quantity,
      type: "market",
    });
    assert.equal(o.clientOrderId, id);
    assert.equal(o.status, "filled");
    close(o.filledQuantity, h.quantity, "filled quantity");
    close(o.averagePrice!, h.price, "average price");
    const again = await h.venue.fetchOrder(id, h.symbol);
    assert.equal(again?.venueOrderId, o.venueOrderId);
    assert.equal(again?.status, "filled");
    assert.equal(again?.type, "market");
    const fills = (await h.venue.fills(since, [h.symbol])).filter((f) => f.clientOrderId === id);
    assert.equal(fills.length, 1);
    close(fills[0].quantity, h.quantity, "fill quantity");
    close(fills[0].price, h.price, "fill price");
    assert.equal(fills[0].side, "buy");
    assert.equal(fills[0].venueOrderId, o.venueOrderId);
    const b = await h.venue.balances();
    close(b.cash, h.startingCash - h.quantity * h.price, "cash");
    const pos = b.positions.find((p) => p.symbol === h.symbol);
    assert.ok(pos, `no position in ${JSON.stringify(b.positions)}`);
    // A fee taken in the base asset (Binance) makes the position that much smaller.
    close(pos.quantity + fills[0].fee / h.price, h.quantity, "position + base fee");
  });

  test("limit order rests, shows in openOrders, cancels", async (h) => {
    const id = cid("lmt");
    const o = await h.venue.submit({
      clientOrderId: id,
      symbol: h.symbol,
      side: "buy",
      quantity: h.quantity,
      type: "limit",
      limitPrice: h.farBelow,
    });
    assert.equal(o.status, "submitted");
    assert.equal(o.filledQuantity, 0);
    assert.equal(o.averagePrice, null);
    const open = await h.venue.openOrders(h.symbol);
    assert.deepEqual(open.map((x) => x.clientOrderId), [id]);
    assert.equal(open[0].type, "limit");
    const cancelled = await h.venue.cancel(id, h.symbol);
    assert.equal(cancelled.status, "cancelled");
    assert.deepEqual(await h.venue.openOrders(h.symbol), []);
    assert.equal((await h.venue.fetchOrder(id, h.symbol))?.status, "cancelled");
    const b = await h.venue.balances();
    close(b.cash, h.startingCash, "cash after cancel (nothing left locked)");
  });

  test("the same clientOrderId twice gives one order on the venue", async (h) => {
    const id = cid("idem");
    const req = {
      clientOrderId: id,
      symbol: h.symbol,
      side: "buy" as const,
      quantity: h.quantity,
      type: "market" as const,
    };
    const first = await h.venue.submit(req);
    const second = await h.venue.submit(req);
    assert.equal(second.venueOrderId, first.venueOrderId);
    assert.equal(h.ordersWithClientId(id), 1);
    const resting = { ...req, clientOrderId: cid("idem-l"), type: "limit" as const };
    const r1 = await h.venue.submit({ ...resting, limitPrice: h.farBelow });
    const r2 = await h.venue.submit({ ...resting, limitPrice: h.farBelow });
    assert.equal(r2.venueOrderId, r1.venueOrderId);
    assert.equal(h.ordersWithClientId(resting.clientOrderId), 1);
  });

  test("an off-step quantity is refused before anything is sent", async (h) => {
    const id = cid("step");
    const e = await rejectsWith(
      h.venue.submit({
        clientOrderId: id,
        symbol: h.symbol,
        side: "buy",
        quantity: h.offStepQuantity,
        type: "market",
      }),
      "invalid",
    );
    assert.match(e.message, /step/);
    assert.equal(h.ordersWithClientId(id), 0);
  });

  test("fetchOrder of an unknown id is null", async (h) => {
    assert.equal(await h.venue.fetchOrder(cid("none"), h.symbol), null);
  });

  test("partial fills: partially_filled, then filled at the right average", async (h) => {
    const id = cid("part");
    const q = h.quantity * 10;
    const firstPart = h.quantity * 4;
    h.setLiquidity(firstPart);
    const o = await h.venue.submit({
      clientOrderId: id,
      symbol: h.symbol,
      side: "buy",
      quantity: q,
      type: "limit",
      limitPrice: h.marketableBuy,
    });
    assert.equal(o.status, "partially_filled");
    close(o.filledQuantity, firstPart, "first part");
    close(o.averagePrice!, h.price, "first average");
    const mid = await h.venue.fetchOrder(id, h.symbol);
    assert.equal(mid?.status, "partially_filled");
    assert.deepEqual((await h.venue.openOrders(h.symbol)).map((x) => x.clientOrderId), [id]);
    h.setLiquidity(null);
    // The rest fills when the market trades through the limit again (at the limit price).
    h.setPrice(h.marketableBuy - (h.marketableBuy - h.farBelow) / 2);
    const done = await h.venue.fetchOrder(id, h.symbol);
    assert.equal(done?.status, "filled");
    close(done!.filledQuantity, q, "filled");
    const avg = (firstPart * h.price + (q - firstPart) * h.marketableBuy) / q;
    close(done!.averagePrice!, avg, "volume-weighted average");
    const fills = (await h.venue.fills(0, [h.symbol])).filter((f) => f.clientOrderId === id);
    assert.equal(fills.length, 2);
    close(fills.reduce((s, f) => s + f.quantity, 0), q, "sum of fills");
  });

  test("a rejection is final: the venue's reason, no retry", async (h) => {
    const f = h.faults!;
    const [method, path] = f.submitRoute;
    const reason = "Account has insufficient balance for requested action.";
    f.rejectNextOrder(reason);
    const { env, sleeps } = fakeRetryEnv();
    const venue = withRetries(h.venue, POLICY, env);
    const before = f.count(method, path);
    const e = await rejectsWith(
      venue.submit({
        clientOrderId: cid("rej"),
        symbol: h.symbol,
        side: "buy",
        quantity: h.quantity,
        type: "market",
      }),
      "rejected",
    );
    assert.ok(e.message.includes(reason), e.message);
    assert.equal(e.retryable, false);
    assert.equal(f.count(method, path) - before, 1);
    assert.deepEqual(sleeps, []);
  }, true);

  test("429 with Retry-After: waits at least that long, then one order", async (h) => {
    const f = h.faults!;
    const [method, path] = f.submitRoute;
    f.inject(method, path, { kind: "status", status: 429, retryAfterS: 3 }, 2);
    const { env, sleeps, retries } = fakeRetryEnv(0.5);
    const id = cid("429");
    const o = await withRetries(h.venue, POLICY, env).submit({
      clientOrderId: id,
      symbol: h.symbol,
      side: "buy",
      quantity: h.quantity,
      type: "market",
    });
    assert.equal(o.status, "filled");
    assert.equal(f.count(method, path), 3);
    assert.deepEqual(sleeps, [3000, 3000]);
    assert.deepEqual(retries.map((r) => r.error.kind), ["rate_limited", "rate_limited"]);
    assert.equal(h.ordersWithClientId(id), 1);
  }, true);

  test("500 and 503: exponential backoff with jitter, then success", async (h) => {
    const f = h.faults!;
    const [method, path] = f.submitRoute;
    f.inject(method, path, { kind: "status", status: 500 }, 1);
    f.inject(method, path, { kind: "status", status: 503 }, 2);
    const { env, sleeps, retries } = fakeRetryEnv(0.5);
    const id = cid("5xx");
    const o = await withRetries(h.venue, POLICY, env).submit({
      clientOrderId: id,
      symbol: h.symbol,
      side: "buy",
      quantity: h.quantity,
      type: "market",
    });
    assert.equal(o.status, "filled");
    assert.equal(f.count(method, path), 4);
    // full jitter with random 0.5: 0.5 × min(5000, 200·2^(n−1))
    assert.deepEqual(sleeps, [100, 200, 400]);
    assert.deepEqual(retries.map((r) => r.error.kind), ["server", "server", "server"]);
    assert.equal(h.ordersWithClientId(id), 1);
  }, true);

  test("a timed-out submit is retried and still one order", async (h) => {
    const f = h.faults!;
    const [method, path] = f.submitRoute;
    f.inject(method, path, { kind: "hold" }, 1);
    const { env, retries } = fakeRetryEnv();
    const id = cid("tmo");
    const o = await withRetries(h.venue, POLICY, env).submit({
      clientOrderId: id,
      symbol: h.symbol,
      side: "buy",
      quantity: h.quantity,
      type: "market",
    });
    assert.equal(o.status, "filled");
    assert.deepEqual(retries.map((r) => r.error.kind), ["timeout"]);
    assert.equal(f.count(method, path), 2);
    assert.equal(h.ordersWithClientId(id), 1);
  }, true);

  test("disconnect in the middle of a submit: exactly one order", async (h) => {
    const f = h.faults!;
    const [method, path] = f.submitRoute;
    f.inject(method, path, { kind: "disconnect" }, 1);
    const { env, retries } = fakeRetryEnv();
    // Warm the connection pool first: a kept-alive connection that dies mid-request is the
    // case an HTTP client may silently re-send on (Deno's fetch does, for POSTs too).
    await h.venue.openOrders(h.symbol);
    const id = cid("dis");
    // A market order: it fills at once, so the venue's duplicate-id check cannot catch a
    // second copy.
    const o = await withRetries(h.venue, POLICY, env).submit({
      clientOrderId: id,
      symbol: h.symbol,
      side: "buy",
      quantity: h.quantity,
      type: "market",
    });
    assert.equal(o.clientOrderId, id);
    assert.equal(o.status, "filled");
    assert.deepEqual(retries.map((r) => r.error.kind), ["network"]);
    // The order reached the venue before the socket died; the retry found it instead of
    // sending it again.
    assert.equal(f.count(method, path), 1);
    assert.equal(h.ordersWithClientId(id), 1);
  }, true);

  test("still failing at the deadline: VenueRetriesExhausted for the alert", async (h) => {
    const f = h.faults!;
    const [method, path] = f.submitRoute;
    f.inject(method, path, { kind: "status", status: 503 }, 100);
    const { env, clock } = fakeRetryEnv(1 - 1e-9);
    const policy = { deadlineMs: 10_000, baseDelayMs: 1000, maxDelayMs: 4000 };
    const start = clock.now;
    const e = await rejectsWith(
      withRetries(h.venue, policy, env).submit({
        clientOrderId: cid("dead"),
        symbol: h.symbol,
        side: "buy",
        quantity: h.quantity,
        type: "market",
      }),
      "server",
    );
    assert.ok(e instanceof VenueRetriesExhausted);
    // waits 999, 1999, 3999 (=6997), then 3999 more would pass 10 s: 4 attempts.
    assert.equal(e.attempts, 4);
    assert.equal(clock.now - start, 6997);
    assert.equal(f.count(method, path), 4);
  }, true);

  test("a wrong secret is an auth error, not retried", async (h) => {
    const bad = await h.faults!.venueWithWrongSecret();
    try {
      const { env, sleeps } = fakeRetryEnv();
      const e = await rejectsWith(withRetries(bad, POLICY, env).balances(), "auth");
      assert.equal(e.retryable, false);
      assert.deepEqual(sleeps, []);
    } finally {
      await bad.close();
    }
  }, true);
}
