// NYSE sessions from the local calendar: weekends and exchange holidays (nyse-holidays) are
// closed; on trading days New York time 04:00–09:30 is pre-market, 09:30–16:00 the regular
// session, 16:00–20:00 after-hours. Early closes (13:00 on some half days) are not in the
// calendar; the venue's own clock covers them.
import { getHolidays } from "nyse-holidays";

export type Session = "closed" | "pre" | "regular" | "post";

const NY = new Intl.DateTimeFormat("en-US", {
  timeZone: "America/New_York",
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
  hour: "2-digit",
  minute: "2-digit",
  weekday: "short",
  hourCycle: "h23",
});

/** New York local date (YYYY-MM-DD), weekday and minute of day at `epochMs`. */
export function newYorkTime(epochMs: number): { date: string; weekday: string; minute: number } {
  const parts: Record<string, string> = {};
  for (const p of NY.formatToParts(new Date(epochMs))) parts[p.type] = p.value;
  return {
    date: `${parts.year}-${parts.month}-${parts.day}`,
    weekday: parts.weekday,
    minute: Number(parts.hour) * 60 + Number(parts.minute),
  };
}

const holidayCache = new Map<number, Set<string>>();
function holidays(year: number): Set<string> {
  let set = holidayCache.get(year);
  if (!set) {
    set = new Set(getHolidays(year).map((h) => h.dateString));
    holidayCache.set(year, set);
  }
  return set;
}

export function isTradingDay(date: string, weekday: string): boolean {
  if (weekday === "Sat" || weekday === "Sun") return false;
  return !holidays(Number(date.slice(0, 4))).has(date);
}

export function nyseSession(epochMs: number): Session {
  const t = newYorkTime(epochMs);
  if (!isTradingDay(t.date, t.weekday)) return "closed";
  if (t.minute >= 4 * 60 && t.minute < 9 * 60 + 30) return "pre";
  if (t.minute >= 9 * 60 + 30 && t.minute < 16 * 60) return "regular";
  if (t.minute >= 16 * 60 && t.minute < 20 * 60) return "post";
  return "closed";
}
