// The operator's channels in one call: the Telegram bot (if TELEGRAM_BOT_TOKEN is set) and
// the alert router (SMS through Twilio when configured, else alerts to Telegram only).
import type { Config } from "../../shared/config/mod.ts";
import { operatorConfigProblems } from "../../shared/config/operator.ts";
import type { Bus } from "../../shared/bus/types.ts";
import { appendAudit, type Store } from "../../shared/storage/mod.ts";
import { type Logger, registerSecret } from "../../shared/util/log.ts";
import { type AlertRouter, startAlertRouter } from "./alert_router.ts";
import { createTwilioSender, type SmsSender } from "./sms.ts";
import { createTelegramChannel, type TelegramChannel } from "./telegram.ts";
import type { OperatorView } from "./view.ts";

export { createStoreView, type OperatorView } from "./view.ts";
export { type TelegramChannel, webhookSecret } from "./telegram.ts";
export type { AlertRouter } from "./alert_router.ts";

export interface OperatorDeps {
  config: Config;
  bus: Bus;
  store: Store;
  view: OperatorView;
  log: Logger;
  /** Test hooks: the router's clock and check period, the bot's long-poll timeout. */
  now?: () => number;
  tickMs?: number;
  pollTimeoutS?: number;
}

export interface OperatorChannels {
  telegram: TelegramChannel | null;
  router: AlertRouter | null;
  /** Settles once the bot polls (or its webhook is registered); rejects if it cannot start. */
  ready: Promise<void>;
  stop(): Promise<void>;
}

export async function startOperatorChannels(d: OperatorDeps): Promise<OperatorChannels> {
  const c = d.config;
  const problems = operatorConfigProblems(c);
  if (problems.length > 0) throw new Error(`operator channels: ${problems.join("; ")}`);
  registerSecret(c.TELEGRAM_BOT_TOKEN);
  registerSecret(c.TWILIO_AUTH_TOKEN);

  const telegram = c.TELEGRAM_BOT_TOKEN === undefined ? null : createTelegramChannel({
    token: c.TELEGRAM_BOT_TOKEN,
    apiRoot: c.TELEGRAM_API_ROOT,
    allowedChatIds: c.TELEGRAM_ALLOWED_CHAT_IDS,
    view: d.view,
    bus: d.bus,
    audit: async (e) => {
      await appendAudit(d.store.db, e);
    },
    log: d.log,
    killConfirmMs: c.TELEGRAM_KILL_CONFIRM_S * 1000,
    webhookUrl: c.TELEGRAM_WEBHOOK_URL,
    pollTimeoutS: d.pollTimeoutS,
  });
  const ready = telegram === null ? Promise.resolve() : telegram.start();
  ready.catch((e) => d.log.error("telegram bot did not start", { error: (e as Error).message }));

  let sms: SmsSender | null = null;
  if (c.TWILIO_ACCOUNT_SID && c.TWILIO_AUTH_TOKEN && c.TWILIO_FROM && c.ALERT_SMS_TO.length > 0) {
    sms = createTwilioSender({
      accountSid: c.TWILIO_ACCOUNT_SID,
      authToken: c.TWILIO_AUTH_TOKEN,
      from: c.TWILIO_FROM,
      apiBase: c.TWILIO_API_BASE,
    });
  }
  const router = sms === null && telegram === null ? null : await startAlertRouter({
    bus: d.bus,
    policy: {
      dedupMs: c.ALERT_DEDUP_S * 1000,
      maxPerHour: c.ALERT_MAX_PER_HOUR,
      quietHours: c.ALERT_QUIET_HOURS,
      timeZone: c.ALERT_TIMEZONE,
    },
    sms,
    smsTo: c.ALERT_SMS_TO,
    telegram,
    view: d.view,
    log: d.log,
    summaryAtMin: c.ALERT_DAILY_SUMMARY_AT,
    lossFraction: c.LOSS_ALERT_FRACTION,
    now: d.now,
    tickMs: d.tickMs,
  });
  d.log.info("operator channels", {
    telegram: telegram === null ? "off" : c.TELEGRAM_WEBHOOK_URL ? "webhook" : "long polling",
    sms: sms === null ? "off" : `${c.ALERT_SMS_TO.length} number(s)`,
    alerts: router === null ? "off" : sms === null ? "telegram only" : "sms + telegram fallback",
  });

  return {
    telegram,
    router,
    ready,
    async stop() {
      await router?.stop();
      await telegram?.stop();
    },
  };
}
