// Hang detection: the supervisor's watchdog kills (and so restarts) a child that went
// silent, that has been busy on one message too long, or that never came up.
import assert from "node:assert/strict";
import { Supervisor } from "../../supervisor/supervisor.ts";
import type { SupervisorOptions } from "../../supervisor/spec.ts";
import { FakeSpec, memoryLogger, sleep, waitFor } from "./supervisor_fakes.ts";

const OPTS: SupervisorOptions = {
  maxRestarts: 10,
  windowMs: 60_000,
  backoffBaseMs: 1,
  backoffMaxMs: 1,
  hangTimeoutMs: 100,
  startTimeoutMs: 60_000,
};

function supervise(specs: FakeSpec[], opts: Partial<SupervisorOptions> = {}) {
  const log = memoryLogger();
  /** Why the watchdog killed each child (the exit's own error replaces status.lastError). */
  const hangReasons = (id: string) =>
    log.lines.filter((l) => l.level === "error" && l.fields?.child === id)
      .map((l) => `${l.msg} ${String(l.fields?.why ?? l.fields?.loadingMs)}`);
  const sup = new Supervisor({ ...OPTS, ...opts }, log, () => {});
  sup.start(specs);
  const state = (id: string) => sup.status().find((s) => s.id === id);
  return { sup, log, state, hangReasons };
}

Deno.test("a child that stops heart-beating for longer than hangTimeoutMs is killed and restarted", async () => {
  const silent = new FakeSpec("silent", "permanent");
  const healthy = new FakeSpec("healthy", "permanent");
  const { sup, state, hangReasons } = supervise([silent, healthy]);
  try {
    healthy.current.beatEvery(20);
    const hung = silent.current;
    hung.heartbeat(3, 0);
    const lastBeat = performance.now();
    await waitFor(() => silent.children.length === 2, "restart of the silent child");
    const killedAt = hung.killedAt;
    assert.ok(killedAt !== null);
    const silentFor = killedAt - lastBeat;
    assert.ok(silentFor >= 99, `killed after only ${silentFor} ms of silence`);
    assert.ok(silentFor < 100 + 400, `killed only after ${silentFor} ms of silence`);
    assert.equal(hung.killCalls, 1);
    const reasons = hangReasons("silent");
    assert.equal(reasons.length, 1);
    assert.match(reasons[0], /^child hung; terminating no heartbeat for \d+ ms$/);
    assert.equal(state("silent")?.restarts, 1);
    assert.equal(state("silent")?.incarnation, 1);
    // One-for-one: the child that kept beating was left alone.
    assert.equal(healthy.children.length, 1);
    assert.equal(healthy.current.killCalls, 0);
    assert.equal(state("healthy")?.state, "running");
  } finally {
    await sup.stop();
  }
});

Deno.test("a child that keeps beating but reports a long in-flight message is killed", async () => {
  const busy = new FakeSpec("busy", "permanent");
  const { sup, state, hangReasons } = supervise([busy]);
  try {
    const stuck = busy.current;
    stuck.beatEvery(10, 10_000);
    await waitFor(() => busy.children.length === 2, "restart of the busy child");
    assert.equal(stuck.killCalls, 1);
    const reasons = hangReasons("busy");
    assert.equal(reasons.length, 1);
    assert.match(reasons[0], /^child hung; terminating busy on one message for \d+ ms$/);
    assert.equal(state("busy")?.state, "running");
  } finally {
    await sup.stop();
  }
});

Deno.test("a child that beats regularly with short messages is never killed", async () => {
  const ok = new FakeSpec("ok", "permanent");
  const { sup, state } = supervise([ok]);
  try {
    ok.current.beatEvery(15, 5);
    await sleep(350);
    assert.equal(ok.current.killCalls, 0);
    assert.equal(ok.children.length, 1);
    assert.equal(state("ok")?.lastError, null);
    assert.equal(state("ok")?.processed, 1);
  } finally {
    await sup.stop();
  }
});

Deno.test("a child gets startTimeoutMs (not hangTimeoutMs) for its first heartbeat", async () => {
  const slow = new FakeSpec("slow", "permanent");
  const never = new FakeSpec("never", "permanent");
  const slowRun = supervise([slow], { hangTimeoutMs: 60, startTimeoutMs: 60_000 });
  try {
    await sleep(250);
    assert.equal(slow.current.killCalls, 0, "a loading child was killed as hung");
    slow.current.heartbeat(0, 0);
    await waitFor(() => slow.children.length === 2, "restart once it has beaten and gone silent");
  } finally {
    await slowRun.sup.stop();
  }
  // The watchdog runs every hangTimeoutMs / 4 (at least 50 ms).
  const neverRun = supervise([never], { hangTimeoutMs: 200, startTimeoutMs: 80 });
  const started = performance.now();
  try {
    await waitFor(() => never.children.length === 2, "restart of a child that never beat");
    const after = (never.children[0].killedAt ?? 0) - started;
    assert.ok(after >= 79, `killed after ${after} ms, before its start timeout`);
    assert.match(neverRun.hangReasons("never")[0] ?? "", /^child never started; terminating \d+$/);
    assert.equal(neverRun.state("never")?.restarts, 1);
  } finally {
    await neverRun.sup.stop();
  }
});

Deno.test("a child spec's own hangTimeoutMs replaces the supervisor's for that child only", async () => {
  const patient = new FakeSpec("patient", "permanent");
  patient.hangTimeoutMs = 2_000;
  const busy = new FakeSpec("busy", "permanent");
  const { sup } = supervise([patient, busy]);
  try {
    // Both report the same 300 ms step in flight, over the supervisor's 100 ms.
    patient.current.beatEvery(10, 300);
    busy.current.beatEvery(10, 300);
    await waitFor(() => busy.children.length === 2, "restart of the busy child");
    await sleep(200);
    assert.equal(patient.current.killCalls, 0);
    assert.equal(patient.children.length, 1);
  } finally {
    await sup.stop();
  }
});
