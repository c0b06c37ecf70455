// zod validation at the storage boundary: inputs before a write, rows after a read.
import type { z } from "zod";
import { StorageInputError, StorageValueError } from "./convert.ts";

type Issue = { path: PropertyKey[]; message: string };

function summarize(issues: readonly Issue[]): string {
  return issues.slice(0, 5)
    .map((i) => `${i.path.map(String).join(".") || "(root)"}: ${i.message}`)
    .join("; ");
}

/** Parses a value about to be written; the error names the operation and the fields. */
export function checkInput<S extends z.ZodType>(
  schema: S,
  value: unknown,
  what: string,
): z.output<S> {
  const r = schema.safeParse(value);
  if (!r.success) throw new StorageInputError(`${what}: ${summarize(r.error.issues)}`);
  return r.data;
}

/** Parses a value read back; failure means the stored row is not what it should be. */
export function checkRow<S extends z.ZodType>(
  schema: S,
  value: unknown,
  what: string,
): z.output<S> {
  const r = schema.safeParse(value);
  if (!r.success) {
    throw new StorageValueError(`stored ${what} is invalid: ${summarize(r.error.issues)}`);
  }
  return r.data;
}

export function checkId(id: unknown, what: string): string {
  if (typeof id !== "string" || id.length === 0) {
    throw new StorageInputError(`${what}: id must be a non-empty string`);
  }
  return id;
}
