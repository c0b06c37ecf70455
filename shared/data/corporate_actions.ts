// Back-adjustment for splits and cash dividends: the last bar keeps its traded prices and
// every earlier bar is multiplied by the factors of all actions after it, so returns across
// an action are the holder's real returns. Volume is scaled by splits only.
//
//   split k on day s:       prices × 1/k, volume × k
//   dividend D on ex-day s: prices × (1 - D/(C + D)) with C the ex-day close ("ex-close",
//                           Alpha Vantage's convention, matching its adjusted_close), or
//                           prices × (1 - D/P) with P the previous close ("prev-close", CRSP)
//
// When both fall on one day the dividend is in post-split shares: the previous close in that
// basis is P/k, so the prev-close dividend factor is 1 - D·k/P. The ex-day close is already
// post-split.
//
// A back-adjusted series embeds later actions in earlier prices (AAPL's 1999 close depends
// on its 2020 split); ratios and returns between bars are what carry no look-ahead.

export type AdjustMode = "split-dividend" | "split-only" | "none";
export const ADJUST_MODES: readonly AdjustMode[] = ["split-dividend", "split-only", "none"];

export type DividendBasis = "ex-close" | "prev-close";
export const DIVIDEND_BASES: readonly DividendBasis[] = ["ex-close", "prev-close"];

export interface CorporateAction {
  readonly line: number;
  readonly time: number;
  /** Split ratio (new shares per old share), 1 when none. */
  readonly split: number;
  /** Cash dividend per share going ex on `time`, 0 when none. */
  readonly dividend: number;
  /** Unadjusted close of the ex-day (the "ex-close" basis). */
  readonly close: number;
}

export interface Adjustment {
  /** Multiplier for open/high/low/close of each bar. */
  readonly priceFactor: number[];
  /** Multiplier for the volume of each bar. */
  readonly volumeFactor: number[];
  /** Dividends that could not be applied, with why. */
  readonly rejected: { line: number; message: string }[];
}

/**
 * `bars` ascending by time with their unadjusted closes; `actions` in any order. An action
 * applies to the bars strictly before its date, whether or not its own row was kept.
 */
export function adjustmentFactors(
  bars: readonly { time: number; close: number }[],
  actions: readonly CorporateAction[],
  mode: AdjustMode,
  basis: DividendBasis = "ex-close",
): Adjustment {
  const priceFactor = new Array<number>(bars.length);
  const volumeFactor = new Array<number>(bars.length);
  const rejected: { line: number; message: string }[] = [];
  const pending = actions.filter((a) => a.split !== 1 || a.dividend !== 0)
    .sort((a, b) => a.time - b.time);
  let j = pending.length - 1;
  let price = 1;
  let volume = 1;
  for (let i = bars.length - 1; i >= 0; i--) {
    while (j >= 0 && pending[j].time > bars[i].time) {
      const action = pending[j--];
      if (mode === "none") continue;
      let dividendPart = 1;
      if (mode === "split-dividend" && action.dividend > 0) {
        dividendPart = dividendFactor(action, bars[i].close, basis);
        if (!(dividendPart > 0 && dividendPart < 1)) {
          rejected.push({
            line: action.line,
            message: `dividend ${action.dividend} cannot be applied (ex-day close ` +
              `${action.close}, previous close ${bars[i].close}, split ${action.split})`,
          });
          dividendPart = 1;
        }
      }
      price *= dividendPart / action.split;
      volume *= action.split;
    }
    priceFactor[i] = price;
    volumeFactor[i] = volume;
  }
  return { priceFactor, volumeFactor, rejected };
}

function dividendFactor(action: CorporateAction, previousClose: number, basis: DividendBasis) {
  if (basis === "ex-close") return action.close / (action.close + action.dividend);
  return 1 - (action.dividend * action.split) / previousClose;
}
