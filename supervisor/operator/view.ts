// What the operator channels may see: an OperatorView (pure data provider) and its
// implementation over the store's queries and the supervisor's agent list.
import type { Store } from "../../shared/storage/mod.ts";
import { listOrders, listPositions, listSignals } from "../../shared/storage/mod.ts";
import { toFiniteNumber, toSafeInteger } from "../../shared/storage/convert.ts";
import type { Signal, TradingState } from "../../shared/messages/mod.ts";
import { computePnl, type Pnl } from "./pnl.ts";

export interface StatusView {
  tradingState: TradingState;
  mode: "paper" | "live";
  pnl: Pnl;
  agentsUp: number;
  agentsTotal: number;
}

export interface PositionLine {
  symbol: string;
  quantity: number;
  avgPrice: number;
  lastPrice: number;
}

export interface OrderLine {
  clientOrderId: string;
  symbol: string;
  side: "buy" | "sell";
  quantity: number;
  type: string;
  status: string;
  updatedAt: number;
  reason: string | null;
}

export interface AgentLine {
  name: string;
  state: string;
  restarts: number;
  lastError: string | null;
  /** The agent's latest signal, summarised ("BTC/USDT up 0.61 c0.40 @…"); null: none. */
  lastSignal: { barTime: number; symbol: string; text: string } | null;
}

export interface OperatorView {
  /** Cheap: kill/resume poll it to report their effect. */
  tradingState(): Promise<TradingState>;
  status(): Promise<StatusView>;
  positions(): Promise<PositionLine[]>;
  /** Most recent first. */
  orders(): Promise<OrderLine[]>;
  pnl(): Promise<Pnl>;
  agents(): Promise<AgentLine[]>;
}

/** The fields of the supervisor's agent view that the operator shows (admin's AgentView fits). */
export interface AgentInfo {
  name: string;
  state: string;
  restarts: number;
  last_error?: string | null;
}

export interface StoreViewOptions {
  store: Store;
  agents(): Promise<AgentInfo[]>;
  tradingState(): Promise<TradingState>;
  mode: "paper" | "live";
  initialCash: number;
  /** Day and week boundaries of the P&L (ALERT_TIMEZONE). */
  timeZone: string;
  /** How many orders /orders lists. */
  orderLimit?: number;
}

export function summarizeSignal(s: Signal): string {
  switch (s.kind) {
    case "direction": {
      const { down, flat, up } = s.probs;
      const dir = up >= down && up >= flat ? "up" : down >= flat ? "down" : "flat";
      const p = Math.max(down, flat, up);
      return `${dir} p${p.toFixed(2)} c${s.confidence.toFixed(2)}`;
    }
    case "volatility":
      return `vol ${(s.forecast * 100).toFixed(2)}%/bar`;
    case "regime":
      return `${s.regime} c${s.confidence.toFixed(2)}`;
  }
}

export function createStoreView(o: StoreViewOptions): OperatorView {
  const db = o.store.db;

  const pnl = async (): Promise<Pnl> => {
    // Two columns of the whole curve: the peak and the worst drawdown need all of it.
    const rows = await db.selectFrom("equity_snapshots").select(["bar_time", "equity"])
      .orderBy("bar_time", "asc").execute();
    const curve = rows.map((r) => ({
      barTime: toSafeInteger(r.bar_time, "equity_snapshots.bar_time"),
      equity: toFiniteNumber(r.equity, "equity_snapshots.equity"),
    }));
    return computePnl(curve, o.initialCash, o.timeZone);
  };

  const agents = async (): Promise<AgentLine[]> => {
    const list = await o.agents();
    const out: AgentLine[] = [];
    for (const a of list) {
      const [latest] = await listSignals(db, { limit: 1, agent: a.name });
      out.push({
        name: a.name,
        state: a.state,
        restarts: a.restarts,
        lastError: a.last_error ?? null,
        lastSignal: latest === undefined ? null : {
          barTime: latest.signal.barTime,
          symbol: latest.signal.symbol,
          text: summarizeSignal(latest.signal),
        },
      });
    }
    return out;
  };

  return {
    tradingState: () => o.tradingState(),
    async status() {
      const [state, p, list] = await Promise.all([o.tradingState(), pnl(), o.agents()]);
      return {
        tradingState: state,
        mode: o.mode,
        pnl: p,
        agentsUp: list.filter((a) => a.state === "running").length,
        agentsTotal: list.length,
      };
    },
    async positions() {
      return (await listPositions(db)).filter((p) => p.quantity !== 0).map((p) => ({
        symbol: p.symbol,
        quantity: p.quantity,
        avgPrice: p.avgPrice,
        lastPrice: p.lastPrice,
      }));
    },
    async orders() {
      return (await listOrders(db, { limit: o.orderLimit ?? 10 })).map((r) => ({
        clientOrderId: r.clientOrderId,
        symbol: r.symbol,
        side: r.side,
        quantity: r.quantity,
        type: r.type ?? "market",
        status: r.status,
        updatedAt: r.updatedAt,
        reason: r.reason,
      }));
    },
    pnl,
    agents,
  };
}
