// What a core emits on a tick (the meta agent's deadlines) goes out in one atomic commit
// with the snapshot that records it, as a message's outputs do: published apart from the
// snapshot, a crash between the two would send them again after the restart.
import assert from "node:assert/strict";
import { Actor, snapshotKey } from "../../agents/runtime/actor.ts";
import type { AgentCore } from "../../agents/runtime/core.ts";
import { MemoryBus } from "../../shared/bus/memory.ts";
import type { Commit } from "../../shared/bus/types.ts";
import { decode, makeEnvelope, messageId, STREAMS } from "../../shared/messages/mod.ts";
import { memoryLogger, waitFor } from "./supervisor_fakes.ts";

interface TickState {
  ticks: number;
}

/** Emits one alert on each of its first three ticks; reads no message. */
const tickingCore: AgentCore<TickState> = {
  name: "meta",
  inputs: [STREAMS.signals],
  tickMs: 10,
  init: () => ({ ticks: 0 }),
  step: (state) => ({ state, out: [] }),
  tick(state) {
    if (state.ticks >= 3) return { state, out: [] };
    const ticks = state.ticks + 1;
    const alert = makeEnvelope("alert", {
      id: messageId("meta", "alert", `tick:${ticks}`),
      producer: "meta",
      time: ticks,
      corr: `tick:${ticks}`,
    }, { severity: "info", code: "tick", message: `tick ${ticks}`, details: { ticks } });
    return { state: { ticks }, out: [{ stream: STREAMS.alerts, msg: alert }] };
  },
  snapshot: (state) => state,
  restore: (snap) => snap as TickState,
};

/** Records every commit; counts what reached a stream or the store any other way. */
class RecordingBus extends MemoryBus {
  commits: Commit[] = [];
  #inCommit = false;
  apart = 0;
  override async commit(c: Commit): Promise<void> {
    this.commits.push(structuredClone(c));
    this.#inCommit = true;
    try {
      await super.commit(c);
    } finally {
      this.#inCommit = false;
    }
  }
  override publish(stream: string, raw: string): Promise<string> {
    if (!this.#inCommit && stream === STREAMS.alerts) this.apart++;
    return super.publish(stream, raw);
  }
  override kvSet(key: string, value: string): Promise<void> {
    if (!this.#inCommit) this.apart++;
    return super.kvSet(key, value);
  }
}

Deno.test("a tick's outputs and its snapshot land in one commit", async () => {
  const bus = new RecordingBus({ namespace: "actor-tick-test", maxLen: 1_000 });
  const ctrl = new AbortController();
  const actor = new Actor<TickState>({
    core: tickingCore,
    bus,
    group: "meta",
    consumer: "meta-1",
    incarnation: 0,
    log: memoryLogger(),
    signal: ctrl.signal,
    maxDeliveries: 3,
    claimIdleMs: 10,
    blockMs: 5,
  });
  const done = actor.run();
  try {
    await waitFor(async () => (await bus.range(STREAMS.alerts)).length === 3, "three alerts");
    assert.equal(bus.apart, 0, "an output or a snapshot was written outside a commit");
    const withOutputs = bus.commits.filter((c) => c.publish.length > 0);
    assert.equal(withOutputs.length, 3);
    withOutputs.forEach((c, i) => {
      assert.equal(c.publish.length, 1);
      const r = decode(c.publish[0].raw, STREAMS.alerts);
      assert.ok(r.ok && r.msg.type === "alert");
      assert.deepEqual(r.msg.data.details, { ticks: i + 1 });
      // The snapshot in the same commit already counts this tick.
      assert.deepEqual(c.kv, { key: snapshotKey("meta"), value: JSON.stringify({ ticks: i + 1 }) });
      assert.deepEqual(c.ack, []);
    });
  } finally {
    ctrl.abort();
    await done;
    await bus.close();
  }
});
