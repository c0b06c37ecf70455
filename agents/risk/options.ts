// Every knob of the risk agent, its default and its validation. The defaults are the same
// as the RISK_* configuration defaults (shared/config/risk.ts), a paper setup that trades.
export const SIZING_MODES = [
  "fixed_fractional",
  "half_kelly",
  "vol_target",
  "max_fraction",
] as const;
export type SizingMode = (typeof SIZING_MODES)[number];

export const BREAKER_ACTIONS = ["reducing", "halted"] as const;
export type BreakerAction = (typeof BREAKER_ACTIONS)[number];

export interface RiskOptions {
  /** How a long is sized (max_fraction: always the position cap, the old behaviour). */
  sizing: SizingMode;
  /** fixed_fractional: fraction of equity lost if the initial stop is hit. */
  riskPerTrade: number;
  /** half_kelly: closed trades needed before Kelly applies; before, kellyPriorFraction. */
  kellyMinTrades: number;
  kellyPriorFraction: number;
  /** half_kelly: closed trades in the rolling record. */
  kellyWindow: number;
  /** vol_target: annualised volatility a position aims at. */
  volTarget: number;
  /** vol_target: bars per year to annualise the forecast; 0 = inferred from the bar times. */
  periodsPerYear: number;

  /** Largest position value of one symbol, as a fraction of equity. */
  maxPositionFraction: number;
  /** Largest Σ |quantity| × price over all positions, as a multiple of equity. */
  maxGrossExposure: number;
  /** Largest |Σ quantity × price| (longs minus shorts), as a multiple of equity. */
  maxNetExposure: number;
  /** Largest Σ |value| of one sector's positions, as a fraction of equity. */
  maxSectorFraction: number;
  /** symbol → sector; a symbol not in it is a group of its own. */
  sectors: Record<string, string>;
  maxOpenPositions: number;
  /** Exposure-increasing orders approved per UTC day of bar time. */
  maxOrdersPerDay: number;
  /** Fraction of the day-start equity whose loss halts trading (0.05 = −5 %). */
  dailyLossLimit: number;
  /** Fraction below the peak equity at which trading halts. */
  maxDrawdown: number;
  /** Buys shrink linearly from full size at this drawdown … */
  drawdownScaleStart: number;
  /** … to nothing at this one. */
  drawdownScaleEnd: number;

  feeBps: number;
  slippageBps: number;
  /** Venue precision: quantities are multiples of this. */
  quantityStep: number;
  minQuantity: number;
  /** Smallest buy worth sending, in quote currency: below it the order is dust. */
  minNotional: number;
  /** A top-up smaller than this fraction of the target position's value is skipped. */
  rebalanceBand: number;

  /** Initial stop at entry × (1 − stopPct); 0 = off. */
  stopPct: number;
  /** Chandelier stop: highest high since entry − stopAtrMult × ATR; 0 = off. */
  stopAtrMult: number;
  atrPeriod: number;
  /** Trailing stop at highest high since entry × (1 − trailingPct); 0 = off. */
  trailingPct: number;
  /** Take-profit at entry × (1 + takeProfitPct); 0 = off. */
  takeProfitPct: number;
  /** Market exit after this many bars held; 0 = off. */
  maxHoldingBars: number;

  /** Volatility spike: forecast ≥ ratio × median of the symbol's recent forecasts; 0 = off. */
  volSpikeRatio: number;
  volSpikeWindow: number;
  /** Stale data: decision more than this many bars behind the newest bar; 0 = off. */
  staleBars: number;
  /** Disagreement: mean over the symbol's last disagreementWindow decisions ≥ this; 1 = off. */
  maxDisagreement: number;
  disagreementWindow: number;
  /** This many losing trades in a row trip a breaker; 0 = off. */
  maxConsecutiveLosses: number;
  lossStreakAction: BreakerAction;
  /** A REDUCING breaker clears this many bars after it last fired. */
  breakerCooldownBars: number;

  /** Decisions / accounts / bars waiting for their partners, each; beyond, the oldest drop. */
  maxWaiting: number;
  /** Settled bar times remembered exactly per symbol (older ones collapse to a watermark). */
  settledMemory: number;
  /** Operator command and fill ids remembered for de-duplication. */
  commandMemory: number;
}

export const DEFAULT_RISK_OPTIONS: Readonly<RiskOptions> = Object.freeze(
  {
    sizing: "fixed_fractional",
    riskPerTrade: 0.01,
    kellyMinTrades: 20,
    kellyPriorFraction: 0.05,
    kellyWindow: 100,
    volTarget: 0.15,
    periodsPerYear: 0,
    maxPositionFraction: 0.25,
    maxGrossExposure: 1,
    maxNetExposure: 1,
    maxSectorFraction: 0.5,
    sectors: {},
    maxOpenPositions: 20,
    maxOrdersPerDay: 100,
    dailyLossLimit: 0.05,
    maxDrawdown: 0.25,
    drawdownScaleStart: 0.1,
    drawdownScaleEnd: 0.25,
    feeBps: 10,
    slippageBps: 5,
    quantityStep: 1e-8,
    minQuantity: 0,
    minNotional: 10,
    rebalanceBand: 0.1,
    stopPct: 0.1,
    stopAtrMult: 3,
    atrPeriod: 14,
    trailingPct: 0,
    takeProfitPct: 0,
    maxHoldingBars: 0,
    volSpikeRatio: 3,
    volSpikeWindow: 50,
    staleBars: 5,
    maxDisagreement: 0.6,
    disagreementWindow: 20,
    maxConsecutiveLosses: 8,
    lossStreakAction: "reducing",
    breakerCooldownBars: 5,
    maxWaiting: 4096,
    settledMemory: 1024,
    commandMemory: 1024,
  } satisfies RiskOptions,
);

/** Options with the overrides applied, or an error naming every bad one. */
export function resolveRiskOptions(overrides: Partial<RiskOptions> = {}): RiskOptions {
  const o: RiskOptions = { ...DEFAULT_RISK_OPTIONS, sectors: { ...DEFAULT_RISK_OPTIONS.sectors } };
  const problems: string[] = [];
  for (const [key, value] of Object.entries(overrides)) {
    if (!(key in DEFAULT_RISK_OPTIONS)) problems.push(`${key}: unknown option`);
    else if (value !== undefined) (o as unknown as Record<string, unknown>)[key] = value;
  }
  type NumKey = { [K in keyof RiskOptions]: RiskOptions[K] extends number ? K : never }[
    keyof RiskOptions
  ];
  const inRange = (key: NumKey, lo: number, hi: number, loOpen = false) => {
    const v = o[key];
    if (!(Number.isFinite(v) && (loOpen ? v > lo : v >= lo) && v <= hi)) {
      problems.push(`${key}: expected a number in ${loOpen ? "(" : "["}${lo}, ${hi}] (got ${v})`);
    }
  };
  const integer = (key: NumKey, lo: number) => {
    if (!(Number.isInteger(o[key]) && o[key] >= lo)) {
      problems.push(`${key}: expected an integer >= ${lo} (got ${o[key]})`);
    }
  };
  if (!(SIZING_MODES as readonly string[]).includes(o.sizing)) {
    problems.push(`sizing: expected one of ${SIZING_MODES.join("|")} (got ${o.sizing})`);
  }
  if (!(BREAKER_ACTIONS as readonly string[]).includes(o.lossStreakAction)) {
    problems.push(`lossStreakAction: expected reducing|halted (got ${o.lossStreakAction})`);
  }
  inRange("riskPerTrade", 0, 1, true);
  inRange("kellyPriorFraction", 0, 1);
  inRange("volTarget", 0, 10, true);
  inRange("periodsPerYear", 0, 1e7);
  inRange("maxPositionFraction", 0, 1, true);
  inRange("maxGrossExposure", 0, 10, true);
  inRange("maxNetExposure", 0, 10, true);
  inRange("maxSectorFraction", 0, 10, true);
  inRange("dailyLossLimit", 0, 1, true);
  inRange("maxDrawdown", 0, 1, true);
  inRange("drawdownScaleStart", 0, 1);
  inRange("drawdownScaleEnd", 0, 1);
  if (o.drawdownScaleEnd <= o.drawdownScaleStart) {
    problems.push(
      `drawdownScaleEnd: must be above drawdownScaleStart ${o.drawdownScaleStart} (got ${o.drawdownScaleEnd})`,
    );
  }
  inRange("feeBps", 0, 1000);
  inRange("slippageBps", 0, 1000);
  inRange("quantityStep", 0, 1e6, true);
  inRange("minQuantity", 0, 1e12);
  inRange("minNotional", 0, 1e12);
  inRange("rebalanceBand", 0, 1);
  inRange("stopPct", 0, 0.99);
  inRange("stopAtrMult", 0, 100);
  inRange("trailingPct", 0, 0.99);
  inRange("takeProfitPct", 0, 100);
  inRange("volSpikeRatio", 0, 1000);
  inRange("maxDisagreement", 0, 1);
  integer("kellyMinTrades", 1);
  integer("kellyWindow", 1);
  integer("maxOpenPositions", 1);
  integer("maxOrdersPerDay", 1);
  integer("atrPeriod", 1);
  integer("maxHoldingBars", 0);
  integer("volSpikeWindow", 2);
  integer("staleBars", 0);
  integer("disagreementWindow", 1);
  integer("maxConsecutiveLosses", 0);
  integer("breakerCooldownBars", 1);
  integer("maxWaiting", 1);
  integer("settledMemory", 1);
  integer("commandMemory", 1);
  if (typeof o.sectors !== "object" || o.sectors === null) problems.push("sectors: expected a map");
  if (problems.length > 0) throw new Error(`invalid risk options: ${problems.join("; ")}`);
  return o;
}
