// Which alerts become texts: decide(alert, now, history, policy) → send or suppress, with
// the reason. Pure: the router keeps the history of what it sent and passes the clock in.
//
// 1. duplicates: the same code and message sent within dedupMs is suppressed;
// 2. quiet hours: warnings (and info) are suppressed inside the local window; critical never;
// 3. rate limit: never more than maxPerHour sends in any rolling hour, whatever the severity.
// Critical alerts go by SMS (Telegram if SMS fails); warnings by SMS; info only to Telegram.
import type { QuietHours } from "../../shared/config/operator.ts";
import { localMinuteOfDay } from "./local_time.ts";

export type Severity = "critical" | "warning" | "info";

export interface AlertLike {
  severity: Severity;
  code: string;
  message: string;
}

export interface AlertPolicy {
  dedupMs: number;
  maxPerHour: number;
  quietHours: QuietHours | null;
  timeZone: string;
}

export interface SentRecord {
  at: number;
  key: string;
}

export type Decision =
  | { action: "send"; channel: "sms" | "telegram"; severity: Severity; key: string }
  | {
    action: "suppress";
    reason: "duplicate" | "quiet_hours" | "rate_limit";
    severity: Severity;
    key: string;
  };

export const HOUR_MS = 3_600_000;

/**
 * Codes that are critical whatever severity their producer gave: the crash-loop escalation,
 * the loss alert, and exchange errors that exhausted their retries (the executor reports
 * those as `venue_unavailable` warnings). Risk halts (kill switch, loss limits) arrive
 * critical already; their "stays HALTED" repeats are warnings and stay so.
 */
export const CRITICAL_CODES: ReadonlySet<string> = new Set([
  "restart_intensity",
  "loss_threshold",
  "venue_unavailable",
  "exchange_retries_exhausted",
]);

export function effectiveSeverity(a: AlertLike): Severity {
  return CRITICAL_CODES.has(a.code) ? "critical" : a.severity;
}

export const alertKey = (a: AlertLike): string => `${a.code}\u0000${a.message}`;

export function inQuietHours(now: number, q: QuietHours | null, tz: string): boolean {
  if (q === null) return false;
  const m = localMinuteOfDay(now, tz);
  return q.startMin < q.endMin ? m >= q.startMin && m < q.endMin : m >= q.startMin || m < q.endMin;
}

export function decide(
  alert: AlertLike,
  now: number,
  history: readonly SentRecord[],
  policy: AlertPolicy,
): Decision {
  const key = alertKey(alert);
  const severity = effectiveSeverity(alert);
  if (history.some((h) => h.key === key && now - h.at < policy.dedupMs)) {
    return { action: "suppress", reason: "duplicate", severity, key };
  }
  if (severity !== "critical" && inQuietHours(now, policy.quietHours, policy.timeZone)) {
    return { action: "suppress", reason: "quiet_hours", severity, key };
  }
  if (history.filter((h) => now - h.at < HOUR_MS).length >= policy.maxPerHour) {
    return { action: "suppress", reason: "rate_limit", severity, key };
  }
  return { action: "send", channel: severity === "info" ? "telegram" : "sms", severity, key };
}

/** The history after `d` at `now`, without records that can no longer matter. */
export function remember(
  history: readonly SentRecord[],
  d: Decision,
  now: number,
  policy: AlertPolicy,
): SentRecord[] {
  const horizon = Math.max(policy.dedupMs, HOUR_MS);
  const kept = history.filter((h) => now - h.at < horizon);
  if (d.action === "send") kept.push({ at: now, key: d.key });
  return kept;
}

/** The text of an alert: short enough for one or two SMS segments. */
export function alertText(a: AlertLike): string {
  const sev = effectiveSeverity(a).toUpperCase();
  return `[${sev}] ${a.code}: ${a.message}`;
}
