// The risk agent's state: plain JSON, validated on restore. Fields added after the first
// release default to empty, so an older snapshot still restores.
import { z } from "zod";
import {
  type Account,
  AccountSchema,
  type Decision,
  DecisionSchema,
  type Fill,
  FillSchema,
  type Protection,
  ProtectionSchema,
  type TradingState,
  TradingStateSchema,
} from "../../shared/messages/mod.ts";
import { type BarMemory, BarMemorySchema } from "../meta/bar_memory.ts";
import type { AtrState } from "./atr.ts";
import { type BreakerState, emptyBreakers } from "./breakers.ts";
import type { Tracked } from "./exits.ts";
import type { PendingBuy } from "./sizing.ts";
import type { EquityWatch } from "./limits.ts";
import { emptyTradeRecord, type TradeRecord } from "./trades.ts";

/** What risk keeps of one bar: its range and the indicators as of that bar. */
export interface BarInfo {
  high: number;
  low: number;
  close: number;
  atr: number | null;
  /** Bars per year inferred from the symbol's bars up to this one (null: too few). */
  periodsPerYear: number | null;
  /** Time of the symbol's previous bar (null: its first). */
  prevTime: number | null;
}

/** One of the executor's events, waiting for its turn (core.ts: determinism). */
export type ExecEvent =
  | { kind: "account"; account: Account; observed: boolean }
  | { kind: "fill"; fill: Fill };

export interface SymbolBars {
  first: number;
  last: number;
  count: number;
}

export interface RiskState {
  /** Effective state: HALTED if `base` is, REDUCING if `base` is or a breaker is tripped. */
  tradingState: TradingState;
  /** The state operator commands and loss limits set. */
  base: TradingState;
  /** Reason code of the transition into the current state (null at start). */
  cause: string | null;
  watch: EquityWatch;
  /** Decisions and bars waiting for their account's turn, keyed `${barTime}|${symbol}`. */
  decisions: Record<string, { id: string; decision: Decision }>;
  bars: Record<string, BarInfo>;
  /** The executor's accounts and fills not applied yet, in the executor's order. */
  execQueue: ExecEvent[];
  settled: Record<string, BarMemory>;
  commandIds: string[];
  fillIds: string[];
  atr: Record<string, AtrState>;
  symbolBars: Record<string, SymbolBars>;
  breakers: BreakerState;
  trades: TradeRecord;
  /** Open positions risk protects, by symbol. */
  tracked: Record<string, Tracked>;
  /** Bracket of the latest entry order per symbol, until its position is seen. */
  brackets: Record<string, Protection>;
  /** Exposure-increasing orders approved per UTC day (days since epoch). */
  ordersPerDay: Record<string, number>;
  /** Approved buys not yet settled by the symbol's next account, by symbol. */
  pendingBuys: Record<string, PendingBuy>;
}

const num = z.number().finite();
const nullableNumber = num.nullable();

export const RiskStateSchema = z.object({
  tradingState: TradingStateSchema,
  base: TradingStateSchema.optional(),
  cause: z.string().nullable(),
  watch: z.object({
    peakEquity: nullableNumber,
    day: z.number().int().nullable(),
    dayStartEquity: nullableNumber,
    lastEquity: nullableNumber,
  }),
  decisions: z.record(z.string(), z.object({ id: z.string().min(1), decision: DecisionSchema })),
  /** Before the execution queue: accounts waiting by key (restored into the queue). */
  accounts: z.record(z.string(), AccountSchema).optional(),
  execQueue: z.array(z.discriminatedUnion("kind", [
    z.object({ kind: z.literal("account"), account: AccountSchema, observed: z.boolean() }),
    z.object({ kind: z.literal("fill"), fill: FillSchema }),
  ])).default([]),
  bars: z.record(
    z.string(),
    z.object({
      high: num,
      low: num,
      close: num,
      atr: nullableNumber,
      periodsPerYear: nullableNumber,
      prevTime: z.number().int().nullable().default(null),
    }),
  ).default({}),
  settled: z.record(z.string(), BarMemorySchema),
  commandIds: z.array(z.string()),
  fillIds: z.array(z.string()).default([]),
  atr: z.record(
    z.string(),
    z.object({
      prevClose: nullableNumber,
      warmSum: num,
      count: z.number().int(),
      atr: nullableNumber,
    }),
  ).default({}),
  symbolBars: z.record(
    z.string(),
    z.object({ first: z.number().int(), last: z.number().int(), count: z.number().int() }),
  ).default({}),
  breakers: z.object({
    trips: z.record(
      z.string(),
      z.object({ code: z.string(), symbol: z.string().nullable(), firedAt: z.number().int() }),
    ),
    forecasts: z.record(z.string(), z.array(num)),
    disagreements: z.record(z.string(), z.array(num)),
    newestBarTime: z.number().int().nullable(),
    barInterval: z.number().int().nullable(),
  }).default(emptyBreakers),
  trades: z.object({
    open: z.record(
      z.string(),
      z.object({ quantity: num, cost: num, invested: num, realized: num }),
    ),
    closed: z.array(
      z.object({ symbol: z.string(), closedAt: z.number().int(), pnl: num, ret: num }),
    ),
    lossStreak: z.number().int().nonnegative(),
  }).default(emptyTradeRecord),
  tracked: z.record(
    z.string(),
    z.object({
      entryPrice: num,
      openedAt: z.number().int(),
      barsHeld: z.number().int().nonnegative(),
      highest: num,
      stopLoss: nullableNumber,
      takeProfit: nullableNumber,
      basis: z.string(),
    }),
  ).default({}),
  brackets: z.record(z.string(), ProtectionSchema).default({}),
  ordersPerDay: z.record(z.string(), z.number().int().nonnegative()).default({}),
  pendingBuys: z.record(
    z.string(),
    z.object({ decidedAt: z.number().int(), quantity: num, price: num, cost: num }),
  ).default({}),
});

export function parseRiskState(snapshot: unknown): RiskState {
  const parsed = RiskStateSchema.safeParse(snapshot);
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    throw new Error(`risk: invalid snapshot: ${i?.path.join(".")}: ${i?.message}`);
  }
  const { accounts, ...s } = parsed.data;
  // An older snapshot's waiting accounts join the queue in bar order (their loss limits had
  // been applied on arrival then).
  const older: ExecEvent[] = Object.values(accounts ?? {})
    .sort((a, b) => a.barTime - b.barTime || (a.symbol < b.symbol ? -1 : 1))
    .map((account) => ({ kind: "account", account, observed: true }));
  return {
    ...s,
    execQueue: [...older, ...s.execQueue],
    base: s.base ?? s.tradingState,
  } as RiskState;
}
