// The poller against an in-memory venue with a fake clock: closed bars only, each exactly
// once, across outages, retries and restarts.
import assert from "node:assert/strict";
import fc from "fast-check";
import ccxt from "ccxt";
import {
  type Candle,
  CcxtBarPoller,
  isTransientCcxtError,
  type LiveIssue,
  type OhlcvExchange,
  type RawBar,
  RetriesExhaustedError,
} from "../../shared/data/mod.ts";

const MIN = 60_000;
const T0 = Date.UTC(2024, 0, 1, 10, 0);

class FakeVenue implements OhlcvExchange {
  readonly id = "fake";
  down = false;
  calls: { symbol: string; since?: number; limit?: number }[] = [];
  constructor(readonly clock: { now: number }, readonly missing = new Set<number>()) {}

  fetchOHLCV(symbol: string, _tf?: string, since?: number, limit = 500): Promise<Candle[]> {
    this.calls.push({ symbol, since, limit });
    if (this.down) return Promise.reject(new Error("ECONNREFUSED"));
    const out: Candle[] = [];
    // Like Binance: from since (rounded up to a bar), up to and including the forming bar.
    for (
      let t = Math.ceil((since ?? 0) / MIN) * MIN;
      t <= this.clock.now && out.length < limit;
      t += MIN
    ) {
      if (!this.missing.has(t)) out.push([t, 10, 12, 9, 11, t / MIN % 100]);
    }
    return Promise.resolve(out);
  }
}

function setup(
  clock: { now: number },
  venue: FakeVenue,
  extra: { resumeFrom?: Record<string, number> } = {},
) {
  const bars: RawBar[] = [];
  const issues: LiveIssue[] = [];
  const poller = new CcxtBarPoller({
    exchange: venue,
    symbols: ["BTC/USDT"],
    timeframe: "1m",
    now: () => clock.now,
    graceMs: 1000,
    startFrom: T0,
    pageLimit: 7,
    retry: { maxAttempts: 3, initialDelayMs: 500, maxDelayMs: 2000 },
    sleep: (ms) => {
      clock.now += ms;
      return Promise.resolve();
    },
    onBar: (bar) => {
      assert.ok(bar.time + MIN <= clock.now - 1000, "emitted before it closed");
      bars.push(bar);
    },
    onIssue: (issue) => issues.push(issue),
    ...extra,
  });
  return { poller, bars, issues };
}

Deno.test("pollOnce pages through a backlog and never emits the forming bar", async () => {
  const clock = { now: T0 + 20 * MIN + 30_000 };
  const venue = new FakeVenue(clock);
  const { poller, bars } = setup(clock, venue);
  const got = await poller.pollOnce();
  assert.deepEqual(got.map((b) => b.time), Array.from({ length: 20 }, (_, i) => T0 + i * MIN));
  assert.deepEqual(bars, got);
  assert.deepEqual(venue.calls.map((c) => c.since), [T0, T0 + 7 * MIN, T0 + 14 * MIN]);
  assert.deepEqual(poller.lastEmitted(), { "BTC/USDT": T0 + 19 * MIN });
  assert.deepEqual(await poller.pollOnce(), []);
});

Deno.test("an outage is retried with backoff, then escalated; the next poll backfills", async () => {
  const clock = { now: T0 + 3 * MIN + 5000 };
  const venue = new FakeVenue(clock);
  const { poller, bars, issues } = setup(clock, venue);
  await poller.pollOnce();
  venue.down = true;
  clock.now += 5 * MIN;
  const before = clock.now;
  await assert.rejects(poller.pollOnce(), (e: unknown) => {
    assert.ok(e instanceof RetriesExhaustedError);
    assert.equal(e.attempts, 3);
    assert.match(
      e.message,
      /fake fetchOHLCV BTC\/USDT 1m failed after 3 attempt\(s\): Error: ECONNREFUSED/,
    );
    return true;
  });
  assert.equal(clock.now - before, 500 + 1000, "backoff 500 then 1000 ms");
  assert.deepEqual(issues.map((i) => i.kind), ["retry", "retry"]);
  venue.down = false;
  await poller.pollOnce();
  const times = bars.map((b) => b.time);
  assert.deepEqual(times, Array.from({ length: 8 }, (_, i) => T0 + i * MIN));
});

Deno.test("bars the venue never had are reported as a gap, not waited for", async () => {
  const clock = { now: T0 + 6 * MIN + 5000 };
  const venue = new FakeVenue(clock, new Set([T0 + 2 * MIN, T0 + 3 * MIN]));
  const { poller, bars, issues } = setup(clock, venue);
  await poller.pollOnce();
  assert.deepEqual(bars.map((b) => (b.time - T0) / MIN), [0, 1, 4, 5]);
  assert.deepEqual(issues.map((i) => i.kind), ["gap"]);
});

Deno.test("non-transient ccxt errors are not retried", async () => {
  assert.equal(isTransientCcxtError(new ccxt.NetworkError("x")), true);
  assert.equal(isTransientCcxtError(new ccxt.RequestTimeout("x")), true);
  assert.equal(isTransientCcxtError(new ccxt.ExchangeNotAvailable("x")), true);
  assert.equal(isTransientCcxtError(new ccxt.RateLimitExceeded("x")), true);
  assert.equal(isTransientCcxtError(new ccxt.BadSymbol("x")), false);
  assert.equal(isTransientCcxtError(new ccxt.AuthenticationError("x")), false);
  assert.equal(isTransientCcxtError(new TypeError("fetch failed")), true);
  const clock = { now: T0 + 2 * MIN };
  const venue = new FakeVenue(clock);
  venue.fetchOHLCV = () =>
    Promise.reject(new ccxt.BadSymbol("binance does not have market symbol"));
  const { poller } = setup(clock, venue);
  await assert.rejects(poller.pollOnce(), /does not have market symbol/);
});

Deno.test("poller options are validated with the field named", () => {
  const venue = new FakeVenue({ now: T0 });
  const base = { exchange: venue, symbols: ["A"], timeframe: "1m", onBar: () => {} };
  assert.throws(() => new CcxtBarPoller({ ...base, symbols: [] }), /symbols is empty/);
  assert.throws(() => new CcxtBarPoller({ ...base, symbols: ["A", "A"] }), /symbols repeat/);
  assert.throws(
    () => new CcxtBarPoller({ ...base, pageLimit: 0 }),
    /pageLimit must be an integer >= 1/,
  );
  assert.throws(() => new CcxtBarPoller({ ...base, timeframe: "1x" }), /invalid timeframe '1x'/);
  assert.throws(() => new CcxtBarPoller({ ...base, resumeFrom: { B: T0 } }), /resumeFrom names B/);
  assert.throws(
    () => new CcxtBarPoller({ ...base, retry: { maxAttempts: 0 } }),
    /retry.maxAttempts/,
  );
});

Deno.test("run() sleeps until each bar closes and stops on abort", async () => {
  const clock = { now: T0 + 30_000 };
  const venue = new FakeVenue(clock);
  const controller = new AbortController();
  const wakeups: number[] = [];
  const bars: RawBar[] = [];
  const poller = new CcxtBarPoller({
    exchange: venue,
    symbols: ["BTC/USDT"],
    timeframe: "1m",
    now: () => clock.now,
    graceMs: 1000,
    initialBars: 1,
    onBar: (b) => {
      bars.push(b);
      if (bars.length === 4) controller.abort();
    },
    sleep: (ms) => {
      clock.now += ms;
      wakeups.push(clock.now);
      return Promise.resolve();
    },
  });
  await poller.run(controller.signal);
  assert.deepEqual(bars.map((b) => b.time), [T0 - MIN, T0, T0 + MIN, T0 + 2 * MIN]);
  assert.deepEqual(wakeups, [T0 + MIN + 1000, T0 + 2 * MIN + 1000, T0 + 3 * MIN + 1000]);
});

type Step = { kind: "advance"; ms: number } | { kind: "poll" } | { kind: "toggle" } | {
  kind: "restart";
};
const stepArb: fc.Arbitrary<Step> = fc.oneof(
  fc.integer({ min: 0, max: 10 * MIN }).map((ms) => ({ kind: "advance" as const, ms })),
  fc.constant({ kind: "poll" as const }),
  fc.constant({ kind: "toggle" as const }),
  fc.constant({ kind: "restart" as const }),
);

Deno.test("property: across outages and restarts every closed bar is emitted exactly once, in order", async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(stepArb, { maxLength: 30 }), async (steps) => {
      const clock = { now: T0 + 1000 };
      const venue = new FakeVenue(clock);
      const emitted: RawBar[] = [];
      let current = setup(clock, venue);
      const collect = () => {
        emitted.push(...current.bars.splice(0));
      };
      for (const step of steps) {
        if (step.kind === "advance") clock.now += step.ms;
        else if (step.kind === "toggle") venue.down = !venue.down;
        else if (step.kind === "restart") {
          collect();
          current = setup(clock, venue, { resumeFrom: current.poller.lastEmitted() });
        } else {await current.poller.pollOnce().catch((e) =>
            assert.ok(e instanceof RetriesExhaustedError)
          );}
      }
      venue.down = false;
      await current.poller.pollOnce();
      collect();
      const closedUpTo = Math.floor((clock.now - 1000) / MIN) * MIN - MIN; // last closed open time
      const expected = [];
      for (let t = T0; t <= closedUpTo; t += MIN) expected.push(t);
      assert.deepEqual(emitted.map((b) => b.time), expected);
    }),
    { numRuns: 150 },
  );
});
