// The venue contract for AlpacaVenue against the Alpaca Trading API stand-in, plus what is
// Alpaca-specific: market hours (local NYSE calendar + /v2/clock), extended-hours limits,
// native brackets, sub-penny prices and the key headers.
import assert from "node:assert/strict";
import { AlpacaVenue } from "../../agents/executor/venues/alpaca_venue.ts";
import { VenueError } from "../../agents/executor/venues/types.ts";
import { type AlpacaStandin, startAlpacaStandin } from "../support/alpaca_standin.ts";
import { venueContract, type VenueHarness } from "./venue_contract.ts";

/** Tuesday 2024-03-05 10:00 New York: regular session. */
const OPEN_TIME = Date.UTC(2024, 2, 5, 15, 0);
const PRICE = 190;

function alpacaVenue(s: AlpacaStandin, now = () => OPEN_TIME, secret = s.secretKey) {
  return new AlpacaVenue({
    baseUrl: s.baseUrl,
    keyId: s.keyId,
    secretKey: secret,
    timeoutMs: 1500,
    now,
    clockTtlMs: 0,
  });
}

async function harness(): Promise<VenueHarness & { standin: AlpacaStandin }> {
  const standin = await startAlpacaStandin({ cash: "100000" });
  standin.setPrice("AAPL", String(PRICE));
  const venue = alpacaVenue(standin);
  return {
    standin,
    venue,
    symbol: "AAPL",
    quantity: 1,
    offStepQuantity: 1.5,
    price: PRICE,
    farBelow: 150,
    marketableBuy: 191,
    startingCash: 100_000,
    setPrice: (p) => standin.setPrice("AAPL", p.toFixed(2)),
    setLiquidity: (q) => standin.setLiquidity("AAPL", q === null ? null : String(q)),
    ordersWithClientId: (id) => standin.orders.filter((o) => o.client_order_id === id).length,
    faults: {
      submitRoute: ["POST", "/v2/orders"],
      inject: standin.inject,
      count: standin.count,
      rejectNextOrder: (reason) => standin.rejectNextOrder(403, 40310000, reason),
      venueWithWrongSecret: () => Promise.resolve(alpacaVenue(standin, undefined, "wrong")),
    },
    close: async () => {
      await venue.close();
      await standin.close();
    },
  };
}

venueContract("alpaca", harness);

const t = (name: string, fn: (h: Awaited<ReturnType<typeof harness>>) => Promise<void>) =>
  Deno.test({
    name: `alpaca: ${name}`,
    sanitizeOps: false,
    sanitizeResources: false,
    fn: async () => {
      const h = await harness();
      try {
        await fn(h);
      } finally {
        await h.close();
      }
    },
  });

const ny = (iso: string) => Date.parse(iso); // ISO with offset

t("closed market: no order is sent (weekend, holiday, night, venue clock closed)", async (h) => {
  const cases: [string, number, boolean][] = [
    ["Saturday noon", ny("2024-03-09T12:00:00-05:00"), false],
    ["Christmas 2024", ny("2024-12-25T11:00:00-05:00"), false],
    ["Good Friday 2024", ny("2024-03-29T11:00:00-04:00"), false],
    ["Tuesday 02:00", ny("2024-03-05T02:00:00-05:00"), false],
    ["Tuesday 10:00, clock closed (early close / halt)", OPEN_TIME, true],
  ];
  h.standin.setClock({ isOpen: false });
  for (const [label, at, clockAsked] of cases) {
    const venue = alpacaVenue(h.standin, () => at);
    const clocksBefore = h.standin.count("GET", "/v2/clock");
    assert.equal(await venue.acceptsOrders(at, "market"), false, label);
    await assert.rejects(
      venue.submit({
        clientOrderId: `closed-${at}`,
        symbol: "AAPL",
        side: "buy",
        quantity: 1,
        type: "market",
      }),
      (e) => e instanceof VenueError && e.kind === "market_closed" && e.retryable === false,
      label,
    );
    assert.equal(h.standin.count("GET", "/v2/clock") > clocksBefore, clockAsked, label);
    await venue.close();
  }
  assert.equal(h.standin.count("POST", "/v2/orders"), 0);
  assert.equal(h.standin.orders.length, 0);
});

t("extended hours: only limit orders, sent as DAY with extended_hours", async (h) => {
  const pre = ny("2024-03-05T08:00:00-05:00");
  const venue = alpacaVenue(h.standin, () => pre);
  try {
    h.standin.setClock({ isOpen: false });
    assert.equal(await venue.acceptsOrders(pre, "limit"), true);
    assert.equal(await venue.acceptsOrders(pre, "market"), false);
    assert.equal(await venue.acceptsOrders(pre, "stop_market"), false);
    const o = await venue.submit({
      clientOrderId: "ext-1",
      symbol: "AAPL",
      side: "buy",
      quantity: 2,
      type: "limit",
      limitPrice: 191,
    });
    // extended-hours limits fill at the stand-in like on Alpaca
    assert.equal(o.status, "filled");
    const wire = h.standin.orders[0];
    assert.equal(wire.extended_hours, true);
    assert.equal(wire.time_in_force, "day");
    await assert.rejects(
      venue.submit({
        clientOrderId: "ext-2",
        symbol: "AAPL",
        side: "buy",
        quantity: 1,
        type: "market",
      }),
      (e) => e instanceof VenueError && e.kind === "market_closed",
    );
    assert.equal(h.standin.count("POST", "/v2/orders"), 1);
  } finally {
    await venue.close();
  }
});

t("native bracket: exits held until the entry fills, then OCO", async (h) => {
  const o = await h.venue.submit({
    clientOrderId: "br-1",
    symbol: "AAPL",
    side: "buy",
    quantity: 10,
    type: "market",
    bracket: { stopLoss: 180, takeProfit: 200 },
  });
  assert.equal(o.status, "filled");
  const [entry, tp, sl] = h.standin.orders;
  assert.equal(entry.order_class, "bracket");
  assert.deepEqual([tp.type, tp.status, sl.type, sl.status], ["limit", "new", "stop", "new"]);
  h.standin.setPrice("AAPL", "179.50"); // through the stop
  assert.equal(sl.status, "filled");
  assert.equal(tp.status, "canceled");
  const b = await h.venue.balances();
  assert.deepEqual(b.positions, []);
  assert.equal(b.cash, 100_000 - 1900 + 1795);
});

t("stop and stop-limit rest natively; sub-penny prices refused before sending", async (h) => {
  await h.venue.submit({
    clientOrderId: "pos",
    symbol: "AAPL",
    side: "buy",
    quantity: 5,
    type: "market",
  });
  const stop = await h.venue.submit({
    clientOrderId: "stp",
    symbol: "AAPL",
    side: "sell",
    quantity: 2,
    type: "stop_market",
    stopPrice: 185,
  });
  assert.equal(stop.status, "submitted");
  assert.equal(stop.type, "stop_market");
  await assert.rejects(
    h.venue.submit({
      clientOrderId: "subpenny",
      symbol: "AAPL",
      side: "sell",
      quantity: 1,
      type: "limit",
      limitPrice: 195.005,
    }),
    (e) => e instanceof VenueError && e.kind === "invalid",
  );
  assert.equal(h.standin.orders.some((o) => o.client_order_id === "subpenny"), false);
  h.standin.setPrice("AAPL", "184.00");
  assert.equal((await h.venue.fetchOrder("stp", "AAPL"))?.status, "filled");
  assert.deepEqual((await h.venue.balances()).positions, [{ symbol: "AAPL", quantity: 3 }]);
});

t("markets: whole shares, cents; unknown symbols refused", async (h) => {
  assert.deepEqual(await h.venue.markets(["AAPL"]), [
    { symbol: "AAPL", amountStep: 1, priceStep: 0.01, minQuantity: 1, minNotional: 0 },
  ]);
  await assert.rejects(
    h.venue.markets(["NOPE"]),
    (e) => e instanceof VenueError && e.kind === "invalid",
  );
});
