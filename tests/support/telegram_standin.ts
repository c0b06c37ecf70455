// A stand-in of the Telegram Bot API on 127.0.0.1 (port 0), speaking the real JSON
// ({ok:true,result} / {ok:false,error_code,description}) for the methods grammy calls:
// getMe, deleteWebhook, getUpdates (offset confirms, long polling up to `timeout` seconds),
// sendMessage, editMessageText, answerCallbackQuery, setMyCommands, setWebhook,
// getWebhookInfo. Tests push updates and read back every call the bot made.

export interface BotCall {
  method: string;
  params: Record<string, unknown>;
  at: number;
}

type Update = Record<string, unknown> & { update_id: number };

/** What crossed the wire, in order: updates handed to the bot and calls it made. */
export type WireEvent = { dir: "in"; update: Update } | { dir: "out"; call: BotCall };

export interface TelegramStandIn {
  readonly apiRoot: string;
  readonly token: string;
  readonly calls: BotCall[];
  readonly events: WireEvent[];
  /** Queues an update (update_id assigned here, as Telegram does); returns the id. */
  push(update: Record<string, unknown>): number;
  /** A private-chat text message from `chatId`. */
  pushText(chatId: number, text: string, from?: { id: number; username?: string }): number;
  /** A press of an inline keyboard button in `chatId` on message `messageId`. */
  pushCallback(chatId: number, messageId: number, data: string): number;
  /** Calls of `method` so far (optionally for one chat). */
  callsOf(method: string, chatId?: number): BotCall[];
  /** Resolves with the calls once `pred` holds; rejects after `timeoutMs`. */
  waitFor(pred: (calls: BotCall[]) => boolean, timeoutMs?: number): Promise<BotCall[]>;
  /** Highest offset confirmed by getUpdates. */
  readonly confirmedOffset: number;
  close(): Promise<void>;
}

const BOT_ID = 7_000_000_001;

export function startTelegramStandIn(token = `${BOT_ID}:AAstand-in-token-0123456789abcdef`) {
  const calls: BotCall[] = [];
  const events: WireEvent[] = [];
  const queue: Update[] = [];
  let nextUpdateId = 100;
  let nextMessageId = 1;
  let confirmedOffset = 0;
  let closed = false;
  const waiters = new Set<() => void>();
  const watchers = new Set<() => void>();
  const wake = (set: Set<() => void>) => {
    for (const w of [...set]) w();
  };
  const botUser = { id: BOT_ID, is_bot: true, first_name: "Tradebot", username: "tradebot_bot" };
  const now = () => Math.floor(Date.now() / 1000);

  const ok = (result: unknown) => Response.json({ ok: true, result });
  const fail = (code: number, description: string) =>
    Response.json({ ok: false, error_code: code, description }, { status: code });

  async function paramsOf(req: Request, url: URL): Promise<Record<string, unknown>> {
    const params: Record<string, unknown> = Object.fromEntries(url.searchParams);
    const type = req.headers.get("content-type") ?? "";
    const text = req.method === "POST" ? await req.text() : "";
    if (text === "") return params;
    if (type.includes("application/json")) return { ...params, ...JSON.parse(text) };
    if (type.includes("application/x-www-form-urlencoded")) {
      for (const [k, v] of new URLSearchParams(text)) {
        // The Bot API decodes JSON-serialised fields (reply_markup, allowed_updates).
        try {
          params[k] = /^[[{]/.test(v) ? JSON.parse(v) : v;
        } catch {
          params[k] = v;
        }
      }
      return params;
    }
    throw new Error(`unsupported content type ${type}`);
  }

  function messageFor(chatId: unknown, text: unknown, replyMarkup?: unknown) {
    return {
      message_id: nextMessageId++,
      from: botUser,
      chat: { id: Number(chatId), type: "private" },
      date: now(),
      text,
      ...(replyMarkup ? { reply_markup: replyMarkup } : {}),
    };
  }

  async function getUpdates(p: Record<string, unknown>): Promise<Response> {
    const offset = p.offset === undefined ? 0 : Number(p.offset);
    const limit = Math.min(100, Math.max(1, p.limit === undefined ? 100 : Number(p.limit)));
    const timeoutS = p.timeout === undefined ? 0 : Number(p.timeout);
    if (offset > confirmedOffset) {
      confirmedOffset = offset;
      // Updates below the offset are confirmed: Telegram forgets them.
      while (queue.length > 0 && queue[0].update_id < offset) queue.shift();
    }
    const pick = () => queue.filter((u) => u.update_id >= offset).slice(0, limit);
    let got = pick();
    if (got.length === 0 && timeoutS > 0 && !closed) {
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          waiters.delete(done);
          resolve();
        };
        const timer = setTimeout(done, timeoutS * 1000);
        waiters.add(done);
      });
      got = pick();
    }
    return ok(got);
  }

  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    const url = new URL(req.url);
    const m = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(url.pathname);
    if (!m) return fail(404, "Not Found");
    if (m[1] !== token) return fail(401, "Unauthorized");
    const method = m[2];
    let params: Record<string, unknown>;
    try {
      params = await paramsOf(req, url);
    } catch (e) {
      return fail(400, `Bad Request: ${(e as Error).message}`);
    }
    if (method !== "getUpdates") {
      const call = { method, params, at: Date.now() };
      calls.push(call);
      events.push({ dir: "out", call });
      wake(watchers);
    }
    switch (method) {
      case "getMe":
        return ok(botUser);
      case "deleteWebhook":
      case "setWebhook":
      case "setMyCommands":
      case "answerCallbackQuery":
        return ok(true);
      case "getWebhookInfo":
        return ok({ url: "", has_custom_certificate: false, pending_update_count: queue.length });
      case "getUpdates":
        return await getUpdates(params);
      case "sendMessage": {
        if (params.chat_id === undefined) return fail(400, "Bad Request: chat_id is empty");
        const text = String(params.text ?? "");
        if (text.length === 0) return fail(400, "Bad Request: message text is empty");
        if (text.length > 4096) return fail(400, "Bad Request: message is too long");
        return ok(messageFor(params.chat_id, text, params.reply_markup));
      }
      case "editMessageText": {
        const text = String(params.text ?? "");
        if (text.length === 0) return fail(400, "Bad Request: message text is empty");
        return ok({ ...messageFor(params.chat_id, text), message_id: Number(params.message_id) });
      }
      default:
        return fail(404, "Not Found: method not found");
    }
  });
  const { port } = server.addr as Deno.NetAddr;

  const standIn: TelegramStandIn = {
    apiRoot: `http://127.0.0.1:${port}`,
    token,
    calls,
    events,
    push(update) {
      const u = { ...update, update_id: nextUpdateId++ } as Update;
      queue.push(u);
      events.push({ dir: "in", update: u });
      wake(waiters);
      return u.update_id;
    },
    pushText(chatId, text, from = { id: chatId, username: `user${chatId}` }) {
      const entities = text.startsWith("/")
        ? [{ type: "bot_command", offset: 0, length: text.split(/\s/)[0].length }]
        : undefined;
      return standIn.push({
        message: {
          message_id: nextMessageId++,
          from: { id: from.id, is_bot: false, first_name: "Op", username: from.username },
          chat: { id: chatId, type: "private" },
          date: now(),
          text,
          ...(entities ? { entities } : {}),
        },
      });
    },
    pushCallback(chatId, messageId, data) {
      return standIn.push({
        callback_query: {
          id: `cb${nextUpdateId}`,
          from: { id: chatId, is_bot: false, first_name: "Op", username: `user${chatId}` },
          message: { ...messageFor(chatId, "(keyboard)"), message_id: messageId },
          chat_instance: `ci${chatId}`,
          data,
        },
      });
    },
    callsOf(method, chatId) {
      return calls.filter((c) =>
        c.method === method && (chatId === undefined || Number(c.params.chat_id) === chatId)
      );
    },
    waitFor(pred, timeoutMs = 5_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (pred(calls)) {
            clearTimeout(timer);
            watchers.delete(check);
            resolve(calls);
          }
        };
        const timer = setTimeout(() => {
          watchers.delete(check);
          reject(new Error(`stand-in: condition not met within ${timeoutMs} ms`));
        }, timeoutMs);
        watchers.add(check);
        check();
      });
    },
    get confirmedOffset() {
      return confirmedOffset;
    },
    async close() {
      closed = true;
      wake(waiters);
      await server.shutdown();
    },
  };
  return standIn;
}
