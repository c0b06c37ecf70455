// The sector map (RISK_SECTOR_MAP): a CSV with a header naming a Symbol and a Sector column
// (any order, other columns ignored, RFC 4180 quotes allowed). Read once at start; a bad file
// is an error naming its line.
import { readFileSync } from "node:fs";

export class SectorMapError extends Error {}

/** Splits one CSV line into fields; quotes may wrap a field and "" is a literal quote. */
export function splitCsvLine(line: string): string[] | null {
  const out: string[] = [];
  let i = 0;
  for (;;) {
    let field = "";
    if (line[i] === '"') {
      i++;
      for (;;) {
        if (i >= line.length) return null; // unterminated quote
        if (line[i] === '"') {
          if (line[i + 1] === '"') {
            field += '"';
            i += 2;
          } else {
            i++;
            break;
          }
        } else field += line[i++];
      }
      if (i < line.length && line[i] !== ",") return null;
    } else {
      const end = line.indexOf(",", i);
      field = line.slice(i, end === -1 ? line.length : end);
      if (field.includes('"')) return null;
      i = end === -1 ? line.length : end;
    }
    out.push(field.trim());
    if (i >= line.length) return out;
    i++; // the comma
  }
}

/** symbol → sector from the CSV text; `source` names the file in errors. */
export function parseSectorMap(text: string, source = "sector map"): Record<string, string> {
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  const header = splitCsvLine(lines[0] ?? "");
  const fail = (line: number, why: string): never => {
    throw new SectorMapError(`${source}: line ${line}: ${why}`);
  };
  if (header === null) return fail(1, "malformed quotes in the header");
  const lower = header.map((h) => h.toLowerCase());
  const iSym = lower.indexOf("symbol");
  const iSec = lower.indexOf("sector");
  if (iSym === -1 || iSec === -1) {
    fail(1, `the header needs Symbol and Sector columns (got ${header.join(",")})`);
  }
  const map: Record<string, string> = {};
  for (let n = 1; n < lines.length; n++) {
    if (lines[n].trim() === "") continue;
    const f = splitCsvLine(lines[n]);
    const at = n + 1;
    if (f === null) fail(at, "malformed quotes");
    else if (f.length !== header.length) {
      fail(at, `expected ${header.length} fields, got ${f.length}`);
    } else {
      const symbol = f[iSym];
      const sector = f[iSec];
      if (symbol === "") fail(at, "empty Symbol");
      if (sector === "") fail(at, `empty Sector for ${symbol}`);
      if (map[symbol] !== undefined && map[symbol] !== sector) {
        fail(at, `${symbol} is in both ${map[symbol]} and ${sector}`);
      }
      map[symbol] = sector;
    }
  }
  if (Object.keys(map).length === 0) fail(1, "no symbols in the file");
  return map;
}

/** Reads and parses the file at `path` (errors name the path and the line). */
export function readSectorMap(path: string): Record<string, string> {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new SectorMapError(`RISK_SECTOR_MAP: cannot read ${path}: ${(e as Error).message}`);
  }
  return parseSectorMap(text, `RISK_SECTOR_MAP ${path}`);
}
