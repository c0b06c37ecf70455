// Which settings each agent runs with: the slice of the (redacted) configuration its core
// and its shell read, so /agents/:name shows what governs that agent and nothing else.
import { type Config, redactedConfig } from "../../shared/config/mod.ts";

/** Every actor shell reads these (delivery, redelivery and liveness). */
const SHELL = ["MAX_DELIVERIES", "CLAIM_IDLE_MS", "HEARTBEAT_MS", "HANG_TIMEOUT_MS"];

const BY_AGENT: Record<string, readonly string[]> = {
  feed: ["EXCHANGE", "SYMBOLS", "TIMEFRAME", "FEED_WINDOW", "VALIDATION_POLICY"],
  meta: [
    "META_DEADLINE_MS",
    "REPLAY_META_DEADLINE_MS",
    "META_MIN_CONFIDENCE",
    "META_MAX_DISAGREEMENT",
  ],
  risk: [
    "RISK_MAX_POSITION_FRACTION",
    "RISK_MAX_GROSS_EXPOSURE",
    "RISK_DAILY_LOSS_LIMIT",
    "RISK_MAX_DRAWDOWN",
    "RISK_MIN_NOTIONAL",
    "RISK_REBALANCE_BAND",
    "FEE_BPS",
    "SLIPPAGE_BPS",
  ],
  executor: ["TRADING_MODE", "VENUE", "INITIAL_CASH", "FEE_BPS", "SLIPPAGE_BPS"],
  ledger: ["DATABASE_URL", "LEDGER_HANG_TIMEOUT_MS"],
};

/** The agent's settings (secrets masked); unknown agents get the shell's settings only. */
export function agentSettings(name: string, config: Config): Record<string, unknown> {
  const all = redactedConfig(config);
  const keys = [...(BY_AGENT[name] ?? []), ...(name === "feed" ? [] : SHELL)];
  const out: Record<string, unknown> = {};
  for (const k of keys) if (k in all) out[k] = all[k];
  return out;
}
