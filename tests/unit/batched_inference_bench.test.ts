// The model part of the benchmark: /proc status parsing, the latency verdict against the
// issue's target, the batch speed-up row, and the in-process chain's attribution of each
// core's time to the bar that caused it.
import assert from "node:assert/strict";
import fc from "fast-check";
import { addSample, NO_SAMPLES, parseProcStatus, procMemory } from "../bench/memory.ts";
import {
  batchRow,
  INFERENCE_TARGETS,
  latencyVerdict,
  totalPerBar,
} from "../bench/models_report.ts";
import { runChain } from "../bench/agent_latency.ts";
import type { AgentCore } from "../../agents/runtime/core.ts";
import { barId, makeEnvelope, messageId, STREAMS } from "../../shared/messages/mod.ts";

const STATUS = `Name:\tdeno
Threads:\t18
VmPeak:\t 9000000 kB
VmHWM:\t 1048576 kB
VmRSS:\t  524288 kB
`;

Deno.test("bench memory: VmRSS, VmHWM and Threads of /proc/<pid>/status, in MiB", () => {
  assert.deepEqual(parseProcStatus(STATUS), { rssMiB: 512, peakMiB: 1024, threads: 18 });
  assert.throws(() => parseProcStatus("Name: x\nThreads: 1\n"), /no 'VmRSS: N kB' line/);
  assert.throws(() => parseProcStatus(STATUS.replace("Threads", "T")), /no 'Threads: N'/);
  const self = procMemory("self");
  assert.ok(self === null || (self.rssMiB > 10 && self.peakMiB >= self.rssMiB));
  assert.equal(procMemory(2 ** 30), null);
  const s = addSample(addSample(NO_SAMPLES, { rssMiB: 5, peakMiB: 7, threads: 3 }), null);
  assert.deepEqual(addSample(s, { rssMiB: 4, peakMiB: 9, threads: 2 }), {
    maxRssMiB: 5,
    peakMiB: 9,
    maxThreads: 3,
    samples: 2,
  });
});

Deno.test("bench verdict: per agent p99 < 2 ms, all agents p99 < 5 ms", () => {
  const fast = Array.from({ length: 100 }, () => 0.5);
  const ok = latencyVerdict({ a: fast, b: fast, c: fast });
  assert.equal(ok.pass, true);
  assert.equal(ok.total.summary.p99, 1.5);
  // Every agent under 2 ms, but together over 5 ms: the total fails.
  const many = latencyVerdict(Object.fromEntries("abcdefg".split("").map((k) => [k, fast])));
  assert.ok(many.rows.every((r) => r.pass === true));
  assert.equal(many.total.pass, true);
  const slow = Array.from({ length: 100 }, () => 1.9);
  const sum = latencyVerdict({ a: slow, b: slow, c: slow });
  assert.ok(sum.rows.every((r) => r.pass === true));
  assert.equal(sum.total.pass, false);
  assert.equal(sum.pass, false);
  // One slow bar in 100 is above the p99; two are the p99, and exactly the target fails.
  const limit = INFERENCE_TARGETS.per_agent_p99_ms;
  assert.equal(latencyVerdict({ a: [...fast.slice(1), limit] }).rows[0].pass, true);
  const two = latencyVerdict({ a: [...fast.slice(2), limit, limit] }).rows[0];
  assert.equal(two.summary.p99, limit);
  assert.equal(two.pass, false);
  assert.equal(latencyVerdict({ a: [] }).pass, null);
  assert.throws(() => totalPerBar({ a: [1, 2], b: [1] }), /one sample per bar/);
  fc.assert(
    fc.property(
      fc.array(
        fc.array(fc.double({ min: 0, max: 10, noNaN: true }), { minLength: 5, maxLength: 5 }),
        {
          minLength: 1,
          maxLength: 6,
        },
      ),
      (lists) => {
        const per = Object.fromEntries(lists.map((xs, i) => [`agent${i}`, xs]));
        const total = totalPerBar(per);
        total.forEach((t, bar) => {
          const want = lists.reduce((s, xs) => s + xs[bar], 0);
          assert.ok(Math.abs(t - want) <= 1e-9 * Math.max(1, want));
        });
      },
    ),
  );
});

Deno.test("bench batch row: the speed-up is the ratio of the medians", () => {
  const r = batchRow("trend", 46, [10, 12, 14], [2, 3, 4], 0);
  assert.equal(r.speedup, 4);
  assert.equal(r.oneByOne.p50, 12);
  assert.equal(r.batched.n, 3);
  assert.equal(batchRow("x", 1, [], [], 0).speedup, null);
});

Deno.test("bench chain: each core's time goes to the bar that caused it, outputs flow on", async () => {
  const T0 = 1_700_000_000_000;
  const bar = (i: number) => {
    const time = T0 + i * 86_400_000;
    return {
      stream: STREAMS.bars,
      msg: makeEnvelope("bar", {
        id: messageId("feed", "bar", `X:${time}`),
        producer: "feed",
        time,
        corr: barId("X", time),
      }, {
        symbol: "X",
        timeframe: "1d",
        time,
        open: 1,
        high: 2,
        low: 0.5,
        close: 1.5,
        volume: 1,
        seq: i,
      }),
    };
  };
  const busy = (ms: number) => {
    const end = performance.now() + ms;
    while (performance.now() < end) { /* spin: CPU time */ }
  };
  // "first" turns each bar into an alert; "second" reads alerts only and fails on bar 3's.
  const first: AgentCore<number> = {
    name: "trend",
    inputs: [STREAMS.bars],
    init: () => 0,
    step(n, msg) {
      busy(2);
      return {
        state: n + 1,
        out: [{
          stream: STREAMS.alerts,
          msg: makeEnvelope("alert", {
            id: messageId("trend", "alert", msg.id),
            producer: "trend",
            time: msg.time,
            corr: msg.corr,
          }, { severity: "info", code: "x", message: String(n), details: {} }),
        }],
      };
    },
  };
  const seen: string[] = [];
  const second: AgentCore<number> = {
    name: "meta",
    inputs: [STREAMS.alerts],
    init: () => 0,
    step(n, msg) {
      seen.push(msg.corr);
      busy(4);
      if (msg.corr === bar(3).msg.corr) throw new Error("bad alert");
      return { state: n + 1, out: [] };
    },
  };
  const r = await runChain(
    [{ label: "first", core: first }, { label: "second", core: second }],
    [0, 1, 2, 3, 4].map(bar),
    2,
  );
  assert.equal(r.bars, 3);
  assert.deepEqual(seen, [0, 1, 2, 3, 4].map((i) => bar(i).msg.corr));
  assert.deepEqual(r.messages, { first: 3, second: 3 });
  assert.deepEqual(r.errors, { second: { count: 1, first: "bad alert" } });
  for (const ms of r.perBar.first) assert.ok(ms >= 2 && ms < 2 + 50, `first ${ms}`);
  for (const ms of r.perBar.second) assert.ok(ms >= 4 && ms < 4 + 50, `second ${ms}`);
  // CPU time of a spin is about its wall time (less when the machine is loaded).
  for (const ms of r.cpuPerBar.second) assert.ok(ms > 0 && ms <= r.perBar.second[0] + 50);
});
