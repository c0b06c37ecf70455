// What each agent contributed to a replay, from the stored signals and decisions.
//
// - Hit rate: each direction signal calls the argmax of its probabilities. Calls of up or
//   down are judged against the next close-to-close move of the symbol (closes are the
//   decisions' reference prices, i.e. each bar's close); flat calls and unchanged closes are
//   not judged.
// - Trades agreed: for each closed round trip (FIFO, long only), the decision that opened it
//   (entry fill → order → decision) lists the agents' votes; an agent agreed when its vote's
//   argmax was up, and was against it when down. The P&L of both kinds is summed. Flat votes
//   and agents absent from the vote (missing) count in neither.
import type { RoundTrip } from "../../shared/stats/mod.ts";
import type { DirectionProbs } from "../../shared/messages/mod.ts";
import type {
  StoredDecision,
  StoredFill,
  StoredOrder,
  StoredSignal,
} from "../../shared/storage/mod.ts";

export interface AgentContribution {
  agent: string;
  signals: number;
  meanConfidence: number | null;
  /** Up or down calls judged against the next move; null for agents without direction calls. */
  judged: number;
  hitRate: number | null;
  tradesAgreed: number;
  pnlAgreed: number;
  tradesAgainst: number;
  pnlAgainst: number;
}

export function argmax(p: DirectionProbs): "up" | "down" | "flat" {
  if (p.up > p.down && p.up > p.flat) return "up";
  if (p.down > p.up && p.down > p.flat) return "down";
  return "flat";
}

/** symbol → bar time → close, from the decisions' reference prices. */
function closesOf(decisions: readonly StoredDecision[]): Map<string, [number, number][]> {
  const bySymbol = new Map<string, Map<number, number>>();
  for (const d of decisions) {
    const m = bySymbol.get(d.symbol) ?? new Map<number, number>();
    m.set(d.barTime, d.refPrice);
    bySymbol.set(d.symbol, m);
  }
  const out = new Map<string, [number, number][]>();
  for (const [s, m] of bySymbol) out.set(s, [...m.entries()].sort((a, b) => a[0] - b[0]));
  return out;
}

export function agentContributions(input: {
  signals: readonly StoredSignal[];
  decisions: readonly StoredDecision[];
  fills: readonly StoredFill[];
  orders: readonly StoredOrder[];
  trips: readonly RoundTrip[];
}): AgentContribution[] {
  const closes = closesOf(input.decisions);
  const nextMove = new Map<string, number>(); // `${symbol}|${barTime}` → next close − close
  for (const [symbol, series] of closes) {
    for (let i = 0; i + 1 < series.length; i++) {
      nextMove.set(`${symbol}|${series[i][0]}`, series[i + 1][1] - series[i][1]);
    }
  }
  const acc = new Map<string, AgentContribution & { confSum: number; hits: number }>();
  const of = (agent: string) => {
    let a = acc.get(agent);
    if (a === undefined) {
      a = {
        agent,
        signals: 0,
        meanConfidence: null,
        judged: 0,
        hitRate: null,
        tradesAgreed: 0,
        pnlAgreed: 0,
        tradesAgainst: 0,
        pnlAgainst: 0,
        confSum: 0,
        hits: 0,
      };
      acc.set(agent, a);
    }
    return a;
  };
  for (const { signal: s } of input.signals) {
    const a = of(s.agent);
    a.signals++;
    a.confSum += s.confidence;
    if (s.kind !== "direction") continue;
    const call = argmax(s.probs);
    const move = nextMove.get(`${s.symbol}|${s.barTime}`);
    if (call === "flat" || move === undefined || move === 0) continue;
    a.judged++;
    if ((call === "up") === (move > 0)) a.hits++;
  }
  const decisions = new Map(input.decisions.map((d) => [d.id, d]));
  const orders = new Map(input.orders.map((o) => [o.clientOrderId, o]));
  const entryFill = new Map<string, StoredFill>();
  for (const f of input.fills) {
    if (f.side === "buy") entryFill.set(`${f.symbol}|${f.barTime}`, f);
  }
  for (const t of input.trips) {
    const fill = entryFill.get(`${t.symbol}|${t.entryTime}`);
    const order = fill ? orders.get(fill.clientOrderId) : undefined;
    const decision = order ? decisions.get(order.decisionId) : undefined;
    if (decision === undefined) continue;
    for (const v of decision.votes) {
      const a = of(v.agent);
      const call = argmax(v.probs);
      if (call === "up") {
        a.tradesAgreed++;
        a.pnlAgreed += t.pnl;
      } else if (call === "down") {
        a.tradesAgainst++;
        a.pnlAgainst += t.pnl;
      }
    }
  }
  return [...acc.values()]
    .map(({ confSum, hits, ...a }) => ({
      ...a,
      meanConfidence: a.signals > 0 ? confSum / a.signals : null,
      hitRate: a.judged > 0 ? hits / a.judged : null,
    }))
    .sort((x, y) => (x.agent < y.agent ? -1 : x.agent > y.agent ? 1 : 0));
}
