// The pieces around the venues: the retry wrapper's backoff, deadline and submit lookup (on a
// scripted venue, so every attempt is visible), step checks, the NYSE calendar, ccxt error
// mapping, and venue selection with the live-trading guard.
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  backoffDelay,
  retrying,
  type RetryPolicy,
  VenueRetriesExhausted,
  withRetries,
} from "../../agents/executor/venues/retry.ts";
import { formatOnStep, requireOnStep } from "../../agents/executor/venues/precision.ts";
import { nyseSession } from "../../agents/executor/venues/nyse_calendar.ts";
import { parseRetryAfter, toVenueError } from "../../agents/executor/venues/ccxt_errors.ts";
import {
  checkVenueConfig,
  isLiveVenue,
  selectVenue,
  VenueConfigError,
} from "../../agents/executor/venues/select.ts";
import {
  type Venue,
  VenueError,
  type VenueOrder,
  type VenueOrderRequest,
} from "../../agents/executor/venues/types.ts";
import { parseConfig } from "../../shared/config/mod.ts";
import { fakeRetryEnv } from "./venue_contract.ts";

const policyArb = fc.record({
  deadlineMs: fc.integer({ min: 0, max: 120_000 }),
  baseDelayMs: fc.integer({ min: 1, max: 5_000 }),
  maxDelayMs: fc.integer({ min: 5_000, max: 60_000 }),
});

Deno.test("backoff: full jitter under the doubling cap, never below Retry-After", () => {
  fc.assert(
    fc.property(
      policyArb,
      fc.integer({ min: 1, max: 40 }),
      fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
      fc.option(fc.double({ min: 0, max: 120, noNaN: true })),
      (p, attempt, r, retryAfter) => {
        const d = backoffDelay(p, attempt, r, retryAfter);
        const cap = Math.min(p.maxDelayMs, p.baseDelayMs * 2 ** (attempt - 1));
        assert.ok(d >= 0 && Number.isInteger(d));
        if (retryAfter === null) assert.ok(d < Math.max(cap, 1));
        else assert.ok(d >= retryAfter * 1000 && d <= Math.max(cap, Math.ceil(retryAfter * 1000)));
      },
    ),
  );
});

Deno.test("retrying: never sleeps past the deadline; attempts counted; final errors at once", async () => {
  await fc.assert(
    fc.asyncProperty(
      policyArb,
      fc.array(fc.constantFrom("network", "timeout", "rate_limited", "server", "rejected", "ok")),
      fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
      async (p: RetryPolicy, script, r) => {
        const { env, clock, sleeps } = fakeRetryEnv(r);
        const start = clock.now;
        let calls = 0;
        try {
          const v = await retrying("op", p, env, () => {
            const step = script[calls++] ?? "ok";
            if (step === "ok") return Promise.resolve("done");
            return Promise.reject(new VenueError(step as VenueError["kind"], step));
          });
          assert.equal(v, "done");
          assert.ok(script.slice(0, calls - 1).every((s) => s !== "ok" && s !== "rejected"));
        } catch (e) {
          assert.ok(e instanceof VenueError);
          if (e instanceof VenueRetriesExhausted) {
            assert.equal(e.attempts, calls);
            assert.ok(e.retryable);
          } else assert.equal(script[calls - 1], "rejected");
        }
        assert.ok(clock.now - start <= p.deadlineMs);
        assert.equal(sleeps.length, calls - 1);
      },
    ),
  );
});

Deno.test("withRetries: a resubmission first looks the order up; a bug is not retried", async () => {
  const order: VenueOrder = {
    clientOrderId: "c1",
    venueOrderId: "v1",
    symbol: "X",
    side: "buy",
    type: "market",
    quantity: 1,
    filledQuantity: 1,
    averagePrice: 10,
    status: "filled",
    reason: null,
    updatedAt: 0,
  };
  const calls: string[] = [];
  let landed = false;
  const venue = {
    name: "scripted",
    capabilities: { nativeStops: false, nativeBrackets: false, marketHours: false },
    submit: (_r: VenueOrderRequest) => {
      calls.push("submit");
      landed = true; // reached the venue, then the answer was lost
      return Promise.reject(new VenueError("network", "connection reset"));
    },
    fetchOrder: () => {
      calls.push("fetch");
      return Promise.resolve(landed ? order : null);
    },
    balances: () => Promise.reject(new TypeError("bug")),
  } as unknown as Venue;
  const { env } = fakeRetryEnv();
  const v = withRetries(venue, { deadlineMs: 10_000, baseDelayMs: 10, maxDelayMs: 100 }, env);
  const got = await v.submit({
    clientOrderId: "c1",
    symbol: "X",
    side: "buy",
    quantity: 1,
    type: "market",
  });
  assert.equal(got, order);
  assert.deepEqual(calls, ["submit", "fetch"]);
  await assert.rejects(v.balances(), TypeError);
});

Deno.test("steps: on-step values pass as written, off-step ones are refused", () => {
  assert.equal(formatOnStep("q", 0.3, 0.1), "0.3");
  assert.equal(formatOnStep("q", 0.1 + 0.2, 0.1), "0.3"); // float noise is not off-step
  assert.equal(formatOnStep("p", 190.55, 0.01), "190.55");
  assert.throws(() => formatOnStep("q", 0.35, 0.1), /not a multiple/);
  assert.throws(() => formatOnStep("q", 1.5, 1), /not a multiple/);
  assert.throws(() => requireOnStep("q", 0.0010005, "0.00100", 0.00001), /not a multiple/);
  assert.throws(() => formatOnStep("q", -1, 1), /positive/);
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 1_000_000 }),
      fc.constantFrom(1, 0.1, 0.01, 0.001, 0.00001, 0.25),
      (units, step) => {
        const v = units * step;
        assert.equal(Number(formatOnStep("v", v, step)), Number((units * step).toFixed(8)));
      },
    ),
  );
});

Deno.test("NYSE calendar: sessions in New York time, weekends and holidays closed", () => {
  const at = (iso: string) => nyseSession(Date.parse(iso));
  assert.equal(at("2024-03-05T09:29:00-05:00"), "pre");
  assert.equal(at("2024-03-05T09:30:00-05:00"), "regular");
  assert.equal(at("2024-07-03T15:59:00-04:00"), "regular");
  assert.equal(at("2024-03-05T16:00:00-05:00"), "post");
  assert.equal(at("2024-03-05T20:00:00-05:00"), "closed");
  assert.equal(at("2024-03-05T03:59:00-05:00"), "closed");
  assert.equal(at("2024-03-09T12:00:00-05:00"), "closed"); // Saturday
  assert.equal(at("2024-07-04T12:00:00-04:00"), "closed"); // Independence Day
  assert.equal(at("2024-11-28T12:00:00-05:00"), "closed"); // Thanksgiving
  assert.equal(at("2025-01-01T12:00:00-05:00"), "closed");
  // DST: 10:00 New York is 14:00 UTC in summer, 15:00 in winter.
  assert.equal(nyseSession(Date.UTC(2024, 6, 10, 14, 0)), "regular");
  assert.equal(nyseSession(Date.UTC(2024, 0, 10, 14, 0)), "pre");
});

Deno.test("ccxt errors map to venue error kinds by class", async () => {
  const ccxt = (await import("ccxt")).default as unknown as Record<
    string,
    new (m: string) => Error
  >;
  const cases: [string, VenueError["kind"], boolean][] = [
    ["RequestTimeout", "timeout", true],
    ["NetworkError", "network", true],
    ["DDoSProtection", "rate_limited", true],
    ["RateLimitExceeded", "rate_limited", true],
    ["ExchangeNotAvailable", "server", true],
    ["OnMaintenance", "server", true],
    ["InvalidOrder", "rejected", false],
    ["InsufficientFunds", "rejected", false],
    ["AuthenticationError", "auth", false],
    ["PermissionDenied", "auth", false],
    ["OrderNotFound", "not_found", false],
    ["BadSymbol", "invalid", false],
  ];
  for (const [cls, kind, retryable] of cases) {
    const e = toVenueError(
      new ccxt[cls](`binance {"code":-2010,"msg":"Why it failed."}`),
      "binance",
      "op",
    );
    assert.equal(e.kind, kind, cls);
    assert.equal(e.retryable, retryable, cls);
    assert.equal(e.message, "binance op: Why it failed. (code -2010)");
  }
  assert.equal(parseRetryAfter("7"), 7);
  assert.equal(parseRetryAfter(new Date(10_000).toUTCString(), 4_000), 6);
  assert.equal(parseRetryAfter(undefined), null);
});

const cfg = (env: Record<string, string>) => parseConfig(env);

Deno.test("select: paper by default; live only with TRADING_MODE=live and the confirmation", async () => {
  assert.equal(await selectVenue(cfg({})), null);
  const keys = { EXCHANGE_API_KEY: "k", EXCHANGE_SECRET: "s" };
  assert.equal(isLiveVenue(cfg({ VENUE: "ccxt", ...keys })), false); // sandbox by default
  const live = { VENUE: "ccxt", EXCHANGE_SANDBOX: "false", ...keys };
  assert.equal(isLiveVenue(cfg(live)), true);
  assert.throws(() => checkVenueConfig(cfg(live)), VenueConfigError);
  assert.throws(() => checkVenueConfig(cfg(live)), /LIVE_TRADING_CONFIRMED=yes/);
  checkVenueConfig(cfg({ ...live, TRADING_MODE: "live", LIVE_TRADING_CONFIRMED: "yes" }));
  const alpacaKeys = { VENUE: "alpaca", ALPACA_API_KEY: "k", ALPACA_API_SECRET: "s" };
  assert.equal(isLiveVenue(cfg(alpacaKeys)), false);
  const alpacaLive = { ...alpacaKeys, ALPACA_BASE_URL: "https://api.alpaca.markets" };
  assert.throws(() => checkVenueConfig(cfg(alpacaLive)), /real money on Alpaca/);
  assert.throws(() => checkVenueConfig(cfg({ VENUE: "ccxt" })), /EXCHANGE_API_KEY/);
  assert.throws(() => checkVenueConfig(cfg({ VENUE: "alpaca" })), /ALPACA_API_KEY/);
  assert.throws(
    () => checkVenueConfig(cfg({ VENUE: "ccxt", ...keys, SYMBOLS: "BTC/USDT,ETH/BTC" })),
    /one quote currency/,
  );
  // An exchange without a testnet in ccxt cannot be used in sandbox mode.
  await assert.rejects(
    selectVenue(cfg({ VENUE: "ccxt", EXCHANGE: "bitstamp", ...keys, SYMBOLS: "BTC/USD" })),
    /no sandbox\/testnet/,
  );
  assert.throws(() => cfg({ VENUE: "kraken" }), /VENUE/);
  assert.throws(() => cfg({ EXCHANGE_SANDBOX: "maybe" }), /EXCHANGE_SANDBOX/);
});

Deno.test("select: VENUE=ccxt builds binance on the testnet, pointed at EXCHANGE_API_URL", async () => {
  const { startBinanceStandin } = await import("../support/binance_standin.ts");
  const s = await startBinanceStandin({ balances: { USDT: "1234.5" } });
  const venue = await selectVenue(cfg({
    VENUE: "ccxt",
    EXCHANGE: "binance",
    EXCHANGE_API_KEY: s.apiKey,
    EXCHANGE_SECRET: s.secret,
    EXCHANGE_API_URL: s.origin,
  }));
  try {
    assert.ok(venue);
    assert.equal(venue.name, "ccxt:binance");
    assert.deepEqual(await venue.balances(), { cash: 1234.5, positions: [] });
    assert.equal(s.count("GET", "/api/v3/account"), 1);
  } finally {
    await venue?.close();
    await s.close();
  }
});
