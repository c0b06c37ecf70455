// What a loader found wrong with a file. Never silent: the report travels with the bars and
// the caller logs it; under the "reject" policy any row error aborts the load instead.
import type { AssetClass } from "./gaps.ts";

export const ISSUE_KINDS = [
  "malformed-row",
  "bad-number",
  "bad-timestamp",
  "timestamp-mismatch",
  "misaligned-timestamp",
  "non-positive-price",
  "negative-volume",
  "high-below-low",
  "high-low-outside-open-close",
  "duplicate-timestamp",
  "out-of-order",
  "bad-corporate-action",
  "rounding-repaired",
  "gap",
] as const;
export type IssueKind = (typeof ISSUE_KINDS)[number];

/**
 * Kinds that make a row unusable: the row is dropped ("drop") or the load fails ("reject").
 * The others are informational: a gap is a fact about the market, and "rounding-repaired" is
 * a high/low that missed open/close by float noise (within tolerance) and was snapped to it.
 */
export const ROW_ERROR_KINDS: ReadonlySet<IssueKind> = new Set<IssueKind>(
  ISSUE_KINDS.filter((k) => k !== "gap" && k !== "rounding-repaired"),
);

export interface DataIssue {
  readonly file: string;
  /** 1-based physical line of the CSV file (header lines count). */
  readonly line: number;
  readonly kind: IssueKind;
  readonly message: string;
}

export type RowPolicy = "reject" | "drop";
export const ROW_POLICIES: readonly RowPolicy[] = ["reject", "drop"];

export interface LoadReport {
  readonly file: string;
  readonly symbol: string;
  readonly format: string;
  readonly timeframe: string;
  readonly assetClass: AssetClass;
  /** Non-blank lines after the header. */
  readonly dataRows: number;
  readonly keptRows: number;
  readonly droppedRows: number;
  /** True when the file was newest-first and was reversed. */
  readonly reversed: boolean;
  readonly issues: readonly DataIssue[];
  readonly counts: Readonly<Partial<Record<IssueKind, number>>>;
  /** Decisions the loader took that are not issues (inferred settings, adjustments). */
  readonly notes: readonly string[];
}

export function countIssues(issues: readonly DataIssue[]): Partial<Record<IssueKind, number>> {
  const counts: Partial<Record<IssueKind, number>> = {};
  for (const issue of issues) counts[issue.kind] = (counts[issue.kind] ?? 0) + 1;
  return counts;
}

export function formatIssue(issue: DataIssue): string {
  return `${issue.file}:${issue.line} ${issue.kind}: ${issue.message}`;
}

/** One line for a log: symbol, rows kept/dropped and issue counts by kind. */
export function summarizeReport(report: LoadReport): string {
  const counts = Object.entries(report.counts).map(([k, n]) => `${k}=${n}`).join(" ");
  return `${report.symbol} ${report.timeframe} (${report.format}) from ${report.file}: ` +
    `${report.keptRows}/${report.dataRows} rows kept, ${report.droppedRows} dropped` +
    (report.reversed ? ", file was newest-first (reversed)" : "") +
    (counts ? `; issues: ${counts}` : "; no issues");
}

/** Thrown under the "reject" policy, or when no row at all is valid; carries the report. */
export class DataValidationError extends Error {
  constructor(
    readonly report: LoadReport,
    readonly errors: readonly DataIssue[],
    shown: number,
    noneValid = false,
  ) {
    const listed = errors.slice(0, shown).map(formatIssue).join("\n  ");
    const more = errors.length > shown ? `\n  ... and ${errors.length - shown} more` : "";
    super(
      (noneValid
        ? `${report.file}: no valid rows; ${errors.length} invalid row(s):`
        : `${report.file}: ${errors.length} invalid row(s) under policy "reject" ` +
          `(use policy "drop" to skip them):`) + `\n  ${listed}${more}`,
    );
    this.name = "DataValidationError";
  }
}

/** Thrown when a file's header matches none of the known bar formats. */
export class UnrecognizedFormatError extends Error {
  constructor(readonly file: string, readonly detail: string) {
    super(`${file}: ${detail}`);
    this.name = "UnrecognizedFormatError";
  }
}
