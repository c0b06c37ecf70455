// The actor shell around a tiny counting core, on the in-process bus: validation and
// dead-letters, failures left pending then dead-lettered, publish-then-ack, and recovery
// after a restart from a snapshot or from the acknowledged history.
import assert from "node:assert/strict";
import {
  acknowledgedHistory,
  Actor,
  type ActorOptions,
  compareEntryIds,
  heartbeatMessage,
  InjectedCrash,
  snapshotKey,
} from "../../agents/runtime/actor.ts";
import type { AgentCore } from "../../agents/runtime/core.ts";
import { MemoryBus } from "../../shared/bus/memory.ts";
import type { Commit } from "../../shared/bus/types.ts";
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
const GROUP = "trend";
const CONSUMER = "trend-1";

interface CountState {
  seen: string[];
  count: number;
}

/**
 * Counts the bars it has seen and emits one alert per new bar. A bar it has seen (a
 * redelivery) produces nothing. Bars of symbol "BAD" make it throw, after it has changed
 * its state in place, as a careless core might.
 */
function countingCore(withSnapshot: boolean): AgentCore<CountState> {
  const core: AgentCore<CountState> = {
    name: "trend",
    inputs: [STREAMS.bars],
    init: () => ({ seen: [], count: 0 }),
    step(state, msg) {
      if (msg.type !== "bar") return { state, out: [] };
      if (msg.data.symbol === "BAD") {
        state.count += 100;
        throw new Error(`boom on ${msg.id}`);
      }
      if (state.seen.includes(msg.id)) return { state, out: [] };
      state.seen.push(msg.id);
      state.count++;
      const alert = makeEnvelope("alert", {
        id: messageId("trend", "alert", msg.id),
        producer: "trend",
        time: msg.time,
        corr: msg.corr,
      }, {
        severity: "info",
        code: "bar_seen",
        message: `bar ${msg.id}`,
        details: { count: state.count, bar: msg.id },
      });
      return { state, out: [{ stream: STREAMS.alerts, msg: alert }] };
    },
    describe: (state) => ({ count: state.count }),
  };
  if (!withSnapshot) return core;
  return {
    ...core,
    snapshot: (state) => ({ seen: state.seen, count: state.count }),
    restore: (snap) => {
      const s = snap as CountState;
      assert.ok(Array.isArray(s.seen) && typeof s.count === "number", "bad snapshot");
      return { seen: [...s.seen], count: s.count };
    },
  };
}

function bar(i: number, symbol = "BTC/USDT"): AnyEnvelope {
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
    high: 101,
    low: 99,
    close: 100.5,
    volume: 1,
    seq: i,
  });
}

const publishBar = (bus: MemoryBus, msg: AnyEnvelope) =>
  bus.publish(STREAMS.bars, encode(msg, STREAMS.bars));

/**
 * A bus whose commit can be made to fail: a crash after the message was stepped (and, for
 * the ledger, after its database effect) but before outputs, snapshot and ack landed.
 */
class AckFailBus extends MemoryBus {
  failAcks = false;
  override commit(c: Commit): Promise<void> {
    if (this.failAcks) return Promise.reject(new Error("crashed before the ack"));
    return super.commit(c);
  }
}

const newBus = () => new AckFailBus({ namespace: "actor-test", maxLen: 10_000 });

function startActor(
  bus: MemoryBus,
  core: AgentCore<CountState>,
  extra: Partial<ActorOptions<CountState>> = {},
) {
  const ctrl = new AbortController();
  const log = memoryLogger();
  const actor = new Actor<CountState>({
    core,
    bus,
    group: GROUP,
    consumer: CONSUMER,
    incarnation: 0,
    log,
    signal: ctrl.signal,
    maxDeliveries: 3,
    claimIdleMs: 10,
    blockMs: 10,
    ...extra,
  });
  const done = actor.run();
  return {
    actor,
    log,
    done,
    async stop() {
      ctrl.abort();
      await done;
    },
  };
}

/** Alert payload details published so far, in stream order. */
async function alerts(bus: MemoryBus): Promise<{ id: string; count: number; bar: string }[]> {
  const entries = await bus.range(STREAMS.alerts);
  return entries.map((e) => {
    const r = decode(e.raw, STREAMS.alerts);
    assert.ok(r.ok && r.msg.type === "alert", `bad output ${e.raw}`);
    const d = r.msg.data.details as { count: number; bar: string };
    return { id: r.msg.id, count: d.count, bar: d.bar };
  });
}

async function deadLetters(bus: MemoryBus) {
  return (await bus.range(STREAMS.deadLetter)).map((e) => {
    const r = decode(e.raw, STREAMS.deadLetter);
    assert.ok(r.ok && r.msg.type === "dead_letter", `bad dead letter ${e.raw}`);
    return r.msg.data;
  });
}

const pendingOf = (bus: MemoryBus) => bus.pending(STREAMS.bars, GROUP);

Deno.test("outputs are published and inputs acknowledged; the snapshot is saved under state:<group>", async () => {
  const bus = newBus();
  const bars = [bar(0), bar(1), bar(2)];
  for (const b of bars) await publishBar(bus, b);
  const run = startActor(bus, countingCore(true));
  try {
    await waitFor(async () => (await alerts(bus)).length === 3, "three alerts");
    await waitFor(() => run.actor.status().processed === 3, "three processed");
    assert.deepEqual(await alerts(bus), [
      { id: messageId("trend", "alert", bars[0].id), count: 1, bar: bars[0].id },
      { id: messageId("trend", "alert", bars[1].id), count: 2, bar: bars[1].id },
      { id: messageId("trend", "alert", bars[2].id), count: 3, bar: bars[2].id },
    ]);
    assert.deepEqual(await pendingOf(bus), []);
    const info = await bus.info(STREAMS.bars);
    assert.equal(info.groups[0].pending, 0);
    assert.equal(info.groups[0].lag, 0);
    const saved = await bus.kvGet(snapshotKey(GROUP));
    assert.equal(snapshotKey(GROUP), "state:trend");
    assert.deepEqual(JSON.parse(saved ?? "null"), { seen: bars.map((b) => b.id), count: 3 });
    const status = run.actor.status();
    assert.equal(status.failures, 0);
    assert.equal(status.deadLettered, 0);
    assert.deepEqual(status.lastInput, { id: bars[2].id, type: "bar" });
    assert.deepEqual(run.actor.describe(), { count: 3 });
  } finally {
    await run.stop();
    await bus.close();
  }
});

Deno.test("invalid messages are dead-lettered with the reason and the actor keeps going", async () => {
  const bus = newBus();
  const wrongType = encode(
    heartbeatMessage("trend", 0, {
      processed: 0,
      inFlightMs: 0,
      deadLettered: 0,
      failures: 0,
      lastInput: null,
      lastOutputs: [],
    }, T0),
  );
  const badBar = JSON.parse(encode(bar(1)));
  badBar.data.high = 1; // below the low
  const raws = ["{not json", wrongType, JSON.stringify(badBar)];
  const ids: string[] = [];
  for (const raw of raws) ids.push(await bus.publish(STREAMS.bars, raw));
  await publishBar(bus, bar(2));
  const run = startActor(bus, countingCore(true));
  try {
    await waitFor(async () => (await alerts(bus)).length === 1, "the valid bar's alert");
    await waitFor(async () => (await pendingOf(bus)).length === 0, "nothing pending");
    const dead = await deadLetters(bus);
    assert.deepEqual(dead.map((d) => d.entryId), ids);
    assert.deepEqual(dead.map((d) => d.raw), raws);
    for (const d of dead) {
      assert.equal(d.stream, STREAMS.bars);
      assert.equal(d.group, GROUP);
      assert.equal(d.deliveries, 1);
    }
    assert.match(dead[0].error, /^not JSON/);
    assert.match(dead[1].error, /'heartbeat' is not allowed on stream 'md\.bars'/);
    assert.match(dead[2].error, /^invalid bar payload: .*high\/low/);
    assert.equal(run.actor.status().deadLettered, 3);
    assert.equal((await alerts(bus))[0].count, 1);
  } finally {
    await run.stop();
    await bus.close();
  }
});

Deno.test("a message the core throws on stays pending, then is dead-lettered after MAX_DELIVERIES", async () => {
  const bus = newBus();
  const badId = await publishBar(bus, bar(0, "BAD"));
  await publishBar(bus, bar(1));
  const run = startActor(bus, countingCore(true), { maxDeliveries: 2 });
  try {
    await waitFor(() => run.actor.status().failures >= 1, "the first failure");
    const pending = await pendingOf(bus);
    assert.equal(pending.length, 1, "the failed message must stay pending");
    assert.equal(pending[0].entryId, badId);
    // The next message is processed meanwhile, from the state before the failed one (the
    // core's in-place change before throwing is discarded).
    await waitFor(async () => (await alerts(bus)).length === 1, "the good bar's alert");
    assert.equal((await alerts(bus))[0].count, 1);
    await waitFor(async () => (await deadLetters(bus)).length === 1, "the dead letter", 5_000);
    const [dead] = await deadLetters(bus);
    assert.equal(dead.entryId, badId);
    assert.equal(dead.deliveries, 3);
    assert.match(dead.error, /^exceeded 2 deliveries; last error: Error: boom on /);
    assert.deepEqual(await pendingOf(bus), []);
    assert.equal(run.actor.status().failures, 2);
    assert.equal((await alerts(bus)).length, 1);
    assert.ok(run.log.lines.some((l) => l.msg === "message failed; left pending for redelivery"));
  } finally {
    await run.stop();
    await bus.close();
  }
});

Deno.test("a restarted actor restores its snapshot: the redelivered message makes no duplicate output", async () => {
  const bus = newBus();
  const bars = [bar(0), bar(1), bar(2), bar(3)];
  await publishBar(bus, bars[0]);
  await publishBar(bus, bars[1]);
  const first = startActor(bus, countingCore(true));
  await waitFor(() => first.actor.status().processed === 2, "two processed");
  // Crash before the atomic commit of bar 2: its output, snapshot and ack are all lost.
  bus.failAcks = true;
  await publishBar(bus, bars[2]);
  await assert.rejects(first.done, /crashed before the ack/);
  bus.failAcks = false;
  const pending = await pendingOf(bus);
  assert.equal(pending.length, 1);
  assert.equal(pending[0].consumer, CONSUMER);
  assert.equal((await alerts(bus)).length, 2);
  assert.equal(JSON.parse((await bus.kvGet(snapshotKey(GROUP))) ?? "null").count, 2);

  const second = startActor(bus, countingCore(true), { incarnation: 1 });
  try {
    await publishBar(bus, bars[3]);
    await waitFor(() => second.actor.status().processed === 2, "redelivery and the new bar");
    assert.deepEqual(await pendingOf(bus), []);
    const out = await alerts(bus);
    assert.deepEqual(out.map((a) => a.bar), bars.map((b) => b.id), "duplicate or missing output");
    assert.deepEqual(out.map((a) => a.count), [1, 2, 3, 4]);
    assert.deepEqual(second.actor.describe(), { count: 4 });
  } finally {
    await second.stop();
    await bus.close();
  }
});

Deno.test("a core without a snapshot is rebuilt from the acknowledged history after a restart", async () => {
  const bus = newBus();
  const bars = [bar(0), bar(1), bar(2), bar(3)];
  await publishBar(bus, bars[0]);
  await bus.publish(STREAMS.bars, "{garbage"); // acknowledged via the dead-letter stream
  await publishBar(bus, bars[1]);
  const first = startActor(bus, countingCore(false));
  await waitFor(() => first.actor.status().processed === 2, "two processed");
  bus.failAcks = true;
  await publishBar(bus, bars[2]);
  await assert.rejects(first.done, /crashed before the ack/);
  bus.failAcks = false;
  assert.equal(await bus.kvGet(snapshotKey(GROUP)), null, "a core without snapshot saved one");

  // The history is what was acknowledged: both bars and the garbage, not the pending bar.
  const history = await acknowledgedHistory(bus, GROUP, [STREAMS.bars]);
  assert.equal(history.length, 3);
  assert.deepEqual(
    history.filter((e) => e.raw !== "{garbage").map((e) => JSON.parse(e.raw).id),
    [bars[0].id, bars[1].id],
  );

  // Upstream redelivers bar 1 as a new entry (same message id) and sends bar 3.
  await publishBar(bus, bars[1]);
  await publishBar(bus, bars[3]);
  const second = startActor(bus, countingCore(false), { incarnation: 1 });
  try {
    await waitFor(() => second.actor.status().processed === 3, "three processed after restart");
    assert.deepEqual(await pendingOf(bus), []);
    const out = await alerts(bus);
    // Bar 2's commit never landed, so the rebuilt state does not know it: it is stepped
    // again and its output appears once. Bar 1, already acknowledged, gives nothing.
    assert.deepEqual(out.map((a) => a.bar), [bars[0].id, bars[1].id, bars[2].id, bars[3].id]);
    assert.deepEqual(out.map((a) => a.count), [1, 2, 3, 4]);
    assert.ok(
      second.log.lines.some((l) =>
        l.msg === "state rebuilt from acknowledged inputs" && l.fields?.entries === 3
      ),
    );
  } finally {
    await second.stop();
    await bus.close();
  }
});

Deno.test("an injected crash fails the first incarnation only; the next one finishes the work", async () => {
  const bus = newBus();
  for (let i = 0; i < 4; i++) await publishBar(bus, bar(i));
  const fault = { kind: "crash" as const, afterMessages: 3 };
  const first = startActor(bus, countingCore(true), { fault, batch: 1 });
  await assert.rejects(first.done, InjectedCrash);
  assert.equal(first.actor.status().processed, 2);
  const second = startActor(bus, countingCore(true), { fault, incarnation: 1 });
  try {
    await waitFor(() => second.actor.status().processed === 2, "the rest processed");
    assert.deepEqual((await alerts(bus)).map((a) => a.count), [1, 2, 3, 4]);
    assert.deepEqual(await pendingOf(bus), []);
  } finally {
    await second.stop();
    await bus.close();
  }
});

Deno.test("stopping: an aborted actor returns and takes no new message", async () => {
  const bus = newBus();
  const run = startActor(bus, countingCore(true));
  await run.stop();
  await publishBar(bus, bar(0));
  await new Promise((r) => setTimeout(r, 30));
  assert.equal(run.actor.status().processed, 0);
  assert.deepEqual(await alerts(bus), []);
  await bus.close();
});

Deno.test("acknowledgedHistory merges streams in entry-id order and leaves out pending and undelivered entries", async () => {
  let now = 1_000;
  const bus = new MemoryBus({ namespace: "history-test", maxLen: 1_000, now: () => now });
  try {
    for (const s of ["a", "b"]) await bus.ensureGroup(s, "g");
    const ids: Record<string, string> = {};
    for (const [name, stream] of [["a1", "a"], ["b1", "b"], ["a2", "a"], ["b2", "b"]]) {
      now += 10;
      ids[name] = await bus.publish(stream, name);
    }
    const got = await bus.readGroup("g", "c", ["a", "b"], { count: 10, blockMs: 0 });
    assert.equal(got.length, 4);
    now += 10;
    const undelivered = await bus.publish("a", "a3");
    await bus.ack("a", "g", [ids.a1, ids.a2]);
    await bus.ack("b", "g", [ids.b2]); // b1 stays pending
    const history = await acknowledgedHistory(bus, "g", ["a", "b"]);
    assert.deepEqual(history.map((e) => e.raw), ["a1", "a2", "b2"]);
    assert.ok(!history.some((e) => e.entryId === undelivered));
    assert.deepEqual(await acknowledgedHistory(bus, "other-group", ["a", "b"]), []);
  } finally {
    await bus.close();
  }
});

Deno.test("compareEntryIds orders by time, then sequence, numerically", () => {
  const ids = ["10-0", "9-5", "9-10", "100-0", "9-9"];
  assert.deepEqual([...ids].sort(compareEntryIds), ["9-5", "9-9", "9-10", "10-0", "100-0"]);
  assert.equal(compareEntryIds("5-1", "5-1"), 0);
});
