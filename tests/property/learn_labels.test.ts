// Point-in-time properties of labels: σ_t uses closes up to t only, the label of t uses
// closes up to t + N only, and a label is null exactly when its data is missing.
import assert from "node:assert/strict";
import fc from "fast-check";
import { directionLabels, type LabelOptions, trailingVolatility } from "../../shared/learn/mod.ts";

const closesArb = fc.array(fc.double({ min: -0.08, max: 0.08, noNaN: true }), {
  minLength: 1,
  maxLength: 120,
}).map((rs) => rs.reduce<number[]>((cs, r) => [...cs, cs[cs.length - 1] * Math.exp(r)], [50]));
const optsArb: fc.Arbitrary<LabelOptions> = fc.record({
  horizon: fc.integer({ min: 1, max: 10 }),
  volWindow: fc.integer({ min: 2, max: 30 }),
  deadZone: fc.double({ min: 0, max: 2, noNaN: true }),
});

Deno.test("labels: truncating after t + N changes no label up to t; nulls only where due", () => {
  fc.assert(
    fc.property(closesArb, optsArb, fc.nat(), (closes, opts, cut) => {
      const m = cut % (closes.length + 1);
      const full = directionLabels(closes, opts);
      const short = directionLabels(closes.slice(0, m), opts);
      assert.equal(short.length, m);
      for (let t = 0; t < m; t++) {
        const defined = t >= opts.volWindow && t + opts.horizon < m;
        assert.equal(short[t] !== null, defined, `t=${t} m=${m}`);
        if (defined) assert.deepEqual(short[t], full[t], `t=${t}`);
      }
    }),
    { numRuns: 300 },
  );
});

Deno.test("labels: σ_t is unchanged by anything after t", () => {
  fc.assert(
    fc.property(
      closesArb,
      fc.integer({ min: 2, max: 30 }),
      fc.array(fc.double({ min: 1, max: 500, noNaN: true }), { maxLength: 10 }),
      (closes, window, tail) => {
        const base = trailingVolatility(closes, window);
        const extended = trailingVolatility([...closes, ...tail], window);
        assert.deepEqual(extended.slice(0, closes.length), base);
      },
    ),
    { numRuns: 300 },
  );
});

Deno.test("labels: return, threshold and class agree with the closes they come from", () => {
  fc.assert(
    fc.property(closesArb, optsArb, (closes, opts) => {
      const sigma = trailingVolatility(closes, opts.volWindow);
      directionLabels(closes, opts).forEach((l, t) => {
        if (l === null) return;
        assert.equal(l.forwardReturn, Math.log(closes[t + opts.horizon] / closes[t]));
        assert.equal(l.sigma, sigma[t]);
        assert.ok(
          Math.abs(l.threshold - opts.deadZone * l.sigma * Math.sqrt(opts.horizon)) <= 1e-15,
        );
        if (l.forwardReturn > l.threshold) assert.equal(l.direction, "up");
        else if (l.forwardReturn < -l.threshold) assert.equal(l.direction, "down");
        else assert.equal(l.direction, "flat");
      });
    }),
    { numRuns: 300 },
  );
});
