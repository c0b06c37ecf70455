import assert from "node:assert/strict";
import fc from "fast-check";
import {
  directionCall,
  emptyHitTrack,
  hitCount,
  type HitRateOptions,
  hitRateWeight,
  recordBar,
  recordCalls,
} from "../../shared/learn/hit_rate.ts";
import type { DirectionProbs } from "../../shared/learn/direction.ts";

const AGENTS = ["trend", "pattern"] as const;
const DAY = 86_400_000;

const probsArb: fc.Arbitrary<DirectionProbs> = fc.tuple(
  fc.integer({ min: 0, max: 10 }),
  fc.integer({ min: 0, max: 10 }),
  fc.integer({ min: 1, max: 10 }),
).map(([d, u, f]) => {
  const s = d + u + f;
  return { down: d / s, flat: f / s, up: u / s };
});

const scenarioArb = fc.record({
  closes: fc.array(fc.integer({ min: 95, max: 105 }), { minLength: 2, maxLength: 60 }),
  horizon: fc.integer({ min: 1, max: 3 }),
  window: fc.integer({ min: 1, max: 12 }),
  calls: fc.array(fc.tuple(probsArb, probsArb), { minLength: 60, maxLength: 60 }),
});

/** Hits among the newest `window` calls whose resolving close is at a bar index <= t. */
function reference(
  closes: number[],
  calls: [DirectionProbs, DirectionProbs][],
  agent: number,
  t: number,
  o: HitRateOptions,
) {
  const resolved: boolean[] = [];
  for (let i = 0; i + o.horizon <= t; i++) {
    const dir = directionCall(calls[i][agent]);
    const realised = Math.sign(closes[i + o.horizon] - closes[i]);
    if (dir === null || realised === 0) continue;
    resolved.push(dir === realised);
  }
  const last = resolved.slice(-o.window);
  return { hits: last.filter(Boolean).length, n: last.length };
}

Deno.test("hit rate: at bar t it counts exactly the calls resolved by closes up to t", () => {
  fc.assert(fc.property(scenarioArb, ({ closes, horizon, window, calls }) => {
    const o: HitRateOptions = { horizon, window, prior: 2, minResolved: 0 };
    const track = emptyHitTrack();
    closes.forEach((c, t) => {
      recordBar(track, t * DAY, c, o);
      for (let a = 0; a < AGENTS.length; a++) {
        assert.deepEqual(
          hitCount(track, AGENTS[a], t * DAY, o),
          reference(closes, calls, a, t, o),
          `agent ${AGENTS[a]} at bar ${t}`,
        );
      }
      recordCalls(track, t * DAY, AGENTS.map((agent, a) => ({ agent, probs: calls[t][a] })), o);
    });
  }));
});

Deno.test("hit rate: later bars and calls never change the count asked for an earlier bar", () => {
  fc.assert(fc.property(
    scenarioArb,
    fc.integer({ min: 0, max: 59 }),
    ({ closes, horizon, window, calls }, cut) => {
      const o: HitRateOptions = { horizon, window, prior: 2, minResolved: 0 };
      const t = Math.min(cut, closes.length - 1);
      const run = (n: number) => {
        const track = emptyHitTrack();
        for (let i = 0; i < n; i++) {
          recordBar(track, i * DAY, closes[i], o);
          recordCalls(track, i * DAY, AGENTS.map((agent, a) => ({ agent, probs: calls[i][a] })), o);
        }
        return AGENTS.map((a) => hitCount(track, a, t * DAY, o));
      };
      // the whole series, then only up to t: the count at t is the same
      assert.deepEqual(run(closes.length), run(t + 1));
    },
  ));
});

Deno.test("hit rate: the weight is 1 without enough history and grows with the hit rate", () => {
  const o = { prior: 5, minResolved: 20 };
  assert.equal(hitRateWeight({ hits: 19, n: 19 }, o), 1);
  assert.equal(hitRateWeight({ hits: 10, n: 20 }, o), 1);
  assert.ok(Math.abs(hitRateWeight({ hits: 15, n: 20 }, o) - 20 / 10) < 1e-12);
  assert.ok(hitRateWeight({ hits: 5, n: 20 }, o) < 1);
});

Deno.test("hit rate: an unchanged close resolves nothing; a redelivered bar is ignored", () => {
  const o: HitRateOptions = { horizon: 1, window: 10, prior: 1, minResolved: 0 };
  const track = emptyHitTrack();
  const up = { down: 0.2, flat: 0.2, up: 0.6 };
  recordBar(track, 0, 100, o);
  recordCalls(track, 0, [{ agent: "trend", probs: up }], o);
  recordBar(track, DAY, 100, o);
  assert.deepEqual(hitCount(track, "trend", DAY, o), { hits: 0, n: 0 });
  recordCalls(track, DAY, [{ agent: "trend", probs: up }], o);
  recordBar(track, 2 * DAY, 101, o);
  recordBar(track, 2 * DAY, 90, o); // redelivery with another close: ignored
  assert.deepEqual(hitCount(track, "trend", 2 * DAY, o), { hits: 1, n: 1 });
  assert.deepEqual(hitCount(track, "trend", DAY, o), { hits: 0, n: 0 });
  assert.throws(() => recordBar(track, 3 * DAY, 0, o), /close must be finite and > 0/);
});
