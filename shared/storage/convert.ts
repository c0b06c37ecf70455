// Explicit, checked conversions between database values and JS values. A value that
// cannot be represented exactly is an error naming the column, never a silent rounding.

/** A stored value that cannot be read back as what it should be (corruption, bad schema). */
export class StorageValueError extends Error {
  override name = "StorageValueError";
}

/** A value handed to the repository that it refuses to write. */
export class StorageInputError extends Error {
  override name = "StorageInputError";
}

/** int8 from either driver (`pg`: string, node:sqlite: number) as a JS safe integer. */
export function toSafeInteger(value: unknown, what: string): number {
  let n: number;
  if (typeof value === "number") {
    n = value;
  } else if (typeof value === "bigint") {
    if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) {
      throw new StorageValueError(`${what}: ${value} is outside the safe integer range`);
    }
    n = Number(value);
  } else if (typeof value === "string") {
    if (!/^-?\d+$/.test(value)) {
      throw new StorageValueError(`${what}: expected an integer, got '${value}'`);
    }
    n = Number(value);
    if (!Number.isSafeInteger(n)) {
      throw new StorageValueError(`${what}: ${value} is outside the safe integer range`);
    }
  } else {
    throw new StorageValueError(`${what}: expected an integer, got ${describe(value)}`);
  }
  if (!Number.isSafeInteger(n)) {
    throw new StorageValueError(`${what}: expected a safe integer, got ${n}`);
  }
  return n;
}

/** float8 column value: must already be a finite JS number (both drivers give numbers). */
export function toFiniteNumber(value: unknown, what: string): number {
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new StorageValueError(`${what}: expected a finite number, got ${describe(value)}`);
  }
  return value;
}

export function toText(value: unknown, what: string): string {
  if (typeof value !== "string") {
    throw new StorageValueError(`${what}: expected text, got ${describe(value)}`);
  }
  return value;
}

export function toNullableText(value: unknown, what: string): string | null {
  return value === null ? null : toText(value, what);
}

export function parseJsonText(value: unknown, what: string): unknown {
  const text = toText(value, what);
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new StorageValueError(`${what}: stored JSON does not parse: ${(e as Error).message}`);
  }
}

/** A time or counter about to be written: a safe integer, or an error naming it. */
export function requireSafeInteger(value: number, what: string): number {
  if (!Number.isSafeInteger(value)) {
    throw new StorageInputError(`${what}: expected a safe integer, got ${describe(value)}`);
  }
  return value;
}

/** An event time about to be written: ms since the epoch, a non-negative safe integer. */
export function requireEpochMs(value: number, what: string): number {
  requireSafeInteger(value, what);
  if (value < 0) {
    throw new StorageInputError(`${what}: expected a time ≥ 0 (ms epoch), got ${value}`);
  }
  return value;
}

/** JSON text of a value that must survive a round trip (no NaN, Infinity, functions…). */
export function toJsonText(value: unknown, what: string): string {
  const problem = findNonJson(value, what, new Set());
  if (problem) throw new StorageInputError(problem);
  return JSON.stringify(value);
}

function findNonJson(value: unknown, path: string, seen: Set<object>): string | null {
  if (value === null || typeof value === "string" || typeof value === "boolean") return null;
  if (typeof value === "number") {
    return Number.isFinite(value) ? null : `${path}: ${value} is not representable in JSON`;
  }
  if (typeof value !== "object") return `${path}: ${typeof value} is not representable in JSON`;
  if (seen.has(value)) return `${path}: circular reference`;
  seen.add(value);
  try {
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        const p = findNonJson(value[i], `${path}[${i}]`, seen);
        if (p) return p;
      }
      return null;
    }
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) {
      return `${path}: ${proto?.constructor?.name ?? "object"} is not a plain JSON object`;
    }
    for (const [k, v] of Object.entries(value)) {
      if (v === undefined) continue; // JSON.stringify drops it, as a plain object would
      const p = findNonJson(v, `${path}.${k}`, seen);
      if (p) return p;
    }
    return null;
  } finally {
    seen.delete(value);
  }
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "string") return `'${value.length > 40 ? value.slice(0, 40) + "…" : value}'`;
  if (typeof value === "number" || typeof value === "bigint") return String(value);
  return typeof value;
}
