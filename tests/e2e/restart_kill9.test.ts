// Restart safety: SIGKILL the whole bot (its process group) in the middle of a replay, after
// fills exist, start it again with the same command, and compare with an uninterrupted run:
// the same orders and fills (client order ids, quantities, prices), every fill published
// once, no order id twice, nothing lost. "Published once" is checked in both runs: the
// comparison alone would miss a fault both runs share (two fills under one envelope id, the
// second taken by the ledger for a redelivery and dropped, was one).
import assert from "node:assert/strict";
import { createClient } from "redis";
import { cleanup, csvHead, REDIS_URL, REPO, SHARED_DATA, uniqueName } from "./replay_helpers.ts";
import { listFills, listOrderEvents, listOrders, openDatabase } from "../../shared/storage/mod.ts";
import { equityCurve } from "../../shared/storage/mod.ts";

const BTC = `${SHARED_DATA}crypto_daily/BTCUSD_1d.csv`;
const BARS = 900;
/** The machine may be shared and loaded: generous, but a stuck bot still fails the test. */
const PROGRESS_MS = 180_000;
const RUN_MS = 600_000;

interface Bot {
  child: Deno.ChildProcess;
  log: () => string;
  done: Promise<Deno.CommandStatus>;
}

/** The bot in its own session (process group), as `deno task run --replay … --resume`. */
function startBot(name: string, dir: string, data: string, resume: boolean): Bot {
  const child = new Deno.Command("setsid", {
    args: [
      Deno.execPath(),
      "run",
      "--allow-all",
      "supervisor/main.ts",
      "--replay",
      data,
      "--no-admin",
      ...(resume ? ["--resume"] : []),
    ],
    cwd: REPO,
    clearEnv: true,
    env: {
      REDIS_URL,
      BUS_NAMESPACE: name,
      DATABASE_URL: `sqlite:${dir}/bot.db`,
      DOTENV_PATH: `${dir}/none.env`,
      // Keep trading to the end: more fills to compare.
      RISK_MAX_DRAWDOWN: "1",
      RISK_DAILY_LOSS_LIMIT: "1",
      PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
    },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let log = "";
  void (async () => {
    for await (const c of child.stderr.pipeThrough(new TextDecoderStream())) log += c;
  })();
  void child.stdout.pipeTo(new WritableStream());
  return { child, log: () => log, done: child.status };
}

/** The run's exit status, or null (the group killed) when it takes longer than `ms`. */
async function finished(bot: Bot, ms: number): Promise<Deno.CommandStatus | null> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<null>((r) => timer = setTimeout(() => r(null), ms));
  try {
    const st = await Promise.race([bot.done, late]);
    if (st === null) await killGroup(bot.child.pid).catch(() => {});
    return st;
  } finally {
    clearTimeout(timer);
  }
}

async function killGroup(pid: number): Promise<void> {
  const r = await new Deno.Command("kill", { args: ["-KILL", "--", `-${pid}`] }).output();
  assert.equal(r.code, 0, new TextDecoder().decode(r.stderr));
}

/** The executor's committed snapshot: bars processed and fees paid so far. */
async function executorProgress(name: string): Promise<{ bars: number; fees: number } | null> {
  const client = createClient({ url: REDIS_URL });
  await client.connect();
  try {
    const raw = await client.get(`${name}.replay:kv:state:executor`);
    if (raw === null) return null;
    const s = JSON.parse(raw) as { barsProcessed: number; fees: number };
    return { bars: s.barsProcessed, fees: s.fees };
  } finally {
    await client.quit();
  }
}

/** Every fill message on exec.events, by id: a duplicate publish would show twice. */
async function publishedFillIds(name: string): Promise<string[]> {
  const client = createClient({ url: REDIS_URL });
  await client.connect();
  try {
    const entries = await client.xRange(`${name}.replay:exec.events`, "-", "+");
    const ids: string[] = [];
    for (const e of entries) {
      const raw = Object.values(e.message).find((v) => v.includes('"type":"fill"'));
      if (raw !== undefined) ids.push(JSON.parse(raw).id);
    }
    return ids;
  } finally {
    await client.quit();
  }
}

async function records(dir: string) {
  const store = await openDatabase(`sqlite:${dir}/bot.db`);
  try {
    const orders = (await listOrders(store.db, { limit: 10_000 }))
      .map((o) => [o.clientOrderId, o.status, o.quantity, o.decisionId].join("|")).sort();
    const fills = (await listFills(store.db, { limit: 10_000 }))
      .map((f) => [f.clientOrderId, f.side, f.quantity, f.price, f.fee, f.barTime].join("|"))
      .sort();
    const events = (await listOrderEvents(store.db, { limit: 100_000 }))
      .map((e) => `${e.clientOrderId}|${e.status}`).sort();
    const equity = (await equityCurve(store.db)).map((e) => [e.barTime, e.equity, e.cash]);
    return { orders, fills, events, equity };
  } finally {
    await store.close();
  }
}

Deno.test({
  name: "e2e: kill -9 of the whole bot mid-replay, restart with the same command: no order or " +
    "fill duplicated or lost",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const data = await csvHead(BTC, BARS, "BTCUSD_1d.csv");
    const clean = uniqueName("e2e_k9_clean");
    const killed = uniqueName("e2e_k9_kill");
    const cleanDir = await Deno.makeTempDir({ prefix: "k9-clean-" });
    const killDir = await Deno.makeTempDir({ prefix: "k9-kill-" });
    const started = Date.now();
    try {
      // The uninterrupted reference and the first (to be killed) run, side by side.
      const ref = startBot(clean, cleanDir, data, false);
      const first = startBot(killed, killDir, data, true);
      let at: { bars: number; fees: number } | null = null;
      const deadline = Date.now() + PROGRESS_MS;
      while (Date.now() < deadline) {
        at = await executorProgress(killed).catch(() => null);
        if (at !== null && at.fees > 0 && at.bars >= BARS / 4) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      assert.ok(
        at !== null && at.fees > 0,
        `no fills before the deadline: ${first.log().slice(-2000)}`,
      );
      assert.ok(at.bars < BARS, `the replay ended (${at.bars} bars) before the kill`);
      await killGroup(first.child.pid);
      const st = await first.done;
      assert.equal(st.signal, "SIGKILL");
      console.log(`killed after ${at.bars} of ${BARS} bars`);

      const second = startBot(killed, killDir, data, true);
      const [refStatus, secondStatus] = await Promise.all([
        finished(ref, RUN_MS),
        finished(second, RUN_MS),
      ]);
      assert.equal(refStatus?.code, 0, `reference run: ${ref.log().slice(-3000)}`);
      assert.equal(secondStatus?.code, 0, `restarted run: ${second.log().slice(-3000)}`);
      assert.match(second.log(), /"bus":"redis"/);

      const want = await records(cleanDir);
      const got = await records(killDir);
      assert.ok(want.fills.length > 10, `only ${want.fills.length} fills`);
      assert.equal(want.equity.length, BARS);
      assert.deepEqual(got.orders, want.orders);
      assert.deepEqual(got.fills, want.fills);
      assert.deepEqual(got.events, want.events);
      assert.deepEqual(got.equity, want.equity);
      // No client order id filled twice, every fill published exactly once.
      const coids = got.fills.map((f) => f.split("|")[0]);
      assert.equal(new Set(coids).size, coids.length);
      for (
        const [run, name, stored] of [["restarted", killed, got], [
          "reference",
          clean,
          want,
        ]] as const
      ) {
        const published = await publishedFillIds(name);
        const twice = published.filter((id, i) => published.indexOf(id) !== i);
        assert.deepEqual(twice, [], `${run} run: a fill was published twice`);
        assert.equal(
          published.length,
          stored.fills.length,
          `${run} run: fills published vs stored`,
        );
      }
      console.log(
        `restart: ${got.fills.length} fills and ${got.orders.length} orders identical ` +
          `in ${Math.round((Date.now() - started) / 1000)} s`,
      );
    } finally {
      await cleanup(clean);
      await cleanup(killed);
      await Deno.remove(cleanDir, { recursive: true });
      await Deno.remove(killDir, { recursive: true });
    }
  },
});
