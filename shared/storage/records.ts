// What the repository hands back: the message payload types plus their storage keys, and
// the schemas that check a row on its way out.
import { z } from "zod";
import {
  DecisionSchema,
  FillSchema,
  ORDER_STATUSES,
  OrderSchema,
  OrderUpdateSchema,
  PositionSchema,
  SignalSchema,
  VetoSchema,
} from "../messages/schemas.ts";

const epochMs = z.number().int().nonnegative().refine(Number.isSafeInteger, "not a safe integer");
const id = z.string().min(1);

export const StoredSignalSchema = z.object({ id, createdAt: epochMs, signal: SignalSchema });
export type StoredSignal = z.infer<typeof StoredSignalSchema>;

export const StoredDecisionSchema = DecisionSchema.extend({ id });
export type StoredDecision = z.infer<typeof StoredDecisionSchema>;

export const StoredVetoSchema = VetoSchema.extend({ id });
export type StoredVeto = z.infer<typeof StoredVetoSchema>;

export const OrderStatusSchema = z.enum(ORDER_STATUSES);
export type OrderStatus = z.infer<typeof OrderStatusSchema>;
export type OrderType = z.infer<typeof OrderSchema>["type"];

export const StoredOrderSchema = OrderUpdateSchema.extend({
  type: OrderSchema.shape.type,
  updatedAt: epochMs,
  createdAt: epochMs,
});
export type StoredOrder = z.infer<typeof StoredOrderSchema>;

export const StoredFillSchema = FillSchema.extend({ id });
export type StoredFill = z.infer<typeof StoredFillSchema>;

export const StoredPositionSchema = PositionSchema.extend({ updatedAt: epochMs });
export type StoredPosition = z.infer<typeof StoredPositionSchema>;

export const EquityPointSchema = z.object({
  barTime: epochMs,
  cash: z.number().finite(),
  equity: z.number().finite(),
  fees: z.number().finite().nonnegative(),
  positions: z.array(PositionSchema),
});
export type EquityPoint = z.infer<typeof EquityPointSchema>;

/** JSON values only: what `args` of an audit entry may hold. */
export type JsonValue =
  | null
  | boolean
  | number
  | string
  | JsonValue[]
  | { [key: string]: JsonValue };

/** One operator action (kill switch, resume, …) as it is appended to the audit log. */
export const AuditEntrySchema = z.object({
  /** Id of the event that caused it (e.g. the command envelope): repeats are no-ops. */
  eventId: z.string().min(1).nullable().optional(),
  time: epochMs,
  actor: z.string().min(1),
  channel: z.string().min(1),
  command: z.string().min(1),
  args: z.unknown(),
  effect: z.string(),
});
export interface AuditEntry {
  eventId?: string | null;
  time: number;
  actor: string;
  channel: string;
  command: string;
  args: JsonValue;
  effect: string;
}

export interface AuditRecord {
  /** Increases with every append: the log's order. */
  id: number;
  eventId: string | null;
  time: number;
  actor: string;
  channel: string;
  command: string;
  args: JsonValue;
  effect: string;
}

export interface ReasonCount {
  code: string;
  /** Vetoes that gave this reason (a veto naming a code twice counts once). */
  count: number;
}
