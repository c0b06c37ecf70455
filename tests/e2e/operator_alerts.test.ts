// Alerts end to end: ops.alerts on a memory bus → policy → the real twilio client against
// a Messages API stand-in, with the fallback to Telegram (real grammy, Bot API stand-in)
// when SMS fails; the daily summary and the loss alert on an injected clock.
import assert from "node:assert/strict";
import { parseConfig } from "../../shared/config/mod.ts";
import { encode, makeEnvelope, STREAMS } from "../../shared/messages/mod.ts";
import { upsertEquity } from "../../shared/storage/mod.ts";
import type { Bus } from "../../shared/bus/types.ts";
import type { Logger } from "../../shared/util/log.ts";
import { createStoreView, startOperatorChannels } from "../../supervisor/operator/mod.ts";
import { startTelegramStandIn } from "../support/telegram_standin.ts";
import { startTwilioStandIn } from "../support/twilio_standin.ts";
import {
  AGENTS,
  H,
  memoryBus,
  memoryStore,
  seedBook,
  TUESDAY,
} from "../support/operator_fixtures.ts";

const OPERATOR = 5_550_001;
const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };

let seq = 0;
async function publishAlert(
  bus: Bus,
  severity: "critical" | "warning" | "info",
  code: string,
  message: string,
): Promise<void> {
  const id = `test:alert:${code}:${seq++}`;
  const msg = makeEnvelope("alert", { id, producer: "supervisor", time: Date.now(), corr: id }, {
    severity,
    code,
    message,
    details: {},
  });
  await bus.publish(STREAMS.alerts, encode(msg, STREAMS.alerts));
}

async function until(cond: () => boolean, what: string, timeoutMs = 8_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function setUp(env: Record<string, string>, clock: { now: number }) {
  const sms = startTwilioStandIn();
  const tg = startTelegramStandIn();
  const store = await memoryStore();
  await seedBook(store);
  const bus = memoryBus("opal");
  const config = parseConfig({
    TELEGRAM_BOT_TOKEN: tg.token,
    TELEGRAM_ALLOWED_CHAT_IDS: String(OPERATOR),
    TELEGRAM_API_ROOT: tg.apiRoot,
    TWILIO_ACCOUNT_SID: sms.accountSid,
    TWILIO_AUTH_TOKEN: sms.authToken,
    TWILIO_FROM: "+15550000000",
    ALERT_SMS_TO: "+15551112222",
    TWILIO_API_BASE: sms.baseUrl,
    ALERT_TIMEZONE: "UTC",
    ...env,
  });
  const view = createStoreView({
    store,
    agents: () => Promise.resolve(AGENTS),
    tradingState: () => Promise.resolve("ACTIVE"),
    mode: "paper",
    initialCash: 10_000,
    timeZone: "UTC",
  });
  const channels = await startOperatorChannels({
    config,
    bus,
    store,
    view,
    log: quiet,
    now: () => clock.now,
    tickMs: 3_600_000,
    pollTimeoutS: 1,
  });
  await channels.ready;
  return {
    sms,
    tg,
    store,
    bus,
    channels,
    async [Symbol.asyncDispose]() {
      await channels.stop();
      await tg.close();
      await sms.close();
      await store.close();
      await bus.close();
    },
  };
}

Deno.test("alerts: critical by SMS at once, duplicates once, warnings quiet at night, Telegram when SMS fails", async () => {
  // 23:30 UTC: inside the quiet hours 22-07.
  const clock = { now: TUESDAY + 23.5 * H };
  await using h = await setUp({
    ALERT_QUIET_HOURS: "22-07",
    ALERT_DEDUP_S: "600",
    ALERT_MAX_PER_HOUR: "3",
    ALERT_DAILY_SUMMARY_AT: "off",
    LOSS_ALERT_FRACTION: "0",
  }, clock);
  const router = h.channels.router!;

  await publishAlert(
    h.bus,
    "critical",
    "restart_intensity",
    "agent meta exceeded its restart intensity",
  );
  await until(() => h.sms.messages.length === 1, "the first SMS");
  assert.equal(h.sms.messages[0].to, "+15551112222");
  assert.equal(h.sms.messages[0].from, "+15550000000");
  assert.equal(
    h.sms.messages[0].body,
    "[CRITICAL] restart_intensity: agent meta exceeded its restart intensity",
  );
  assert.ok(h.sms.requests.every((r) => r.authorized));

  // The same alert again: suppressed as a duplicate. A warning at night: quiet hours.
  await publishAlert(
    h.bus,
    "critical",
    "restart_intensity",
    "agent meta exceeded its restart intensity",
  );
  await publishAlert(h.bus, "warning", "stale_data", "no bar for BTC/USDT in 3 intervals");
  // Exhausted exchange retries come as a "warning" from the executor: still critical.
  await publishAlert(h.bus, "warning", "venue_unavailable", "submit of o1: timeout after 3 tries");
  await until(() => router.outcomes.length === 4, "four outcomes");
  assert.deepEqual(
    router.outcomes.map((
      o,
    ) => [o.code, o.decision.action === "send" ? "send" : o.decision.reason, o.delivered]),
    [
      ["restart_intensity", "send", "sms"],
      ["restart_intensity", "duplicate", "none"],
      ["stale_data", "quiet_hours", "none"],
      ["venue_unavailable", "send", "sms"],
    ],
  );
  assert.equal(h.sms.messages.length, 2);

  // SMS down: the alert reaches Telegram instead, saying so.
  h.sms.mode = "fail";
  await publishAlert(
    h.bus,
    "critical",
    "exchange_retries_exhausted",
    "binance: createOrder failed 5 times",
  );
  await until(() => router.outcomes.length === 5, "the fifth outcome");
  assert.equal(router.outcomes[4].delivered, "telegram-fallback");
  assert.match(router.outcomes[4].error ?? "", /Twilio refused the SMS \(500\/20500\)/);
  await h.tg.waitFor((c) => c.some((x) => x.method === "sendMessage"));
  const [fallback] = h.tg.callsOf("sendMessage", OPERATOR);
  assert.equal(
    fallback.params.text,
    "(SMS failed) [CRITICAL] exchange_retries_exhausted: binance: createOrder failed 5 times",
  );

  // Rate limit: 3 per hour were used (two SMS, one fallback); the next distinct one waits.
  h.sms.mode = "ok";
  await publishAlert(h.bus, "critical", "max_drawdown", "drawdown 26% beyond 25%");
  await until(() => router.outcomes.length === 6, "the sixth outcome");
  assert.equal(router.outcomes[5].decision.action, "suppress");
  assert.equal((router.outcomes[5].decision as { reason: string }).reason, "rate_limit");

  // An hour later the window has room again, and the duplicate window has passed.
  clock.now += H;
  await publishAlert(
    h.bus,
    "critical",
    "restart_intensity",
    "agent meta exceeded its restart intensity",
  );
  await until(() => router.outcomes.length === 7, "the seventh outcome");
  assert.equal(router.outcomes[6].delivered, "sms");
  assert.equal(h.sms.messages.length, 3);
});

Deno.test("alerts: the daily summary at the configured local time, and the loss alert once a day", async () => {
  // 07:59 in Paris (05:59 UTC in May, summer time): not yet.
  const clock = { now: TUESDAY + 5 * H + 59 * 60_000 };
  await using h = await setUp({
    ALERT_DAILY_SUMMARY_AT: "08:00",
    ALERT_TIMEZONE: "Europe/Paris",
    LOSS_ALERT_FRACTION: "0.2",
  }, clock);
  const router = h.channels.router!;
  await router.tick();
  assert.equal(h.sms.messages.length, 0);

  clock.now += 60_000; // 08:00 Paris
  await router.tick();
  assert.equal(h.sms.messages.length, 1);
  // Paris days: Tuesday began at Mon 22:00 UTC, so the Mon 12:00 UTC point opens the day.
  assert.equal(
    h.sms.messages[0].body,
    "Daily 2024-05-07: ACTIVE (paper). Equity 10,150.00. P&L day -150.00, week +50.00, " +
      "total +150.00 (+1.50%). Open 2: BTC/USDT 0.05, ETH/USDT 1.5. Agents 2/3 up.",
  );
  await router.tick();
  assert.equal(h.sms.messages.length, 1, "one summary per local day");

  // A 25 % fall of the day (threshold 20 %): one critical loss alert, texted once.
  await upsertEquity(h.store.db, {
    symbol: "BTC/USDT",
    barTime: TUESDAY + 11 * H,
    cash: 7_700,
    equity: 7_700,
    positions: [],
    fees: 0,
    barsProcessed: 2,
  });
  await router.tick();
  await router.tick();
  await until(() => h.sms.messages.length === 2, "the loss SMS");
  assert.equal(
    h.sms.messages[1].body,
    "[CRITICAL] loss_threshold: day loss -25.24% is beyond the -20.00% alert threshold",
  );
  const alerts = await h.bus.range(STREAMS.alerts);
  assert.equal(alerts.length, 1, "the loss alert is raised once a day");
});
