// Restart policies, one-for-one isolation, exponential backoff and restart intensity of
// the Supervisor, driven by fake children whose exits the test triggers.
import assert from "node:assert/strict";
import { type Escalation, Supervisor } from "../../supervisor/supervisor.ts";
import type { SupervisorOptions } from "../../supervisor/spec.ts";
import { FakeSpec, memoryLogger, sleep, waitFor } from "./supervisor_fakes.ts";

const FAST: SupervisorOptions = {
  maxRestarts: 10,
  windowMs: 60_000,
  backoffBaseMs: 1,
  backoffMaxMs: 1,
  hangTimeoutMs: 60_000,
  startTimeoutMs: 60_000,
};

function supervise(specs: FakeSpec[], opts: Partial<SupervisorOptions> = {}) {
  const escalations: Escalation[] = [];
  const messages: [string, unknown][] = [];
  const log = memoryLogger();
  const sup = new Supervisor(
    { ...FAST, ...opts },
    log,
    (e) => escalations.push(e),
    (id, data) => messages.push([id, data]),
  );
  sup.start(specs);
  const state = (id: string) => sup.status().find((s) => s.id === id);
  return { sup, escalations, messages, log, state };
}

Deno.test("permanent child is restarted after a normal and after an abnormal exit", async () => {
  const a = new FakeSpec("a", "permanent");
  const { sup, state } = supervise([a]);
  try {
    assert.equal(a.children.length, 1);
    assert.equal(a.current.incarnation, 0);
    a.current.exit(true, null);
    await waitFor(() => a.children.length === 2, "restart after a normal exit");
    a.current.exit(false, "crashed");
    await waitFor(() => a.children.length === 3, "restart after a crash");
    assert.deepEqual(a.children.map((c) => c.incarnation), [0, 1, 2]);
    const s = state("a");
    assert.equal(s?.state, "running");
    assert.equal(s?.restarts, 2);
    assert.equal(s?.incarnation, 2);
    assert.equal(s?.lastError, "crashed");
  } finally {
    await sup.stop();
  }
});

Deno.test("transient child: a normal exit is final, an abnormal one restarts it", async () => {
  const done = new FakeSpec("feed-done", "transient");
  const crash = new FakeSpec("feed-crash", "transient");
  const { sup, state } = supervise([done, crash]);
  try {
    done.current.exit(true, null);
    crash.current.exit(false, "socket closed");
    await waitFor(() => crash.children.length === 2, "restart of the crashed transient child");
    await sleep(30);
    assert.equal(done.children.length, 1, "a transient child that ended normally was restarted");
    assert.equal(state("feed-done")?.state, "stopped");
    assert.equal(state("feed-done")?.restarts, 0);
    assert.equal(state("feed-crash")?.state, "running");
    assert.equal(state("feed-crash")?.restarts, 1);
  } finally {
    await sup.stop();
  }
});

Deno.test("temporary child is never restarted", async () => {
  const t = new FakeSpec("t", "temporary");
  const { sup, state } = supervise([t]);
  try {
    t.current.exit(false, "boom");
    await sleep(30);
    assert.equal(t.children.length, 1);
    assert.equal(state("t")?.state, "stopped");
    assert.equal(state("t")?.lastError, "boom");
  } finally {
    await sup.stop();
  }
});

Deno.test("one-for-one: a crashing child is restarted alone, its siblings are untouched", async () => {
  const a = new FakeSpec("a", "permanent");
  const b = new FakeSpec("b", "permanent");
  const c = new FakeSpec("c", "permanent");
  const { sup, state } = supervise([a, b, c]);
  try {
    b.current.exit(false, "crash");
    await waitFor(() => b.children.length === 2, "restart of b");
    assert.equal(a.children.length, 1);
    assert.equal(c.children.length, 1);
    for (const sibling of [a, c]) {
      assert.equal(sibling.current.stopCalls, 0);
      assert.equal(sibling.current.killCalls, 0);
      assert.equal(sibling.current.exited, false);
      assert.equal(state(sibling.id)?.restarts, 0);
      assert.equal(state(sibling.id)?.incarnation, 0);
    }
  } finally {
    await sup.stop();
  }
});

Deno.test("events of a replaced incarnation are ignored; messages reach onChildMessage", async () => {
  const a = new FakeSpec("a", "permanent");
  const { sup, state, messages } = supervise([a]);
  try {
    const old = a.current;
    old.exit(false, "crash");
    await waitFor(() => a.children.length === 2, "restart");
    old.heartbeat(99, 0);
    old.message("stale");
    assert.equal(state("a")?.processed, 0);
    a.current.heartbeat(7, 3);
    a.current.message({ type: "done" });
    assert.equal(state("a")?.processed, 7);
    assert.equal(state("a")?.inFlightMs, 3);
    assert.deepEqual(messages, [["a", { type: "done" }]]);
    sup.post("a", { hello: 1 });
    sup.post("missing", { hello: 2 });
    assert.deepEqual(a.current.posted, [{ hello: 1 }]);
    assert.deepEqual(old.posted, []);
  } finally {
    await sup.stop();
  }
});

Deno.test("restarts back off exponentially up to the cap", async () => {
  // Crashes at start every time: delays 30, 60, 120, 120 ms.
  const a = new FakeSpec("a", "permanent", 200, { crashOnStart: true });
  const { sup, log } = supervise([a], {
    backoffBaseMs: 30,
    backoffMaxMs: 120,
    maxRestarts: 100,
  });
  try {
    await waitFor(() => a.children.length >= 5, "five starts", 5_000);
  } finally {
    await sup.stop();
  }
  const gaps = a.startedAt.slice(1, 5).map((t, i) => t - a.startedAt[i]);
  const expected = [30, 60, 120, 120];
  gaps.forEach((gap, i) => {
    // Timers never fire early (1 ms for clock rounding); late firing is bounded generously.
    assert.ok(gap >= expected[i] - 1, `gap ${i} was ${gap} ms, expected ≥ ${expected[i]}`);
    assert.ok(gap < expected[i] + 150, `gap ${i} was ${gap} ms, expected about ${expected[i]}`);
  });
  const delays = log.lines.filter((l) => l.msg === "child exited; restarting")
    .map((l) => l.fields?.delayMs);
  assert.deepEqual(delays.slice(0, 4), expected);
});

Deno.test("progress (a heartbeat with processed > 0) resets the backoff", async () => {
  const a = new FakeSpec("a", "permanent");
  const { sup, log } = supervise([a], { backoffBaseMs: 10, backoffMaxMs: 1_000 });
  const delays = () =>
    log.lines.filter((l) => l.msg === "child exited; restarting").map((l) => l.fields?.delayMs);
  try {
    a.current.exit(false, "1");
    await waitFor(() => a.children.length === 2, "restart 1");
    a.current.exit(false, "2");
    await waitFor(() => a.children.length === 3, "restart 2");
    a.current.heartbeat(0, 0); // alive but no progress: no reset
    a.current.exit(false, "3");
    await waitFor(() => a.children.length === 4, "restart 3");
    a.current.heartbeat(5, 0);
    a.current.exit(false, "4");
    await waitFor(() => a.children.length === 5, "restart 4");
    assert.deepEqual(delays(), [10, 20, 40, 10]);
  } finally {
    await sup.stop();
  }
});

Deno.test("restart intensity: after R restarts within P the next exit escalates once, with no further restart", async () => {
  const a = new FakeSpec("a", "permanent", 200, { crashOnStart: true });
  const b = new FakeSpec("b", "permanent");
  const { sup, escalations, state } = supervise([a, b], { maxRestarts: 3, windowMs: 10_000 });
  try {
    await waitFor(() => escalations.length > 0, "an escalation");
    await sleep(50);
    assert.equal(escalations.length, 1);
    assert.equal(escalations[0].child, "a");
    assert.equal(escalations[0].restarts, 3);
    assert.equal(escalations[0].windowMs, 10_000);
    assert.equal(escalations[0].lastError, "boom");
    assert.equal(a.children.length, 4, "one start and exactly R = 3 restarts");
    assert.equal(state("a")?.state, "escalated");
    assert.equal(state("a")?.restarts, 3);
    // The sibling keeps running.
    assert.equal(b.children.length, 1);
    assert.equal(state("b")?.state, "running");
  } finally {
    await sup.stop();
  }
});

Deno.test("restart intensity: restarts spread wider than the window never escalate", async () => {
  // R = 1 within 40 ms, but each restart waits 60 ms: the previous one is always outside.
  const a = new FakeSpec("a", "permanent", 200, { crashOnStart: true });
  const { sup, escalations } = supervise([a], {
    maxRestarts: 1,
    windowMs: 40,
    backoffBaseMs: 60,
    backoffMaxMs: 60,
  });
  try {
    await waitFor(() => a.children.length >= 4, "four starts", 5_000);
    assert.deepEqual(escalations, []);
  } finally {
    await sup.stop();
  }
  // The same crash loop packed into the window escalates at the second exit.
  const b = new FakeSpec("b", "permanent", 200, { crashOnStart: true });
  const tight = supervise([b], { maxRestarts: 1, windowMs: 10_000 });
  try {
    await waitFor(() => tight.escalations.length > 0, "an escalation");
    assert.equal(b.children.length, 2);
  } finally {
    await tight.sup.stop();
  }
});
