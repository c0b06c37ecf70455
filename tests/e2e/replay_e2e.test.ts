// The spine end to end: real data from ../shared/data through every agent, real Redis and
// PostgreSQL, and results anyone can recompute from the fills and the data.
import assert from "node:assert/strict";
import { loadBarFile } from "../../shared/data/mod.ts";
import {
  cleanup,
  csvHead,
  pgCount,
  runReplay,
  SHARED_DATA,
  type Summary,
  uniqueName,
} from "./replay_helpers.ts";

const BTC = `${SHARED_DATA}crypto_daily/BTCUSD_1d.csv`;
const FEE_BPS = 10;
const SLIPPAGE_BPS = 5;
const INITIAL_CASH = 10_000;

const SUMMARY_KEYS = [
  "bars",
  "trades",
  "fees",
  "initial_equity",
  "final_equity",
  "total_return",
  "buy_hold_return",
  "max_drawdown",
  "sharpe",
  "sortino",
  "calmar",
  "win_rate",
  "profit_factor",
  "exposure",
  "fills",
  "equity_curve",
];

/** Replays the fills against the data: cash, positions, fees and the final equity. */
function recompute(
  summary: Summary,
  bars: Map<number, { open: number; low: number; close: number }>,
) {
  let cash = INITIAL_CASH;
  let qty = 0;
  let fees = 0;
  for (const f of summary.fills) {
    const bar = bars.get(f.time);
    assert.ok(bar, `fill at ${new Date(f.time).toISOString()} has no bar in the data`);
    // Market orders fill at the open of the bar after the decision, plus slippage; a
    // protective stop (a sell) at its stop inside the bar, or at the open if the bar gapped
    // through it: either way at a price between the bar's low and its open.
    const slip = f.side === "buy" ? 1 + SLIPPAGE_BPS / 1e4 : 1 - SLIPPAGE_BPS / 1e4;
    const base = f.price / slip;
    if (f.side === "buy") assert.ok(Math.abs(base / bar.open - 1) < 1e-12, `buy at ${f.price}`);
    else {
      assert.ok(
        base >= bar.low * (1 - 1e-12) && base <= bar.open * (1 + 1e-12),
        `sell at ${f.price}`,
      );
    }
    assert.ok(Math.abs(f.fee - f.quantity * f.price * FEE_BPS / 1e4) < 1e-9, `fee ${f.fee}`);
    cash += f.side === "buy" ? -(f.quantity * f.price + f.fee) : f.quantity * f.price - f.fee;
    qty += f.side === "buy" ? f.quantity : -f.quantity;
    fees += f.fee;
    assert.ok(cash >= -1e-9, "cash never negative");
    assert.ok(qty >= -1e-12, "position never negative");
  }
  return { cash, qty, fees };
}

/** The trading states the risk events walk through from ACTIVE, each move from the last. */
function tradingStates(events: Summary["risk_events"]): string[] {
  const states = ["ACTIVE"];
  for (const e of events) {
    const move = /^trading state (\w+) -> (\w+) /.exec(e.message);
    if (move === null) continue; // "<code>: trading state stays <state>"
    assert.equal(move[1], states.at(-1), `${e.code}: ${e.message}`);
    states.push(move[2]);
  }
  return states;
}

Deno.test({
  name: "e2e: BTCUSD daily replay through every agent on Redis + PostgreSQL, recomputable",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const name = uniqueName("e2e_btc");
    try {
      // Loss halts off, so the run keeps trading to the end and there are fills to check.
      const run = await runReplay(name, {
        replay: [BTC],
        redis: true,
        postgres: true,
        env: { RISK_MAX_DRAWDOWN: "1", RISK_DAILY_LOSS_LIMIT: "1" },
      });
      assert.equal(run.code, 0, run.stderr.slice(-3000));
      assert.match(run.stdout, /Buy & Hold Return/);
      assert.match(run.stderr, /"bus":"redis"/);
      assert.match(run.stderr, /"db":"postgres"/);
      const s = run.summary!;
      for (const k of SUMMARY_KEYS) assert.ok(k in s, `summary lacks ${k}`);

      const series = await loadBarFile(BTC);
      const bars = new Map(series.bars.map((b) => [b.time, b]));
      assert.equal(s.bars, series.bars.length);
      assert.equal(s.equity_curve.length, series.bars.length);
      assert.ok(s.fills.length > 40, `only ${s.fills.length} fills`);
      // Breakers may reduce (a volatility spike) and clear, but with the loss halts off
      // trading never halts; the events are bar-stamped, in order, inside the data.
      assert.ok(!tradingStates(s.risk_events).includes("HALTED"), "trading halted");
      s.risk_events.forEach((e, i) => {
        assert.ok(e.time >= s.first_time && e.time <= s.last_time, `${e.code} at ${e.time}`);
        if (i > 0) assert.ok(e.time >= s.risk_events[i - 1].time, `${e.code} out of order`);
      });

      const { cash, qty, fees } = recompute(s, bars);
      const lastClose = series.bars[series.bars.length - 1].close;
      const finalEquity = cash + qty * lastClose;
      assert.ok(
        Math.abs(finalEquity / s.final_equity - 1) < 1e-9,
        `${finalEquity} vs ${s.final_equity}`,
      );
      assert.ok(Math.abs(fees - s.fees) < 1e-6);
      assert.equal(s.equity_curve[s.equity_curve.length - 1][1], s.final_equity);
      assert.ok(Math.abs(s.total_return - (s.final_equity / INITIAL_CASH - 1)) < 1e-12);
      const bh = lastClose / series.bars[0].close - 1;
      assert.ok(Math.abs(s.buy_hold_return! - bh) < 1e-12);
      assert.ok(s.max_drawdown <= 0 && s.max_drawdown >= -1);

      // Every agent left its trace in PostgreSQL: three views and one decision per bar.
      assert.equal(await pgCount(name, "signals"), 3 * series.bars.length);
      assert.equal(await pgCount(name, "decisions"), series.bars.length);
      assert.equal(await pgCount(name, "fills"), s.fills.length);
      assert.equal(await pgCount(name, "equity_snapshots"), series.bars.length);
    } finally {
      await cleanup(name);
    }
  },
});

async function crashRun(fault: string | null, extraEnv: Record<string, string>, data: string) {
  const name = uniqueName("e2e_fault");
  try {
    const run = await runReplay(name, {
      replay: [data],
      redis: true,
      args: fault ? ["--fault", fault] : [],
      env: extraEnv,
    });
    assert.equal(run.code, 0, run.stderr.slice(-3000));
    return run;
  } finally {
    await cleanup(name);
  }
}

Deno.test({
  name:
    "e2e: an agent crashed or hung mid-replay is restarted and the orders and fills are unchanged",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const data = await csvHead(BTC, 700, "BTCUSD_1d.csv");
    const env = {
      HANG_TIMEOUT_MS: "3000",
      CLAIM_IDLE_MS: "1000",
      RESTART_MAX: "20",
      RISK_MAX_DRAWDOWN: "1",
      RISK_DAILY_LOSS_LIMIT: "1",
    };
    const clean = await crashRun(null, env, data);
    const crashed = await crashRun("trend:crash@150", env, data);
    const hung = await crashRun("executor:hang@200", env, data);
    const metaCrash = await crashRun("meta:crash@300", env, data);

    assert.match(crashed.stderr, /injected crash/);
    assert.match(crashed.stderr, /"child":"trend"[^\n]*restarting|restarting[^\n]*"child":"trend"/);
    assert.match(hung.stderr, /child hung; terminating","child":"executor"/);
    assert.match(metaCrash.stderr, /restarting[^\n]*"child":"meta"|"child":"meta"[^\n]*restarting/);
    const base = clean.summary!;
    assert.ok(base.fills.length > 5);
    for (const run of [crashed, hung, metaCrash]) {
      assert.deepEqual(run.summary!.fills, base.fills);
      assert.deepEqual(run.summary!.equity_curve, base.equity_curve);
      assert.deepEqual(run.summary!.risk_events, base.risk_events);
    }
    assert.ok(!tradingStates(base.risk_events).includes("HALTED"), "trading halted");
  },
});

Deno.test({
  name: "e2e: without Redis the same replay runs on the in-process bus and says so",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const data = await csvHead(BTC, 400, "BTCUSD_1d.csv");
    const name = uniqueName("e2e_mem");
    const memory = await runReplay(name, { replay: [data], redis: false });
    assert.equal(memory.code, 0, memory.stderr.slice(-3000));
    assert.match(memory.stderr, /IN-PROCESS BUS: REDIS_URL is not set/);
    const viaRedis = await crashRun(null, {}, data);
    assert.deepEqual(memory.summary!.fills, viaRedis.summary!.fills);
    assert.deepEqual(memory.summary!.equity_curve, viaRedis.summary!.equity_curve);
    assert.deepEqual(memory.summary!.risk_events, viaRedis.summary!.risk_events);
  },
});
