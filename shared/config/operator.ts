// Operator channels: Telegram control and SMS alerts (Twilio), with the alert policy's knobs.
import { z } from "zod";
import { fraction, posInt } from "./fields.ts";

const E164 = /^\+[1-9]\d{6,14}$/;

/** "HH:MM" → minutes after local midnight. */
function minutesOf(hhmm: string): number | null {
  const m = /^(\d{1,2})(?::(\d{2}))?$/.exec(hhmm.trim());
  if (!m) return null;
  const h = Number(m[1]);
  const min = m[2] === undefined ? 0 : Number(m[2]);
  return h < 24 && min < 60 ? h * 60 + min : null;
}

export interface QuietHours {
  /** Minutes after local midnight; the window may wrap past midnight (start > end). */
  startMin: number;
  endMin: number;
}

/** "22-07" or "22:30-07:15" (local time); "off" or unset: no quiet hours. */
export function parseQuietHours(text: string): QuietHours | null | "invalid" {
  if (text.trim().toLowerCase() === "off") return null;
  const parts = text.split("-");
  if (parts.length !== 2) return "invalid";
  const startMin = minutesOf(parts[0]);
  const endMin = minutesOf(parts[1]);
  if (startMin === null || endMin === null || startMin === endMin) return "invalid";
  return { startMin, endMin };
}

export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const chatIds = z.string().default("").transform((s, ctx) => {
  const out: number[] = [];
  for (const part of s.split(",").map((x) => x.trim()).filter(Boolean)) {
    if (!/^-?\d{1,16}$/.test(part) || !Number.isSafeInteger(Number(part))) {
      ctx.addIssue({ code: "custom", message: `'${part}' is not an integer chat id` });
      return z.NEVER;
    }
    out.push(Number(part));
  }
  return out;
});

const phoneList = z.string().default("").transform((s, ctx) => {
  const out = s.split(",").map((x) => x.trim()).filter(Boolean);
  for (const p of out) {
    if (!E164.test(p)) {
      ctx.addIssue({ code: "custom", message: `'${p}' is not an E.164 number like +15551234567` });
      return z.NEVER;
    }
  }
  return out;
});

/** A base URL without a trailing slash (grammy refuses one; we join paths ourselves). */
const baseUrl = (dflt: string) =>
  z.string().url().default(dflt).refine((u) => /^https?:\/\//.test(u), {
    message: "expected an http(s) URL",
  }).transform((u) => u.replace(/\/+$/, ""));

export const OPERATOR_SETTINGS = {
  /** BotFather's token, "<bot id>:<secret>". Unset: no Telegram bot. */
  TELEGRAM_BOT_TOKEN: z.string().regex(/^\d+:[A-Za-z0-9_-]{20,}$/, {
    message: "expected a BotFather token like 123456789:AA…",
  }).optional(),
  /** Chats allowed to command the bot (comma-separated ids; group ids are negative). */
  TELEGRAM_ALLOWED_CHAT_IDS: chatIds,
  /** Bot API server: the public one, or a self-hosted telegram-bot-api. */
  TELEGRAM_API_ROOT: baseUrl("https://api.telegram.org"),
  /** Set: the integrator serves the webhook handler and registers this URL instead of polling. */
  TELEGRAM_WEBHOOK_URL: z.string().url().refine((u) => u.startsWith("https://"), {
    message: "Telegram only calls https:// webhooks",
  }).optional(),
  /** How long "/kill" waits for its confirmation. */
  TELEGRAM_KILL_CONFIRM_S: posInt(60),
  TWILIO_ACCOUNT_SID: z.string().regex(/^AC[0-9a-fA-F]{32}$/, {
    message: "expected AC followed by 32 hex digits",
  }).optional(),
  TWILIO_AUTH_TOKEN: z.string().min(8).optional(),
  /** Sender: an E.164 number, or a messaging service SID (MG…). */
  TWILIO_FROM: z.string().regex(/^(\+[1-9]\d{6,14}|MG[0-9a-fA-F]{32})$/, {
    message: "expected an E.164 number (+15551234567) or a messaging service SID (MG…)",
  }).optional(),
  /** Where alerts are texted (comma-separated E.164 numbers). */
  ALERT_SMS_TO: phoneList,
  /** Twilio's REST origin: a proxy or a stand-in may replace it. */
  TWILIO_API_BASE: baseUrl("https://api.twilio.com"),
  /** Warnings are held back in this local window ("22-07"); critical alerts never are. */
  ALERT_QUIET_HOURS: z.string().default("off").transform((s, ctx) => {
    const q = parseQuietHours(s);
    if (q === "invalid") {
      ctx.addIssue({
        code: "custom",
        message: "expected HH-HH or HH:MM-HH:MM (e.g. 22-07) or off",
      });
      return z.NEVER;
    }
    return q;
  }),
  ALERT_TIMEZONE: z.string().default("UTC").refine(isTimeZone, {
    message: "expected an IANA time zone such as Europe/Paris",
  }),
  /** The same code and message within this many seconds is sent once. */
  ALERT_DEDUP_S: posInt(600),
  /** Hard cap on texts per rolling hour, whatever their severity. */
  ALERT_MAX_PER_HOUR: posInt(10),
  /** Local time (ALERT_TIMEZONE) of the daily summary, "HH:MM", or "off". */
  ALERT_DAILY_SUMMARY_AT: z.string().default("08:00").transform((s, ctx) => {
    if (s.trim().toLowerCase() === "off") return null;
    const m = /^\d{2}:\d{2}$/.test(s.trim()) ? minutesOf(s) : null;
    if (m === null) {
      ctx.addIssue({ code: "custom", message: "expected HH:MM (24 h) or off" });
      return z.NEVER;
    }
    return m;
  }),
  /** A critical alert when the day's loss exceeds this fraction of the day's opening equity. */
  LOSS_ALERT_FRACTION: fraction(0.03),
};

interface OperatorFields {
  TWILIO_ACCOUNT_SID?: string;
  TWILIO_AUTH_TOKEN?: string;
  TWILIO_FROM?: string;
  ALERT_SMS_TO: string[];
  TELEGRAM_BOT_TOKEN?: string;
  TELEGRAM_ALLOWED_CHAT_IDS: number[];
}

/** Cross-field problems (an SMS setup is all or nothing; a bot needs someone to obey). */
export function operatorConfigProblems(c: OperatorFields): string[] {
  const problems: string[] = [];
  const twilio = {
    TWILIO_ACCOUNT_SID: c.TWILIO_ACCOUNT_SID,
    TWILIO_AUTH_TOKEN: c.TWILIO_AUTH_TOKEN,
    TWILIO_FROM: c.TWILIO_FROM,
    ALERT_SMS_TO: c.ALERT_SMS_TO.length > 0 ? "set" : undefined,
  };
  const set = Object.entries(twilio).filter(([, v]) => v !== undefined).map(([k]) => k);
  if (set.length > 0 && set.length < 4) {
    const missing = Object.keys(twilio).filter((k) => !set.includes(k));
    problems.push(`SMS alerts need ${missing.join(", ")} as well (set: ${set.join(", ")})`);
  }
  if (c.TELEGRAM_BOT_TOKEN !== undefined && c.TELEGRAM_ALLOWED_CHAT_IDS.length === 0) {
    problems.push("TELEGRAM_BOT_TOKEN is set but TELEGRAM_ALLOWED_CHAT_IDS is empty");
  }
  return problems;
}
