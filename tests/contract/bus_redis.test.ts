import assert from "node:assert/strict";
import { createClient } from "redis";
import { RedisStreamsBus } from "../../shared/bus/redis_streams.ts";
import { busContract } from "./bus_contract.ts";

const REDIS_URL = Deno.env.get("REDIS_URL") ?? "redis://127.0.0.1:6379";

/** Keys left under the namespace, counted with SCAN on a connection of its own. */
async function keysUnder(namespace: string): Promise<string[]> {
  const client = createClient({ url: REDIS_URL, socket: { reconnectStrategy: false } });
  await client.connect();
  try {
    const found: string[] = [];
    let cursor = "0";
    do {
      const reply = await client.sendCommand([
        "SCAN",
        cursor,
        "MATCH",
        `${namespace}:*`,
        "COUNT",
        "1000",
      ]) as [string, string[]];
      cursor = reply[0];
      found.push(...reply[1]);
    } while (cursor !== "0");
    return found;
  } finally {
    await client.close();
  }
}

busContract(
  "redis",
  (namespace, maxLen) =>
    RedisStreamsBus.connect({ url: REDIS_URL, namespace, maxLen, connectTimeoutMs: 2000 }),
  {
    async assertClean(namespace) {
      assert.deepEqual(await keysUnder(namespace), [], `keys left under ${namespace}`);
    },
  },
);
