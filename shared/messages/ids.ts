// Deterministic identifiers. Replaying the same data must give the same ids, and a
// redelivered message must map to the same order id, so nothing is ever done twice.
import { createHash } from "node:crypto";

export const barId = (symbol: string, barTime: number): string => `bar:${symbol}:${barTime}`;

export const messageId = (producer: string, type: string, key: string): string =>
  `${producer}:${type}:${key}`;

/** Client order ids fit every venue's limit (Binance: 36 chars, [A-Za-z0-9_-]). */
export function clientOrderIdFor(decisionId: string): string {
  return "o" + createHash("sha256").update(decisionId).digest("hex").slice(0, 31);
}
