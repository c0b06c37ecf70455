// Decayed sentiment by hand: half-life weights, the window, and strict point in time.
import assert from "node:assert/strict";
import { decayedSentiment, decayWeight, type ScoredStory } from "../../shared/news/mod.ts";

const H = 3_600_000;
const opts = { halfLifeMs: 10 * H, maxAgeMs: 40 * H };
const s = (id: string, hoursBefore: number, score: number, at = 100 * H): ScoredStory => ({
  id,
  publishedAt: at - hoursBefore * H,
  score,
});

Deno.test("decayWeight: 1 fresh, 1/2 per half-life, 0 for a story from the future", () => {
  assert.equal(decayWeight(0, 10), 1);
  assert.equal(decayWeight(10, 10), 0.5);
  assert.equal(decayWeight(30, 10), 0.125);
  assert.equal(decayWeight(-1, 10), 0);
});

Deno.test("decayed mean and sum by hand", () => {
  const at = 100 * H;
  // Weights 1, 1/2, 1/4: sum = 0.8 - 0.2/2 + 0.4/4 = 0.8; weight = 1.75.
  const d = decayedSentiment([s("a", 0, 0.8), s("b", 10, -0.2), s("c", 20, 0.4)], at, opts);
  assert.equal(d.sum, 0.8 - 0.1 + 0.1);
  assert.equal(d.weight, 1.75);
  assert.equal(d.mean, (0.8 - 0.1 + 0.1) / 1.75);
  assert.equal(d.count, 3);
  assert.equal(d.latestAt, at);
});

Deno.test("only stories published in [T - maxAge, T] count; none gives zeros", () => {
  const at = 100 * H;
  const stories = [
    s("old", 40.001, 1),
    s("edge", 40, 0.5),
    s("future", -0.001, -1),
    s("now", 0, 0.25),
  ];
  const d = decayedSentiment(stories, at, opts);
  assert.equal(d.count, 2);
  assert.equal(d.weight, 1 + 1 / 16);
  assert.equal(d.sum, 0.25 + 0.5 / 16);
  assert.equal(d.latestAt, at);
  assert.deepEqual(decayedSentiment([s("future", -1, 1)], at, opts), {
    mean: 0,
    sum: 0,
    weight: 0,
    count: 0,
    latestAt: null,
  });
  // An hour later the future story has come in and the edge one has left the window.
  const later = decayedSentiment(stories, at + H, opts);
  assert.equal(later.count, 2);
  assert.equal(later.latestAt, at + 0.001 * H);
  assert.equal(
    later.sum,
    -decayWeight(0.999 * H, opts.halfLifeMs) + 0.25 * decayWeight(H, opts.halfLifeMs),
  );
});

Deno.test("the result does not depend on the order of the stories, bit for bit", () => {
  const stories = Array.from({ length: 50 }, (_, i) => s(`n${i}`, (i * 7) % 39, Math.sin(i) / 3));
  const ref = decayedSentiment(stories, 100 * H, opts);
  for (let k = 0; k < 5; k++) {
    const shuffled = stories.map((x, i) => [((i + 1) * 7919 * (k + 3)) % 101, x] as const)
      .sort((a, b) => a[0] - b[0]).map(([, x]) => x);
    assert.deepEqual(decayedSentiment(shuffled, 100 * H, opts), ref);
  }
});

Deno.test("bad options, query time or scores are refused by name", () => {
  assert.throws(
    () => decayedSentiment([], 0, { halfLifeMs: 0, maxAgeMs: 1 }),
    /halfLifeMs: expected a finite number > 0/,
  );
  assert.throws(() => decayedSentiment([], 0, { halfLifeMs: 1, maxAgeMs: -1 }), /maxAgeMs/);
  assert.throws(() => decayedSentiment([], NaN, opts), /query time NaN/);
  assert.throws(() => decayedSentiment([s("x", 1, NaN)], 100 * H, opts), /story x: score NaN/);
});
