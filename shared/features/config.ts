// Periods and parameters of the streaming feature engine: one typed object, validated once
// with errors that name the field and the accepted values.

/** VWAP resets whenever floor((time - offsetMs) / periodMs) changes. */
export interface VwapAnchor {
  periodMs: number;
  offsetMs: number;
}

export interface FeatureConfig {
  smaPeriod: number;
  emaFastPeriod: number;
  emaSlowPeriod: number;
  rsiPeriod: number;
  macdFastPeriod: number;
  macdSlowPeriod: number;
  macdSignalPeriod: number;
  bbPeriod: number;
  bbStdDev: number;
  atrPeriod: number;
  adxPeriod: number;
  stochPeriod: number;
  stochSignalPeriod: number;
  rocPeriod: number;
  williamsRPeriod: number;
  /** Bars in the realized (log-return) and Parkinson (high/low) volatility windows. */
  volWindow: number;
  /** RiskMetrics decay of the EWMA variance forecast. */
  ewmaLambda: number;
  /** Past realized-volatility values the current one is ranked against. */
  volRankWindow: number;
  /** Realized-volatility values needed before a rank is reported. */
  volRankMinSamples: number;
  /**
   * Session anchor of the VWAP. The default (UTC calendar day) gives a session VWAP for
   * intraday bars; for daily bars pass a longer anchor (e.g. a week) or null for a VWAP
   * cumulative since the first bar, which is what the package computes by itself.
   */
  vwapAnchor: VwapAnchor | null;
}

export const DAY_MS = 86_400_000;

export const DEFAULT_FEATURE_CONFIG: Readonly<FeatureConfig> = Object.freeze({
  smaPeriod: 20,
  emaFastPeriod: 12,
  emaSlowPeriod: 26,
  rsiPeriod: 14,
  macdFastPeriod: 12,
  macdSlowPeriod: 26,
  macdSignalPeriod: 9,
  bbPeriod: 20,
  bbStdDev: 2,
  atrPeriod: 14,
  adxPeriod: 14,
  stochPeriod: 14,
  stochSignalPeriod: 3,
  rocPeriod: 12,
  williamsRPeriod: 14,
  volWindow: 20,
  ewmaLambda: 0.94,
  volRankWindow: 250,
  volRankMinSamples: 20,
  vwapAnchor: Object.freeze({ periodMs: DAY_MS, offsetMs: 0 }),
});

export class FeatureConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid feature configuration:\n  ${problems.join("\n  ")}`);
    this.name = "FeatureConfigError";
  }
}

const MAX_PERIOD = 100_000;

const INTEGER_FIELDS: Record<string, number> = {
  smaPeriod: 2,
  emaFastPeriod: 2,
  emaSlowPeriod: 2,
  rsiPeriod: 2,
  macdFastPeriod: 2,
  macdSlowPeriod: 2,
  macdSignalPeriod: 1,
  bbPeriod: 2,
  atrPeriod: 2,
  adxPeriod: 2,
  stochPeriod: 2,
  stochSignalPeriod: 1,
  rocPeriod: 1,
  williamsRPeriod: 2,
  volWindow: 2,
  volRankWindow: 2,
  volRankMinSamples: 1,
};

/** Fills defaults and checks every field; throws FeatureConfigError listing all problems. */
export function resolveFeatureConfig(overrides: Partial<FeatureConfig> = {}): FeatureConfig {
  const known = new Set(Object.keys(DEFAULT_FEATURE_CONFIG));
  const problems: string[] = [];
  for (const key of Object.keys(overrides)) {
    if (!known.has(key)) problems.push(`${key}: unknown field`);
  }
  const defined = Object.fromEntries(
    Object.entries(overrides).filter(([, v]) => v !== undefined),
  ) as Partial<FeatureConfig>;
  const cfg: FeatureConfig = { ...DEFAULT_FEATURE_CONFIG, ...defined };

  for (const [field, min] of Object.entries(INTEGER_FIELDS)) {
    const v = (cfg as unknown as Record<string, unknown>)[field];
    if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > MAX_PERIOD) {
      problems.push(`${field}: expected an integer in [${min}, ${MAX_PERIOD}] (got ${show(v)})`);
    }
  }
  if (typeof cfg.bbStdDev !== "number" || !Number.isFinite(cfg.bbStdDev) || cfg.bbStdDev <= 0) {
    problems.push(`bbStdDev: expected a finite number > 0 (got ${show(cfg.bbStdDev)})`);
  }
  if (
    typeof cfg.ewmaLambda !== "number" || !(cfg.ewmaLambda > 0 && cfg.ewmaLambda < 1)
  ) {
    problems.push(`ewmaLambda: expected a number in (0, 1) (got ${show(cfg.ewmaLambda)})`);
  }
  if (cfg.macdFastPeriod >= cfg.macdSlowPeriod) {
    problems.push(
      `macdFastPeriod: must be below macdSlowPeriod (got ${cfg.macdFastPeriod} >= ${cfg.macdSlowPeriod})`,
    );
  }
  if (cfg.volRankMinSamples > cfg.volRankWindow) {
    problems.push(
      `volRankMinSamples: must not exceed volRankWindow (got ${cfg.volRankMinSamples} > ${cfg.volRankWindow})`,
    );
  }
  if (cfg.vwapAnchor !== null) {
    const a = cfg.vwapAnchor as Partial<VwapAnchor> | undefined;
    if (typeof a !== "object" || a === null) {
      problems.push(`vwapAnchor: expected { periodMs, offsetMs } or null (got ${show(a)})`);
    } else {
      if (typeof a.periodMs !== "number" || !Number.isInteger(a.periodMs) || a.periodMs <= 0) {
        problems.push(`vwapAnchor.periodMs: expected an integer > 0 (got ${show(a.periodMs)})`);
      }
      if (typeof a.offsetMs !== "number" || !Number.isInteger(a.offsetMs)) {
        problems.push(`vwapAnchor.offsetMs: expected an integer (got ${show(a.offsetMs)})`);
      }
    }
  }
  if (problems.length > 0) throw new FeatureConfigError(problems);
  return cfg;
}

function show(v: unknown): string {
  if (v === undefined || typeof v === "number") return String(v);
  return JSON.stringify(v) ?? String(v);
}
