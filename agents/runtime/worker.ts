// Entry point of every agent worker: connect to the bus, build the agent, run it, report.
import type { WorkerCommand, WorkerInit, WorkerReport } from "./protocol.ts";
import type { Bus } from "../../shared/bus/types.ts";
import { connectBus } from "../../shared/bus/connect.ts";
import { RemoteBus } from "../../shared/bus/remote.ts";
import { encode, STREAMS } from "../../shared/messages/mod.ts";
import { logger, registerSecret, setLogLevel } from "../../shared/util/log.ts";
import { Actor, type ActorStatus, heartbeatMessage } from "./actor.ts";
import { buildAgent } from "../registry.ts";
import { runFeed } from "../feed/runner.ts";

const stop = new AbortController();
let userListener: (data: unknown) => void = () => {};

// Typed by hand: a `deno.worker` lib reference would change the libs of every file checked
// together with this one.
const scope = self as unknown as {
  postMessage(data: unknown): void;
  close(): void;
  onmessage: ((e: MessageEvent<WorkerInit | WorkerCommand>) => void) | null;
};
const report = (r: WorkerReport) => scope.postMessage(r);

scope.onmessage = (e) => {
  const m = e.data;
  if (m.type === "init") {
    boot(m).then(
      () => {
        report({ type: "stopped" });
        scope.close();
      },
      (err) => {
        const error = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
        report({ type: "failed", error });
        // Die loudly as well: the supervisor treats either signal as a crash.
        setTimeout(() => {
          throw err;
        }, 0);
      },
    );
  } else if (m.type === "stop") {
    stop.abort();
  } else if (m.type === "user") {
    userListener(m.data);
  }
};

async function openBus(init: WorkerInit): Promise<Bus> {
  if (init.bus.mode === "remote") {
    return new RemoteBus(init.bus.port, { kind: "memory", namespace: init.config.BUS_NAMESPACE });
  }
  const { bus, fallbackReason } = await connectBus({
    redisUrl: init.bus.url,
    namespace: init.config.BUS_NAMESPACE,
    maxLen: init.config.STREAM_MAXLEN,
    connectTimeoutMs: 3_000,
  });
  if (fallbackReason !== null) {
    await bus.close();
    throw new Error(`agent ${init.agent} cannot reach Redis: ${fallbackReason}`);
  }
  return bus;
}

async function boot(init: WorkerInit): Promise<void> {
  const { config } = init;
  setLogLevel(config.LOG_LEVEL);
  for (const s of [config.ADMIN_TOKEN, config.REDIS_URL, config.DATABASE_URL]) registerSecret(s);
  const log = logger(`${init.agent}#${init.incarnation}`);
  const bus = await openBus(init);

  let status: () => ActorStatus | { processed: number; inFlightMs: number } = () => ({
    processed: 0,
    inFlightMs: 0,
  });
  let lastStreamBeat = 0;
  const beat = setInterval(() => {
    const s = status();
    report({ type: "heartbeat", processed: s.processed, inFlightMs: s.inFlightMs });
    const now = Date.now();
    if (now - lastStreamBeat >= 5_000 && "deadLettered" in s) {
      lastStreamBeat = now;
      const hb = heartbeatMessage(init.agent, init.incarnation, s, now);
      bus.publish(STREAMS.heartbeats, encode(hb, STREAMS.heartbeats)).catch(() => {});
    }
  }, config.HEARTBEAT_MS);

  try {
    if (init.agent === "feed") {
      if (!init.replay && init.fault) log.warn("faults are not injected into the live feed");
      await runFeed({
        bus,
        config,
        replay: init.replay ?? null,
        log,
        signal: stop.signal,
        setStatus: (f) => (status = f),
        notify: (data) => report({ type: "user", data }),
      });
      return;
    }
    const built = await buildAgent(init, bus, log);
    const actor = new Actor({
      core: built.core,
      bus,
      group: init.agent,
      consumer: init.consumer,
      incarnation: init.incarnation,
      log,
      signal: stop.signal,
      maxDeliveries: config.MAX_DELIVERIES,
      claimIdleMs: config.CLAIM_IDLE_MS,
      effect: built.effect,
      batch: built.batch,
      fault: init.fault,
    });
    status = () => actor.status();
    userListener = (data) => {
      if (data === "describe") {
        report({ type: "user", data: { describe: actor.describe(), status: actor.status() } });
      }
    };
    try {
      await actor.run();
    } finally {
      await built.close?.();
    }
  } finally {
    clearInterval(beat);
    await bus.close().catch(() => {});
  }
}
