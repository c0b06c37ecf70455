// Publish → delivery latency of each bus: one hop (ping-pong, one message in flight) and a
// chain of 6 GroupConsumer stages (read, publish to the next stream, ack) fed every 2 ms.
// Bounded: a fixed number of messages and a deadline per run.
//   deno run --allow-all tests/bench/bus_bench.ts [--redis-url redis://127.0.0.1:6379]
import { GroupConsumer } from "../../shared/bus/consumer.ts";
import { MemoryBus } from "../../shared/bus/memory.ts";
import { RedisStreamsBus } from "../../shared/bus/redis_streams.ts";
import type { Bus } from "../../shared/bus/types.ts";

const HOP_MESSAGES = 2000;
const CHAIN_MESSAGES = 1000;
const CHAIN_STAGES = 6;
const CHAIN_INTERVAL_MS = 2;
const DEADLINE_MS = 30_000;

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function summary(label: string, samples: number[], expected: number): string {
  const s = [...samples].sort((a, b) => a - b);
  const f = (x: number) => x.toFixed(3).padStart(8);
  return `${label.padEnd(28)} n=${String(s.length).padStart(5)}/${expected}  p50=${
    f(percentile(s, 50))
  } ms  p99=${f(percentile(s, 99))} ms  max=${f(s[s.length - 1] ?? NaN)} ms`;
}

async function oneHop(bus: Bus): Promise<number[]> {
  await bus.ensureGroup("hop", "g", "$");
  const latencies: number[] = [];
  const deadline = performance.now() + DEADLINE_MS;
  for (let i = 0; i < HOP_MESSAGES && performance.now() < deadline; i++) {
    const reading = bus.readGroup("g", "c", ["hop"], { count: 10, blockMs: 1000 });
    const t0 = performance.now();
    await bus.publish("hop", String(i));
    const got = await reading;
    latencies.push(performance.now() - t0);
    if (got.length !== 1 || got[0].raw !== String(i)) {
      throw new Error(`hop ${i}: expected message ${i}, got ${JSON.stringify(got)}`);
    }
    await bus.ack("hop", "g", [got[0].entryId]);
  }
  return latencies;
}

async function chain(bus: Bus): Promise<number[]> {
  const streams = Array.from({ length: CHAIN_STAGES + 1 }, (_, i) => `chain${i}`);
  let running = true;
  const stages = streams.slice(0, -1).map(async (input, i) => {
    const gc = new GroupConsumer(bus, {
      group: `stage${i}`,
      consumer: "c",
      streams: [input],
      count: 32,
      blockMs: 200,
      maxDeliveries: 5,
      claimIdleMs: 10_000,
      claimEveryMs: 1000,
      producer: "bench",
    });
    await gc.start();
    while (running) {
      for (const d of await gc.next()) {
        await bus.publish(streams[i + 1], d.raw);
        await gc.ack(d);
      }
    }
  });
  const sent = new Map<number, number>();
  const latencies: number[] = [];
  const last = streams[streams.length - 1];
  await bus.ensureGroup(last, "sink", "$");
  const sink = (async () => {
    const deadline = performance.now() + DEADLINE_MS;
    while (latencies.length < CHAIN_MESSAGES && performance.now() < deadline) {
      for (const d of await bus.readGroup("sink", "c", [last], { count: 64, blockMs: 200 })) {
        const t0 = sent.get(Number(d.raw));
        if (t0 === undefined) throw new Error(`sink: unknown message ${d.raw}`);
        latencies.push(performance.now() - t0);
        await bus.ack(last, "sink", [d.entryId]);
      }
    }
  })();
  await new Promise((r) => setTimeout(r, 100)); // stages are blocked in their reads
  for (let i = 0; i < CHAIN_MESSAGES; i++) {
    sent.set(i, performance.now());
    await bus.publish(streams[0], String(i));
    await new Promise((r) => setTimeout(r, CHAIN_INTERVAL_MS));
  }
  await sink;
  running = false;
  await Promise.all(stages);
  return latencies;
}

async function run(label: string, bus: Bus): Promise<void> {
  try {
    console.log(summary(`${label} 1 hop`, await oneHop(bus), HOP_MESSAGES));
    console.log(summary(`${label} ${CHAIN_STAGES} hops`, await chain(bus), CHAIN_MESSAGES));
  } finally {
    await bus.destroy();
    await bus.close();
  }
}

function argValue(name: string): string | undefined {
  const i = Deno.args.indexOf(name);
  return i >= 0 ? Deno.args[i + 1] : undefined;
}

const namespace = `bench-${Date.now().toString(36)}`;
await run("memory", new MemoryBus({ namespace, maxLen: 100_000 }));
const url = argValue("--redis-url") ?? Deno.env.get("REDIS_URL") ?? "redis://127.0.0.1:6379";
let redis: RedisStreamsBus | null = null;
try {
  redis = await RedisStreamsBus.connect({
    url,
    namespace,
    maxLen: 100_000,
    connectTimeoutMs: 1000,
  });
} catch (e) {
  console.log(`redis: skipped, ${url} unreachable (${(e as Error).message})`);
}
if (redis !== null) await run("redis", redis);
