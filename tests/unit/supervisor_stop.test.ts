// Graceful shutdown within each child's grace period, and operator restarts.
import assert from "node:assert/strict";
import { type Escalation, Supervisor } from "../../supervisor/supervisor.ts";
import type { SupervisorOptions } from "../../supervisor/spec.ts";
import { FakeSpec, memoryLogger, sleep, waitFor } from "./supervisor_fakes.ts";

const OPTS: SupervisorOptions = {
  maxRestarts: 10,
  windowMs: 60_000,
  backoffBaseMs: 1,
  backoffMaxMs: 1,
  hangTimeoutMs: 60_000,
  startTimeoutMs: 60_000,
};

function supervise(specs: FakeSpec[], opts: Partial<SupervisorOptions> = {}) {
  const escalations: Escalation[] = [];
  const log = memoryLogger();
  const sup = new Supervisor({ ...OPTS, ...opts }, log, (e) => escalations.push(e));
  sup.start(specs);
  const state = (id: string) => sup.status().find((s) => s.id === id);
  return { sup, log, state, escalations };
}

Deno.test("stop() asks every child to stop, waits for the exits, and restarts nothing", async () => {
  const a = new FakeSpec("a", "permanent");
  const b = new FakeSpec("b", "transient");
  const { sup, state } = supervise([a, b]);
  await sup.stop();
  for (const spec of [a, b]) {
    assert.equal(spec.current.stopCalls, 1);
    assert.equal(spec.current.killCalls, 0);
    assert.equal(spec.current.exited, true, `${spec.id} had not exited when stop() resolved`);
    assert.equal(state(spec.id)?.state, "stopped");
  }
  await sleep(20);
  assert.equal(a.children.length, 1, "a permanent child was restarted during shutdown");
  assert.equal(sup.restart("a"), false, "restart accepted after shutdown");
});

Deno.test("stop() kills a child that ignores the request once its shutdown grace is over", async () => {
  const stubborn = new FakeSpec("stubborn", "permanent", 80, { exitOnStop: false });
  const polite = new FakeSpec("polite", "permanent", 80);
  const { sup, state, log } = supervise([stubborn, polite]);
  const t0 = performance.now();
  await sup.stop();
  const took = performance.now() - t0;
  assert.ok(took >= 79, `stop() returned after ${took} ms, before the 80 ms grace`);
  assert.ok(took < 80 + 500, `stop() took ${took} ms`);
  assert.equal(stubborn.current.stopCalls, 1);
  assert.equal(stubborn.current.killCalls, 1);
  assert.ok((stubborn.current.killedAt ?? 0) - t0 >= 79);
  assert.equal(polite.current.killCalls, 0);
  assert.equal(state("stubborn")?.state, "stopped");
  assert.equal(stubborn.children.length, 1);
  assert.ok(log.lines.some((l) => l.msg.includes("did not stop in time")));
});

Deno.test("stop(ids) stops only the named children and does not restart them", async () => {
  const a = new FakeSpec("a", "permanent");
  const b = new FakeSpec("b", "permanent");
  const { sup, state } = supervise([a, b]);
  try {
    await sup.stop(["a"]);
    assert.equal(state("a")?.state, "stopped");
    assert.equal(state("b")?.state, "running");
    assert.equal(b.current.stopCalls, 0);
    await sleep(20);
    assert.equal(a.children.length, 1);
  } finally {
    await sup.stop();
  }
});

Deno.test("stop() during a restart backoff cancels the pending restart", async () => {
  const a = new FakeSpec("a", "permanent");
  const { sup, state } = supervise([a], { backoffBaseMs: 100, backoffMaxMs: 100 });
  a.current.exit(false, "crash");
  assert.equal(state("a")?.state, "restarting");
  await sup.stop();
  await sleep(150);
  assert.equal(a.children.length, 1, "the child was relaunched after stop()");
  assert.equal(state("a")?.state, "stopped");
});

Deno.test("operator restart(id) kills the child and starts a new incarnation; siblings untouched", async () => {
  const a = new FakeSpec("a", "permanent");
  const b = new FakeSpec("b", "permanent");
  const { sup, state } = supervise([a, b]);
  try {
    const first = a.current;
    assert.equal(sup.restart("a"), true);
    assert.equal(first.killCalls, 1);
    await waitFor(() => a.children.length === 2, "the new incarnation");
    assert.equal(state("a")?.incarnation, 1);
    assert.equal(state("a")?.restarts, 1);
    assert.equal(state("a")?.state, "running");
    assert.equal(b.children.length, 1);
    assert.equal(b.current.killCalls, 0);
    assert.equal(sup.restart("nope"), false);
  } finally {
    await sup.stop();
  }
});

Deno.test("operator restart(id) revives an escalated child", async () => {
  const a = new FakeSpec("a", "permanent", 200, { crashOnStart: true });
  const { sup, state, escalations } = supervise([a], { maxRestarts: 1 });
  try {
    await waitFor(() => escalations.length === 1, "escalation");
    assert.equal(state("a")?.state, "escalated");
    const starts = a.children.length;
    a.behaviour.crashOnStart = false;
    assert.equal(sup.restart("a"), true);
    assert.equal(a.children.length, starts + 1);
    assert.equal(state("a")?.state, "running");
    assert.equal(state("a")?.lastError, "restarted by operator");
  } finally {
    await sup.stop();
  }
});

Deno.test("operator restart(id) relaunches even a temporary child, at once and outside the intensity count", async () => {
  const t = new FakeSpec("t", "temporary");
  const { sup, state, escalations } = supervise([t], {
    backoffBaseMs: 5_000,
    backoffMaxMs: 5_000,
    maxRestarts: 1,
  });
  try {
    for (let i = 1; i <= 3; i++) {
      assert.equal(sup.restart("t"), true);
      await waitFor(() => t.children.length === i + 1, `incarnation ${i}`, 500);
    }
    assert.equal(state("t")?.state, "running");
    assert.equal(state("t")?.restarts, 3);
    assert.equal(escalations.length, 0);
    assert.equal(state("t")?.lastError, "restarted by operator");
  } finally {
    await sup.stop();
  }
});

Deno.test("a hung child's reason survives its kill in the status", async () => {
  const h = new FakeSpec("h", "temporary");
  const { sup, state } = supervise([h], { hangTimeoutMs: 60 });
  try {
    h.current.heartbeat(1, 0);
    await waitFor(() => h.current.killCalls === 1, "killed as hung", 2_000);
    assert.match(state("h")?.lastError ?? "", /^hung: no heartbeat for \d+ ms$/);
  } finally {
    await sup.stop();
  }
});
