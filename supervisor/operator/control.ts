// Operator commands that change things: the kill switch's confirmation (pure, clock passed
// in) and the command published on ops.commands.
import type { Bus } from "../../shared/bus/types.ts";
import {
  type Command,
  encode,
  makeEnvelope,
  messageId,
  STREAMS,
} from "../../shared/messages/mod.ts";

export interface PendingKill {
  nonce: string;
  /** undefined: the risk agent's configured default (KILL_FLATTEN). */
  flatten: boolean | undefined;
  expiresAt: number;
}

export type ConfirmResult =
  | { ok: true; flatten: boolean | undefined }
  | { ok: false; why: "none" | "expired" | "stale" };

/** One pending kill per chat; it must be confirmed before `expiresAt`, and only once. */
export class KillConfirmations {
  readonly #pending = new Map<number, PendingKill>();
  constructor(
    readonly windowMs: number,
    readonly nonce: () => string = () => crypto.randomUUID(),
  ) {}

  request(chatId: number, flatten: boolean | undefined, now: number): PendingKill {
    const p = { nonce: this.nonce().slice(0, 8), flatten, expiresAt: now + this.windowMs };
    this.#pending.set(chatId, p);
    return p;
  }

  /** `nonce` null: a typed "/kill confirm", which confirms whatever this chat has pending. */
  confirm(chatId: number, nonce: string | null, now: number): ConfirmResult {
    const p = this.#pending.get(chatId);
    if (p === undefined) return { ok: false, why: "none" };
    if (nonce !== null && nonce !== p.nonce) return { ok: false, why: "stale" };
    this.#pending.delete(chatId);
    if (now > p.expiresAt) return { ok: false, why: "expired" };
    return { ok: true, flatten: p.flatten };
  }

  cancel(chatId: number, nonce: string | null): boolean {
    const p = this.#pending.get(chatId);
    if (p === undefined || (nonce !== null && nonce !== p.nonce)) return false;
    this.#pending.delete(chatId);
    return true;
  }
}

export interface CommandRequest {
  command: Command["command"];
  issuedBy: string;
  reason: string;
  flatten?: boolean;
  /** Wall clock (ms). */
  now: number;
}

/** Publishes an operator command on ops.commands; resolves with its id once on the bus. */
export async function publishCommand(bus: Bus, r: CommandRequest): Promise<string> {
  const id = messageId("operator", "command", `${r.command}:${r.now}:${crypto.randomUUID()}`);
  const data: Command = {
    command: r.command,
    target: null,
    issuedBy: r.issuedBy,
    reason: r.reason,
    ...(r.command === "kill" && r.flatten !== undefined ? { flatten: r.flatten } : {}),
  };
  const msg = makeEnvelope("command", { id, producer: "operator", time: r.now, corr: id }, data);
  await bus.publish(STREAMS.commands, encode(msg, STREAMS.commands));
  return id;
}
