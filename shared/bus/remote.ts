// A Bus used from another thread: agents in Deno Workers reach the in-process bus that lives
// in the main thread through request/response RPC over a MessagePort. Calls are independent:
// a read blocked on the server side never holds up a publish or an ack.
import type {
  Bus,
  Commit,
  Delivery,
  PendingEntry,
  ReadGroupOptions,
  StreamEntry,
  StreamInfo,
} from "./types.ts";
import { logger } from "../util/log.ts";

const log = logger("bus.remote");

/** The Bus methods a remote may call; close() is not one: a remote cannot close the bus. */
const METHODS = [
  "publish",
  "ensureGroup",
  "readGroup",
  "ack",
  "claimIdle",
  "pending",
  "range",
  "readAfter",
  "info",
  "kvGet",
  "kvSet",
  "commit",
  "destroy",
] as const;
type Method = (typeof METHODS)[number];
const ALLOWED = new Set<string>([...METHODS, "describe"]);

interface Call {
  type: "bus-call";
  id: number;
  method: Method | "describe";
  args: unknown[];
}

type Reply =
  | { type: "bus-reply"; id: number; ok: true; value: unknown }
  | { type: "bus-reply"; id: number; ok: false; error: string };

export interface ServedBusInfo {
  kind: Bus["kind"];
  namespace: string;
}

export interface BusServer {
  /** Stops answering and closes the port (the bus itself stays open). */
  close(): void;
}

/** Answers RemoteBus calls arriving on `port` with `bus` (main-thread side). */
export function serveBus(bus: Bus, port: MessagePort): BusServer {
  let open = true;
  const reply = (r: Reply) => {
    if (!open) return;
    try {
      port.postMessage(r);
    } catch (e) {
      log.warn("could not send a bus reply", { id: r.id, error: (e as Error).message });
    }
  };
  const onMessage = (ev: MessageEvent) => {
    const m = ev.data as Partial<Call> | null;
    if (typeof m !== "object" || m === null || m.type !== "bus-call") return;
    if (typeof m.id !== "number") {
      log.warn("bus call without an id ignored", { method: String(m.method) });
      return;
    }
    const id = m.id;
    if (typeof m.method !== "string" || !ALLOWED.has(m.method) || !Array.isArray(m.args)) {
      reply({
        type: "bus-reply",
        id,
        ok: false,
        error: `unknown bus method ${JSON.stringify(m.method)} or arguments not an array`,
      });
      return;
    }
    const run = m.method === "describe"
      ? Promise.resolve<ServedBusInfo>({ kind: bus.kind, namespace: bus.namespace })
      : invoke(bus, m.method as Method, m.args);
    run.then(
      (value) => reply({ type: "bus-reply", id, ok: true, value }),
      (e) => reply({ type: "bus-reply", id, ok: false, error: errorMessage(e) }),
    );
  };
  port.addEventListener("message", onMessage);
  port.start();
  return {
    close() {
      open = false;
      port.removeEventListener("message", onMessage);
      port.close();
    },
  };
}

function invoke(bus: Bus, method: Method, args: unknown[]): Promise<unknown> {
  try {
    const fn = (bus as unknown as Record<Method, (...a: unknown[]) => Promise<unknown>>)[method];
    return Promise.resolve(fn.apply(bus, args));
  } catch (e) {
    return Promise.reject(e);
  }
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

interface Waiting {
  resolve(value: unknown): void;
  reject(error: Error): void;
  /** What a call still waiting when the bus closes resolves to (reads: []), else it rejects. */
  onClose: unknown[] | null;
}

/** The worker side. Construct with what the server serves, or ask it with RemoteBus.connect. */
export class RemoteBus implements Bus {
  readonly kind: Bus["kind"];
  readonly namespace: string;
  readonly #port: MessagePort;
  readonly #waiting = new Map<number, Waiting>();
  #nextId = 1;
  #closed = false;

  constructor(port: MessagePort, served: ServedBusInfo) {
    if (served.kind !== "redis" && served.kind !== "memory") {
      throw new Error(`invalid served bus kind ${JSON.stringify(served.kind)}`);
    }
    this.kind = served.kind;
    this.namespace = served.namespace;
    this.#port = port;
    port.addEventListener("message", this.#onMessage);
    port.start();
  }

  /** Asks the server what it serves, then returns the bus (rejects after timeoutMs). */
  static connect(port: MessagePort, timeoutMs = 5000): Promise<RemoteBus> {
    return new Promise((resolve, reject) => {
      const onMessage = (ev: MessageEvent) => {
        const r = ev.data as Reply | null;
        if (r?.type !== "bus-reply" || r.id !== 0) return;
        cleanup();
        if (!r.ok) return reject(new Error(r.error));
        try {
          resolve(new RemoteBus(port, r.value as ServedBusInfo));
        } catch (e) {
          reject(e);
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`no bus server answered on the port within ${timeoutMs} ms`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        port.removeEventListener("message", onMessage);
      };
      port.addEventListener("message", onMessage);
      port.start();
      port.postMessage({ type: "bus-call", id: 0, method: "describe", args: [] } satisfies Call);
    });
  }

  publish(stream: string, raw: string): Promise<string> {
    return this.#call("publish", [stream, raw]) as Promise<string>;
  }

  ensureGroup(stream: string, group: string, startId?: "0" | "$"): Promise<void> {
    return this.#call("ensureGroup", [stream, group, startId]) as Promise<void>;
  }

  readGroup(
    group: string,
    consumer: string,
    streams: string[],
    opts: ReadGroupOptions,
  ): Promise<Delivery[]> {
    return this.#call("readGroup", [group, consumer, streams, opts], []) as Promise<Delivery[]>;
  }

  ack(stream: string, group: string, entryIds: string[]): Promise<number> {
    return this.#call("ack", [stream, group, entryIds]) as Promise<number>;
  }

  claimIdle(
    stream: string,
    group: string,
    consumer: string,
    minIdleMs: number,
    count: number,
  ): Promise<Delivery[]> {
    return this.#call("claimIdle", [stream, group, consumer, minIdleMs, count]) as Promise<
      Delivery[]
    >;
  }

  pending(stream: string, group: string, count?: number): Promise<PendingEntry[]> {
    return this.#call("pending", [stream, group, count]) as Promise<PendingEntry[]>;
  }

  range(stream: string, start?: string, end?: string, count?: number): Promise<StreamEntry[]> {
    return this.#call("range", [stream, start, end, count]) as Promise<StreamEntry[]>;
  }

  readAfter(
    cursors: { stream: string; afterId: string }[],
    count: number,
    blockMs: number,
  ): Promise<StreamEntry[]> {
    return this.#call("readAfter", [cursors, count, blockMs], []) as Promise<StreamEntry[]>;
  }

  info(stream: string): Promise<StreamInfo> {
    return this.#call("info", [stream]) as Promise<StreamInfo>;
  }

  kvGet(key: string): Promise<string | null> {
    return this.#call("kvGet", [key]) as Promise<string | null>;
  }

  kvSet(key: string, value: string): Promise<void> {
    return this.#call("kvSet", [key, value]) as Promise<void>;
  }

  commit(c: Commit): Promise<void> {
    return this.#call("commit", [c]) as Promise<void>;
  }

  destroy(): Promise<void> {
    return this.#call("destroy", []) as Promise<void>;
  }

  /** Closes this end only (the served bus stays open); waiting reads return [], others reject. */
  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#closed = true;
    this.#port.removeEventListener("message", this.#onMessage);
    this.#port.close();
    for (const w of this.#waiting.values()) {
      if (w.onClose !== null) w.resolve(w.onClose);
      else w.reject(new Error(`bus '${this.namespace}' closed before the server answered`));
    }
    this.#waiting.clear();
    return Promise.resolve();
  }

  #call(method: Method, args: unknown[], onClose: unknown[] | null = null): Promise<unknown> {
    if (this.#closed) return Promise.reject(new Error(`bus '${this.namespace}' is closed`));
    // Trailing undefined arguments are dropped so the server applies its own defaults.
    while (args.length > 0 && args[args.length - 1] === undefined) args.pop();
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#waiting.set(id, { resolve, reject, onClose });
      try {
        this.#port.postMessage({ type: "bus-call", id, method, args } satisfies Call);
      } catch (e) {
        this.#waiting.delete(id);
        reject(new Error(`cannot send ${method} to the bus: ${errorMessage(e)}`));
      }
    });
  }

  #onMessage = (ev: MessageEvent): void => {
    const r = ev.data as Reply | null;
    if (r?.type !== "bus-reply") return;
    const w = this.#waiting.get(r.id);
    if (w === undefined) return;
    this.#waiting.delete(r.id);
    if (r.ok) w.resolve(r.value);
    else w.reject(new Error(r.error));
  };
}
