// Wall-clock arithmetic in the operator's time zone (ALERT_TIMEZONE), through Intl only.
export interface LocalParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** 1 = Monday … 7 = Sunday. */
  weekday: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
const WEEKDAYS: Record<string, number> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };

function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: tz,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
      weekday: "short",
    });
    formatters.set(tz, f);
  }
  return f;
}

export function localParts(ms: number, tz: string): LocalParts {
  const p: Record<string, string> = {};
  for (const { type, value } of formatter(tz).formatToParts(new Date(ms))) p[type] = value;
  return {
    year: Number(p.year),
    month: Number(p.month),
    day: Number(p.day),
    hour: Number(p.hour),
    minute: Number(p.minute),
    second: Number(p.second),
    weekday: WEEKDAYS[p.weekday] ?? 1,
  };
}

/** Minutes after local midnight. */
export function localMinuteOfDay(ms: number, tz: string): number {
  const p = localParts(ms, tz);
  return p.hour * 60 + p.minute;
}

/** "YYYY-MM-DD" of the local calendar day. */
export function localDate(ms: number, tz: string): string {
  const p = localParts(ms, tz);
  return `${p.year}-${String(p.month).padStart(2, "0")}-${String(p.day).padStart(2, "0")}`;
}

/** "YYYY-MM-DD HH:MM" local. */
export function localStamp(ms: number, tz: string): string {
  const p = localParts(ms, tz);
  return `${localDate(ms, tz)} ${String(p.hour).padStart(2, "0")}:${
    String(p.minute).padStart(2, "0")
  }`;
}

/** The instant of the latest local midnight at or before `ms`. */
export function startOfLocalDay(ms: number, tz: string): number {
  const p = localParts(ms, tz);
  let t = ms - ((p.hour * 60 + p.minute) * 60 + p.second) * 1000 - (((ms % 1000) + 1000) % 1000);
  // A DST change between midnight and `ms` leaves t an hour off: step until local 00:00.
  for (let i = 0; i < 3; i++) {
    const q = localParts(t, tz);
    const off = (q.hour * 60 + q.minute) * 60_000;
    if (off === 0) break;
    t -= q.hour >= 12 ? off - 86_400_000 : off;
  }
  return t;
}

/** The instant the local week (Monday 00:00) containing `ms` began. */
export function startOfLocalWeek(ms: number, tz: string): number {
  const dayStart = startOfLocalDay(ms, tz);
  const back = localParts(ms, tz).weekday - 1;
  // Noon of the day `back` days earlier is unambiguous whatever DST does in between.
  return back === 0 ? dayStart : startOfLocalDay(dayStart - back * 86_400_000 + 43_200_000, tz);
}
