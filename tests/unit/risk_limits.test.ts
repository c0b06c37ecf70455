import assert from "node:assert/strict";
import {
  alertSeverity,
  commandTransition,
  emptyEquityWatch,
  observeEquity,
  rebase,
  utcDay,
} from "../../agents/risk/limits.ts";

const DAY = 86_400_000;
const D0 = 19_000 * DAY; // a UTC midnight
const limits = { dailyLossLimit: 0.05, maxDrawdown: 0.25 };

Deno.test("limits: daily loss vs the first equity of the UTC day of bar time", () => {
  let w = emptyEquityWatch();
  let r = observeEquity(w, 10_000, D0 + 1000, limits);
  assert.deepEqual(r.breaches, []);
  w = r.watch;
  assert.deepEqual(w, {
    peakEquity: 10_000,
    day: 19_000,
    dayStartEquity: 10_000,
    lastEquity: 10_000,
  });
  r = observeEquity(w, 9_600, D0 + 2000, limits); // −4 %
  assert.deepEqual(r.breaches, []);
  r = observeEquity(r.watch, 9_500, D0 + 3000, limits); // −5 %
  assert.deepEqual(r.breaches.map((b) => b.code), ["daily_loss_limit"]);
  assert.equal(r.breaches[0].values.dayStartEquity, 10_000);
  assert.equal(r.breaches[0].values.limit, 0.05);
  // the next UTC day starts from its own first equity
  r = observeEquity(r.watch, 9_400, D0 + DAY, limits);
  assert.equal(r.watch.dayStartEquity, 9_400);
  assert.deepEqual(r.breaches, []);
  // an older day's account does not move the day back
  r = observeEquity(r.watch, 9_000, D0 + 5000, limits);
  assert.equal(r.watch.day, 19_001);
  assert.deepEqual(r.breaches, []);
});

Deno.test("limits: max drawdown from the peak equity", () => {
  let w = emptyEquityWatch();
  w = observeEquity(w, 10_000, D0, limits).watch;
  w = observeEquity(w, 12_000, D0 + DAY, limits).watch;
  w = observeEquity(w, 10_000, D0 + 2 * DAY, limits).watch; // −16.7 % from 12 000
  const r = observeEquity(w, 9_000, D0 + 3 * DAY, limits); // −25 %
  assert.deepEqual(r.breaches.map((b) => b.code), ["max_drawdown"]);
  assert.equal(r.breaches[0].values.peakEquity, 12_000);
  assert.equal(r.breaches[0].values.drawdown, 0.25);
  const rebased = rebase(r.watch);
  assert.equal(rebased.peakEquity, 9_000);
  assert.equal(rebased.dayStartEquity, 9_000);
  assert.deepEqual(observeEquity(rebased, 8_900, D0 + 3 * DAY, limits).breaches, []);
});

Deno.test("limits: operator commands move the trading state; pause never loosens a halt", () => {
  assert.deepEqual(commandTransition("ACTIVE", "kill"), { to: "HALTED", code: "kill_switch" });
  assert.deepEqual(commandTransition("REDUCING", "kill"), { to: "HALTED", code: "kill_switch" });
  assert.equal(commandTransition("HALTED", "kill"), null);
  assert.deepEqual(commandTransition("ACTIVE", "pause"), {
    to: "REDUCING",
    code: "operator_pause",
  });
  assert.equal(commandTransition("HALTED", "pause"), null);
  assert.deepEqual(commandTransition("HALTED", "resume"), {
    to: "ACTIVE",
    code: "operator_resume",
  });
  assert.deepEqual(commandTransition("REDUCING", "resume"), {
    to: "ACTIVE",
    code: "operator_resume",
  });
  assert.equal(commandTransition("ACTIVE", "resume"), null);
  assert.equal(commandTransition("ACTIVE", "restart"), null);
  assert.equal(alertSeverity("HALTED"), "critical");
  assert.equal(alertSeverity("REDUCING"), "warning");
  assert.equal(utcDay(D0 - 1), 18_999);
});
