// The actor shell hands a core with `stepBatch` the whole read at once and publishes the same
// outputs, in the same order with the same ids, as stepping one message at a time; when the
// batch step fails it falls back to one at a time, so a bad message is isolated as before.
import assert from "node:assert/strict";
import { Actor } from "../../agents/runtime/actor.ts";
import type { AsyncAgentCore, BatchStep, Output } from "../../agents/runtime/core.ts";
import { MemoryBus } from "../../shared/bus/memory.ts";
import {
  type AnyEnvelope,
  barId,
  decode,
  encode,
  makeEnvelope,
  messageId,
  STREAMS,
} from "../../shared/messages/mod.ts";
import { memoryLogger, waitFor } from "./supervisor_fakes.ts";

const H = 3_600_000;
const T0 = 1_700_000_000_000;

interface SumState {
  last: Record<string, number>;
  total: number;
}

/** Sums the closes it has seen; one alert per new bar; throws on symbol "BAD". */
function sumOne(state: SumState, msg: AnyEnvelope): Output[] {
  if (msg.type !== "bar") throw new Error(`not a bar: ${msg.type}`);
  const b = msg.data;
  if (b.symbol === "BAD") {
    state.total += 1000; // changed in place before throwing: the shell must discard it
    throw new Error(`boom on ${msg.id}`);
  }
  if ((state.last[b.symbol] ?? -Infinity) >= b.time) return [];
  state.last[b.symbol] = b.time;
  state.total += b.close;
  return [{
    stream: STREAMS.alerts,
    msg: makeEnvelope("alert", {
      id: messageId("trend", "alert", msg.id),
      producer: "trend",
      time: msg.time,
      corr: msg.corr,
    }, { severity: "info", code: "sum", message: msg.id, details: { total: state.total } }),
  }];
}

function sumCore(opts: { batched: boolean; calls: number[] }): AsyncAgentCore<SumState> {
  const core: AsyncAgentCore<SumState> = {
    name: "trend",
    inputs: [STREAMS.bars],
    init: () => ({ last: {}, total: 0 }),
    step: (state, msg) => Promise.resolve({ state, out: sumOne(state, msg) }),
    snapshot: (state) => state,
    restore: (snap) => structuredClone(snap as SumState),
  };
  if (!opts.batched) return core;
  core.stepBatch = (state, msgs): Promise<BatchStep<SumState>> => {
    opts.calls.push(msgs.length);
    return Promise.resolve({ state, out: msgs.map((m) => sumOne(state, m)) });
  };
  return core;
}

function bar(i: number, symbol: string): AnyEnvelope {
  const time = T0 + i * H;
  return makeEnvelope("bar", {
    id: messageId("feed", "bar", `${symbol}:${time}`),
    producer: "feed",
    time,
    corr: barId(symbol, time),
  }, {
    symbol,
    timeframe: "1h",
    time,
    open: 100,
    high: 110 + i,
    low: 99,
    close: 100 + i,
    volume: 1,
    seq: i,
  });
}

/** Publishes `msgs`, runs the core until `expect` alerts are out, returns them and the actor. */
async function run(core: AsyncAgentCore<SumState>, msgs: AnyEnvelope[], expect: number) {
  const bus = new MemoryBus({ namespace: "batched-actor-test", maxLen: 10_000 });
  for (const m of msgs) await bus.publish(STREAMS.bars, encode(m, STREAMS.bars));
  const ctrl = new AbortController();
  const log = memoryLogger();
  const actor = new Actor<SumState>({
    core,
    bus,
    group: "trend",
    consumer: "trend-1",
    incarnation: 0,
    log,
    signal: ctrl.signal,
    maxDeliveries: 2,
    claimIdleMs: 10,
    blockMs: 10,
  });
  const done = actor.run();
  try {
    const alerts = async () =>
      (await bus.range(STREAMS.alerts)).map((e) => {
        const r = decode(e.raw, STREAMS.alerts);
        assert.ok(r.ok && r.msg.type === "alert");
        return { id: r.msg.id, total: (r.msg.data.details as { total: number }).total };
      });
    await waitFor(async () => (await alerts()).length >= expect, `${expect} alerts`, 5_000);
    await waitFor(async () => (await bus.pending(STREAMS.bars, "trend")).length === 0, "acks");
    return { alerts: await alerts(), status: actor.status(), log, bus };
  } finally {
    ctrl.abort();
    await done;
    await bus.close();
  }
}

const SYMBOLS = ["AAA", "BBB", "CCC", "DDD"];
const clockSteps = (n: number) =>
  Array.from({ length: n }, (_, i) => SYMBOLS.map((s) => bar(i, s))).flat();

Deno.test("actor: a stepBatch core gets the read in one call and publishes what step would", async () => {
  const msgs = clockSteps(5);
  const calls: number[] = [];
  const one = await run(sumCore({ batched: false, calls }), msgs, msgs.length);
  const batched = await run(sumCore({ batched: true, calls }), msgs, msgs.length);
  assert.deepEqual(calls, [msgs.length], "one stepBatch call over the 20 waiting bars");
  assert.deepEqual(batched.alerts, one.alerts);
  assert.deepEqual(
    batched.alerts.map((a) => a.id),
    msgs.map((m) => messageId("trend", "alert", m.id)),
  );
  assert.equal(batched.alerts.at(-1)!.total, SYMBOLS.length * (100 + 101 + 102 + 103 + 104));
  assert.equal(batched.status.processed, msgs.length);
  assert.deepEqual(batched.status.lastInput, { id: msgs.at(-1)!.id, type: "bar" });
});

Deno.test("actor: a failing stepBatch falls back to one at a time; only the bad bar fails", async () => {
  const good = clockSteps(3);
  const msgs = [...good.slice(0, 5), bar(9, "BAD"), ...good.slice(5)];
  const calls: number[] = [];
  const r = await run(sumCore({ batched: true, calls }), msgs, good.length);
  assert.equal(calls[0], msgs.length);
  // The in-place change before the throw is discarded: totals are those of the good bars.
  assert.deepEqual(r.alerts.map((a) => a.id), good.map((m) => messageId("trend", "alert", m.id)));
  assert.equal(r.alerts.at(-1)!.total, SYMBOLS.length * (100 + 101 + 102));
  assert.ok(r.status.failures >= 1);
  assert.ok(r.log.lines.some((l) => l.msg === "batch step failed; stepping one message at a time"));
  assert.ok(r.log.lines.some((l) => l.msg === "message failed; left pending for redelivery"));
});

Deno.test("actor: a stepBatch answer with the wrong number of output lists is not trusted", async () => {
  const msgs = clockSteps(2);
  const core = sumCore({ batched: false, calls: [] });
  core.stepBatch = (state, batch) => {
    for (const m of batch) sumOne(state, m);
    return Promise.resolve({ state, out: [] });
  };
  const r = await run(core, msgs, msgs.length);
  assert.deepEqual(r.alerts.map((a) => a.id), msgs.map((m) => messageId("trend", "alert", m.id)));
  assert.equal(r.alerts.at(-1)!.total, SYMBOLS.length * (100 + 101));
  assert.ok(
    r.log.lines.some((l) =>
      l.msg === "batch step failed; stepping one message at a time" &&
      /gave 0 output lists for 8/.test(String(l.fields?.error))
    ),
  );
});
