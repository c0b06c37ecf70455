import assert from "node:assert/strict";
import { devDataPath } from "../../shared/data/dev_data_path.ts";
import { loadBarFile } from "../../shared/data/bar_file_read.ts";
import { resampleBars } from "../../shared/data/resample.ts";
import { loadSeries } from "../../shared/train/orchestrate.ts";

Deno.test("train --timeframe 15m on 5-minute files builds the same bars the feed replays", async () => {
  const file = devDataPath("intraday_5m/QQQ_5min.csv");
  const { series } = await loadSeries([file], "15m");
  const raw = await loadBarFile(file);
  const expected = resampleBars(raw.bars, "15m");
  assert.equal(series[0].timeframe, "15m");
  assert.equal(series[0].bars.length, expected.length);
  assert.ok(series[0].bars.length < raw.bars.length / 2.5);
  assert.deepEqual(series[0].bars.slice(0, 50), expected.slice(0, 50));
  // A 15-minute bar opens with the 5-minute bar that starts at its open time.
  const first = series[0].bars[0];
  const start = raw.bars.find((b) => b.time === first.time);
  assert.ok(start !== undefined);
  assert.equal(first.open, start.open);
});

Deno.test("train refuses a timeframe finer than the files", async () => {
  await assert.rejects(
    () => loadSeries([devDataPath("etf_daily/SPY.csv")], "15m"),
    /cannot resample 1d to 15m/,
  );
});
