// Every stream and every message type that crosses one. Versioned: a consumer rejects
// (dead-letters) a message whose `v` it does not know instead of guessing.
import { z } from "zod";

export const SCHEMA_VERSION = 1 as const;

export const STREAMS = {
  bars: "md.bars",
  news: "md.news",
  signals: "signals",
  decisions: "decisions",
  orders: "orders",
  vetoes: "risk.vetoes",
  execEvents: "exec.events",
  heartbeats: "ops.heartbeats",
  commands: "ops.commands",
  alerts: "ops.alerts",
  deadLetter: "dead-letter",
} as const;
export type StreamKey = keyof typeof STREAMS;
export type StreamName = (typeof STREAMS)[StreamKey];

const finite = z.number().finite();
const positive = finite.positive();
const nonNegative = finite.nonnegative();
const probability = finite.min(0).max(1);
const epochMs = z.number().int().nonnegative();

export const AGENT_NAMES = [
  "feed",
  "trend",
  "volatility",
  "regime",
  "pattern",
  "sentiment",
  "meta",
  "risk",
  "executor",
  "ledger",
  "operator",
  "supervisor",
] as const;
export const AgentNameSchema = z.enum(AGENT_NAMES);
export type AgentName = z.infer<typeof AgentNameSchema>;

export const PREDICTIVE_AGENTS = ["trend", "volatility", "regime", "pattern", "sentiment"] as const;
export type PredictiveAgent = (typeof PREDICTIVE_AGENTS)[number];

/** A closed OHLCV bar; `time` is the bar's open time (ms since epoch, UTC). */
export const BarSchema = z.object({
  symbol: z.string().min(1),
  timeframe: z.string().min(1),
  time: epochMs,
  open: positive,
  high: positive,
  low: positive,
  close: positive,
  volume: nonNegative,
  /** 0-based position of this bar in the feed's output: lets consumers detect gaps. */
  seq: z.number().int().nonnegative(),
}).refine((b) =>
  b.high >= b.low && b.high >= Math.max(b.open, b.close) &&
  b.low <= Math.min(b.open, b.close), { message: "high/low inconsistent with open/close" });
export type Bar = z.infer<typeof BarSchema>;

/**
 * A news story as the feed publishes it on "md.news". `publishedAt` is when the story became
 * public (ms epoch, UTC); consumers must not use it for a bar that closed before then.
 * `vendorScore` is the vendor's overall sentiment of the story and `tickerScores` its
 * per-symbol sentiment (both in [-1, 1]); `symbols` lists every symbol the story is about.
 */
export const NewsSchema = z.object({
  id: z.string().min(1),
  symbols: z.array(z.string().min(1)),
  publishedAt: epochMs,
  title: z.string(),
  summary: z.string(),
  source: z.string(),
  vendorScore: finite.min(-1).max(1).nullable(),
  tickerScores: z.record(z.string().min(1), finite.min(-1).max(1)),
}).refine((n) => Object.keys(n.tickerScores).every((s) => n.symbols.includes(s)), {
  message: "every tickerScores key must be one of the story's symbols",
});
export type News = z.infer<typeof NewsSchema>;

export const DirectionProbsSchema = z.object({
  down: probability,
  flat: probability,
  up: probability,
})
  .refine((p) => Math.abs(p.down + p.flat + p.up - 1) < 1e-6, {
    message: "direction probabilities must sum to 1",
  });
export type DirectionProbs = z.infer<typeof DirectionProbsSchema>;

const signalBase = {
  symbol: z.string().min(1),
  barTime: epochMs,
  confidence: probability,
  /** Wall-clock compute time of this signal; metadata only, never an input to a decision. */
  latencyMs: nonNegative,
  model: z.string().min(1),
};

export const DirectionSignalSchema = z.object({
  kind: z.literal("direction"),
  agent: z.enum(["trend", "pattern", "sentiment"]),
  probs: DirectionProbsSchema,
  ...signalBase,
});
export const VolatilitySignalSchema = z.object({
  kind: z.literal("volatility"),
  agent: z.literal("volatility"),
  /** Per-bar standard deviations of log returns (not annualised). */
  realized: nonNegative,
  parkinson: nonNegative,
  forecast: nonNegative,
  ...signalBase,
});
export const RegimeSignalSchema = z.object({
  kind: z.literal("regime"),
  agent: z.literal("regime"),
  regime: z.enum(["trend", "range", "unknown"]),
  probs: z.object({ trend: probability, range: probability }),
  ...signalBase,
});
export const SignalSchema = z.discriminatedUnion("kind", [
  DirectionSignalSchema,
  VolatilitySignalSchema,
  RegimeSignalSchema,
]);
export type DirectionSignal = z.infer<typeof DirectionSignalSchema>;
export type VolatilitySignal = z.infer<typeof VolatilitySignalSchema>;
export type RegimeSignal = z.infer<typeof RegimeSignalSchema>;
export type Signal = z.infer<typeof SignalSchema>;

export const VoteSchema = z.object({
  agent: z.string(),
  probs: DirectionProbsSchema,
  confidence: probability,
  weight: nonNegative,
});
export type Vote = z.infer<typeof VoteSchema>;

/** `target` is the position the meta agent wants: long, flat (exit), short, or hold (no trade). */
export const DecisionSchema = z.object({
  symbol: z.string().min(1),
  barTime: epochMs,
  /** Close of the bar the decision descends from: the reference price for sizing. */
  refPrice: positive,
  target: z.enum(["long", "flat", "short", "hold"]),
  probs: DirectionProbsSchema,
  confidence: probability,
  /** 0 when every voter agrees on the argmax direction, up to 1 for an even split. */
  disagreement: probability,
  votes: z.array(VoteSchema),
  missing: z.array(z.string()),
  volatilityForecast: nonNegative.nullable(),
  regime: z.enum(["trend", "range", "unknown"]),
  reason: z.string(),
});
export type Decision = z.infer<typeof DecisionSchema>;

export const TRADING_STATES = ["ACTIVE", "REDUCING", "HALTED"] as const;
export const TradingStateSchema = z.enum(TRADING_STATES);
export type TradingState = z.infer<typeof TradingStateSchema>;

export const ReasonSchema = z.object({
  code: z.string().min(1),
  detail: z.string(),
  values: z.record(z.string(), z.union([z.number(), z.string(), z.boolean(), z.null()])),
});
export type Reason = z.infer<typeof ReasonSchema>;

export const ORDER_TYPES = ["market", "limit", "stop_market", "stop_limit", "take_profit"] as const;
export type OrderType = (typeof ORDER_TYPES)[number];

/** Protective exits for the position an order opens or keeps: a stop never loosens. */
export const ProtectionSchema = z.object({
  stopLoss: positive.nullable(),
  takeProfit: positive.nullable(),
  /** Why the levels are what they are, e.g. "atr_stop", "trailing_stop". */
  basis: z.string(),
});
export type Protection = z.infer<typeof ProtectionSchema>;

export const OrderSchema = z.object({
  clientOrderId: z.string().min(1).max(36),
  symbol: z.string().min(1),
  side: z.enum(["buy", "sell"]),
  quantity: positive,
  type: z.enum(ORDER_TYPES),
  refPrice: positive,
  /** Limit price of limit / stop_limit / take_profit orders. */
  limitPrice: positive.optional(),
  /** Trigger price of stop_market / stop_limit orders. */
  stopPrice: positive.optional(),
  /** Bracket / OCO children of an entry: native where the venue has them, else emulated. */
  bracket: ProtectionSchema.optional(),
  /** Only reduces an existing position (exits, kill-switch flattening). */
  reduceOnly: z.boolean().optional(),
});
export type Order = z.infer<typeof OrderSchema>;

/** Risk publishes exactly one verdict per decision, so the executor knows when a bar is settled. */
export const VerdictSchema = z.object({
  decisionId: z.string().min(1),
  symbol: z.string().min(1),
  barTime: epochMs,
  outcome: z.enum(["order", "veto", "none"]),
  order: OrderSchema.nullable(),
  reasons: z.array(ReasonSchema),
  tradingState: TradingStateSchema,
  /** New protective levels for the symbol's open position (trailing stop moved, etc.). */
  protection: ProtectionSchema.nullable().optional(),
});
export type Verdict = z.infer<typeof VerdictSchema>;

export const VetoSchema = z.object({
  decisionId: z.string().min(1),
  symbol: z.string().min(1),
  barTime: epochMs,
  reasons: z.array(ReasonSchema).min(1),
  tradingState: TradingStateSchema,
});
export type Veto = z.infer<typeof VetoSchema>;

export const FillSchema = z.object({
  clientOrderId: z.string().min(1),
  symbol: z.string().min(1),
  side: z.enum(["buy", "sell"]),
  quantity: positive,
  price: positive,
  fee: nonNegative,
  /** Open time of the bar whose open filled the order. */
  barTime: epochMs,
});
export type Fill = z.infer<typeof FillSchema>;

export const ORDER_STATUSES = [
  "new",
  "submitted",
  "partially_filled",
  "filled",
  "cancelled",
  "rejected",
  "expired",
] as const;
export const OrderUpdateSchema = z.object({
  clientOrderId: z.string().min(1),
  symbol: z.string().min(1),
  side: z.enum(["buy", "sell"]),
  quantity: positive,
  status: z.enum(ORDER_STATUSES),
  reason: z.string().nullable(),
  decisionId: z.string().min(1),
  /** The order's type (absent: market). */
  type: z.enum(ORDER_TYPES).optional(),
  /** Cumulative filled quantity after this transition. */
  filledQuantity: nonNegative.optional(),
});
export type OrderUpdate = z.infer<typeof OrderUpdateSchema>;

export const PositionSchema = z.object({
  symbol: z.string(),
  quantity: finite,
  avgPrice: nonNegative,
  lastPrice: nonNegative,
});
export type Position = z.infer<typeof PositionSchema>;

/** The executor's book after it processed one bar: what risk sizes against. */
export const AccountSchema = z.object({
  symbol: z.string().min(1),
  barTime: epochMs,
  cash: finite,
  equity: finite,
  positions: z.array(PositionSchema),
  fees: nonNegative,
  barsProcessed: z.number().int().nonnegative(),
});
export type Account = z.infer<typeof AccountSchema>;

export const HeartbeatSchema = z.object({
  agent: z.string(),
  incarnation: z.number().int().nonnegative(),
  processed: z.number().int().nonnegative(),
  inFlightMs: nonNegative,
});
export type Heartbeat = z.infer<typeof HeartbeatSchema>;

export const COMMANDS = ["kill", "resume", "pause", "restart"] as const;
export const CommandSchema = z.object({
  command: z.enum(COMMANDS),
  target: z.string().nullable(),
  /** kill only: also close every open position (default: configuration's KILL_FLATTEN). */
  flatten: z.boolean().optional(),
  issuedBy: z.string().min(1),
  reason: z.string(),
});
export type Command = z.infer<typeof CommandSchema>;

export const AlertSchema = z.object({
  severity: z.enum(["critical", "warning", "info"]),
  code: z.string().min(1),
  message: z.string(),
  details: z.record(z.string(), z.unknown()),
});
export type Alert = z.infer<typeof AlertSchema>;

export const DeadLetterSchema = z.object({
  stream: z.string(),
  entryId: z.string(),
  group: z.string(),
  error: z.string(),
  deliveries: z.number().int().nonnegative(),
  raw: z.string(),
});
export type DeadLetter = z.infer<typeof DeadLetterSchema>;

/** type → payload schema. The envelope's `type` selects one. */
export const PAYLOADS = {
  bar: BarSchema,
  news: NewsSchema,
  signal: SignalSchema,
  decision: DecisionSchema,
  verdict: VerdictSchema,
  veto: VetoSchema,
  fill: FillSchema,
  order_update: OrderUpdateSchema,
  account: AccountSchema,
  heartbeat: HeartbeatSchema,
  command: CommandSchema,
  alert: AlertSchema,
  dead_letter: DeadLetterSchema,
} as const;
export type MessageType = keyof typeof PAYLOADS;
export type PayloadOf<T extends MessageType> = z.infer<(typeof PAYLOADS)[T]>;

/** Which message types may appear on which stream. */
export const STREAM_TYPES: Record<StreamName, readonly MessageType[]> = {
  "md.bars": ["bar"],
  "md.news": ["news"],
  "signals": ["signal"],
  "decisions": ["decision"],
  "orders": ["verdict"],
  "risk.vetoes": ["veto"],
  "exec.events": ["fill", "order_update", "account"],
  "ops.heartbeats": ["heartbeat"],
  "ops.commands": ["command"],
  "ops.alerts": ["alert"],
  "dead-letter": ["dead_letter"],
};

export const EnvelopeSchema = z.object({
  v: z.literal(SCHEMA_VERSION),
  /** Deterministic: derived from what the message descends from, so a replay reproduces it. */
  id: z.string().min(1),
  type: z.enum(Object.keys(PAYLOADS) as [MessageType, ...MessageType[]]),
  producer: z.string().min(1),
  /** Event time (ms epoch): bar time in replay, wall clock for operator events. */
  time: epochMs,
  /** Correlation id: the bar this message descends from (`bar:SYMBOL:TIME`), or the command id. */
  corr: z.string().min(1),
  data: z.unknown(),
});

export interface Envelope<T extends MessageType = MessageType> {
  v: typeof SCHEMA_VERSION;
  id: string;
  type: T;
  producer: string;
  time: number;
  corr: string;
  data: PayloadOf<T>;
}

export type AnyEnvelope = { [K in MessageType]: Envelope<K> }[MessageType];
