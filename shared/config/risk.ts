// RISK_* settings: every limit of the risk agent, settable from the environment. The
// defaults are a paper setup that trades (see agents/risk/options.ts for what each does).
import { z } from "zod";
import { fraction } from "./fields.ts";

const nonNeg = (dflt: number, max = Number.MAX_SAFE_INTEGER) =>
  z.coerce.number().finite().min(0).max(max).default(dflt);
const count = (dflt: number, min = 0) => z.coerce.number().int().min(min).default(dflt);

export const RISK_SETTINGS = {
  // sizing
  RISK_SIZING: z.enum(["fixed_fractional", "half_kelly", "vol_target", "max_fraction"])
    .default("fixed_fractional"),
  RISK_RISK_PER_TRADE: fraction(0.01),
  RISK_KELLY_MIN_TRADES: count(20, 1),
  RISK_KELLY_PRIOR_FRACTION: fraction(0.05),
  RISK_KELLY_WINDOW: count(100, 1),
  RISK_VOL_TARGET: nonNeg(0.15, 10),
  /** 0: inferred from the bar times. */
  RISK_PERIODS_PER_YEAR: nonNeg(0),
  // venue precision
  RISK_QUANTITY_STEP: z.coerce.number().finite().positive().max(1e6).default(1e-8),
  RISK_MIN_QUANTITY: nonNeg(0),
  RISK_MIN_NOTIONAL: nonNeg(10),
  RISK_REBALANCE_BAND: fraction(0.1),
  // limits
  RISK_MAX_POSITION_FRACTION: fraction(0.25),
  RISK_MAX_GROSS_EXPOSURE: nonNeg(1, 10),
  RISK_MAX_NET_EXPOSURE: nonNeg(1, 10),
  RISK_MAX_SECTOR_FRACTION: nonNeg(0.5, 10),
  /** CSV with Symbol and Sector columns; unset: every symbol is its own group. */
  RISK_SECTOR_MAP: z.string().min(1).optional(),
  RISK_MAX_OPEN_POSITIONS: count(20, 1),
  RISK_MAX_ORDERS_PER_DAY: count(100, 1),
  RISK_DAILY_LOSS_LIMIT: fraction(0.05),
  RISK_MAX_DRAWDOWN: fraction(0.25),
  RISK_DRAWDOWN_SCALE_START: fraction(0.1),
  RISK_DRAWDOWN_SCALE_END: fraction(0.25),
  // exits
  RISK_STOP_PCT: fraction(0.1),
  RISK_STOP_ATR_MULT: nonNeg(3, 100),
  RISK_ATR_PERIOD: count(14, 1),
  RISK_TRAILING_PCT: fraction(0),
  RISK_TAKE_PROFIT_PCT: nonNeg(0, 100),
  RISK_MAX_HOLDING_BARS: count(0),
  // circuit breakers
  RISK_VOL_SPIKE_RATIO: nonNeg(3, 1000),
  RISK_VOL_SPIKE_WINDOW: count(50, 2),
  RISK_STALE_BARS: count(5),
  RISK_MAX_DISAGREEMENT: fraction(0.6),
  RISK_DISAGREEMENT_WINDOW: count(20, 1),
  RISK_MAX_CONSECUTIVE_LOSSES: count(8),
  RISK_LOSS_STREAK_ACTION: z.enum(["reducing", "halted"]).default("reducing"),
  RISK_BREAKER_COOLDOWN_BARS: count(5, 1),
};
