// Operating a running bot: the admin API answers, the kill switch halts trading through the
// real agents, and SIGTERM stops everything gracefully (drained, acknowledged, exit 0).
import assert from "node:assert/strict";
import { createClient } from "redis";
import { cleanup, REDIS_URL, REPO, SHARED_DATA, uniqueName } from "./replay_helpers.ts";

const BTC = `${SHARED_DATA}crypto_daily/BTCUSD_1d.csv`;
const TOKEN = "test-admin-token-0123456789";

async function until<T>(
  what: string,
  timeoutMs: number,
  probe: () => Promise<T | null>,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const v = await probe().catch(() => null);
    if (v !== null) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

Deno.test({
  name: "e2e: admin API, kill switch through the agents, and graceful SIGTERM on a running replay",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const name = uniqueName("e2e_ops");
    const dir = await Deno.makeTempDir({ prefix: "ops-e2e-" });
    const child = new Deno.Command(Deno.execPath(), {
      // ~40 ms per daily bar: slow enough to act on it while it runs.
      args: ["run", "--allow-all", "supervisor/main.ts", "--replay", BTC, "--speed", "2000000"],
      cwd: REPO,
      clearEnv: true,
      env: {
        REDIS_URL,
        BUS_NAMESPACE: name,
        DATABASE_URL: `sqlite:${dir}/ops.db`,
        ADMIN_PORT: "0",
        ADMIN_TOKEN: TOKEN,
        DOTENV_PATH: `${dir}/none.env`,
      },
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    let log = "";
    const reading = (async () => {
      for await (const chunk of child.stderr.pipeThrough(new TextDecoderStream())) log += chunk;
    })();
    const stdout = new Response(child.stdout).text();
    try {
      const base = await until("the admin API", 60_000, () => {
        const m = log.match(/"admin API listening","url":"(http:\/\/[^"]+)"/);
        return Promise.resolve(m ? m[1] : null);
      });
      const json = async (path: string, init?: RequestInit) => {
        const r = await fetch(base + path, init);
        return { status: r.status, body: await r.json() };
      };
      // Wait until bars flow through the whole chain.
      await until("executor progress", 60_000, async () => {
        const { body } = await json("/agents");
        const ex = body.agents.find((a: { name: string }) => a.name === "executor");
        return ex && ex.processed > 20 ? true : null;
      });
      const health = await json("/health");
      assert.equal(health.status, 200);
      assert.equal(health.body.bus, "redis");
      assert.equal(health.body.db, "sqlite");
      assert.equal(health.body.mode, "paper");
      assert.equal(health.body.trading_state, "ACTIVE");
      assert.equal(health.body.agents_total, 8);

      const refused = await json("/kill", {
        method: "POST",
        headers: { authorization: "Bearer nope" },
      });
      assert.equal(refused.status, 401);
      const accepted = await json("/kill", {
        method: "POST",
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      assert.equal(accepted.status, 202);
      // The risk agent consumed the command from ops.commands and halted trading.
      await until("HALTED", 15_000, async () => {
        const { body } = await json("/health");
        return body.trading_state === "HALTED" ? true : null;
      });

      const started = Date.now();
      child.kill("SIGTERM");
      const status = await child.status;
      assert.equal(status.code, 0, log.slice(-2000));
      assert.ok(Date.now() - started < 20_000, "graceful stop took too long");
      await reading;
      await stdout;
      assert.match(log, /"msg":"stopping","why":"signal"/);

      // Drained and acknowledged: no group has anything pending.
      const redis = createClient({ url: REDIS_URL });
      await redis.connect();
      try {
        for (const stream of ["md.bars", "signals", "decisions", "orders", "exec.events"]) {
          const groups = await redis.xInfoGroups(`${name}.replay:${stream}`) as {
            pending: number;
          }[];
          for (const g of groups) assert.equal(g.pending, 0, `${stream} has pending entries`);
        }
      } finally {
        await redis.quit();
      }
    } finally {
      try {
        child.kill("SIGKILL");
      } catch { /* already gone */ }
      await cleanup(name);
      await Deno.remove(dir, { recursive: true });
    }
  },
});
