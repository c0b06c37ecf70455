// The Telegram bot end to end: the real grammy client, long polling a Bot API stand-in on
// 127.0.0.1, answering from a real SQLite store, publishing kill/resume on a memory bus.
// Also writes the session's transcript to /tmp/telegram_transcript.txt.
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { parseConfig } from "../../shared/config/mod.ts";
import { listAudit } from "../../shared/storage/mod.ts";
import type { Logger } from "../../shared/util/log.ts";
import {
  createStoreView,
  startOperatorChannels,
  webhookSecret,
} from "../../supervisor/operator/mod.ts";
import { createTelegramChannel } from "../../supervisor/operator/telegram.ts";
import { type BotCall, startTelegramStandIn } from "../support/telegram_standin.ts";
import { formatTranscript } from "../support/telegram_transcript.ts";
import {
  AGENTS,
  fakeRisk,
  memoryBus,
  memoryStore,
  seedBook,
} from "../support/operator_fixtures.ts";

const OPERATOR = 111_222;
const STRANGER = 999_888;

function captureLog(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const put = (level: string) => (msg: string, f?: Record<string, unknown>) => {
    lines.push(`${level} ${msg} ${JSON.stringify(f ?? {})}`);
  };
  return { lines, debug: put("debug"), info: put("info"), warn: put("warn"), error: put("error") };
}

Deno.test("telegram: a whole operator session against the Bot API stand-in", async () => {
  const tg = startTelegramStandIn();
  const store = await memoryStore();
  await seedBook(store);
  const bus = memoryBus("optg");
  const risk = fakeRisk(bus);
  const log = captureLog();
  const config = parseConfig({
    TELEGRAM_BOT_TOKEN: tg.token,
    TELEGRAM_ALLOWED_CHAT_IDS: `${OPERATOR}, 424242`,
    TELEGRAM_API_ROOT: tg.apiRoot,
    ALERT_DAILY_SUMMARY_AT: "off",
    LOSS_ALERT_FRACTION: "0",
  });
  const view = createStoreView({
    store,
    agents: () => Promise.resolve(AGENTS),
    tradingState: () => Promise.resolve(risk.state()),
    mode: "paper",
    initialCash: 10_000,
    timeZone: "UTC",
  });
  const channels = await startOperatorChannels({ config, bus, store, view, log, pollTimeoutS: 2 });
  try {
    await channels.ready;
    assert.equal(tg.callsOf("getMe").length, 1);
    assert.equal(tg.callsOf("deleteWebhook").length, 1);
    assert.equal(tg.callsOf("setMyCommands").length, 1);

    let seen = 0;
    /** Pushes an update and returns the calls it caused once `n` messages were sent/edited. */
    const exchange = async (push: () => number, n = 1): Promise<BotCall[]> => {
      push();
      const replies = () =>
        tg.calls.slice(seen).filter((c) =>
          c.method === "sendMessage" || c.method === "editMessageText"
        );
      await tg.waitFor(() => replies().length >= n, 10_000);
      const out = tg.calls.slice(seen);
      seen = tg.calls.length;
      return out;
    };
    const say = async (text: string, chat = OPERATOR, n = 1) =>
      (await exchange(() => tg.pushText(chat, text), n)).filter((c) => c.method === "sendMessage");
    const textOf = (calls: BotCall[]) => calls.map((c) => String(c.params.text)).join("\n---\n");

    const help = await say("/help");
    assert.equal(Number(help[0].params.chat_id), OPERATOR);
    assert.match(textOf(help), /^Commands:\n\/status - /);
    assert.match(textOf(help), /\/kill - halt trading/);

    assert.equal(
      textOf(await say("/status")),
      [
        "Trading: ACTIVE (paper)",
        "Equity: 10,150.00",
        "Today: -150.00 (-1.46%)",
        "Total: +150.00 (+1.50%)",
        "Agents up: 2/3",
        "as of 2024-05-07 10:00Z",
      ].join("\n"),
    );
    assert.equal(
      textOf(await say("/positions")),
      [
        "Open positions (2):",
        "BTC/USDT 0.05 @ 60,000.00",
        "  last 61,000.00  +50.00 (+1.67%)",
        "ETH/USDT 1.5 @ 3,000.00",
        "  last 2,900.00  -150.00 (-3.33%)",
      ].join("\n"),
    );
    assert.equal(
      textOf(await say("/orders")),
      [
        "Latest orders (3):",
        "05-07 10:00Z BTC/USDT buy 0.2 market rejected",
        "  insufficient cash",
        "05-07 09:00Z BTC/USDT buy 0.05 market filled",
        "05-07 08:00Z ETH/USDT buy 1.5 market filled",
      ].join("\n"),
    );
    assert.equal(
      textOf(await say("/pnl")),
      [
        "P&L as of 2024-05-07 10:00Z",
        "Equity: 10,150.00 (start 10,000.00)",
        "Day:   -150.00",
        "Week:  +50.00",
        "Total: +150.00 (+1.50%)",
        "Drawdown: -1.46% now, -2.43% worst",
      ].join("\n"),
    );
    assert.equal(
      textOf(await say("/agents")),
      [
        "Agents 2/3 running:",
        "trend: running, 0 restarts",
        "  BTC/USDT up p0.60 c0.40 05-07 10:00Z",
        "risk: running, 1 restart",
        "meta: backoff, 3 restarts",
        "  error: boom",
      ].join("\n"),
    );

    // A stranger is refused, logged and audited; nothing is published.
    const refused = await say("/kill", STRANGER);
    assert.equal(Number(refused[0].params.chat_id), STRANGER);
    assert.equal(
      textOf(refused),
      `Not authorised: chat ${STRANGER} may not command this bot. The attempt is logged.`,
    );
    assert.ok(log.lines.some((l) => l.includes("not allowed") && l.includes(String(STRANGER))));

    // Malformed updates: logged, never fatal. The bot answers the next command.
    tg.push({ message: "garbage" });
    tg.push({ callback_query: { id: "x" } });
    tg.push({ edited_message: { chat: null } });
    tg.push({});
    const odd = await exchange(() => tg.push({ message: { chat: { id: OPERATOR }, text: 42 } }));
    assert.equal(
      textOf(odd.filter((c) => c.method === "sendMessage")),
      "I understand commands only. Send /help for the list.",
    );

    assert.equal(
      textOf(await say("/frobnicate")),
      "Unknown command /frobnicate. Send /help for the list.",
    );
    assert.equal(
      textOf(await say("hello")),
      "I understand commands only. Send /help for the list.",
    );

    // /kill asks first; Cancel withdraws it.
    const ask = await say("/kill");
    assert.match(
      textOf(ask),
      /^Halt trading: cancel open orders, set HALTED \(positions: flattened per the KILL_FLATTEN setting\)\?\nConfirm within 60 s/,
    );
    const keyboard = ask[0].params.reply_markup as {
      inline_keyboard: { text: string; callback_data: string }[][];
    };
    assert.deepEqual(keyboard.inline_keyboard[0].map((b) => b.text), ["Confirm kill", "Cancel"]);
    const [yes, no] = keyboard.inline_keyboard[0].map((b) => b.callback_data);
    const promptId = Number((ask[0] as BotCall & { params: { chat_id: number } }).params.chat_id);
    assert.equal(promptId, OPERATOR);
    const cancelled = await exchange(() => tg.pushCallback(OPERATOR, 1, no));
    assert.deepEqual(cancelled.map((c) => c.method), ["answerCallbackQuery", "editMessageText"]);
    assert.equal(cancelled[1].params.text, "Kill cancelled. Trading goes on.");
    assert.equal(risk.commands.length, 0);
    // The old button is dead once cancelled.
    const stale = await exchange(() => tg.pushCallback(OPERATOR, 1, yes));
    assert.equal(
      stale.find((c) => c.method === "editMessageText")?.params.text,
      "This kill request is no longer pending.",
    );
    assert.equal(risk.commands.length, 0);

    // "/kill flatten" then "/kill confirm": one kill with flatten on the bus, HALTED.
    await say("/kill flatten");
    const killed = await say("/kill confirm");
    assert.equal(risk.commands.length, 1);
    assert.equal(risk.commands[0].command, "kill");
    assert.equal(risk.commands[0].flatten, true);
    assert.match(
      risk.commands[0].issuedBy,
      new RegExp(`^telegram:${OPERATOR} \\(@user${OPERATOR}\\)$`),
    );
    assert.equal(risk.state(), "HALTED");
    assert.match(
      textOf(killed),
      /^KILL SWITCH: trading HALTED\.\nTrading state: HALTED\nOpen orders: cancelled by risk on HALTED\nPositions: flattening\n/,
    );
    assert.equal(textOf(await say("/kill confirm")), "No kill is pending. Send /kill first.");

    assert.match(textOf(await say("/resume")), /^Resume sent\. Trading state: ACTIVE\n/);
    assert.equal(risk.commands.at(-1)?.command, "resume");

    // /kill, then the Confirm button: kill without flatten (the configured default applies).
    const ask2 = await say("/kill");
    const yes2 = (ask2[0].params.reply_markup as { inline_keyboard: { callback_data: string }[][] })
      .inline_keyboard[0][0].callback_data;
    const pressed = await exchange(() => tg.pushCallback(OPERATOR, 2, yes2), 2);
    assert.deepEqual(pressed.map((c) => c.method), [
      "answerCallbackQuery",
      "editMessageText",
      "sendMessage",
    ]);
    assert.equal(pressed[0].params.text, "Kill confirmed");
    assert.equal(risk.commands.at(-1)?.command, "kill");
    assert.equal(risk.commands.at(-1)?.flatten, undefined);
    assert.match(String(pressed[2].params.text), /Positions: per KILL_FLATTEN/);
    assert.match(textOf(await say("/status")), /^Trading: HALTED \(paper\)/);

    // Every reply fits a phone screen.
    for (const c of tg.callsOf("sendMessage")) {
      const text = String(c.params.text);
      assert.ok(text.length <= 4096 && text.split("\n").length <= 25, text);
    }

    // The audit log: who, when, what, and the effect, for every command incl. the refusal.
    const audit = (await listAudit(store.db, { limit: 100 })).reverse();
    assert.ok(audit.every((a) => a.channel === "telegram" && a.time > 0));
    const rows = audit.map((a) => `${a.actor} ${a.command} ${a.effect}`);
    assert.deepEqual(rows.filter((r) => r.includes(String(STRANGER))), [
      `telegram:${STRANGER} (@user${STRANGER}) kill refused: chat not allowed`,
    ]);
    const op = `telegram:${OPERATOR} (@user${OPERATOR})`;
    for (
      const expected of [
        `${op} help answered`,
        `${op} status answered`,
        `${op} frobnicate unknown command`,
        `${op} kill confirmation requested`,
        `${op} kill cancel cancelled`,
        `${op} kill confirm refused: none`,
        `${op} kill trading HALTED`,
        `${op} resume trading ACTIVE`,
      ]
    ) assert.ok(rows.includes(expected), `audit lacks "${expected}":\n${rows.join("\n")}`);
    const kill = audit.find((a) => a.command === "kill" && a.effect === "trading HALTED");
    assert.equal((kill?.args as Record<string, unknown>).chat_id, OPERATOR);
    assert.equal((kill?.args as Record<string, unknown>).flatten, true);

    // The token never reaches a log line.
    assert.ok(log.lines.every((l) => !l.includes(tg.token.split(":")[1])));

    const transcript = formatTranscript(tg.events);
    writeFileSync("/tmp/telegram_transcript.txt", transcript);
    assert.match(
      transcript,
      /→ chat 111222 @user111222: \/status\n← to chat 111222: Trading: ACTIVE/,
    );
  } catch (e) {
    console.log(formatTranscript(tg.events), log.lines.join("\n"));
    throw e;
  } finally {
    await channels.stop();
    await risk.stop();
    await tg.close();
    await store.close();
    await bus.close();
  }
  // Long polling confirmed every update it handled when it stopped.
  assert.ok(tg.confirmedOffset > 0);
});

Deno.test("telegram: webhook mode registers the URL with a secret and answers through the handler", async () => {
  const tg = startTelegramStandIn();
  const store = await memoryStore();
  const bus = memoryBus("optw");
  const config = parseConfig({
    TELEGRAM_BOT_TOKEN: tg.token,
    TELEGRAM_ALLOWED_CHAT_IDS: String(OPERATOR),
    TELEGRAM_API_ROOT: tg.apiRoot,
    TELEGRAM_WEBHOOK_URL: "https://bot.example/telegram",
    ALERT_DAILY_SUMMARY_AT: "off",
  });
  const view = createStoreView({
    store,
    agents: () => Promise.resolve(AGENTS),
    tradingState: () => Promise.resolve("ACTIVE"),
    mode: "paper",
    initialCash: 10_000,
    timeZone: "UTC",
  });
  const channels = await startOperatorChannels({ config, bus, store, view, log: captureLog() });
  try {
    await channels.ready;
    const [set] = tg.callsOf("setWebhook");
    assert.equal(set.params.url, "https://bot.example/telegram");
    assert.equal(set.params.secret_token, webhookSecret(tg.token));
    assert.equal(tg.callsOf("deleteWebhook").length, 0, "no long polling");
    const update = {
      update_id: 1,
      message: {
        message_id: 1,
        date: 1,
        chat: { id: OPERATOR, type: "private" },
        from: { id: OPERATOR, is_bot: false, first_name: "Op" },
        text: "/positions",
      },
    };
    const post = (secret: string | null) =>
      channels.telegram!.webhookHandler(
        new Request("http://127.0.0.1/telegram", {
          method: "POST",
          headers: {
            "content-type": "application/json",
            ...(secret ? { "x-telegram-bot-api-secret-token": secret } : {}),
          },
          body: JSON.stringify(update),
        }),
      );
    assert.equal((await post(null)).status, 401);
    assert.equal((await post("guess")).status, 401);
    assert.equal(tg.callsOf("sendMessage").length, 0);
    assert.equal((await post(webhookSecret(tg.token))).status, 200);
    const [sent] = tg.callsOf("sendMessage", OPERATOR);
    assert.equal(sent.params.text, "No open positions.");
  } finally {
    await channels.stop();
    await tg.close();
    await store.close();
    await bus.close();
  }
});

Deno.test("telegram: a failing Bot API is logged with its cause, never with the token", async () => {
  const tg = startTelegramStandIn();
  await tg.close(); // nothing listens there any more
  const log = captureLog();
  const bus = memoryBus("opte");
  const store = await memoryStore();
  const channel = createTelegramChannel({
    token: tg.token,
    apiRoot: tg.apiRoot,
    allowedChatIds: [OPERATOR],
    view: createStoreView({
      store,
      agents: () => Promise.resolve([]),
      tradingState: () => Promise.resolve("ACTIVE"),
      mode: "paper",
      initialCash: 1,
      timeZone: "UTC",
    }),
    bus,
    audit: () => Promise.resolve(),
    log,
    killConfirmMs: 60_000,
  });
  assert.equal(await channel.notify("hello"), 0);
  const line = log.lines.find((l) => l.includes("telegram notification failed")) ?? "";
  assert.match(line, /Network request for 'sendMessage' failed!.*ECONNREFUSED/);
  assert.ok(line.includes("/bot***/sendMessage"), line);
  assert.ok(!line.includes(tg.token.split(":")[1]), line);
  await store.close();
  await bus.close();
});
