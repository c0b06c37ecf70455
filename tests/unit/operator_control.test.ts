// The pure parts of the operator channels: command parsing, one-screen answers, the kill
// confirmation, the command on the bus, the Twilio base URL, the daily schedule and the
// loss watch.
import assert from "node:assert/strict";
import fc from "fast-check";
import { answer, parseCommand } from "../../supervisor/operator/answers.ts";
import { KillConfirmations, publishCommand } from "../../supervisor/operator/control.ts";
import { fitScreen } from "../../supervisor/operator/format.ts";
import { lossBreach, summaryDue } from "../../supervisor/operator/daily.ts";
import { computePnl } from "../../supervisor/operator/pnl.ts";
import { rebaseUri } from "../../supervisor/operator/sms.ts";
import type { OperatorView } from "../../supervisor/operator/view.ts";
import { decode, STREAMS } from "../../shared/messages/mod.ts";
import { memoryBus } from "../support/operator_fixtures.ts";

Deno.test("parseCommand: commands, @mentions, arguments; text and other bots give null", () => {
  assert.deepEqual(parseCommand("/status", "tradebot_bot"), { command: "status", args: [] });
  assert.deepEqual(parseCommand("/Kill@TradeBot_bot  Flatten ", "tradebot_bot"), {
    command: "kill",
    args: ["flatten"],
  });
  assert.equal(parseCommand("/status@other_bot", "tradebot_bot"), null);
  assert.equal(parseCommand("status", "tradebot_bot"), null);
  assert.equal(parseCommand(42, "tradebot_bot"), null);
  assert.equal(parseCommand(undefined, "tradebot_bot"), null);
  assert.equal(parseCommand("/", "tradebot_bot"), null);
});

Deno.test("fitScreen: at most 25 lines and 4096 characters, saying what was left out", () => {
  fc.assert(
    fc.property(
      fc.array(fc.string({ maxLength: 400 }).map((s) => s.replaceAll("\n", " ")), {
        maxLength: 80,
      }),
      (lines) => {
        const text = fitScreen(lines);
        const kept = text.split("\n");
        assert.ok(text.length <= 4096);
        assert.ok(kept.length <= 25);
        if (lines.length <= 25 && lines.join("\n").length <= 4096) {
          assert.equal(
            text,
            lines.join("\n"),
          );
        } else assert.match(kept.at(-1)!, /… \d+ more|…$/);
      },
    ),
  );
  const many = Array.from({ length: 40 }, (_, i) => `line ${i}`);
  const out = fitScreen(many).split("\n");
  assert.equal(out.length, 25);
  assert.equal(out.at(-1), "… 16 more");
});

const emptyView: OperatorView = {
  tradingState: () => Promise.resolve("ACTIVE"),
  status: () =>
    Promise.resolve({
      tradingState: "ACTIVE",
      mode: "paper",
      pnl: computePnl([], 10_000, "UTC"),
      agentsUp: 0,
      agentsTotal: 0,
    }),
  positions: () => Promise.resolve([]),
  orders: () => Promise.resolve([]),
  pnl: () => Promise.resolve(computePnl([], 10_000, "UTC")),
  agents: () => Promise.resolve([]),
};

Deno.test("answer: a fresh bot with no records answers every command plainly", async () => {
  assert.equal(
    await answer("status", [], emptyView),
    "Trading: ACTIVE (paper)\nEquity: n/a\nToday: n/a (n/a)\nTotal: n/a (n/a)\nAgents up: 0/0\nno equity recorded yet",
  );
  assert.equal(await answer("positions", [], emptyView), "No open positions.");
  assert.equal(await answer("orders", [], emptyView), "No orders yet.");
  assert.equal(
    await answer("pnl", [], emptyView),
    "P&L: no equity recorded yet (start 10,000.00).",
  );
  assert.equal(await answer("agents", [], emptyView), "No agents are supervised.");
  assert.equal(
    await answer("nope", [], emptyView),
    "Unknown command /nope. Send /help for the list.",
  );
});

Deno.test("kill confirmation: once, within the window, for the chat and nonce that asked", () => {
  let n = 0;
  const k = new KillConfirmations(60_000, () => `nonce-${n++}`);
  const p = k.request(1, true, 1_000);
  assert.equal(p.expiresAt, 61_000);
  assert.deepEqual(k.confirm(2, null, 2_000), { ok: false, why: "none" }, "another chat");
  assert.deepEqual(k.confirm(1, "other", 2_000), { ok: false, why: "stale" });
  assert.deepEqual(k.confirm(1, p.nonce, 61_000), { ok: true, flatten: true });
  assert.deepEqual(k.confirm(1, p.nonce, 61_000), { ok: false, why: "none" }, "only once");
  k.request(1, undefined, 0);
  assert.deepEqual(k.confirm(1, null, 60_001), { ok: false, why: "expired" });
  const q = k.request(1, false, 0);
  assert.equal(k.cancel(1, "wrong"), false);
  assert.equal(k.cancel(1, q.nonce), true);
  assert.deepEqual(k.confirm(1, null, 1), { ok: false, why: "none" });
  // A newer request replaces the older one: its button is stale.
  const a = k.request(1, true, 0);
  const b = k.request(1, false, 0);
  assert.deepEqual(k.confirm(1, a.nonce, 1), { ok: false, why: "stale" });
  assert.deepEqual(k.confirm(1, b.nonce, 1), { ok: true, flatten: false });
});

Deno.test("publishCommand: a valid command on ops.commands; flatten only when chosen", async () => {
  const bus = memoryBus("opcmd");
  try {
    await publishCommand(bus, { command: "kill", issuedBy: "telegram:1", reason: "r", now: 5 });
    await publishCommand(bus, {
      command: "kill",
      issuedBy: "telegram:1",
      reason: "r",
      flatten: false,
      now: 6,
    });
    await publishCommand(bus, {
      command: "resume",
      issuedBy: "telegram:1",
      reason: "r",
      flatten: true,
      now: 7,
    });
    const got = (await bus.range(STREAMS.commands)).map((e) => decode(e.raw, STREAMS.commands));
    const data = got.map((m) => (m.ok && m.msg.type === "command" ? m.msg.data : null));
    assert.deepEqual(data, [
      { command: "kill", target: null, issuedBy: "telegram:1", reason: "r" },
      { command: "kill", target: null, issuedBy: "telegram:1", reason: "r", flatten: false },
      { command: "resume", target: null, issuedBy: "telegram:1", reason: "r" },
    ]);
    assert.ok(got.every((m) => m.ok && m.msg.producer === "operator"));
  } finally {
    await bus.close();
  }
});

Deno.test("rebaseUri: Twilio's origin is swapped, path and query kept", () => {
  const uri = "https://api.twilio.com/2010-04-01/Accounts/AC1/Messages.json?PageSize=5";
  assert.equal(
    rebaseUri(uri, "http://127.0.0.1:4000"),
    "http://127.0.0.1:4000/2010-04-01/Accounts/AC1/Messages.json?PageSize=5",
  );
  assert.equal(
    rebaseUri(uri, "https://proxy.example/twilio/"),
    "https://proxy.example/twilio/2010-04-01/Accounts/AC1/Messages.json?PageSize=5",
  );
});

Deno.test("summaryDue: from the configured local minute on, once per local day", () => {
  const at = 8 * 60;
  // 2024-05-07 05:59 UTC = 07:59 Paris.
  const t = Date.UTC(2024, 4, 7, 5, 59);
  assert.deepEqual(summaryDue(t, "Europe/Paris", at, null), { due: false, today: "2024-05-07" });
  assert.deepEqual(summaryDue(t + 60_000, "Europe/Paris", at, "2024-05-06"), {
    due: true,
    today: "2024-05-07",
  });
  assert.equal(summaryDue(t + 60_000, "Europe/Paris", at, "2024-05-07").due, false);
  // 23:30 UTC on the 7th is already the 8th in Paris.
  assert.deepEqual(summaryDue(Date.UTC(2024, 4, 7, 23, 30), "Europe/Paris", at, "2024-05-07"), {
    due: false,
    today: "2024-05-08",
  });
});

Deno.test("lossBreach: the day's loss against the day's opening equity", () => {
  const pnl = (equity: number, day: number) => ({ ...computePnl([], 100, "UTC"), equity, day });
  assert.equal(lossBreach(pnl(97, -3), 0.03), 3 / 100);
  assert.equal(lossBreach(pnl(97.1, -2.9), 0.03), null);
  assert.equal(lossBreach(pnl(110, 10), 0.03), null);
  assert.equal(lossBreach(computePnl([], 100, "UTC"), 0.03), null);
  assert.equal(lossBreach(pnl(50, -50), 0), null, "0 turns the watch off");
});
