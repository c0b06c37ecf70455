/**
 * An OHLCV bar as loaded or polled, before the feed numbers it (`seq` is the feed's job).
 * `time` is the bar's open time in ms since the epoch, UTC; `timeframe` is like "5m" or "1d".
 */
export interface RawBar {
  readonly symbol: string;
  readonly timeframe: string;
  readonly time: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
}
