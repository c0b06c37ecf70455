// Recognises the bar-file formats by their header line(s) and maps columns by name, so a
// reordered column (the BTC file has open,close,volume,...,high,low) is read correctly.

export type CsvFormat =
  /** Alpha Vantage TIME_SERIES_DAILY_ADJUSTED: unadjusted OHLC + adjusted_close + actions. */
  | "alphavantage-daily-adjusted"
  /** yfinance export: 3 header lines, columns Close,High,Low,Open,Volume, already adjusted. */
  | "yfinance"
  /** OHLCV with an extra unix_timestamp (seconds) column (the BTC file). */
  | "ohlcv-unix"
  /** Plain timestamp,open,high,low,close,volume. */
  | "ohlcv";

export interface CsvColumns {
  readonly time: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
  readonly adjustedClose?: number;
  readonly dividend?: number;
  readonly split?: number;
  readonly unixSeconds?: number;
}

export interface CsvLayout {
  readonly format: CsvFormat;
  /** Physical lines before the first data row. */
  readonly headerLines: number;
  readonly columnCount: number;
  readonly columns: CsvColumns;
}

const TIME_NAMES = ["timestamp", "date", "datetime", "time"];
const KNOWN_FORMATS = "Alpha Vantage daily adjusted " +
  "(timestamp,open,high,low,close,adjusted_close,volume,dividend_amount,split_coefficient); " +
  "yfinance with a 3-line header (Price,Close,High,Low,Open,Volume / Ticker,... / Date,...); " +
  "timestamp,open,close,volume,unix_timestamp,high,low; timestamp,open,high,low,close,volume";

export class CsvLayoutError extends Error {
  constructor(message: string) {
    super(`${message}; known formats: ${KNOWN_FORMATS}`);
    this.name = "CsvLayoutError";
  }
}

const cells = (line: string | undefined): string[] =>
  (line ?? "").replace(/^\uFEFF/, "").trim().split(",").map((c) => c.trim().toLowerCase());

/** Throws CsvLayoutError when the header matches no known format. */
export function detectCsvLayout(firstLines: readonly string[]): CsvLayout {
  const header = cells(firstLines[0]);
  const index = indexColumns(header);

  if (header[0] === "price" && cells(firstLines[1])[0] === "ticker") {
    if (cells(firstLines[2])[0] !== "date") {
      throw new CsvLayoutError("yfinance-style header: third line must start with 'Date'");
    }
    return {
      format: "yfinance",
      headerLines: 3,
      columnCount: header.length,
      columns: { time: 0, ...requireOhlcv(index, header) },
    };
  }

  const timeName = TIME_NAMES.find((n) => index.has(n));
  if (timeName === undefined) {
    throw new CsvLayoutError(`unrecognized header '${header.join(",")}': no timestamp column`);
  }
  const base = { time: index.get(timeName)!, ...requireOhlcv(index, header) };
  const actionNames = ["adjusted_close", "dividend_amount", "split_coefficient"];
  const present = actionNames.filter((n) => index.has(n));
  if (present.length > 0) {
    if (present.length !== actionNames.length) {
      const missing = actionNames.filter((n) => !index.has(n));
      throw new CsvLayoutError(
        `header '${header.join(",")}' looks like Alpha Vantage daily adjusted but lacks ${
          missing.join(", ")
        }`,
      );
    }
    return {
      format: "alphavantage-daily-adjusted",
      headerLines: 1,
      columnCount: header.length,
      columns: {
        ...base,
        adjustedClose: index.get("adjusted_close"),
        dividend: index.get("dividend_amount"),
        split: index.get("split_coefficient"),
      },
    };
  }
  if (index.has("unix_timestamp")) {
    return {
      format: "ohlcv-unix",
      headerLines: 1,
      columnCount: header.length,
      columns: { ...base, unixSeconds: index.get("unix_timestamp") },
    };
  }
  return { format: "ohlcv", headerLines: 1, columnCount: header.length, columns: base };
}

function indexColumns(header: readonly string[]): Map<string, number> {
  const index = new Map<string, number>();
  header.forEach((name, i) => {
    if (name === "") return;
    if (index.has(name)) throw new CsvLayoutError(`header repeats column '${name}'`);
    index.set(name, i);
  });
  return index;
}

function requireOhlcv(index: Map<string, number>, header: readonly string[]) {
  const need = ["open", "high", "low", "close", "volume"] as const;
  const missing = need.filter((n) => !index.has(n));
  if (missing.length > 0) {
    throw new CsvLayoutError(
      `unrecognized header '${header.join(",")}': missing column(s) ${missing.join(", ")}`,
    );
  }
  return {
    open: index.get("open")!,
    high: index.get("high")!,
    low: index.get("low")!,
    close: index.get("close")!,
    volume: index.get("volume")!,
  };
}
