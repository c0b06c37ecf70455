import assert from "node:assert/strict";
import {
  parseSectorMap,
  readSectorMap,
  SectorMapError,
  splitCsvLine,
} from "../../agents/risk/sector_map.ts";
import { riskOptionsFromConfig } from "../../agents/risk/from_config.ts";
import { DEFAULT_RISK_OPTIONS } from "../../agents/risk/options.ts";
import { parseConfig } from "../../shared/config/mod.ts";

Deno.test("sector map: Symbol and Sector columns in any order, quotes allowed", () => {
  const map = parseSectorMap(
    'Name,Sector,Symbol\r\n"Alphabet, Inc. ""A""",Communication Services,GOOGL\nApple Inc.,Information Technology,AAPL\n\n',
  );
  assert.deepEqual(map, { GOOGL: "Communication Services", AAPL: "Information Technology" });
  assert.deepEqual(splitCsvLine('a,"b,c",'), ["a", "b,c", ""]);
  assert.equal(splitCsvLine('a,"b'), null);
});

Deno.test("sector map: the shared constituents file maps all 46 stocks to 11 sectors", () => {
  const map = readSectorMap("/work/shared/data/sp500_daily/constituents.csv");
  assert.equal(Object.keys(map).length, 46);
  assert.equal(new Set(Object.values(map)).size, 11);
  assert.equal(map.AAPL, "Information Technology");
  assert.equal(map.XOM, "Energy");
});

Deno.test("sector map: a bad file is an error naming the line", () => {
  const bad = (text: string, msg: RegExp) =>
    assert.throws(
      () => parseSectorMap(text, "m.csv"),
      (e) => e instanceof SectorMapError && msg.test(e.message),
    );
  bad("Ticker,Sector\nA,B", /m\.csv: line 1: the header needs Symbol and Sector columns/);
  bad("Symbol,Sector\nA,Tech\nB", /m\.csv: line 3: expected 2 fields, got 1/);
  bad("Symbol,Sector\nA,Tech\n,Energy", /line 3: empty Symbol/);
  bad("Symbol,Sector\nA,\n", /line 2: empty Sector for A/);
  bad("Symbol,Sector\nA,Tech\nA,Energy", /line 3: A is in both Tech and Energy/);
  bad('Symbol,Sector\n"A,Tech', /line 2: malformed quotes/);
  bad("Symbol,Sector\n", /line 1: no symbols/);
  assert.throws(
    () => readSectorMap("/nonexistent/x.csv"),
    /RISK_SECTOR_MAP: cannot read \/nonexistent\/x\.csv/,
  );
});

Deno.test("config: RISK_* defaults are the core's defaults; env values reach the options", () => {
  const fromDefaults = riskOptionsFromConfig(parseConfig({}));
  for (const [k, v] of Object.entries(fromDefaults)) {
    assert.deepEqual(v, DEFAULT_RISK_OPTIONS[k as keyof typeof DEFAULT_RISK_OPTIONS], k);
  }
  const c = parseConfig({
    RISK_SIZING: "vol_target",
    RISK_MAX_SECTOR_FRACTION: "0.3",
    RISK_SECTOR_MAP: "s.csv",
    RISK_MAX_OPEN_POSITIONS: "7",
    RISK_LOSS_STREAK_ACTION: "halted",
  });
  const opts = riskOptionsFromConfig(c, (p) => ({ [p]: "read" }));
  assert.equal(opts.sizing, "vol_target");
  assert.equal(opts.maxSectorFraction, 0.3);
  assert.deepEqual(opts.sectors, { "s.csv": "read" });
  assert.equal(opts.maxOpenPositions, 7);
  assert.equal(opts.lossStreakAction, "halted");
  assert.throws(() => parseConfig({ RISK_SIZING: "martingale" }), /RISK_SIZING/);
});
