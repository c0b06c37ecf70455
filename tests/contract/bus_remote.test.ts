import assert from "node:assert/strict";
import { MemoryBus } from "../../shared/bus/memory.ts";
import { type BusServer, RemoteBus, serveBus } from "../../shared/bus/remote.ts";
import type { Bus } from "../../shared/bus/types.ts";
import { busContract } from "./bus_contract.ts";

/** A RemoteBus that, for tests, also stops its server and closes the served bus. */
class OwningRemoteBus extends RemoteBus {
  constructor(port: MessagePort, readonly server: BusServer, readonly served: Bus) {
    super(port, { kind: served.kind, namespace: served.namespace });
  }

  override async close(): Promise<void> {
    await super.close();
    this.server.close();
    await this.served.close();
  }
}

function remoteOver(served: Bus): OwningRemoteBus {
  const { port1, port2 } = new MessageChannel();
  return new OwningRemoteBus(port2, serveBus(served, port1), served);
}

busContract(
  "remote",
  (namespace, maxLen) => Promise.resolve(remoteOver(new MemoryBus({ namespace, maxLen }))),
  { propertyRuns: 100 },
);

Deno.test("remote bus: connect() learns kind and namespace from the server", async () => {
  const served = new MemoryBus({ namespace: "remote-kind", maxLen: 10 });
  const { port1, port2 } = new MessageChannel();
  const server = serveBus(
    { ...bindAll(served), kind: "redis", namespace: "looks-like-redis" },
    port1,
  );
  const remote = await RemoteBus.connect(port2);
  try {
    assert.equal(remote.kind, "redis");
    assert.equal(remote.namespace, "looks-like-redis");
    assert.match(await remote.publish("s", "x"), /^\d+-0$/);
  } finally {
    await remote.close();
    server.close();
    await served.close();
  }
});

Deno.test("remote bus: errors arrive as rejections with the original message", async () => {
  const remote = remoteOver(new MemoryBus({ namespace: "remote-errors", maxLen: 10 }));
  try {
    await assert.rejects(
      remote.readGroup("missing", "c", ["s"], { count: 1, blockMs: 0 }),
      (e: Error) => e.message === "NOGROUP no consumer group 'missing' on stream 's'",
    );
    await assert.rejects(remote.publish("bad:stream", "x"), /invalid stream "bad:stream"/);
    assert.equal(await remote.kvGet("k"), null, "the channel still works after errors");
  } finally {
    await remote.close();
  }
});

Deno.test("remote bus: unknown methods are refused by the server", async () => {
  const served = new MemoryBus({ namespace: "remote-unknown", maxLen: 10 });
  const { port1, port2 } = new MessageChannel();
  const server = serveBus(served, port1);
  const reply = new Promise<unknown>((resolve) => {
    port2.onmessage = (ev) => resolve(ev.data);
  });
  port2.postMessage({ type: "bus-call", id: 7, method: "close", args: [] });
  try {
    assert.deepEqual(await reply, {
      type: "bus-reply",
      id: 7,
      ok: false,
      error: 'unknown bus method "close" or arguments not an array',
    });
    assert.equal(await served.kvGet("still-open"), null, "the served bus was not closed");
  } finally {
    port2.close();
    server.close();
    await served.close();
  }
});

Deno.test("remote bus: connect() rejects when nobody serves the port", async () => {
  const { port1, port2 } = new MessageChannel();
  try {
    await assert.rejects(RemoteBus.connect(port2, 50), /no bus server answered .* 50 ms/);
  } finally {
    port1.close();
    port2.close();
  }
});

Deno.test("remote bus: a worker publishes and reads through the main thread's bus", async () => {
  const served = new MemoryBus({ namespace: "remote-worker", maxLen: 100 });
  await served.ensureGroup("in", "w");
  const remoteUrl = new URL("../../shared/bus/remote.ts", import.meta.url).href;
  const code = `
    import { RemoteBus } from ${JSON.stringify(remoteUrl)};
    self.onmessage = async (ev) => {
      const bus = await RemoteBus.connect(ev.data.port);
      const got = await bus.readGroup("w", "worker-1", ["in"], { count: 10, blockMs: 2000 });
      for (const d of got) {
        await bus.publish("out", d.raw.toUpperCase());
        await bus.ack(d.stream, "w", [d.entryId]);
      }
      await bus.close();
      self.postMessage({ kind: bus.kind, handled: got.length });
    };
  `;
  const url = URL.createObjectURL(new Blob([code], { type: "application/javascript" }));
  const worker = new Worker(url, { type: "module" });
  const { port1, port2 } = new MessageChannel();
  const server = serveBus(served, port1);
  try {
    const done = new Promise<{ kind: string; handled: number }>((resolve, reject) => {
      worker.onmessage = (ev) => resolve(ev.data);
      worker.onerror = (ev) => {
        ev.preventDefault();
        reject(new Error(ev.message));
      };
    });
    worker.postMessage({ port: port2 }, [port2]);
    await new Promise((r) => setTimeout(r, 50)); // the worker is blocked in readGroup now
    await served.publish("in", "hello");
    assert.deepEqual(await done, { kind: "memory", handled: 1 });
    assert.deepEqual((await served.range("out")).map((e) => e.raw), ["HELLO"]);
    assert.deepEqual(await served.pending("in", "w"), []);
  } finally {
    worker.terminate();
    URL.revokeObjectURL(url);
    server.close();
    await served.close();
  }
});

/** The bus's methods bound to it, so the object can be spread with other fields. */
function bindAll(bus: Bus): Omit<Bus, "kind" | "namespace"> {
  return {
    publish: bus.publish.bind(bus),
    ensureGroup: bus.ensureGroup.bind(bus),
    readGroup: bus.readGroup.bind(bus),
    ack: bus.ack.bind(bus),
    claimIdle: bus.claimIdle.bind(bus),
    pending: bus.pending.bind(bus),
    range: bus.range.bind(bus),
    readAfter: bus.readAfter.bind(bus),
    info: bus.info.bind(bus),
    kvGet: bus.kvGet.bind(bus),
    kvSet: bus.kvSet.bind(bus),
    commit: bus.commit.bind(bus),
    destroy: bus.destroy.bind(bus),
    close: bus.close.bind(bus),
  };
}
