// A readable transcript of a Telegram session against the stand-in: each update the bot
// received ("→") and each call it made ("←"), in wire order.
import type { WireEvent } from "./telegram_standin.ts";

const indent = (text: string) =>
  text.split("\n").map((l, i) => (i === 0 ? l : `    ${l}`)).join("\n");

function buttons(markup: unknown): string {
  const rows = (markup as { inline_keyboard?: { text: string }[][] })?.inline_keyboard;
  return rows
    ? "\n    " + rows.map((r) => r.map((b) => `[${b.text}]`).join(" ")).join("\n    ")
    : "";
}

function incoming(u: Record<string, unknown>): string {
  const msg = u.message as Record<string, unknown> | undefined;
  const cb = u.callback_query as Record<string, unknown> | undefined;
  if (msg && typeof msg === "object" && typeof msg.text === "string") {
    const chat = (msg.chat as { id?: number })?.id;
    const user = (msg.from as { username?: string })?.username;
    return `→ chat ${chat}${user ? ` @${user}` : ""}: ${msg.text}`;
  }
  if (cb && typeof cb.data === "string") {
    const chat = ((cb.message as Record<string, unknown>)?.chat as { id?: number })?.id;
    return `→ chat ${chat}: presses button "${cb.data}"`;
  }
  const { update_id: _id, ...rest } = u;
  return `→ malformed update: ${JSON.stringify(rest)}`;
}

function outgoing(method: string, p: Record<string, unknown>): string | null {
  switch (method) {
    case "sendMessage":
      return `← to chat ${p.chat_id}: ${indent(String(p.text))}${buttons(p.reply_markup)}`;
    case "editMessageText":
      return `← edits message ${p.message_id} in chat ${p.chat_id}: ${indent(String(p.text))}`;
    case "answerCallbackQuery":
      return `← answers the button: "${p.text ?? ""}"`;
    case "getMe":
    case "deleteWebhook":
    case "setMyCommands":
      return `← ${method}`;
    default:
      return `← ${method} ${JSON.stringify(p)}`;
  }
}

export function formatTranscript(events: readonly WireEvent[]): string {
  const lines: string[] = [];
  for (const e of events) {
    const line = e.dir === "in" ? incoming(e.update) : outgoing(e.call.method, e.call.params);
    if (line !== null) lines.push(line);
  }
  return lines.join("\n") + "\n";
}
