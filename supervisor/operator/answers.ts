// The read-only commands as text: answer(command, args, view) → one phone screen.
// Pure over the OperatorView; the Telegram shell only transports the result.
import { fitScreen, isoMinute, money, qty, signedMoney, signedPct } from "./format.ts";
import type { OperatorView } from "./view.ts";
import type { Pnl } from "./pnl.ts";

export const COMMAND_HELP: readonly [string, string][] = [
  ["status", "trading state, mode, equity, P&L, agents up"],
  ["positions", "open positions with unrealised P&L"],
  ["orders", "the latest orders and their status"],
  ["pnl", "day, week and total P&L, drawdown"],
  ["agents", "each agent's state, restarts, last signal"],
  ["kill", "halt trading (asks to confirm); /kill flatten also closes positions"],
  ["resume", "leave HALTED/REDUCING and trade again"],
  ["help", "this list"],
];

export const READ_COMMANDS = ["status", "positions", "orders", "pnl", "agents", "help", "start"];

export function helpText(): string {
  return fitScreen([
    "Commands:",
    ...COMMAND_HELP.map(([c, d]) => `/${c} - ${d}`),
  ]);
}

const ratio = (part: number | null, base: number | null): number | null =>
  part === null || base === null || base === 0 ? null : part / base;

function asOfLine(p: Pnl): string {
  return p.asOf === null ? "no equity recorded yet" : `as of ${isoMinute(p.asOf)}`;
}

async function status(view: OperatorView): Promise<string> {
  const s = await view.status();
  const p = s.pnl;
  const dayBase = p.equity === null || p.day === null ? null : p.equity - p.day;
  return fitScreen([
    `Trading: ${s.tradingState} (${s.mode})`,
    p.equity === null ? "Equity: n/a" : `Equity: ${money(p.equity)}`,
    `Today: ${signedMoney(p.day)} (${signedPct(ratio(p.day, dayBase))})`,
    `Total: ${signedMoney(p.total)} (${signedPct(ratio(p.total, p.initial))})`,
    `Agents up: ${s.agentsUp}/${s.agentsTotal}`,
    asOfLine(p),
  ]);
}

async function positions(view: OperatorView): Promise<string> {
  const list = await view.positions();
  if (list.length === 0) return "No open positions.";
  const lines = [`Open positions (${list.length}):`];
  for (const p of list) {
    const upnl = p.quantity * (p.lastPrice - p.avgPrice);
    const cost = Math.abs(p.quantity * p.avgPrice);
    lines.push(`${p.symbol} ${qty(p.quantity)} @ ${money(p.avgPrice)}`);
    lines.push(
      `  last ${money(p.lastPrice)}  ${signedMoney(upnl)} (${signedPct(ratio(upnl, cost))})`,
    );
  }
  return fitScreen(lines);
}

async function orders(view: OperatorView): Promise<string> {
  const list = await view.orders();
  if (list.length === 0) return "No orders yet.";
  const lines = [`Latest orders (${list.length}):`];
  for (const o of list) {
    const when = isoMinute(o.updatedAt).slice(5);
    lines.push(`${when} ${o.symbol} ${o.side} ${qty(o.quantity)} ${o.type} ${o.status}`);
    if (o.reason && (o.status === "rejected" || o.status === "cancelled")) {
      lines.push(`  ${o.reason.slice(0, 60)}`);
    }
  }
  return fitScreen(lines);
}

async function pnl(view: OperatorView): Promise<string> {
  const p = await view.pnl();
  if (p.equity === null) return `P&L: no equity recorded yet (start ${money(p.initial)}).`;
  return fitScreen([
    `P&L ${asOfLine(p)}`,
    `Equity: ${money(p.equity)} (start ${money(p.initial)})`,
    `Day:   ${signedMoney(p.day)}`,
    `Week:  ${signedMoney(p.week)}`,
    `Total: ${signedMoney(p.total)} (${signedPct(ratio(p.total, p.initial))})`,
    `Drawdown: ${signedPct(p.drawdown)} now, ${signedPct(p.maxDrawdown)} worst`,
  ]);
}

async function agents(view: OperatorView): Promise<string> {
  const list = await view.agents();
  if (list.length === 0) return "No agents are supervised.";
  const up = list.filter((a) => a.state === "running").length;
  const lines = [`Agents ${up}/${list.length} running:`];
  for (const a of list) {
    const restarts = a.restarts === 1 ? "1 restart" : `${a.restarts} restarts`;
    lines.push(`${a.name}: ${a.state}, ${restarts}`);
    if (a.lastSignal) {
      const s = a.lastSignal;
      lines.push(`  ${s.symbol} ${s.text} ${isoMinute(s.barTime).slice(5)}`);
    } else if (a.lastError) lines.push(`  error: ${a.lastError.slice(0, 60)}`);
  }
  return fitScreen(lines);
}

/** The text answering a read-only command; unknown commands get a hint towards /help. */
export async function answer(
  command: string,
  _args: readonly string[],
  view: OperatorView,
): Promise<string> {
  switch (command) {
    case "status":
      return await status(view);
    case "positions":
      return await positions(view);
    case "orders":
      return await orders(view);
    case "pnl":
      return await pnl(view);
    case "agents":
      return await agents(view);
    case "help":
    case "start":
      return helpText();
    default:
      return `Unknown command /${command.slice(0, 32)}. Send /help for the list.`;
  }
}

export interface ParsedCommand {
  command: string;
  args: string[];
}

/**
 * "/kill@tradebot_bot flatten" → {command: "kill", args: ["flatten"]}. A command addressed
 * to another bot ("/status@other_bot") and plain text give null.
 */
export function parseCommand(text: unknown, botUsername: string | undefined): ParsedCommand | null {
  if (typeof text !== "string") return null;
  const m = /^\/([A-Za-z0-9_]{1,64})(?:@([A-Za-z0-9_]{1,64}))?(?:\s+([\s\S]*))?$/.exec(text.trim());
  if (!m) return null;
  if (
    m[2] !== undefined && botUsername !== undefined &&
    m[2].toLowerCase() !== botUsername.toLowerCase()
  ) return null;
  return {
    command: m[1].toLowerCase(),
    args: (m[3] ?? "").split(/\s+/).filter(Boolean).map((a) => a.toLowerCase()),
  };
}
