// The real ccxt binance client against a stand-in server on 127.0.0.1 that speaks Binance's
// REST wire format (GET /api/v3/klines, /api/v3/exchangeInfo, /api/v3/time). The server
// and the poller share one fake clock, so "closed" is deterministic.
import assert from "node:assert/strict";
import type { Exchange } from "ccxt";
import {
  CcxtBarPoller,
  createCcxtExchange,
  type LiveIssue,
  probeExchange,
  type RawBar,
  RetriesExhaustedError,
} from "../../shared/data/mod.ts";

const MIN = 60_000;
const T0 = Date.UTC(2024, 0, 1, 10, 0);
const BASE_PRICE: Record<string, number> = { BTCUSDT: 42_000, ETHUSDT: 2_300 };

/** Deterministic 1m candle of a market at an open time, as Binance's 12-field array. */
function kline(id: string, open: number): (number | string)[] {
  const i = open / MIN;
  const o = BASE_PRICE[id] + (i % 97);
  const c = o + ((i * 7) % 11) - 5;
  const fmt = (x: number) => x.toFixed(8);
  return [
    open,
    fmt(o),
    fmt(Math.max(o, c) + 1.5),
    fmt(Math.min(o, c) - 1.5),
    fmt(c),
    fmt(1 + (i % 13) / 4),
    open + MIN - 1,
    fmt(100),
    42,
    fmt(0.5),
    fmt(50),
    "0",
  ];
}

function symbolInfo(base: string, quote: string) {
  return {
    symbol: base + quote,
    status: "TRADING",
    baseAsset: base,
    baseAssetPrecision: 8,
    quoteAsset: quote,
    quotePrecision: 8,
    quoteAssetPrecision: 8,
    orderTypes: ["LIMIT", "LIMIT_MAKER", "MARKET"],
    icebergAllowed: true,
    ocoAllowed: true,
    isSpotTradingAllowed: true,
    isMarginTradingAllowed: false,
    filters: [
      {
        filterType: "PRICE_FILTER",
        minPrice: "0.01000000",
        maxPrice: "1000000.00000000",
        tickSize: "0.01000000",
      },
      {
        filterType: "LOT_SIZE",
        minQty: "0.00001000",
        maxQty: "9000.00000000",
        stepSize: "0.00001000",
      },
    ],
    permissions: [],
    permissionSets: [["SPOT"]],
  };
}

interface FakeBinance {
  readonly origin: string;
  readonly requests: URL[];
  down: boolean;
  close(): Promise<void>;
}

function startFakeBinance(clock: { now: number }): FakeBinance {
  const requests: URL[] = [];
  const state = { down: false };
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
    const url = new URL(req.url);
    requests.push(url);
    if (state.down) return new Response("<html>503 Service Unavailable</html>", { status: 503 });
    switch (url.pathname) {
      case "/api/v3/time":
        return Response.json({ serverTime: clock.now });
      case "/api/v3/exchangeInfo":
        return Response.json({
          timezone: "UTC",
          serverTime: clock.now,
          rateLimits: [],
          exchangeFilters: [],
          symbols: [symbolInfo("BTC", "USDT"), symbolInfo("ETH", "USDT")],
        });
      case "/api/v3/klines": {
        const id = url.searchParams.get("symbol") ?? "";
        if (!(id in BASE_PRICE)) {
          return Response.json({ code: -1121, msg: "Invalid symbol." }, { status: 400 });
        }
        if (url.searchParams.get("interval") !== "1m") {
          return Response.json({ code: -1120, msg: "Invalid interval." }, { status: 400 });
        }
        const limit = Math.min(Number(url.searchParams.get("limit") ?? 500), 1000);
        const start = Number(url.searchParams.get("startTime") ?? clock.now - limit * MIN);
        const rows = [];
        // Up to and including the still-forming candle, as Binance does.
        for (
          let t = Math.ceil(start / MIN) * MIN;
          t <= clock.now && rows.length < limit;
          t += MIN
        ) {
          rows.push(kline(id, t));
        }
        return Response.json(rows);
      }
      default:
        return Response.json({ code: -1, msg: `no route ${url.pathname}` }, { status: 404 });
    }
  });
  return {
    origin: `http://127.0.0.1:${server.addr.port}`,
    requests,
    get down() {
      return state.down;
    },
    set down(v: boolean) {
      state.down = v;
    },
    close: () => server.shutdown(),
  };
}

const binanceAt = (origin: string, timeoutMs = 5000): Promise<Exchange> =>
  createCcxtExchange("binance", {
    apiOrigin: origin,
    enableRateLimit: false,
    timeoutMs,
    // Spot only: the stand-in serves no futures endpoints; no key, so no private calls.
    options: { fetchMarkets: { types: ["spot"] }, fetchMargins: false, fetchCurrencies: false },
  });

function poller(
  exchange: Exchange,
  clock: { now: number },
  extra: { resumeFrom?: Record<string, number> } = {},
) {
  const bars: RawBar[] = [];
  const issues: LiveIssue[] = [];
  const p = new CcxtBarPoller({
    exchange,
    symbols: ["BTC/USDT", "ETH/USDT"],
    timeframe: "1m",
    now: () => clock.now,
    graceMs: 2000,
    startFrom: T0,
    pageLimit: 4,
    retry: { maxAttempts: 2, initialDelayMs: 100 },
    sleep: (ms) => {
      clock.now += ms;
      return Promise.resolve();
    },
    onBar: (bar) => {
      bars.push(bar);
    },
    onIssue: (issue) => issues.push(issue),
    ...extra,
  });
  return { p, bars, issues };
}

const expectedBar = (symbol: string, id: string, time: number): RawBar => {
  const k = kline(id, time);
  return {
    symbol,
    timeframe: "1m",
    time,
    open: Number(k[1]),
    high: Number(k[2]),
    low: Number(k[3]),
    close: Number(k[4]),
    volume: Number(k[5]),
  };
};

Deno.test("ccxt binance via the stand-in: only closed bars, each once, values as served", async () => {
  const clock = { now: T0 + 5 * MIN + 30_000 };
  const fake = startFakeBinance(clock);
  try {
    const exchange = await binanceAt(fake.origin);
    assert.deepEqual(await probeExchange(exchange, 2000, ["BTC/USDT", "ETH/USDT"]), {
      marketCount: 2,
    });
    const { p, bars, issues } = poller(exchange, clock);
    await p.pollOnce();
    // 10:00..10:04 closed; 10:05 is forming and was served but not emitted.
    const want = (symbol: string, id: string, n: number, from = 0) =>
      Array.from({ length: n }, (_, i) => expectedBar(symbol, id, T0 + (from + i) * MIN));
    assert.deepEqual(bars.filter((b) => b.symbol === "BTC/USDT"), want("BTC/USDT", "BTCUSDT", 5));
    assert.deepEqual(bars.filter((b) => b.symbol === "ETH/USDT"), want("ETH/USDT", "ETHUSDT", 5));
    assert.deepEqual(issues, []);
    const klines = fake.requests.filter((u) => u.pathname === "/api/v3/klines");
    assert.deepEqual(
      klines.map((u) => [u.searchParams.get("symbol"), Number(u.searchParams.get("startTime"))]),
      [["BTCUSDT", T0], ["BTCUSDT", T0 + 4 * MIN], ["ETHUSDT", T0], ["ETHUSDT", T0 + 4 * MIN]],
    );

    // 10:05 closes at 10:06:00; within the 2 s grace it is still not emitted.
    clock.now = T0 + 6 * MIN + 1000;
    assert.deepEqual(await p.pollOnce(), []);
    clock.now = T0 + 6 * MIN + 2000;
    assert.deepEqual((await p.pollOnce()).map((b) => [b.symbol, b.time]), [
      ["BTC/USDT", T0 + 5 * MIN],
      ["ETH/USDT", T0 + 5 * MIN],
    ]);
  } finally {
    await fake.close();
  }
});

Deno.test("after an outage a restarted poller backfills the gap without duplicates", async () => {
  const clock = { now: T0 + 3 * MIN + 10_000 };
  const fake = startFakeBinance(clock);
  try {
    const exchange = await binanceAt(fake.origin);
    const first = poller(exchange, clock);
    await first.p.pollOnce();
    assert.equal(first.bars.length, 6);

    fake.down = true;
    clock.now += 11 * MIN;
    await assert.rejects(first.p.pollOnce(), (e: unknown) => {
      assert.ok(e instanceof RetriesExhaustedError, String(e));
      assert.match(e.message, /binance fetchOHLCV BTC\/USDT 1m failed after 2 attempt\(s\)/);
      assert.match(e.message, /ExchangeNotAvailable|503/);
      return true;
    });
    assert.deepEqual(first.issues.map((i) => i.kind), ["retry"]);
    assert.equal(first.bars.length, 6, "nothing emitted during the outage");

    // The supervisor restarts the source with what was delivered so far.
    fake.down = false;
    const resumeFrom = first.p.lastEmitted();
    assert.deepEqual(resumeFrom, { "BTC/USDT": T0 + 2 * MIN, "ETH/USDT": T0 + 2 * MIN });
    const second = poller(await binanceAt(fake.origin), clock, { resumeFrom });
    await second.p.pollOnce();
    const lastClosed = Math.floor((clock.now - 2000) / MIN) * MIN - MIN;
    for (const [symbol, id] of [["BTC/USDT", "BTCUSDT"], ["ETH/USDT", "ETHUSDT"]]) {
      const all = [...first.bars, ...second.bars].filter((b) => b.symbol === symbol);
      const times = all.map((b) => b.time);
      const expected = [];
      for (let t = T0; t <= lastClosed; t += MIN) expected.push(t);
      assert.deepEqual(times, expected, `${symbol} continuous, no repeats`);
      assert.deepEqual(all, expected.map((t) => expectedBar(symbol, id, t)));
    }
    assert.equal(
      Number(
        fake.requests.filter((u) => u.pathname === "/api/v3/klines").at(-1)!.searchParams.get(
          "startTime",
        ),
      ) >
        T0 + 3 * MIN,
      true,
    );
  } finally {
    await fake.close();
  }
});

Deno.test("an unreachable exchange fails fast, naming --replay", async () => {
  // A port that was just open and is now closed: connection refused.
  const fake = startFakeBinance({ now: T0 });
  const origin = fake.origin;
  await fake.close();
  const exchange = await binanceAt(origin);
  const started = performance.now();
  await assert.rejects(probeExchange(exchange, 3000), (e: Error) => {
    assert.match(e.message, /cannot reach binance/);
    assert.match(e.message, /--replay/);
    return true;
  });
  assert.ok(performance.now() - started < 3000);
});

Deno.test("a host that never answers fails at the probe timeout, naming --replay", async () => {
  let release = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async () => {
    await held;
    return new Response("late", { status: 503 });
  });
  try {
    const exchange = await binanceAt(`http://127.0.0.1:${server.addr.port}`);
    const started = performance.now();
    await assert.rejects(
      probeExchange(exchange, 300),
      /cannot reach binance \(loadMarkets: Error: no answer within 300 ms\).*--replay/s,
    );
    const waited = performance.now() - started;
    assert.ok(waited >= 290 && waited < 2000, `waited ${waited} ms`);
  } finally {
    release();
    await server.shutdown();
  }
});

Deno.test("the probe names markets the exchange does not list", async () => {
  const fake = startFakeBinance({ now: T0 });
  try {
    const exchange = await binanceAt(fake.origin);
    await assert.rejects(
      probeExchange(exchange, 2000, ["BTC/USDT", "DOGE/USDT"]),
      /binance does not list DOGE\/USDT/,
    );
    await assert.rejects(probeExchange(exchange, 0), /timeoutMs must be a positive number/);
  } finally {
    await fake.close();
  }
});
