// Reads one bar file from disk (gzip when named .gz or starting with the gzip magic bytes).
import { gunzipSync } from "node:zlib";
import { barsFromCsvText, type LoadedSeries } from "./bar_file_parse.ts";
import type { LoadOptions } from "./load_options.ts";

export function decodeBarFileBytes(path: string, bytes: Uint8Array): string {
  const gzipped = bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
  if (/\.gz$/i.test(path) && !gzipped) {
    throw new Error(`${path}: named .gz but is not gzip data`);
  }
  let raw = bytes;
  if (gzipped) {
    try {
      raw = gunzipSync(bytes);
    } catch (e) {
      throw new Error(`${path}: cannot gunzip: ${(e as Error).message}`);
    }
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(raw);
  } catch {
    throw new Error(`${path}: not UTF-8 text`);
  }
}

export async function readBarFileText(path: string): Promise<string> {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (e) {
    throw new Error(`cannot read bar file ${path}: ${(e as Error).message}`);
  }
  return decodeBarFileBytes(path, bytes);
}

export async function loadBarFile(path: string, opts: LoadOptions = {}): Promise<LoadedSeries> {
  return barsFromCsvText(path, await readBarFileText(path), opts);
}
