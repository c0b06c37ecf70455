// The dashboard in headless Chromium (Debian's package, driven by puppeteer-core) over a
// real replay (a `deno run` subprocess on the in-process bus that keeps serving once the data
// ends): the page loads without console errors, draws one marker per fill of the replay,
// and its kill button (with the token) halts trading through the risk agent. The same
// replay's HTML report is checked against its summary.
import assert from "node:assert/strict";
import { launchChromium } from "../../supervisor/admin/browser.ts";
import type { ReplaySummary } from "../../supervisor/summary.ts";
import { csvHead, REPO, SHARED_DATA } from "./replay_helpers.ts";

const TOKEN = "dashboard-test-token-0123456789";
interface PageView {
  ready: boolean;
  symbol: string | null;
  candles: number;
  markers: number;
  fills: string[];
  equityPoints: number;
  decisions: number;
  tradingState: string | null;
  errors: string[];
}

Deno.test({
  name: "e2e: dashboard in headless Chromium shows a replay's trades and its kill button halts",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const data = await csvHead(`${SHARED_DATA}crypto_daily/BTCUSD_1d.csv`, 400, "BTC.csv");
    const dir = await Deno.makeTempDir({ prefix: "dashboard-e2e-" });
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-all",
        "supervisor/admin/replay_serve.ts",
        "--replay",
        data,
        "--summary",
        `${dir}/summary.json`,
        "--report",
        `${dir}/report.html`,
      ],
      cwd: REPO,
      clearEnv: true,
      env: { ADMIN_TOKEN: TOKEN, PATH: Deno.env.get("PATH") ?? "" },
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    let out = "";
    const reading = (async () => {
      for await (const c of child.stdout.pipeThrough(new TextDecoderStream())) out += c;
    })();
    const stderr = new Response(child.stderr).text();
    const browser = await launchChromium();
    try {
      const ready = Date.now() + 240_000;
      let dashboard: string | null = null;
      while (dashboard === null && Date.now() < ready) {
        dashboard = out.match(/dashboard: (http:\/\/\S+)/)?.[1] ?? null;
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.ok(dashboard !== null, "the replay did not finish in time");
      const base = dashboard.replace(/\/dashboard$/, "");
      const summary: ReplaySummary = JSON.parse(await Deno.readTextFile(`${dir}/summary.json`));
      const fills: { id: string }[] = (await (await fetch(`${base}/fills?limit=10000`)).json())
        .fills;
      assert.ok(fills.length >= 4, `the replay should trade (got ${fills.length} fills)`);
      assert.equal(fills.length, summary.fills.length);

      const page = await browser.newPage();
      const problems: string[] = [];
      page.on("console", (m) => {
        if (m.type() === "error") problems.push(`console: ${m.text()}`);
      });
      page.on("pageerror", (e) => problems.push(`page error: ${(e as Error).message}`));
      page.on("requestfailed", (r) => problems.push(`request failed: ${r.url()}`));
      const external: string[] = [];
      page.on("request", (r) => {
        if (!r.url().startsWith(base) && !r.url().startsWith("data:")) {
          external.push(r.url());
        }
      });
      const res = await page.goto(`${base}/dashboard`, { waitUntil: "load" });
      assert.equal(res?.status(), 200);
      await page.waitForFunction(
        () => (globalThis as unknown as { __dashboard: PageView }).__dashboard.ready,
        { timeout: 30_000 },
      );
      const view = await page.evaluate(() =>
        (globalThis as unknown as { __dashboard: PageView }).__dashboard
      );
      assert.equal(view.symbol, "BTC");
      assert.equal(view.candles, summary.bars);
      // One marker per fill of the replay, and exactly the stored fills.
      assert.equal(view.markers, fills.length);
      assert.deepEqual([...view.fills].sort(), fills.map((f) => f.id).sort());
      assert.equal(view.equityPoints, summary.equity_curve.length);
      assert.ok(view.decisions > 0);
      assert.equal(view.tradingState, "ACTIVE");
      const markerCanvasDrawn = await page.$$eval("#chart canvas", (c) => c.length);
      assert.ok(markerCanvasDrawn > 0, "the price chart has no canvas");
      const rows = await page.$$eval("#agents tbody tr", (r) => r.length);
      assert.equal(rows, 8);
      await page.waitForFunction(
        'document.getElementById("live").textContent.includes("live")',
        { timeout: 10_000 },
      );

      // Kill: the page asks for the token, keeps it in memory, sends it as a bearer.
      await page.click("#kill");
      await page.waitForSelector("#auth[open]");
      await page.type("#token", TOKEN);
      await page.click("#auth-ok");
      // The command is on the bus at once; the risk agent consumes it a moment later.
      const deadline = Date.now() + 20_000;
      let state = "";
      while (Date.now() < deadline) {
        state = (await (await fetch(`${base}/health`)).json()).trading_state;
        if (state === "HALTED") break;
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.equal(state, "HALTED");
      // The page learns the new state from the event stream.
      await page.waitForFunction(
        'document.getElementById("state").textContent === "HALTED"',
        { timeout: 10_000 },
      );
      const audit: { command: string; actor: string; channel: string }[] =
        (await (await fetch(`${base}/audit`)).json()).audit;
      assert.deepEqual(audit.map((a) => [a.command, a.actor, a.channel]), [[
        "kill",
        "admin-api",
        "http",
      ]]);

      assert.deepEqual(problems, []);
      assert.deepEqual(external, [], "the dashboard fetched something from elsewhere");

      // The replay's HTML report agrees with its summary.
      const html = await Deno.readTextFile(`${dir}/report.html`);
      const json = JSON.parse(
        html.match(/<script type="application\/json" id="report-data">(.*?)<\/script>/s)![1],
      );
      assert.equal(json.total_return, summary.total_return);
      assert.equal(json.trades, summary.trades);
      assert.equal(html.match(/<tr class="trip">/g)?.length ?? 0, summary.trades);
      assert.ok(summary.trades > 0);
      assert.ok(
        !/<script src=|<link [^>]*href="http/.test(html),
        "the report is not self-contained",
      );
    } finally {
      await browser.close();
      try {
        child.kill("SIGTERM");
      } catch { /* already gone */ }
      const status = await child.status;
      await reading;
      const log = await stderr;
      await Deno.remove(dir, { recursive: true });
      await Deno.remove(data.slice(0, data.lastIndexOf("/")), { recursive: true });
      assert.equal(status.code, 0, log.slice(-2000));
    }
  },
});
