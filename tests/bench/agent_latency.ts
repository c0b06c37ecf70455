// Inference latency per agent: the cores of the running system (learned trend GRU and
// pattern CNN through onnxruntime-web, GARCH volatility, HMM regime, sentiment, meta, risk,
// executor) chained in one thread without a bus, on real bars (and news). Each message goes
// to every core subscribed to its stream, in publication order, as the actors would see
// them; the time of each core's step is added to the bar that caused it, as wall time and
// as CPU time of this process (process.cpuUsage, which leaves out the time spent waiting for
// a CPU on a loaded machine). The bus and the actor shell are measured by the pipeline
// phases, not here.
import process from "node:process";
import type { AnyAgentCore, Output } from "../../agents/runtime/core.ts";
import type { AnyEnvelope, StreamName } from "../../shared/messages/mod.ts";

export interface ChainAgent {
  label: string;
  // deno-lint-ignore no-explicit-any
  core: AnyAgentCore<any>;
}

export interface ChainResult {
  /** Per agent, wall ms of its steps per bar (one entry per bar after the warm-up). */
  perBar: Record<string, number[]>;
  /** The same in CPU ms of this process. */
  cpuPerBar: Record<string, number[]>;
  bars: number;
  /** Messages each agent stepped (measured bars only). */
  messages: Record<string, number>;
  /** Failed steps per agent: the first error's text and how many. */
  errors: Record<string, { count: number; first: string }>;
}

/** The bar a message belongs to (bars themselves, and everything correlated to one). */
const isBar = (m: AnyEnvelope) => m.type === "bar";

/**
 * Runs `inputs` (bars and news, in replay order) through the chained cores. The first
 * `warmupBars` bars are stepped but not recorded (windows filling, JIT).
 */
export async function runChain(
  agents: readonly ChainAgent[],
  inputs: readonly { stream: StreamName; msg: AnyEnvelope }[],
  warmupBars: number,
): Promise<ChainResult> {
  // deno-lint-ignore no-explicit-any
  const states = new Map<string, any>(agents.map((a) => [a.label, a.core.init()]));
  const perBar: Record<string, number[]> = Object.fromEntries(agents.map((a) => [a.label, []]));
  const cpuPerBar: Record<string, number[]> = Object.fromEntries(
    agents.map((a) => [a.label, []]),
  );
  const messages: Record<string, number> = Object.fromEntries(agents.map((a) => [a.label, 0]));
  const errors: ChainResult["errors"] = {};
  let bars = 0;
  for (const input of inputs) {
    const barInput = isBar(input.msg);
    if (barInput) bars++;
    const record = barInput && bars > warmupBars;
    const spent = new Map<string, number>(agents.map((a) => [a.label, 0]));
    const cpu = new Map<string, number>(agents.map((a) => [a.label, 0]));
    const queue: Output[] = [input];
    while (queue.length > 0) {
      const { stream, msg } = queue.shift()!;
      for (const a of agents) {
        if (!a.core.inputs.includes(stream)) continue;
        const cpu0 = process.cpuUsage();
        const started = performance.now();
        try {
          const step = await a.core.step(states.get(a.label), msg, msg.time);
          states.set(a.label, step.state);
          queue.push(...step.out);
        } catch (e) {
          const err = errors[a.label] ??= { count: 0, first: (e as Error).message };
          err.count++;
          // A failed step may have changed the state in place: the chain goes on with it,
          // as the errors are reported next to the figures.
        }
        spent.set(a.label, spent.get(a.label)! + performance.now() - started);
        const used = process.cpuUsage(cpu0);
        cpu.set(a.label, cpu.get(a.label)! + (used.user + used.system) / 1000);
        if (record) messages[a.label]++;
      }
    }
    if (!record) continue;
    for (const a of agents) {
      perBar[a.label].push(spent.get(a.label)!);
      cpuPerBar[a.label].push(cpu.get(a.label)!);
    }
  }
  return { perBar, cpuPerBar, bars: Math.max(0, bars - warmupBars), messages, errors };
}
