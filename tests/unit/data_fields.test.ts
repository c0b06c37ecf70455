// Timeframes, decimal cells and timestamps: the scalar parsers under the bar loaders.
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  DAY_MS,
  formatTimeframe,
  inferTimeframeMs,
  parseDecimal,
  parseTimeframe,
  parseTimestamp,
} from "../../shared/data/mod.ts";
import { DECIMAL_LITERAL } from "../../shared/data/numeric_field.ts";

Deno.test("parseTimeframe reads ccxt-style strings and rejects others by name", () => {
  assert.equal(parseTimeframe("1m"), 60_000);
  assert.equal(parseTimeframe("5m"), 300_000);
  assert.equal(parseTimeframe("15m"), 900_000);
  assert.equal(parseTimeframe("4h"), 14_400_000);
  assert.equal(parseTimeframe("1d"), DAY_MS);
  assert.equal(parseTimeframe("1w"), 7 * DAY_MS);
  for (const bad of ["", "5", "m", "0m", "05m", "5min", "1M", "1.5h", "-1d", " 1d"]) {
    assert.throws(
      () => parseTimeframe(bad),
      (e: Error) => e.message.startsWith(`invalid timeframe '${bad}'`),
    );
  }
});

Deno.test("formatTimeframe uses the largest exact unit and round-trips", () => {
  assert.equal(formatTimeframe(300_000), "5m");
  assert.equal(formatTimeframe(90 * 60_000), "90m");
  assert.equal(formatTimeframe(3_600_000), "1h");
  assert.equal(formatTimeframe(DAY_MS), "1d");
  assert.equal(formatTimeframe(14 * DAY_MS), "2w");
  assert.throws(() => formatTimeframe(1500), /whole number of minutes/);
  assert.throws(() => formatTimeframe(0), /whole number of minutes/);
  fc.assert(fc.property(fc.integer({ min: 1, max: 100_000 }), (minutes) => {
    const ms = minutes * 60_000;
    assert.equal(parseTimeframe(formatTimeframe(ms)), ms);
  }));
});

Deno.test("inferTimeframeMs takes the median step: weekends and nights do not move it", () => {
  // Mon..Fri for three weeks: steps are 1d (x12) and 3d (x2).
  const start = Date.UTC(2021, 0, 4);
  const weekdays = Array.from({ length: 21 }, (_, i) => start + i * DAY_MS)
    .filter((t) => new Date(t).getUTCDay() % 6 !== 0);
  assert.equal(inferTimeframeMs(weekdays), DAY_MS);
  // Two sessions of 5m bars with an overnight break.
  const day1 = Array.from({ length: 10 }, (_, i) => start + 9 * 3_600_000 + i * 300_000);
  const day2 = day1.map((t) => t + DAY_MS);
  assert.equal(inferTimeframeMs([...day1, ...day2]), 300_000);
  assert.throws(() => inferTimeframeMs([start]), /fewer than 2 distinct timestamps/);
  assert.throws(() => inferTimeframeMs([start, start]), /fewer than 2 distinct timestamps/);
});

Deno.test("parseDecimal accepts exactly the decimal literals (checked against the regex)", () => {
  assert.equal(parseDecimal("619.86"), 619.86);
  assert.equal(parseDecimal("1.9265781400000002"), 1.9265781400000002);
  assert.equal(parseDecimal("7.00000700001"), 7.00000700001);
  assert.equal(parseDecimal(" 2.5 "), 2.5);
  for (const bad of ["", " ", "nan", "NaN", "Infinity", "0x10", "0b1", "1e", "1,5", "1e400"]) {
    assert.equal(parseDecimal(bad), undefined, `'${bad}' must not parse`);
  }
  const cell = fc.oneof(
    fc.string({ unit: fc.constantFrom(..."0123456789.-+eExob Iinf_ "), maxLength: 8 }),
    fc.double({ noNaN: true }).map(String),
  );
  fc.assert(
    fc.property(cell, (text) => {
      const trimmed = text.trim();
      const expected = DECIMAL_LITERAL.test(trimmed) && Number.isFinite(Number(trimmed))
        ? Number(trimmed)
        : undefined;
      assert.equal(parseDecimal(text), expected, JSON.stringify(text));
    }),
    { numRuns: 2000 },
  );
});

Deno.test("parseDecimal's fast path is bit-identical to Number() on plain decimals", () => {
  const plain = fc.tuple(
    fc.constantFrom("", "-", "+"),
    fc.string({ unit: fc.constantFrom(..."0123456789"), minLength: 1, maxLength: 17 }),
    fc.option(fc.string({ unit: fc.constantFrom(..."0123456789"), maxLength: 17 })),
  ).map(([sign, whole, frac]) => `${sign}${whole}${frac === null ? "" : `.${frac}`}`);
  fc.assert(
    fc.property(plain, (text) => {
      assert.ok(Object.is(parseDecimal(text), Number(text)), text);
    }),
    { numRuns: 5000 },
  );
  assert.ok(Object.is(parseDecimal("-0"), -0));
  assert.equal(parseDecimal("0.596878742448"), 0.596878742448);
  assert.equal(parseDecimal("123456789012345.6"), 123456789012345.6);
});

Deno.test("parseTimestamp: dates are 00:00 UTC, the offset suffix follows the policy", () => {
  const ok = (text: string, policy: "wallclock-utc" | "honor-offset" = "wallclock-utc") => {
    const r = parseTimestamp(text, policy);
    assert.ok(r.ok, `${text}: ${r.ok ? "" : r.error}`);
    return r.time;
  };
  assert.equal(ok("2010-01-04"), Date.UTC(2010, 0, 4));
  assert.equal(ok("2011-08-18 00:00:00"), Date.UTC(2011, 7, 18));
  // The intraday files' "-0400" is not trusted by default: wall clock read as UTC.
  assert.equal(ok("2023-07-10 09:35:00-0400"), Date.UTC(2023, 6, 10, 9, 35));
  assert.equal(ok("2023-07-10 09:35:00-0400", "honor-offset"), Date.UTC(2023, 6, 10, 13, 35));
  assert.equal(ok("2023-07-10T09:35:00+05:30", "honor-offset"), Date.UTC(2023, 6, 10, 4, 5));
  assert.equal(ok("2023-07-10 09:35:00Z", "honor-offset"), Date.UTC(2023, 6, 10, 9, 35));
  assert.equal(ok("2024-02-29"), Date.UTC(2024, 1, 29));
  for (
    const bad of [
      "2023-02-29",
      "2023-13-01",
      "2023-04-31",
      "2023-07-10 24:00:00",
      "07/10/2023",
      "1969-12-31",
      "",
    ]
  ) {
    const r = parseTimestamp(bad, "wallclock-utc");
    assert.equal(r.ok, false, bad);
  }
  fc.assert(fc.property(fc.integer({ min: 0, max: 4_102_444_800 }), (seconds) => {
    const iso = new Date(seconds * 1000).toISOString().slice(0, 19).replace("T", " ");
    assert.equal(ok(iso), seconds * 1000);
  }));
});
