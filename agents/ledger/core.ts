// The ledger's core has nothing to decide: it keeps no state and publishes nothing. Its
// work is the database effect the shell runs before acknowledging (see writer.ts).
import { STREAMS } from "../../shared/messages/mod.ts";
import type { AgentCore } from "../runtime/core.ts";

export function createLedgerCore(): AgentCore<null> {
  return {
    name: "ledger",
    inputs: [STREAMS.signals, STREAMS.decisions, STREAMS.vetoes, STREAMS.execEvents],
    init: () => null,
    step: (state) => ({ state, out: [] }),
    snapshot: () => null,
    restore: () => null,
  };
}
