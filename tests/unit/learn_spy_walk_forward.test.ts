// The building blocks on real data: SPY daily closes 2010–2021 (../shared/data/etf_daily,
// yfinance export, already adjusted).
import assert from "node:assert/strict";
import { devDataPath, loadBarFile } from "../../shared/data/mod.ts";
import {
  baselineMetrics,
  collectOutOfSample,
  directionLabels,
  directionMetrics,
  leakWarning,
  oneHot,
  walkForwardSplits,
} from "../../shared/learn/mod.ts";

const HORIZON = 5;
const VOL_WINDOW = 20;

async function spy() {
  const series = await loadBarFile(devDataPath("etf_daily/SPY.csv"));
  const closes = series.bars.map((b) => b.close);
  const labels = directionLabels(closes, {
    horizon: HORIZON,
    volWindow: VOL_WINDOW,
    deadZone: 0.5,
  });
  const folds = walkForwardSplits({
    n: closes.length,
    trainSize: 504,
    testSize: 63,
    mode: "rolling",
    horizon: HORIZON,
    embargo: HORIZON,
  });
  return { closes, labels, folds };
}

Deno.test("SPY daily: labels are defined exactly where data allows, all classes occur", async () => {
  const { closes, labels } = await spy();
  assert.ok(closes.length > 3000, `${closes.length} bars`);
  labels.forEach((l, t) => {
    const defined = t >= VOL_WINDOW && t + HORIZON < closes.length;
    assert.equal(l !== null, defined, `label ${t}`);
  });
  const counts = { down: 0, flat: 0, up: 0 };
  for (const l of labels) if (l) counts[l.direction]++;
  const total = counts.down + counts.flat + counts.up;
  for (const [k, c] of Object.entries(counts)) {
    assert.ok(c / total > 0.15 && c / total < 0.6, `${k}: ${c} of ${total}`);
  }
  assert.ok(counts.up > counts.down, "SPY rose over 2010–2021");
});

Deno.test("SPY daily: baselines score every labelled test sample and raise no leak warning", async () => {
  const { closes, labels, folds } = await spy();
  const r = baselineMetrics(labels, folds, HORIZON);
  // tests run from 504 + 5 to the end; the last 5 bars have no label
  const expectedN = closes.length - 504 - HORIZON - HORIZON;
  for (const [name, m] of Object.entries(r.metrics)) {
    assert.equal(m.n, expectedN, name);
    assert.ok(
      m.accuracy !== null && m.accuracy > 0.25 && m.accuracy < 0.6,
      `${name}: ${m.accuracy}`,
    );
    assert.equal(leakWarning(m, "1d"), null, name);
  }
  assert.equal(r.previousDirectionFallbacks, 0);
});

Deno.test("SPY daily: a model that peeks at its own label is flagged as a leak", async () => {
  const { labels, folds } = await spy();
  const oos = collectOutOfSample(folds, labels, (t) => oneHot(labels[t]?.direction ?? "flat"));
  const m = directionMetrics(oos);
  assert.equal(m.accuracy, 1);
  assert.match(leakWarning(m, "1d") ?? "", /treat as a leak to hunt down/);
});
