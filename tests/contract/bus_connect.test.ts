import assert from "node:assert/strict";
import { connectBus, redactUrl } from "../../shared/bus/connect.ts";

const REDIS_URL = Deno.env.get("REDIS_URL") ?? "redis://127.0.0.1:6379";
const base = { namespace: "connect-test", maxLen: 1000, connectTimeoutMs: 300 };

Deno.test("connectBus: no URL gives the memory bus and says why", async () => {
  for (const redisUrl of [undefined, "", "  "]) {
    const { bus, fallbackReason } = await connectBus({ ...base, redisUrl });
    assert.equal(bus.kind, "memory");
    assert.equal(bus.namespace, "connect-test");
    assert.match(fallbackReason ?? "", /REDIS_URL is not set/);
    await bus.close();
  }
});

Deno.test("connectBus: a reachable Redis gives the Redis bus", async () => {
  const { bus, fallbackReason } = await connectBus({
    ...base,
    connectTimeoutMs: 3000,
    redisUrl: REDIS_URL,
  });
  try {
    assert.equal(fallbackReason, null);
    assert.equal(bus.kind, "redis");
    await bus.kvSet("probe", "1");
    assert.equal(await bus.kvGet("probe"), "1");
  } finally {
    await bus.destroy();
    await bus.close();
  }
});

Deno.test("connectBus: a refused connection falls back fast, without leaking the password", async () => {
  const t0 = performance.now();
  const { bus, fallbackReason } = await connectBus({
    ...base,
    redisUrl: "redis://user:s3cret-pass@127.0.0.1:1",
  });
  const took = performance.now() - t0;
  try {
    assert.equal(bus.kind, "memory");
    assert.match(fallbackReason ?? "", /^Redis at redis:\/\/127\.0\.0\.1:1 is unreachable \(.+\)/);
    assert.doesNotMatch(fallbackReason ?? "", /s3cret/);
    assert.ok(took < 2000, `took ${took} ms`);
    // nothing keeps retrying in the background: the test's op sanitizer would catch it
    await new Promise((r) => setTimeout(r, 200));
  } finally {
    await bus.close();
  }
});

Deno.test("connectBus: a server that never answers falls back after the timeout", async () => {
  // Accepts TCP connections and says nothing: the Redis handshake hangs until our timeout.
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const accepted: Deno.Conn[] = [];
  const accepting = (async () => {
    for await (const conn of listener) accepted.push(conn);
  })();
  const t0 = performance.now();
  const { bus, fallbackReason } = await connectBus({
    ...base,
    connectTimeoutMs: 150,
    redisUrl: `redis://127.0.0.1:${listener.addr.port}`,
  });
  const took = performance.now() - t0;
  try {
    assert.equal(bus.kind, "memory");
    assert.match(fallbackReason ?? "", /unreachable \(no answer within 150 ms\)/);
    assert.ok(took >= 140 && took < 1500, `took ${took} ms for a 150 ms timeout`);
    assert.ok(accepted.length >= 1, "the client did connect to the silent server");
  } finally {
    await bus.close();
    listener.close();
    await accepting;
    for (const c of accepted) {
      try {
        c.close();
      } catch { /* closed by the client */ }
    }
  }
});

Deno.test("connectBus: bad options are refused with the field named", async () => {
  await assert.rejects(connectBus({ ...base, namespace: "a:b" }), /invalid namespace "a:b"/);
  await assert.rejects(connectBus({ ...base, maxLen: 0 }), /invalid maxLen 0/);
  await assert.rejects(connectBus({ ...base, connectTimeoutMs: -1 }), /invalid connectTimeoutMs/);
});

Deno.test("redactUrl drops credentials", () => {
  assert.equal(redactUrl("redis://u:p@h:1/0"), "redis://h:1/0");
  assert.equal(redactUrl("redis://h:1"), "redis://h:1");
  assert.equal(redactUrl("not a url"), "(unparseable URL)");
});
