// SHA-256 fingerprints of training inputs, for a model card's data_sha256. Each part is
// named; parts are hashed in name order, each with its kind, name and byte length, so the
// fingerprint does not depend on listing order and no two different inputs share an
// encoding (["ab", "c"] and ["a", "bc"] differ).
import { createHash, type Hash } from "node:crypto";

export type FingerprintData = Uint8Array | string | readonly number[];

export interface FingerprintPart {
  name: string;
  data: FingerprintData;
}

const HEADER = "trading-bot/learn/fingerprint/v1\n";
const KIND = { bytes: 0, utf8: 1, float64le: 2 } as const;
const encoder = new TextEncoder();

/** Hex SHA-256 of named parts: bytes as-is, strings as UTF-8, numbers as float64 LE. */
export function fingerprint(parts: readonly FingerprintPart[]): string {
  const hash = createHash("sha256").update(HEADER);
  for (const part of sortedByName(parts)) {
    const { kind, bytes } = encode(part);
    writePart(hash, kind, part.name, bytes);
  }
  return hash.digest("hex");
}

/**
 * Hex SHA-256 of files' raw bytes. A file is named by its base name unless a name is
 * given, so the fingerprint does not depend on where the data folder is mounted.
 */
export async function fingerprintFiles(
  files: readonly (string | { name: string; path: string })[],
): Promise<string> {
  const named = files.map((f) => typeof f === "string" ? { name: baseName(f), path: f } : f);
  const parts: FingerprintPart[] = [];
  for (const { name, path } of named) {
    let data: Uint8Array;
    try {
      data = await Deno.readFile(path);
    } catch (e) {
      throw new Error(`fingerprintFiles: cannot read ${path}: ${(e as Error).message}`);
    }
    parts.push({ name, data });
  }
  return fingerprint(parts);
}

function sortedByName(parts: readonly FingerprintPart[]): FingerprintPart[] {
  const sorted = [...parts].sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  for (let i = 0; i < sorted.length; i++) {
    if (typeof sorted[i].name !== "string" || sorted[i].name.length === 0) {
      throw new RangeError("fingerprint: every part needs a non-empty name");
    }
    if (i > 0 && sorted[i].name === sorted[i - 1].name) {
      throw new RangeError(`fingerprint: two parts are named '${sorted[i].name}'`);
    }
  }
  return sorted;
}

function encode(part: FingerprintPart): { kind: number; bytes: Uint8Array } {
  const { data, name } = part;
  if (data instanceof Uint8Array) return { kind: KIND.bytes, bytes: data };
  if (typeof data === "string") return { kind: KIND.utf8, bytes: encoder.encode(data) };
  if (!Array.isArray(data)) {
    throw new TypeError(`fingerprint: part '${name}' must be bytes, a string or a number array`);
  }
  const bytes = new Uint8Array(data.length * 8);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < data.length; i++) {
    const x = data[i];
    if (typeof x !== "number") {
      throw new TypeError(`fingerprint: part '${name}' item ${i} is not a number (${String(x)})`);
    }
    // every NaN hashes alike, whatever its bit pattern
    if (Number.isNaN(x)) view.setUint32(i * 8 + 4, 0x7ff80000, true);
    else view.setFloat64(i * 8, x, true);
  }
  return { kind: KIND.float64le, bytes };
}

function writePart(hash: Hash, kind: number, name: string, bytes: Uint8Array): void {
  const nameBytes = encoder.encode(name);
  const head = new Uint8Array(1 + 4 + 8);
  const view = new DataView(head.buffer);
  view.setUint8(0, kind);
  view.setUint32(1, nameBytes.length, true);
  view.setBigUint64(5, BigInt(bytes.length), true);
  hash.update(head).update(nameBytes).update(bytes);
}

function baseName(path: string): string {
  const parts = path.split(/[\\/]/);
  return parts[parts.length - 1];
}
