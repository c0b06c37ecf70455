// From the text of one bar file to validated, adjusted bars plus the report (pure).
import { adjustmentFactors, type CorporateAction } from "./corporate_actions.ts";
import { CsvLayoutError, detectCsvLayout } from "./csv_layout.ts";
import { type CsvRow, parseCsvRows } from "./csv_rows.ts";
import { type FileSymbol, symbolFromFileName } from "./file_symbol.ts";
import { defaultGapPolicy, findGaps, tradesOnWeekends } from "./gaps.ts";
import { type LoadOptions, resolveLoadOptions } from "./load_options.ts";
import {
  countIssues,
  type DataIssue,
  DataValidationError,
  type LoadReport,
  ROW_ERROR_KINDS,
  UnrecognizedFormatError,
} from "./load_report.ts";
import { checkOhlc } from "./price_checks.ts";
import type { RawBar } from "./raw_bar.ts";
import { orderRows } from "./row_order.ts";
import { DAY_MS, formatTimeframe, inferTimeframeMs, parseTimeframe } from "./timeframe.ts";

export interface LoadedSeries {
  readonly symbol: string;
  readonly timeframe: string;
  readonly file: string;
  readonly bars: RawBar[];
  readonly report: LoadReport;
}

/**
 * Parses, validates and (for Alpha Vantage files) split/dividend-adjusts one bar file.
 * `file` names the source in issues and supplies the symbol unless `symbol` is given.
 * Throws UnrecognizedFormatError for an unknown header and DataValidationError under the
 * "reject" policy when any row is invalid.
 */
export function barsFromCsvText(
  file: string,
  text: string,
  options: LoadOptions & { symbol?: string } = {},
): LoadedSeries {
  const opts = resolveLoadOptions(options);
  const named: FileSymbol = options.symbol === undefined
    ? symbolFromFileName(file)
    : { symbol: options.symbol };
  const symbol = named.symbol;
  const lines = text.split(/\r?\n/);
  let layout;
  try {
    layout = detectCsvLayout(lines.slice(0, 3));
  } catch (e) {
    if (e instanceof CsvLayoutError) throw new UnrecognizedFormatError(file, e.message);
    throw e;
  }
  const notes: string[] = [];
  const parsed = parseCsvRows(file, lines, layout, opts.offsetPolicy);
  const issues: DataIssue[] = [...parsed.issues];

  const checked: CsvRow[] = [];
  for (const row of parsed.rows) {
    const check = checkOhlc(row, opts.roundingTolerance);
    if (!check.ok) {
      issues.push({ file, line: row.line, kind: check.kind, message: check.message });
      continue;
    }
    if (check.repaired !== undefined) {
      issues.push({ file, line: row.line, kind: "rounding-repaired", message: check.repaired });
    }
    checked.push({ ...row, high: check.high, low: check.low });
  }

  const ordered = orderRows(file, checked);
  issues.push(...ordered.issues);
  if (ordered.reversed) notes.push("rows were newest-first; reversed to oldest-first");
  let rows = ordered.rows;

  const base = {
    file,
    symbol,
    format: layout.format,
    dataRows: parsed.dataRows,
    reversed: ordered.reversed,
    notes,
  };
  const distinctTimes = rows.length;
  if (opts.timeframe === undefined && distinctTimes < 2) {
    // Nothing to infer the timeframe from: report the row errors if that is why.
    rejectIfErrors(
      {
        ...base,
        timeframe: "unknown",
        assetClass: opts.assetClass ?? "equity",
        issues,
        rows: distinctTimes,
      },
      opts.policy === "reject",
      opts.maxIssuesInError,
    );
    throw new Error(
      `${file}: ${distinctTimes} usable data row(s) of ${parsed.dataRows}: cannot infer ` +
        "the timeframe from fewer than 2 distinct timestamps; pass it explicitly",
    );
  }

  const tfMs = opts.timeframe !== undefined
    ? parseTimeframe(opts.timeframe)
    : inferTimeframeMs(rows.map((r) => r.time));
  const timeframe = formatTimeframe(tfMs);
  if (opts.timeframe === undefined) notes.push(`timeframe ${timeframe} inferred from spacing`);
  if (named.timeframeHint !== undefined && parseTimeframe(named.timeframeHint) !== tfMs) {
    notes.push(`file name says ${named.timeframeHint} but the data is ${timeframe}`);
  }
  if (tfMs <= DAY_MS) {
    const aligned: CsvRow[] = [];
    for (const row of rows) {
      if (row.time % tfMs === 0) aligned.push(row);
      else {
        issues.push({
          file,
          line: row.line,
          kind: "misaligned-timestamp",
          message: `${new Date(row.time).toISOString()} is not on a ${timeframe} boundary (UTC)`,
        });
      }
    }
    rows = aligned;
  }
  if (rows.length === 0) {
    rejectIfErrors(
      { ...base, timeframe, assetClass: opts.assetClass ?? "equity", issues, rows: 0 },
      true,
      opts.maxIssuesInError,
    );
  }

  const assetClass = opts.assetClass ??
    (tradesOnWeekends(rows.map((r) => r.time)) ? "crypto" : "equity");
  const gapPolicy = { ...defaultGapPolicy(assetClass, tfMs), ...opts.gapPolicy };
  for (const gap of findGaps(rows.map((r) => r.time), tfMs, gapPolicy)) {
    const spanDays = (gap.time - gap.prevTime) / DAY_MS;
    issues.push({
      file,
      line: rows[gap.index].line,
      kind: "gap",
      message: `no bars between ${new Date(gap.prevTime).toISOString()} and ` +
        `${new Date(gap.time).toISOString()} (${
          spanDays >= 1 ? `${spanDays} days` : `${(gap.time - gap.prevTime) / 60_000} min`
        }; limit ${gapPolicy.maxSpacingFactor} × ${timeframe})`,
    });
  }

  let priceFactor: number[] | undefined;
  let volumeFactor: number[] | undefined;
  if (layout.format === "alphavantage-daily-adjusted") {
    // Actions come from every row that parsed, including rows dropped for bad prices.
    const actions: CorporateAction[] = parsed.rows.map((r) => ({
      line: r.line,
      time: r.time,
      split: r.split,
      dividend: r.dividend,
      close: r.close,
    }));
    const adjustment = adjustmentFactors(rows, actions, opts.adjust, opts.dividendBasis);
    for (const r of adjustment.rejected) {
      issues.push({ file, line: r.line, kind: "bad-corporate-action", message: r.message });
    }
    priceFactor = adjustment.priceFactor;
    volumeFactor = adjustment.volumeFactor;
    const applied = actions.filter((a) => a.split !== 1 || a.dividend !== 0).length;
    notes.push(
      opts.adjust === "none"
        ? `adjust=none: OHLCV as traded, ${applied} corporate action(s) ignored`
        : `OHLCV ${opts.adjust} back-adjusted over ${applied} corporate action(s)` +
          (opts.adjust === "split-dividend" ? ` (dividend basis ${opts.dividendBasis})` : ""),
    );
  }

  const bars: RawBar[] = rows.map((r, i) => {
    const p = priceFactor?.[i] ?? 1;
    return {
      symbol,
      timeframe,
      time: r.time,
      open: r.open * p,
      high: r.high * p,
      low: r.low * p,
      close: r.close * p,
      volume: r.volume * (volumeFactor?.[i] ?? 1),
    };
  });
  const report = rejectIfErrors(
    { ...base, timeframe, assetClass, issues, rows: bars.length },
    opts.policy === "reject",
    opts.maxIssuesInError,
  );
  return { symbol, timeframe, file, bars, report };
}

/**
 * Builds the report; throws DataValidationError when `reject` and any row error exists, or
 * when nothing is left (`rows` 0) whatever the policy, naming the issues either way.
 */
function rejectIfErrors(
  parts: Omit<LoadReport, "issues" | "counts" | "keptRows" | "droppedRows"> & {
    issues: DataIssue[];
    rows: number;
  },
  reject: boolean,
  shown: number,
): LoadReport {
  const { rows, ...rest } = parts;
  const issues = [...parts.issues].sort((a, b) => a.line - b.line);
  const report: LoadReport = {
    ...rest,
    issues,
    counts: countIssues(issues),
    keptRows: rows,
    droppedRows: parts.dataRows - rows,
  };
  const errors = issues.filter((i) => ROW_ERROR_KINDS.has(i.kind));
  if (rows === 0 && errors.length === 0) {
    throw new Error(`${parts.file}: no data rows after the header`);
  }
  if (errors.length > 0 && (reject || rows === 0)) {
    throw new DataValidationError(report, errors, shown, rows === 0);
  }
  return report;
}
