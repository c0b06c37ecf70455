// Loads replay data from a mix of files and folders. A folder contributes every bar file
// directly in it (not recursively); other files, and CSVs that are not bar files such as
// constituents.csv, are skipped with a note. Explicitly named files must be bar files.
import { barsFromCsvText, type LoadedSeries } from "./bar_file_parse.ts";
import { readBarFileText } from "./bar_file_read.ts";
import { baseName, isBarFileName } from "./file_symbol.ts";
import { type LoadOptions, resolveLoadOptions } from "./load_options.ts";
import { UnrecognizedFormatError } from "./load_report.ts";
import { parseTimeframe } from "./timeframe.ts";

export interface ReplaySources {
  /** Sorted by symbol, then timeframe. */
  readonly series: LoadedSeries[];
  /** Skipped entries, with why. */
  readonly notes: string[];
}

export async function loadReplaySources(
  paths: readonly string[],
  opts: LoadOptions = {},
): Promise<ReplaySources> {
  resolveLoadOptions(opts);
  if (paths.length === 0) throw new Error("loadReplaySources: no paths given");
  const series: LoadedSeries[] = [];
  const notes: string[] = [];
  for (const path of paths) {
    let info: Deno.FileInfo;
    try {
      info = await Deno.stat(path);
    } catch (e) {
      throw new Error(`replay source ${path}: ${(e as Error).message}`);
    }
    if (info.isFile) {
      series.push(barsFromCsvText(path, await readBarFileText(path), opts));
      continue;
    }
    const entries: Deno.DirEntry[] = [];
    for await (const entry of Deno.readDir(path)) entries.push(entry);
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const full = `${path.replace(/[\\/]+$/, "")}/${entry.name}`;
      if (!entry.isFile) {
        notes.push(`skipped ${full}: not a regular file (folders are not read recursively)`);
        continue;
      }
      if (!isBarFileName(entry.name)) {
        notes.push(`skipped ${full}: not a .csv or .csv.gz file`);
        continue;
      }
      try {
        series.push(barsFromCsvText(full, await readBarFileText(full), opts));
      } catch (e) {
        if (!(e instanceof UnrecognizedFormatError)) throw e;
        notes.push(`skipped ${full}: not a bar file (${e.detail.split(";")[0]})`);
      }
    }
  }
  series.sort((a, b) =>
    compareText(a.symbol, b.symbol) || parseTimeframe(a.timeframe) - parseTimeframe(b.timeframe)
  );
  for (let i = 1; i < series.length; i++) {
    const [a, b] = [series[i - 1], series[i]];
    if (a.symbol === b.symbol && a.timeframe === b.timeframe) {
      throw new Error(
        `${a.symbol} ${a.timeframe} is loaded twice: from ${a.file} and ${b.file} ` +
          `(${baseName(a.file)} vs ${baseName(b.file)}); pass only one of them`,
      );
    }
  }
  return { series, notes };
}

const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
