// The alert policy under arbitrary alert storms: never more than N sends in any rolling
// hour, identical alerts within the dedup window sent once, critical alerts never held by
// quiet hours, and every suppression has a true reason. Plus the local-time arithmetic
// behind quiet hours, day/week P&L and the daily summary.
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  type AlertLike,
  decide,
  type Decision,
  effectiveSeverity,
  HOUR_MS,
  inQuietHours,
  remember,
  type SentRecord,
} from "../../supervisor/operator/alert_policy.ts";
import {
  localParts,
  startOfLocalDay,
  startOfLocalWeek,
} from "../../supervisor/operator/local_time.ts";
import { computePnl } from "../../supervisor/operator/pnl.ts";

const ZONES = ["UTC", "Europe/Paris", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe"];
const T0 = Date.UTC(2024, 2, 30); // a DST weekend in Europe

const alertArb: fc.Arbitrary<AlertLike> = fc.record({
  severity: fc.constantFrom("critical" as const, "warning" as const, "info" as const),
  code: fc.constantFrom(
    "restart_intensity",
    "stale_data",
    "venue_unavailable",
    "reconciliation",
    "meta_confidence",
  ),
  message: fc.constantFrom("a", "b", "c"),
});

const policyArb = fc.record({
  dedupMs: fc.integer({ min: 1, max: 2 * HOUR_MS }),
  maxPerHour: fc.integer({ min: 1, max: 8 }),
  quietHours: fc.option(
    fc.record({
      startMin: fc.integer({ min: 0, max: 1439 }),
      endMin: fc.integer({ min: 0, max: 1439 }),
    })
      .filter((q) => q.startMin !== q.endMin),
    { nil: null },
  ),
  timeZone: fc.constantFrom(...ZONES),
});

const stormArb = fc.array(
  fc.tuple(fc.integer({ min: 0, max: 20 * 60_000 }), alertArb),
  { minLength: 1, maxLength: 120 },
);

interface Step {
  at: number;
  alert: AlertLike;
  d: Decision;
  before: SentRecord[];
}

function run(storm: [number, AlertLike][], policy: Parameters<typeof decide>[3]): Step[] {
  let history: SentRecord[] = [];
  let at = T0;
  const steps: Step[] = [];
  for (const [dt, alert] of storm) {
    at += dt;
    const d = decide(alert, at, history, policy);
    steps.push({ at, alert, d, before: history });
    history = remember(history, d, at, policy);
  }
  return steps;
}

Deno.test("policy: never more than N sends in any rolling hour", () => {
  fc.assert(
    fc.property(stormArb, policyArb, (storm, policy) => {
      const sends = run(storm, policy).filter((s) => s.d.action === "send").map((s) => s.at);
      for (const t of sends) {
        const inHour = sends.filter((u) => u >= t && u < t + HOUR_MS).length;
        assert.ok(inHour <= policy.maxPerHour, `${inHour} sends in the hour from ${t}`);
      }
    }),
    { numRuns: 300 },
  );
});

Deno.test("policy: identical alerts within the dedup window are sent once", () => {
  fc.assert(
    fc.property(stormArb, policyArb, (storm, policy) => {
      const sends = run(storm, policy).filter((s) => s.d.action === "send");
      for (let i = 0; i < sends.length; i++) {
        for (let j = i + 1; j < sends.length; j++) {
          if (sends[i].d.key === sends[j].d.key) {
            assert.ok(sends[j].at - sends[i].at >= policy.dedupMs);
          }
        }
      }
    }),
    { numRuns: 300 },
  );
});

Deno.test("policy: critical alerts are never held by quiet hours; warnings are, inside them", () => {
  fc.assert(
    fc.property(stormArb, policyArb, (storm, policy) => {
      for (const s of run(storm, policy)) {
        const quiet = inQuietHours(s.at, policy.quietHours, policy.timeZone);
        const critical = effectiveSeverity(s.alert) === "critical";
        if (s.d.action === "suppress" && s.d.reason === "quiet_hours") {
          assert.ok(!critical && quiet);
        }
        if (s.d.action === "send" && !critical) assert.ok(!quiet);
      }
    }),
    { numRuns: 300 },
  );
});

Deno.test("policy: every suppression has a true reason (nothing is dropped silently)", () => {
  fc.assert(
    fc.property(stormArb, policyArb, (storm, policy) => {
      for (const { d, at, before, alert } of run(storm, policy)) {
        const dup = before.some((h) => h.key === d.key && at - h.at < policy.dedupMs);
        const full = before.filter((h) => at - h.at < HOUR_MS).length >= policy.maxPerHour;
        const quiet = effectiveSeverity(alert) !== "critical" &&
          inQuietHours(at, policy.quietHours, policy.timeZone);
        if (d.action === "send") assert.ok(!dup && !full && !quiet);
        else if (d.reason === "duplicate") assert.ok(dup);
        else if (d.reason === "quiet_hours") assert.ok(quiet);
        else assert.ok(full);
        if (d.action === "send") {
          assert.equal(d.channel, effectiveSeverity(alert) === "info" ? "telegram" : "sms");
        }
      }
    }),
    { numRuns: 300 },
  );
});

const instantArb = fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2040, 0, 1) });

Deno.test("local time: the day and week starts are local midnights at or before the instant", () => {
  fc.assert(
    fc.property(instantArb, fc.constantFrom(...ZONES), (t, tz) => {
      const day = startOfLocalDay(t, tz);
      const week = startOfLocalWeek(t, tz);
      assert.ok(day <= t && t - day < 25 * HOUR_MS, `${tz} ${t}`);
      assert.ok(week <= day && day - week < 7 * 24 * HOUR_MS + 2 * HOUR_MS);
      for (const s of [day, week]) {
        const p = localParts(s, tz);
        // Lord Howe moves its clock by 30 min: its midnight may not exist; never later than 00:30.
        assert.ok(p.hour === 0 && p.minute <= 30 && p.second === 0, `${tz} ${s}`);
      }
      assert.equal(localParts(week, tz).weekday, 1);
      assert.equal(localParts(day, tz).day, localParts(t, tz).day);
    }),
    { numRuns: 300 },
  );
});

Deno.test("pnl: total, drawdown bounds and the window bases follow the curve", () => {
  const curveArb = fc.array(
    fc.tuple(fc.integer({ min: 1, max: 30 * HOUR_MS }), fc.integer({ min: 1, max: 1_000_000 })),
    { minLength: 1, maxLength: 60 },
  );
  fc.assert(
    fc.property(
      curveArb,
      fc.integer({ min: 1, max: 1_000_000 }),
      fc.constantFrom(...ZONES),
      (steps, initial, tz) => {
        let t = T0;
        const curve = steps.map(([dt, cents]) => ({ barTime: t += dt, equity: cents / 100 }));
        const p = computePnl(curve, initial / 100, tz);
        const last = curve.at(-1)!;
        assert.equal(p.equity, last.equity);
        assert.equal(p.total, last.equity - initial / 100);
        assert.ok(p.maxDrawdown! <= p.drawdown! + 1e-12 && p.drawdown! <= 0);
        const dayStart = startOfLocalDay(last.barTime, tz);
        const before = curve.filter((x) => x.barTime < dayStart).at(-1);
        assert.equal(p.day, last.equity - (before?.equity ?? initial / 100));
        assert.ok(p.peak! >= Math.max(...curve.map((x) => x.equity)));
      },
    ),
    { numRuns: 200 },
  );
});
