// Market data: replay loading (files and folders of CSV bars), resampling, multi-symbol
// alignment, and the live ccxt bar source.
export type { RawBar } from "./raw_bar.ts";
export { DAY_MS, formatTimeframe, inferTimeframeMs, parseTimeframe } from "./timeframe.ts";
export { parseDecimal } from "./numeric_field.ts";
export {
  OFFSET_POLICIES,
  type OffsetPolicy,
  type ParsedTime,
  parseTimestamp,
} from "./timestamp_parse.ts";
export {
  type CsvColumns,
  type CsvFormat,
  type CsvLayout,
  CsvLayoutError,
  detectCsvLayout,
} from "./csv_layout.ts";
export { baseName, type FileSymbol, isBarFileName, symbolFromFileName } from "./file_symbol.ts";
export { type CsvRow, parseCsvRows, type ParsedRows } from "./csv_rows.ts";
export {
  checkOhlc,
  DEFAULT_ROUNDING_TOLERANCE,
  type Ohlc,
  type OhlcCheck,
} from "./price_checks.ts";
export { type OrderedRows, orderRows, type Timed } from "./row_order.ts";
export {
  ADJUST_MODES,
  type Adjustment,
  adjustmentFactors,
  type AdjustMode,
  type CorporateAction,
} from "./corporate_actions.ts";
export {
  ASSET_CLASSES,
  type AssetClass,
  defaultGapPolicy,
  findGaps,
  type Gap,
  type GapPolicy,
  tradesOnWeekends,
} from "./gaps.ts";
export {
  countIssues,
  type DataIssue,
  DataValidationError,
  formatIssue,
  ISSUE_KINDS,
  type IssueKind,
  type LoadReport,
  ROW_ERROR_KINDS,
  ROW_POLICIES,
  type RowPolicy,
  summarizeReport,
  UnrecognizedFormatError,
} from "./load_report.ts";
export { type LoadOptions, type ResolvedLoadOptions, resolveLoadOptions } from "./load_options.ts";
export { barsFromCsvText, type LoadedSeries } from "./bar_file_parse.ts";
export { decodeBarFileBytes, loadBarFile, readBarFileText } from "./bar_file_read.ts";
export { loadReplaySources, type ReplaySources } from "./replay_sources.ts";
export { BarResampler, resampleBars, type ResampleOptions } from "./resample.ts";
export { alignBars, type AlignedStep, alignedSteps } from "./align.ts";
export {
  backoffDelayMs,
  describeError,
  RetriesExhaustedError,
  type RetryHooks,
  type RetryOptions,
  validateRetryOptions,
  withRetry,
} from "./retry_backoff.ts";
export {
  type Candle,
  candleToBar,
  ClosedBarTracker,
  isClosed,
  type LiveIssue,
  type LiveIssueKind,
  nextEmitTime,
  type Selection,
} from "./live_bar_tracker.ts";
export {
  abortableSleep,
  CcxtBarPoller,
  type CcxtExchangeOptions,
  type CcxtPollerOptions,
  createCcxtExchange,
  isTransientCcxtError,
  type OhlcvExchange,
  probeExchange,
  type ProbeTarget,
} from "./live_ccxt.ts";
export { devDataPath } from "./dev_data_path.ts";
