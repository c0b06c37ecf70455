// RISK_* settings: every limit of the risk agent, settable from the environment.
import { z } from "zod";
import { fraction } from "./fields.ts";

export const RISK_SETTINGS = {
  RISK_MAX_POSITION_FRACTION: fraction(0.25),
  RISK_MAX_GROSS_EXPOSURE: z.coerce.number().finite().min(0).max(10).default(1),
  RISK_DAILY_LOSS_LIMIT: fraction(0.05),
  RISK_MAX_DRAWDOWN: fraction(0.25),
  RISK_MIN_NOTIONAL: z.coerce.number().finite().min(0).default(10),
  RISK_REBALANCE_BAND: fraction(0.1),
};
