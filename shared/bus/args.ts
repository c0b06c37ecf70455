// Argument checks shared by every Bus implementation: a bad argument is an error that names
// it, thrown before anything is sent, so Redis and memory reject the same calls.
import { parseStreamId } from "./stream_ids.ts";
import type { BusOptions, ReadGroupOptions } from "./types.ts";

const NAME_RE = /^[A-Za-z0-9_.-]+$/;

/** Namespaces and stream names: no ':' (the key separator) and no glob characters. */
export function checkName(value: unknown, what: string): string {
  if (typeof value !== "string" || !NAME_RE.test(value)) {
    throw new Error(`invalid ${what} ${JSON.stringify(value)}: expected [A-Za-z0-9_.-]+`);
  }
  return value;
}

export function checkStreams(streams: unknown, what = "streams"): string[] {
  if (!Array.isArray(streams) || streams.length === 0) {
    throw new Error(`invalid ${what}: expected a non-empty array of stream names`);
  }
  const seen = new Set<string>();
  for (const s of streams) {
    checkName(s, "stream");
    if (seen.has(s)) throw new Error(`invalid ${what}: stream '${s}' is listed twice`);
    seen.add(s);
  }
  return streams as string[];
}

/** Group and consumer names are Redis arguments, not key parts: any non-empty string. */
export function checkLabel(value: unknown, what: string): string {
  if (typeof value !== "string" || value.length === 0) {
    throw new Error(`invalid ${what} ${JSON.stringify(value)}: expected a non-empty string`);
  }
  return value;
}

export function checkPositiveInt(value: unknown, what: string): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value <= 0) {
    throw new Error(`invalid ${what} ${String(value)}: expected a positive integer`);
  }
  return value;
}

export function checkNonNegative(value: unknown, what: string): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw new Error(`invalid ${what} ${String(value)}: expected a finite number ≥ 0`);
  }
  return value;
}

export function checkReadGroupOptions(opts: ReadGroupOptions): void {
  if (typeof opts !== "object" || opts === null) throw new Error("invalid read options: missing");
  checkPositiveInt(opts.count, "count");
  checkNonNegative(opts.blockMs, "blockMs");
  if (opts.pending !== undefined && typeof opts.pending !== "boolean") {
    throw new Error(`invalid pending ${String(opts.pending)}: expected a boolean`);
  }
}

export function checkEntryIds(ids: unknown): string[] {
  if (!Array.isArray(ids)) throw new Error("invalid entry ids: expected an array");
  for (const id of ids) parseStreamId(id as string);
  return ids as string[];
}

export function checkRaw(raw: unknown): string {
  if (typeof raw !== "string") throw new Error(`invalid raw message: expected a string`);
  return raw;
}

export function checkBusOptions(opts: BusOptions): BusOptions {
  if (typeof opts !== "object" || opts === null) throw new Error("invalid bus options: missing");
  checkName(opts.namespace, "namespace");
  checkPositiveInt(opts.maxLen, "maxLen");
  return opts;
}

export function checkKvKey(key: unknown): string {
  return checkLabel(key, "kv key");
}

/** "$" (only entries added after the call) or an id `<ms>-<seq>` ("0" is accepted as "0-0"). */
export function checkCursorId(id: unknown): string {
  if (id === "$") return id;
  if (id === "0") return "0-0";
  parseStreamId(id as string, "cursor id");
  return id as string;
}
