// Operator settings: defaults, parsing of lists, windows and times, errors that name the
// field without showing secrets, and the all-or-nothing SMS set-up.
import assert from "node:assert/strict";
import { ConfigError, parseConfig, redactedConfig } from "../../shared/config/mod.ts";
import { operatorConfigProblems, parseQuietHours } from "../../shared/config/operator.ts";

const TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw";

function problemsOf(env: Record<string, string>): string[] {
  try {
    parseConfig(env);
  } catch (e) {
    assert.ok(e instanceof ConfigError);
    return e.problems;
  }
  assert.fail(`accepted ${JSON.stringify(env)}`);
}

Deno.test("operator config: defaults are off, public endpoints, sane alert limits", () => {
  const c = parseConfig({});
  assert.equal(c.TELEGRAM_BOT_TOKEN, undefined);
  assert.deepEqual(c.TELEGRAM_ALLOWED_CHAT_IDS, []);
  assert.equal(c.TELEGRAM_API_ROOT, "https://api.telegram.org");
  assert.equal(c.TWILIO_API_BASE, "https://api.twilio.com");
  assert.deepEqual(c.ALERT_SMS_TO, []);
  assert.equal(c.ALERT_QUIET_HOURS, null);
  assert.equal(c.ALERT_TIMEZONE, "UTC");
  assert.equal(c.ALERT_DEDUP_S, 600);
  assert.equal(c.ALERT_MAX_PER_HOUR, 10);
  assert.equal(c.ALERT_DAILY_SUMMARY_AT, 8 * 60);
  assert.equal(c.LOSS_ALERT_FRACTION, 0.03);
  assert.equal(c.TELEGRAM_KILL_CONFIRM_S, 60);
  assert.deepEqual(operatorConfigProblems(c), []);
});

Deno.test("operator config: lists, windows, times and URLs are parsed", () => {
  const c = parseConfig({
    TELEGRAM_BOT_TOKEN: TOKEN,
    TELEGRAM_ALLOWED_CHAT_IDS: " 123, -1001234567890 ,",
    TELEGRAM_API_ROOT: "http://127.0.0.1:8081/",
    ALERT_SMS_TO: "+15551234567,+447700900123",
    TWILIO_API_BASE: "http://127.0.0.1:9999/twilio/",
    ALERT_QUIET_HOURS: "22:30-07",
    ALERT_TIMEZONE: "Europe/Paris",
    ALERT_DAILY_SUMMARY_AT: "18:45",
  });
  assert.deepEqual(c.TELEGRAM_ALLOWED_CHAT_IDS, [123, -1001234567890]);
  assert.equal(c.TELEGRAM_API_ROOT, "http://127.0.0.1:8081");
  assert.equal(c.TWILIO_API_BASE, "http://127.0.0.1:9999/twilio");
  assert.deepEqual(c.ALERT_SMS_TO, ["+15551234567", "+447700900123"]);
  assert.deepEqual(c.ALERT_QUIET_HOURS, { startMin: 22 * 60 + 30, endMin: 7 * 60 });
  assert.equal(c.ALERT_DAILY_SUMMARY_AT, 18 * 60 + 45);
  assert.equal(parseConfig({ ALERT_DAILY_SUMMARY_AT: "off" }).ALERT_DAILY_SUMMARY_AT, null);
  assert.deepEqual(parseQuietHours("9-17"), { startMin: 540, endMin: 1020 });
  assert.equal(parseQuietHours("off"), null);
  for (const bad of ["22", "25-07", "22-22", "a-b", "22-07-01", "22:61-07"]) {
    assert.equal(parseQuietHours(bad), "invalid", bad);
  }
});

Deno.test("operator config: bad values name the field and never echo a secret", () => {
  const p = problemsOf({
    TELEGRAM_BOT_TOKEN: "not-a-token-but-a-secret",
    TELEGRAM_ALLOWED_CHAT_IDS: "12,abc",
    ALERT_SMS_TO: "5551234",
    ALERT_QUIET_HOURS: "late",
    ALERT_TIMEZONE: "Mars/Olympus",
    ALERT_DAILY_SUMMARY_AT: "8am",
    TWILIO_ACCOUNT_SID: "SK123",
    TELEGRAM_WEBHOOK_URL: "http://example.com/hook",
  });
  const fields = p.map((x) => x.split(":")[0]).sort();
  assert.deepEqual(fields, [
    "ALERT_DAILY_SUMMARY_AT",
    "ALERT_QUIET_HOURS",
    "ALERT_SMS_TO",
    "ALERT_TIMEZONE",
    "TELEGRAM_ALLOWED_CHAT_IDS",
    "TELEGRAM_BOT_TOKEN",
    "TELEGRAM_WEBHOOK_URL",
    "TWILIO_ACCOUNT_SID",
  ]);
  assert.ok(p.every((x) => !x.includes("not-a-token-but-a-secret")));
  assert.ok(p.some((x) => x.startsWith("TELEGRAM_BOT_TOKEN") && x.includes("(secret)")));
  assert.ok(p.some((x) => x.includes("'abc' is not an integer chat id")));
});

Deno.test("operator config: secrets are masked; SMS needs all four settings; a bot needs chats", () => {
  const c = parseConfig({ TELEGRAM_BOT_TOKEN: TOKEN, TWILIO_AUTH_TOKEN: "twilio-secret-1" });
  const shown = redactedConfig(c);
  assert.equal(shown.TELEGRAM_BOT_TOKEN, "***");
  assert.equal(shown.TWILIO_AUTH_TOKEN, "***");
  assert.deepEqual(operatorConfigProblems(c), [
    "SMS alerts need TWILIO_ACCOUNT_SID, TWILIO_FROM, ALERT_SMS_TO as well (set: TWILIO_AUTH_TOKEN)",
    "TELEGRAM_BOT_TOKEN is set but TELEGRAM_ALLOWED_CHAT_IDS is empty",
  ]);
  const full = parseConfig({
    TWILIO_ACCOUNT_SID: `AC${"a".repeat(32)}`,
    TWILIO_AUTH_TOKEN: "twilio-secret-1",
    TWILIO_FROM: `MG${"b".repeat(32)}`,
    ALERT_SMS_TO: "+15551234567",
  });
  assert.deepEqual(operatorConfigProblems(full), []);
});
