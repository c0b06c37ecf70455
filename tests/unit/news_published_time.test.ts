// The time-zone policy of Alpha Vantage's time_published: New York wall time (DST included),
// checked against stories whose real publication time is known from the events they report.
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  loadNewsReplay,
  parseStamp,
  publishedAtFromStamp,
  zonedWallTimeToEpoch,
  zoneOffsetMs,
} from "../../shared/news/mod.ts";
import type { News } from "../../shared/messages/mod.ts";
import { fileURLToPath } from "node:url";

const NEWS = new URL("../../../shared/data/news/", import.meta.url);
const newsPath = (name: string) => fileURLToPath(new URL(name, NEWS));
const NY = "America/New_York";
const utc = (y: number, mo: number, d: number, h: number, mi: number, s = 0) =>
  Date.UTC(y, mo - 1, d, h, mi, s);

Deno.test("stamps are New York time: EST in winter (UTC-5), EDT in summer (UTC-4)", () => {
  assert.equal(publishedAtFromStamp("20220201T161900"), utc(2022, 2, 1, 21, 19));
  assert.equal(publishedAtFromStamp("20220726T165547"), utc(2022, 7, 26, 20, 55, 47));
  // Minutes only (the vendor's time_from format) is accepted as :00 seconds.
  assert.equal(publishedAtFromStamp("20220726T1655"), utc(2022, 7, 26, 20, 55));
  // The UTC reading stays available as an explicit choice.
  assert.equal(
    publishedAtFromStamp("20220201T161900", { timeZone: "UTC" }),
    utc(2022, 2, 1, 16, 19),
  );
});

Deno.test("DST transitions: the skipped spring hour moves forward, the repeated autumn hour takes the later instant", () => {
  // 2022-03-13: 02:00 EST → 03:00 EDT. 01:59 is EST, 03:00 is EDT, 02:30 does not exist.
  assert.equal(publishedAtFromStamp("20220313T015900"), utc(2022, 3, 13, 6, 59));
  assert.equal(publishedAtFromStamp("20220313T030000"), utc(2022, 3, 13, 7, 0));
  assert.equal(publishedAtFromStamp("20220313T023000"), utc(2022, 3, 13, 7, 30));
  // 2022-11-06: 02:00 EDT → 01:00 EST. 01:30 happens at 05:30Z and at 06:30Z: the later.
  assert.equal(publishedAtFromStamp("20221106T013000"), utc(2022, 11, 6, 6, 30));
  assert.equal(publishedAtFromStamp("20221106T003000"), utc(2022, 11, 6, 4, 30));
  assert.equal(publishedAtFromStamp("20221106T020000"), utc(2022, 11, 6, 7, 0));
});

Deno.test("a 00:00:00 stamp is a date only: it counts from the end of that New York day", () => {
  assert.equal(publishedAtFromStamp("20221205T000000"), utc(2022, 12, 6, 4, 59, 59));
  assert.equal(publishedAtFromStamp("20230526T000000"), utc(2023, 5, 27, 3, 59, 59));
  assert.equal(
    publishedAtFromStamp("20221205T000000", { midnight: "as-is" }),
    utc(2022, 12, 5, 5, 0),
  );
  // One second past midnight is a real time.
  assert.equal(publishedAtFromStamp("20221205T000001"), utc(2022, 12, 5, 5, 0, 1));
  assert.throws(
    () => publishedAtFromStamp("20221205T000000", { midnight: "noon" as never }),
    /midnight: expected one of end-of-day, as-is/,
  );
});

Deno.test("malformed or impossible stamps are refused, naming the stamp and the field", () => {
  const cases: [string, RegExp][] = [
    ["2022-01-03T16:55:00", /expected YYYYMMDDTHHMM/],
    ["20220103 165500", /expected YYYYMMDDTHHMM/],
    ["", /expected YYYYMMDDTHHMM/],
    ["20221301T000000", /'20221301T000000': no such time \(month 13\)/],
    ["20230229T120000", /day 29/],
    ["20220103T246000", /hour 24, minute 60/],
    ["20220103T120061", /second 61/],
    ["19691231T235959", /year 1969/],
  ];
  for (const [stamp, expected] of cases) assert.throws(() => parseStamp(stamp), expected, stamp);
  assert.deepEqual(parseStamp("20240229T235959"), {
    year: 2024,
    month: 2,
    day: 29,
    hour: 23,
    minute: 59,
    second: 59,
  });
  assert.throws(
    () => publishedAtFromStamp("20220103T120000", { timeZone: "Mars/Olympus" }),
    /timeZone: 'Mars\/Olympus'/,
  );
});

Deno.test("property: a wall time that exists maps to an instant that shows that wall time", () => {
  const start = utc(2000, 1, 1, 0, 0);
  const end = utc(2030, 1, 1, 0, 0);
  fc.assert(
    fc.property(fc.integer({ min: start / 1000, max: end / 1000 }), (sec) => {
      const t = sec * 1000;
      const offset = zoneOffsetMs(t, NY);
      assert.ok(offset === -4 * 3_600_000 || offset === -5 * 3_600_000, `${offset}`);
      const w = new Date(t + offset);
      const wall = {
        year: w.getUTCFullYear(),
        month: w.getUTCMonth() + 1,
        day: w.getUTCDate(),
        hour: w.getUTCHours(),
        minute: w.getUTCMinutes(),
        second: w.getUTCSeconds(),
      };
      const back = zonedWallTimeToEpoch(wall, NY);
      // Equal, or the later instant of a repeated autumn hour (one hour later).
      assert.ok(back === t || back === t + 3_600_000, `${new Date(t).toISOString()}`);
      assert.equal(back + zoneOffsetMs(back, NY), t + offset);
    }),
    { numRuns: 2_000 },
  );
});

function story(news: News[], title: string): News {
  const found = news.filter((n) => n.title === title);
  assert.equal(found.length, 1, `expected one story titled '${title}'`);
  return found[0];
}

Deno.test("evidence in the real files: stories land after the events they report only under New York time", async () => {
  const old = await loadNewsReplay([newsPath("GOOG_news_2022-01_2023-12.json.gz")]);
  const recent = await loadNewsReplay([newsPath("GOOG_news_2025-11_2025-12.json.gz")]);
  const asUtc = (n: News, stamp: string) => {
    assert.equal(publishedAtFromStamp(stamp), n.publishedAt, "stamp of the story");
    return publishedAtFromStamp(stamp, { timeZone: "UTC" });
  };
  // Alphabet announced the 20-for-1 split with its results on 2022-02-01 at 16:01 New York.
  const announced = utc(2022, 2, 1, 21, 1);
  const split = story(old, "Google parent Alphabet announces 20-for-1 stock split");
  assert.ok(split.publishedAt > announced);
  assert.ok(asUtc(split, "20220201T161900") < announced);
  // MarketWatch's after-the-close write-ups, stamped 16:30..17:22: after the 16:00 close
  // (read as UTC they would fall before it, while the session was still trading).
  const closeWriteUps: [string, string, number][] = [
    [
      "Amazon.com Inc. stock outperforms market on strong trading day",
      "20221207T163000",
      utc(2022, 12, 7, 21, 0),
    ],
    [
      "Salesforce Inc. stock rises Tuesday, outperforms market",
      "20221227T164600",
      utc(2022, 12, 27, 21, 0),
    ],
    [
      "Oracle Corp. stock rises Tuesday, outperforms market",
      "20230124T171500",
      utc(2023, 1, 24, 21, 0),
    ],
    [
      "Sirius XM Holdings Inc. stock rises Wednesday, outperforms market",
      "20230405T172200",
      utc(2023, 4, 5, 20, 0),
    ],
  ];
  for (const [title, stamp, close] of closeWriteUps) {
    const n = story(old, title);
    assert.ok(n.publishedAt > close, title);
    assert.ok(asUtc(n, stamp) < close, title);
  }
  // Nvidia released results on 2025-11-19 at 16:20 New York; the CEO spoke on the call after.
  const released = utc(2025, 11, 19, 21, 20);
  const huang = story(
    recent,
    "Nvidia CEO Jensen Huang rejects talk of AI bubble: 'We see something very different'",
  );
  assert.ok(huang.publishedAt > released);
  assert.ok(asUtc(huang, "20251119T195800") < released);
});
