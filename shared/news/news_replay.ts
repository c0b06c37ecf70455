// Loads news for a replay: Alpha Vantage NEWS_SENTIMENT files (JSON, gzip or not) and
// folders of them, merged without duplicates and sorted by publication time. Files are read
// in the order given, a folder's files in name order; the first copy of a story wins.
import { gunzipSync } from "node:zlib";
import type { News } from "../messages/mod.ts";
import { type AvParseOptions, parseAvNewsResponse } from "./av_news_parse.ts";
import { dedupeNews } from "./news_dedupe.ts";

export interface NewsReplay {
  /** Sorted by publishedAt, then id. */
  news: News[];
  files: { path: string; stories: number }[];
  duplicates: number;
  /** Duplicates whose content differed from the copy kept (e.g. re-scored by the vendor). */
  conflicts: string[];
  /** Skipped folder entries and skipped stories, each naming why. */
  notes: string[];
}

const NEWS_FILE = /\.json(\.gz)?$/i;

export async function readNewsReplay(
  paths: readonly string[],
  opts: AvParseOptions = {},
): Promise<NewsReplay> {
  if (paths.length === 0) throw new Error("loadNewsReplay: no paths given");
  const files: NewsReplay["files"] = [];
  const lists: News[][] = [];
  const notes: string[] = [];
  for (const path of await expandPaths(paths, notes)) {
    const parsed = parseAvNewsResponse(decodeNewsJson(path, await readNewsBytes(path)), path, opts);
    files.push({ path, stories: parsed.news.length });
    lists.push(parsed.news);
    notes.push(...parsed.skipped.map((s) => `skipped story ${s}`));
  }
  const { news, duplicates, conflicts } = dedupeNews(lists);
  return { news, files, duplicates, conflicts, notes };
}

/** The stories alone, sorted by publication time; see readNewsReplay for the report. */
export async function loadNewsReplay(
  paths: readonly string[],
  opts: AvParseOptions = {},
): Promise<News[]> {
  return (await readNewsReplay(paths, opts)).news;
}

async function expandPaths(paths: readonly string[], notes: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const path of paths) {
    let info: Deno.FileInfo;
    try {
      info = await Deno.stat(path);
    } catch (e) {
      throw new Error(`news source ${path}: ${(e as Error).message}`);
    }
    if (info.isFile) {
      out.push(path);
      continue;
    }
    const names: string[] = [];
    for await (const entry of Deno.readDir(path)) {
      const full = `${path.replace(/[\\/]+$/, "")}/${entry.name}`;
      if (entry.isFile && NEWS_FILE.test(entry.name)) names.push(full);
      else notes.push(`skipped ${full}: not a .json or .json.gz file`);
    }
    out.push(...names.sort());
  }
  return out;
}

async function readNewsBytes(path: string): Promise<Uint8Array> {
  try {
    return await Deno.readFile(path);
  } catch (e) {
    throw new Error(`cannot read news file ${path}: ${(e as Error).message}`);
  }
}

/** Gunzips when the data starts with the gzip magic bytes; a ".gz" name must be gzip. */
export function decodeNewsJson(path: string, bytes: Uint8Array): unknown {
  const gzipped = bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
  if (/\.gz$/i.test(path) && !gzipped) throw new Error(`${path}: named .gz but is not gzip data`);
  let raw = bytes;
  if (gzipped) {
    try {
      raw = gunzipSync(bytes);
    } catch (e) {
      throw new Error(`${path}: cannot gunzip: ${(e as Error).message}`);
    }
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(raw);
  } catch {
    throw new Error(`${path}: not UTF-8 text`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new Error(`${path}: not JSON: ${(e as Error).message}`);
  }
}
