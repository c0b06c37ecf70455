// Turns the data lines of a bar file into typed rows. A row whose cells do not parse is
// reported (with its physical line number) and left out; nothing is coerced.
import type { CsvLayout } from "./csv_layout.ts";
import type { DataIssue } from "./load_report.ts";
import { parseDecimalIn } from "./numeric_field.ts";
import { type OffsetPolicy, parseTimestamp } from "./timestamp_parse.ts";

export interface CsvRow {
  /** 1-based physical line number. */
  readonly line: number;
  readonly time: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
  /** Cash dividend going ex on this date (0 when none or not in the format). */
  readonly dividend: number;
  /** Split ratio taking effect on this date (1 when none or not in the format). */
  readonly split: number;
  readonly adjustedClose?: number;
}

export interface ParsedRows {
  readonly rows: CsvRow[];
  readonly issues: DataIssue[];
  /** Non-blank lines after the header. */
  readonly dataRows: number;
}

// Numeric cells by fixed slot (a typed array, not a keyed object: this loop runs ~250k
// times per folder), with their CSV names and the value used when the format lacks them.
const OPEN = 0, HIGH = 1, LOW = 2, CLOSE = 3, VOLUME = 4, ADJ = 5, DIV = 6, SPLIT = 7, UNIX = 8;
const SLOT_NAMES = [
  "open",
  "high",
  "low",
  "close",
  "volume",
  "adjusted_close",
  "dividend_amount",
  "split_coefficient",
  "unix_timestamp",
];
const SLOT_DEFAULTS = [0, 0, 0, 0, 0, 0, 0, 1, 0];

export function parseCsvRows(
  file: string,
  lines: readonly string[],
  layout: CsvLayout,
  offsetPolicy: OffsetPolicy,
): ParsedRows {
  const rows: CsvRow[] = [];
  const issues: DataIssue[] = [];
  const c = layout.columns;
  const slotColumn = [
    c.open,
    c.high,
    c.low,
    c.close,
    c.volume,
    c.adjustedClose ?? -1,
    c.dividend ?? -1,
    c.split ?? -1,
    c.unixSeconds ?? -1,
  ];
  const values = new Float64Array(slotColumn.length);
  // Cell k of the current line is text[starts[k], ends[k]); found with indexOf rather than
  // split(",") so no substring is allocated per cell.
  const starts = new Int32Array(layout.columnCount + 1);
  const ends = new Int32Array(layout.columnCount + 1);
  let dataRows = 0;
  rows: for (let i = layout.headerLines; i < lines.length; i++) {
    const text = lines[i].trim();
    if (text === "") continue;
    dataRows++;
    const line = i + 1;
    let cellCount = 0;
    for (let from = 0;; cellCount++) {
      const comma = text.indexOf(",", from);
      if (cellCount <= layout.columnCount) {
        starts[cellCount] = from;
        ends[cellCount] = comma < 0 ? text.length : comma;
      }
      if (comma < 0) break;
      from = comma + 1;
    }
    cellCount++;
    if (cellCount !== layout.columnCount) {
      issues.push({
        file,
        line,
        kind: "malformed-row",
        message: `expected ${layout.columnCount} cells, found ${cellCount}`,
      });
      continue;
    }
    const parsedTime = parseTimestamp(
      text.slice(starts[c.time], ends[c.time]).trim(),
      offsetPolicy,
    );
    if (!parsedTime.ok) {
      issues.push({ file, line, kind: "bad-timestamp", message: parsedTime.error });
      continue;
    }
    for (let slot = 0; slot < slotColumn.length; slot++) {
      const column = slotColumn[slot];
      if (column < 0) {
        values[slot] = SLOT_DEFAULTS[slot];
        continue;
      }
      const value = parseDecimalIn(text, starts[column], ends[column]);
      if (value === undefined) {
        issues.push({
          file,
          line,
          kind: "bad-number",
          message: `${SLOT_NAMES[slot]} '${
            text.slice(starts[column], ends[column])
          }' is not a number`,
        });
        continue rows;
      }
      values[slot] = value;
    }
    const volume = values[VOLUME];
    const dividend = values[DIV];
    const split = values[SPLIT];
    if (volume < 0) {
      issues.push({ file, line, kind: "negative-volume", message: `volume ${volume} is negative` });
      continue;
    }
    if (!(dividend >= 0) || !(split > 0)) {
      issues.push({
        file,
        line,
        kind: "bad-corporate-action",
        message:
          `dividend_amount must be >= 0 and split_coefficient > 0, got ${dividend} and ${split}`,
      });
      continue;
    }
    if (c.unixSeconds !== undefined && values[UNIX] * 1000 !== parsedTime.time) {
      issues.push({
        file,
        line,
        kind: "timestamp-mismatch",
        message: `unix_timestamp ${values[UNIX]} is ${
          new Date(values[UNIX] * 1000).toISOString()
        } but timestamp is ${new Date(parsedTime.time).toISOString()}`,
      });
      continue;
    }
    rows.push({
      line,
      time: parsedTime.time,
      open: values[OPEN],
      high: values[HIGH],
      low: values[LOW],
      close: values[CLOSE],
      volume,
      dividend,
      split,
      adjustedClose: c.adjustedClose === undefined ? undefined : values[ADJ],
    });
  }
  return { rows, issues, dataRows };
}
