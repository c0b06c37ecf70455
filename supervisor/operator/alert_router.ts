// The alert router: consumes ops.alerts as the consumer group "operator", applies the
// policy, texts (SMS) or posts (Telegram), falls back to Telegram when SMS fails, and on a
// timer sends the daily summary and raises the loss alert. A thin shell over pure parts.
import type { Bus } from "../../shared/bus/types.ts";
import { GroupConsumer } from "../../shared/bus/consumer.ts";
import {
  type Alert,
  decode,
  encode,
  makeEnvelope,
  messageId,
  STREAMS,
} from "../../shared/messages/mod.ts";
import type { Logger } from "../../shared/util/log.ts";
import { scrub } from "../../shared/util/log.ts";
import {
  type AlertPolicy,
  alertText,
  decide,
  type Decision,
  remember,
  type SentRecord,
} from "./alert_policy.ts";
import { type HeldBack, lossBreach, summaryDue, summaryText } from "./daily.ts";
import { localDate } from "./local_time.ts";
import { signedPct } from "./format.ts";
import { clipSms, type SmsSender } from "./sms.ts";
import type { OperatorView } from "./view.ts";

export interface Notifier {
  /** Resolves with how many chats got the text. */
  notify(text: string): Promise<number>;
}

export interface AlertRouterOptions {
  bus: Bus;
  policy: AlertPolicy;
  /** null: no SMS configured; everything goes to Telegram. */
  sms: SmsSender | null;
  smsTo: readonly string[];
  telegram: Notifier | null;
  view: OperatorView;
  log: Logger;
  /** Minutes after local midnight of the daily summary; null: none. */
  summaryAtMin: number | null;
  /** Day loss (fraction of the day's opening equity) that raises a critical alert; 0: off. */
  lossFraction: number;
  now?: () => number;
  /** Period of the summary and loss checks (default 30 s). */
  tickMs?: number;
  /** How long one read of ops.alerts blocks (default 1 s): bounds stop()'s wait. */
  blockMs?: number;
  group?: string;
}

export type Delivery = "sms" | "telegram" | "telegram-fallback" | "none";

export interface Outcome {
  at: number;
  code: string;
  decision: Decision;
  delivered: Delivery;
  error: string | null;
}

export interface AlertRouter {
  /** What happened to each alert, oldest first (the last 500). */
  readonly outcomes: readonly Outcome[];
  /** Runs the summary and loss checks now (the timer calls it too). */
  tick(): Promise<void>;
  stop(): Promise<void>;
}

const SUMMARY_KEY = "operator:summary:last";
const LOSS_KEY = "operator:loss:last";

export async function startAlertRouter(o: AlertRouterOptions): Promise<AlertRouter> {
  const now = o.now ?? Date.now;
  const group = o.group ?? "operator";
  const outcomes: Outcome[] = [];
  let history: SentRecord[] = [];
  const held: HeldBack = { quiet_hours: 0, rate_limit: 0, duplicate: 0 };
  let running = true;

  /** SMS to every number; any failure → the same text on Telegram, saying why. */
  const deliver = async (
    text: string,
    channel: "sms" | "telegram",
  ): Promise<{ delivered: Delivery; error: string | null }> => {
    let error: string | null = null;
    if (channel === "sms" && o.sms !== null && o.smsTo.length > 0) {
      const failures: string[] = [];
      for (const to of o.smsTo) {
        try {
          await o.sms.send(to, text);
        } catch (e) {
          failures.push(scrub((e as Error).message));
        }
      }
      if (failures.length === 0) return { delivered: "sms", error: null };
      error = failures[0];
      o.log.error("SMS failed; falling back to Telegram", { error, failed: failures.length });
      const got = o.telegram ? await o.telegram.notify(`(SMS failed) ${text}`) : 0;
      return { delivered: got > 0 ? "telegram-fallback" : "none", error };
    }
    const got = o.telegram ? await o.telegram.notify(text) : 0;
    if (got === 0) error = o.telegram ? "no Telegram chat received it" : "no channel configured";
    return { delivered: got > 0 ? "telegram" : "none", error };
  };

  const handle = async (alert: Alert): Promise<void> => {
    const at = now();
    const decision = decide(alert, at, history, o.policy);
    history = remember(history, decision, at, o.policy);
    let result: { delivered: Delivery; error: string | null } = { delivered: "none", error: null };
    if (decision.action === "send") {
      result = await deliver(clipSms(alertText(alert)), decision.channel);
      if (result.delivered === "none") {
        o.log.error("alert not delivered", { code: alert.code, error: result.error });
      }
    } else {
      held[decision.reason]++;
      o.log.info("alert suppressed", { code: alert.code, reason: decision.reason });
    }
    outcomes.push({ at, code: alert.code, decision, ...result });
    if (outcomes.length > 500) outcomes.shift();
  };

  await o.bus.ensureGroup(STREAMS.alerts, group, "$"); // a new group: no texts about the past
  const consumer = new GroupConsumer(o.bus, {
    group,
    consumer: `${group}-1`,
    streams: [STREAMS.alerts],
    count: 20,
    blockMs: o.blockMs ?? 1_000,
    maxDeliveries: 5,
    claimIdleMs: 30_000,
    claimEveryMs: 30_000,
    producer: "operator",
  });
  await consumer.start();

  const consume = async () => {
    while (running) {
      let batch;
      try {
        batch = await consumer.next();
      } catch (e) {
        if (!running) break;
        o.log.error("reading ops.alerts failed", { error: scrub((e as Error).message) });
        await new Promise((r) => setTimeout(r, 1_000));
        continue;
      }
      for (const d of batch) {
        const msg = decode(d.raw, STREAMS.alerts);
        if (msg.ok && msg.msg.type === "alert") {
          try {
            await handle(msg.msg.data);
          } catch (e) {
            o.log.error("alert handling failed", { error: scrub((e as Error).message) });
          }
        } else {
          o.log.warn("skipped an invalid alert", {
            entry: d.entryId,
            error: msg.ok ? "type" : msg.error,
          });
        }
        await consumer.ack(d);
      }
    }
  };
  const loop = consume();

  let firstTick = true;
  const tick = async () => {
    const at = now();
    const tz = o.policy.timeZone;
    if (o.summaryAtMin !== null) {
      const last = await o.bus.kvGet(SUMMARY_KEY);
      const { due, today } = summaryDue(at, tz, o.summaryAtMin, last);
      if (due && firstTick && last === null) {
        // The very first start, after today's summary time: the first summary is tomorrow's.
        await o.bus.kvSet(SUMMARY_KEY, today);
      } else if (due) {
        const [status, positions] = await Promise.all([o.view.status(), o.view.positions()]);
        const text = summaryText(today, status, positions, held);
        await o.bus.kvSet(SUMMARY_KEY, today);
        const r = await deliver(clipSms(text), "sms");
        held.quiet_hours = held.rate_limit = held.duplicate = 0;
        o.log.info("daily summary sent", { day: today, delivered: r.delivered });
      }
    }
    if (o.lossFraction > 0) {
      const pnl = await o.view.pnl();
      const loss = lossBreach(pnl, o.lossFraction);
      const today = localDate(pnl.asOf ?? at, tz);
      if (loss !== null && (await o.bus.kvGet(LOSS_KEY)) !== today) {
        await o.bus.kvSet(LOSS_KEY, today);
        const alert = makeEnvelope("alert", {
          id: messageId("operator", "alert", `loss_threshold:${today}`),
          producer: "operator",
          time: at,
          corr: `loss_threshold:${today}`,
        }, {
          severity: "critical",
          code: "loss_threshold",
          message: `day loss ${signedPct(-loss)} is beyond the ${
            signedPct(-o.lossFraction)
          } alert threshold`,
          details: { day: pnl.day, equity: pnl.equity, fraction: loss },
        });
        await o.bus.publish(STREAMS.alerts, encode(alert, STREAMS.alerts));
      }
    }
    firstTick = false;
  };
  const safeTick = async () => {
    try {
      await tick();
    } catch (e) {
      o.log.error("operator summary/loss check failed", { error: scrub((e as Error).message) });
    }
  };
  let ticking: Promise<void> = safeTick();
  const timer = setInterval(() => {
    ticking = ticking.then(safeTick);
  }, o.tickMs ?? 30_000);

  return {
    outcomes,
    tick() {
      const run = ticking.then(tick);
      ticking = run.catch(() => {});
      return run;
    },
    async stop() {
      running = false;
      clearInterval(timer);
      await ticking.catch(() => {});
      await loop;
    },
  };
}
