// Alpha Vantage's `time_published` ("20220103T165500") carries no zone. Evidence in the
// GOOG files says it is New York wall time, daylight saving included:
// - CNBC "Google parent Alphabet announces 20-for-1 stock split" is stamped 2022-02-01 16:19;
//   the split came with results released at 16:01 New York time (21:01 UTC). Read as UTC the
//   story would predate its own news by almost five hours.
// - MarketWatch's after-the-close write-ups ("… stock outperforms market on strong trading
//   day", 2022-12-07 16:30, 2022-12-27 16:46, 2023-01-24 17:15, 2023-04-05 17:22) fall just
//   after the 16:00 New York close; read as UTC they would sit in mid-session.
// - CNBC "Nvidia CEO Jensen Huang rejects talk of AI bubble" is stamped 2025-11-19 19:58; he
//   said it on the call after results released at 16:20 New York time (21:20 UTC).
// Stamps are often later than the true publication (the vendor's ingestion), never safely
// earlier, so reading them as New York time errs on the late, look-ahead-free side.
// A stamp of exactly 00:00:00 is a date without a time (no story carries 00:00:00 by chance
// at this rate): by default it is moved to the end of that local day, the latest moment
// the story can have appeared, so that it cannot reach a bar that closed before it.
export const NEWS_TIME_ZONE = "America/New_York";

export const MIDNIGHT_POLICIES = ["end-of-day", "as-is"] as const;
export type MidnightPolicy = (typeof MIDNIGHT_POLICIES)[number];

export interface PublishedTimeOptions {
  /** IANA zone of the wall-clock stamp (default America/New_York). */
  timeZone?: string;
  /** What a 00:00:00 stamp means: the end of that day (default) or midnight itself. */
  midnight?: MidnightPolicy;
}

export interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const STAMP = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})?$/;

/** "YYYYMMDDTHHMM[SS]" → its fields; throws naming the stamp when it is not a real time. */
export function parseStamp(stamp: string): WallTime {
  const m = STAMP.exec(stamp);
  if (!m) {
    throw new Error(`time_published '${stamp}': expected YYYYMMDDTHHMM or YYYYMMDDTHHMMSS`);
  }
  const [year, month, day, hour, minute] = m.slice(1, 6).map(Number);
  const second = m[6] === undefined ? 0 : Number(m[6]);
  const problems: string[] = [];
  if (year < 1970) problems.push(`year ${year} (before 1970)`);
  if (month < 1 || month > 12) problems.push(`month ${month}`);
  else if (day < 1 || day > daysInMonth(year, month)) problems.push(`day ${day}`);
  if (hour > 23) problems.push(`hour ${hour}`);
  if (minute > 59) problems.push(`minute ${minute}`);
  if (second > 59) problems.push(`second ${second}`);
  if (problems.length > 0) {
    throw new Error(`time_published '${stamp}': no such time (${problems.join(", ")})`);
  }
  return { year, month, day, hour, minute, second };
}

/** Vendor stamp → ms since epoch (UTC), under the policy above. */
export function publishedAtFromStamp(stamp: string, opts: PublishedTimeOptions = {}): number {
  const timeZone = opts.timeZone ?? NEWS_TIME_ZONE;
  const midnight = opts.midnight ?? "end-of-day";
  if (!MIDNIGHT_POLICIES.includes(midnight)) {
    throw new Error(`midnight: expected one of ${MIDNIGHT_POLICIES.join(", ")} (got ${midnight})`);
  }
  const wall = parseStamp(stamp);
  const dateOnly = wall.hour === 0 && wall.minute === 0 && wall.second === 0;
  if (dateOnly && midnight === "end-of-day") {
    return zonedWallTimeToEpoch({ ...wall, hour: 23, minute: 59, second: 59 }, timeZone);
  }
  return zonedWallTimeToEpoch(wall, timeZone);
}

/**
 * The instant at which the clocks of `timeZone` show `wall`. A wall time that occurs twice
 * (the autumn hour repeated) resolves to the later instant, the conservative reading for a
 * publication time; one that does not occur (the skipped spring hour) is read with the
 * offset in force before the change, i.e. 02:30 on a spring-forward night becomes 03:30.
 */
export function zonedWallTimeToEpoch(wall: WallTime, timeZone: string): number {
  const asUtc = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second);
  // Offsets in force a day and a half either side cover any single transition nearby.
  const before = zoneOffsetMs(asUtc - 36 * HOUR_MS, timeZone);
  const after = zoneOffsetMs(asUtc + 36 * HOUR_MS, timeZone);
  const valid = [asUtc - before, asUtc - after].filter((t) =>
    t + zoneOffsetMs(t, timeZone) === asUtc
  );
  if (valid.length > 0) return Math.max(...valid);
  return asUtc - before;
}

const HOUR_MS = 3_600_000;
const formatters = new Map<string, Intl.DateTimeFormat>();

/** Local wall time minus UTC at `epochMs` in `timeZone` (ms; −4 h for New York in summer). */
export function zoneOffsetMs(epochMs: number, timeZone: string): number {
  let f = formatters.get(timeZone);
  if (f === undefined) {
    try {
      f = new Intl.DateTimeFormat("en-US", {
        timeZone,
        hourCycle: "h23",
        year: "numeric",
        month: "2-digit",
        day: "2-digit",
        hour: "2-digit",
        minute: "2-digit",
        second: "2-digit",
      });
    } catch {
      throw new Error(`timeZone: '${timeZone}' is not an IANA time zone known to this runtime`);
    }
    formatters.set(timeZone, f);
  }
  const parts: Record<string, number> = {};
  for (const p of f.formatToParts(new Date(epochMs))) {
    if (p.type !== "literal") parts[p.type] = Number(p.value);
  }
  const wall = Date.UTC(
    parts.year,
    parts.month - 1,
    parts.day,
    parts.hour,
    parts.minute,
    parts.second,
  );
  return wall - (epochMs - (((epochMs % 1000) + 1000) % 1000));
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}
