// Row validation, ordering, gaps and the reject/drop policies, on small synthetic files
// whose every line is known.
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  barsFromCsvText,
  DataValidationError,
  type LoadOptions,
  ROW_ERROR_KINDS,
  summarizeReport,
} from "../../shared/data/mod.ts";
import { BarSchema } from "../../shared/messages/schemas.ts";

const HEADER = "timestamp,open,high,low,close,volume";
const csv = (...rows: string[]) => [HEADER, ...rows].join("\n") + "\n";
const load = (text: string, opts: LoadOptions = {}) => barsFromCsvText("T_1d.csv", text, opts);
const kinds = (text: string, opts: LoadOptions = {}) =>
  load(text, { policy: "drop", ...opts }).report.issues.map((i) => [i.line, i.kind]);

Deno.test("each bad row is reported with its physical line and kind, then dropped", () => {
  const text = csv(
    "2021-01-04,10,11,9,10.5,100", // line 2 ok
    "2021-01-05,10,11,9", // 3 malformed
    "2021-01-06,10,abc,9,10,100", // 4 bad-number
    "2021-13-07,10,11,9,10,100", // 5 bad-timestamp
    "2021-01-08,0,11,9,10,100", // 6 non-positive
    "2021-01-11,10,9,11,10,100", // 7 high below low
    "2021-01-12,10,10.2,9,10.5,100", // 8 high below close
    "2021-01-13,10,11,9,10,-5", // 9 negative volume
    "2021-01-14,10,11,9,NaN,100", // 10 bad-number
    "", // 11 blank: ignored
    "2021-01-15,10,11,9,10,0", // 12 ok (zero volume is fine)
  );
  const got = load(text, { policy: "drop" });
  assert.deepEqual(got.report.issues.map((i) => [i.line, i.kind]), [
    [3, "malformed-row"],
    [4, "bad-number"],
    [5, "bad-timestamp"],
    [6, "non-positive-price"],
    [7, "high-below-low"],
    [8, "high-low-outside-open-close"],
    [9, "negative-volume"],
    [10, "bad-number"],
  ]);
  assert.ok(got.report.issues.every((i) => i.file === "T_1d.csv" && i.message.length > 0));
  assert.deepEqual(got.bars.map((b) => b.time), [Date.UTC(2021, 0, 4), Date.UTC(2021, 0, 15)]);
  assert.equal(got.report.dataRows, 10);
  assert.equal(got.report.keptRows, 2);
  assert.equal(got.report.droppedRows, 8);
  assert.match(summarizeReport(got.report), /2\/10 rows kept, 8 dropped/);
});

Deno.test("reject (the default) throws listing the first issues and the count", () => {
  const rows = ["2021-01-04,10,11,9,10.5,100"];
  for (let d = 5; d <= 20; d++) rows.push(`2021-01-${String(d).padStart(2, "0")},10,11,9,x,100`);
  const text = csv(...rows);
  assert.throws(() => load(text), (e: unknown) => {
    assert.ok(e instanceof DataValidationError);
    assert.match(e.message, /T_1d\.csv: 16 invalid row\(s\) under policy "reject"/);
    assert.match(e.message, /T_1d\.csv:3 bad-number: close 'x' is not a number/);
    assert.match(e.message, /\.\.\. and 6 more$/);
    assert.equal(e.errors.length, 16);
    assert.equal(e.report.keptRows, 1);
    return true;
  });
  assert.throws(() => load(text, { maxIssuesInError: 20 }), (e: Error) => !/more/.test(e.message));
});

Deno.test("a newest-first file is reversed without issues", () => {
  const got = load(csv(
    "2021-01-06,12,13,11,12.5,100",
    "2021-01-05,11,12,10,11.5,100",
    "2021-01-04,10,11,9,10.5,100",
  ));
  assert.equal(got.report.reversed, true);
  assert.deepEqual(got.report.issues, []);
  assert.deepEqual(got.bars.map((b) => b.open), [10, 11, 12]);
});

Deno.test("one out-of-order row is an issue; a wild future date costs only its own row", () => {
  assert.deepEqual(
    kinds(csv(
      "2021-01-04,10,11,9,10,1",
      "2021-01-06,10,11,9,10,1",
      "2021-01-05,10,11,9,10,1", // line 4: goes back
      "2021-01-07,10,11,9,10,1",
    )),
    [[4, "out-of-order"]],
  );
  const wild = load(
    csv(
      "2021-01-04,10,11,9,10,1",
      "2031-01-05,10,11,9,10,1", // line 3: typo year
      "2021-01-05,10,11,9,10,1",
      "2021-01-06,10,11,9,10,1",
      "2021-01-07,10,11,9,10,1",
    ),
    { policy: "drop" },
  );
  assert.deepEqual(wild.report.issues.map((i) => [i.line, i.kind]), [[3, "out-of-order"]]);
  assert.equal(wild.bars.length, 4);
  // In a reversed file the order check runs on the reversed rows.
  assert.deepEqual(
    kinds(csv(
      "2021-01-08,10,11,9,10,1",
      "2021-01-07,10,11,9,10,1",
      "2021-01-04,10,11,9,10,1", // line 4: too early for its place
      "2021-01-06,10,11,9,10,1",
      "2021-01-05,10,11,9,10,1",
    )),
    [[4, "out-of-order"]],
  );
});

Deno.test("duplicate timestamps keep the first row and name it", () => {
  const got = load(
    csv("2021-01-04,10,11,9,10,1", "2021-01-05,10,11,9,10,1", "2021-01-05,20,21,19,20,1"),
    { policy: "drop" },
  );
  assert.deepEqual(got.report.issues.map((i) => [i.line, i.kind]), [[4, "duplicate-timestamp"]]);
  assert.match(got.report.issues[0].message, /already on line 3/);
  assert.equal(got.bars[1].open, 10);
});

Deno.test("gaps: business-daily > 4 days, crypto any day, intraday within a session", () => {
  // Fri 2021-01-08 → Tue 01-12 is a long weekend (4 days): no gap. Tue → Mon 01-18: 6 days.
  const equity = load(csv(
    "2021-01-07,10,11,9,10,1",
    "2021-01-08,10,11,9,10,1",
    "2021-01-12,10,11,9,10,1",
    "2021-01-13,10,11,9,10,1",
    "2021-01-19,10,11,9,10,1",
    "2021-01-20,10,11,9,10,1",
  ));
  assert.equal(equity.report.assetClass, "equity");
  assert.deepEqual(equity.report.issues.map((i) => [i.line, i.kind]), [[6, "gap"]]);
  assert.equal(equity.bars.length, 6, "gaps are reported, not dropped");
  assert.match(equity.report.issues[0].message, /6 days; limit 4 × 1d/);
  const wider = load(
    csv("2021-01-13,10,11,9,10,1", "2021-01-14,10,11,9,10,1", "2021-01-19,10,11,9,10,1"),
    {
      gapPolicy: { maxSpacingFactor: 5 },
    },
  );
  assert.deepEqual(wider.report.issues, []);

  // Weekend dates → calendar-daily (crypto): one missing day is a gap.
  const crypto = load(csv(
    "2021-01-08,10,11,9,10,1",
    "2021-01-09,10,11,9,10,1",
    "2021-01-10,10,11,9,10,1",
    "2021-01-12,10,11,9,10,1",
  ));
  assert.equal(crypto.report.assetClass, "crypto");
  assert.deepEqual(crypto.report.issues.map((i) => [i.line, i.kind]), [[5, "gap"]]);

  const intraday = barsFromCsvText(
    "X_5min.csv",
    csv(
      "2023-07-10 15:50:00,10,11,9,10,1",
      "2023-07-10 15:55:00,10,11,9,10,1",
      "2023-07-10 16:00:00,10,11,9,10,1",
      "2023-07-11 09:35:00,10,11,9,10,1", // overnight: not a gap
      "2023-07-11 09:40:00,10,11,9,10,1",
      "2023-07-11 09:50:00,10,11,9,10,1", // 09:45 missing: gap
    ),
  );
  assert.equal(intraday.timeframe, "5m");
  assert.deepEqual(intraday.report.issues.map((i) => [i.line, i.kind]), [[7, "gap"]]);
});

Deno.test("float-noise high/low are snapped and reported, not rejected", () => {
  // HYG.csv line 878 (etf_daily): high 45.42940139770507 vs close 45.42940139770508.
  const got = load(
    csv("2013-06-25,45.021941479475736,45.42940139770507,45.021941479475736,45.42940139770508,1"),
    { timeframe: "1d" },
  );
  assert.deepEqual(got.report.issues.map((i) => [i.line, i.kind]), [[2, "rounding-repaired"]]);
  assert.equal(got.bars[0].high, 45.42940139770508);
  assert.ok(!ROW_ERROR_KINDS.has("rounding-repaired"));
  assert.throws(
    () => load(csv("2013-06-25,45,45.4,45,45.5,1"), { timeframe: "1d" }),
    DataValidationError,
  );
});

Deno.test("timestamps off the timeframe grid and unix mismatches are row errors", () => {
  assert.deepEqual(
    kinds(csv(
      "2023-07-10 09:35:00,10,11,9,10,1",
      "2023-07-10 09:40:00,10,11,9,10,1",
      "2023-07-10 09:47:00,10,11,9,10,1",
      "2023-07-10 09:50:00,10,11,9,10,1",
    )),
    [[4, "misaligned-timestamp"], [5, "gap"]],
  );
  const btc = "timestamp,open,close,volume,unix_timestamp,high,low\n" +
    "2021-01-01 00:00:00,10,10.5,1,1609459200,11,9\n" +
    "2021-01-02 00:00:00,10,10.5,1,1609459200,11,9\n";
  const got = barsFromCsvText("BTC_1d.csv", btc, { policy: "drop", timeframe: "1d" });
  assert.deepEqual(got.report.issues.map((i) => [i.line, i.kind]), [[3, "timestamp-mismatch"]]);
});

Deno.test("options are validated with the field named", () => {
  const text = csv("2021-01-04,10,11,9,10,1", "2021-01-05,10,11,9,10,1");
  // deno-lint-ignore no-explicit-any
  const bad = (o: any) => () => load(text, o);
  assert.throws(bad({ policy: "skip" }), /policy='skip': accepted values are reject, drop/);
  assert.throws(bad({ adjust: "yes" }), /adjust='yes'/);
  assert.throws(bad({ offsetPolicy: "local" }), /offsetPolicy='local'/);
  assert.throws(bad({ assetClass: "fx" }), /assetClass='fx'/);
  assert.throws(bad({ timeframe: "5 min" }), /invalid timeframe '5 min'/);
  assert.throws(bad({ gapPolicy: { maxSpacingFactor: 0.5 } }), /maxSpacingFactor=0.5/);
  assert.throws(() => load(HEADER + "\n"), /T_1d\.csv: no data rows after the header/);
  assert.throws(
    () => load(csv("2021-01-04,10,11,9,x,1"), { policy: "drop" }),
    /no valid rows; 1 invalid row\(s\):\n {2}T_1d\.csv:2 bad-number/,
  );
  assert.throws(() => load(csv("2021-01-04,10,11,9,10,1")), /pass it explicitly/);
  assert.equal(load(csv("2021-01-04,10,11,9,10,1"), { timeframe: "1d" }).bars.length, 1);
});

// Random files: every row is either a valid bar or corrupted in one known way.
const day = (i: number) =>
  new Date(Date.UTC(2020, 0, 1) + i * 86_400_000).toISOString().slice(0, 10);
const rowArb = fc.record({
  day: fc.integer({ min: 0, max: 60 }),
  low: fc.double({ min: 1, max: 100, noNaN: true }),
  span: fc.double({ min: 0, max: 10, noNaN: true }),
  a: fc.double({ min: 0, max: 1, noNaN: true }),
  b: fc.double({ min: 0, max: 1, noNaN: true }),
  volume: fc.integer({ min: 0, max: 1e9 }),
  corrupt: fc.constantFrom("none", "none", "none", "price", "cells", "number", "volume"),
});

Deno.test("property: under drop every kept bar is schema-valid, ascending, and every dropped row has an error", () => {
  fc.assert(
    fc.property(fc.array(rowArb, { minLength: 2, maxLength: 40 }), (specs) => {
      const lines = specs.map((s) => {
        const high = s.low + s.span;
        const open = s.low + s.a * s.span;
        const close = s.low + s.b * s.span;
        switch (s.corrupt) {
          case "price":
            return `${day(s.day)},${open},${s.low - 0.5},${high},${close},${s.volume}`;
          case "cells":
            return `${day(s.day)},${open},${high}`;
          case "number":
            return `${day(s.day)},${open},${high},,${close},${s.volume}`;
          case "volume":
            return `${day(s.day)},${open},${high},${s.low},${close},-1`;
          default:
            return `${day(s.day)},${open},${high},${s.low},${close},${s.volume}`;
        }
      });
      const text = csv(...lines);
      let got;
      try {
        got = load(text, { policy: "drop", timeframe: "1d", assetClass: "crypto" });
      } catch (e) {
        assert.match((e as Error).message, /no valid rows/);
        return;
      }
      const { bars, report } = got;
      for (let i = 0; i < bars.length; i++) {
        assert.ok(BarSchema.safeParse({ ...bars[i], seq: i }).success, JSON.stringify(bars[i]));
        if (i > 0) assert.ok(bars[i].time > bars[i - 1].time);
      }
      const errorLines = new Set(
        report.issues.filter((i) => ROW_ERROR_KINDS.has(i.kind)).map((i) => i.line),
      );
      assert.equal(report.droppedRows, errorLines.size);
      assert.equal(report.keptRows + report.droppedRows, specs.length);
      specs.forEach((s, i) => {
        if (s.corrupt !== "none") assert.ok(errorLines.has(i + 2), `line ${i + 2} not reported`);
      });
      // reject fails exactly when drop found a row error.
      let threw = false;
      try {
        load(text, { timeframe: "1d", assetClass: "crypto" });
      } catch (e) {
        threw = e instanceof DataValidationError;
      }
      assert.equal(threw, errorLines.size > 0);
    }),
    { numRuns: 300 },
  );
});
