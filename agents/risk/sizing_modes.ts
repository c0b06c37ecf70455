// How large a new long should be, as a fraction of equity, by the configured sizing mode;
// then capped at the maximum position fraction and scaled down as the drawdown deepens.
// Every change of size is a reason with the numbers behind it. Pure.
import type { Reason } from "../../shared/messages/mod.ts";
import type { RiskOptions } from "./options.ts";
import { type ClosedTrade, kellyStats } from "./trades.ts";

export type SizingModeOptions = Pick<
  RiskOptions,
  | "sizing"
  | "riskPerTrade"
  | "kellyMinTrades"
  | "kellyPriorFraction"
  | "volTarget"
  | "periodsPerYear"
  | "maxPositionFraction"
  | "drawdownScaleStart"
  | "drawdownScaleEnd"
>;

export interface SizingInputs {
  price: number;
  /** Initial stop a new entry would get now (null: no stop configured or not warm). */
  stop: number | null;
  closedTrades: readonly ClosedTrade[];
  /** Per-bar volatility forecast of the volatility agent (decision.volatilityForecast). */
  volatilityForecast: number | null;
  /** Bars per year inferred from the bar times (null: not known yet). */
  inferredPeriodsPerYear: number | null;
  /** 1 − equity / peak equity. */
  drawdown: number;
}

export type FractionPlan =
  | { kind: "size"; fraction: number; reasons: Reason[] }
  | { kind: "veto"; reasons: Reason[] };

/** The mode's own fraction, before the cap. */
export function modeFraction(i: SizingInputs, o: SizingModeOptions): FractionPlan {
  switch (o.sizing) {
    case "max_fraction":
      return {
        kind: "size",
        fraction: o.maxPositionFraction,
        reasons: [reason("sizing_max_fraction", "size at the position cap", {
          fraction: o.maxPositionFraction,
        })],
      };
    case "fixed_fractional": {
      const distance = i.stop === null ? 0 : i.price - i.stop;
      if (!(distance > 0)) {
        return {
          kind: "veto",
          reasons: [reason("no_stop_distance", "fixed-fractional sizing needs a stop below", {
            price: i.price,
            stop: i.stop,
          })],
        };
      }
      // quantity = equity × r / distance, so its value over equity is r × price / distance
      const fraction = o.riskPerTrade * i.price / distance;
      return {
        kind: "size",
        fraction,
        reasons: [reason(
          "sizing_fixed_fractional",
          `risk ${o.riskPerTrade} of equity over a stop distance of ${distance}`,
          { riskPerTrade: o.riskPerTrade, price: i.price, stop: i.stop, distance, fraction },
        )],
      };
    }
    case "half_kelly": {
      const stats = i.closedTrades.length >= o.kellyMinTrades ? kellyStats(i.closedTrades) : null;
      if (stats === null) {
        return {
          kind: "size",
          fraction: o.kellyPriorFraction,
          reasons: [reason(
            "sizing_kelly_prior",
            `${i.closedTrades.length} closed trades (need ${o.kellyMinTrades} with a win and a loss): prior size`,
            {
              trades: i.closedTrades.length,
              minTrades: o.kellyMinTrades,
              fraction: o.kellyPriorFraction,
            },
          )],
        };
      }
      const fraction = stats.kelly / 2;
      const values = { ...stats, fraction };
      if (!(fraction > 0)) {
        return {
          kind: "veto",
          reasons: [reason("kelly_no_edge", "the closed trades show no edge", values)],
        };
      }
      return {
        kind: "size",
        fraction,
        reasons: [reason("sizing_half_kelly", `half of the Kelly stake ${stats.kelly}`, values)],
      };
    }
    case "vol_target": {
      const ppy = o.periodsPerYear > 0 ? o.periodsPerYear : i.inferredPeriodsPerYear;
      const f = i.volatilityForecast;
      if (f === null || !(f > 0) || ppy === null || !(ppy > 0)) {
        return {
          kind: "veto",
          reasons: [reason("no_vol_forecast", "vol targeting needs a forecast and bars/year", {
            volatilityForecast: f,
            periodsPerYear: ppy,
          })],
        };
      }
      const annualised = f * Math.sqrt(ppy);
      const fraction = o.volTarget / annualised;
      return {
        kind: "size",
        fraction,
        reasons: [reason(
          "sizing_vol_target",
          `target vol ${o.volTarget} over forecast ${annualised} a year`,
          { volTarget: o.volTarget, forecast: f, periodsPerYear: ppy, annualised, fraction },
        )],
      };
    }
  }
}

/** 1 at or below the start drawdown, 0 at or beyond the end, linear between. */
export function drawdownScale(drawdown: number, start: number, end: number): number {
  if (!(drawdown > start)) return 1;
  if (drawdown >= end) return 0;
  return (end - drawdown) / (end - start);
}

/** The mode's fraction, capped at the position fraction and scaled by the drawdown. */
export function planFraction(i: SizingInputs, o: SizingModeOptions): FractionPlan {
  const plan = modeFraction(i, o);
  if (plan.kind === "veto") return plan;
  const reasons = [...plan.reasons];
  let fraction = plan.fraction;
  if (fraction > o.maxPositionFraction) {
    reasons.push(reason("size_capped_position", "capped at the maximum position fraction", {
      requested: fraction,
      allowed: o.maxPositionFraction,
    }));
    fraction = o.maxPositionFraction;
  }
  const scale = drawdownScale(i.drawdown, o.drawdownScaleStart, o.drawdownScaleEnd);
  if (scale < 1) {
    reasons.push(reason("size_reduced_drawdown", `drawdown ${i.drawdown}: size × ${scale}`, {
      drawdown: i.drawdown,
      scale,
      start: o.drawdownScaleStart,
      end: o.drawdownScaleEnd,
      requested: fraction,
      allowed: fraction * scale,
    }));
    fraction *= scale;
  }
  return { kind: "size", fraction, reasons };
}

function reason(code: string, detail: string, values: Reason["values"]): Reason {
  return { code, detail, values };
}
