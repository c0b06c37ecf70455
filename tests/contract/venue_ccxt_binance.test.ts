// The venue contract for the real ccxt binance client pointed (through its url configuration)
// at the Binance spot stand-in, plus what is Binance-specific: the wire format of client
// order ids, native stop-limit / take-profit orders, and the signature check.
import assert from "node:assert/strict";
import { CcxtVenue } from "../../agents/executor/venues/ccxt_venue.ts";
import { createCcxtClient } from "../../agents/executor/venues/ccxt_client.ts";
import { VenueError } from "../../agents/executor/venues/types.ts";
import { type BinanceStandin, startBinanceStandin } from "../support/binance_standin.ts";
import { venueContract, type VenueHarness } from "./venue_contract.ts";

const PRICE = 40_000;

async function ccxtVenue(s: BinanceStandin, secret = s.secret, timeoutMs = 1500) {
  const exchange = await createCcxtClient({
    id: "binance",
    apiKey: s.apiKey,
    secret,
    sandbox: true,
    apiUrl: s.origin,
    timeoutMs,
    enableRateLimit: false,
  });
  return new CcxtVenue(exchange, { quoteCurrency: "USDT" });
}

async function harness(): Promise<VenueHarness & { standin: BinanceStandin }> {
  const standin = await startBinanceStandin({ balances: { USDT: "100000" } });
  standin.setPrice("BTCUSDT", String(PRICE));
  const venue = await ccxtVenue(standin);
  return {
    standin,
    venue,
    symbol: "BTC/USDT",
    quantity: 0.001,
    offStepQuantity: 0.0010005,
    price: PRICE,
    farBelow: 30_000,
    marketableBuy: 40_100,
    startingCash: 100_000,
    setPrice: (p) => standin.setPrice("BTCUSDT", p.toFixed(2)),
    setLiquidity: (q) => standin.setLiquidity("BTCUSDT", q === null ? null : q.toFixed(8)),
    ordersWithClientId: (id) => standin.orders.filter((o) => o.clientOrderId === id).length,
    faults: {
      submitRoute: ["POST", "/api/v3/order"],
      inject: standin.inject,
      count: standin.count,
      rejectNextOrder: (reason) => standin.rejectNextOrder(-2010, reason),
      venueWithWrongSecret: () => ccxtVenue(standin, standin.secret + "x"),
    },
    close: async () => {
      await venue.close();
      await standin.close();
    },
  };
}

venueContract("ccxt binance", harness);

Deno.test({
  name: "ccxt binance: client id travels as newClientOrderId; steps and minimums from filters",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const h = await harness();
    try {
      const [m] = await h.venue.markets(["BTC/USDT"]);
      assert.deepEqual(m, {
        symbol: "BTC/USDT",
        amountStep: 0.00001,
        priceStep: 0.01,
        minQuantity: 0.00001,
        minNotional: 5,
      });
      await h.venue.submit({
        clientOrderId: "dec-abc-1",
        symbol: "BTC/USDT",
        side: "buy",
        quantity: 0.002,
        type: "market",
      });
      assert.equal(h.standin.orders.at(-1)?.clientOrderId, "dec-abc-1");
      assert.deepEqual(h.venue.capabilities, {
        nativeStops: true,
        nativeBrackets: false,
        marketHours: false,
        nativeOrderTypes: ["market", "limit", "stop_limit", "take_profit"],
      });
      // An off-step price is refused, not rounded.
      await assert.rejects(
        h.venue.submit({
          clientOrderId: "dec-abc-2",
          symbol: "BTC/USDT",
          side: "buy",
          quantity: 0.001,
          type: "limit",
          limitPrice: 30_000.005,
        }),
        (e) => e instanceof VenueError && e.kind === "invalid" && /step/.test(e.message),
      );
      assert.equal(h.ordersWithClientId("dec-abc-2"), 0);
    } finally {
      await h.close();
    }
  },
});

Deno.test({
  name: "ccxt binance: native STOP_LOSS_LIMIT and TAKE_PROFIT_LIMIT rest and trigger",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const h = await harness();
    try {
      await h.venue.submit({
        clientOrderId: "pos-1",
        symbol: "BTC/USDT",
        side: "buy",
        quantity: 0.01,
        type: "market",
      });
      const stop = await h.venue.submit({
        clientOrderId: "stop-1",
        symbol: "BTC/USDT",
        side: "sell",
        quantity: 0.004,
        type: "stop_limit",
        stopPrice: 38_000,
        limitPrice: 37_900,
      });
      const tp = await h.venue.submit({
        clientOrderId: "tp-1",
        symbol: "BTC/USDT",
        side: "sell",
        quantity: 0.004,
        type: "take_profit",
        limitPrice: 45_000,
      });
      assert.equal(stop.status, "submitted");
      assert.equal(tp.status, "submitted");
      const wire = h.standin.orders.slice(-2).map((o) => [o.type, o.clientOrderId]);
      assert.deepEqual(wire, [["STOP_LOSS_LIMIT", "stop-1"], ["TAKE_PROFIT_LIMIT", "tp-1"]]);
      const open = await h.venue.openOrders("BTC/USDT");
      assert.deepEqual(
        open.map((o) => [o.clientOrderId, o.type]).sort(),
        [["stop-1", "stop_limit"], ["tp-1", "take_profit"]],
      );
      h.setPrice(37_950); // through the stop, above its limit: sells at the limit or better
      const filled = await h.venue.fetchOrder("stop-1", "BTC/USDT");
      assert.equal(filled?.status, "filled");
      assert.equal((await h.venue.fetchOrder("tp-1", "BTC/USDT"))?.status, "submitted");
      // stop_market is not native on Binance spot in ccxt: refused for the executor to emulate.
      await assert.rejects(
        h.venue.submit({
          clientOrderId: "stopm-1",
          symbol: "BTC/USDT",
          side: "sell",
          quantity: 0.001,
          type: "stop_market",
          stopPrice: 30_000,
        }),
        (e) => e instanceof VenueError && e.kind === "invalid" && /emulates/.test(e.message),
      );
    } finally {
      await h.close();
    }
  },
});

Deno.test({
  name: "ccxt binance: a stop that would trigger at once is rejected with Binance's reason",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const h = await harness();
    try {
      await h.venue.submit({
        clientOrderId: "pos-2",
        symbol: "BTC/USDT",
        side: "buy",
        quantity: 0.01,
        type: "market",
      });
      await assert.rejects(
        h.venue.submit({
          clientOrderId: "stop-2",
          symbol: "BTC/USDT",
          side: "sell",
          quantity: 0.004,
          type: "stop_limit",
          stopPrice: 41_000,
          limitPrice: 40_900,
        }),
        (e) =>
          e instanceof VenueError && e.kind === "rejected" &&
          e.message.includes("Stop price would trigger immediately."),
      );
    } finally {
      await h.close();
    }
  },
});
