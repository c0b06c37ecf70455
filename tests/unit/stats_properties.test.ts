import assert from "node:assert/strict";
import fc from "fast-check";
import { computeStats } from "../../shared/stats/mod.ts";

const curveArb = fc.array(fc.double({ min: 0, max: 1e7, noNaN: true }), { maxLength: 200 })
  .map((es) => es.map((e, i) => [(i + 1) * 60_000, e] as const));

Deno.test("stats: total_return = final/initial − 1; max_drawdown in [−1, 0]; ratios finite or null", () => {
  fc.assert(
    fc.property(curveArb, fc.double({ min: 1e-3, max: 1e7, noNaN: true }), (curve, initial) => {
      const s = computeStats({
        equityCurve: curve,
        fills: [],
        initialEquity: initial,
        buyHoldReturn: null,
        periodsPerYear: 252,
      });
      const final = curve.length > 0 ? curve[curve.length - 1][1] : initial;
      assert.equal(s.final_equity, final);
      assert.equal(s.total_return, final / initial - 1);
      assert.ok(s.max_drawdown >= -1 && s.max_drawdown <= 0, String(s.max_drawdown));
      for (const r of [s.sharpe, s.sortino, s.calmar]) {
        assert.ok(r === null || Number.isFinite(r), String(r));
      }
    }),
    { numRuns: 500 },
  );
});
