// The Telegram shell: grammy transports updates to the pure answers and the kill/resume
// control, after checking the chat against TELEGRAM_ALLOWED_CHAT_IDS. Every update from a
// chat (allowed or not) leaves an audit row; no update, however malformed, stops the bot.
import { Bot, type Context, InlineKeyboard, webhookCallback } from "grammy";
import { createHash } from "node:crypto";
import type { Bus } from "../../shared/bus/types.ts";
import type { AuditEntry, JsonValue } from "../../shared/storage/mod.ts";
import type { TradingState } from "../../shared/messages/mod.ts";
import { type Logger, registerSecret, scrub } from "../../shared/util/log.ts";
import { answer, COMMAND_HELP, parseCommand, READ_COMMANDS } from "./answers.ts";
import { KillConfirmations, publishCommand } from "./control.ts";
import { fitScreen } from "./format.ts";
import type { OperatorView } from "./view.ts";

export interface TelegramOptions {
  token: string;
  apiRoot: string;
  allowedChatIds: readonly number[];
  view: OperatorView;
  bus: Bus;
  audit(entry: AuditEntry): Promise<void>;
  log: Logger;
  /** How long a /kill waits for its confirmation. */
  killConfirmMs: number;
  /** Set: register this webhook instead of long polling. */
  webhookUrl?: string;
  /** How long kill/resume watch the trading state before answering (default 5 s). */
  effectWaitMs?: number;
  /** Long polling timeout in seconds (default 30). */
  pollTimeoutS?: number;
  now?: () => number;
}

export interface TelegramChannel {
  readonly bot: Bot;
  /** Long polling (or the webhook registration) has started. */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** For the integrator's HTTP server when TELEGRAM_WEBHOOK_URL is set (checks the secret). */
  webhookHandler: (req: Request) => Promise<Response>;
  /** Sends `text` to every allowed chat; resolves with how many got it. */
  notify(text: string): Promise<number>;
}

/** The webhook's secret_token, derived from the bot token: known to Telegram and to us only. */
export function webhookSecret(token: string): string {
  return createHash("sha256").update(`webhook:${token}`).digest("hex");
}

/**
 * An error as one log-safe line. grammy's HttpError wraps the fetch error, whose message
 * holds the request URL, and that URL holds the bot token: it is scrubbed out.
 */
export function errorText(e: unknown): string {
  const cause = (e as { error?: unknown })?.error;
  const text = e instanceof Error ? e.message : String(e);
  const full = cause === undefined ? text : `${text} (${String(cause)})`;
  return scrub(full).slice(0, 300);
}

interface Who {
  actor: string;
  chatId: number;
}

function whoOf(ctx: Context, chatId: number): Who {
  const from = ctx.from;
  const id = typeof from?.id === "number" ? from.id : "unknown";
  const name = typeof from?.username === "string" ? ` (@${from.username})` : "";
  return { actor: `telegram:${id}${name}`, chatId };
}

export function createTelegramChannel(o: TelegramOptions): TelegramChannel {
  registerSecret(o.token);
  const now = o.now ?? Date.now;
  const allowed = new Set(o.allowedChatIds);
  const confirmations = new KillConfirmations(o.killConfirmMs);
  const effectWaitMs = o.effectWaitMs ?? 5_000;
  const bot = new Bot(o.token, { client: { apiRoot: o.apiRoot } });
  const secret = webhookSecret(o.token);

  const audit = async (
    who: Who,
    command: string,
    args: Record<string, JsonValue>,
    effect: string,
  ) => {
    try {
      await o.audit({
        time: now(),
        actor: who.actor,
        channel: "telegram",
        command,
        args: { chat_id: who.chatId, ...args },
        effect,
      });
    } catch (e) {
      o.log.error("could not write the audit log", { command, error: errorText(e) });
    }
  };

  const reply = async (ctx: Context, text: string, keyboard?: InlineKeyboard) => {
    try {
      await ctx.reply(text, keyboard ? { reply_markup: keyboard } : {});
    } catch (e) {
      o.log.warn("telegram reply failed", { error: errorText(e) });
    }
  };

  /** Polls the trading state until it is `want`, for up to effectWaitMs. */
  const waitForState = async (want: TradingState): Promise<TradingState | null> => {
    const deadline = Date.now() + effectWaitMs;
    let last: TradingState | null = null;
    for (;;) {
      try {
        last = await o.view.tradingState();
      } catch (e) {
        o.log.warn("could not read the trading state", { error: errorText(e) });
      }
      if (last === want || Date.now() >= deadline) return last;
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  const flattenWords = (f: boolean | undefined) =>
    f === true
      ? "and flatten every position"
      : f === false
      ? "and keep positions open"
      : "(positions: flattened per the KILL_FLATTEN setting)";

  const executeKill = async (ctx: Context, who: Who, flatten: boolean | undefined) => {
    let id: string;
    try {
      id = await publishCommand(o.bus, {
        command: "kill",
        issuedBy: who.actor,
        reason: "kill switch (Telegram)",
        flatten,
        now: now(),
      });
    } catch (e) {
      const why = errorText(e);
      await audit(who, "kill", { flatten: flatten ?? null }, `failed: ${why}`);
      await reply(
        ctx,
        `KILL FAILED: could not publish the command (${why}). Use the admin API (POST /kill) or stop the bot.`,
      );
      return;
    }
    const state = await waitForState("HALTED");
    const effect = state === "HALTED"
      ? "trading HALTED"
      : `published; trading state still ${state ?? "unknown"} after ${effectWaitMs} ms`;
    await audit(who, "kill", { flatten: flatten ?? null, command_id: id }, effect);
    await reply(
      ctx,
      fitScreen([
        state === "HALTED" ? "KILL SWITCH: trading HALTED." : "KILL SWITCH sent.",
        `Trading state: ${state ?? "unknown"}${state === "HALTED" ? "" : " (check /status)"}`,
        "Open orders: cancelled by risk on HALTED",
        `Positions: ${
          flatten === true ? "flattening" : flatten === false ? "kept" : "per KILL_FLATTEN"
        }`,
        `By ${who.actor}, command ${id}`,
        "Send /resume to trade again.",
      ]),
    );
  };

  const onKill = async (ctx: Context, who: Who, args: string[]) => {
    const word = args[0];
    if (word === "confirm" || word === "yes") {
      const r = confirmations.confirm(who.chatId, null, now());
      if (!r.ok) {
        await audit(
          who,
          "kill confirm",
          {},
          `refused: ${r.why === "none" ? "nothing pending" : r.why}`,
        );
        await reply(
          ctx,
          r.why === "expired"
            ? "That kill request expired. Send /kill again."
            : "No kill is pending. Send /kill first.",
        );
        return;
      }
      await executeKill(ctx, who, r.flatten);
      return;
    }
    if (word === "cancel" || word === "no") {
      const done = confirmations.cancel(who.chatId, null);
      await audit(who, "kill cancel", {}, done ? "cancelled" : "nothing pending");
      await reply(ctx, done ? "Kill cancelled. Trading goes on." : "No kill is pending.");
      return;
    }
    if (word !== undefined && !["flatten", "keep", "noflatten"].includes(word)) {
      await audit(who, "kill", { args }, "refused: bad arguments");
      await reply(ctx, "Usage: /kill [flatten|keep], then confirm (button or /kill confirm).");
      return;
    }
    const flatten = word === "flatten" ? true : word === undefined ? undefined : false;
    const p = confirmations.request(who.chatId, flatten, now());
    const seconds = Math.round(o.killConfirmMs / 1000);
    await audit(who, "kill", { flatten: flatten ?? null }, "confirmation requested");
    await reply(
      ctx,
      `Halt trading: cancel open orders, set HALTED ${flattenWords(flatten)}?\n` +
        `Confirm within ${seconds} s: press Confirm or send /kill confirm.`,
      new InlineKeyboard().text("Confirm kill", `kill:yes:${p.nonce}`).text(
        "Cancel",
        `kill:no:${p.nonce}`,
      ),
    );
  };

  const onResume = async (ctx: Context, who: Who) => {
    let id: string;
    try {
      id = await publishCommand(o.bus, {
        command: "resume",
        issuedBy: who.actor,
        reason: "resume (Telegram)",
        now: now(),
      });
    } catch (e) {
      const why = errorText(e);
      await audit(who, "resume", {}, `failed: ${why}`);
      await reply(ctx, `Resume failed: could not publish the command (${why}).`);
      return;
    }
    const state = await waitForState("ACTIVE");
    await audit(
      who,
      "resume",
      { command_id: id },
      state === "ACTIVE" ? "trading ACTIVE" : `published; trading state ${state ?? "unknown"}`,
    );
    await reply(
      ctx,
      `Resume sent. Trading state: ${state ?? "unknown"}${
        state === "ACTIVE" ? "" : " (check /status)"
      }\n` +
        `Command ${id}`,
    );
  };

  const onCallback = async (ctx: Context, who: Who) => {
    const data = ctx.callbackQuery?.data;
    const m = typeof data === "string" ? /^kill:(yes|no):([A-Za-z0-9-]{1,16})$/.exec(data) : null;
    const ack = async (text: string) => {
      try {
        await ctx.answerCallbackQuery({ text });
      } catch (e) {
        o.log.warn("answerCallbackQuery failed", { error: errorText(e) });
      }
    };
    const close = async (text: string) => {
      try {
        await ctx.editMessageText(text);
      } catch (e) {
        o.log.debug("could not edit the confirmation message", { error: errorText(e) });
      }
    };
    if (!m) {
      await audit(
        who,
        "callback",
        { data: typeof data === "string" ? data.slice(0, 64) : null },
        "ignored: unknown button",
      );
      await ack("Unknown button");
      return;
    }
    if (m[1] === "no") {
      const done = confirmations.cancel(who.chatId, m[2]);
      await audit(who, "kill cancel", {}, done ? "cancelled" : "nothing pending");
      await ack(done ? "Cancelled" : "Nothing pending");
      await close(
        done ? "Kill cancelled. Trading goes on." : "This kill request is no longer pending.",
      );
      return;
    }
    const r = confirmations.confirm(who.chatId, m[2], now());
    if (!r.ok) {
      await audit(who, "kill confirm", {}, `refused: ${r.why}`);
      await ack(r.why === "expired" ? "Expired: send /kill again" : "No longer pending");
      await close(
        r.why === "expired"
          ? "Kill request expired. Send /kill again."
          : "This kill request is no longer pending.",
      );
      return;
    }
    await ack("Kill confirmed");
    await close(`Kill confirmed by ${who.actor}.`);
    await executeKill(ctx, who, r.flatten);
  };

  const handle = async (ctx: Context) => {
    const chatId = ctx.chat?.id;
    if (typeof chatId !== "number") {
      o.log.warn("ignored a Telegram update without a chat", { update_id: ctx.update.update_id });
      return;
    }
    const who = whoOf(ctx, chatId);
    const text = ctx.message?.text;
    const isCallback = ctx.callbackQuery !== undefined;
    if (!allowed.has(chatId)) {
      const what = typeof text === "string"
        ? text.slice(0, 100)
        : isCallback
        ? "(button)"
        : "(other)";
      o.log.warn("refused a Telegram chat that is not allowed", {
        chat_id: chatId,
        actor: who.actor,
      });
      await audit(
        who,
        parseCommand(text, bot.botInfo.username)?.command ?? what,
        { text: what },
        "refused: chat not allowed",
      );
      if (isCallback) {
        try {
          await ctx.answerCallbackQuery({ text: "Not authorised" });
        } catch { /* the refusal below says it */ }
      }
      await reply(
        ctx,
        `Not authorised: chat ${chatId} may not command this bot. The attempt is logged.`,
      );
      return;
    }
    if (isCallback) return await onCallback(ctx, who);
    if (ctx.message === undefined) {
      o.log.debug("ignored a Telegram update that is not a message", {
        update_id: ctx.update.update_id,
      });
      return;
    }
    const parsed = parseCommand(text, bot.botInfo.username);
    if (parsed === null) {
      const kind = typeof text === "string" ? "(text)" : "(non-text)";
      await audit(who, kind, {}, "help hint");
      await reply(ctx, "I understand commands only. Send /help for the list.");
      return;
    }
    const { command, args } = parsed;
    if (command === "kill") return await onKill(ctx, who, args);
    if (command === "resume") return await onResume(ctx, who);
    let out: string;
    try {
      out = await answer(command, args, o.view);
    } catch (e) {
      const why = errorText(e);
      o.log.error("telegram command failed", { command, error: why });
      await audit(who, command, { args }, `failed: ${why}`);
      await reply(ctx, `/${command} failed: ${why}`);
      return;
    }
    await audit(
      who,
      command,
      { args },
      READ_COMMANDS.includes(command) ? "answered" : "unknown command",
    );
    await reply(ctx, out);
  };

  bot.use(async (ctx) => {
    try {
      await handle(ctx);
    } catch (e) {
      const why = errorText(e);
      o.log.error("telegram update failed", { update_id: ctx.update?.update_id, error: why });
      if (typeof ctx.chat?.id === "number" && allowed.has(ctx.chat.id)) {
        await reply(ctx, `That failed: ${why}`);
      }
    }
  });
  bot.catch((err) => {
    o.log.error("telegram update failed", { error: errorText(err.error) });
  });

  // grammy refuses bot.start() once a webhook callback exists: make one only for webhooks.
  const handler = o.webhookUrl === undefined
    ? () => Promise.resolve(new Response("webhook not enabled", { status: 404 }))
    : webhookCallback(bot, "std/http", { secretToken: secret });
  let polling: Promise<void> | null = null;

  return {
    bot,
    async start() {
      await bot.init();
      try {
        await bot.api.setMyCommands(
          COMMAND_HELP.map(([command, description]) => ({ command, description })),
        );
      } catch (e) {
        o.log.warn("could not set the command menu", { error: errorText(e) });
      }
      if (o.webhookUrl !== undefined) {
        await bot.api.setWebhook(o.webhookUrl, {
          secret_token: secret,
          allowed_updates: ["message", "callback_query"],
        });
        o.log.info("telegram webhook registered", { url: o.webhookUrl });
        return;
      }
      const started = Promise.withResolvers<void>();
      polling = bot.start({
        timeout: o.pollTimeoutS ?? 30,
        allowed_updates: ["message", "callback_query"],
        onStart: () => started.resolve(),
      }).catch((e) => {
        o.log.error("telegram long polling stopped", { error: errorText(e) });
        started.reject(new Error(`telegram long polling failed: ${errorText(e)}`));
      });
      await started.promise;
      o.log.info("telegram bot polling", { bot: bot.botInfo.username });
    },
    async stop() {
      if (bot.isRunning()) {
        try {
          await bot.stop();
        } catch (e) {
          o.log.warn("telegram stop did not confirm the last update", { error: errorText(e) });
        }
      }
      await polling;
    },
    webhookHandler: (req: Request) => handler(req),
    async notify(text) {
      let delivered = 0;
      for (const chatId of allowed) {
        try {
          await bot.api.sendMessage(chatId, fitScreen(text.split("\n")));
          delivered++;
        } catch (e) {
          o.log.warn("telegram notification failed", { chat_id: chatId, error: errorText(e) });
        }
      }
      return delivered;
    },
  };
}
