// Options of the replay loaders, validated once with errors that name the field.
import {
  ADJUST_MODES,
  type AdjustMode,
  DIVIDEND_BASES,
  type DividendBasis,
} from "./corporate_actions.ts";
import { ASSET_CLASSES, type AssetClass, type GapPolicy } from "./gaps.ts";
import { ROW_POLICIES, type RowPolicy } from "./load_report.ts";
import { DEFAULT_ROUNDING_TOLERANCE } from "./price_checks.ts";
import { parseTimeframe } from "./timeframe.ts";
import { OFFSET_POLICIES, type OffsetPolicy } from "./timestamp_parse.ts";

export interface LoadOptions {
  /** "reject" (default): any invalid row fails the load. "drop": invalid rows are skipped. */
  readonly policy?: RowPolicy;
  /** Alpha Vantage files only; default "split-dividend". Other formats are used as given. */
  readonly adjust?: AdjustMode;
  /** Reference close of the dividend factor; default "ex-close" (Alpha Vantage's). */
  readonly dividendBasis?: DividendBasis;
  /** Default "wallclock-utc": an offset suffix is ignored (the intraday files' is wrong). */
  readonly offsetPolicy?: OffsetPolicy;
  /** Default: "crypto" when any bar falls on a weekend, else "equity". */
  readonly assetClass?: AssetClass;
  /** Default: the median spacing of the timestamps. */
  readonly timeframe?: string;
  /** Overrides the asset-class default gap rule (see defaultGapPolicy). */
  readonly gapPolicy?: Partial<GapPolicy>;
  /** Relative slack for high/low vs open/close float noise; default 1e-9. */
  readonly roundingTolerance?: number;
  /** Issues listed in a "reject" error message; default 10. */
  readonly maxIssuesInError?: number;
}

export interface ResolvedLoadOptions {
  readonly policy: RowPolicy;
  readonly adjust: AdjustMode;
  readonly dividendBasis: DividendBasis;
  readonly offsetPolicy: OffsetPolicy;
  readonly assetClass?: AssetClass;
  readonly timeframe?: string;
  readonly gapPolicy: Partial<GapPolicy>;
  readonly roundingTolerance: number;
  readonly maxIssuesInError: number;
}

export function resolveLoadOptions(opts: LoadOptions = {}): ResolvedLoadOptions {
  const oneOf = <T extends string>(field: string, value: T | undefined, allowed: readonly T[]) => {
    if (value !== undefined && !allowed.includes(value)) {
      throw new Error(
        `invalid load option ${field}='${value}': accepted values are ${allowed.join(", ")}`,
      );
    }
    return value;
  };
  if (opts.timeframe !== undefined) parseTimeframe(opts.timeframe);
  const tolerance = opts.roundingTolerance ?? DEFAULT_ROUNDING_TOLERANCE;
  if (!(tolerance >= 0 && tolerance < 0.01)) {
    throw new Error(`invalid load option roundingTolerance=${tolerance}: must be in [0, 0.01)`);
  }
  const shown = opts.maxIssuesInError ?? 10;
  if (!Number.isInteger(shown) || shown < 1) {
    throw new Error(`invalid load option maxIssuesInError=${shown}: must be an integer >= 1`);
  }
  const factor = opts.gapPolicy?.maxSpacingFactor;
  if (factor !== undefined && !(Number.isFinite(factor) && factor >= 1)) {
    throw new Error(`invalid load option gapPolicy.maxSpacingFactor=${factor}: must be >= 1`);
  }
  return {
    policy: oneOf("policy", opts.policy, ROW_POLICIES) ?? "reject",
    adjust: oneOf("adjust", opts.adjust, ADJUST_MODES) ?? "split-dividend",
    dividendBasis: oneOf("dividendBasis", opts.dividendBasis, DIVIDEND_BASES) ?? "ex-close",
    offsetPolicy: oneOf("offsetPolicy", opts.offsetPolicy, OFFSET_POLICIES) ?? "wallclock-utc",
    assetClass: oneOf("assetClass", opts.assetClass, ASSET_CLASSES),
    timeframe: opts.timeframe,
    gapPolicy: opts.gapPolicy ?? {},
    roundingTolerance: tolerance,
    maxIssuesInError: shown,
  };
}
