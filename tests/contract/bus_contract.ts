// The behaviour every Bus must have, run unchanged against each implementation
// (bus_memory.test.ts, bus_redis.test.ts, bus_remote.test.ts).
import assert from "node:assert/strict";
import fc from "fast-check";
import type { Bus, Delivery } from "../../shared/bus/types.ts";
import { deadLetterId, GroupConsumer } from "../../shared/bus/consumer.ts";
import { compareStreamIds, parseStreamId } from "../../shared/bus/stream_ids.ts";
import { decode } from "../../shared/messages/codec.ts";
import { DeadLetterSchema } from "../../shared/messages/schemas.ts";

export type MakeBus = (namespace: string, maxLen: number) => Promise<Bus>;

export interface ContractHooks {
  /** Asserts nothing of the namespace is left after destroy() (Redis: SCAN). */
  assertClean?(namespace: string): Promise<void>;
  /** fast-check runs of the interleaving property (default 25). */
  propertyRuns?: number;
}

const BIG = 100_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Median of 5 measurements: one scheduler hiccup on a loaded machine is not a failure. */
async function medianWake(measure: () => Promise<number>): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < 5; i++) samples.push(await measure());
  return samples.sort((a, b) => a - b)[2];
}
let counter = 0;
const uniqueNamespace = (name: string) =>
  `t-${name}-${Date.now().toString(36)}-${(counter++).toString(36)}-${
    Math.random().toString(36).slice(2, 8)
  }`;

export function busContract(name: string, makeBus: MakeBus, hooks: ContractHooks = {}): void {
  async function withBus(maxLen: number, fn: (bus: Bus) => Promise<void>): Promise<void> {
    const ns = uniqueNamespace(name);
    const bus = await makeBus(ns, maxLen);
    try {
      assert.equal(bus.namespace, ns);
      await fn(bus);
    } finally {
      await bus.destroy();
      await bus.close();
      await hooks.assertClean?.(ns);
    }
  }

  const test = (title: string, fn: (bus: Bus) => Promise<void>, maxLen = BIG) =>
    Deno.test({
      name: `${name} bus: ${title}`,
      fn: () => withBus(maxLen, fn),
    });

  test("publish returns increasing ids and range returns entries in order", async (bus) => {
    const ids: string[] = [];
    for (let i = 0; i < 25; i++) ids.push(await bus.publish("s", `m${i}`));
    for (let i = 1; i < ids.length; i++) {
      assert.ok(compareStreamIds(parseStreamId(ids[i - 1]), parseStreamId(ids[i])) < 0);
    }
    const all = await bus.range("s");
    assert.deepEqual(all.map((e) => e.entryId), ids);
    assert.deepEqual(all.map((e) => e.raw), ids.map((_, i) => `m${i}`));
    assert.ok(all.every((e) => e.stream === "s"));
    assert.deepEqual((await bus.range("s", ids[3], ids[6])).map((e) => e.raw), [
      "m3",
      "m4",
      "m5",
      "m6",
    ]);
    assert.deepEqual((await bus.range("s", `(${ids[3]}`, "+", 2)).map((e) => e.raw), ["m4", "m5"]);
    assert.deepEqual(await bus.range("missing"), []);
  });

  test("commit publishes, stores and acknowledges together; a bad part applies nothing", async (bus) => {
    await bus.ensureGroup("in", "g");
    await bus.publish("in", "x1");
    await bus.publish("in", "x2");
    const got = await bus.readGroup("g", "c", ["in"], { count: 10, blockMs: 0 });
    assert.equal(got.length, 2);
    await bus.commit({
      publish: [{ stream: "out", raw: "y1" }, { stream: "out", raw: "y2" }],
      kv: { key: "state:g", value: "after-x1" },
      ack: [{ stream: "in", group: "g", ids: [got[0].entryId] }],
    });
    assert.deepEqual((await bus.range("out")).map((e) => e.raw), ["y1", "y2"]);
    assert.equal(await bus.kvGet("state:g"), "after-x1");
    assert.deepEqual((await bus.pending("in", "g")).map((p) => p.entryId), [got[1].entryId]);
    await assert.rejects(() =>
      bus.commit({
        publish: [{ stream: "out", raw: "y3" }, { stream: "", raw: "bad" }],
        kv: { key: "state:g", value: "after-x2" },
        ack: [{ stream: "in", group: "g", ids: [got[1].entryId] }],
      })
    );
    assert.equal((await bus.range("out")).length, 2, "nothing published");
    assert.equal(await bus.kvGet("state:g"), "after-x1", "state unchanged");
    assert.equal((await bus.pending("in", "g")).length, 1, "nothing acknowledged");
  });

  test("rejects bad arguments with errors that name them", async (bus) => {
    await assert.rejects(bus.publish("bad:name", "x"), /invalid stream "bad:name"/);
    await assert.rejects(bus.range("s", "nope"), /invalid range start "nope"/);
    await assert.rejects(bus.ack("s", "g", ["12"]), /invalid entry id "12"/);
    await assert.rejects(
      bus.readGroup("g", "c", ["s"], { count: 0, blockMs: 0 }),
      /invalid count 0/,
    );
    await assert.rejects(bus.readAfter([{ stream: "s", afterId: "x" }], 1, 0), /cursor id/);
    await assert.rejects(
      bus.readGroup("nogroup", "c", ["s"], { count: 1, blockMs: 0 }),
      /NOGROUP/,
    );
    await assert.rejects(bus.pending("s", "nogroup"), /NOGROUP/);
    // a read over several streams fails as a whole: nothing is delivered from the good one
    await bus.ensureGroup("s", "g");
    await bus.publish("s", "x");
    await assert.rejects(
      bus.readGroup("g", "c", ["s", "no-group-here"], { count: 1, blockMs: 0 }),
      /NOGROUP/,
    );
    assert.deepEqual(await bus.pending("s", "g"), []);
  });

  test("a group delivers each entry once across two consumers", async (bus) => {
    await bus.ensureGroup("s", "g");
    await bus.ensureGroup("s", "g"); // idempotent
    const published: string[] = [];
    for (let i = 0; i < 30; i++) published.push(await bus.publish("s", `m${i}`));
    const seen: Delivery[] = [];
    for (let round = 0; round < 20; round++) {
      const a = await bus.readGroup("g", "c1", ["s"], { count: 4, blockMs: 0 });
      const b = await bus.readGroup("g", "c2", ["s"], { count: 3, blockMs: 0 });
      assert.ok(a.length <= 4 && b.length <= 3);
      seen.push(...a, ...b);
      if (a.length === 0 && b.length === 0) break;
    }
    assert.deepEqual(seen.map((d) => d.entryId).sort(), [...published].sort());
    assert.ok(seen.every((d) => d.deliveries === 1 && d.stream === "s"));
    const pending = await bus.pending("s", "g");
    assert.equal(pending.length, 30);
    assert.deepEqual(pending.map((p) => p.entryId), published, "oldest first");
    const c1 = new Set(pending.filter((p) => p.consumer === "c1").map((p) => p.entryId));
    assert.equal(c1.size, 18, "c1 took 4 per round for 4 rounds, then the last 2");
  });

  test("readGroup over several streams respects count over all of them", async (bus) => {
    for (const s of ["a", "b", "c"]) {
      await bus.ensureGroup(s, "g");
      for (let i = 0; i < 4; i++) await bus.publish(s, `${s}${i}`);
    }
    const got: Delivery[] = [];
    for (let i = 0; i < 10; i++) {
      const batch = await bus.readGroup("g", "c", ["a", "b", "c"], { count: 5, blockMs: 0 });
      assert.ok(batch.length <= 5, `batch of ${batch.length} exceeds count 5`);
      got.push(...batch);
      if (batch.length === 0) break;
    }
    assert.equal(got.length, 12);
    for (const s of ["a", "b", "c"]) {
      const raws = got.filter((d) => d.stream === s).map((d) => d.raw);
      assert.deepEqual(raws, [0, 1, 2, 3].map((i) => `${s}${i}`), `stream ${s} in id order`);
    }
  });

  test("ack removes entries from pending, once", async (bus) => {
    await bus.ensureGroup("s", "g");
    for (let i = 0; i < 5; i++) await bus.publish("s", `m${i}`);
    const got = await bus.readGroup("g", "c", ["s"], { count: 10, blockMs: 0 });
    assert.equal(got.length, 5);
    assert.equal(await bus.ack("s", "g", [got[0].entryId, got[2].entryId]), 2);
    assert.equal(await bus.ack("s", "g", [got[0].entryId]), 0, "second ack counts nothing");
    assert.equal(await bus.ack("s", "other-group", [got[1].entryId]), 0);
    assert.equal(await bus.ack("s", "g", []), 0);
    const left = await bus.pending("s", "g");
    assert.deepEqual(left.map((p) => p.entryId), [got[1], got[3], got[4]].map((d) => d.entryId));
    assert.ok(left.every((p) => p.consumer === "c" && p.deliveries === 1 && p.idleMs >= 0));
  });

  test("a restarted consumer re-reads its own pending entries, counts increasing", async (bus) => {
    await bus.ensureGroup("s", "g");
    for (let i = 0; i < 8; i++) await bus.publish("s", `m${i}`);
    const first = await bus.readGroup("g", "c", ["s"], { count: 5, blockMs: 0 });
    await bus.readGroup("g", "other", ["s"], { count: 1, blockMs: 0 });
    await bus.ack("s", "g", [first[0].entryId, first[3].entryId]);
    // "restart": a new reader with the same consumer name asks for its pending entries
    const again = await bus.readGroup("g", "c", ["s"], { count: 10, blockMs: 0, pending: true });
    assert.deepEqual(again.map((d) => d.raw), ["m1", "m2", "m4"]);
    assert.ok(again.every((d) => d.deliveries === 2));
    const third = await bus.readGroup("g", "c", ["s"], { count: 2, blockMs: 0, pending: true });
    assert.deepEqual(third.map((d) => [d.raw, d.deliveries]), [["m1", 3], ["m2", 3]]);
    const fresh = await bus.readGroup("g", "c", ["s"], { count: 10, blockMs: 0 });
    assert.deepEqual(fresh.map((d) => [d.raw, d.deliveries]), [["m6", 1], ["m7", 1]]);
  });

  test("claimIdle takes idle entries from other consumers with increasing counts", async (bus) => {
    await bus.ensureGroup("s", "g");
    for (let i = 0; i < 4; i++) await bus.publish("s", `m${i}`);
    const got = await bus.readGroup("g", "dead", ["s"], { count: 3, blockMs: 0 });
    assert.equal(got.length, 3);
    assert.deepEqual(await bus.claimIdle("s", "g", "c2", 5000, 10), [], "not idle long enough");
    await sleep(400);
    const claimed = await bus.claimIdle("s", "g", "c2", 300, 2);
    assert.deepEqual(claimed.map((d) => [d.raw, d.deliveries]), [["m0", 2], ["m1", 2]]);
    const rest = await bus.claimIdle("s", "g", "c2", 300, 10);
    assert.deepEqual(rest.map((d) => [d.raw, d.deliveries]), [["m2", 2]]);
    assert.deepEqual(await bus.claimIdle("s", "g", "c3", 300, 10), [], "claims reset idle time");
    await sleep(320);
    const stolen = await bus.claimIdle("s", "g", "c3", 300, 10);
    assert.deepEqual(stolen.map((d) => [d.raw, d.deliveries]), [["m0", 3], ["m1", 3], ["m2", 3]]);
    const pending = await bus.pending("s", "g");
    assert.deepEqual(pending.map((p) => [p.consumer, p.deliveries]), [
      ["c3", 3],
      ["c3", 3],
      ["c3", 3],
    ]);
    assert.ok(pending.every((p) => p.idleMs < 300));
    await assert.rejects(bus.claimIdle("s", "nogroup", "c", 0, 1), /NOGROUP/);
  });

  test("readAfter wakes on publish (not at its 3 s block timeout) and times out with []", async (bus) => {
    await bus.publish("s", "old");
    const waited = await medianWake(async () => {
      const waiting = bus.readAfter([{ stream: "s", afterId: "$" }], 10, 3000);
      await sleep(20);
      const t0 = performance.now();
      const id = await bus.publish("s", "new");
      assert.deepEqual(await waiting, [{ stream: "s", entryId: id, raw: "new" }]);
      return performance.now() - t0;
    });
    // Well under the 3 s block: it woke on the publish. (Typically < 5 ms; the margin is for
    // a loaded CI machine — this is a semantic test, the latency is the benchmark's job.)
    assert.ok(waited < 500, `woke after ${waited.toFixed(1)} ms (median)`);
    const last = (await bus.info("s")).lastEntryId as string;
    const t1 = performance.now();
    assert.deepEqual(await bus.readAfter([{ stream: "s", afterId: last }], 10, 120), []);
    const timedOut = performance.now() - t1;
    assert.ok(timedOut >= 100 && timedOut < 1000, `timed out after ${timedOut.toFixed(1)} ms`);
    assert.deepEqual(await bus.readAfter([{ stream: "s", afterId: "$" }], 10, 0), []);
  });

  test("a blocked readGroup wakes on publish (not at its block timeout), over one or several streams", async (bus) => {
    await bus.ensureGroup("s", "g");
    await bus.ensureGroup("t", "g");
    for (const streams of [["s"], ["t", "s"]]) {
      const waited = await medianWake(async () => {
        const waiting = bus.readGroup("g", "c", streams, { count: 10, blockMs: 3000 });
        await sleep(20);
        const t0 = performance.now();
        const entryId = await bus.publish("s", "new");
        const got = await waiting;
        assert.deepEqual(got, [{ stream: "s", entryId, raw: "new", deliveries: 1 }]);
        await bus.ack("s", "g", [entryId]);
        return performance.now() - t0;
      });
      assert.ok(waited < 500, `${streams}: woke after ${waited.toFixed(1)} ms (median)`);
    }
  });

  test("readAfter merges several streams in id order, count per stream", async (bus) => {
    const a0 = await bus.publish("a", "a0");
    const b0 = await bus.publish("b", "b0");
    const a1 = await bus.publish("a", "a1");
    const b1 = await bus.publish("b", "b1");
    const got = await bus.readAfter(
      [{ stream: "a", afterId: "0" }, { stream: "b", afterId: "0-0" }],
      10,
      0,
    );
    assert.deepEqual(
      got.map((e) => e.entryId),
      [a0, b0, a1, b1].sort((x, y) => compareStreamIds(parseStreamId(x), parseStreamId(y))),
    );
    const one = await bus.readAfter(
      [{ stream: "a", afterId: "0" }, { stream: "b", afterId: b0 }],
      1,
      0,
    );
    assert.deepEqual(one.map((e) => e.raw).sort(), ["a0", "b1"]);
  });

  test("blocked reads stall neither publishes nor each other", async (bus) => {
    await bus.ensureGroup("s", "g");
    await bus.ensureGroup("t", "g");
    const single = bus.readGroup("g", "c1", ["s"], { count: 10, blockMs: 3000 });
    const multi = bus.readGroup("g", "c2", ["t", "s"], { count: 10, blockMs: 3000 });
    const idle = bus.readAfter([{ stream: "u", afterId: "$" }], 1, 3000);
    await sleep(30);
    // A stall would last the 3 s block; 500 ms leaves room for a loaded machine.
    const t0 = performance.now();
    await bus.publish("x", "unrelated");
    assert.ok(performance.now() - t0 < 500, "publish stalled by blocking reads");
    const idT = await bus.publish("t", "for-multi");
    assert.deepEqual(await multi, [{ stream: "t", entryId: idT, raw: "for-multi", deliveries: 1 }]);
    const idS = await bus.publish("s", "for-single");
    assert.deepEqual(await single, [{
      stream: "s",
      entryId: idS,
      raw: "for-single",
      deliveries: 1,
    }]);
    assert.ok(performance.now() - t0 < 500, "blocked reads were served one after another");
    const t1 = performance.now();
    assert.deepEqual(await bus.readGroup("g", "c3", ["s", "t"], { count: 1, blockMs: 80 }), []);
    assert.ok(performance.now() - t1 >= 60);
    await bus.publish("u", "end");
    assert.equal((await idle).length, 1);
  });

  test("trimming keeps the length near maxLen and keeps the newest", async (bus) => {
    let last = "";
    for (let i = 0; i < 600; i++) last = await bus.publish("s", `m${i}`);
    const info = await bus.info("s");
    assert.ok(info.length >= 50 && info.length <= 150, `length ${info.length} for maxLen 50`);
    assert.equal(info.lastEntryId, last);
    const entries = await bus.range("s");
    assert.equal(entries.length, info.length);
    assert.equal(entries[entries.length - 1].raw, "m599");
    assert.equal(entries[0].raw, `m${600 - entries.length}`);
  }, 50);

  test("info reports length, pending, lag and consumers", async (bus) => {
    assert.deepEqual(await bus.info("none"), {
      stream: "none",
      length: 0,
      lastEntryId: null,
      groups: [],
    });
    await bus.ensureGroup("s", "g");
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) ids.push(await bus.publish("s", `m${i}`));
    await bus.ensureGroup("s", "late", "$");
    const got = await bus.readGroup("g", "c1", ["s"], { count: 4, blockMs: 0 });
    await bus.readGroup("g", "c2", ["s"], { count: 1, blockMs: 0 });
    await bus.ack("s", "g", [got[0].entryId]);
    const info = await bus.info("s");
    assert.equal(info.length, 6);
    assert.equal(info.lastEntryId, ids[5]);
    const g = info.groups.find((x) => x.group === "g");
    assert.deepEqual(g, {
      group: "g",
      consumers: 2,
      pending: 4,
      lag: 1,
      lastDeliveredId: ids[4],
    });
    const late = info.groups.find((x) => x.group === "late");
    assert.deepEqual(late, {
      group: "late",
      consumers: 0,
      pending: 0,
      lag: 0,
      lastDeliveredId: ids[5],
    });
  });

  test("kv stores and overwrites strings", async (bus) => {
    assert.equal(await bus.kvGet("a:b"), null);
    await bus.kvSet("a:b", "1");
    await bus.kvSet("other", "x");
    assert.equal(await bus.kvGet("a:b"), "1");
    await bus.kvSet("a:b", "");
    assert.equal(await bus.kvGet("a:b"), "");
    await assert.rejects(bus.kvSet("", "x"), /invalid kv key/);
  });

  Deno.test({
    name: `${name} bus: close makes waiting reads return [] and later calls fail`,
    fn: async () => {
      const ns = uniqueNamespace(name);
      const bus = await makeBus(ns, BIG);
      await bus.ensureGroup("s", "g");
      await bus.ensureGroup("t", "g");
      const waiting = bus.readGroup("g", "c", ["s", "t"], { count: 1, blockMs: 5000 });
      const waitingOne = bus.readGroup("g", "c", ["s"], { count: 1, blockMs: 5000 });
      const waitingAfter = bus.readAfter([{ stream: "s", afterId: "$" }], 1, 5000);
      await sleep(30);
      const t0 = performance.now();
      await bus.close();
      assert.deepEqual(await waiting, []);
      assert.deepEqual(await waitingOne, []);
      assert.deepEqual(await waitingAfter, []);
      assert.ok(performance.now() - t0 < 1000);
      await assert.rejects(bus.publish("s", "x"), /closed/);
      const cleaner = await makeBus(ns, BIG);
      await cleaner.destroy();
      await cleaner.close();
      await hooks.assertClean?.(ns);
    },
  });

  test("destroy under a blocked group read rejects it (the stream is gone)", async (bus) => {
    await bus.ensureGroup("s", "g");
    const waiting = bus.readGroup("g", "c", ["s"], { count: 1, blockMs: 5000 });
    const stillWaiting = bus.readAfter([{ stream: "s", afterId: "$" }], 1, 5000);
    await sleep(30);
    const t0 = performance.now();
    // Expect the rejection before destroy() is awaited: Redis unblocks the read as soon as
    // the key is unlinked, while destroy() may still be scanning a large keyspace, and a
    // rejection with no handler yet across that wait is an uncaught error.
    const rejected = assert.rejects(waiting);
    await bus.destroy();
    await rejected;
    assert.ok(performance.now() - t0 < 1000);
    const id = await bus.publish("s", "after");
    assert.deepEqual((await stillWaiting).map((e) => e.entryId), [id], "XREAD stays blocked");
  });

  // ── GroupConsumer ─────────────────────────────────────────────────────────────

  const consumerOptions = (consumer: string) => ({
    group: "g",
    consumer,
    streams: ["s"],
    count: 5,
    blockMs: 0,
    maxDeliveries: 2,
    claimIdleMs: 40,
    claimEveryMs: 0,
    producer: "meta",
  });

  test("GroupConsumer dead-letters an invalid message with deadLetter()", async (bus) => {
    const gc = new GroupConsumer(bus, consumerOptions("c"));
    await gc.start();
    const entryId = await bus.publish("s", "{not json");
    const [d] = await gc.next();
    assert.equal(d.raw, "{not json");
    const checked = decode(d.raw, "md.bars");
    assert.equal(checked.ok, false);
    await gc.deadLetter(d, checked.ok ? "" : checked.error);
    assert.deepEqual(await bus.pending("s", "g"), []);
    const dead = await bus.range("dead-letter");
    assert.equal(dead.length, 1);
    const env = decode(dead[0].raw, "dead-letter");
    assert.ok(env.ok && env.msg.type === "dead_letter");
    assert.equal(env.msg.id, deadLetterId("g", "s", entryId));
    assert.equal(env.msg.id, `dead-letter:g:s:${entryId}`);
    assert.equal(env.msg.producer, "meta");
    const payload = DeadLetterSchema.parse(env.msg.data);
    assert.equal(payload.stream, "s");
    assert.equal(payload.entryId, entryId);
    assert.equal(payload.group, "g");
    assert.equal(payload.deliveries, 1);
    assert.equal(payload.raw, "{not json");
    assert.match(payload.error, /^not JSON/);
    assert.deepEqual(await gc.next(), []);
  });

  test("GroupConsumer dead-letters a poison message after maxDeliveries", async (bus) => {
    const gc = new GroupConsumer(bus, consumerOptions("c"));
    await gc.start();
    const poison = await bus.publish("s", "poison");
    const good = await bus.publish("s", "good");
    const attempts: number[] = [];
    const deadline = performance.now() + 3000;
    while (performance.now() < deadline) {
      for (const d of await gc.next()) {
        if (d.raw === "good") assert.equal(await gc.ack(d), true);
        else {
          attempts.push(d.deliveries);
          gc.fail(d, `boom ${d.deliveries}`);
        }
      }
      if ((await bus.range("dead-letter")).length > 0) break;
      await sleep(15);
    }
    assert.deepEqual(attempts, [1, 2]);
    const dead = await bus.range("dead-letter");
    assert.equal(dead.length, 1);
    const env = decode(dead[0].raw, "dead-letter");
    assert.ok(env.ok);
    const payload = DeadLetterSchema.parse(env.msg.data);
    assert.equal(payload.entryId, poison);
    assert.equal(payload.deliveries, 3);
    assert.equal(payload.error, "exceeded 2 deliveries; last error: boom 2");
    assert.deepEqual(await bus.pending("s", "g"), []);
    assert.notEqual(good, poison);
  });

  test("a restarted GroupConsumer finishes its own pending entries first, in order", async (bus) => {
    const before = new GroupConsumer(bus, { ...consumerOptions("worker"), claimIdleMs: 60_000 });
    await before.start();
    for (let i = 0; i < 7; i++) await bus.publish("s", `m${i}`);
    const inFlight = await before.next();
    assert.deepEqual(inFlight.map((d) => d.raw), ["m0", "m1", "m2", "m3", "m4"]);
    await before.ack(inFlight[1]);
    await bus.publish("s", "m7");
    // crash: `before` is dropped with m0, m2, m3, m4 unacknowledged
    const after = new GroupConsumer(bus, { ...consumerOptions("worker"), claimIdleMs: 60_000 });
    await assert.rejects(after.next(), /before start/);
    await after.start();
    const first = await after.next();
    assert.deepEqual(first.map((d) => [d.raw, d.deliveries]), [
      ["m0", 2],
      ["m2", 2],
      ["m3", 2],
      ["m4", 2],
    ]);
    for (const d of first) await after.ack(d);
    const then = await after.next();
    assert.deepEqual(then.map((d) => [d.raw, d.deliveries]), [["m5", 1], ["m6", 1], ["m7", 1]]);
  });

  Deno.test({
    name: `${name} bus: property: every entry is acked exactly once or dead-lettered`,
    fn: async () => {
      const command = fc.oneof(
        fc.record({ t: fc.constant("publish" as const), poison: fc.boolean(), c: fc.constant(0) }),
        fc.record({ t: fc.constant("read" as const), c: fc.integer({ min: 0, max: 2 }) }),
        fc.record({ t: fc.constant("ack" as const), c: fc.integer({ min: 0, max: 2 }) }),
        fc.record({ t: fc.constant("failOne" as const), c: fc.integer({ min: 0, max: 2 }) }),
        fc.record({ t: fc.constant("crash" as const), c: fc.integer({ min: 0, max: 2 }) }),
      );
      await fc.assert(
        fc.asyncProperty(fc.array(command, { maxLength: 40 }), async (commands) => {
          await withBus(BIG, (bus) => runInterleaving(bus, commands));
        }),
        { numRuns: hooks.propertyRuns ?? 25 },
      );
    },
  });
}

type Command =
  | { t: "publish"; poison: boolean; c: number }
  | { t: "read" | "ack" | "failOne" | "crash"; c: number };

/** Counts successful acks per entry: the bus is the judge of "acked twice". */
function countingBus(inner: Bus): Bus & { acks: Map<string, number> } {
  const acks = new Map<string, number>();
  return {
    kind: inner.kind,
    namespace: inner.namespace,
    acks,
    publish: (s, raw) => inner.publish(s, raw),
    ensureGroup: (s, g, start) => inner.ensureGroup(s, g, start),
    readGroup: (g, c, s, o) => inner.readGroup(g, c, s, o),
    async ack(stream, group, ids) {
      assert.equal(ids.length, 1, "GroupConsumer acks one entry at a time");
      const n = await inner.ack(stream, group, ids);
      if (n === 1) acks.set(ids[0], (acks.get(ids[0]) ?? 0) + 1);
      return n;
    },
    claimIdle: (s, g, c, idle, n) => inner.claimIdle(s, g, c, idle, n),
    pending: (s, g, n) => inner.pending(s, g, n),
    range: (s, a, b, n) => inner.range(s, a, b, n),
    readAfter: (c, n, b) => inner.readAfter(c, n, b),
    info: (s) => inner.info(s),
    kvGet: (k) => inner.kvGet(k),
    kvSet: (k, v) => inner.kvSet(k, v),
    commit: (c) => inner.commit(c),
    destroy: () => inner.destroy(),
    close: () => inner.close(),
  };
}

async function runInterleaving(inner: Bus, commands: Command[]): Promise<void> {
  const bus = countingBus(inner);
  const maxDeliveries = 3;
  const options = (i: number) => ({
    group: "g",
    consumer: `c${i}`,
    streams: ["s"],
    count: 3,
    blockMs: 0,
    maxDeliveries,
    claimIdleMs: 0,
    claimEveryMs: 0,
    producer: "executor",
  });
  const slots = await Promise.all([0, 1, 2].map(async (i) => {
    const gc = new GroupConsumer(bus, options(i));
    await gc.start();
    return { gc, inFlight: [] as Delivery[] };
  }));
  const published = new Map<string, boolean>(); // entry id → poison
  let n = 0;
  const handle = async (slot: (typeof slots)[number], d: Delivery) => {
    if (published.get(d.entryId)) slot.gc.fail(d, "poison");
    else await slot.gc.ack(d);
  };
  for (const cmd of commands) {
    const slot = slots[cmd.c];
    switch (cmd.t) {
      case "publish": {
        const raw = JSON.stringify({ n: n++, poison: cmd.poison });
        published.set(await bus.publish("s", raw), cmd.poison);
        break;
      }
      case "read":
        slot.inFlight.push(...await slot.gc.next());
        break;
      case "ack":
        for (const d of slot.inFlight.splice(0)) await handle(slot, d);
        break;
      case "failOne": {
        const d = slot.inFlight.shift();
        if (d !== undefined) slot.gc.fail(d, "failed once");
        break;
      }
      case "crash":
        slot.gc = new GroupConsumer(bus, options(cmd.c));
        slot.inFlight = [];
        await slot.gc.start();
        break;
    }
  }
  // Drain: every consumer processes until nothing is pending or new.
  for (let round = 0; round < 200; round++) {
    for (const slot of slots) {
      for (const d of [...slot.inFlight.splice(0), ...await slot.gc.next()]) {
        await handle(slot, d);
      }
    }
    const info = await bus.info("s");
    const g = info.groups.find((x) => x.group === "g");
    if (g !== undefined && g.pending === 0 && g.lag === 0) break;
  }
  const dead = new Map<string, number>();
  for (const e of await bus.range("dead-letter")) {
    const env = decode(e.raw, "dead-letter");
    assert.ok(env.ok, "dead letters are valid envelopes");
    const payload = DeadLetterSchema.parse(env.msg.data);
    assert.ok(published.has(payload.entryId), "dead letter of a published entry");
    assert.ok(payload.deliveries > maxDeliveries);
    assert.match(payload.error, /^exceeded 3 deliveries/);
    assert.equal(dead.has(payload.entryId), false, `${payload.entryId} dead-lettered twice`);
    dead.set(payload.entryId, payload.deliveries);
  }
  for (const [id, poison] of published) {
    assert.equal(bus.acks.get(id), 1, `entry ${id} acked ${bus.acks.get(id) ?? 0} times`);
    if (poison) assert.ok(dead.has(id), `poison entry ${id} not dead-lettered`);
  }
  assert.equal(bus.acks.size, published.size);
  assert.deepEqual(await bus.pending("s", "g"), []);
}
