// Shared set-up of the operator tests: a store with a known book, a stand-in of the risk
// agent's trading state (it follows kill/resume commands on the bus), and an agent list.
import {
  insertSignal,
  migrate,
  openDatabase,
  type Store,
  upsertEquity,
  upsertOrder,
  upsertPosition,
} from "../../shared/storage/mod.ts";
import { MemoryBus } from "../../shared/bus/memory.ts";
import type { Bus } from "../../shared/bus/types.ts";
import { type Command, decode, STREAMS, type TradingState } from "../../shared/messages/mod.ts";
import type { AgentInfo } from "../../supervisor/operator/view.ts";

export const H = 3_600_000;
/** Tuesday 2024-05-07 00:00 UTC. */
export const TUESDAY = Date.UTC(2024, 4, 7);

export async function memoryStore(): Promise<Store> {
  const store = await openDatabase("sqlite::memory:");
  await migrate(store);
  return store;
}

export function memoryBus(prefix: string): MemoryBus {
  return new MemoryBus({
    namespace: `${prefix}${crypto.randomUUID().slice(0, 8)}`,
    maxLen: 10_000,
  });
}

const account = (barTime: number, equity: number) => ({
  symbol: "BTC/USDT",
  barTime,
  cash: equity,
  equity,
  positions: [],
  fees: 0,
  barsProcessed: 1,
});

/**
 * Initial cash 10,000. Equity: Fri 10,100 · Mon 10,300 · Tue 09:00 10,050 · Tue 10:00 10,150.
 * So (UTC days): day -150, week +50, total +150, drawdown now -1.46 %, worst -2.43 %.
 */
export async function seedBook(store: Store): Promise<void> {
  const db = store.db;
  for (
    const [t, e] of [
      [TUESDAY - 4 * 24 * H + 12 * H, 10_100],
      [TUESDAY - 12 * H, 10_300],
      [TUESDAY + 9 * H, 10_050],
      [TUESDAY + 10 * H, 10_150],
    ]
  ) await upsertEquity(db, account(t, e));
  await upsertPosition(
    db,
    { symbol: "BTC/USDT", quantity: 0.05, avgPrice: 60_000, lastPrice: 61_000 },
    TUESDAY + 10 * H,
  );
  await upsertPosition(
    db,
    { symbol: "ETH/USDT", quantity: 1.5, avgPrice: 3_000, lastPrice: 2_900 },
    TUESDAY + 10 * H,
  );
  await upsertPosition(
    db,
    { symbol: "SOL/USDT", quantity: 0, avgPrice: 0, lastPrice: 150 },
    TUESDAY + 10 * H,
  );
  const order = (id: string, symbol: string, quantity: number, status: "filled" | "rejected") => ({
    clientOrderId: id,
    symbol,
    side: "buy" as const,
    quantity,
    status,
    reason: status === "rejected" ? "insufficient cash" : null,
    decisionId: `d-${id}`,
  });
  await upsertOrder(db, order("o1", "ETH/USDT", 1.5, "filled"), TUESDAY + 8 * H);
  await upsertOrder(db, order("o2", "BTC/USDT", 0.05, "filled"), TUESDAY + 9 * H);
  await upsertOrder(db, order("o3", "BTC/USDT", 0.2, "rejected"), TUESDAY + 10 * H);
  await insertSignal(db, "sig-trend-1", {
    kind: "direction",
    agent: "trend",
    symbol: "BTC/USDT",
    barTime: TUESDAY + 10 * H,
    probs: { down: 0.1, flat: 0.3, up: 0.6 },
    confidence: 0.4,
    latencyMs: 1,
    model: "rule:ema-macd@1",
  }, TUESDAY + 10 * H);
}

export const AGENTS: AgentInfo[] = [
  { name: "trend", state: "running", restarts: 0, last_error: null },
  { name: "risk", state: "running", restarts: 1, last_error: null },
  { name: "meta", state: "backoff", restarts: 3, last_error: "boom" },
];

/** Follows ops.commands like the risk agent's state machine: kill → HALTED, resume → ACTIVE. */
export function fakeRisk(bus: Bus): {
  state(): TradingState;
  commands: Command[];
  stop(): Promise<void>;
} {
  let state: TradingState = "ACTIVE";
  const commands: Command[] = [];
  let running = true;
  let cursor = "0";
  const loop = (async () => {
    while (running) {
      const got = await bus.readAfter([{ stream: STREAMS.commands, afterId: cursor }], 10, 50);
      for (const e of got) {
        cursor = e.entryId;
        const m = decode(e.raw, STREAMS.commands);
        if (!m.ok || m.msg.type !== "command") throw new Error(`bad command on the bus: ${e.raw}`);
        commands.push(m.msg.data);
        if (m.msg.data.command === "kill") state = "HALTED";
        if (m.msg.data.command === "resume") state = "ACTIVE";
      }
    }
  })();
  return {
    state: () => state,
    commands,
    async stop() {
      running = false;
      await loop;
    },
  };
}
