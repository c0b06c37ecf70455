// The risk options a configuration asks for. The sector map file is read here, once, when
// the core is built (a bad file stops the start with an error naming its line).
import type { Config } from "../../shared/config/mod.ts";
import type { RiskOptions } from "./options.ts";
import { readSectorMap } from "./sector_map.ts";

export function riskOptionsFromConfig(
  c: Config,
  readSectors: (path: string) => Record<string, string> = readSectorMap,
): Partial<RiskOptions> {
  return {
    sizing: c.RISK_SIZING,
    riskPerTrade: c.RISK_RISK_PER_TRADE,
    kellyMinTrades: c.RISK_KELLY_MIN_TRADES,
    kellyPriorFraction: c.RISK_KELLY_PRIOR_FRACTION,
    kellyWindow: c.RISK_KELLY_WINDOW,
    volTarget: c.RISK_VOL_TARGET,
    periodsPerYear: c.RISK_PERIODS_PER_YEAR,
    quantityStep: c.RISK_QUANTITY_STEP,
    minQuantity: c.RISK_MIN_QUANTITY,
    minNotional: c.RISK_MIN_NOTIONAL,
    rebalanceBand: c.RISK_REBALANCE_BAND,
    maxPositionFraction: c.RISK_MAX_POSITION_FRACTION,
    maxGrossExposure: c.RISK_MAX_GROSS_EXPOSURE,
    maxNetExposure: c.RISK_MAX_NET_EXPOSURE,
    maxSectorFraction: c.RISK_MAX_SECTOR_FRACTION,
    sectors: c.RISK_SECTOR_MAP === undefined ? {} : readSectors(c.RISK_SECTOR_MAP),
    maxOpenPositions: c.RISK_MAX_OPEN_POSITIONS,
    maxOrdersPerDay: c.RISK_MAX_ORDERS_PER_DAY,
    dailyLossLimit: c.RISK_DAILY_LOSS_LIMIT,
    maxDrawdown: c.RISK_MAX_DRAWDOWN,
    drawdownScaleStart: c.RISK_DRAWDOWN_SCALE_START,
    drawdownScaleEnd: c.RISK_DRAWDOWN_SCALE_END,
    stopPct: c.RISK_STOP_PCT,
    stopAtrMult: c.RISK_STOP_ATR_MULT,
    atrPeriod: c.RISK_ATR_PERIOD,
    trailingPct: c.RISK_TRAILING_PCT,
    takeProfitPct: c.RISK_TAKE_PROFIT_PCT,
    maxHoldingBars: c.RISK_MAX_HOLDING_BARS,
    volSpikeRatio: c.RISK_VOL_SPIKE_RATIO,
    volSpikeWindow: c.RISK_VOL_SPIKE_WINDOW,
    staleBars: c.RISK_STALE_BARS,
    maxDisagreement: c.RISK_MAX_DISAGREEMENT,
    disagreementWindow: c.RISK_DISAGREEMENT_WINDOW,
    maxConsecutiveLosses: c.RISK_MAX_CONSECUTIVE_LOSSES,
    lossStreakAction: c.RISK_LOSS_STREAK_ACTION,
    breakerCooldownBars: c.RISK_BREAKER_COOLDOWN_BARS,
    feeBps: c.FEE_BPS,
    slippageBps: c.SLIPPAGE_BPS,
  };
}
