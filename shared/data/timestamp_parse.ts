// Timestamps in the data files: "2010-01-04" (daily, read as 00:00 UTC of that date),
// "2011-08-18 00:00:00" (no offset: UTC) and "2023-07-10 09:35:00-0400" (offset suffix).
//
// The intraday files carry a "-0400" suffix that is wrong: their clock is really UTC (see
// shared/data/README.md in the data folder). The default policy therefore reads the
// wall-clock part as UTC and ignores the suffix; "honor-offset" applies it instead.

/** How an explicit UTC offset suffix in a timestamp is treated. */
export type OffsetPolicy = "wallclock-utc" | "honor-offset";
export const OFFSET_POLICIES: readonly OffsetPolicy[] = ["wallclock-utc", "honor-offset"];

export type ParsedTime = { ok: true; time: number } | { ok: false; error: string };

const TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3})\d*)?)?)?(Z|[+-]\d{2}:?\d{2})?$/;

export function parseTimestamp(text: string, policy: OffsetPolicy): ParsedTime {
  const fast = parsePlainFast(text);
  if (fast !== undefined) return { ok: true, time: fast };
  const m = TIMESTAMP.exec(text);
  if (!m) {
    return {
      ok: false,
      error: `'${text}' is not a date (YYYY-MM-DD) or date-time (YYYY-MM-DD HH:MM[:SS][±HHMM])`,
    };
  }
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const [hour, minute, second] = [Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0)];
  const millis = m[7] === undefined ? 0 : Number(m[7].padEnd(3, "0"));
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59) {
    return { ok: false, error: `'${text}' has a field out of range` };
  }
  if (day < 1 || day > daysInMonth(year, month)) {
    return { ok: false, error: `'${text}' is not a calendar date` };
  }
  const wall = Date.UTC(year, month - 1, day, hour, minute, second, millis);
  let time = wall;
  if (m[8] !== undefined && m[8] !== "Z" && policy === "honor-offset") {
    const sign = m[8][0] === "-" ? -1 : 1;
    const digits = m[8].slice(1).replace(":", "");
    const offsetMin = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2));
    time = wall - sign * offsetMin * 60_000;
  }
  if (time < 0) return { ok: false, error: `'${text}' is before 1970-01-01 UTC` };
  return { ok: true, time };
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/**
 * "YYYY-MM-DD" and "YYYY-MM-DD HH:MM:SS" without offset, the bulk of the data, parsed
 * without a regex; undefined sends anything else (or anything out of range) to the full
 * parser, which also produces the error message.
 */
function parsePlainFast(text: string): number | undefined {
  const n = text.length;
  if (n !== 10 && n !== 19) return undefined;
  if (text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45) return undefined;
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 2);
  const day = digits(text, 8, 2);
  let hour = 0;
  let minute = 0;
  let second = 0;
  if (n === 19) {
    const sep = text.charCodeAt(10);
    if ((sep !== 32 && sep !== 84) || text.charCodeAt(13) !== 58 || text.charCodeAt(16) !== 58) {
      return undefined;
    }
    hour = digits(text, 11, 2);
    minute = digits(text, 14, 2);
    second = digits(text, 17, 2);
  }
  if (
    year < 1970 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) ||
    hour > 23 || minute > 59 || second > 59
  ) return undefined;
  return Date.UTC(year, month - 1, day, hour, minute, second);
}

/** The integer in text[start, start+count) when all are digits, else -1 (fails the checks). */
function digits(text: string, start: number, count: number): number {
  let value = 0;
  for (let i = start; i < start + count; i++) {
    const c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    value = value * 10 + c;
  }
  return value;
}
